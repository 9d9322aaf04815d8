"""The row shape both file readers hand to the table builder."""
from __future__ import annotations

from dataclasses import dataclass, field

from .errors import RowError, UploadRejected


@dataclass
class RawRow:
    """One row as read from the file, before the header gives its cells names."""

    #: the §3 row number: CSV data-row index or XLSX sheet row − 1; 0 for the header row
    number: int
    cells: list[str]
    #: positions of cells that were XLSX numbers
    numeric: set[int] = field(default_factory=set)
    #: (position, value, message) of cells that cannot be used at all
    problems: list[tuple[int, str | None, str]] = field(default_factory=list)


def reject(message: str) -> UploadRejected:
    """A refusal of the whole file for one file-level reason."""
    return UploadRejected([RowError(None, None, None, message)])
