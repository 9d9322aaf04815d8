"""Pure writers of the EITI outputs of one period: the SDT v2.0 workbook and the Part CSVs.

``write_sdt(parts)`` → the bytes of ``summary-data-{year}.xlsx``; ``part_csvs(parts)`` → the
six open-data Part CSVs of EITI's bulk layout. Both first ``complete`` the Parts (derived
values filled in, numbers in canonical form), so the workbook and the CSVs always agree,
and both are byte-reproducible: the same Parts give the same bytes.

Layout of the workbook (EITI's importer fixes the first three; the rest is our choice, and
``sdt_import`` reads it back):

* ``Part 1 - About``: labels in column C, values in column E, from row 14, one label per row
  in ``ABOUT_LABELS`` order (so the exchange rate is E40). Dates are date cells, the two
  counts and the exchange rate numbers, the four percentages formulas over Part 2.
* ``Part 2 - Disclosure checklist``: headers on row 16, rows from row 17 — column B the label,
  D the answer (inclusion), F the source. A row holding only ``EITI Requirement …`` in
  column B starts the rows of that requirement.
* ``Part 4 - Government revenues``: headers on row 21 in columns F–K, data from row 22 (GFS
  in column F, written ``Name (code)``), then one blank row, ``Total in <currency>`` and
  ``Total in USD`` (label in column I, amount in column J).
* ``Part 3 - Reporting entities``: three tables stacked in columns from B, each a title row
  (``Reporting government entities list`` on row 5), its header row and its data, the next
  title three rows below the last data row: government entities (B–E), companies (B–I),
  projects (B–J).
* ``Part 5 - Company data``: headers on row 14 from column C, data from row 15: Company (C),
  then the derived ``Sector`` (D, the company's Sector in Part 3), then the other columns
  (E–O).
* Named tables of v2.0: ``Government_agencies``, ``Companies``, ``Companies15`` (projects),
  ``Government_revenues_table`` (Part 4), ``Table10`` (Part 5); an empty table keeps one
  blank data row, as Excel requires.

Derived values (``complete``): Part 3 ``Total reported`` (Σ Part 4 by government entity) and
``Payments to Governments Report`` (Σ Part 5 by company) when they are blank and some
amount is there to add up; the four Part 1 percentages from the Part 2 answers; the Part 1
country, code, dates and reporting currency from the Parts' own fields. A total given that
differs from the sum is kept as given (historic files) and written as a plain value; one
that equals the sum is written as the template's formula with its cached value.

Totals (``Total in KGS`` = Σ revenue values; ``Total in USD`` = that ÷ the exchange rate,
half-even to 2 decimals; ``Not available`` when there is no usable rate, no amount, or an
amount in another currency) are written as formulas with cached values.

Amounts that are plain decimals become numeric cells (exact text, never a float), with at
least 2 decimals; anything else (``Not applicable``, ``Not available``, other text) stays
text; ``None`` stays an empty cell.
"""
from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_EVEN, Decimal, localcontext

from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.table import Table, TableStyleInfo

from ...tabular.safe import csv_bytes, new_workbook, put_cell, put_formula, workbook_bytes
from .sdt_model import (
    ABOUT_APPENDED_COLUMNS, ABOUT_LABELS, APPENDED_COLUMNS, CHECKLIST_KEYS, COMPANY_DATA_COLUMNS,
    COMPANY_DATA_SECTOR, COMPANY_TOTAL, COUNT_LABELS, CSV_NAMES, DATE_LABELS, ENTITY_TOTAL, GFS_COLUMN,
    INCLUSION_VALUES, LABEL_COUNTRY, LABEL_END, LABEL_ISO3, LABEL_RATE, LABEL_REPORTING_CURRENCY, LABEL_START,
    LISTS, MONEY_COLUMNS, PART_ABOUT, PART_COMPANIES, PART_COMPANY_DATA, PART_GOVERNMENT_ENTITIES,
    PART_GOVERNMENT_REVENUES, PART_PROJECTS, PERCENT_LABELS, QUANTITY_COLUMNS, SHEET_ABOUT,
    SHEET_CHECKLIST, SHEET_COMPANY_DATA, SHEET_ENTITIES, SHEET_INTRODUCTION, SHEET_LISTS, SHEET_REVENUES,
    TABLE_COLUMNS, TABLE_NAMES, TEMPLATE_VERSION, TITLE_COMPANIES, TITLE_GOVERNMENT_ENTITIES, TITLE_PROJECTS,
    TOTAL_PREFIX, NOT_AVAILABLE, Parts, gfs_label, gfs_list, gfs_names, validate,
)

