"""The first sheet of an XLSX upload as rows of text, with formulas read by their cached results.

The workbook's XML is streamed through expat and counted as it goes (``limits``): zip members
and unpacked bytes before anything is parsed, then styles, shared strings and the sheet's
elements, cells, columns and characters, and the wall clock. Nothing is built that has not been
counted, so a small file that unpacks into millions of cells or strings is refused after a
bounded amount of work. openpyxl's own reader is not used: its read-only mode fills every row up
to its last cell (one styled cell in column XFD makes a row of 16,384) and reads the shared
strings, styles and other parts whole before a row can be counted. Values are read as openpyxl
reads them (``data_only``): the number formats that make a number a date or a duration, and
the date conversions, are openpyxl's.
"""
from __future__ import annotations

import datetime as dt
import io
import posixpath
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from xml.etree import ElementTree
from xml.parsers import expat

from openpyxl.styles.numbers import builtin_format_code, is_date_format, is_timedelta_format
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string
from openpyxl.utils.datetime import MAC_EPOCH, WINDOWS_EPOCH, from_excel, from_ISO8601

from ..errors import PortalError
from . import limits
from ._raw import RawRow, reject
from ._text import _, shorten
from .limits import Budget

#: A 10 MB workbook of plain data unpacks to well under this; more means a zip bomb.
MAX_UNPACKED_BYTES = 256 * 1024 * 1024

_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_CENTRAL_DIRECTORY_ENTRY = b"PK\x01\x02"
_CHUNK = 64 * 1024
_REFERENCE = re.compile(r"\$?([A-Za-z]{1,3})\$?[0-9]+")


class _Damaged(Exception):
    """What no workbook holds (a DTD, a cell reference that is none); answered as a damaged file."""


def _damaged() -> Exception:
    return reject(_("The workbook is damaged and cannot be opened. Save it again as Excel workbook (.xlsx)."))


_LOCAL_NAMES: dict[str, str] = {}


def _local(name: str) -> str:
    """An element name without its namespace prefix (expat reports names as written)."""
    local = _LOCAL_NAMES.get(name)
    if local is None:
        local = name[name.find(":") + 1:]
        if len(_LOCAL_NAMES) < 1000:  # a hostile file may use millions of names
            _LOCAL_NAMES[name] = local
    return local


def _refuse_dtd(*args: object) -> None:
    raise _Damaged("a DTD")


def _parser(start: Callable, end: Callable, text: Callable | None) -> expat.XMLParserType:
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.buffer_size = _CHUNK
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    if text is not None:
        parser.CharacterDataHandler = text
    # an XLSX part never has a DTD; refusing it refuses every entity expansion
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_dtd
    return parser


def _feed(archive: zipfile.ZipFile, path: str, parser: expat.XMLParserType, budget: Budget) -> Iterator[None]:
    """Parse one zip member chunk by chunk, checking the clock after each; yields after every chunk."""
    with archive.open(path) as stream:
        while chunk := stream.read(_CHUNK):
            parser.Parse(chunk, False)
            budget.check_time()
            yield
    parser.Parse(b"", True)
    yield


def _part(archive: zipfile.ZipFile, path: str) -> bytes:
    """A small part read whole (workbook, relationships): bounded by ``limits.MAX_PART_BYTES``."""
    if archive.getinfo(path).file_size > limits.MAX_PART_BYTES:
        raise limits.unpacked_too_large()
    data = archive.read(path)
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise _Damaged("a DTD")
    return data


@dataclass
class _Book:
    """Where the parts of the first sheet are, and how its dates count."""

    sheet: str
    shared_strings: str | None
    styles: str | None
    epoch: dt.datetime


