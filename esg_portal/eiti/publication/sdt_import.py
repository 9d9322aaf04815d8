"""Import of historic EITI data: an SDT v2.0 workbook, one Part CSV, or a folder or zip of Part CSVs.

``read_source(path, year=…)`` and ``read_upload(data, filename, year=…)`` answer an
``ImportResult``: the ``Parts`` read (None when anything blocks), every finding, and the
files read with their sha256. Nothing is stored here; the caller stores ``parts`` only
when the grade is not ``blocked``.

Stricter than EITI's own importer (research/OPEN-DATA.md §1):

* each Part CSV is recognised by its header row, never by its file name; in a folder or zip
  the CSVs are read and a workbook beside them is left aside;
* a file of another country (Country / ISO Code not the Kyrgyz Republic / KGZ) or another
  period (Year or End Date not the year asked for) blocks the import;
* amounts keep their sign (``-500`` and ``(500)`` are negative), are read exactly whether
  written ``1,234.50``, ``1 234,50`` or as numeric cells, and are never rounded: a value
  with more than 2 decimals is kept and needs review; the exchange rate keeps every digit;
* ``Not applicable``, ``Not available``, blank and zero stay four different values;
  template placeholder text such as ``<Use Legal Entity Identifier if available>`` is
  dropped;
* a duplicate row (same identifying columns as an earlier row of its Part) blocks instead
  of being appended; so does a Part given twice;
* every reader is bounded (``Limits``): file size, zip members, unpacked size, rows and
  columns; a zip member with a path outside the archive is refused.

Findings are graded ``blocked`` (nothing can be stored), ``needs_review`` (each must be
looked at) or ``ok`` (information); each names the sheet (or CSV file), the row as the
spreadsheet shows it (CSV header = row 1), the column, the value and a message in the
user's language.
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import os
import re
import warnings
import zipfile
import zlib
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path, PurePosixPath

from flask_babel import get_locale

from ...tabular._text import _, shorten
from ...tabular._xlsx import _formulas_without_value, _has_formula_tags
from ...tabular.numbers import NumberError, number_error_message, parse_decimal
from ...tabular.safe import unneutralise
from . import sdt as layout
from .sdt import complete, money_text, number_text, percent_text, to_usd, usable_rate
from .sdt_model import (
    ABOUT_LABELS, APPENDED_COLUMNS, CHECKLIST_KEYS, COMPANY_DATA_SECTOR, COMPANY_TOTAL, COUNT_LABELS, CSV_NAMES,
    DATE_LABELS, ENTITY_TOTAL, GFS_COLUMN, IDENTIFIER_COLUMNS, INCLUSION_VALUES, LABEL_COUNTRY, LABEL_END,
    LABEL_ISO3, LABEL_RATE, LABEL_REPORTING_CURRENCY, LABEL_START, MONEY_COLUMNS, NOT_AVAILABLE,
    PART_ABOUT, PART_COMPANIES, PART_COMPANY_DATA, PART_GOVERNMENT_ENTITIES, PART_GOVERNMENT_REVENUES,
    PART_PROJECTS, PERCENT_LABELS, QUANTITY_COLUMNS, REQUIREMENT_PREFIX, ROW_KEYS, ROW_NAMES, SENTINELS,
    SHEET_ABOUT, SHEET_CHECKLIST, SHEET_COMPANY_DATA, SHEET_ENTITIES, SHEET_REVENUES, SHEETS, TABLE_COLUMNS,
    TITLE_COMPANIES, TITLE_GOVERNMENT_ENTITIES, TITLE_PROJECTS, TOTAL_PREFIX, Parts, gfs_headings, gfs_label,
    gfs_names,
)

BLOCKED, NEEDS_REVIEW, OK = "blocked", "needs_review", "ok"
_SEVERITY = {OK: 0, NEEDS_REVIEW: 1, BLOCKED: 2}
COUNTRY, ISO3, CURRENCY = "Kyrgyz Republic", "KGZ", "KGS"
#: names of the country accepted in a Country column (compared ignoring case)
COUNTRY_NAMES = frozenset(name.casefold() for name in (
    "Kyrgyz Republic", "Kyrgyzstan", "Kyrgyz Rep.", "Кыргызская Республика", "Кыргызстан", "Киргизия",
    "Кыргыз Республикасы"))
PART_LABELS = {
    PART_ABOUT: SHEET_ABOUT,
    PART_GOVERNMENT_ENTITIES: TITLE_GOVERNMENT_ENTITIES,
    PART_COMPANIES: TITLE_COMPANIES,
    PART_PROJECTS: TITLE_PROJECTS,
    PART_GOVERNMENT_REVENUES: SHEET_REVENUES,
    PART_COMPANY_DATA: SHEET_COMPANY_DATA,
}
TABLE_TITLES = (TITLE_GOVERNMENT_ENTITIES, TITLE_COMPANIES, TITLE_PROJECTS)
_DATA_SUFFIXES = (".csv", ".txt", ".tsv")
_WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


@dataclass(frozen=True)
class Limits:
    """Bounds of every reader; anything beyond them is refused with a ``blocked`` finding."""

    max_file_bytes: int = 50 * 1024 * 1024
    max_members: int = 50
    max_unpacked_bytes: int = 200 * 1024 * 1024
    max_rows: int = 200_000
    max_columns: int = 200


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True)
class Finding:
    grade: str
    sheet: str | None
    row: int | None
    column: str | None
    value: str | None
    message: str

    def as_dict(self) -> dict[str, object]:
        return {"grade": self.grade, "sheet": self.sheet, "row": self.row, "column": self.column,
                "value": self.value, "message": self.message}


@dataclass
class ImportResult:
    parts: Parts | None
    findings: list[Finding]
    #: every file read: {"name", "sha256", "bytes"}
    sources: list[dict[str, object]]

    @property
    def grade(self) -> str:
        """The worst grade of the findings (``ok`` when there are none)."""
        return max((f.grade for f in self.findings), key=_SEVERITY.__getitem__, default=OK)


class _Refused(Exception):
    """Stops reading after a blocking finding was recorded."""


# --- cells ----------------------------------------------------------------------------------------
class Cell:
    """One cell as read: ``kind`` is text, number, date, empty, error or no_result (a formula without value)."""

    __slots__ = ("kind", "text", "number")

    def __init__(self, kind: str, text: str = "", number: Decimal | None = None):
        self.kind, self.text, self.number = kind, text, number

    def __repr__(self) -> str:
        return f"Cell({self.kind!r}, {self.text!r})"


EMPTY = Cell("empty")


def _text_cell(text: str) -> Cell:
    return Cell("text", text) if text.strip() else EMPTY


def _norm(name: object) -> str:
    """A header or label as compared: no BOM, whitespace collapsed, "..." as "…", ignoring case."""
    text = str(name or "").replace("\ufeff", "").replace("...", "\u2026")
    return " ".join(text.split()).casefold()


def _user_language() -> str:
    try:
        locale = get_locale()
    except RuntimeError:
        locale = None
    language = str(locale or "en").split("_")[0].lower()
    return language if language in ("en", "ru", "ky") else "en"


# --- tables as read ----------------------------------------------------------------------------------
@dataclass
class _Table:
    """One Part's rows as read from a CSV or a sheet, before they are checked."""

    part: str
    sheet: str
    rows: list[tuple[int, dict[str, Cell]]] = field(default_factory=list)


@dataclass
class _About:
    sheet: str
    #: label → (row, cell)
    values: dict[str, tuple[int, Cell]] = field(default_factory=dict)