# --- layout (see the module docstring) -------------------------------------------------------
ABOUT_FIRST_ROW, ABOUT_LABEL_COLUMN, ABOUT_VALUE_COLUMN = 14, 3, 5
CHECKLIST_HEADER_ROW, CHECKLIST_FIRST_ROW = 16, 17
CHECKLIST_LABEL_COLUMN, CHECKLIST_ANSWER_COLUMN, CHECKLIST_SOURCE_COLUMN = 2, 4, 6
CHECKLIST_HEADERS = ("Requirement / disclosure", "Inclusion", "Source (URL or section of the EITI Report)")
ENTITIES_FIRST_TITLE_ROW, ENTITIES_FIRST_COLUMN, ENTITIES_GAP = 5, 2, 3
REVENUES_HEADER_ROW, REVENUES_FIRST_COLUMN = 21, 6
COMPANY_DATA_HEADER_ROW, COMPANY_DATA_FIRST_COLUMN = 14, 3
#: Part 5 as the workbook shows it: the derived Sector right after the company
COMPANY_DATA_SHEET_COLUMNS = (COMPANY_DATA_COLUMNS[0], COMPANY_DATA_SECTOR) + COMPANY_DATA_COLUMNS[1:]
ENTITY_TABLES = ((PART_GOVERNMENT_ENTITIES, TITLE_GOVERNMENT_ENTITIES), (PART_COMPANIES, TITLE_COMPANIES),
                 (PART_PROJECTS, TITLE_PROJECTS))

MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
PERCENT_FORMAT = "0.00%"
RATE_FORMAT = "0.0000##########"
CENT = Decimal("0.01")

_PLAIN_DECIMAL = re.compile(r"-?[0-9]+(\.[0-9]+)?")
_PLAIN_INTEGER = re.compile(r"-?[0-9]+")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=14)
_WRAP = Alignment(wrap_text=True, vertical="top")


# --- canonical numbers ------------------------------------------------------------------------
def plain_decimal(value: str | None) -> Decimal | None:
    """The Decimal of a plain decimal string (``-1234.50``), None for anything else."""
    if value is None or not _PLAIN_DECIMAL.fullmatch(value):
        return None
    return Decimal(value)


def money_text(amount: Decimal) -> str:
    """An amount as the outputs write it: at least 2 decimals, never rounded, no ``-0.00``."""
    if amount.is_zero():
        amount = abs(amount)
    if amount.as_tuple().exponent > -2:  # type: ignore[operator]
        amount = amount.quantize(CENT)
    return format(amount, "f")


def number_text(number: Decimal) -> str:
    """A quantity or rate in its shortest exact form (``4.80`` → ``4.8``, ``100.0`` → ``100``)."""
    if number.is_zero():
        return "0"
    return format(number.normalize(), "f")


def canonical_money(value: str | None) -> str | None:
    number = plain_decimal(value)
    return value if number is None else money_text(number)


def canonical_number(value: str | None) -> str | None:
    number = plain_decimal(value)
    return value if number is None else number_text(number)


def percent_text(ratio: float) -> str:
    """A Part 1 percentage as EITI's files show it: ``0.4642857142857143`` → ``46.43%``."""
    percent = (Decimal(repr(ratio)) * 100).quantize(CENT, rounding=ROUND_HALF_EVEN)
    return f"{abs(percent) if percent.is_zero() else percent}%"


def usable_rate(value: str | None) -> Decimal | None:
    """The exchange rate (1 USD = X) when it is a number above zero, else None."""
    rate = plain_decimal(value)
    return rate if rate is not None and rate > 0 else None


def to_usd(amount: Decimal, rate: Decimal) -> Decimal:
    """amount ÷ rate, half-even to the cent (EITI.md A §1)."""
    with localcontext() as context:
        context.prec = 60
        return (amount / rate).quantize(CENT, rounding=ROUND_HALF_EVEN)