def _find_parts(archive: zipfile.ZipFile, names: set[str]) -> _Book | None:
    """The first worksheet (as openpyxl's ``worksheets[0]`` would pick), its shared strings and styles."""
    def rels(part: str) -> dict[str, tuple[str, str]]:
        folder, name = posixpath.split(part)
        root = ElementTree.fromstring(_part(archive, posixpath.join(folder, "_rels", name + ".rels")))
        found = {}
        for rel in root.iter(f"{_REL_NS}Relationship"):
            target = rel.get("Target", "")
            target = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                posixpath.join(folder, target))
            found[rel.get("Id", "")] = (rel.get("Type", ""), target)
        return found

    try:
        workbook = next(target for kind, target in rels("").values() if kind.endswith("/officeDocument"))
        workbook_rels = rels(workbook)
        root = ElementTree.fromstring(_part(archive, workbook))
    except (KeyError, StopIteration, ElementTree.ParseError):
        return None
    sheet = None
    date1904 = False
    for element in root.iter():
        tag = element.tag.rsplit("}", 1)[-1]
        if tag == "workbookPr":
            date1904 = element.get("date1904", "").lower() in ("1", "true")
        if tag != "sheet" or sheet is not None:
            continue
        rel_id = next((v for k, v in element.attrib.items() if k.rsplit("}", 1)[-1] == "id"), "")
        kind, target = workbook_rels.get(rel_id, ("", ""))
        if kind.endswith("/worksheet"):
            sheet = target
    if sheet is None or sheet not in names:
        return None

    def related(kind: str, default: str) -> str | None:
        target = next((t for k, t in workbook_rels.values() if k.endswith(kind)), default)
        return target if target in names else None

    return _Book(sheet, related("/sharedStrings", "xl/sharedStrings.xml"), related("/styles", "xl/styles.xml"),
                 MAC_EPOCH if date1904 else WINDOWS_EPOCH)


def xlsx_rows(data: bytes, filename: str, budget: Budget | None = None) -> Iterator[RawRow]:
    """Every row of the first worksheet from sheet row 1 on; raises at once for files that are no workbook.

    Row 1 always comes first (empty when the sheet has none); after it, rows without any
    value are left out, since only their numbers would matter and every row carries its own.
    """
    budget = budget or Budget()
    # the central directory is read whole by ZipFile(): count its entries before it is
    if data.count(_CENTRAL_DIRECTORY_ENTRY) > limits.MAX_ZIP_MEMBERS:
        raise limits.unpacked_too_large()
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, EOFError, ValueError):
        raise _damaged() from None
    with archive:
        if sum(member.file_size for member in members) > MAX_UNPACKED_BYTES:
            raise limits.unpacked_too_large()
        names = {member.filename for member in members}
        try:
            if "mimetype" in names:
                with archive.open("mimetype") as stream:
                    if stream.read(64).startswith(b"application/vnd.oasis"):
                        raise reject(_("“%(name)s” is an OpenDocument file. Save it as Excel workbook (.xlsx) or "
                                       "as CSV UTF-8.", name=shorten(filename or "?")))
            book = _find_parts(archive, names)
            if book is None:
                raise reject(_("“%(name)s” is a ZIP archive but not an Excel workbook (.xlsx) with a sheet. "
                               "Upload the template as .xlsx or as CSV UTF-8.", name=shorten(filename or "?")))
            _prescan(archive, book.sheet, budget)
            dates, durations = _date_styles(archive, book.styles, budget) if book.styles else (set(), set())
            strings = _shared_strings(archive, book.shared_strings, budget) if book.shared_strings else []
        except PortalError:
            raise
        except Exception:  # zipfile, zlib, expat and int() fail in many ways on damaged files
            raise _damaged() from None
    return _sheet_rows(data, _SheetParser(strings, dates, durations, book.epoch, budget), book.sheet, budget)


