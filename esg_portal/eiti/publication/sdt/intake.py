"""The intake of an SDT import: a file on its own, a folder or a zip (bounded by the ``Limits``,
members that point outside the archive refused), CSV decoding and delimiter, and the Part a
CSV is, recognised by its header row and never by its file name.

Apart from the workbook's sheets (``sheets``) because a folder or zip of Part CSVs is EITI's
bulk layout and is read without opening any workbook.
"""
from __future__ import annotations

import csv
import io
import os
import re
import zipfile
import zlib
from pathlib import Path, PurePosixPath

from ....tabular._text import _, format_size, shorten
from ....tabular.safe import unneutralise
from .findings import BLOCKED, EMPTY, NEEDS_REVIEW, OK, Cell, _About, _Refused, _State, _Table, _Workbook, _norm
from .model import (
    ABOUT_LABELS, APPENDED_COLUMNS, COMPANY_DATA_SECTOR, CSV_NAMES, PART_ABOUT, PART_COMPANY_DATA, TABLE_COLUMNS,
)

_DATA_SUFFIXES = (".csv", ".txt", ".tsv")
_WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


class _Intake(_State):
    """Files, folders, zips and Part CSVs into ``tables`` and ``about``; a workbook is handed to
    ``read_workbook`` (``sheets``)."""

    # ---- files ---------------------------------------------------------------------------------------
    def check_size(self, name: str, size: int) -> None:
        if size > self.limits.max_file_bytes:
            raise self.refuse(name, _("The file is larger than %(limit)s, the most an import may hold.",
                                      limit=format_size(self.limits.max_file_bytes)), size)

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
                                      name=shorten(name), limit=format_size(self.limits.max_unpacked_bytes)))
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
                                                     "hold.", limit=format_size(self.limits.max_unpacked_bytes)))
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


# --- helpers --------------------------------------------------------------------------------------------
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
