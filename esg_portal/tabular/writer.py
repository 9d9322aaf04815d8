"""Downloadable upload templates: a CSV header line, or an XLSX with drop-downs and help in ky/ru/en."""
from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence

from .safe import Alignment, DataValidation, Font, append_row, get_column_letter, new_workbook, put_cell, workbook_bytes

from .reader import DEFAULT_MAX_ROWS, UTF8_BOM

DATA_SHEET = "data"
HELP_SHEET = "help"
CODES_SHEET = "codes"
#: the languages of the help sheet, in the order of its columns
HELP_LANGUAGES = (("en", "English"), ("ru", "Русский"), ("ky", "Кыргызча"))
#: drop-downs cover every row an upload may hold
_LAST_ROW = DEFAULT_MAX_ROWS + 1
_BOLD = Font(bold=True)


def csv_template(columns: Sequence[str]) -> bytes:
    """The header line as CSV UTF-8 with a BOM, which Excel needs to show Kyrgyz letters."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(columns)
    return UTF8_BOM + buffer.getvalue().encode("utf-8")


def xlsx_template(columns: Sequence[str], *, help_rows: Mapping[str, Mapping[str, str]] | None = None,
                  lists: Mapping[str, Sequence[tuple[str, str]]] | None = None,
                  text_columns: set[str] | frozenset[str] = frozenset()) -> bytes:
    """An XLSX template: the data sheet first (read by uploads), then "help" and a hidden "codes" sheet."""
    help_rows, lists = help_rows or {}, lists or {}
    unknown = (set(help_rows) | set(lists) | set(text_columns)) - set(columns)
    if unknown:
        raise ValueError(f"not template columns: {sorted(unknown)}")
    workbook = new_workbook()
    data = workbook.active
    data.title = DATA_SHEET
    help_sheet = workbook.create_sheet(HELP_SHEET)
    codes = workbook.create_sheet(CODES_SHEET)
    codes.sheet_state = "hidden"

    for position, name in enumerate(columns, start=1):
        letter = get_column_letter(position)
        cell = put_cell(data, 1, position, name)
        cell.font = _BOLD
        dimension = data.column_dimensions[letter]
        dimension.width = max(12, len(name) + 4)
        # codes are text too: a code such as "0101" must keep its leading zero
        if name in text_columns or name in lists:
            dimension.number_format = "@"
    data.freeze_panes = "A2"

    for position, (name, entries) in enumerate(lists.items(), start=1):
        letter = get_column_letter(position)
        put_cell(codes, 1, position, name).font = _BOLD
        for row, (code, _label) in enumerate(entries, start=2):
            put_cell(codes, row, position, str(code)).number_format = "@"
        if not entries:
            continue
        validation = DataValidation(type="list", allow_blank=True, showErrorMessage=True,
                                    formula1=f"{CODES_SHEET}!${letter}$2:${letter}${len(entries) + 1}")
        column = get_column_letter(list(columns).index(name) + 1)
        validation.add(f"{column}2:{column}{_LAST_ROW}")
        data.add_data_validation(validation)

    append_row(help_sheet, ["column", *(title for _code, title in HELP_LANGUAGES)])
    for name in columns:
        texts = help_rows.get(name, {})
        append_row(help_sheet, [name, *(texts.get(code, "") for code, _title in HELP_LANGUAGES)])
    if lists:
        header = append_row(help_sheet, ["column", "code", "label"], gap=1)
        for cell in help_sheet[header]:
            cell.font = _BOLD
        for name, entries in lists.items():
            for code, label in entries:
                append_row(help_sheet, [name, str(code), label])
    for cell in help_sheet[1]:
        cell.font = _BOLD
    help_sheet.column_dimensions["A"].width = max([12, *(len(name) + 2 for name in columns)])
    for letter in ("B", "C", "D"):
        help_sheet.column_dimensions[letter].width = 60
        for cell in help_sheet[letter]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    help_sheet.freeze_panes = "A2"

    return workbook_bytes(workbook)