# --- derived values ------------------------------------------------------------------------------
def _matching_sum(rows: list[dict[str, str | None]], name_column: str, name: str | None, value_column: str,
                  currency_column: str, currency: str) -> Decimal | None:
    """Σ of the numeric values of the rows named ``name`` (what the workbook's SUMPRODUCT gives);
    None when there is nothing to add up or one of the amounts is in another currency."""
    if name is None:
        return None
    total, found = Decimal(0), False
    for row in rows:
        if row.get(name_column) != name:
            continue
        amount = plain_decimal(row.get(value_column))
        if amount is None:
            continue
        if row.get(currency_column) != currency:
            return None
        total += amount
        found = True
    return total if found else None


def entity_total(parts: Parts, name: str | None) -> Decimal | None:
    """Part 3 ``Total reported`` of one government entity: Σ its Part 4 revenue values."""
    return _matching_sum(parts.government_revenues, "Government entity", name, "Revenue value", "Currency",
                         parts.currency)


def company_total(parts: Parts, name: str | None) -> Decimal | None:
    """Part 3 ``Payments to Governments Report`` of one company: Σ its Part 5 revenue values."""
    return _matching_sum(parts.company_data, "Company", name, "Revenue value", "Reporting currency",
                         parts.currency)


def inclusion_counts(parts: Parts) -> dict[str, int]:
    """How many Part 2 answers have each inclusion status (compared as Excel's COUNTIF does, ignoring case)."""
    counts = {value: 0 for value in INCLUSION_VALUES}
    for row in parts.checklist:
        answer = (row.get("answer") or "").lower()
        for value in INCLUSION_VALUES:
            if answer == value.lower():
                counts[value] += 1
    return counts


def inclusion_ratios(parts: Parts) -> dict[str, float] | None:
    """The Part 1 percentages as fractions, or None when no Part 2 answer has an inclusion status."""
    counts = inclusion_counts(parts)
    total = sum(counts.values())
    if not total:
        return None
    return {label: counts[value] / total for label, value in zip(PERCENT_LABELS, INCLUSION_VALUES)}


def revenue_total(parts: Parts) -> Decimal | None:
    """``Total in <currency>`` of Part 4: Σ revenue values; None when there is none or one is in another currency."""
    total, found = Decimal(0), False
    for row in parts.government_revenues:
        amount = plain_decimal(row.get("Revenue value"))
        if amount is None:
            continue
        if row.get("Currency") != parts.currency:
            return None
        total += amount
        found = True
    return total if found else None


def _canonical_row(part: str, row: dict[str, str | None]) -> dict[str, str | None]:
    columns = TABLE_COLUMNS[part]
    out = {column: row.get(column) for column in columns}
    for column in MONEY_COLUMNS.get(part, ()):
        out[column] = canonical_money(out[column])
    for column in QUANTITY_COLUMNS.get(part, ()):
        out[column] = canonical_number(out[column])
    if part == PART_GOVERNMENT_REVENUES:
        out[GFS_COLUMN] = render_gfs(out[GFS_COLUMN])
    return out


def render_gfs(value: str | None) -> str | None:
    """A bare known GFS code (``1415E1``) as the template writes it (``Royalties (1415E1)``)."""
    if value is not None and value in gfs_names():
        return gfs_label(value)
    return value


def complete(parts: Parts) -> Parts:
    """A copy of ``parts`` as the outputs show it: every label and column present, numbers in
    canonical form, derived values filled where they were blank. Idempotent; raises
    ``ValueError`` for unknown keys or Part 1 dates that contradict the period."""
    validate(parts)
    # every row is rebuilt below, so a shallow copy is enough (and fast for 200 000 rows)
    done = Parts(year=parts.year, start_date=parts.start_date, end_date=parts.end_date, country=parts.country,
                 iso3=parts.iso3, currency=parts.currency, about=dict(parts.about), checklist=list(parts.checklist),
                 **{part: list(parts.rows(part)) for part in TABLE_COLUMNS})
    about = {label: done.about.get(label) for label in ABOUT_LABELS}
    for label, value in ((LABEL_COUNTRY, done.country), (LABEL_ISO3, done.iso3), (LABEL_START, done.start_date),
                         (LABEL_END, done.end_date), (LABEL_REPORTING_CURRENCY, done.currency)):
        if about[label] is None:
            about[label] = value
    if about[LABEL_START] != done.start_date or about[LABEL_END] != done.end_date:
        raise ValueError("Part 1 Start Date / End Date differ from the period's dates")
    about[LABEL_RATE] = canonical_number(about[LABEL_RATE])
    for label in COUNT_LABELS:
        about[label] = canonical_number(about[label])
    done.checklist = [{key: row.get(key) for key in CHECKLIST_KEYS} for row in done.checklist
                      if any(row.get(key) is not None for key in CHECKLIST_KEYS)]
    for part in TABLE_COLUMNS:
        setattr(done, part, [_canonical_row(part, row) for row in done.rows(part)])
    for row in done.government_entities:
        if row[ENTITY_TOTAL] is None:
            total = entity_total(done, row["Full name of agency"])
            row[ENTITY_TOTAL] = None if total is None else money_text(total)
    for row in done.companies:
        if row[COMPANY_TOTAL] is None:
            total = company_total(done, row["Full company name"])
            row[COMPANY_TOTAL] = None if total is None else money_text(total)
    ratios = inclusion_ratios(done)
    if ratios:
        for label in PERCENT_LABELS:
            if about[label] is None:
                about[label] = percent_text(ratios[label])
    done.about = about
    return done


