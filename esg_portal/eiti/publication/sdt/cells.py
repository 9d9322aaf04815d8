"""The value checks of an SDT import: each ``Cell`` to the text, amount, quantity, date,
exchange rate or GFS classification that ``Parts`` holds.

Each check records a finding wherever a value is kept as written, may be misread (a date
that can be day/month or month/day, ``1,234`` in a file that proves no decimal mark) or is
not what the template expects; nothing is ever rounded or coerced silently.
"""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from ....tabular._text import _, shorten
from ....tabular.numbers import NumberError, number_error_message, parse_decimal
from .findings import CURRENCY, NEEDS_REVIEW, OK, Cell, _State
from .model import GFS_COLUMN, LABEL_RATE, SENTINELS, gfs_headings, gfs_label, gfs_names
from .values import money_text, number_text, usable_rate


class _Cells(_State):
    """Text, numbers, dates, the exchange rate and GFS classifications, checked."""

    # ---- values --------------------------------------------------------------------------------------
    def text(self, sheet: str, row: int, column: str, cell: Cell, *, identifier: bool = False) -> str | None:
        if cell.kind == "empty":
            return None
        if cell.kind == "no_result":
            self.add(NEEDS_REVIEW, sheet, row, column, None, _(
                "The formula in this cell has no saved result, so its value is unknown. Open the file in Excel, "
                "save it, and import it again."))
            return None
        if cell.kind == "error":
            self.add(NEEDS_REVIEW, sheet, row, column, cell.text, _(
                "The cell shows the Excel error %(error)s; it was read as blank.", error=cell.text))
            return None
        if cell.kind == "number":
            assert cell.number is not None
            if identifier:
                self.add(NEEDS_REVIEW, sheet, row, column, number_text(cell.number), _(
                    "This identifier is a number in the workbook, so leading zeros may be lost. Check it, and "
                    "format the column as text."))
            return number_text(cell.number)
        text = cell.text.strip()
        if not text:
            return None
        if text[0] == "<" and re.fullmatch(r"<[^<>]*>", text):
            self.add(OK, sheet, row, column, text, _("Template placeholder text was dropped; the cell is blank."))
            return None
        if len(text) == 13 or len(text) == 14:
            for sentinel in SENTINELS:
                if text.casefold() == sentinel.casefold():
                    return sentinel
        elif len(text) <= 4 and text.casefold() in ("n/a", "na", "n.a.", "-", "–", "—"):
            self.add(NEEDS_REVIEW, sheet, row, column, text, _(
                "“%(value)s” may mean Not applicable or Not available; it was kept as written. Write one of them.",
                value=shorten(text)))
        return text

    def number(self, sheet: str, row: int, column: str, cell: Cell, *, money: bool,
               language: str | None = None) -> str | None:
        """An amount (money: 2 decimals) or a quantity, exactly; other text is kept and needs review."""
        if cell.kind == "number":
            assert cell.number is not None
            return self.checked_number(sheet, row, column, cell.number, number_text(cell.number), money=money)
        if cell.kind == "date":
            self.add(NEEDS_REVIEW, sheet, row, column, cell.text, _(
                "A date is not an amount; it was kept as written."))
            return cell.text
        text = self.text(sheet, row, column, cell)
        if text is None or text in SENTINELS:
            return text
        written = text
        negative = False
        if re.fullmatch(r"\(\s*[^()]*\s*\)", text):
            # accountants' negative: (500) is -500
            negative, text = True, text[1:-1].strip()
            if text[:1] in "-\u2212+":
                self.add(NEEDS_REVIEW, sheet, row, column, written, _(
                    "“%(value)s” is not a number; it was kept as written.", value=shorten(written)))
                return written
        try:
            number = parse_decimal(text, language or self.language, max_decimals=None)
        except NumberError as error:
            self.add(NEEDS_REVIEW, sheet, row, column, written,
                     number_error_message(error) + " " + _("The text was kept as written."))
            return written
        if language is None and re.fullmatch(r"[+\-\u2212]?[1-9][0-9]{0,2}[.,][0-9]{3}", text):
            mark = "," if "," in text else "."
            left, right = text.lstrip("+-\u2212").split(mark)
            self.add(NEEDS_REVIEW, sheet, row, column, written, _(
                "“%(value)s” can be read as %(one)s or as %(other)s; it was read as %(read)s. Check it.",
                value=written, one=left + right, other=f"{left}.{right}", read=format(number, "f")))
        if negative:
            number = -number
        return self.checked_number(sheet, row, column, number, written, money=money)

    def checked_number(self, sheet: str, row: int, column: str, number: Decimal, written: str, *,
                       money: bool) -> str:
        if not number.is_finite() or abs(number) >= Decimal(10) ** 15:
            self.add(NEEDS_REVIEW, sheet, row, column, written, _(
                "“%(value)s” is not a usable amount (too large or not finite); it was kept as written.",
                value=shorten(written)))
            return written
        if not money:
            return number_text(number)
        if number.as_tuple().exponent < -2 and number != number.quantize(Decimal("0.01")):  # type: ignore[operator]
            self.add(NEEDS_REVIEW, sheet, row, column, written, _(
                "“%(value)s” has more than 2 decimals. It was kept exactly as written, never rounded; check it.",
                value=shorten(written)))
            return format(number, "f")
        return money_text(number.quantize(Decimal("0.01")) if number.as_tuple().exponent < -2 else number)

    def date(self, sheet: str, row: int, column: str, cell: Cell) -> tuple[str | None, bool]:
        """(ISO date or the text as written, whether it is a date)."""
        if cell.kind == "date":
            return cell.text, True
        if cell.kind == "number":
            return (number_text(cell.number) if cell.number is not None else None), False
        text = self.text(sheet, row, column, cell)
        if text is None or text in SENTINELS:
            return text, text is None
        parsed, ambiguous = _parse_date(text)
        if parsed is None:
            return text, False
        if ambiguous:
            self.once(("date", sheet, column, text), NEEDS_REVIEW, sheet, row, column, text, _(
                "“%(value)s” can be a day/month or a month/day date; it was read as month/day (%(date)s), as in "
                "EITI's files. Check it.", value=text, date=parsed))
        return parsed, True

    def rate(self, sheet: str, row: int, cell: Cell) -> str | None:
        language = _decimal_mark([cell.text]) if cell.kind == "text" else None
        value = self.number(sheet, row, LABEL_RATE, cell, money=False, language=language)
        if value is None:
            self.add(NEEDS_REVIEW, sheet, row, LABEL_RATE, None, _(
                "The exchange rate is blank, so no amount can be shown in USD."))
        elif usable_rate(value) is None:
            self.add(NEEDS_REVIEW, sheet, row, LABEL_RATE, value, _(
                "The exchange rate “%(value)s” is not a number above zero (1 USD = X %(currency)s), so no amount "
                "can be shown in USD.", value=shorten(value), currency=CURRENCY))
        return value

    def gfs(self, sheet: str, row: int, cell: Cell) -> str | None:
        text = self.text(sheet, row, GFS_COLUMN, cell)
        if text is None or text in SENTINELS:
            if text is None:
                self.add(NEEDS_REVIEW, sheet, row, GFS_COLUMN, None, _("The revenue stream has no GFS classification."))
            return text
        names = gfs_names()
        match = re.fullmatch(r"(.*?)\s*\(\s*([0-9]{2,}E[0-9]*)\s*\)", text)
        code = match.group(2) if match else (text if text in names else None)
        if code is None:
            self.add(NEEDS_REVIEW, sheet, row, GFS_COLUMN, text, _(
                "“%(value)s” has no GFS code; write it as Name (code), e.g. Royalties (1415E1).", value=shorten(text)))
            return text
        if code not in names:
            self.add(NEEDS_REVIEW, sheet, row, GFS_COLUMN, text, _(
                "The GFS code %(code)s is not in the EITI classification.", code=code))
            return text
        if code in gfs_headings():
            self.add(NEEDS_REVIEW, sheet, row, GFS_COLUMN, text, _(
                "%(code)s is a heading of the GFS classification; classify the stream under one of its codes.",
                code=code))
        if not match or not match.group(1):
            return gfs_label(code)
        if match.group(1) != names[code]:
            self.once(("gfs", text), OK, sheet, row, GFS_COLUMN, text, _(
                "The name differs from the EITI name of %(code)s (“%(name)s”); it was kept as written.",
                code=code, name=names[code]))
        return text


