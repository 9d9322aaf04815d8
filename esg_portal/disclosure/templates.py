"""Download templates for company payments (INTERFACES.md §3): CSV header, or XLSX with drop-downs and help.

The XLSX is built by ``tabular.writer`` (data sheet first, help in en/ru/ky, hidden code
lists behind the drop-downs) and then gains a visible sheet that names every code in the
three languages, and general notes at the top of the help sheet.
"""
from __future__ import annotations


from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..i18n import localized_name
from ..tabular.safe import reopen_workbook, workbook_bytes
from ..tabular.template_sheets import CURRENCY_NAMES, UPLOAD_NOTES, add_code_names_sheet, add_help_notes, \
    in_each_language
from ..tabular.writer import HELP_LANGUAGES, csv_template, xlsx_template
from .schemas import CODE_NAMES_SHEET, CURRENCIES, MAX_COMMENT_LENGTH, MAX_LOCALITY_LENGTH, MAX_UNIT_LENGTH, \
    MAX_VOLUME_DECIMALS, NO, PAYMENT_COLUMNS, YES, PaymentLookups

#: what each column holds; shown on the help sheet in every language at once
COLUMN_HELP = {
    "revenue_stream": _l("Required. The code of the kind of payment, for example ROYALTY or CIT: choose it from "
                         "the drop-down list. The “%(sheet)s” sheet explains every code."),
    "government_entity": _l("Required. The code of the government entity that received the payment, for example "
                            "STS (State Tax Service). Usually the entity named for the stream on the “%(sheet)s” "
                            "sheet, but write the one you actually paid."),
    "project": _l("The licence number of the project the payment is for, exactly as on the licence. Required for "
                  "revenue streams levied per project (marked on the “%(sheet)s” sheet), otherwise it may be left "
                  "blank. Only your company's licences are accepted."),
    "amount": _l("Required. The total paid in the reporting period, with at most 2 decimals: 1234567.89, "
                 "1 234 567,89 or 1,234,567.89. A negative amount is a refund and needs a comment. For a payment "
                 "in kind, enter its value in money."),
    "currency": _l("Required. KGS or USD: the currency in which the payment was made. Do not convert; use one row "
                   "per currency."),
    "paid_in_kind": _l("Required. yes if the payment was made in kind (in goods, for example metal) instead of "
                       "money, otherwise no. yes needs in_kind_volume and in_kind_unit."),
    "in_kind_volume": _l("Only for payments in kind: the quantity delivered, a number with at most %(decimals)d "
                         "decimals, for example 1250.5. Leave it blank when paid_in_kind is no."),
    "in_kind_unit": _l("Only for payments in kind: the unit of the volume, for example kg, t or oz (at most "
                       "%(unit)d characters). Leave it blank when paid_in_kind is no."),
    "recipient_locality": _l("Optional. For payments to local budgets: the aiyl okmotu or town that received the "
                             "payment (at most %(locality)d characters)."),
    "comment": _l("Optional, at most %(comment)d characters. Required for a refund (a negative amount): say what "
                  "was refunded and why."),
}
#: general notes, shown above the column descriptions
NOTES = (
    _l("One row per combination of revenue_stream, government_entity, project, currency and paid_in_kind, holding "
       "the total for the reporting period. A repeated combination is refused."),
    *UPLOAD_NOTES,
)
IN_KIND_NAMES = {YES: _l("paid in kind (in goods, for example metal)"), NO: _l("paid in money")}


def payments_template_csv() -> bytes:
    """The payments CSV template: the §3 header line, UTF-8 with a BOM."""
    return csv_template(PAYMENT_COLUMNS)


def _in_each_language(text) -> dict[str, str]:
    """A lazy message in en, ru and ky at once, with the payments template's parameters."""
    return in_each_language(text, {"sheet": CODE_NAMES_SHEET, "decimals": MAX_VOLUME_DECIMALS,
                                   "unit": MAX_UNIT_LENGTH, "locality": MAX_LOCALITY_LENGTH,
                                   "comment": MAX_COMMENT_LENGTH})


def _code_lists(lookups: PaymentLookups, locale: str) -> dict[str, list[tuple[str, str]]]:
    """The drop-down lists: code → label in the user's language."""
    return {
        "revenue_stream": [(code, localized_name(stream, locale)) for code, stream in lookups.streams.items()],
        "government_entity": [(code, localized_name(entity, locale)) for code, entity in lookups.entities.items()],
        "project": [(number, licence.project_name) for number, licence in lookups.licences.items()],
        "currency": [(code, str(CURRENCY_NAMES[code])) for code in CURRENCIES],
        "paid_in_kind": [(value, str(IN_KIND_NAMES[value])) for value in (YES, NO)],
    }


def _code_names_rows(lookups: PaymentLookups) -> list[list[str]]:
    """column, code, the name in en/ru/ky, levied per project, usual entity."""
    yes, no = _("yes"), _("no")
    rows = [["revenue_stream", stream.code, stream.name_en, stream.name_ru, stream.name_ky,
             yes if stream.is_levied_per_project else no, stream.default_entity.code]
            for stream in lookups.streams.values()]
    rows += [["government_entity", entity.code, entity.name_en, entity.name_ru, entity.name_ky, "", ""]
             for entity in lookups.entities.values()]
    rows += [["project", number, licence.project_name, licence.project_name, licence.project_name, "", ""]
             for number, licence in lookups.licences.items()]
    for code in CURRENCIES:
        names = _in_each_language(CURRENCY_NAMES[code])
        rows.append(["currency", code, *(names[language] for language, _title in HELP_LANGUAGES), "", ""])
    for value in (YES, NO):
        names = _in_each_language(IN_KIND_NAMES[value])
        rows.append(["paid_in_kind", value, *(names[language] for language, _title in HELP_LANGUAGES), "", ""])
    return rows


def payments_template_xlsx(lookups: PaymentLookups, locale: str) -> bytes:
    """The payments XLSX template for one company: drop-downs, help in en/ru/ky and a sheet naming every code."""
    columns = list(PAYMENT_COLUMNS)
    help_rows = {name: _in_each_language(COLUMN_HELP[name]) for name in columns}
    with force_locale(locale):
        lists = _code_lists(lookups, locale)
    base = xlsx_template(columns, help_rows=help_rows, lists=lists, text_columns={"project"})
    workbook = reopen_workbook(base)
    add_help_notes(workbook, [_in_each_language(note) for note in NOTES])
    with force_locale(locale):
        add_code_names_sheet(workbook, CODE_NAMES_SHEET, [_("Levied per project"), _("Usually paid to")],
                             _code_names_rows(lookups), widths=(20, 18, 45, 45, 45, 18, 18))
    return workbook_bytes(workbook)