@dataclass
class _Workbook:
    """What only a workbook holds: the checklist and the totals below Part 4."""

    checklist: list[tuple[int, dict[str, Cell]]] = field(default_factory=list)
    has_checklist_sheet: bool = False
    #: (row, label, value cell) of the "Total in …" rows
    totals: list[tuple[int, str, Cell]] = field(default_factory=list)
    #: (row, Sector cell, company cell) of Part 5
    sectors: list[tuple[int, Cell, Cell]] = field(default_factory=list)


class _Reader:
    """The state of one import."""

    def __init__(self, year: int, limits: Limits):
        self.year = year
        self.limits = limits
        self.language = _user_language()
        self.findings: list[Finding] = []
        self.sources: list[dict[str, object]] = []
        self.tables: dict[str, _Table] = {}
        self.about: _About | None = None
        self.workbook: _Workbook | None = None
        #: (sheet, row, column, value) of every Country / ISO / Year / date seen
        self.identity: dict[str, list[tuple[str, int, str, Cell]]] = {
            "country": [], "iso": [], "year": [], "start": [], "end": []}
        self._said: set[tuple] = set()

    # findings
    def add(self, grade: str, sheet: str | None, row: int | None, column: str | None, value: object,
            message: str) -> None:
        text = None if value is None else str(value)
        self.findings.append(Finding(grade, sheet, row, column, text, message))

    def once(self, key: tuple, grade: str, sheet: str | None, row: int | None, column: str | None, value: object,
             message: str) -> None:
        if key not in self._said:
            self._said.add(key)
            self.add(grade, sheet, row, column, value, message)

    def refuse(self, sheet: str | None, message: str, value: object = None) -> _Refused:
        self.add(BLOCKED, sheet, None, None, value, message)
        return _Refused()

    def source(self, name: str, data: bytes) -> None:
        self.sources.append({"name": name, "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)})

    @property
    def blocked(self) -> bool:
        return any(f.grade == BLOCKED for f in self.findings)

    # ---- files ---------------------------------------------------------------------------------------
    def check_size(self, name: str, size: int) -> None:
        if size > self.limits.max_file_bytes:
            raise self.refuse(name, _("The file is larger than %(limit)s, the most an import may hold.",
                                      limit=_size(self.limits.max_file_bytes)), size)

    def read_file(self, name: str, data: bytes) -> None:
        """One file given on its own: a workbook, a zip of Part CSVs or one Part CSV."""
        self.check_size(name, len(data))
        self.source(name, data)
        if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
            archive = self.open_zip(name, data)
            if "xl/workbook.xml" in archive.namelist():
                self.read_workbook(name, data, archive)
            else:
                self.read_zip(name, archive)
            return
        self.read_csv(name, data, alone=True)

    def open_zip(self, name: str, data: bytes) -> zipfile.ZipFile:
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
            members = archive.infolist()
        except (zipfile.BadZipFile, EOFError, ValueError, OSError):
            raise self.refuse(name, _("“%(name)s” is a damaged ZIP archive or workbook and cannot be opened.",
                                      name=shorten(name))) from None
        if sum(member.file_size for member in members) > self.limits.max_unpacked_bytes:
            raise self.refuse(name, _("“%(name)s” unpacks to more than %(limit)s, the most an import may hold.",
                                      name=shorten(name), limit=_size(self.limits.max_unpacked_bytes)))
        return archive

    def read_zip(self, name: str, archive: zipfile.ZipFile) -> None:
        members = [m for m in archive.infolist() if not m.is_dir()]
        if len(members) > self.limits.max_members:
            raise self.refuse(name, _("The archive holds %(count)s files; an import may hold at most %(limit)s.",
                                      count=len(members), limit=self.limits.max_members))
        for member in members:
            if not _safe_member_name(member.filename):
                raise self.refuse(name, _("The archive holds a file named “%(member)s”, which points outside the "
                                          "archive. Such archives are refused.", member=shorten(member.filename)),
                                  member.filename)
            if member.flag_bits & 0x1:
                raise self.refuse(name, _("The archive is protected by a password. Upload the files without it."))
        files: list[tuple[str, bytes]] = []
        for member in members:
            if _ignored_name(member.filename):
                continue
            self.check_size(member.filename, member.file_size)
            try:
                with archive.open(member) as stream:
                    content = stream.read(self.limits.max_file_bytes + 1)
            except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError, RuntimeError):
                raise self.refuse(name, _("The file “%(member)s” in the archive is damaged and cannot be read.",
                                          member=shorten(member.filename)), member.filename) from None
            self.check_size(member.filename, len(content))
            files.append((member.filename, content))
        self.read_files(files, prefix=name + "/")

    def read_folder(self, folder: Path) -> None:
        paths: list[Path] = []
        total = 0
        for root, directories, names in os.walk(folder, followlinks=False):
            directories[:] = sorted(d for d in directories if not d.startswith("."))
            for file_name in sorted(names):
                path = Path(root) / file_name
                if path.is_symlink() or _ignored_name(file_name):
                    continue
                paths.append(path)
                if len(paths) > self.limits.max_members:
                    raise self.refuse(folder.name, _(
                        "The folder holds more than %(limit)s files, the most an import may hold.",
                        limit=self.limits.max_members))
                size = path.stat().st_size
                self.check_size(path.name, size)
                total += size
                if total > self.limits.max_unpacked_bytes:
                    raise self.refuse(folder.name, _("The folder holds more than %(limit)s, the most an import may "
                                                     "hold.", limit=_size(self.limits.max_unpacked_bytes)))
        files = []
        for path in paths:
            data = path.read_bytes()
            self.check_size(path.name, len(data))
            files.append((path.relative_to(folder).as_posix(), data))
        self.read_files(files, prefix="")

    def read_files(self, files: list[tuple[str, bytes]], *, prefix: str) -> None:
        """The files of a folder or zip: the Part CSVs; a workbook only when it is alone."""
        tables, workbooks = [], []
        for name, data in files:
            suffix = PurePosixPath(name).suffix.lower()
            if suffix in _WORKBOOK_SUFFIXES:
                workbooks.append((name, data))
            elif suffix in _DATA_SUFFIXES or not suffix:
                tables.append((name, data))
            else:
                self.source(prefix + name, data)
                self.add(OK, name, None, None, None, _("“%(name)s” is not a CSV file and was left aside.",
                                                       name=shorten(name)))
        if not tables and len(workbooks) == 1:
            name, data = workbooks[0]
            self.source(prefix + name, data)
            self.read_workbook(name, data, self.open_zip(name, data))
            return
        if not tables and len(workbooks) > 1:
            raise self.refuse(None, _("The folder or archive holds several workbooks and no Part CSV. Import one "
                                      "workbook at a time."))
        for name, data in workbooks:
            self.source(prefix + name, data)
            self.add(OK, name, None, None, None, _(
                "The workbook “%(name)s” was left aside: the Part CSVs beside it are read instead.",
                name=shorten(name)))
        for name, data in tables:
            self.source(prefix + name, data)
            self.read_csv(name, data, alone=False)

    # ---- CSV -----------------------------------------------------------------------------------------
    def read_csv(self, name: str, data: bytes, *, alone: bool) -> None:
        text = self.decode(name, data)
        first_line, _newline, rest = text.partition("\n")
        hint = re.fullmatch(r"sep=(.)\r?", first_line)
        if hint:
            # Excel's "sep=;" line names the delimiter and is not part of the table
            text, first_line = rest, rest.split("\n", 1)[0]
        delimiter = hint.group(1) if hint else max(
            (",", ";", "\t"), key=lambda d: re.sub(r'"[^"]*"', "", first_line).count(d))
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
        try:
            header = next(reader, None)
        except csv.Error:
            raise self.refuse(name, _("“%(name)s” cannot be read as CSV.", name=shorten(name))) from None
        if header is None or not any(cell.strip() for cell in header):
            raise self.refuse(name, _("“%(name)s” is empty.", name=shorten(name)))
        if len(header) > self.limits.max_columns:
            raise self.refuse(name, _("“%(name)s” has %(count)s columns; at most %(limit)s are read.",
                                      name=shorten(name), count=len(header), limit=self.limits.max_columns))
        names = [_norm(cell) for cell in header]
        part = self.recognise(name, names, header, alone=alone)
        if part is None:
            return
        rows: list[tuple[int, list[str]]] = []
        number = 1
        try:
            for number, cells in enumerate(reader, start=2):
                if len(rows) >= self.limits.max_rows:
                    raise self.refuse(name, _("“%(name)s” has more than %(limit)s rows, the most one Part may hold.",
                                              name=shorten(name), limit=f"{self.limits.max_rows:,}".replace(",", " ")))
                if len(cells) > self.limits.max_columns:
                    raise self.refuse(name, _("“%(name)s” has %(count)s columns; at most %(limit)s are read.",
                                              name=shorten(name), count=len(cells), limit=self.limits.max_columns))
                if any(cell.strip() for cell in cells):
                    rows.append((number, cells))
        except csv.Error:
            self.add(BLOCKED, name, number + 1, None, None, _(
                "The file cannot be read from this row on: a quote (\") is not closed, a cell is too long, or text "
                "follows a closing quote."))
            raise _Refused() from None
        self.take_csv(name, part, names, header, rows)

    def decode(self, name: str, data: bytes) -> str:
        if b"\x00" in data:
            raise self.refuse(name, _("“%(name)s” is not a text file (it holds NUL bytes). Save it as CSV UTF-8.",
                                      name=shorten(name)))
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            pass
        try:
            text = data.decode("cp1251")
        except UnicodeDecodeError:
            raise self.refuse(name, _("“%(name)s” is neither UTF-8 nor Windows-1251 text. Save it as CSV UTF-8.",
                                      name=shorten(name))) from None
        self.add(NEEDS_REVIEW, name, None, None, None, _(
            "“%(name)s” is not UTF-8; it was read as Windows-1251. Check that names read correctly.",
            name=shorten(name)))
        return text

    def recognise(self, name: str, names: list[str], header: list[str], *, alone: bool) -> str | None:
        """The Part a CSV header belongs to; None (and a finding) when it is none."""
        present = set(names)
        best, best_score, best_missing = None, 0.0, []
        for part, columns in (((PART_ABOUT, ABOUT_LABELS),) + tuple(TABLE_COLUMNS.items())):
            wanted = [_norm(c) for c in columns]
            missing = [c for c, n in zip(columns, wanted) if n not in present]
            score = 1 - len(missing) / len(wanted)
            if score > best_score:
                best, best_score, best_missing = part, score, missing
        if best is not None and not best_missing:
            if best in self.tables or (best == PART_ABOUT and self.about is not None):
                raise self.refuse(name, _("“%(part)s” is given twice (again in “%(name)s”). Give each Part once.",
                                          part=CSV_NAMES[best].removesuffix(".csv"), name=shorten(name)))
            return best
        if best is not None and best_score >= 0.5:
            raise self.refuse(name, _("“%(name)s” looks like “%(part)s” but lacks the columns %(columns)s.",
                                      name=shorten(name), part=CSV_NAMES[best].removesuffix(".csv"),
                                      columns=", ".join(f"“{c.strip()}”" for c in best_missing)))
        if alone:
            raise self.refuse(name, _("“%(name)s” is not an EITI Part file: its first row does not hold the "
                                      "column names of any Part of the Summary Data Template.", name=shorten(name)))
        self.add(OK, name, None, None, None, _("“%(name)s” is not an EITI Part file and was left aside.",
                                               name=shorten(name)))
        return None

    def take_csv(self, name: str, part: str, names: list[str], header: list[str],
                 rows: list[tuple[int, list[str]]]) -> None:
        columns = ABOUT_LABELS if part == PART_ABOUT else TABLE_COLUMNS[part]
        known = {_norm(c): c for c in columns}
        extra = {_norm(c): c for c in APPENDED_COLUMNS}
        if part == PART_COMPANY_DATA:
            extra[_norm(COMPANY_DATA_SECTOR)] = COMPANY_DATA_SECTOR
        positions: dict[str, int] = {}
        appended: dict[str, int] = {}
        for position, key in enumerate(names):
            if not key:
                if any(position < len(cells) and cells[position].strip() for _n, cells in rows):
                    self.add(NEEDS_REVIEW, name, 1, None, None, _(
                        "Column %(position)s has values but no name; it was left aside.", position=position + 1))
                continue
            if key in known and known[key] not in positions:
                positions[known[key]] = position
            elif key in extra and extra[key] not in appended:
                appended[extra[key]] = position
            elif key in known or key in extra:
                self.add(NEEDS_REVIEW, name, 1, header[position].strip(), None, _(
                    "The column “%(column)s” appears twice; the first one was read.",
                    column=shorten(header[position].strip())))
            else:
                self.add(NEEDS_REVIEW, name, 1, header[position].strip(), None, _(
                    "The column “%(column)s” is not a column of this Part and was left aside.",
                    column=shorten(header[position].strip())))

        def cell(cells: list[str], position: int | None) -> Cell:
            if position is None or position >= len(cells):
                return EMPTY
            text = cells[position]
            if not text or text.isspace():
                return EMPTY
            return Cell("text", unneutralise(text))

        for column, key in (("Country", "country"), ("ISO Code", "iso"), ("Year", "year"), ("Start Date", "start"),
                            ("End Date", "end")):
            if column not in appended:
                continue
            position, distinct = appended[column], set()
            for number, cells in rows:
                # every row repeats the same few values: each distinct one is judged once, at its first row
                raw = cells[position] if position < len(cells) else ""
                if raw not in distinct:
                    distinct.add(raw)
                    self.identity[key].append((name, number, column, cell(cells, position)))
        if part == PART_ABOUT:
            if len(rows) > 1:
                raise self.refuse(name, _("“%(name)s” holds %(count)s periods; an import holds one.",
                                          name=shorten(name), count=len(rows)))
            self.about = _About(name)
            if rows:
                number, cells = rows[0]
                self.about.values = {label: (number, cell(cells, positions.get(label))) for label in ABOUT_LABELS}
            return
        table = _Table(part, name)
        for number, cells in rows:
            record = {column: cell(cells, positions.get(column)) for column in columns}
            if COMPANY_DATA_SECTOR in appended and part == PART_COMPANY_DATA:
                self.note_sector(number, cell(cells, appended[COMPANY_DATA_SECTOR]), record["Company"])
            table.rows.append((number, record))
        self.tables[part] = table

    def note_sector(self, row: int, sector: Cell, company: Cell) -> None:
        if self.workbook is None:
            self.workbook = _Workbook()
        self.workbook.sectors.append((row, sector, company))

    # ---- workbook ------------------------------------------------------------------------------------
    def read_workbook(self, name: str, data: bytes, archive: zipfile.ZipFile) -> None:
        from openpyxl import load_workbook

        try:
            with warnings.catch_warnings():
                # openpyxl warns about features it drops (data validation extensions…): not our concern
                warnings.simplefilter("ignore")
                workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception:  # openpyxl raises many unrelated types for damaged files
            raise self.refuse(name, _("The workbook “%(name)s” is damaged and cannot be opened.",
                                      name=shorten(name))) from None
        try:
            sheet_names = list(workbook.sheetnames)
            parts_present = [s for s in SHEETS[1:6] if s in sheet_names]
            if not parts_present:
                raise self.refuse(name, _("“%(name)s” is not an EITI Summary Data Template v2.0: it has none of the "
                                          "sheets %(sheets)s.", name=shorten(name),
                                          sheets=", ".join(f"“{s}”" for s in SHEETS[1:6])))
            for sheet in SHEETS:
                if sheet not in sheet_names:
                    self.add(NEEDS_REVIEW if sheet in SHEETS[1:6] else OK, sheet, None, None, None, _(
                        "The workbook has no sheet “%(sheet)s”; that Part is read as empty.", sheet=sheet))
            self.workbook = _Workbook()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                grids = {sheet: self.grid(workbook[sheet], archive) for sheet in parts_present}
        except _Refused:
            raise
        except Exception:  # a damaged sheet may fail only while it is read
            raise self.refuse(name, _("The workbook “%(name)s” is damaged and cannot be opened.",
                                      name=shorten(name))) from None
        finally:
            workbook.close()
        if SHEET_ABOUT in grids:
            self.sheet_about(grids[SHEET_ABOUT])
        if SHEET_CHECKLIST in grids:
            self.sheet_checklist(grids[SHEET_CHECKLIST])
        if SHEET_ENTITIES in grids:
            self.sheet_tables(SHEET_ENTITIES, grids[SHEET_ENTITIES],
                              (PART_GOVERNMENT_ENTITIES, PART_COMPANIES, PART_PROJECTS))
        if SHEET_REVENUES in grids:
            self.sheet_tables(SHEET_REVENUES, grids[SHEET_REVENUES], (PART_GOVERNMENT_REVENUES,))
        if SHEET_COMPANY_DATA in grids:
            self.sheet_tables(SHEET_COMPANY_DATA, grids[SHEET_COMPANY_DATA], (PART_COMPANY_DATA,))

    def grid(self, ws, archive: zipfile.ZipFile) -> dict[int, dict[int, Cell]]:
        """The non-empty cells of a sheet: row → column → cell (1-based), bounded by the limits.

        Only the cells present in the sheet's XML are visited (openpyxl's ``iter_rows`` would pad
        every row to its widest), so a crafted sheet cannot make the reader slow.
        """
        path = getattr(ws, "_worksheet_path", None)
        no_result = (set(_formulas_without_value(archive, path))
                     if path in archive.namelist() and _has_formula_tags(archive, path) else set())
        grid: dict[int, dict[int, Cell]] = {}
        row_limit = 3 * self.limits.max_rows + 1000
        for count, (row_number, present) in enumerate(_sheet_rows(ws), start=1):
            if count > row_limit:
                raise self.refuse(ws.title, _("The sheet “%(sheet)s” has more than %(limit)s rows.",
                                              sheet=ws.title, limit=f"{row_limit:,}".replace(",", " ")))
            cells: dict[int, Cell] = {}
            for source in present:
                position = source.column
                cell = _workbook_cell(source)
                if cell.kind == "empty" and (row_number, position) in no_result:
                    cell = Cell("no_result")
                if cell.kind == "empty":
                    continue
                if position > self.limits.max_columns:
                    raise self.refuse(ws.title, _("The sheet “%(sheet)s” has values beyond column %(limit)s.",
                                                  sheet=ws.title, limit=self.limits.max_columns))
                cells[position] = cell
            if cells:
                grid[row_number] = cells
        return grid

    def sheet_about(self, grid: dict[int, dict[int, Cell]]) -> None:
        labels = {_norm(label): label for label in ABOUT_LABELS}
        about = _About(SHEET_ABOUT)
        for row in sorted(grid):
            label_cell = grid[row].get(layout.ABOUT_LABEL_COLUMN)
            if label_cell is None or label_cell.kind != "text":
                continue
            label = labels.get(_norm(label_cell.text))
            if label is None:
                continue
            if label in about.values:
                self.add(NEEDS_REVIEW, SHEET_ABOUT, row, label, None, _(
                    "The label “%(label)s” appears again on this row; the first one was read.", label=label))
                continue
            about.values[label] = (row, grid[row].get(layout.ABOUT_VALUE_COLUMN, EMPTY))
        if not about.values:
            self.add(NEEDS_REVIEW, SHEET_ABOUT, None, None, None, _(
                "No label of Part 1 was found in column C; Part 1 is read as empty."))
            return
        self.about = about

    def sheet_checklist(self, grid: dict[int, dict[int, Cell]]) -> None:
        assert self.workbook is not None
        self.workbook.has_checklist_sheet = True
        requirement = EMPTY
        for row in sorted(grid):
            if row < layout.CHECKLIST_FIRST_ROW:
                continue
            label = grid[row].get(layout.CHECKLIST_LABEL_COLUMN, EMPTY)
            answer = grid[row].get(layout.CHECKLIST_ANSWER_COLUMN, EMPTY)
            source = grid[row].get(layout.CHECKLIST_SOURCE_COLUMN, EMPTY)
            if (label.kind == "text" and label.text.strip().casefold().startswith(REQUIREMENT_PREFIX.casefold())
                    and answer.kind == "empty" and source.kind == "empty"):
                requirement = label
                continue
            if label.kind == answer.kind == source.kind == "empty":
                continue
            self.workbook.checklist.append((row, {"requirement": requirement, "label": label, "answer": answer,
                                                  "source": source}))

    def sheet_tables(self, sheet: str, grid: dict[int, dict[int, Cell]], parts: tuple[str, ...]) -> None:
        """Find each Part's header row by its column names and read the rows below it."""
        found: dict[str, tuple[int, dict[str, int]]] = {}
        for row in sorted(grid):
            texts: dict[str, int] = {}
            for column, cell in sorted(grid[row].items()):
                if cell.kind == "text":
                    texts.setdefault(_norm(cell.text), column)
            for part in parts:
                if part in found:
                    continue
                wanted = {c: _norm(c) for c in TABLE_COLUMNS[part]}
                if all(n in texts for n in wanted.values()):
                    positions = {c: texts[n] for c, n in wanted.items()}
                    if part == PART_COMPANY_DATA and _norm(COMPANY_DATA_SECTOR) in texts:
                        positions[COMPANY_DATA_SECTOR] = texts[_norm(COMPANY_DATA_SECTOR)]
                    found[part] = (row, positions)
        header_rows = sorted(row for row, _p in found.values())
        titles = {_norm(t) for t in TABLE_TITLES}
        for part in parts:
            if part not in found:
                self.add(NEEDS_REVIEW, sheet, None, None, None, _(
                    "The header row of “%(part)s” was not found on this sheet; that Part is read as empty.",
                    part=PART_LABELS[part]))
                continue
            if part in self.tables:
                raise self.refuse(sheet, _("“%(part)s” is given twice. Give each Part once.", part=PART_LABELS[part]))
            header_row, positions = found[part]
            end = min((r for r in header_rows if r > header_row), default=max(grid) + 1)
            table = _Table(part, sheet)
            for row in range(header_row + 1, end):
                cells = grid.get(row, {})
                record = {column: cells.get(position, EMPTY) for column, position in positions.items()}
                shown = [c for c in record.values() if c.kind != "empty"]
                if not shown:
                    continue
                if len(shown) == 1 and shown[0].kind == "text" and _norm(shown[0].text) in titles:
                    continue
                if part == PART_GOVERNMENT_REVENUES and record[GFS_COLUMN].kind == "empty" and any(
                        _is_total_label(c) for c in cells.values()):
                    self.totals_below(sheet, grid, row, end, positions)
                    break
                if len(table.rows) >= self.limits.max_rows:
                    raise self.refuse(sheet, _("“%(part)s” has more than %(limit)s rows, the most one Part may hold.",
                                               part=PART_LABELS[part],
                                               limit=f"{self.limits.max_rows:,}".replace(",", " ")))
                if part == PART_COMPANY_DATA and COMPANY_DATA_SECTOR in record:
                    self.note_sector(row, record.pop(COMPANY_DATA_SECTOR), record["Company"])
                table.rows.append((row, record))
            self.tables[part] = table

    def totals_below(self, sheet: str, grid: dict[int, dict[int, Cell]], first: int, end: int,
                     positions: dict[str, int]) -> None:
        assert self.workbook is not None
        value_column = positions["Revenue value"]
        for row in range(first, end):
            for column, cell in grid.get(row, {}).items():
                if _is_total_label(cell) and column != value_column:
                    self.workbook.totals.append((row, cell.text.strip(), grid[row].get(value_column, EMPTY)))
                    break

    # ---- values --------------------------------------------------------------------------------------
    def text(self, sheet: str, row: int, column: str, cell: Cell, *, identifier: bool = False) -> str | None:
        if cell.kind == "empty":
            return None
        if cell.kind == "no_result":
            self.add(NEEDS_REVIEW, sheet, row, column, None, _(
                "The formula in this cell has no saved result, so its value is unknown. Open the file in Excel, "
                "save it, and import it again."))
            return None
        if cell.kind == "error":
            self.add(NEEDS_REVIEW, sheet, row, column, cell.text, _(
                "The cell shows the Excel error %(error)s; it was read as blank.", error=cell.text))
            return None
        if cell.kind == "number":
            assert cell.number is not None
            if identifier:
                self.add(NEEDS_REVIEW, sheet, row, column, number_text(cell.number), _(
                    "This identifier is a number in the workbook, so leading zeros may be lost. Check it, and "
                    "format the column as text."))
            return number_text(cell.number)
        text = cell.text.strip()
        if not text:
            return None
        if text[0] == "<" and re.fullmatch(r"<[^<>]*>", text):
            self.add(OK, sheet, row, column, text, _("Template placeholder text was dropped; the cell is blank."))
            return None
        if len(text) == 13 or len(text) == 14:
            for sentinel in SENTINELS:
                if text.casefold() == sentinel.casefold():
                    return sentinel
        elif len(text) <= 4 and text.casefold() in ("n/a", "na", "n.a.", "-", "–", "—"):
            self.add(NEEDS_REVIEW, sheet, row, column, text, _(
                "“%(value)s” may mean Not applicable or Not available; it was kept as written. Write one of them.",
                value=shorten(text)))
        return text

    def number(self, sheet: str, row: int, column: str, cell: Cell, *, money: bool,
               language: str | None = None) -> str | None:
        """An amount (money: 2 decimals) or a quantity, exactly; other text is kept and needs review."""
        if cell.kind == "number":
            assert cell.number is not None
            return self.checked_number(sheet, row, column, cell.number, number_text(cell.number), money=money)
        if cell.kind == "date":
            self.add(NEEDS_REVIEW, sheet, row, column, cell.text, _(
                "A date is not an amount; it was kept as written."))
            return cell.text
        text = self.text(sheet, row, column, cell)
        if text is None or text in SENTINELS:
            return text
        written = text
        negative = False
        if re.fullmatch(r"\(\s*[^()]*\s*\)", text):
            # accountants' negative: (500) is -500
            negative, text = True, text[1:-1].strip()
            if text[:1] in "-\u2212+":
                self.add(NEEDS_REVIEW, sheet, row, column, written, _(
                    "“%(value)s” is not a number; it was kept as written.", value=shorten(written)))
                return written
        try:
            number = parse_decimal(text, language or self.language, max_decimals=None)
        except NumberError as error:
            self.add(NEEDS_REVIEW, sheet, row, column, written,
                     number_error_message(error) + " " + _("The text was kept as written."))
            return written
        if language is None and re.fullmatch(r"[+\-\u2212]?[1-9][0-9]{0,2}[.,][0-9]{3}", text):
            mark = "," if "," in text else "."
            left, right = text.lstrip("+-\u2212").split(mark)
            self.add(NEEDS_REVIEW, sheet, row, column, written, _(
                "“%(value)s” can be read as %(one)s or as %(other)s; it was read as %(read)s. Check it.",
                value=written, one=left + right, other=f"{left}.{right}", read=format(number, "f")))
        if negative:
            number = -number
        return self.checked_number(sheet, row, column, number, written, money=money)

    def checked_number(self, sheet: str, row: int, column: str, number: Decimal, written: str, *,
                       money: bool) -> str:
        if not number.is_finite() or abs(number) >= Decimal(10) ** 15:
            self.add(NEEDS_REVIEW, sheet, row, column, written, _(
                "“%(value)s” is not a usable amount (too large or not finite); it was kept as written.",
                value=shorten(written)))
            return written
        if not money:
            return number_text(number)
        if number.as_tuple().exponent < -2 and number != number.quantize(Decimal("0.01")):  # type: ignore[operator]
            self.add(NEEDS_REVIEW, sheet, row, column, written, _(
                "“%(value)s” has more than 2 decimals. It was kept exactly as written, never rounded; check it.",
                value=shorten(written)))
            return format(number, "f")
        return money_text(number.quantize(Decimal("0.01")) if number.as_tuple().exponent < -2 else number)

    def date(self, sheet: str, row: int, column: str, cell: Cell) -> tuple[str | None, bool]:
        """(ISO date or the text as written, whether it is a date)."""
        if cell.kind == "date":
            return cell.text, True
        if cell.kind == "number":
            return (number_text(cell.number) if cell.number is not None else None), False
        text = self.text(sheet, row, column, cell)
        if text is None or text in SENTINELS:
            return text, text is None
        parsed, ambiguous = _parse_date(text)
        if parsed is None:
            return text, False
        if ambiguous:
            self.once(("date", sheet, column, text), NEEDS_REVIEW, sheet, row, column, text, _(
                "“%(value)s” can be a day/month or a month/day date; it was read as month/day (%(date)s), as in "
                "EITI's files. Check it.", value=text, date=parsed))
        return parsed, True

    # ---- Parts ---------------------------------------------------------------------------------------
    def build(self) -> Parts | None:
        start, end = self.period()
        about = self.build_about()
        tables = {part: self.build_table(part) for part in TABLE_COLUMNS}
        checklist = self.build_checklist()
        currency = self.currency(about, tables)
        if self.blocked:
            return None
        if self.about is None:
            # Part 1 from the identity columns of the Part CSVs
            about = {label: None for label in ABOUT_LABELS}
            about[LABEL_COUNTRY] = self.first_identity("country")
            about[LABEL_ISO3] = self.first_identity("iso")
        about[LABEL_START], about[LABEL_END] = start, end
        parts = Parts(year=self.year, start_date=start, end_date=end, country=COUNTRY, iso3=ISO3, currency=currency,
                      about=about, checklist=checklist, **tables)
        self.cross_checks(parts)
        try:
            return complete(parts)
        except ValueError as error:  # cannot happen with the dates set above; kept as a guard
            self.add(BLOCKED, None, None, None, None, str(error))
            return None

    def first_identity(self, key: str) -> str | None:
        for sheet, row, column, cell in self.identity[key]:
            value = self.text(sheet, row, column, cell)
            if value is not None:
                return value
        return None

    def build_about(self) -> dict[str, str | None]:
        about: dict[str, str | None] = {label: None for label in ABOUT_LABELS}
        if self.about is None:
            return about
        sheet = self.about.sheet
        for label in ABOUT_LABELS:
            row, cell = self.about.values.get(label, (None, EMPTY))
            if row is None:
                continue
            if label in (LABEL_COUNTRY, LABEL_ISO3):
                about[label] = self.text(sheet, row, label, cell)
            elif label in (LABEL_START, LABEL_END):
                continue  # read with the period
            elif label in DATE_LABELS:
                value, is_date = self.date(sheet, row, label, cell)
                if not is_date:
                    self.add(NEEDS_REVIEW, sheet, row, label, value, _(
                        "“%(value)s” is not a date; it was kept as written.", value=shorten(str(value))))
                about[label] = value
            elif label in PERCENT_LABELS:
                if cell.kind == "number" and cell.number is not None:
                    about[label] = percent_text(float(cell.number))
                else:
                    about[label] = self.text(sheet, row, label, cell)
            elif label == LABEL_RATE:
                about[label] = self.rate(sheet, row, cell)
            elif label in COUNT_LABELS:
                value = self.number(sheet, row, label, cell, money=False)
                if value is not None and value not in SENTINELS and not re.fullmatch(r"[0-9]+", value):
                    self.add(NEEDS_REVIEW, sheet, row, label, value, _(
                        "“%(value)s” is not a whole number of entities; it was kept as written.",
                        value=shorten(value)))
                about[label] = value
            else:
                about[label] = self.text(sheet, row, label, cell)
        return about

    def rate(self, sheet: str, row: int, cell: Cell) -> str | None:
        language = _decimal_mark([cell.text]) if cell.kind == "text" else None
        value = self.number(sheet, row, LABEL_RATE, cell, money=False, language=language)
        if value is None:
            self.add(NEEDS_REVIEW, sheet, row, LABEL_RATE, None, _(
                "The exchange rate is blank, so no amount can be shown in USD."))
        elif usable_rate(value) is None:
            self.add(NEEDS_REVIEW, sheet, row, LABEL_RATE, value, _(
                "The exchange rate “%(value)s” is not a number above zero (1 USD = X %(currency)s), so no amount "
                "can be shown in USD.", value=shorten(value), currency=CURRENCY))
        return value

    def build_checklist(self) -> list[dict[str, str | None]]:
        if self.workbook is None:
            return []
        rows = []
        for row, cells in self.workbook.checklist:
            item = {key: self.text(SHEET_CHECKLIST, row, key, cells[key]) for key in CHECKLIST_KEYS}
            answer = item["answer"]
            if answer is not None:
                canonical = next((v for v in INCLUSION_VALUES if v.casefold() == answer.casefold()), None)
                if canonical is None:
                    self.add(OK, SHEET_CHECKLIST, row, "answer", answer, _(
                        "“%(value)s” is not one of the inclusion values (%(values)s); it is not counted in the Part 1 "
                        "percentages.", value=shorten(answer), values=", ".join(INCLUSION_VALUES)))
                else:
                    item["answer"] = canonical
            rows.append(item)
        return rows

    def build_table(self, part: str) -> list[dict[str, str | None]]:
        table = self.tables.get(part)
        if table is None:
            return []
        sheet = table.sheet
        money = MONEY_COLUMNS.get(part, ())
        quantities = QUANTITY_COLUMNS.get(part, ())
        identifiers = IDENTIFIER_COLUMNS.get(part, ())
        language = _decimal_mark([cells[c].text for _r, cells in table.rows for c in money + quantities
                                  if c in cells and cells[c].kind == "text"])
        seen: dict[tuple, int] = {}
        rows = []
        for row, cells in table.rows:
            record: dict[str, str | None] = {}
            for column in TABLE_COLUMNS[part]:
                cell = cells.get(column, EMPTY)
                if column in money:
                    record[column] = self.number(sheet, row, column, cell, money=True, language=language)
                elif column in quantities:
                    record[column] = self.number(sheet, row, column, cell, money=False, language=language)
                elif column == GFS_COLUMN:
                    record[column] = self.gfs(sheet, row, cell)
                else:
                    record[column] = self.text(sheet, row, column, cell, identifier=column in identifiers)
            name = ROW_NAMES[part]
            if record[name] is None and part != PART_GOVERNMENT_REVENUES:
                self.add(BLOCKED, sheet, row, name, None, _(
                    "The row has no “%(column)s”; a row cannot be stored without it.", column=name))
            elif record[name] is None:
                self.add(NEEDS_REVIEW, sheet, row, name, None, _("The revenue stream has no name."))
            key = tuple(record[c] for c in ROW_KEYS[part])
            if key in seen:
                self.add(BLOCKED, sheet, row, ROW_KEYS[part][0], record[ROW_KEYS[part][0]], _(
                    "This row repeats row %(row)s (same %(columns)s). Remove the duplicate or tell the rows apart; "
                    "rows are never added twice.", row=seen[key], columns=", ".join(f"“{c}”" for c in ROW_KEYS[part])))
            else:
                seen[key] = row
            rows.append(record)
        return rows

    def gfs(self, sheet: str, row: int, cell: Cell) -> str | None:
        text = self.text(sheet, row, GFS_COLUMN, cell)
        if text is None or text in SENTINELS:
            if text is None:
                self.add(NEEDS_REVIEW, sheet, row, GFS_COLUMN, None, _("The revenue stream has no GFS classification."))
            return text
        names = gfs_names()
        match = re.fullmatch(r"(.*?)\s*\(\s*([0-9]{2,}E[0-9]*)\s*\)", text)
        code = match.group(2) if match else (text if text in names else None)
        if code is None:
            self.add(NEEDS_REVIEW, sheet, row, GFS_COLUMN, text, _(
                "“%(value)s” has no GFS code; write it as Name (code), e.g. Royalties (1415E1).", value=shorten(text)))
            return text
        if code not in names:
            self.add(NEEDS_REVIEW, sheet, row, GFS_COLUMN, text, _(
                "The GFS code %(code)s is not in the EITI classification.", code=code))
            return text
        if code in gfs_headings():
            self.add(NEEDS_REVIEW, sheet, row, GFS_COLUMN, text, _(
                "%(code)s is a heading of the GFS classification; classify the stream under one of its codes.",
                code=code))
        if not match or not match.group(1):
            return gfs_label(code)
        if match.group(1) != names[code]:
            self.once(("gfs", text), OK, sheet, row, GFS_COLUMN, text, _(
                "The name differs from the EITI name of %(code)s (“%(name)s”); it was kept as written.",
                code=code, name=names[code]))
        return text

    def currency(self, about: dict[str, str | None], tables: dict[str, list[dict[str, str | None]]]) -> str:
        currency = about.get(LABEL_REPORTING_CURRENCY)
        where: tuple[str | None, int | None, str] = (None, None, LABEL_REPORTING_CURRENCY)
        if currency is None:
            for part, column in ((PART_GOVERNMENT_REVENUES, "Currency"), (PART_COMPANY_DATA, "Reporting currency")):
                for index, row in enumerate(tables[part]):
                    if row[column]:
                        currency = row[column]
                        table = self.tables[part]
                        where = (table.sheet, table.rows[index][0], column)
                        break
                if currency:
                    break
        elif self.about is not None:
            where = (self.about.sheet, self.about.values[LABEL_REPORTING_CURRENCY][0], LABEL_REPORTING_CURRENCY)
        currency = (currency or CURRENCY).strip()
        if currency != CURRENCY:
            self.add(NEEDS_REVIEW, where[0], where[1], where[2], currency, _(
                "The data is in %(currency)s, not in %(expected)s, the portal's reporting currency. Check that this "
                "is the data you mean to import.", currency=currency, expected=CURRENCY))
        for part, column, grade in ((PART_GOVERNMENT_REVENUES, "Currency", NEEDS_REVIEW),
                                    (PART_COMPANY_DATA, "Reporting currency", OK)):
            table = self.tables.get(part)
            for index, row in enumerate(tables[part]):
                if row[column] and row[column] != currency:
                    self.add(grade, table.sheet if table else None, table.rows[index][0] if table else None, column,
                             row[column], _("This amount is in %(other)s, not in %(currency)s: totals in %(currency)s "
                                            "are not available.", other=row[column], currency=currency))
        return currency

    def period(self) -> tuple[str, str]:
        """Check country and period; the (start, end) dates of the period."""
        if self.about is not None:
            for key, label in (("country", LABEL_COUNTRY), ("iso", LABEL_ISO3), ("start", LABEL_START),
                               ("end", LABEL_END)):
                row, cell = self.about.values.get(label, (None, EMPTY))
                if row is not None:
                    self.identity[key].append((self.about.sheet, row, label, cell))
        for key, seen in self.identity.items():
            # every row of a CSV repeats the same few values: judge each distinct one once
            distinct: dict[tuple[str, str, str, str], tuple[str, int, str, Cell]] = {}
            for sheet, row, column, cell in seen:
                distinct.setdefault((sheet, column, cell.kind, cell.text), (sheet, row, column, cell))
            self.identity[key] = list(distinct.values())
        isos = [(s, r, c, self.text(s, r, c, cell)) for s, r, c, cell in self.identity["iso"]]
        kgz_sheets = {s for s, _r, _c, value in isos if value and value.upper() == ISO3}
        for sheet, row, column, value in isos:
            if value and value.upper() != ISO3:
                self.once(("iso", sheet, value), BLOCKED, sheet, row, column, value, _(
                    "This file is about %(value)s, not about the Kyrgyz Republic (%(iso)s). Only the Kyrgyz "
                    "Republic's data can be imported.", value=value, iso=ISO3))
        for sheet, row, column, cell in self.identity["country"]:
            value = self.text(sheet, row, column, cell)
            if value and value.casefold() not in COUNTRY_NAMES:
                self.once(("country", sheet, value), NEEDS_REVIEW if sheet in kgz_sheets else BLOCKED, sheet, row,
                          column, value, _("This file is about “%(value)s”, not about the Kyrgyz Republic. Only the "
                                           "Kyrgyz Republic's data can be imported.", value=shorten(value)))
        if not self.identity["iso"] and not self.identity["country"] and (self.tables or self.about):
            self.add(NEEDS_REVIEW, None, None, None, None, _(
                "The files do not say which country they describe. Check that this is the Kyrgyz Republic's data."))
        for sheet, row, column, cell in self.identity["year"]:
            value = self.number(sheet, row, column, cell, money=False) if cell.kind != "empty" else None
            if value is not None and value != str(self.year):
                self.once(("year", sheet, value), BLOCKED, sheet, row, column, value, _(
                    "This file is for the year %(value)s, not for %(year)s.", value=value, year=self.year))
        dates: dict[str, dict[str, tuple[str, int, str]]] = {"start": {}, "end": {}}
        for key in ("start", "end"):
            for sheet, row, column, cell in self.identity[key]:
                value, is_date = self.date(sheet, row, column, cell)
                if value is None:
                    continue
                if not is_date:
                    self.once((key, sheet, value), BLOCKED, sheet, row, column, value, _(
                        "“%(value)s” is not a date. Write dates like 2025-01-01.", value=shorten(str(value))))
                    continue
                dates[key].setdefault(value, (sheet, row, column))
        for key in ("start", "end"):
            if len(dates[key]) > 1:
                values = sorted(dates[key])
                sheet, row, column = dates[key][values[1]]
                self.add(BLOCKED, sheet, row, column, values[1], _(
                    "The files hold more than one period (%(dates)s). Import one period at a time.",
                    dates=", ".join(values)))
        start = min(dates["start"], default=None)
        end = min(dates["end"], default=None)
        if end is not None and int(end[:4]) != self.year:
            sheet, row, column = dates["end"][end]
            self.once(("end-year", end), BLOCKED, sheet, row, column, end, _(
                "The period ends on %(date)s, so it is the fiscal year %(found)s, not %(year)s.", date=end,
                found=end[:4], year=self.year))
        if start is not None and end is not None and start > end:
            sheet, row, column = dates["start"][start]
            self.add(BLOCKED, sheet, row, column, start, _("The period starts after it ends (%(start)s – %(end)s).",
                                                           start=start, end=end))
        if start is None or end is None:
            self.add(NEEDS_REVIEW, None, None, None, None, _(
                "The files do not give the dates of the period; the calendar year %(year)s was assumed.",
                year=self.year))
        return start or f"{self.year}-01-01", end or f"{self.year}-12-31"

    def cross_checks(self, parts: Parts) -> None:
        """Consistency of the Parts with each other and with the totals the files state."""
        def where(part: str, index: int) -> tuple[str, int]:
            table = self.tables[part]
            return table.sheet, table.rows[index][0]

        companies = {row["Full company name"] for row in parts.companies}
        if parts.companies:
            for index, row in enumerate(parts.company_data):
                if row["Company"] is not None and row["Company"] not in companies:
                    sheet, number = where(PART_COMPANY_DATA, index)
                    self.once(("company", row["Company"]), NEEDS_REVIEW, sheet, number, "Company", row["Company"], _(
                        "This company is not in Part 3's list of reporting companies."))
        entities = {row["Full name of agency"] for row in parts.government_entities}
        if parts.government_entities:
            for index, row in enumerate(parts.government_revenues):
                if row["Government entity"] is not None and row["Government entity"] not in entities:
                    sheet, number = where(PART_GOVERNMENT_REVENUES, index)
                    self.once(("entity", row["Government entity"]), OK, sheet, number, "Government entity",
                              row["Government entity"], _("This government entity is not in Part 3's list."))
        streams = {row["Revenue stream name"] for row in parts.government_revenues}
        if parts.government_revenues:
            for index, row in enumerate(parts.company_data):
                if row["Revenue stream name"] is not None and row["Revenue stream name"] not in streams:
                    sheet, number = where(PART_COMPANY_DATA, index)
                    self.once(("stream", row["Revenue stream name"]), OK, sheet, number, "Revenue stream name",
                              row["Revenue stream name"], _("This revenue stream is not in Part 4."))
        for part, column, name_column, total_of in (
                (PART_GOVERNMENT_ENTITIES, ENTITY_TOTAL, "Full name of agency", layout.entity_total),
                (PART_COMPANIES, COMPANY_TOTAL, "Full company name", layout.company_total)):
            for index, row in enumerate(parts.rows(part)):
                given = layout.plain_decimal(row[column])
                total = total_of(parts, row[name_column])
                if given is not None and total is not None and given != total:
                    sheet, number = where(part, index)
                    self.add(NEEDS_REVIEW, sheet, number, column, row[column], _(
                        "The total %(given)s differs from the sum of the rows, %(sum)s.", given=row[column],
                        sum=money_text(total)))
        if self.workbook is not None:
            self.check_totals(parts)
            self.check_percentages(parts)
            self.check_sectors(parts)

    def check_totals(self, parts: Parts) -> None:
        assert self.workbook is not None
        total = layout.revenue_total(parts)
        rate = usable_rate(parts.about.get(LABEL_RATE))
        usd = to_usd(total, rate) if total is not None and rate is not None else None
        for row, label, cell in self.workbook.totals:
            currency = label[len(TOTAL_PREFIX):].strip()
            expected = total if currency == parts.currency else usd if currency == "USD" else None
            if currency not in (parts.currency, "USD"):
                continue
            value = self.number(SHEET_REVENUES, row, label, cell, money=True) if cell.kind != "empty" else None
            stated = layout.plain_decimal(value)
            if stated is None and expected is None:
                continue
            if stated != expected:
                self.add(NEEDS_REVIEW, SHEET_REVENUES, row, label, value, _(
                    "“%(label)s” is %(value)s, but the rows give %(expected)s. The totals are recomputed from the "
                    "rows.", label=label, value=value or "—",
                    expected=NOT_AVAILABLE if expected is None else money_text(expected)))

    def check_percentages(self, parts: Parts) -> None:
        assert self.workbook is not None
        if self.about is None or not self.workbook.has_checklist_sheet:
            return
        ratios = layout.inclusion_ratios(parts)
        if ratios is None:
            return
        for label in PERCENT_LABELS:
            row, _cell = self.about.values.get(label, (None, EMPTY))
            value = parts.about.get(label)
            if value is not None and value != percent_text(ratios[label]):
                self.add(NEEDS_REVIEW, SHEET_ABOUT, row, label, value, _(
                    "Part 1 gives %(value)s, but the answers of Part 2 give %(expected)s.", value=value,
                    expected=percent_text(ratios[label])))

    def check_sectors(self, parts: Parts) -> None:
        assert self.workbook is not None
        sectors: dict[str, str | None] = {}
        for company in parts.companies:
            sectors.setdefault(company["Full company name"] or "", company["Sector"])
        for row, sector, company in self.workbook.sectors:
            given = sector.text.strip() if sector.kind == "text" else (
                number_text(sector.number) if sector.number is not None else None)
            name = company.text.strip() if company.kind == "text" else None
            if given and name and given != sectors.get(name):
                self.once(("sector",), OK, SHEET_COMPANY_DATA, row, COMPANY_DATA_SECTOR, given, _(
                    "Part 5's Sector column is not read: the template fills it with the wrong Part 3 column. Each "
                    "company's Sector is taken from Part 3."))
                return


# --- helpers --------------------------------------------------------------------------------------------
def _size(limit: int) -> str:
    mib = 1024 * 1024
    return f"{limit // mib} MB" if limit >= mib and limit % mib == 0 else f"{limit:,} bytes".replace(",", " ")


def _is_total_label(cell: Cell) -> bool:
    """``Total in KGS``, ``Total in USD`` … (the rows below Part 4)."""
    return cell.kind == "text" and re.fullmatch(_norm(TOTAL_PREFIX) + r" [a-z]{3}", _norm(cell.text)) is not None


def _decimal_mark(texts: list[str]) -> str | None:
    """The number language a file's own amounts prove ("en": "." is the decimal mark, "ru": ","), if any.

    ``1234.5``, ``-500.00``, ``1,234.50`` prove "."; ``1234,5`` and ``1 234,50`` prove ","; ``1,234``
    and ``1.234`` prove nothing. Files that prove both, or neither, leave it to the user's language.
    """
    marks = set()
    for text in texts:
        body = text.strip().strip("()").lstrip("+-\u2212").strip()
        if not re.fullmatch(r"[0-9][0-9., \u00a0\u202f]*", body):
            continue
        if "." in body and "," in body:
            marks.add(body[max(body.rfind("."), body.rfind(","))])
        elif any(space in body for space in " \u00a0\u202f"):
            if "," in body:
                marks.add(",")
            elif "." in body:
                marks.add(".")
        else:
            for mark in ".,":
                if body.count(mark) == 1:
                    left, right = body.split(mark)
                    if len(right) != 3 or len(left) > 3 or left.startswith("0"):
                        marks.add(mark)
    if len(marks) != 1:
        return None
    return "en" if marks == {"."} else "ru"


def _safe_member_name(name: str) -> bool:
    """A zip member name that stays inside the archive: relative, no "..", no drive or backslash."""
    if not name or name.startswith(("/", "\\")) or "\\" in name or "\x00" in name:
        return False
    if re.match(r"[A-Za-z]:", name):
        return False
    return all(part not in ("..",) for part in name.split("/"))


def _ignored_name(name: str) -> bool:
    """Files that archive programs add (macOS resource forks, Finder and Windows metadata)."""
    parts = PurePosixPath(name).parts
    return any(part == "__MACOSX" for part in parts) or parts[-1].startswith(".") or parts[-1] in (
        "Thumbs.db", "desktop.ini")


_DATE_PATTERNS = (
    (re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})"), "ymd"),
    (re.compile(r"([0-9]{4})/([0-9]{1,2})/([0-9]{1,2})"), "ymd"),
    (re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})"), "us"),
    (re.compile(r"([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{4})"), "dmy"),
)


