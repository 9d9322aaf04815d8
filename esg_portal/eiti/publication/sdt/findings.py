"""What the steps of an SDT import share: the grades, ``Finding`` and ``ImportResult``, the
``Limits`` of every reader, the country and currency an import must be about (Kyrgyz
Republic, KGZ, KGS), ``Cell`` (one value as read) and the tables as read, and ``_State``,
the state of one import that every step records its findings in.

Kept in a module of its own so that the steps (``intake``, ``sheets``, ``cells``,
``assemble``) share it without importing one another's classes: they meet only in
``importer._Reader``, which inherits from all of them.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import get_locale

from .model import Parts

BLOCKED, NEEDS_REVIEW, OK = "blocked", "needs_review", "ok"
_SEVERITY = {OK: 0, NEEDS_REVIEW: 1, BLOCKED: 2}
COUNTRY, ISO3, CURRENCY = "Kyrgyz Republic", "KGZ", "KGS"
#: names of the country accepted in a Country column (compared ignoring case)
COUNTRY_NAMES = frozenset(name.casefold() for name in (
    "Kyrgyz Republic", "Kyrgyzstan", "Kyrgyz Rep.", "Кыргызская Республика", "Кыргызстан", "Киргизия",
    "Кыргыз Республикасы"))


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


class _State:
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
