"""URL converters: ``<int:…>`` reads ASCII digits only, and only numbers a database id can hold.

Werkzeug's own ``int`` converter accepts any length (and any Unicode decimal digit), so an id
beyond what the column holds reached the database and failed there (SQLite: OverflowError above
2⁶³ − 1; PostgreSQL: "integer out of range" above 2³¹ − 1, the ids being INTEGER columns) with a
500. Here the pattern itself stops at 2³¹ − 1, so such a URL matches no route and is a 404 like
any unknown id (a bound checked only after matching would make werkzeug answer 405
where the same path exists for another method).
"""
from __future__ import annotations

from werkzeug.routing import IntegerConverter, Map

#: the largest value of an INTEGER column (the ids, positions and years in URLs) on every database
MAX_URL_INT = 2**31 - 1


def _at_most(number: int) -> str:
    """A regular expression of the ASCII digit strings whose value is at most ``number`` (leading zeros allowed)."""
    digits = str(number)
    width = len(digits)
    options = [f"[0-9]{{1,{width - 1}}}"] if width > 1 else []
    for position, digit in enumerate(digits):
        if digit != "0":
            rest = width - position - 1
            smaller = "0" if digit == "1" else f"[0-{int(digit) - 1}]"
            options.append(digits[:position] + smaller + (f"[0-9]{{{rest}}}" if rest else ""))
    options.append(digits)
    return "(?:" + "|".join(options) + ")"


class BoundedIntConverter(IntegerConverter):
    """``int`` with ASCII digits whose value fits an INTEGER column (at most 2³¹ − 1)."""

    regex = _at_most(MAX_URL_INT)

    def __init__(self, map: Map, fixed_digits: int = 0, min: int | None = None,  # noqa: A002 (werkzeug's names)
                 max: int | None = None, signed: bool = False) -> None:  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, min=min,
                         max=MAX_URL_INT if max is None or max > MAX_URL_INT else max, signed=signed)
