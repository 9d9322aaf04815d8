"""Annual disclosure forms: one payment line, and a nil / not-applicable declaration for a section.

The payment form does not judge values itself: ``to_row()`` gives the §3 row and
``parse_payment()`` runs it through ``disclosure.schemas.parse_payment_rows``, the very rules
of uploads and the API, then puts each ``RowError`` next to its field. So a rule is written
once and a form, a spreadsheet and an API client always get the same answer.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.widgets import CheckboxInput, ListWidget
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, Length

from ..disclosure.inputs import PaymentInput
from ..disclosure.schemas import (CURRENCIES, MAX_COMMENT_LENGTH, MAX_LOCALITY_LENGTH, MAX_UNIT_LENGTH, NO,
                                  PAYMENT_COLUMNS, YES, PaymentLookups, parse_payment_rows)
from ..i18n import localized_name
from ..tabular import RowError, UploadRejected
from . import PortalForm, place_row_errors
from .attachments import evidence_field

NO_PROJECT = ""
#: the declaration kinds of ``disclosure.models.DeclarationKind``
DECLARATION_KINDS = ("nil", "not_applicable")
MAX_REASON_LENGTH = 2000


def payment_line_choices(lookups: PaymentLookups, locale: str) -> dict[str, list[SelectChoice]]:
    """Select options per field: codes as values, names in the reader's language as labels."""
    return {
        "revenue_stream": [SelectChoice(code, f"{localized_name(stream, locale)} ({code})")
                           for code, stream in lookups.streams.items()],
        "government_entity": [SelectChoice(code, f"{localized_name(entity, locale)} ({code})")
                              for code, entity in lookups.entities.items()],
        "project": [SelectChoice(NO_PROJECT, _l("— no project —")),
                    *(SelectChoice(number, f"{number} — {licence.project_name}")
                      for number, licence in lookups.licences.items())],
        "currency": [SelectChoice(code, code) for code in CURRENCIES],
        "paid_in_kind": [SelectChoice(NO, _l("No: paid in money")),
                         SelectChoice(YES, _l("Yes: paid in kind (in goods)"))],
    }


