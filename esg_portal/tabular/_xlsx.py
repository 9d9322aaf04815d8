"""The first sheet of an XLSX upload as rows of text, with formulas read by their cached results."""
from __future__ import annotations

import datetime as dt
import io
import posixpath
import re
import zipfile
from collections.abc import Iterator
from decimal import Decimal
from xml.etree import ElementTree

from openpyxl import load_workbook
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

from ..errors import PortalError
from ._raw import RawRow, reject
from ._text import _, shorten
from .errors import TooLarge

#: A 10 MB workbook of plain data unpacks to well under this; more means a zip bomb.
MAX_UNPACKED_BYTES = 256 * 1024 * 1024

_FORMULA_TAG = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?f[\s>/]")
_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"


def _first_sheet_path(archive: zipfile.ZipFile) -> str | None:
    """The zip member of the workbook's first worksheet, as openpyxl's ``worksheets[0]`` would pick."""
    def rels(part: str) -> dict[str, tuple[str, str]]:
        folder, name = posixpath.split(part)
        path = posixpath.join(folder, "_rels", name + ".rels")
        root = ElementTree.fromstring(archive.read(path))
        found = {}
        for rel in root.iter(f"{_REL_NS}Relationship"):
            target = rel.get("Target", "")
            target = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                posixpath.join(folder, target))
            found[rel.get("Id", "")] = (rel.get("Type", ""), target)
        return found

    try:
        workbook = next(target for kind, target in rels("").values() if kind.endswith("/officeDocument"))
        sheet_rels = rels(workbook)
        root = ElementTree.fromstring(archive.read(workbook))
    except (KeyError, StopIteration, ElementTree.ParseError):
        return None
    for element in root.iter():
        if element.tag.rsplit("}", 1)[-1] != "sheet":
            continue
        rel_id = next((v for k, v in element.attrib.items() if k.rsplit("}", 1)[-1] == "id"), "")
        kind, target = sheet_rels.get(rel_id, ("", ""))
        if kind.endswith("/worksheet"):
            return target
    return None


def _has_formula_tags(archive: zipfile.ZipFile, path: str) -> bool:
    """A cheap byte scan, so the common workbook without formulas is parsed only once."""
    tail = b""
    with archive.open(path) as stream:
        while chunk := stream.read(1 << 20):
            if _FORMULA_TAG.search(tail + chunk):
                return True
            tail = chunk[-64:]
    return False


def _formulas_without_value(archive: zipfile.ZipFile, path: str) -> list[tuple[int, int]]:
    """(sheet row, column) of formula cells with no cached result.

    openpyxl reports both a missing result and an empty string result (``t="str"`` with an
    empty ``<v>``, which Excel writes for ``=IF(A2="";"";…)`` filled down a template) as
    None; only the first means "paste values".
    """
    found: list[tuple[int, int]] = []
    row_number = column = 0
    with archive.open(path) as stream:
        for event, element in ElementTree.iterparse(stream, events=("start", "end")):
            tag = element.tag.rsplit("}", 1)[-1]
            if event == "start":
                if tag == "row":
                    row_number = int(element.get("r") or row_number + 1)
                    column = 0
                continue
            if tag == "c":
                reference = element.get("r")
                column = column_index_from_string(coordinate_from_string(reference)[0]) if reference else column + 1
                children = {child.tag.rsplit("}", 1)[-1]: child for child in element}
                cached = children.get("v")
                # an empty <v/> is a result only for a string formula (t="str"); openpyxl
                # writes <v/> without a type for every formula it saves
                has_result = cached is not None and (bool(cached.text) or element.get("t") == "str")
                if "f" in children and not has_result:
                    found.append((row_number, column))
                element.clear()
            elif tag == "row":
                element.clear()
    return found


def _float_text(value: float) -> str:
    # repr() is the shortest text that reads back as the same float, so 0.1 stays "0.1"
    number = Decimal(repr(value))
    if not number.is_finite():
        return repr(value)  # "inf", "nan": the number parser explains what is wrong with them
    if number == number.to_integral_value():
        return str(int(number))
    return format(number, "f")


def _cell_text(cell) -> tuple[str, bool, str | None]:
    """(text, was it a number, problem) of one openpyxl read-only cell."""
    value = cell.value
    if value is None:
        return "", False, None
    if cell.data_type == "e":
        return str(value), False, _("The cell shows the Excel error %(error)s. Correct the formula or type the "
                                    "value.", error=str(value))
    if isinstance(value, bool):
        return ("TRUE" if value else "FALSE"), False, None
    if isinstance(value, int):
        return str(value), True, None
    if isinstance(value, float):
        return _float_text(value), True, None
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat(), False, None
        return value.isoformat(timespec="seconds"), False, None
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat(), False, None
    if isinstance(value, dt.timedelta):
        seconds = int(value.total_seconds())
        return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}", False, None
    return str(value), False, None


def _damaged() -> Exception:
    return reject(_("The workbook is damaged and cannot be opened. Save it again as Excel workbook (.xlsx)."))


def xlsx_rows(data: bytes, filename: str) -> Iterator[RawRow]:
    """Every row of the first worksheet from sheet row 1 on; raises at once for files that are no workbook."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, EOFError, ValueError):
        raise _damaged() from None
    with archive:
        if sum(member.file_size for member in members) > MAX_UNPACKED_BYTES:
            raise TooLarge(_("The workbook is too large once unpacked. Remove formatting, images and other "
                             "sheets, or upload CSV."))
        names = {member.filename for member in members}
        if "mimetype" in names and archive.read("mimetype").startswith(b"application/vnd.oasis"):
            raise reject(_("“%(name)s” is an OpenDocument file. Save it as Excel workbook (.xlsx) or as "
                           "CSV UTF-8.", name=shorten(filename or "?")))
        sheet_path = _first_sheet_path(archive)
        if sheet_path is None or sheet_path not in names:
            raise reject(_("“%(name)s” is a ZIP archive but not an Excel workbook (.xlsx) with a sheet. Upload "
                           "the template as .xlsx or as CSV UTF-8.", name=shorten(filename or "?")))
        try:
            no_result = (set(_formulas_without_value(archive, sheet_path))
                         if _has_formula_tags(archive, sheet_path) else set())
        except (ElementTree.ParseError, ValueError, KeyError, zipfile.BadZipFile):
            raise _damaged() from None
    return _sheet_rows(data, no_result)


def _sheet_rows(data: bytes, no_result: set[tuple[int, int]]) -> Iterator[RawRow]:
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many unrelated types for damaged files
        raise _damaged() from None
    paste_values = _("The formula in this cell has no saved result. Copy the cells and paste them as values "
                     "(Paste Special → Values), then upload again.")
    try:
        sheet = workbook.worksheets[0]
        # the stored dimension is often wrong in files written by other programs
        sheet.reset_dimensions()
        # the read-only reader yields one (possibly empty) tuple per sheet row from row 1
        for sheet_row, cells in enumerate(sheet.iter_rows(), start=1):
            raw = RawRow(sheet_row - 1, [])
            for position, cell in enumerate(cells):
                text, numeric, problem = _cell_text(cell)
                raw.cells.append(text)
                if numeric:
                    raw.numeric.add(position)
                if problem:
                    raw.problems.append((position, text, problem))
                elif (sheet_row, position + 1) in no_result:
                    raw.problems.append((position, None, paste_values))
            yield raw
    except PortalError:
        raise
    except Exception:  # a damaged sheet may fail only while it is being read
        raise _damaged() from None
    finally:
        workbook.close()
