"""Numbers typed by people and exported by accounting systems → exact ``Decimal`` (INTERFACES.md §3)."""
from __future__ import annotations

import re
from decimal import Decimal

from ._text import _, ngettext, shorten

#: Characters accepted as thousands grouping besides "," and ".": space, no-break space and
#: narrow no-break space (1C and Excel in ru/ky locales write the latter two).
GROUP_SPACES = " \u00a0\u202f"
#: Hyphen-minus and the typographic minus sign U+2212 (Word, some PDF-to-Excel converters).
MINUS_SIGNS = "-\u2212"
#: The languages of the portal; "," is the decimal mark in ru and ky, "." in en.
COMMA_DECIMAL_LANGUAGES = frozenset({"ru", "ky"})
POINT_DECIMAL_LANGUAGES = frozenset({"en"})

_NOT_FINITE = re.compile(r"[+\-\u2212]?(nan|snan|qnan|inf|infinity|∞)", re.IGNORECASE)
_EXPONENT = re.compile(r"[0-9][0-9.,\u00a0\u202f ]*[eE][+\-\u2212]?[0-9]+")
# digits first and last; only digits, the two marks and the grouping spaces in between
_SHAPE = re.compile(r"[0-9](?:[0-9.,\u00a0\u202f ]*[0-9])?")
_DIGITS = re.compile(r"[0-9]+")
_SPACE_SPLIT = re.compile(r"[\u00a0\u202f ]")


class NumberError(ValueError):
    """A text that is not an acceptable number; ``code`` is machine-readable, ``params`` feed the message."""

    CODES = frozenset({"not_a_number", "too_many_decimals", "too_large", "exponent", "not_finite", "empty",
                       "ambiguous_point"})

    def __init__(self, code: str, message_params: dict[str, object] | None = None):
        if code not in self.CODES:
            raise ValueError(f"unknown NumberError code {code!r}")
        super().__init__(code, message_params or {})
        self.code = code
        self.params: dict[str, object] = dict(message_params or {})


def _language(locale: object) -> str:
    # accepts "ru", "ru_RU", "ky-KG" or a babel Locale (whose str() is "ru")
    language = str(locale or "").replace("-", "_").split("_")[0].lower()
    if language not in COMMA_DECIMAL_LANGUAGES | POINT_DECIMAL_LANGUAGES:
        raise ValueError(f"unsupported locale {locale!r}")
    return language


def _valid_groups(groups: list[str]) -> bool:
    """Thousands groups: a first group of 1-3 digits (no leading zero), then groups of exactly 3."""
    if len(groups) < 2:
        return False
    first, rest = groups[0], groups[1:]
    return (bool(_DIGITS.fullmatch(first)) and len(first) <= 3 and first[0] != "0"
            and all(len(g) == 3 and _DIGITS.fullmatch(g) for g in rest))


class _AmbiguousPoint(Exception):
    """"1.234" in ky/ru: thousands grouping or a decimal point, and nothing in the text says which."""

    def __init__(self, left: str, right: str):
        super().__init__(left, right)
        self.left, self.right = left, right


def _split(body: str, language: str) -> tuple[str, str] | None:
    """(integer digits, fraction digits) of an unsigned number, or None when the layout is inconsistent.

    Raises ``_AmbiguousPoint`` for a lone "." before exactly three digits in ky/ru (§3).
    """
    marks = [(i, c) for i, c in enumerate(body) if c in ".,"]
    if any(c in GROUP_SPACES for c in body):
        # space grouping: "." or "," can then only be the decimal mark, once, after the groups
        if len(marks) > 1:
            return None
        integer, fraction = (body[:marks[0][0]], body[marks[0][0] + 1:]) if marks else (body, "")
        groups = _SPACE_SPLIT.split(integer)
        if not _valid_groups(groups) or (fraction and not _DIGITS.fullmatch(fraction)):
            return None
        return "".join(groups), fraction
    if not marks:
        return body, ""
    kinds = {c for _, c in marks}
    if len(kinds) == 2:
        # "1,234,567.89" or "1.234.567,89": the last mark is the decimal one and occurs once
        position, decimal_mark = marks[-1]
        if body.count(decimal_mark) != 1:
            return None
        group_mark = "," if decimal_mark == "." else "."
        groups, fraction = body[:position].split(group_mark), body[position + 1:]
        if not _valid_groups(groups) or not _DIGITS.fullmatch(fraction):
            return None
        return "".join(groups), fraction
    mark = kinds.pop()
    if len(marks) > 1:
        # the same mark repeated can only be grouping: "1,234,567", "1.234.567"
        groups = body.split(mark)
        return ("".join(groups), "") if _valid_groups(groups) else None
    left, right = body.split(mark)
    if len(right) == 3 and _valid_groups([left, right]):
        # "1,234" / "1.234": grouping or decimal? The user's language decides (§3) ...
        if language in COMMA_DECIMAL_LANGUAGES and mark == ".":
            # ... except for "." in ky/ru, where people write it neither as the decimal mark nor as
            # grouping: "100.123" is as likely 100,123 as 100 123, so it is refused, never guessed
            raise _AmbiguousPoint(left, right)
        decimal_mark = "," if language in COMMA_DECIMAL_LANGUAGES else "."
        if mark != decimal_mark:
            return left + right, ""
    return left, right