def _prescan(archive: zipfile.ZipFile, path: str, budget: Budget) -> None:
    """Refuse a sheet whose cells or elements are plainly over budget, at the speed of ``bytes.count``.

    A bomb (a million rows with one styled cell each, millions of empty elements) is refused
    here in a fraction of a second, before a single element is parsed. The counts are exact for
    the way every spreadsheet program writes cells (``<c r=…>``, ``<c>``, ``<c/>``) and may miss a
    tag cut in two by the chunking, or one written with a prefix or a line break: the parse
    that follows counts exactly, so this is only the fast way to the same refusal.
    """
    cells = elements = rows = chunks = 0
    with archive.open(path) as stream:
        while chunk := stream.read(1 << 20):
            chunks += 1
            cells += chunk.count(b"<c ") + chunk.count(b"<c>") + chunk.count(b"<c/")
            rows += chunk.count(b"<row ") + chunk.count(b"<row>") + chunk.count(b"<row/")
            if rows > limits.MAX_SHEET_ROWS:
                raise limits.unpacked_too_large()
            # "<" cannot appear unescaped in XML text or attribute values: each one opens a tag
            elements += chunk.count(b"<") - chunk.count(b"</")
            if cells > budget.max_cells:
                raise limits.too_many_cells(budget.max_cells)
            if elements > limits.MAX_SHEET_ELEMENTS + chunks:  # a "</" cut by the chunking counts once
                raise limits.unpacked_too_large()
            budget.check_time()


def _sheet_rows(data: bytes, sheet: _SheetParser, path: str, budget: Budget) -> Iterator[RawRow]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for _chunk in _feed(archive, path, sheet.parser, budget):
                yield from sheet.take()
    except PortalError:
        raise
    except Exception:  # a damaged sheet may fail only while it is being read
        raise _damaged() from None


# --- kept for the SDT importer (eiti.publication.sdt.sheets), which reads its workbooks with openpyxl ---

_FORMULA_TAG = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?f[\s>/]")


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


# --- styles: which cell formats make a number a date or a duration -----------------------------

def _date_styles(archive: zipfile.ZipFile, path: str, budget: Budget) -> tuple[set[int], set[int]]:
    """(date styles, duration styles): the indexes of ``cellXfs`` whose number format is one, as openpyxl sees it."""
    if archive.getinfo(path).file_size > limits.MAX_STYLES_BYTES:
        raise limits.unpacked_too_large()
    custom: dict[int, str] = {}
    formats: list[int] = []
    state = {"elements": 0, "in_xfs": False}

    def start(name: str, attrs: dict[str, str]) -> None:
        state["elements"] += 1
        if state["elements"] > limits.MAX_STYLE_ELEMENTS:
            raise limits.unpacked_too_large()
        tag = _local(name)
        if tag == "numFmt" and "numFmtId" in attrs:
            custom[int(attrs["numFmtId"])] = attrs.get("formatCode", "")
        elif tag == "cellXfs":
            state["in_xfs"] = True
        elif tag == "xf" and state["in_xfs"]:
            formats.append(int(attrs.get("numFmtId") or 0))

    def end(name: str) -> None:
        if _local(name) == "cellXfs":
            state["in_xfs"] = False

    for _chunk in _feed(archive, path, _parser(start, end, None), budget):
        pass
    dates, durations = set(), set()
    for index, number_format in enumerate(formats):
        code = custom[number_format] if number_format in custom else builtin_format_code(number_format)
        if is_date_format(code):
            dates.add(index)
        if is_timedelta_format(code):
            durations.add(index)
    return dates, durations


# --- shared strings ----------------------------------------------------------------------------

def _shared_strings(archive: zipfile.ZipFile, path: str, budget: Budget) -> list[str]:
    """The shared string table: each ``<si>``'s text runs joined, phonetic runs left out (as openpyxl reads it)."""
    if archive.getinfo(path).file_size > limits.MAX_SHARED_STRINGS_BYTES:
        raise limits.unpacked_too_large()
    most, max_characters = limits.MAX_SHARED_STRINGS, limits.MAX_CELL_CHARACTERS
    max_elements = limits.MAX_SHEET_ELEMENTS
    # as for the sheet (``_prescan``): a table of millions of strings is refused at bytes.count speed
    with archive.open(path) as stream:
        count = 0
        while chunk := stream.read(1 << 20):
            count += chunk.count(b"<si>") + chunk.count(b"<si/") + chunk.count(b"<si ")
            if count > most:
                raise limits.unpacked_too_large()
    strings: list[str] = []
    state = _TextState()

    def start(name: str, attrs: dict[str, str]) -> None:
        state.elements += 1
        if state.elements > max_elements:
            raise limits.unpacked_too_large()
        tag = _local(name)
        if tag == "si":
            if len(strings) >= most:
                raise limits.unpacked_too_large()
            state.parts, state.length = [], 0
        elif tag == "rPh":
            state.phonetic += 1
        elif tag == "t" and state.parts is not None and not state.phonetic:
            state.text = []

    def text(data: str) -> None:
        if state.text is not None:
            state.length += len(data)
            if state.length > max_characters:
                raise limits.unpacked_too_large()
            state.text.append(data)

    def end(name: str) -> None:
        tag = _local(name)
        if tag == "t" and state.text is not None:
            state.parts.append("".join(state.text))
            state.text = None
        elif tag == "rPh":
            state.phonetic -= 1
        elif tag == "si" and state.parts is not None:
            strings.append("".join(state.parts).replace("x005F_", ""))
            state.parts = None

    for _chunk in _feed(archive, path, _parser(start, end, text), budget):
        pass
    return strings