# --- the workbook ------------------------------------------------------------------------------------
def _put_money(ws, row: int, column: int, value: str | None) -> None:
    amount = plain_decimal(value)
    put_cell(ws, row, column, value if amount is None else amount, MONEY_FORMAT)


def _put_number(ws, row: int, column: int, value: str | None, number_format: str = "") -> None:
    number = plain_decimal(value)
    put_cell(ws, row, column, value if number is None else number, number_format)


def _put_date(ws, row: int, column: int, value: str | None) -> None:
    if value is not None and _ISO_DATE.fullmatch(value):
        try:
            put_cell(ws, row, column, dt.datetime.strptime(value, "%Y-%m-%d"), DATE_FORMAT)
            return
        except ValueError:
            pass
    put_cell(ws, row, column, value)


def _title(ws, text: str, note: str | None = None) -> None:
    put_cell(ws, 2, 2, text).font = _TITLE
    if note:
        put_cell(ws, 3, 2, note)


def _header(ws, row: int, column: int, names: tuple[str, ...]) -> None:
    for offset, name in enumerate(names):
        cell = put_cell(ws, row, column + offset, name)
        cell.font = _BOLD
        cell.alignment = _WRAP


def _table(ws, part: str, header_row: int, first_column: int, columns: int, last_row: int) -> None:
    ref = (f"{get_column_letter(first_column)}{header_row}:"
           f"{get_column_letter(first_column + columns - 1)}{max(last_row, header_row + 1)}")
    table = Table(displayName=TABLE_NAMES[part], ref=ref)
    table.tableStyleInfo = TableStyleInfo(name="TableStyleLight9", showRowStripes=True)
    ws.add_table(table)


def _range(sheet: str, column: int, first: int, last: int) -> str:
    letter = get_column_letter(column)
    return f"'{sheet}'!${letter}${first}:${letter}${max(last, first)}"


def _write_introduction(ws, parts: Parts) -> None:
    _title(ws, "EITI Summary Data Template")
    lines = (
        f"Version {TEMPLATE_VERSION}",
        f"{parts.country} ({parts.iso3}), fiscal period {parts.start_date} to {parts.end_date}",
        "Summary data of the EITI disclosures of the extractive sector, in the EITI Board's template "
        "(Requirement 7.2).",
        "Part 1 describes the disclosures, Part 2 lists where each EITI Requirement is disclosed, Part 3 lists "
        "the reporting government entities, companies and projects, Part 4 gives the government revenues by "
        "GFS classification and Part 5 the payments of each company.",
        f"Amounts are in {parts.currency}; Not applicable, Not available, blank and zero are different answers.",
    )
    for offset, line in enumerate(lines):
        put_cell(ws, 4 + offset, 2, line)
    ws.column_dimensions["B"].width = 120


