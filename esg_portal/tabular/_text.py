"""Message translation for the tabular package, usable with or without a request."""
from __future__ import annotations

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
