"""Read an uploaded CSV or XLSX (first sheet) into column names and text cells (INTERFACES.md §3).

Every read is bounded (DESIGN rule 19): bytes, data rows, rows read, columns, cells and
seconds, and for XLSX the structure of the workbook, each checked while the file is streamed
(the limits and their reasons are in ``limits``). ``read_checked_table``, the door of every
upload, also refuses control characters and lone surrogates in any cell (``validation``).
"""
from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from openpyxl.utils import get_column_letter

from ..validation import is_storable, text_problem, visible
from . import limits
from ._raw import RawRow, reject
from ._text import _, format_size, shorten
from ._xlsx import xlsx_rows
from .errors import RowError, TooLarge, UploadRejected
from .limits import Budget
from .numbers import parse_decimal

DEFAULT_MAX_ROWS = 50_000
DEFAULT_MAX_BYTES = 10 * 1024 * 1024

UTF8_BOM = b"\xef\xbb\xbf"
ZIP_MAGIC = b"PK\x03\x04"
#: Leading bytes of files people upload by mistake, and how a message names them.
_BINARY_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "pdf"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole"),
    (b"\xff\xfe", "utf16"),
    (b"\xfe\xff", "utf16"),
    (b"PK\x05\x06", "zip"),
    (b"PK\x07\x08", "zip"),
    (b"\x1f\x8b", "archive"),
    (b"Rar!", "archive"),
    (b"7z\xbc\xaf", "archive"),
    (b"MZ", "program"),
    (b"\x7fELF", "program"),
    (b"\x89PNG", "image"),
    (b"\xff\xd8\xff", "image"),
    (b"GIF8", "image"),
)
_CSV_DELIMITERS = (",", ";", "\t")
#: one physical line with its end (CR, LF or CRLF), as a file opened with newline="" gives them
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)?")


@dataclass
class Table:
    """An uploaded table: normalised column names and, per non-empty data row, its cells as text."""

    #: header names as normalised by ``normalise_header`` (stripped, lower-case, no BOM), in file order
    columns: list[str]
    #: one dict per non-empty data row: column name → the cell exactly as written ("" when blank)
    rows: list[dict[str, str]]
    #: the §3 row number of each entry of ``rows`` (CSV: data-row index; XLSX: sheet row − 1)
    row_numbers: list[int]
    #: (index into ``rows``, column) of the XLSX cells that were numbers, e.g. an INN typed as a number
    numeric_cells: set[tuple[int, str]] = field(default_factory=set)
    #: "csv" or "xlsx", as detected from the content
    source_format: str = "csv"

    def records(self) -> Iterator[tuple[int, dict[str, str]]]:
        """(row number, row) pairs, the numbers being those an error report must use."""
        return zip(self.row_numbers, self.rows)

    def is_numeric(self, index: int, column: str) -> bool:
        """Whether ``rows[index][column]`` was a numeric XLSX cell (never true for CSV)."""
        return (index, column) in self.numeric_cells

    def decimal(self, index: int, column: str, locale: str, **limits: Any) -> Decimal:
        """``parse_decimal`` of one cell; a numeric XLSX cell is read as the plain number it is."""
        # the text of a numeric cell is canonical ("12.345"); read with the ru/ky rule it would
        # silently become 12345, so the user's language applies only to typed text
        language = "en" if self.is_numeric(index, column) else locale
        return parse_decimal(self.rows[index][column], language, **limits)


def normalise_header(name: str) -> str:
    """A header cell as a column name: BOM removed, surrounding whitespace stripped, lower-case."""
    return name.replace("\ufeff", "").strip().lower()


def read_table(data: bytes, filename: str, *, max_rows: int = DEFAULT_MAX_ROWS,
               max_bytes: int = DEFAULT_MAX_BYTES) -> Table:
    """Read a CSV or the first sheet of an XLSX; raise ``UploadRejected`` listing every problem, or ``TooLarge``."""
    if len(data) > max_bytes:
        raise TooLarge(_("The file is larger than %(limit)s, the most one upload may hold.",
                         limit=format_size(max_bytes)))
    budget = Budget()
    if data.startswith(ZIP_MAGIC):
        return _read_xlsx(data, filename, max_rows, budget)
    _refuse_binary(data, filename)
    return _read_csv(data, max_rows, budget)


def _refuse_binary(data: bytes, filename: str) -> None:
    kinds = {
        "pdf": _("a PDF document"),
        "ole": _("an old Excel 97-2003 (.xls) file or a password-protected workbook"),
        "utf16": _("a UTF-16 (“Unicode text”) file"),
        "zip": _("an empty ZIP archive"),
        "archive": _("a compressed archive"),
        "program": _("a program"),
        "image": _("an image"),
    }
    kind = next((key for magic, key in _BINARY_MAGIC if data.startswith(magic)), None)
    if kind is None and b"\x00" in data:
        kind = "binary"
    if kind is None:
        head = data[:64].lstrip(UTF8_BOM).lstrip()
        # 1C and web banking "Excel" exports are often HTML or SpreadsheetML (XML) in disguise
        if head.startswith(b"<"):
            kind = "markup"
    if kind is None:
        return
    what = kinds.get(kind) or (_("an HTML or XML page") if kind == "markup" else _("a binary file"))
    raise reject(_("“%(name)s” is not a CSV or XLSX table (it looks like %(kind)s). Open it in Excel or "
                   "LibreOffice and save it as Excel workbook (.xlsx) or as CSV UTF-8.",
                   name=shorten(filename or "?"), kind=what))