class PaymentLineForm(PortalForm):
    """One payment line (a period total); values are checked by ``parse_payment_rows``, not here.

    Build it with ``PaymentLineForm(lookups=…, locale=…)``; to edit a stored line pass
    ``data=document.payment_object(line)`` as well.
    """

    # choices are checked by the shared rules, whose messages say which codes are valid
    revenue_stream = SelectField(_l("Revenue stream"), choices=[], validate_choice=False)
    government_entity = SelectField(_l("Government entity"), choices=[], validate_choice=False,
                                    description=_l("The body that received the payment."))
    project = SelectField(_l("Project (licence)"), choices=[], validate_choice=False,
                          description=_l("Required for revenue streams levied per project."))
    amount = StringField(_l("Amount"), description=_l("The total paid in the reporting period, for example "
                                                      "1 234 567,89. A negative amount is a refund."),
                         render_kw={"inputmode": "decimal", "autocomplete": "off"})
    currency = SelectField(_l("Currency"), choices=[], validate_choice=False)
    paid_in_kind = SelectField(_l("Paid in kind"), choices=[], validate_choice=False, default=NO)
    in_kind_volume = StringField(_l("Volume delivered"), description=_l("Only for payments in kind, for example "
                                                                        "1250.5."),
                                 render_kw={"inputmode": "decimal", "autocomplete": "off"})
    in_kind_unit = StringField(_l("Unit of the volume"), description=_l("Only for payments in kind, for example "
                                                                        "kg, t or oz."),
                               render_kw={"maxlength": MAX_UNIT_LENGTH})
    recipient_locality = StringField(_l("Recipient aiyl okmotu or town"),
                                     description=_l("Optional, for payments to local budgets."),
                                     render_kw={"maxlength": MAX_LOCALITY_LENGTH})
    comment = TextAreaField(_l("Comment"), description=_l("Required for a refund: say what was refunded and why."),
                            render_kw={"maxlength": MAX_COMMENT_LENGTH, "rows": 3})

    def __init__(self, *args: Any, lookups: PaymentLookups, locale: str, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.lookups, self.locale = lookups, locale
        for name, choices in payment_line_choices(lookups, locale).items():
            self[name].choices = choices

    def to_row(self) -> dict[str, str]:
        """The §3 row of the submitted values, as an upload row would carry them."""
        return {name: str(self[name].data or "") for name in PAYMENT_COLUMNS}

    def apply_row_errors(self, errors: Iterable[RowError]) -> None:
        """Show each RowError at its field, in the form's words; errors without a field go to the form's own errors."""
        place_row_errors(self, errors, PAYMENT_COLUMNS)

    def parse_payment(self) -> PaymentInput | None:
        """The checked PaymentInput, or None after putting the rules' messages on the fields."""
        try:
            [payment] = parse_payment_rows([self.to_row()], row_numbers=None, locale=self.locale,
                                           lookups=self.lookups)
        except UploadRejected as rejected:
            self.apply_row_errors(rejected.errors)
            return None
        return payment


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class NilDeclarationForm(PortalForm):
    """An explicit answer for a section without data: nil (nothing to report) or not applicable, with a reason."""

    kind = SelectField(_l("Answer"), choices=[SelectChoice("nil", _l("Nil: nothing to report for this period")),
                                              SelectChoice("not_applicable", _l("Not applicable to our company"))],
                       validate_choice=False,
                       validators=[AnyOf(DECLARATION_KINDS, message=_l("Choose nil or not applicable."))])
    reason = TextAreaField(_l("Reason"), description=_l("Explain why there is nothing to report."),
                           filters=[_strip],
                           validators=[DataRequired(_l("Enter the reason: explain why there is nothing to "
                                                       "report.")),
                                       Length(max=MAX_REASON_LENGTH,
                                              message=_l("Shorten the reason to at most %(max)d characters."))],
                           render_kw={"maxlength": MAX_REASON_LENGTH, "rows": 3})


#: longest free text a filer may write (reasons, answers); the services check the same limit
MAX_FORM_TEXT = 2000
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- the filing pages: upload, attestation, amendment, answers ---------------------------

class UploadForm(PortalForm):
    """A CSV or XLSX file of payment rows (INTERFACES.md §3) that replaces the lines of the draft."""

    file = FileField(_l("Payments file (CSV or XLSX)"),
                     validators=[FileRequired(_l("Choose the CSV or XLSX file to upload."))],
                     description=_l("The file replaces every payment line of the draft. If any row has an error, "
                                    "nothing is saved and every error is listed."),
                     render_kw={"accept": f".csv,.xlsx,text/csv,{XLSX_TYPE}"})


class AttestationForm(PortalForm):
    """The signatory's attestation: who attests, in which position, and the explicit confirmation."""

    attested_by_name = StringField(_l("Full name"), filters=[_strip], render_kw={"autocomplete": "name"},
                                   validators=[DataRequired(_l("Enter the full name of the person attesting the "
                                                               "filing.")), Length(max=255)])
    attested_by_position = StringField(_l("Position"), filters=[_strip],
                                       render_kw={"autocomplete": "organization-title"},
                                       validators=[DataRequired(_l("Enter the position of the person attesting the "
                                                                   "filing.")), Length(max=255)])
    confirm = BooleanField(_l("I give this attestation on behalf of the company."),
                           validators=[DataRequired(_l("Tick the box to give the attestation."))])
    #: the language of the attestation the signatory read, so the stored text is the text shown
    language = HiddenField()
    #: sections copied from last year that nobody has checked yet: each must be ticked as still true
    #: (choices set by the view; the service says which are missing)
    confirm_carried_over = SelectMultipleField(_l("Copied from last year's filing and still true"), choices=[],
                                               validate_choice=False, widget=ListWidget(prefix_label=False),
                                               option_widget=CheckboxInput())


class AmendmentForm(PortalForm):
    """Why a submitted version is amended."""

    reason = TextAreaField(_l("What does the amendment correct?"), filters=[_strip],
                           description=_l("For example: the royalty of the fourth quarter was left out."),
                           validators=[DataRequired(_l("Say what the amendment corrects.")),
                                       Length(max=MAX_FORM_TEXT, message=_l("Shorten the text to at most %(max)d "
                                                                       "characters."))],
                           render_kw={"rows": 4, "maxlength": MAX_FORM_TEXT})


class AnswerForm(PortalForm):
    """The company's answer to one question of the secretariat, with an optional supporting file."""

    answer = TextAreaField(_l("Your answer"), filters=[_strip],
                           validators=[DataRequired(_l("Write your answer to the question.")),
                                       Length(max=MAX_FORM_TEXT, message=_l("Shorten the text to at most %(max)d "
                                                                       "characters."))],
                           render_kw={"rows": 3, "maxlength": MAX_FORM_TEXT})
    evidence_file = evidence_field()
