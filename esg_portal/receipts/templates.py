"""Receipt files for agency officers (INTERFACES.md §3): the XLSX template with drop-downs, and the draft's
(or the latest version's) receipts as CSV and XLSX, ready to be corrected and uploaded again.

Built like the payments template (``tabular.writer`` and ``tabular.template_sheets``): the data
sheet first, help in en/ru/ky, the hidden code lists behind the drop-downs and a visible sheet
naming every code. Every cell goes through ``tabular.safe``: text that looks like a formula is
neutralised, amounts are numeric cells holding their exact decimal text.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..i18n import localized_name
from ..tabular.reader import DEFAULT_MAX_ROWS
from ..tabular.safe import DataValidation, csv_bytes, put_cell, reopen_workbook, workbook_bytes
from ..tabular.template_sheets import CURRENCY_NAMES, UPLOAD_NOTES, add_code_names_sheet, add_help_notes, \
    in_each_language
from ..tabular.writer import CODES_SHEET, DATA_SHEET, HELP_LANGUAGES, xlsx_template
from .schemas import CURRENCIES, MAX_COMMENT_LENGTH, MAX_NAME_LENGTH, RECEIPT_COLUMNS, ReceiptLookups

#: the visible sheet that names every code (as the payments template's)
CODE_NAMES_SHEET = "code_names"
#: drop-downs cover every row an upload may hold (as ``tabular.writer``'s)
_LAST_ROW = DEFAULT_MAX_ROWS + 1
#: an amount shows its two decimals; the cell stays numeric and exact
AMOUNT_FORMAT = "0.00"

#: what each column holds; shown on the help sheet in every language at once
COLUMN_HELP = {
    "company_inn": _l("Required. The company's 14-digit INN, as text (format the column as text so that leading "
                      "zeros are kept). The drop-down lists the companies of the register; a company not in the "
                      "register may be written too, with its name in company_name."),
    "company_name": _l("Only for a company whose INN is not in the register: its legal name (at most %(name)d "
                       "characters). The company is then added as an unregistered company. Ignored for a company "
                       "of the register."),
    "revenue_stream": _l("Required. The code of the kind of payment received, for example ROYALTY or CIT: choose "
                         "it from the drop-down list. The “%(sheet)s” sheet explains every code."),
    "government_entity": _l("Required. The code of your agency: %(agency)s. You may only report receipts of your "
                            "own agency."),
    "project": _l("The licence number of the company's project the receipt is for, exactly as on the licence; "
                  "blank if the receipt is not tied to a licence."),
    "amount": _l("Required. The total received from the company in the reporting period, with at most 2 "
                 "decimals: 1234567.89, 1 234 567,89 or 1,234,567.89. A negative amount is a refund and needs a "
                 "comment."),
    "currency": _l("Required. KGS or USD: the currency in which the payment was received. Do not convert; use one "
                   "row per currency."),
    "comment": _l("Optional, at most %(comment)d characters. Required for a refund (a negative amount): say what "
                  "was refunded and why."),
}
#: general notes, shown above the column descriptions
NOTES = (
    _l("One row per combination of company_inn, revenue_stream, government_entity, project and currency, holding "
       "the total received in the reporting period. A repeated combination is refused."),
    *UPLOAD_NOTES,
)


def _in_each_language(text, lookups: ReceiptLookups) -> dict[str, str]:
    return in_each_language(text, {"sheet": CODE_NAMES_SHEET, "agency": lookups.agency.code,
                                   "name": MAX_NAME_LENGTH, "comment": MAX_COMMENT_LENGTH})


def _registered(lookups: ReceiptLookups) -> list:
    """The companies of the register, by INN (not those added from receipts: another agency's rows made them)."""
    return [company for inn, company in sorted(lookups.companies.items()) if company.is_registered]


def _code_lists(lookups: ReceiptLookups, locale: str) -> dict[str, list[tuple[str, str]]]:
    """The strict drop-down lists: code → label in the user's language."""
    agency = lookups.agency
    return {
        "revenue_stream": [(code, localized_name(stream, locale)) for code, stream in lookups.streams.items()],
        "government_entity": [(agency.code, localized_name(agency, locale))],
        "currency": [(code, str(CURRENCY_NAMES[code])) for code in CURRENCIES],
    }


def _code_names_rows(lookups: ReceiptLookups) -> list[list[str]]:
    """column, code, the name in en/ru/ky, usual entity."""
    agency = lookups.agency
    rows = [["revenue_stream", stream.code, stream.name_en, stream.name_ru, stream.name_ky, stream.default_entity.code]
            for stream in lookups.streams.values()]
    rows.append(["government_entity", agency.code, agency.name_en, agency.name_ru, agency.name_ky, ""])
    for code in CURRENCIES:
        names = _in_each_language(CURRENCY_NAMES[code], lookups)
        rows.append(["currency", code, *(names[language] for language, _title in HELP_LANGUAGES), ""])
    rows += [["company_inn", company.inn, company.legal_name, company.legal_name, company.legal_name, ""]
             for company in _registered(lookups)]
    return rows


def _add_inn_suggestions(workbook, lookups: ReceiptLookups) -> None:
    """The register's INNs as a drop-down that suggests but does not refuse: an INN not in the register is
    allowed (with its company_name)."""
    inns = [company.inn for company in _registered(lookups)]
    if not inns:
        return
    codes, data = workbook[CODES_SHEET], workbook[DATA_SHEET]
    position = codes.max_column + 1
    put_cell(codes, 1, position, "company_inn")
    for row, inn in enumerate(inns, start=2):
        put_cell(codes, row, position, inn).number_format = "@"
    letter = codes.cell(row=1, column=position).column_letter
    validation = DataValidation(type="list", allow_blank=True, showErrorMessage=False,
                                formula1=f"{CODES_SHEET}!${letter}$2:${letter}${len(inns) + 1}")
    column = data.cell(row=1, column=RECEIPT_COLUMNS.index("company_inn") + 1).column_letter
    validation.add(f"{column}2:{column}{_LAST_ROW}")
    data.add_data_validation(validation)


def _workbook(lookups: ReceiptLookups, locale: str):
    columns = list(RECEIPT_COLUMNS)
    help_rows = {name: _in_each_language(COLUMN_HELP[name], lookups) for name in columns}
    with force_locale(locale):
        lists = _code_lists(lookups, locale)
    base = xlsx_template(columns, help_rows=help_rows, lists=lists, text_columns={"company_inn", "project"})
    workbook = reopen_workbook(base)
    _add_inn_suggestions(workbook, lookups)
    add_help_notes(workbook, [_in_each_language(note, lookups) for note in NOTES])
    with force_locale(locale):
        add_code_names_sheet(workbook, CODE_NAMES_SHEET, [_("Usually paid to")], _code_names_rows(lookups),
                             widths=(20, 18, 45, 45, 45, 18))
    return workbook


def receipts_template_xlsx(lookups: ReceiptLookups, locale: str) -> bytes:
    """The receipts XLSX template of one agency: drop-downs, help in en/ru/ky and a sheet naming every code."""
    return workbook_bytes(_workbook(lookups, locale))


def _cells(row: Mapping[str, str]) -> list[object]:
    """One §3 row as cells: the amount an exact Decimal (a number), the rest text; blanks stay empty."""
    return [Decimal(row[column]) if column == "amount" else (row[column] or None) for column in RECEIPT_COLUMNS]


def receipts_xlsx(lookups: ReceiptLookups, locale: str, rows: Sequence[Mapping[str, str]]) -> bytes:
    """The template with ``rows`` (``services.receipt_rows``) on its data sheet: a file to correct and upload."""
    workbook = _workbook(lookups, locale)
    data = workbook[DATA_SHEET]
    amount = RECEIPT_COLUMNS.index("amount")
    for number, row in enumerate(rows, start=2):
        for position, value in enumerate(_cells(row)):
            if value is not None:
                put_cell(data, number, position + 1, value, AMOUNT_FORMAT if position == amount else "")
    return workbook_bytes(workbook)


def receipts_csv(rows: Sequence[Mapping[str, str]]) -> bytes:
    """``rows`` as a §3 CSV: UTF-8 with a BOM (spreadsheets then keep Kyrgyz letters), amounts as exact decimals."""
    return csv_bytes(RECEIPT_COLUMNS, [_cells(row) for row in rows], bom=True, lineterminator="\r\n")
