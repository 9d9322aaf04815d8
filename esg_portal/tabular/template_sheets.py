"""Parts of the XLSX upload templates that payments and receipts share (built on ``writer.xlsx_template``).

A text in every help language at once, notes at the top of the help sheet, the visible sheet that
names every code, and the notes every §3 upload template gives (encoding, all-or-nothing). Each
domain words its own column help and its own first note.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from .safe import Alignment, Font, append_row, get_column_letter, put_cell
from .writer import HELP_LANGUAGES, HELP_SHEET

#: notes every upload template gives, below its own first note
UPLOAD_NOTES = (
    _l("Fill in the “data” sheet and upload this workbook, or save the “data” sheet as CSV UTF-8. Kyrgyz text "
       "needs CSV UTF-8 or XLSX: the older Windows-1251 encoding (“CSV (comma delimited)” in Excel) cannot hold "
       "the letters ң, ө and ү."),
    _l("An upload is all or nothing: if any row has an error, nothing is saved and every error is listed with its "
       "row and column."),
)
CURRENCY_NAMES = {"KGS": _l("Kyrgyz som"), "USD": _l("US dollar")}
_BOLD = Font(bold=True)
_WRAP = Alignment(wrap_text=True, vertical="top")


def in_each_language(text: Any, params: Mapping[str, Any] | None = None) -> dict[str, str]:
    """A lazy message in en, ru and ky at once (the help sheet shows all three side by side), filled with ``params``."""
    texts = {}
    for code, _title in HELP_LANGUAGES:
        with force_locale(code):
            message = str(text)
            texts[code] = message % dict(params or {}) if "%(" in message else message
    return texts


def add_help_notes(workbook, notes: Sequence[Mapping[str, str]]) -> None:
    """General notes (each in every help language) above the column descriptions of the help sheet,
    where a reader starts; one blank row separates them."""
    help_sheet = workbook[HELP_SHEET]
    help_sheet.insert_rows(2, len(notes) + 1)
    for row, texts in enumerate(notes, start=2):
        put_cell(help_sheet, row, 1, "*").font = _BOLD
        for position, (language, _title) in enumerate(HELP_LANGUAGES, start=2):
            put_cell(help_sheet, row, position, texts[language]).alignment = _WRAP
    for row in help_sheet.iter_rows(min_row=len(notes) + 3, min_col=2, max_col=len(HELP_LANGUAGES) + 1):
        for cell in row:
            cell.alignment = _WRAP


def add_code_names_sheet(workbook, title: str, remarks: Sequence[str], rows: Iterable[Sequence[Any]],
                         widths: Sequence[int]):
    """A visible sheet after the help sheet (unlike the writer's hidden code lists: people need to read what
    each code means): column, code, its name in each help language, then the ``remarks`` columns."""
    names = workbook.create_sheet(title, index=workbook.sheetnames.index(HELP_SHEET) + 1)
    append_row(names, ["column", "code", *(language_title for _code, language_title in HELP_LANGUAGES), *remarks])
    for row in rows:
        append_row(names, row)
    for cell in names[1]:
        cell.font = _BOLD
    names.freeze_panes = "C2"
    for position, width in enumerate(widths):
        names.column_dimensions[get_column_letter(position + 1)].width = width
    return names
