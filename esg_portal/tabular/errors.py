"""Errors of tabular uploads: one per offending cell, row or header, and the exceptions that carry them."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from ..errors import PortalError
from ._text import ngettext


@dataclass(frozen=True)
class RowError:
    """One problem in an upload; ``row`` is the 1-based data row (None for file or header errors)."""

    row: int | None
    column: str | None
    value: str | None
    message: str

    def as_dict(self) -> dict[str, object]:
        """The JSON shape of INTERFACES.md §3: exactly row, column, value and message."""
        return {"row": self.row, "column": self.column, "value": self.value, "message": self.message}


class UploadRejected(PortalError):
    """An all-or-nothing upload refused as a whole; ``errors`` lists every problem found."""

    status = 422
    code = "invalid_rows"
    default_message = _l("The file was not accepted. Nothing was saved.")

    def __init__(self, errors: list[RowError]):
        if not errors:
            raise ValueError("UploadRejected needs at least one RowError")
        # file and header errors first, then by row; the sort is stable so each row keeps
        # its errors in column order
        self.errors = sorted(errors, key=lambda e: (e.row is not None, e.row or 0))
        n = len(self.errors)
        super().__init__(ngettext("The file was not accepted: %(num)d error. Nothing was saved.",
                                  "The file was not accepted: %(num)d errors. Nothing was saved.", n))

    def as_dicts(self) -> list[dict[str, object]]:
        """The ``errors`` list of the 422 answer."""
        return [error.as_dict() for error in self.errors]


class TooLarge(PortalError):
    """A file over the byte or row limit; answered with 413."""

    status = 413
    code = "too_large"
    default_message = _l("The file is too large.")
