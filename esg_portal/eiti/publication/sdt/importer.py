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

The reader is composed of one part per step, each in its own module: ``intake`` (files,
folders, zips, CSVs), ``sheets`` (the workbook), ``cells`` (the value checks) and
``assemble`` (the Parts and the checks across them); ``findings`` holds what they share.
"""
from __future__ import annotations

from pathlib import Path, PurePosixPath

from ....tabular._text import _, shorten
from .assemble import _Assemble
from .cells import _Cells
from .findings import BLOCKED, DEFAULT_LIMITS, ImportResult, Limits, _Refused
from .intake import _Intake
from .sheets import _Sheets


class _Reader(_Intake, _Sheets, _Cells, _Assemble):
    """One import: the state (``findings._State``) and every step of the reading."""


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
