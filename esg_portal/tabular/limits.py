"""The limits of every tabular upload (DESIGN rule 19), checked while the file is read, before the work grows.

A file of at most the byte limit is accepted or refused after a bounded amount of work: the
readers never build what they have not counted first. The limits, and why each is what it is:

- **bytes**: 10 MB (``reader.DEFAULT_MAX_BYTES``), checked before anything is read;
- **data rows**: 50,000 non-empty rows (``reader.DEFAULT_MAX_ROWS``); rows read, empty ones
  included, at most twice that plus 1,000 (``read_rows_limit``): a file of blank lines is no table;
- **columns**: ``MAX_COLUMNS`` (the widest template has 20); a CSV record is refused before the
  csv module splits it when its lines hold more than ``MAX_RECORD_DELIMITERS`` delimiters, so a
  header of a million columns costs one ``str.count``, not a million strings;
- **cells**: ``MAX_CELLS`` (50,000 rows × 20 columns), counted as read: CSV fields, XLSX ``<c>`` elements;
- **XLSX structure**: unpacked bytes (``_xlsx.MAX_UNPACKED_BYTES``), zip members, the size of the
  parts read whole (``MAX_PART_BYTES``, ``MAX_STYLES_BYTES``), shared strings (count and bytes),
  elements and rows of the sheet's XML (``MAX_SHEET_ELEMENTS``, ``MAX_SHEET_ROWS``), characters of one cell
  (``MAX_CELL_CHARACTERS``, Excel's own limit); no DTD (entity expansion) is read at all;
- **time**: ``MAX_SECONDS`` of wall clock for the whole read, checked as rows and XML chunks go by.

Tests may lower a limit with ``monkeypatch.setattr(limits, "MAX_…", n)``: every read looks the
values up when it starts.
"""
from __future__ import annotations

import time

from ._text import _
from .errors import TooLarge

MAX_COLUMNS = 256
MAX_CELLS = 1_000_000
MAX_RECORD_DELIMITERS = 10_000
MAX_SECONDS = 20.0
MAX_ZIP_MEMBERS = 1_000
#: workbook.xml and the relationship parts, read whole
MAX_PART_BYTES = 1024 * 1024
MAX_STYLES_BYTES = 8 * 1024 * 1024
MAX_STYLE_ELEMENTS = 500_000
MAX_SHARED_STRINGS = 500_000
MAX_SHARED_STRINGS_BYTES = 32 * 1024 * 1024
#: a cell is at most 3 or 4 elements (<c>, <v> or <is><t>, <f>); the rest of a sheet is small
MAX_SHEET_ELEMENTS = 4 * MAX_CELLS
#: Excel's own last row: a sheet with more row elements was not written by a spreadsheet program
MAX_SHEET_ROWS = 1_048_576
MAX_CELL_CHARACTERS = 32_767


def _number(value: int | float) -> str:
    return f"{value:,}".replace(",", " ")


def read_rows_limit(max_rows: int) -> int:
    """How many rows, empty ones included, a read may go through for ``max_rows`` data rows."""
    return 2 * max_rows + 1000


def too_many_columns() -> TooLarge:
    return TooLarge(_("The file has more than %(limit)s columns, the most one upload may hold. Delete the columns "
                      "that are not in the template.", limit=_number(MAX_COLUMNS)))


def too_many_cells(limit: int) -> TooLarge:
    return TooLarge(_("The file has more than %(limit)s cells, the most one upload may hold. Delete empty rows and "
                      "columns that carry formatting, or split the file.", limit=_number(limit)))


def unpacked_too_large() -> TooLarge:
    return TooLarge(_("The workbook is too large once unpacked. Remove formatting, images and other "
                      "sheets, or upload CSV."))


class Budget:
    """The work one read may still do: cells counted and the wall-clock deadline."""

    def __init__(self) -> None:
        self.max_cells = MAX_CELLS
        self.seconds = MAX_SECONDS
        self.deadline = time.monotonic() + self.seconds
        self.cells = 0

    def add_cells(self, count: int) -> None:
        """Count ``count`` more cells read; refuse the file past ``MAX_CELLS``."""
        self.cells += count
        if self.cells > self.max_cells:
            raise too_many_cells(self.max_cells)

    def check_time(self) -> None:
        """Refuse the file once the read has taken ``MAX_SECONDS``."""
        if time.monotonic() > self.deadline:
            raise TooLarge(_("Reading the file took more than %(limit)s seconds, the most one upload may take. "
                             "Split it into smaller files, or upload it as CSV.", limit=f"{self.seconds:g}"))
