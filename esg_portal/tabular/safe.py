"""The one writer for every spreadsheet and CSV the portal produces (DESIGN rule 20).

Text that a spreadsheet would run (a cell starting with ``=``, ``+``, ``-``, ``@``, tab or
carriage return) is neutralised: in CSV it gets a leading apostrophe, the OWASP remedy that
every spreadsheet honours; in XLSX it is written as a plain string cell with Excel's
"quote prefix" flag, so it shows as typed and is never evaluated. Numbers stay numbers: a
Decimal becomes a numeric cell holding its exact text (never a float), and a CSV cell that
is a plain decimal number (``-500.00``) is left as it is. Workbooks are saved byte for byte
reproducibly (fixed document times, fixed zip entry times), so a published file's sha256
depends on its content only. Formulas the portal writes itself (``put_formula``) can carry
their cached result, which the saved file holds, so a reader that does not calculate still
sees the number.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from xml.sax.saxutils import escape as xml_escape
from collections.abc import Iterable, Sequence
from decimal import Decimal

from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
# the styling and table parts the portal's writers use, so that they reach openpyxl only through here
from openpyxl.styles import Alignment, Font, PatternFill  # noqa: F401
from openpyxl.utils import get_column_letter  # noqa: F401
from openpyxl.worksheet.datavalidation import DataValidation  # noqa: F401
from openpyxl.worksheet.table import Table, TableStyleInfo  # noqa: F401

#: what a spreadsheet treats as the start of a formula or a command
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")
#: the time stamped into every workbook and zip entry (the zip format cannot hold earlier)
FIXED_TIME = dt.datetime(2000, 1, 1, 0, 0, 0)
_CORE_TIMES = re.compile(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)")
#: a formula cell as openpyxl writes it: <c r="B5" s="3"><f>SUM(B1:B4)</f><v /></c>
_FORMULA_CELL = re.compile(rb'<c r="([A-Z]+[0-9]+)"((?: [a-z]+="[^"]*")*)>(<f>[^<]*</f>)<v\s*/></c>')
#: where put_formula keeps the cached results of a worksheet's formulas (coordinate → value)
_CACHE_ATTRIBUTE = "_esg_cached_results"
#: where put_rows keeps a worksheet's bulk rows until the workbook is saved
_BULK_ATTRIBUTE = "_esg_bulk_rows"
_SHEET_DATA_END = re.compile(rb"<sheetData\s*/>|</sheetData>")
_DIMENSION = re.compile(rb'<dimension ref="[^"]*"\s*/>')


def is_formula_like(text: str) -> bool:
    """True when a spreadsheet would evaluate ``text`` (and it is not simply a signed number)."""
    return bool(text) and text.startswith(FORMULA_TRIGGERS) and not _PLAIN_NUMBER.match(text)


def _masks_formula(text: str) -> bool:
    # "'=x" typed by a user must also get an apostrophe, or reading it back would lose its own
    return is_formula_like(text.lstrip("'"))


def neutralise(text: str) -> str:
    """The CSV form of a text cell: formula-looking text gets a leading apostrophe (and so does
    text that already starts with apostrophes before formula-looking text, so that
    :func:`unneutralise` gives back exactly what was written)."""
    return "'" + text if _masks_formula(text) else text


def unneutralise(text: str) -> str:
    """Undo :func:`neutralise` (for reading the portal's own CSVs back)."""
    if text.startswith("'") and _masks_formula(text[1:]):
        return text[1:]
    return text


def csv_cell(value: object) -> str:
    """One CSV cell: None is empty, Decimal its exact text, text neutralised."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, int):
        return str(value)
    return neutralise(str(value))


def csv_lines(rows: Iterable[Sequence[object]], *, lineterminator: str = "\n") -> bytes:
    """CSV lines, UTF-8, every cell through :func:`csv_cell`: a part of a file written (or streamed) in pieces."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator=lineterminator).writerows([csv_cell(value) for value in row] for row in rows)
    return buffer.getvalue().encode("utf-8")


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[object]], *, bom: bool = False,
              lineterminator: str = "\n") -> bytes:
    """A whole CSV file, UTF-8 (with a BOM for files meant for Excel users), every cell through :func:`csv_cell`."""
    data = csv_lines([header, *rows], lineterminator=lineterminator)
    return (b"\xef\xbb\xbf" + data) if bom else data


def put_cell(ws, row: int, column: int, value: object, number_format: str = ""):
    """Write one XLSX cell safely.

    A Decimal goes into the file as its exact text (openpyxl would write it through a float:
    72255167.07 would become 72255167.06999999); the cell stays numeric. Text is always a
    string cell — never a formula — with the quote prefix when it looks like one. A formula
    is only ever written through :func:`put_formula`.
    """
    if isinstance(value, str):
        cell = ws.cell(row=row, column=column)
        cell.value = value
        if cell.data_type != "s":  # openpyxl reads "=..." as a formula
            cell.data_type = "s"
        if is_formula_like(value):
            cell.quotePrefix = True
        return cell
    cell = ws.cell(row=row, column=column, value=value)
    if isinstance(value, Decimal):
        cell._value = format(value, "f")  # openpyxl writes _value as the <v> text
    if number_format and value is not None:
        cell.number_format = number_format
    return cell


