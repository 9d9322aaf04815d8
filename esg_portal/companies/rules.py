"""The company register's value rules, written once: used by the services and by the forms.

Each ``clean_*`` function takes raw input, returns the value to store and raises
``RuleViolation`` with a message that says what is wrong and how to fix it. Rules that need
the database (uniqueness) live in ``companies.services``.
"""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from flask_babel import ngettext

from ..money import MoneyError, basis_points_from_percent

INN_LENGTH = 14
#: 100 % in basis points
FULL_SHARE_BP = 10_000
LICENCE_KINDS = ("exploration", "extraction", "prospecting")
LICENCE_STATUSES = ("active", "suspended", "expired")

_SPACES = re.compile(r"[\s\u00a0\u202f]+")
_DIGITS = re.compile(r"^[0-9]+$")
_PERCENT = re.compile(r"^[0-9]+([.,][0-9]+)?$")


class RuleViolation(ValueError):
    """A value breaks a register rule; ``str(error)`` is the translated message."""


def clean_text(value: str | None, *, max_length: int, required: str | None = None) -> str | None:
    """Trimmed text; blank → None, or a violation with the ``required`` message when given."""
    text = (value or "").strip()
    if not text:
        if required:
            raise RuleViolation(required)
        return None
    if len(text) > max_length:
        raise RuleViolation(ngettext("This text is too long: shorten it to at most %(num)d character "
                                     "(it has %(count)d).",
                                     "This text is too long: shorten it to at most %(num)d characters "
                                     "(it has %(count)d).", max_length, count=len(text)))
    return text


def clean_inn(value: str | int | None) -> str:
    """The INN as 14 digits of text; spaces are dropped, leading zeros are kept."""
    if isinstance(value, int) and not isinstance(value, bool):
        # a number has already lost its leading zeros: never guess them back
        raise RuleViolation(_("The INN must be text, not a number: format the column as text so "
                              "leading zeros are kept."))
    text = _SPACES.sub("", value or "")
    if not text:
        raise RuleViolation(_("Enter the company's INN: its 14-digit taxpayer number."))
    if not _DIGITS.match(text) or len(text) != INN_LENGTH:
        raise RuleViolation(_("The INN must have exactly 14 digits (%(count)d characters were entered). "
                              "If you copied it from a spreadsheet, format the column as text so "
                              "leading zeros are kept.", count=len(text)))
    return text


def clean_state_share(value: str | Decimal | None) -> int | None:
    """A state share in percent (``"30"``, ``"12.75"``, ``"12,75"``) → basis points; blank → None."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    message = _("The state share must be a percentage from 0 to 100 with at most 2 decimals, "
                "such as 30 or 12.75. Leave it blank if the state holds no share.")
    if isinstance(value, Decimal):
        percent = value
    else:
        text = _SPACES.sub("", str(value)).rstrip("%")
        if not _PERCENT.match(text):
            raise RuleViolation(message)
        try:
            percent = Decimal(text.replace(",", "."))
        except InvalidOperation:
            raise RuleViolation(message) from None
    if not percent.is_finite():
        raise RuleViolation(message)
    try:
        basis_points = basis_points_from_percent(percent)
    except MoneyError:
        raise RuleViolation(message) from None
    if not 0 <= basis_points <= FULL_SHARE_BP:
        raise RuleViolation(message)
    return basis_points


def clean_url(value: str | None) -> str | None:
    """A web address shown as a link on public pages: only http(s), never ``javascript:``."""
    text = (value or "").strip()
    if not text:
        return None
    if not re.match(r"^https?://[^\s/?#]+\.[^\s/?#]+([/?#]\S*)?$", text, re.IGNORECASE):
        raise RuleViolation(_("Enter a full web address that starts with https:// or http://, "
                              "such as https://example.kg/report.pdf."))
    return text


def check_licence_dates(issued_on: dt.date | None, expires_on: dt.date | None) -> None:
    """A licence expires after it was issued."""
    if issued_on is not None and expires_on is not None and expires_on <= issued_on:
        raise RuleViolation(_("The expiry date must be after the issue date (%(issued)s). "
                              "Check both dates.", issued=issued_on.isoformat()))


def check_free_carried(share_bp: int | None, is_free_carried: bool) -> None:
    """A free-carried share is a share: it needs a percentage above zero."""
    if is_free_carried and not share_bp:
        raise RuleViolation(_("A free-carried share needs the state's percentage: enter the state "
                              "share, or untick 'free-carried'."))


class FieldErrors:
    """Collects the messages of several rules so a form shows them all at once."""

    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.errors.setdefault(field, []).append(str(message))

    def check(self, field: str, rule, *args, **kwargs):
        """Run ``rule``; on a violation remember its message under ``field`` and return None."""
        try:
            return rule(*args, **kwargs)
        except RuleViolation as violation:
            self.add(field, str(violation))
            return None

    def __bool__(self) -> bool:
        return bool(self.errors)