def _parse_date(text: str) -> tuple[str | None, bool]:
    """(ISO date, ambiguous) of the date forms seen in EITI files; (None, False) for anything else."""
    value = text.strip()
    if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9:.]+", value):
        value = value[:10]
    for pattern, order in _DATE_PATTERNS:
        match = pattern.fullmatch(value)
        if not match:
            continue
        a, b, c = (int(g) for g in match.groups())
        ambiguous = False
        if order == "ymd":
            year, month, day = a, b, c
        elif order == "dmy":
            day, month, year = a, b, c
        else:
            # EITI's bulk files write US month/day/year (Mongolia 2019: 12/31/2019)
            if a > 12 >= b:
                day, month, year = a, b, c
            else:
                month, day, year = a, b, c
                ambiguous = a != b and a <= 12 and b <= 12
        try:
            return dt.date(year, month, day).isoformat(), ambiguous
        except ValueError:
            return None, False
    return None, False


def _sheet_rows(ws):
    """(row number, cells present in the XML) of a read-only worksheet, without openpyxl's padding."""
    from openpyxl.cell.read_only import ReadOnlyCell
    from openpyxl.worksheet._reader import WorkSheetParser

    workbook = ws.parent
    with ws._get_source() as source:
        parser = WorkSheetParser(source, ws._shared_strings, data_only=True, epoch=workbook.epoch,
                                 date_formats=workbook._date_formats, timedelta_formats=workbook._timedelta_formats)
        for row_number, cells in parser.parse():
            yield row_number, [ReadOnlyCell(ws, **cell) for cell in cells]


