"""Message translation for the tabular package, usable with or without a request."""
from __future__ import annotations

from decimal import Decimal

from flask_babel import format_decimal as _babel_format_decimal
from flask_babel import gettext as _babel_gettext
from flask_babel import ngettext as _babel_ngettext


# Named ``_`` and ``ngettext`` so that pybabel extracts the messages written with them.
def _(message: str, **params: object) -> str:
    """The message in the user's language; in English (the source) where no locale can be chosen."""
    try:
        return _babel_gettext(message, **params)
    except RuntimeError:
        # An app context without a request: the app's locale selector needs the request,
        # so the message stays in the source language (e.g. CLI imports, service tests).
        return message % params if params else message


def ngettext(singular: str, plural: str, num: int, **params: object) -> str:
    """Plural-aware ``_``; ``%(num)d`` is available in both forms."""
    try:
        return _babel_ngettext(singular, plural, num, **params)
    except RuntimeError:
        return (singular if num == 1 else plural) % {"num": num, **params}


def shorten(value: str, limit: int = 40) -> str:
    """A cell value short enough to quote inside a message."""
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _number(value: Decimal | int) -> str:
    try:
        return _babel_format_decimal(value)
    except RuntimeError:
        return f"{value:,}".replace(",", " ")


def format_size(size: int) -> str:
    """A file size for people, in the reader's words and number format: bytes, KB with one decimal, MB with
    one decimal (a whole number of MB without): "201 bytes", "1.4 KB", "20 MB". One wording everywhere."""
    kib, mib = 1024, 1024 * 1024
    if size < kib:
        return _("%(num)s bytes", num=_number(size))
    if size < mib:
        return _("%(num)s KB", num=_number((Decimal(size) / kib).quantize(Decimal("0.1"))))
    if size % mib == 0:
        return _("%(num)s MB", num=_number(size // mib))
    return _("%(num)s MB", num=_number((Decimal(size) / mib).quantize(Decimal("0.1"))))
