"""Text checks shared by every door: web forms, API bodies, schemas and uploads (DESIGN rules 19 and 21).

Stored text must be text that a web page, an XML file (XLSX, the open-data files) and a
database can all hold. So every text field refuses, at input:

- C0 control characters (U+0000–U+001F, NUL included): XLSX cannot hold them at all, so one
  stored ``\\x0b`` would break every later download of the table it is in. Tab and line breaks
  (U+0009, U+000A, U+000D) are kept only in fields of several lines (``multiline``);
- lone surrogates (U+D800–U+DFFF): they are not characters, cannot be written as UTF-8, and
  reach the portal only as JSON escapes such as ``"\\ud800"``.

``text_problem`` says what is wrong with a value in words that name the field; each door puts
the message next to its field (WTForms: ``forms.PortalForm``; marshmallow: the schemas'
text fields; uploads: ``tabular.read_checked_table``; the API body: ``api.bodies``).
``whole_number`` reads a count or an id typed as text: ASCII digits only and a bounded length,
so that neither ``²`` nor a 5,000-digit number gets further than the door.
"""
from __future__ import annotations

import re

from flask_babel import gettext as _babel_gettext

#: C0 controls but tab and line breaks, and surrogates: refused in every text field
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")
#: the same plus tab and line breaks: refused in one-line fields
_FORBIDDEN_ONE_LINE = re.compile("[\x00-\x1f\ud800-\udfff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_LINE_CHARACTERS = frozenset("\t\n\r")
REPLACEMENT = "\ufffd"
#: the most digits ``whole_number`` reads: enough for any count, id or run number of the portal
MAX_DIGITS = 18


# Named ``_`` so that pybabel extracts the messages written with it.
def _(message: str, **params: object) -> str:
    """The message in the user's language; in English where no locale can be chosen (CLI, service tests)."""
    try:
        return _babel_gettext(message, **params)
    except RuntimeError:
        return message % params if params else message


def text_problem(value: str, field: str, *, multiline: bool = False) -> str | None:
    """None when ``value`` may be stored in ``field``; else the message saying what is wrong.

    ``field`` is the name the user knows the field by (a form label, a JSON key, a column).
    ``multiline`` fields may hold tabs and line breaks; others may not.
    """
    match = (_FORBIDDEN if multiline else _FORBIDDEN_ONE_LINE).search(value)
    if match is None:
        return None
    character = match.group()
    code = f"U+{ord(character):04X}"
    if _SURROGATE.match(character):
        return _surrogate_message(field, code)
    if character in _LINE_CHARACTERS:
        return _("“%(field)s” must be on one line: remove the line break or tab.", field=field)
    return _("“%(field)s” contains an invisible control character (%(code)s) that cannot be stored. Delete it, "
             "or type the text again instead of pasting it.", field=field, code=code)


def surrogate_problem(value: str, field: str) -> str | None:
    """The message of ``text_problem`` for a lone surrogate in ``value``; None when there is none.

    For doors that see text before its field is known (a JSON body): a surrogate is never text.
    """
    match = _SURROGATE.search(value)
    return None if match is None else _surrogate_message(field, f"U+{ord(match.group()):04X}")


def _surrogate_message(field: str, code: str) -> str:
    return _("“%(field)s” contains a lone surrogate (%(code)s), which is not a character. Send the text as "
             "valid UTF-8.", field=field, code=code)


def is_storable(value: str, *, multiline: bool = True) -> bool:
    """Whether ``value`` passes ``text_problem`` (by default with tabs and line breaks allowed)."""
    return (_FORBIDDEN if multiline else _FORBIDDEN_ONE_LINE).search(value) is None


def visible(value: str) -> str:
    """``value`` with every character no field may hold replaced by U+FFFD, safe to quote back on a page."""
    return _FORBIDDEN.sub(REPLACEMENT, value)


def whole_number(text: str | None, *, max_digits: int = MAX_DIGITS) -> int | None:
    """The number written in ``text`` as ASCII digits (surrounding spaces ignored), else None.

    Other digits (``²``, ``١``), signs, grouping and more than ``max_digits`` digits give None,
    never an exception, so a door can answer with its own message.
    """
    digits = (text or "").strip()
    if not digits or len(digits) > max_digits or not (digits.isascii() and digits.isdigit()):
        return None
    return int(digits)
