"""The one writer for every spreadsheet and CSV the portal produces (DESIGN rule 20).

Text that a spreadsheet would run (a cell starting with ``=``, ``+``, ``-``, ``@``, tab or
carriage return) is neutralised: in CSV it gets a leading apostrophe, the OWASP remedy that
every spreadsheet honours; in XLSX it is written as a plain string cell with Excel's
"quote prefix" flag, so it shows as typed and is never evaluated. Numbers stay numbers: a
Decimal becomes a numeric cell holding its exact text (never a float), and a CSV cell that
is a plain decimal number (``-500.00``) is left as it is. Workbooks are saved byte for byte
reproducibly (fixed document times, fixed zip entry times), so a published file's sha256
depends on its content only.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from decimal import Decimal

from openpyxl import Workbook

#: what a spreadsheet treats as the start of a formula or a command
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")
#: the time stamped into every workbook and zip entry (the zip format cannot hold earlier)
FIXED_TIME = dt.datetime(2000, 1, 1, 0, 0, 0)
_CORE_TIMES = re.compile(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)")


def is_formula_like(text: str) -> bool:
    """True when a spreadsheet would evaluate ``text`` (and it is not simply a signed number)."""
    return bool(text) and text.startswith(FORMULA_TRIGGERS) and not _PLAIN_NUMBER.match(text)


def neutralise(text: str) -> str:
    """The CSV form of a text cell: formula-looking text gets a leading apostrophe."""
    return "'" + text if is_formula_like(text) else text


def unneutralise(text: str) -> str:
    """Undo :func:`neutralise` (for reading the portal's own CSVs back)."""
    if text.startswith("'") and is_formula_like(text[1:]):
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


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[object]], *, bom: bool = False,
              lineterminator: str = "\n") -> bytes:
    """A whole CSV file, UTF-8 (with a BOM for files meant for Excel users), every cell through :func:`csv_cell`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=lineterminator)
    writer.writerow([csv_cell(h) for h in header])
    writer.writerows([csv_cell(value) for value in row] for row in rows)
    data = buffer.getvalue().encode("utf-8")
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


def put_formula(ws, row: int, column: int, formula: str, number_format: str = ""):
    """A formula the portal itself writes (never user text)."""
    cell = ws.cell(row=row, column=column, value=formula)
    if number_format:
        cell.number_format = number_format
    return cell


def new_workbook() -> Workbook:
    """An empty workbook with fixed document times."""
    workbook = Workbook()
    workbook.properties.created = FIXED_TIME
    workbook.properties.creator = "esg_portal"
    return workbook


def workbook_bytes(workbook: Workbook) -> bytes:
    """Save a workbook reproducibly: the same content gives the same bytes.

    openpyxl stamps the save time into ``docProps/core.xml`` and each zip entry; both are
    replaced by :data:`FIXED_TIME`.
    """
    buffer = io.BytesIO()
    workbook.save(buffer)
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = _CORE_TIMES.sub(lambda m: m.group(1) + stamp + m.group(3), data)
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            target.writestr(entry, data)
    return out.getvalue()