def _write_about(ws, parts: Parts, checklist_last_row: int) -> int:
    """Part 1; returns the row of the exchange rate."""
    _title(ws, SHEET_ABOUT, "Overview of the EITI disclosures of the fiscal period.")
    ratios = inclusion_ratios(parts)
    answers = _range(SHEET_CHECKLIST, CHECKLIST_ANSWER_COLUMN, CHECKLIST_FIRST_ROW, checklist_last_row)
    counts = {value: f'COUNTIF({answers},"{value}")' for value in INCLUSION_VALUES}
    denominator = "+".join(counts.values())
    rate_row = ABOUT_FIRST_ROW
    for offset, label in enumerate(ABOUT_LABELS):
        row = ABOUT_FIRST_ROW + offset
        put_cell(ws, row, ABOUT_LABEL_COLUMN, label)
        value = parts.about[label]
        if label in PERCENT_LABELS:
            ratio = ratios[label] if ratios else None
            if ratio is not None and value == percent_text(ratio):
                value_of = INCLUSION_VALUES[PERCENT_LABELS.index(label)]
                put_formula(ws, row, ABOUT_VALUE_COLUMN, f"={counts[value_of]}/({denominator})", PERCENT_FORMAT,
                            cached=ratio)
            else:
                put_cell(ws, row, ABOUT_VALUE_COLUMN, value)
        elif label in DATE_LABELS:
            _put_date(ws, row, ABOUT_VALUE_COLUMN, value)
        elif label == LABEL_RATE:
            rate_row = row
            _put_number(ws, row, ABOUT_VALUE_COLUMN, value, RATE_FORMAT)
        elif label in COUNT_LABELS:
            number = value if value is not None and _PLAIN_INTEGER.fullmatch(value) else None
            put_cell(ws, row, ABOUT_VALUE_COLUMN, int(number) if number is not None else value)
        else:
            put_cell(ws, row, ABOUT_VALUE_COLUMN, value)
    ws.column_dimensions["C"].width = 70
    ws.column_dimensions["E"].width = 50
    return rate_row


def _write_checklist(ws, parts: Parts) -> int:
    """Part 2; returns its last row (at least the first row)."""
    _title(ws, SHEET_CHECKLIST, "Where each EITI Requirement is disclosed: systematically, through EITI "
                                "Reporting, not applicable or not available, with the source.")
    for column, name in zip((CHECKLIST_LABEL_COLUMN, CHECKLIST_ANSWER_COLUMN, CHECKLIST_SOURCE_COLUMN),
                            CHECKLIST_HEADERS):
        put_cell(ws, CHECKLIST_HEADER_ROW, column, name).font = _BOLD
    row, requirement = CHECKLIST_FIRST_ROW, None
    for item in parts.checklist:
        if item["requirement"] is not None and item["requirement"] != requirement:
            requirement = item["requirement"]
            put_cell(ws, row, CHECKLIST_LABEL_COLUMN, requirement).font = _BOLD
            row += 1
        put_cell(ws, row, CHECKLIST_LABEL_COLUMN, item["label"])
        put_cell(ws, row, CHECKLIST_ANSWER_COLUMN, item["answer"])
        put_cell(ws, row, CHECKLIST_SOURCE_COLUMN, item["source"])
        row += 1
    ws.column_dimensions["B"].width = 80
    ws.column_dimensions["D"].width = 28
    ws.column_dimensions["F"].width = 60
    return max(row - 1, CHECKLIST_FIRST_ROW)


def _write_row(ws, part: str, row_number: int, first_column: int, columns: tuple[str, ...],
               row: dict[str, str | None]) -> None:
    money, quantities = MONEY_COLUMNS.get(part, ()), QUANTITY_COLUMNS.get(part, ())
    for offset, column in enumerate(columns):
        value = row.get(column)
        if column in money:
            _put_money(ws, row_number, first_column + offset, value)
        elif column in quantities:
            _put_number(ws, row_number, first_column + offset, value)
        else:
            put_cell(ws, row_number, first_column + offset, value)


