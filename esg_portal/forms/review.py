"""Secretariat review forms: a question to the company (on the filing or on one line) and acceptance."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import HiddenInput

from ..disclosure.services import MAX_TEXT
from . import PortalForm


class QueryForm(PortalForm):
    """A question of the secretariat; ``payment_line_id`` names the line asked about (empty: the filing)."""

    question = TextAreaField(
        _l("Question for the company"),
        validators=[DataRequired(_l("Write the question for the company.")),
                    Length(max=MAX_TEXT, message=_l("The question is too long: at most %(max)d characters."))],
        description=_l("Say what is unclear and what the company should send or correct. "
                       "The company sees the question on its filing."))
    payment_line_id = IntegerField(widget=HiddenInput(), validators=[Optional()])


class AcceptForm(PortalForm):
    """Accepting a version has no fields: the form carries the CSRF token."""
