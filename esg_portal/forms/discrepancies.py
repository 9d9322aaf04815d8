"""Discrepancy forms: a question on a reconciliation line, its answer, an adjustment proposal and a decision.

The forms only check that something was written; the rules (reason codes, sides, the amount
in the user's notation) are the service's, whose errors are put next to these fields.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, Length, Optional

from ..eiti.discrepancies import MAX_INFORMANT, MAX_TEXT, RecordedAdjustment
from ..eiti.labels import REASON_LABELS
from ..validation import whole_number
from . import PortalForm
from .attachments import evidence_field

#: labels of reconciliation.SIDES
SIDE_LABELS = {"company": _l("Company's figure"), "government": _l("Government's figure")}
ADDRESSEE_LABELS = {"company": _l("The company"), "agency": _l("The government agency")}
#: how an explanation recorded by the secretariat was given (eiti.models.EXPLANATION_CHANNELS)
CHANNEL_LABELS = {"letter": _l("By letter"), "email": _l("By e-mail"), "phone": _l("By phone"),
                  "meeting": _l("At a meeting"), "other": _l("Otherwise")}
DECISION_LABELS = {"accept": _l("Accept the adjustment now"),
                   "propose": _l("Leave it proposed, to be decided later")}
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
    evidence_file = evidence_field()


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


class RecordExplanationForm(PortalForm):
    """The secretariat writes down an explanation a company or agency gave outside the portal, with an
    optional adjustment (recorded when an amount, a comment or evidence is written) and a supporting file.

    Like the adjustment form, it checks lengths only: what is required, and the file, are judged by
    ``record_explanation``, so that every problem is reported at once."""

    party = RadioField(_l("Explanation given by"), choices=[SelectChoice(k, v) for k, v in ADDRESSEE_LABELS.items()],
                       validate_choice=False, default="company")
    informant = StringField(
        _l("Who gave it"), filters=[_strip],
        validators=[Length(max=MAX_INFORMANT, message=_TOO_LONG)],  # required: checked with the rest by the service
        description=_l("A name and a position, for example: A. Asanov, chief accountant."),
        render_kw={"maxlength": MAX_INFORMANT})
    channel = SelectField(_l("How"), choices=[SelectChoice(k, v) for k, v in CHANNEL_LABELS.items()],
                          validate_choice=False)
    question = TextAreaField(
        _l("What was asked (optional)"), filters=[_strip],
        validators=[Optional(), Length(max=MAX_TEXT, message=_TOO_LONG)], render_kw={"rows": 2})
    explanation = TextAreaField(
        _l("Explanation"), filters=[_strip],
        validators=[Length(max=MAX_TEXT, message=_TOO_LONG)],  # required: checked with the rest by the service
        description=_l("What the company or agency said, with the date and the reference of the letter if any."),
        render_kw={"rows": 4})
    side = SelectField(_l("Figure to correct"), choices=[SelectChoice(k, v) for k, v in SIDE_LABELS.items()],
                       validate_choice=False)
    amount = StringField(
        _l("Adjustment, KGS"), filters=[_strip],
        description=_l("Optional. Signed: the amount to add to the figure (a minus sign to subtract), at most 2 "
                       "decimals. Leave the adjustment empty if the explanation changes no figure."))
    reason = SelectField(_l("Reason"), choices=[SelectChoice(k, v) for k, v in REASON_LABELS.items()],
                         validate_choice=False)
    comment = TextAreaField(
        _l("Comment"), filters=[_strip], validators=[Length(max=MAX_TEXT, message=_TOO_LONG)],
        description=_l("Required with an adjustment: the EITI report shows this comment."), render_kw={"rows": 2})
    evidence = TextAreaField(
        _l("Evidence"), filters=[_strip], validators=[Optional(), Length(max=MAX_TEXT, message=_TOO_LONG)],
        description=_l("What supports it: a payment order number, a document reference, a date."),
        render_kw={"rows": 2})
    decision = RadioField(_l("Decision on the adjustment"),
                          choices=[SelectChoice(k, v) for k, v in DECISION_LABELS.items()],
                          validators=[AnyOf(tuple(DECISION_LABELS), message=_l("Choose to accept the adjustment "
                                                                                "now or to leave it proposed."))],
                          default="accept")
    evidence_file = evidence_field()

    def recorded_adjustment(self) -> RecordedAdjustment:
        return RecordedAdjustment(self.side.data, self.amount.data, self.reason.data, self.comment.data,
                                  self.evidence.data, accept=self.decision.data == "accept")
