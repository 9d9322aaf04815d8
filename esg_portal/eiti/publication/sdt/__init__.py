"""The EITI Summary Data Template v2.0: its model, the writer of the workbook and Part CSVs, and the importer."""
from __future__ import annotations

from .findings import BLOCKED, DEFAULT_LIMITS, NEEDS_REVIEW, OK, Finding, ImportResult, Limits
from .importer import read_source, read_upload
from .model import Parts
from .values import complete
from .writer import part_csvs, write_sdt

__all__ = ["BLOCKED", "DEFAULT_LIMITS", "NEEDS_REVIEW", "OK", "Finding", "ImportResult", "Limits", "Parts",
           "complete", "part_csvs", "read_source", "read_upload", "write_sdt"]