def _decode(data: bytes) -> str:
    if data.startswith(UTF8_BOM):
        try:
            return data[len(UTF8_BOM):].decode("utf-8")
        except UnicodeDecodeError:
            # the BOM promises UTF-8; reading it as Windows-1251 would only produce mojibake
            raise reject(_("The file starts with a UTF-8 mark but is not valid UTF-8. Save it again as "
                           "CSV UTF-8.")) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1251")
    except UnicodeDecodeError:
        raise reject(_("The file is neither UTF-8 nor Windows-1251 text. Save it as CSV UTF-8 or as an "
                       "Excel workbook (.xlsx).")) from None


def _sniff_delimiter(line: str) -> str:
    """The most frequent of "," ";" and tab in the header line, outside quotes; "," on a tie or none."""
    unquoted = re.sub(r'"[^"]*"', "", line)
    counts = {d: unquoted.count(d) for d in _CSV_DELIMITERS}
    best = max(_CSV_DELIMITERS, key=lambda d: counts[d])  # max() keeps the first on ties
    return best if counts[best] else ","


def _read_xlsx(data: bytes, filename: str, max_rows: int, budget: Budget) -> Table:
    return _build(xlsx_rows(data, filename, budget), [], max_rows=max_rows, budget=budget, source_format="xlsx",
                  position_label=lambda position: get_column_letter(position + 1))


class _Lines:
    """The physical lines of the text for ``csv.reader``, counting the delimiters of the record being read.

    The csv module builds a whole record before it can be measured: a header of a million
    columns would be a million strings. The delimiters of a record's lines are at least its
    cells minus one, so they are counted (``str.count``) before the record is split.
    """

    def __init__(self, text: str, delimiter: str):
        self.text, self.delimiter = text, delimiter
        self.pending = 0
        self.limit = limits.MAX_RECORD_DELIMITERS

    def __iter__(self) -> Iterator[str]:
        text, end, match = self.text, len(self.text), _LINE.match
        position = 0
        while position < end:
            line = match(text, position).group()
            position += len(line)
            self.pending += line.count(self.delimiter)
            if self.pending > self.limit:
                raise limits.too_many_columns()
            yield line


def _read_csv(data: bytes, max_rows: int, budget: Budget) -> Table:
    text = _decode(data).lstrip("\ufeff")
    end = text.find("\n")
    first_line = text if end < 0 else text[:end]
    hint = re.fullmatch(r"sep=(.)\r?", first_line)
    if hint:
        # Excel's own "sep=;" first line names the delimiter and is not part of the table
        delimiter, text = hint.group(1), ("" if end < 0 else text[end + 1:])
    else:
        delimiter = _sniff_delimiter(first_line)
    del first_line
    errors: list[RowError] = []

    def raw_rows() -> Iterator[RawRow]:
        lines = _Lines(text, delimiter)
        reader = csv.reader(lines, delimiter=delimiter, strict=True)
        number = -1
        try:
            for number, cells in enumerate(reader):
                lines.pending = 0
                budget.add_cells(len(cells))
                yield RawRow(number, cells)
        except csv.Error:
            errors.append(RowError(number + 1 or None, None, None, _(
                "The file cannot be read from this row on: a quote (\") is not closed, or text follows a "
                "closing quote. Put quotes around whole cells only, and double quotes inside them (\"\").")))

    return _build(raw_rows(), errors, max_rows=max_rows, budget=budget, source_format="csv",
                  position_label=lambda position: str(position + 1))


def _width(raw: RawRow) -> int:
    """The row's cells up to its last one that is not blank; more than ``MAX_COLUMNS`` refuses the file."""
    width = len(raw.cells)
    if width > limits.MAX_COLUMNS:
        while width and not raw.cells[width - 1].strip():
            width -= 1
        if width > limits.MAX_COLUMNS:
            raise limits.too_many_columns()
        del raw.cells[width:]
    return width