def _write_revenues(ws, parts: Parts, rate_row: int) -> tuple[int, int]:
    """Part 4; returns (first, last) data row."""
    _title(ws, SHEET_REVENUES, "Government revenues from the extractive sector, by GFS classification, revenue "
                               "stream and receiving government entity, including revenues below the "
                               "materiality threshold.")
    columns = TABLE_COLUMNS[PART_GOVERNMENT_REVENUES]
    _header(ws, REVENUES_HEADER_ROW, REVENUES_FIRST_COLUMN, columns)
    first = REVENUES_HEADER_ROW + 1
    for index, row in enumerate(parts.government_revenues):
        _write_row(ws, PART_GOVERNMENT_REVENUES, first + index, REVENUES_FIRST_COLUMN, columns, row)
    last = max(first + len(parts.government_revenues) - 1, first)
    _table(ws, PART_GOVERNMENT_REVENUES, REVENUES_HEADER_ROW, REVENUES_FIRST_COLUMN, len(columns), last)
    value_column = REVENUES_FIRST_COLUMN + columns.index("Revenue value")
    label_column = value_column - 1
    letter = get_column_letter(value_column)
    total_row, usd_row = last + 2, last + 3
    put_cell(ws, total_row, label_column, TOTAL_PREFIX + parts.currency).font = _BOLD
    put_cell(ws, usd_row, label_column, TOTAL_PREFIX + "USD").font = _BOLD
    total = revenue_total(parts)
    if total is None:
        put_cell(ws, total_row, value_column, NOT_AVAILABLE)
    else:
        put_formula(ws, total_row, value_column, f"=SUM({letter}{first}:{letter}{last})", MONEY_FORMAT,
                    cached=Decimal(money_text(total)))
    rate = usable_rate(parts.about[LABEL_RATE])
    if total is None or rate is None:
        put_cell(ws, usd_row, value_column, NOT_AVAILABLE)
    else:
        # Excel's ROUND rounds half away from zero; ties go to the even cent as everywhere else
        x = f"{letter}{total_row}/'{SHEET_ABOUT}'!${get_column_letter(ABOUT_VALUE_COLUMN)}${rate_row}"
        put_formula(ws, usd_row, value_column,
                    f"=IF(MOD({x}*100,1)=0.5,ROUND({x}*50,0)*2,ROUND({x}*100,0))/100", MONEY_FORMAT,
                    cached=Decimal(money_text(to_usd(total, rate))))
    for offset, width in enumerate((55, 14, 50, 45, 20, 10)):
        ws.column_dimensions[get_column_letter(REVENUES_FIRST_COLUMN + offset)].width = width
    return first, last


def _write_company_data(ws, parts: Parts) -> tuple[int, int]:
    """Part 5; returns (first, last) data row."""
    _title(ws, SHEET_COMPANY_DATA, "Payments of each reporting company, by government entity and revenue stream "
                                   "(and project where levied or reported by project).")
    _header(ws, COMPANY_DATA_HEADER_ROW, COMPANY_DATA_FIRST_COLUMN, COMPANY_DATA_SHEET_COLUMNS)
    sectors: dict[str, str | None] = {}
    for company in parts.companies:
        sectors.setdefault(company["Full company name"] or "", company["Sector"])
    first = COMPANY_DATA_HEADER_ROW + 1
    for index, row in enumerate(parts.company_data):
        shown = dict(row)
        shown[COMPANY_DATA_SECTOR] = sectors.get(row["Company"] or "") if row["Company"] else None
        _write_row(ws, PART_COMPANY_DATA, first + index, COMPANY_DATA_FIRST_COLUMN, COMPANY_DATA_SHEET_COLUMNS,
                   shown)
    last = max(first + len(parts.company_data) - 1, first)
    _table(ws, PART_COMPANY_DATA, COMPANY_DATA_HEADER_ROW, COMPANY_DATA_FIRST_COLUMN,
           len(COMPANY_DATA_SHEET_COLUMNS), last)
    for offset in range(len(COMPANY_DATA_SHEET_COLUMNS)):
        ws.column_dimensions[get_column_letter(COMPANY_DATA_FIRST_COLUMN + offset)].width = 22
    return first, last