def _decimal_mark(texts: list[str]) -> str | None:
    """The number language a file's own amounts prove ("en": "." is the decimal mark, "ru": ","), if any.

    ``1234.5``, ``-500.00``, ``1,234.50`` prove "."; ``1234,5`` and ``1 234,50`` prove ","; ``1,234``
    and ``1.234`` prove nothing. Files that prove both, or neither, leave it to the user's language.
    """
    marks = set()
    for text in texts:
        body = text.strip().strip("()").lstrip("+-\u2212").strip()
        if not re.fullmatch(r"[0-9][0-9., \u00a0\u202f]*", body):
            continue
        if "." in body and "," in body:
            marks.add(body[max(body.rfind("."), body.rfind(","))])
        elif any(space in body for space in " \u00a0\u202f"):
            if "," in body:
                marks.add(",")
            elif "." in body:
                marks.add(".")
        else:
            for mark in ".,":
                if body.count(mark) == 1:
                    left, right = body.split(mark)
                    if len(right) != 3 or len(left) > 3 or left.startswith("0"):
                        marks.add(mark)
    if len(marks) != 1:
        return None
    return "en" if marks == {"."} else "ru"


_DATE_PATTERNS = (
    (re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})"), "ymd"),
    (re.compile(r"([0-9]{4})/([0-9]{1,2})/([0-9]{1,2})"), "ymd"),
    (re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})"), "us"),
    (re.compile(r"([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{4})"), "dmy"),
)


def _parse_date(text: str) -> tuple[str | None, bool]:
    """(ISO date, ambiguous) of the date forms seen in EITI files; (None, False) for anything else."""
    value = text.strip()
    if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9:.]+", value):
        value = value[:10]
    for pattern, order in _DATE_PATTERNS:
        match = pattern.fullmatch(value)
        if not match:
            continue
        a, b, c = (int(g) for g in match.groups())
        ambiguous = False
        if order == "ymd":
            year, month, day = a, b, c
        elif order == "dmy":
            day, month, year = a, b, c
        else:
            # EITI's bulk files write US month/day/year (Mongolia 2019: 12/31/2019)
            if a > 12 >= b:
                day, month, year = a, b, c
            else:
                month, day, year = a, b, c
                ambiguous = a != b and a <= 12 and b <= 12
        try:
            return dt.date(year, month, day).isoformat(), ambiguous
        except ValueError:
            return None, False
    return None, False