def _build(raw_rows: Iterator[RawRow], errors: list[RowError], *, max_rows: int, budget: Budget,
           source_format: str, position_label: Callable[[int], str]) -> Table:
    """Header, rows and errors from raw rows; rejects the whole file if anything is wrong."""
    header = next(raw_rows, None)
    if header is None:
        raise UploadRejected(errors or [RowError(None, None, None, _("The file is empty."))])
    _width(header)
    columns = [normalise_header(cell) for cell in header.cells]
    names = [name for name in columns if name]
    for name, count in Counter(names).items():
        if count > 1:
            errors.append(RowError(None, name, None, _("The column “%(column)s” appears more than once.",
                                                       column=shorten(visible(name)))))
    read_limit = limits.read_rows_limit(max_rows)
    read = 1

    def counted(rows: Iterator[RawRow]) -> Iterator[RawRow]:
        """The rows after the header, each within the column limit, the rows read within theirs, in time."""
        nonlocal read
        for raw in rows:
            read += 1
            if read > read_limit:
                raise TooLarge(_("The file has more than %(limit)s rows, empty ones included, the most one upload "
                                 "may hold. Delete the empty rows.", limit=f"{read_limit:,}".replace(",", " ")))
            if read % 1000 == 0:
                budget.check_time()
            _width(raw)
            yield raw

    raw_rows = counted(raw_rows)

    def column_at(position: int) -> str | None:
        return columns[position] or None if position < len(columns) else None

    if not names:
        # without names nothing below can be placed; one message says what to fix
        content = any(cell.strip() for raw in raw_rows for cell in raw.cells)
        raise reject(_("The first row must hold the column names.") if content else _("The file is empty."))
    for position, value, message in header.problems:
        errors.append(RowError(None, column_at(position), value, message))
    rows: list[dict[str, str]] = []
    numbers: list[int] = []
    numeric_cells: set[tuple[int, str]] = set()
    unnamed: dict[int, tuple[str, int]] = {}  # position of a cell outside every named column → (first value, row)
    named = [(position, name) for position, name in enumerate(columns) if name]
    for raw in raw_rows:
        for position, value, message in raw.problems:
            errors.append(RowError(raw.number or None, column_at(position), value, message))
        if all(not cell.strip() for cell in raw.cells):
            continue  # skipped, but its number is kept by the rows after it
        if len(rows) >= max_rows:
            raise TooLarge(_("The file has more than %(limit)s data rows, the most one upload may hold.",
                             limit=f"{max_rows:,}".replace(",", " ")))
        index = len(rows)
        rows.append({name: raw.cells[position] if position < len(raw.cells) else "" for position, name in named})
        numbers.append(raw.number)
        numeric_cells.update((index, columns[p]) for p in raw.numeric if column_at(p))
        for position, cell in enumerate(raw.cells):
            if cell.strip() and column_at(position) is None:
                unnamed.setdefault(position, (cell, raw.number))
    for position, (value, number) in sorted(unnamed.items()):
        if source_format == "csv" and position >= len(columns):
            # more values than names: most often a number written with a decimal comma (840 000,00) in a
            # comma-separated file, which the comma splits in two
            message = _("Row %(row)s has more values than the first row has column names (from column "
                        "%(position)s on). If a number in this row has a decimal comma, such as 840 000,00, put it "
                        "in quotes (\"840 000,00\") or save the file with “;” as the separator.",
                        row=number, position=position_label(position))
            errors.append(RowError(number or None, None, value, message))
        else:  # a column of its own: no row to name
            errors.append(RowError(None, None, value, _(
                "Column %(position)s has values but no name in the first row. Give it the name of a template "
                "column, or delete it.", position=position_label(position))))
    if not rows and not errors:
        errors.append(RowError(None, None, None, _("The file has column names but no data rows.")))
    if errors:
        raise UploadRejected(errors)
    return Table(columns=names, rows=rows, row_numbers=numbers, numeric_cells=numeric_cells,
                 source_format=source_format)


def read_checked_table(data: bytes, filename: str, required: set[str], optional: set[str]) -> Table:
    """``read_table`` plus the header check and the text check; header errors are reported alone, since
    without the right columns the rows cannot be judged (UploadRejected 422, or TooLarge 413).

    The text check refuses what no field may hold (``validation.text_problem``: control
    characters but tab and line breaks, lone surrogates); whether a field may hold line breaks
    is its schema's to say.
    """
    table = read_table(data, filename)
    header_errors = check_columns(table, required, optional)
    if header_errors:
        raise UploadRejected(header_errors)
    text_errors = check_text(table)
    if text_errors:
        raise UploadRejected(text_errors)
    return table


def check_text(table: Table) -> list[RowError]:
    """One error per cell holding a character no text field may hold (the value quoted with it replaced)."""
    errors = []
    for number, row in table.records():
        for column, value in row.items():
            if not is_storable(value):
                errors.append(RowError(number, column, shorten(visible(value), 80),
                                       text_problem(value, column, multiline=True)))
    return errors


def check_columns(table: Table, required: set[str], optional: set[str]) -> list[RowError]:
    """Header errors: every missing required column, then every column the schema does not know."""
    errors = [RowError(None, name, None, _("The column “%(column)s” is missing. Download the template to see "
                                           "the expected columns.", column=name))
              for name in sorted(required - set(table.columns))]
    known = required | optional
    allowed = ", ".join(sorted(known))
    errors += [RowError(None, visible(name), None, _("The column “%(column)s” is not expected here. Rename or "
                                                     "delete it; the columns are: %(allowed)s.",
                                                     column=shorten(visible(name)), allowed=allowed))
               for name in table.columns if name not in known]
    return errors
