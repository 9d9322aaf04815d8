"""Government receipt forms: one receipt (added or edited), its deletion, the upload, the attestation and a
correction.

The receipt form does not judge values itself: ``parse_receipt()`` runs its §3 row through
``receipts.schemas.parse_receipt_rows``, the rules of uploads and the API, and puts each
``RowError`` next to its field.
"""
from __future__ import annotations

from babel.numbers import get_decimal_symbol
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from ..i18n import localized_name
from ..receipts.schemas import CURRENCIES, RECEIPT_COLUMNS, ReceiptInput, ReceiptLookups, parse_receipt_rows
from ..tabular import UploadRejected
from . import PortalForm, place_row_errors

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_REASON_LENGTH = 2000


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class ReceiptForm(PortalForm):
    """One receipt (a period total from one company for one stream)."""

    company_inn = StringField(_l("Company INN"), filters=[_strip],
                              description=_l("14 digits. A company not in the register is added when you give "
                                             "its name."))
    company_name = StringField(_l("Company name"), filters=[_strip],
                               description=_l("Only needed for a company that is not in the register."))
    revenue_stream = SelectField(_l("Revenue stream"), choices=[], validate_choice=False)
    project = StringField(_l("Project (licence number)"), filters=[_strip],
                          description=_l("Leave blank if the receipt is not tied to a licence."))
    amount = StringField(_l("Amount"), filters=[_strip],
                         description=_l("The total received in the period; a negative amount is a refund."))
    currency = SelectField(_l("Currency"), choices=[SelectChoice(c, c) for c in CURRENCIES], validate_choice=False)
    comment = TextAreaField(_l("Comment"), filters=[_strip], render_kw={"rows": 2})

    def __init__(self, *args, lookups: ReceiptLookups, locale: str, **kwargs):
        super().__init__(*args, **kwargs)
        self._lookups, self._locale = lookups, locale
        self.revenue_stream.choices = [SelectChoice(code, f"{localized_name(stream, locale)} ({code})")
                                       for code, stream in lookups.streams.items()]

    def parse_receipt(self) -> ReceiptInput | None:
        row = {column: getattr(self, column).data or "" for column in RECEIPT_COLUMNS if hasattr(self, column)}
        row["government_entity"] = self._lookups.agency.code
        try:
            [receipt] = parse_receipt_rows([row], row_numbers=None, locale=self._locale, lookups=self._lookups)
        except UploadRejected as rejected:
            place_row_errors(self, rejected.errors, RECEIPT_COLUMNS, fallback=self.company_inn)
            return None
        return receipt


def receipt_form_data(row: dict[str, str], locale: str) -> dict[str, str]:
    """A stored receipt (its §3 row, ``services.receipt_object``) as the edit form shows it: the amount in the
    user's notation (their decimal mark, no grouping). The company's name is left out: it is only ever
    used for an INN not in the register, and the stored company is."""
    data = {column: row[column] for column in RECEIPT_COLUMNS if column not in ("company_name", "government_entity")}
    data["amount"] = data["amount"].replace(".", get_decimal_symbol(locale))
    return data


class DeleteReceiptForm(PortalForm):
    """The confirmation of a receipt's deletion: nothing to fill in but the CSRF token (the draft's revision
    travels beside it)."""


class ReceiptUploadForm(PortalForm):
    """A CSV or XLSX file of receipt rows (INTERFACES.md §3) that replaces the receipts of the draft."""

    file = FileField(_l("Receipts file (CSV or XLSX)"),
                     validators=[FileRequired(_l("Choose the CSV or XLSX file to upload."))],
                     description=_l("The file replaces every receipt of the draft. If any row has an error, "
                                    "nothing is saved and every error is listed."),
                     render_kw={"accept": f".csv,.xlsx,text/csv,{XLSX_TYPE}"})


class ReceiptAttestationForm(PortalForm):
    """Who attests the receipts, in which position, and the explicit confirmation."""

    attested_by_name = StringField(_l("Full name"), filters=[_strip],
                                   validators=[DataRequired(_l("Enter the full name of the person attesting the "
                                                               "receipts.")), Length(max=255)])
    attested_by_position = StringField(_l("Position"), filters=[_strip],
                                       validators=[DataRequired(_l("Enter the position of the person attesting "
                                                                   "the receipts.")), Length(max=255)])
    confirm = BooleanField(_l("I give this attestation on behalf of the agency."),
                           validators=[DataRequired(_l("Tick the box to give the attestation."))])
    language = HiddenField()


class CorrectionForm(PortalForm):
    """Why a submitted batch is corrected."""

    reason = TextAreaField(_l("What does the correction change?"), filters=[_strip],
                           description=_l("For example: a refund was left out."),
                           validators=[DataRequired(_l("Say what the correction changes, for example: a refund "
                                                       "was left out.")),
                                       Length(max=MAX_REASON_LENGTH, message=_l("Shorten the text to at most "
                                                                                "%(max)d characters."))],
                           render_kw={"rows": 3, "maxlength": MAX_REASON_LENGTH})