def _workbook_cell(source) -> Cell:
    value = getattr(source, "value", None)
    if value is None:
        return EMPTY
    if getattr(source, "data_type", None) == "e":
        return Cell("error", str(value))
    if isinstance(value, bool):
        return Cell("text", "TRUE" if value else "FALSE")
    if isinstance(value, (int, float)):
        try:
            number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        except InvalidOperation:
            return Cell("text", repr(value))
        return Cell("number", repr(value), number)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return Cell("date", value.date().isoformat())
        return Cell("text", value.isoformat(sep=" ", timespec="seconds"))
    if isinstance(value, dt.date):
        return Cell("date", value.isoformat())
    if isinstance(value, (dt.time, dt.timedelta)):
        return Cell("text", str(value))
    return _text_cell(str(value))


def _run(reader: _Reader, action) -> ImportResult:
    try:
        action()
        if not reader.blocked and not reader.tables and reader.about is None:
            reader.add(BLOCKED, None, None, None, None, _(
                "No EITI data was found: no Summary Data Template workbook and no Part CSV."))
    except _Refused:
        pass
    parts = None if reader.blocked else reader.build()
    if reader.blocked:
        parts = None
    return ImportResult(parts=parts, findings=reader.findings, sources=reader.sources)


def read_upload(data: bytes, filename: str, *, year: int, limits: Limits = DEFAULT_LIMITS) -> ImportResult:
    """Read an uploaded SDT workbook, Part CSV or zip of Part CSVs for the fiscal year ``year``."""
    reader = _Reader(year, limits)
    name = PurePosixPath(filename.replace("\\", "/")).name or "upload"
    return _run(reader, lambda: reader.read_file(name, data))


def read_source(path: Path, *, year: int, limits: Limits = DEFAULT_LIMITS) -> ImportResult:
    """Read a workbook, a Part CSV, a zip of Part CSVs or a folder of them (EITI's bulk layout)."""
    reader = _Reader(year, limits)
    path = Path(path)

    def action() -> None:
        if path.is_dir():
            reader.read_folder(path)
            return
        if not path.is_file():
            raise reader.refuse(path.name, _("“%(name)s” is neither a file nor a folder.", name=shorten(str(path))))
        reader.check_size(path.name, path.stat().st_size)
        reader.read_file(path.name, path.read_bytes())

    return _run(reader, action)


__all__ = ["BLOCKED", "NEEDS_REVIEW", "OK", "DEFAULT_LIMITS", "Finding", "ImportResult", "Limits", "read_source",
           "read_upload"]