@dataclass
class _TextState:
    elements: int = 0
    phonetic: int = 0
    #: the runs of the string being read, None outside one
    parts: list[str] | None = None
    #: the character data of the <t> being read, None outside one
    text: list[str] | None = None
    length: int = 0


# --- the sheet ---------------------------------------------------------------------------------

@dataclass
class _Cell:
    column: int
    kind: str
    style: int
    #: the text of <v>, None without one
    value: str | None = None
    formula: bool = False
    #: the runs of an inline string (<is>), None without one
    inline: list[str] | None = None
    length: int = 0


@dataclass
class _SheetParser:
    """The expat handlers of one worksheet; rows are collected in ``ready`` and taken after each chunk."""

    strings: list[str]
    date_styles: set[int]
    duration_styles: set[int]
    epoch: dt.datetime
    budget: Budget
    ready: list[RawRow] = field(default_factory=list)
    elements: int = 0
    in_data: bool = False
    #: column → (text, numeric, problem) of the cells with content of the row being read
    row: dict[int, tuple[str, bool, tuple[str | None, str] | None]] | None = None
    row_number: int = 0
    rows: int = 0
    #: openpyxl reads a row only if it comes after the last one read
    next_number: int = 1
    header_sent: bool = False
    column: int = 0
    cell: _Cell | None = None
    text: list[str] | None = None
    phonetic: int = 0

    def __post_init__(self) -> None:
        self.parser = _parser(self._start, self._end, self._text)
        self.max_elements, self.max_columns = limits.MAX_SHEET_ELEMENTS, limits.MAX_COLUMNS
        self.max_characters = limits.MAX_CELL_CHARACTERS
        self.paste_values = _("The formula in this cell has no saved result. Copy the cells and paste them as "
                              "values (Paste Special → Values), then upload again.")

    def take(self) -> list[RawRow]:
        ready, self.ready = self.ready, []
        return ready

    def _start(self, name: str, attrs: dict[str, str]) -> None:
        self.elements += 1
        if self.elements > self.max_elements:
            raise limits.unpacked_too_large()
        tag = _local(name)
        cell = self.cell
        if cell is not None:
            if tag == "v":
                self.text = []
            elif tag == "f":
                cell.formula = True
            elif tag == "is":
                cell.inline = []
            elif tag == "rPh":
                self.phonetic += 1
            elif tag == "t" and cell.inline is not None and not self.phonetic:
                self.text = []
        elif tag == "c" and self.row is not None:
            self.budget.add_cells(1)
            reference = attrs.get("r")
            if reference:
                match = _REFERENCE.fullmatch(reference)
                if match is None:
                    raise _Damaged(reference)
                self.column = _column_index(match.group(1))
            else:
                self.column += 1
            self.cell = _Cell(self.column, attrs.get("t", "n"), int(attrs.get("s") or 0))
        elif tag == "row" and self.in_data:
            self.rows += 1
            if self.rows > limits.MAX_SHEET_ROWS:
                raise limits.unpacked_too_large()
            number = attrs.get("r")
            self.row_number = _row_number(number) if number else self.row_number + 1
            self.row, self.column = {}, 0
        elif tag == "sheetData":
            self.in_data = True

    def _text(self, data: str) -> None:
        if self.text is not None:
            self.cell.length += len(data)
            if self.cell.length > self.max_characters:
                raise limits.unpacked_too_large()
            self.text.append(data)

    def _end(self, name: str) -> None:
        tag = _local(name)
        cell = self.cell
        if cell is not None:
            if tag == "v" and self.text is not None:
                cell.value, self.text = "".join(self.text), None
            elif tag == "t" and self.text is not None:
                cell.inline.append("".join(self.text))
                self.text = None
            elif tag == "rPh":
                self.phonetic -= 1
            elif tag == "c":
                self.cell = None
                self._keep(cell)
        elif tag == "row" and self.row is not None:
            self._end_row()
        elif tag == "sheetData":
            self.in_data = False

    def _value(self, cell: _Cell) -> tuple[object, bool]:
        """(value, is an Excel error) of a cell, as openpyxl's read-only, data-only reader gives it."""
        if cell.kind == "inlineStr":
            return ("".join(cell.inline) if cell.inline is not None else None), False
        raw = cell.value or None
        if raw is None:
            return None, False
        if cell.kind == "n":
            number = float(raw) if ("." in raw or "E" in raw or "e" in raw) else int(raw)
            if cell.style in self.date_styles:
                try:
                    return from_excel(number, self.epoch, timedelta=cell.style in self.duration_styles), False
                except (OverflowError, ValueError):
                    return "#VALUE!", True
            return number, False
        if cell.kind == "s":
            return self.strings[int(raw)], False
        if cell.kind == "b":
            return bool(int(raw)), False
        if cell.kind == "d":
            return from_ISO8601(raw), False
        return raw, cell.kind == "e"

    def _keep(self, cell: _Cell) -> None:
        value, is_error = self._value(cell)
        text, numeric, problem = _cell_text(value, is_error)
        found = (text, problem) if problem else None
        # an empty <v/> is a result only for a string formula (t="str"); openpyxl writes <v/>
        # without a type for every formula it saves
        has_result = cell.value is not None and (bool(cell.value) or cell.kind == "str")
        if found is None and cell.formula and not has_result:
            found = (None, self.paste_values)
        if not text and found is None:
            return
        if cell.column > self.max_columns:
            raise limits.too_many_columns()
        self.row[cell.column] = (text, numeric, found)

    def _end_row(self) -> None:
        cells, number, self.row = self.row, self.row_number, None
        if number < self.next_number:
            return
        self.next_number = number + 1
        if not cells and self.header_sent:
            return
        if not self.header_sent and number != 1:
            self.ready.append(RawRow(0, []))
        self.header_sent = True
        raw = RawRow(number - 1, [""] * max(cells, default=0))
        for column, (text, numeric, found) in cells.items():
            raw.cells[column - 1] = text
            if numeric:
                raw.numeric.add(column - 1)
            if found:
                raw.problems.append((column - 1, *found))
        raw.problems.sort(key=lambda problem: problem[0])
        self.ready.append(raw)
        self.budget.check_time()


_COLUMNS: dict[str, int] = {}


def _column_index(letters: str) -> int:
    index = _COLUMNS.get(letters)
    if index is None:
        index = 0
        for letter in letters.upper():
            index = index * 26 + ord(letter) - 64
        if len(_COLUMNS) < 20_000:
            _COLUMNS[letters] = index
    return index


def _row_number(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        number = float(text)
        if not number.is_integer():
            raise
        return int(number)


def _float_text(value: float) -> str:
    # repr() is the shortest text that reads back as the same float, so 0.1 stays "0.1"
    number = Decimal(repr(value))
    if not number.is_finite():
        return repr(value)  # "inf", "nan": the number parser explains what is wrong with them
    if number == number.to_integral_value():
        return str(int(number))
    return format(number, "f")


def _cell_text(value: object, is_error: bool) -> tuple[str, bool, str | None]:
    """(text, was it a number, problem) of one cell's value."""
    if value is None:
        return "", False, None
    if is_error:
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
