"""Pure writers of the EITI outputs of one period: the SDT v2.0 workbook and the Part CSVs.

``write_sdt(parts)`` → the bytes of ``summary-data-{year}.xlsx``; ``part_csvs(parts)`` → the
six open-data Part CSVs of EITI's bulk layout. Both first ``complete`` the Parts (derived
values filled in, numbers in canonical form), so the workbook and the CSVs always agree,
and both are byte-reproducible: the same Parts give the same bytes.

Layout of the workbook (EITI's importer fixes the first three; the rest is our choice, and
``importer`` reads it back):

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
from decimal import Decimal


from ....tabular.safe import (Alignment, Font, Table, TableStyleInfo, csv_bytes, get_column_letter, new_workbook,
                             put_cell, put_formula, workbook_bytes)
from .model import (
    ABOUT_APPENDED_COLUMNS, ABOUT_LABELS, APPENDED_COLUMNS, COMPANY_DATA_COLUMNS, COMPANY_DATA_SECTOR,
    COMPANY_TOTAL, COUNT_LABELS, CSV_NAMES, DATE_LABELS, ENTITY_TOTAL, INCLUSION_VALUES, LABEL_RATE, LISTS,
    MONEY_COLUMNS, NOT_AVAILABLE, PART_ABOUT, PART_COMPANIES, PART_COMPANY_DATA, PART_GOVERNMENT_ENTITIES,
    PART_GOVERNMENT_REVENUES, PART_PROJECTS, PERCENT_LABELS, QUANTITY_COLUMNS, SHEET_ABOUT, SHEET_CHECKLIST,
    SHEET_COMPANY_DATA, SHEET_ENTITIES, SHEET_INTRODUCTION, SHEET_LISTS, SHEET_REVENUES, TABLE_COLUMNS,
    TABLE_NAMES, TEMPLATE_VERSION, TITLE_COMPANIES, TITLE_GOVERNMENT_ENTITIES, TITLE_PROJECTS, TOTAL_PREFIX,
    Parts, gfs_list,
)
from .values import (
    company_total, complete, entity_total, inclusion_ratios, money_text, percent_text, plain_decimal,
    revenue_total, to_usd, usable_rate,
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

_PLAIN_INTEGER = re.compile(r"-?[0-9]+")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=14)
_WRAP = Alignment(wrap_text=True, vertical="top")


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