def append_row(ws, values: Iterable[object], *, gap: int = 0) -> int:
    """Write ``values`` as the next row of ``ws`` (after ``gap`` blank rows) with :func:`put_cell`;
    returns the row number."""
    used = ws.max_row > 1 or any(c.value is not None for c in ws[1])
    row = (ws.max_row + 1 + gap) if used else 1 + gap
    for column, value in enumerate(values, start=1):
        if value is not None:
            put_cell(ws, row, column, value)
    return row


def reopen_workbook(data: bytes) -> Workbook:
    """A workbook the portal wrote, opened to add to it (then saved again with :func:`workbook_bytes`)."""
    return load_workbook(io.BytesIO(data))


def put_formula(ws, row: int, column: int, formula: str, number_format: str = "", *,
                cached: object = None):
    """A formula the portal itself writes (never user text), optionally with its cached result.

    openpyxl saves a formula without a result, so a reader that does not calculate (pandas,
    openpyxl with ``data_only=True``, a browser preview) sees an empty cell. ``cached`` is the
    value the formula evaluates to — a Decimal (written as its exact text), int, float, bool
    or str — and :func:`workbook_bytes` stores it as the cell's ``<v>``. The caller computes
    it; it must be what the formula gives, since Excel recalculates on opening.
    """
    if not formula.startswith("="):
        raise ValueError("a formula starts with '='")
    cell = ws.cell(row=row, column=column, value=formula)
    if cell.data_type != "f":
        cell.data_type = "f"
    if number_format:
        cell.number_format = number_format
    cache = ws.__dict__.setdefault(_CACHE_ATTRIBUTE, {})
    if cached is None:
        cache.pop(cell.coordinate, None)
    else:
        if not isinstance(cached, (Decimal, int, float, str)):
            raise TypeError(f"unsupported cached value {cached!r}")
        cache[cell.coordinate] = cached
    return cell


def _cached_xml(value: object) -> tuple[str, str]:
    """(type attribute or "", text of ``<v>``) of a cached formula result."""
    if isinstance(value, bool):
        return ' t="b"', "1" if value else "0"
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError("a cached value must be finite")
        return "", format(value, "f")
    if isinstance(value, int):
        return "", str(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError("a cached value must be finite")
        return "", repr(value)
    return ' t="str"', xml_escape(str(value))


def _patch_cached(data: bytes, cache: dict[str, object]) -> bytes:
    """Give each formula cell of one sheet's XML its cached result (openpyxl writes ``<v />``)."""
    def replace(match: re.Match) -> bytes:
        coordinate = match.group(1).decode()
        if coordinate not in cache:
            return match.group(0)
        kind, text = _cached_xml(cache[coordinate])
        return (b'<c r="' + match.group(1) + b'"' + match.group(2) + kind.encode() + b">" + match.group(3)
                + b"<v>" + text.encode("utf-8") + b"</v></c>")

    return _FORMULA_CELL.sub(replace, data)


def safe_row(ws, values: Iterable[object], formats: Sequence[str] = ()) -> list:
    """One row of a streamed (write-only) sheet, with the cell rules of :func:`put_cell`."""
    cells = []
    for position, value in enumerate(values):
        cell = WriteOnlyCell(ws)
        if isinstance(value, str):
            cell.value = value
            cell.data_type = "s"
            if is_formula_like(value):
                cell.quotePrefix = True
        else:
            cell.value = value
            if isinstance(value, Decimal):
                cell._value = format(value, "f")
            number_format = formats[position] if position < len(formats) else ""
            if number_format and value is not None:
                cell.number_format = number_format
        cells.append(cell)
    return cells


def put_rows(ws, first_row: int, rows: Sequence[Sequence[object]], formats: Sequence[str] = (), *,
             bold_last: int = 0) -> None:
    """A large block of rows (str, int, Decimal or None cells), below everything else on the sheet.

    Same cell rules as :func:`put_cell` — text is a string cell (quote prefix when it looks like
    a formula), a Decimal its exact text, ``formats[i]`` the number format of column i — but the
    rows skip openpyxl's cell objects: :func:`workbook_bytes` writes them straight into the
    sheet's XML, some ten times faster (a 20,000-line reconciliation report is 400,000 cells).
    The last ``bold_last`` rows (a total) are bold.
    """
    def style_ids(bold: bool) -> tuple[list[int], int]:
        ids = []
        for number_format in list(formats) + [""]:  # the last: text
            probe = Cell(ws)
            if number_format:
                probe.number_format = number_format
            if bold:
                probe.font = Font(bold=True)
            ids.append(probe.style_id)
        quoted = Cell(ws)
        quoted.quotePrefix = True
        if bold:
            quoted.font = Font(bold=True)
        return ids, quoted.style_id

    ws.__dict__[_BULK_ATTRIBUTE] = (first_row, rows, style_ids(False), style_ids(True), bold_last)


def _bulk_xml(first_row: int, rows: Sequence[Sequence[object]], plain: tuple, bold: tuple,
              bold_last: int) -> tuple[bytes, str]:
    """(the ``<row>`` elements of :func:`put_rows`, the last cell's coordinate)."""
    width = max((len(row) for row in rows), default=1)
    letters = [get_column_letter(i + 1) for i in range(width)]

    def attributes(ids: list[int]) -> tuple[list[str], str]:
        numbers = [f' s="{ids[i]}"' if i < len(ids) - 1 and ids[i] else "" for i in range(width)]
        return numbers, f' s="{ids[-1]}"' if ids[-1] else ""

    styles = {False: (*attributes(plain[0]), f' s="{plain[1]}"'), True: (*attributes(bold[0]), f' s="{bold[1]}"')}
    parts = []
    r = first_row - 1
    first_bold = first_row + len(rows) - bold_last
    for r, row in enumerate(rows, start=first_row):
        numbers, text_style, quoted = styles[r >= first_bold]
        cells = [f'<row r="{r}">']
        for i, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, str):
                text = ILLEGAL_CHARACTERS_RE.sub("", value)
                style = quoted if is_formula_like(text) else text_style
                space = ' xml:space="preserve"' if text != text.strip() else ""
                cells.append(f'<c r="{letters[i]}{r}" t="inlineStr"{style}><is><t{space}>{xml_escape(text)}</t></is></c>')
            elif isinstance(value, bool):
                cells.append(f'<c r="{letters[i]}{r}" t="b"{numbers[i]}><v>{int(value)}</v></c>')
            elif isinstance(value, Decimal):
                cells.append(f'<c r="{letters[i]}{r}" t="n"{numbers[i]}><v>{format(value, "f")}</v></c>')
            elif isinstance(value, int):
                cells.append(f'<c r="{letters[i]}{r}" t="n"{numbers[i]}><v>{value}</v></c>')
            else:
                raise TypeError(f"put_rows takes text, int or Decimal cells, not {type(value).__name__}")
        cells.append("</row>")
        parts.append("".join(cells))
    return "".join(parts).encode("utf-8"), f"{letters[width - 1]}{max(r, 1)}"


