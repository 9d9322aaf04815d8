"""Discrepancy forms: a question on a reconciliation line, its answer, an adjustment proposal and a decision.

The forms only check that something was written; the rules (reason codes, sides, the amount
in the user's notation) are the service's, whose errors are put next to these fields.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, Length, Optional

from ..eiti.discrepancies import MAX_TEXT
from ..eiti.labels import REASON_LABELS
from ..validation import whole_number
from . import PortalForm

#: labels of reconciliation.SIDES
SIDE_LABELS = {"company": _l("Company's figure"), "government": _l("Government's figure")}
ADDRESSEE_LABELS = {"company": _l("The company"), "agency": _l("The government agency")}
_TOO_LONG = _l("The text is too long: at most %(max)d characters.")


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _digits_only(value):
    number = whole_number(value) if isinstance(value, str) else None
    return "" if number is None else str(number)


class RaiseQueryForm(PortalForm):
    """The secretariat's question about one line, to the line's company or agency."""

    addressed_to = RadioField(_l("Ask"), choices=[SelectChoice(k, v) for k, v in ADDRESSEE_LABELS.items()],
                              validate_choice=False, default="company")
    question = TextAreaField(
        _l("Question"), filters=[_strip],
        validators=[DataRequired(_l("Write the question.")), Length(max=MAX_TEXT, message=_TOO_LONG)],
        description=_l("Say which figure looks wrong and what the company or agency should check or send."),
        render_kw={"rows": 3})


class AnswerForm(PortalForm):
    answer = TextAreaField(
        _l("Your answer"), filters=[_strip],
        validators=[DataRequired(_l("Write your answer to the question.")), Length(max=MAX_TEXT, message=_TOO_LONG)],
        render_kw={"rows": 4})


class AdjustmentForm(PortalForm):
    """A proposed correction of one side of the line, signed, in KGS."""

    side = SelectField(_l("Figure to correct"), choices=[SelectChoice(k, v) for k, v in SIDE_LABELS.items()],
                       validate_choice=False)
    amount = StringField(
        _l("Adjustment, KGS"), filters=[_strip],
        description=_l("Signed: the amount to add to the figure (a minus sign to subtract), at most 2 decimals."))
    reason = SelectField(_l("Reason"), choices=[SelectChoice(k, v) for k, v in REASON_LABELS.items()],
                         validate_choice=False)
    comment = TextAreaField(
        _l("Comment"), filters=[_strip],
        validators=[Length(max=MAX_TEXT, message=_TOO_LONG)],  # required: checked with the rest by the service
        render_kw={"rows": 3})
    evidence = TextAreaField(
        _l("Evidence"), filters=[_strip], validators=[Optional(), Length(max=MAX_TEXT, message=_TOO_LONG)],
        description=_l("What supports it: a payment order number, a document reference, a date."),
        render_kw={"rows": 2})


class DecisionForm(PortalForm):
    """Accept or reject a proposed adjustment; the buttons carry ``decision``."""

    decision = HiddenField(validators=[AnyOf(("accept", "reject"), message=_l("Choose to accept or to reject."))])
    comment = TextAreaField(_l("Comment on the decision"), filters=[_strip],
                            validators=[Optional(), Length(max=MAX_TEXT, message=_TOO_LONG)],
                            description=_l("Required when you reject: the proposer sees it."),
                            render_kw={"rows": 2})
    #: where to come back to: the line page of this run and position, else the query page; anything but
    #: ASCII digits (a forged "²" would pass str.isdigit() and fail int()) is dropped
    run_id = HiddenField(filters=[_digits_only])
    position = HiddenField(filters=[_digits_only])


class CloseQueryForm(PortalForm):
    """Closing a query has no fields: the form carries the CSRF token."""
