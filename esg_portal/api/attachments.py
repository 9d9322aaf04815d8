"""Attachment upload for company filers (an addition to INTERFACES.md §4)."""
from . import bp  # noqa: F401