def _patch_bulk(data: bytes, bulk: tuple) -> bytes:
    """Put a sheet's bulk rows at the end of its ``<sheetData>`` and widen its ``<dimension>`` to them."""
    xml, last = _bulk_xml(*bulk)
    match = _SHEET_DATA_END.search(data)
    if match is None:
        raise ValueError("no sheetData in the worksheet")
    closing = b"<sheetData>" + xml + b"</sheetData>" if match.group(0).startswith(b"<sheetData") else xml + b"</sheetData>"
    data = data[:match.start()] + closing + data[match.end():]
    return _DIMENSION.sub(f'<dimension ref="A1:{last}"/>'.encode(), data, count=1)


def new_workbook(*, streamed: bool = False) -> Workbook:
    """An empty workbook with fixed document times; ``streamed`` for large tables written row by row
    (``ws.append(safe_row(ws, values))``), which keeps memory flat."""
    workbook = Workbook(write_only=streamed)
    workbook.properties.created = FIXED_TIME
    workbook.properties.creator = "esg_portal"
    return workbook


def workbook_bytes(workbook: Workbook) -> bytes:
    """Save a workbook reproducibly: the same content gives the same bytes.

    openpyxl stamps the save time into ``docProps/core.xml`` and each zip entry; both are
    replaced by :data:`FIXED_TIME`. Formula cells written with ``put_formula(..., cached=…)``
    get their cached result, so readers that do not calculate see the numbers.
    """
    buffer = io.BytesIO()
    workbook.save(buffer)
    # openpyxl numbers the sheets while saving: the path is known only now
    caches = {ws.path.lstrip("/"): ws.__dict__[_CACHE_ATTRIBUTE] for ws in workbook.worksheets
              if ws.__dict__.get(_CACHE_ATTRIBUTE)}
    bulk = {ws.path.lstrip("/"): ws.__dict__[_BULK_ATTRIBUTE] for ws in workbook.worksheets
            if ws.__dict__.get(_BULK_ATTRIBUTE)}
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = _CORE_TIMES.sub(lambda m: m.group(1) + stamp + m.group(3), data)
            if info.filename in caches:
                data = _patch_cached(data, caches[info.filename])
            if info.filename in bulk:
                data = _patch_bulk(data, bulk[info.filename])
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            target.writestr(entry, data)
    return out.getvalue()
