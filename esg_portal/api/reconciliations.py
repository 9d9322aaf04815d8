"""Secretariat endpoints: run a period's reconciliation, read a run's lines (INTERFACES.md §4)."""
from . import bp  # noqa: F401