def _write_entities(ws, parts: Parts, revenues: tuple[int, int], company_data: tuple[int, int]) -> None:
    _title(ws, SHEET_ENTITIES, "The government entities, companies and projects covered by the disclosures.")
    revenue_columns = TABLE_COLUMNS[PART_GOVERNMENT_REVENUES]
    names_by_entity = _range(SHEET_REVENUES, REVENUES_FIRST_COLUMN + revenue_columns.index("Government entity"),
                             *revenues)
    values_by_entity = _range(SHEET_REVENUES, REVENUES_FIRST_COLUMN + revenue_columns.index("Revenue value"),
                              *revenues)
    names_by_company = _range(SHEET_COMPANY_DATA, COMPANY_DATA_FIRST_COLUMN, *company_data)
    values_by_company = _range(SHEET_COMPANY_DATA, COMPANY_DATA_FIRST_COLUMN
                               + COMPANY_DATA_SHEET_COLUMNS.index("Revenue value"), *company_data)
    title_row = ENTITIES_FIRST_TITLE_ROW
    first_column = ENTITIES_FIRST_COLUMN
    name_letter = get_column_letter(first_column)
    for part, title in ENTITY_TABLES:
        columns = TABLE_COLUMNS[part]
        put_cell(ws, title_row, first_column, title).font = _BOLD
        header_row = title_row + 1
        _header(ws, header_row, first_column, columns)
        rows = parts.rows(part)
        for index, row in enumerate(rows):
            row_number = header_row + 1 + index
            _write_row(ws, part, row_number, first_column, columns, row)
            if part == PART_GOVERNMENT_ENTITIES:
                total, total_column, names, values = (entity_total(parts, row["Full name of agency"]),
                                                      ENTITY_TOTAL, names_by_entity, values_by_entity)
            elif part == PART_COMPANIES:
                total, total_column, names, values = (company_total(parts, row["Full company name"]),
                                                      COMPANY_TOTAL, names_by_company, values_by_company)
            else:
                continue
            if total is not None and row[total_column] == money_text(total):
                put_formula(ws, row_number, first_column + columns.index(total_column),
                            f"=SUMPRODUCT(EXACT({names},${name_letter}{row_number})*1,{values})", MONEY_FORMAT,
                            cached=Decimal(money_text(total)))
        last = max(header_row + len(rows), header_row + 1)
        _table(ws, part, header_row, first_column, len(columns), last)
        title_row = last + ENTITIES_GAP
    for offset in range(len(TABLE_COLUMNS[PART_PROJECTS])):
        ws.column_dimensions[get_column_letter(first_column + offset)].width = 28


def _write_lists(ws) -> None:
    lists = dict(LISTS)
    lists["GFS classification"] = gfs_list()
    for column, (name, values) in enumerate(lists.items(), start=1):
        put_cell(ws, 1, column, name).font = _BOLD
        for offset, value in enumerate(values, start=2):
            put_cell(ws, offset, column, value)
        ws.column_dimensions[get_column_letter(column)].width = 45 if name == "GFS classification" else 30


def write_sdt(parts: Parts) -> bytes:
    """The SDT v2.0 workbook of ``parts`` (``summary-data-{year}.xlsx``), byte-reproducible."""
    done = complete(parts)
    workbook = new_workbook()
    sheets = {}
    for index, name in enumerate((SHEET_INTRODUCTION, SHEET_ABOUT, SHEET_CHECKLIST, SHEET_ENTITIES, SHEET_REVENUES,
                                  SHEET_COMPANY_DATA, SHEET_LISTS)):
        sheets[name] = workbook.active if index == 0 else workbook.create_sheet()
        sheets[name].title = name
    _write_introduction(sheets[SHEET_INTRODUCTION], done)
    checklist_last = _write_checklist(sheets[SHEET_CHECKLIST], done)
    rate_row = _write_about(sheets[SHEET_ABOUT], done, checklist_last)
    revenues = _write_revenues(sheets[SHEET_REVENUES], done, rate_row)
    company_data = _write_company_data(sheets[SHEET_COMPANY_DATA], done)
    _write_entities(sheets[SHEET_ENTITIES], done, revenues, company_data)
    _write_lists(sheets[SHEET_LISTS])
    return workbook_bytes(workbook)


# --- the Part CSVs ------------------------------------------------------------------------------------
def part_csvs(parts: Parts) -> dict[str, bytes]:
    """The six EITI open-data Part CSVs (UTF-8 without BOM, ``\\n``), by their EITI file names.

    Each row ends with ``Country, ISO Code, Year, Start Date, End Date``; Part 1, whose own
    columns already hold country, code and dates, ends with ``Year`` only, as EITI's own
    Part 1 file does (five more columns would repeat ``Start Date`` and ``End Date``).
    """
    done = complete(parts)
    appended = [done.country, done.iso3, str(done.year), done.start_date, done.end_date]
    files = {CSV_NAMES[PART_ABOUT]: csv_bytes(
        ABOUT_LABELS + ABOUT_APPENDED_COLUMNS, [[done.about[label] for label in ABOUT_LABELS] + [str(done.year)]])}
    for part in (PART_COMPANIES, PART_GOVERNMENT_ENTITIES, PART_PROJECTS, PART_GOVERNMENT_REVENUES,
                 PART_COMPANY_DATA):
        columns = TABLE_COLUMNS[part]
        files[CSV_NAMES[part]] = csv_bytes(columns + APPENDED_COLUMNS,
                                           [[row[column] for column in columns] + appended
                                            for row in done.rows(part)])
    return files