def parse_decimal(text: str, locale: str, *, max_decimals: int | None = 2,
                  max_abs: Decimal = Decimal(10) ** 15) -> Decimal:
    """Parse one number as INTERFACES.md §3 allows; raise ``NumberError`` instead of guessing or rounding."""
    language = _language(locale)
    value = "" if text is None else str(text)
    stripped = value.strip()
    params: dict[str, object] = {"value": value}
    if not stripped:
        raise NumberError("empty", params)
    negative = stripped[0] in MINUS_SIGNS
    body = stripped[1:] if negative else stripped
    if _NOT_FINITE.fullmatch(stripped):
        raise NumberError("not_finite", params)
    if _EXPONENT.fullmatch(body):
        raise NumberError("exponent", params)
    if not _SHAPE.fullmatch(body):
        raise NumberError("not_a_number", params)
    try:
        parts = _split(body, language)
    except _AmbiguousPoint as ambiguous:
        sign, left, right = "-" if negative else "", ambiguous.left, ambiguous.right
        # the two readings in the reader's (ky/ru) notation, and the unambiguous way to write the whole number
        raise NumberError("ambiguous_point", {
            **params, "max_decimals": max_decimals, "grouped": f"{sign}{left} {right}",
            "decimal": f"{sign}{left},{right}", "plain": f"{sign}{left}{right}"}) from None
    if parts is None:
        raise NumberError("not_a_number", params)
    integer, fraction = parts
    # checked on the digits before building a Decimal, so a megabyte of digits costs nothing
    if len(integer.lstrip("0")) > len(str(int(max_abs))) + 1:
        raise NumberError("too_large", {**params, "max_abs": max_abs})
    number = Decimal(f"{'-' if negative else ''}{integer}.{fraction}" if fraction else
                     f"{'-' if negative else ''}{integer}")
    if abs(number) >= max_abs:
        raise NumberError("too_large", {**params, "max_abs": max_abs})
    # counted as written: "1,000" in ru is 1.000 and refused, never silently taken as 1
    if max_decimals is not None and len(fraction) > max_decimals:
        raise NumberError("too_many_decimals", {**params, "max_decimals": max_decimals})
    return number.copy_abs() if number.is_zero() else number


def _limit_text(limit: object) -> str:
    # grouped by spaces: readable in en, ru and ky alike
    return f"{int(Decimal(str(limit))):,}".replace(",", " ")


def number_error_message(error: NumberError) -> str:
    """The filer-facing explanation of a ``NumberError``, in the user's language."""
    value = shorten(str(error.params.get("value", "")).strip())
    if error.code == "empty":
        return _("A number is required here.")
    if error.code == "not_finite":
        return _("“%(value)s” is not a finite number. Write the amount in digits.", value=value)
    if error.code == "exponent":
        return _("“%(value)s” is written with an exponent. Write the number in full (150000, not 1.5E5); "
                 "in Excel, format the cells as Number instead of Scientific.", value=value)
    if error.code == "ambiguous_point":
        readings = {"value": value, "grouped": error.params.get("grouped", ""),
                    "decimal": error.params.get("decimal", ""), "plain": error.params.get("plain", "")}
        max_decimals = error.params.get("max_decimals")
        if max_decimals is not None and int(max_decimals) < 3:  # type: ignore[call-overload]
            # the decimal reading has three decimals, more than allowed here: only the whole number is offered
            return _("“%(value)s” could mean %(grouped)s or %(decimal)s. If you mean %(grouped)s, write "
                     "%(plain)s; the other reading has more decimals than allowed here.", **readings)
        return _("“%(value)s” could mean %(grouped)s or %(decimal)s. Write %(plain)s or %(decimal)s.", **readings)
    if error.code == "too_large":
        return _("“%(value)s” is too large: numbers must be below %(limit)s.", value=value,
                 limit=_limit_text(error.params.get("max_abs", Decimal(10) ** 15)))
    if error.code == "too_many_decimals":
        places = int(error.params.get("max_decimals", 2))  # type: ignore[arg-type]
        if places == 2:
            return _("“%(value)s” has more than 2 decimals; money takes at most 2 (tyiyn or cents). "
                     "Enter it with at most the allowed decimals: the portal never rounds for you.", value=value)
        if places == 0:
            return _("“%(value)s” must be a whole number.", value=value)
        return ngettext("“%(value)s” has too many decimals; at most %(num)d is allowed.",
                        "“%(value)s” has too many decimals; at most %(num)d are allowed.", places, value=value)
    return _("“%(value)s” is not a number. Write it like 1234567.89, 1 234 567,89 or 1,234,567.89: digits, "
             "an optional leading minus, one decimal mark and consistent thousands grouping.", value=value)
