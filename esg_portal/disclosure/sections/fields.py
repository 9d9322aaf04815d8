"""Marshmallow fields of the ESG sections: one rule per kind of value, in the filer's language.

``load`` turns the interchange form (INTERFACES.md §4: money and quantities as decimal
strings, dates as ISO text) into the storage form (money as integer minor units, quantities
as exact decimal text, never a float); ``dump`` turns it back, so a canonical body PUT and
then read with GET comes back unchanged. Numbers typed in a form may use the user's decimal
mark (``tabular.numbers.parse_decimal``); the locale and the attachment check come from
``LOAD_CONTEXT`` set by the section service for the duration of one load.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Hashable, Iterable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import RAISE, Schema, fields, validates_schema
from marshmallow import ValidationError as ShapeError

from ...money import format_plain, to_minor
from ...tabular.numbers import NumberError, number_error_message, parse_decimal
from ...validation import text_problem, whole_number

MAX_TEXT = 2000
MAX_SHORT = 255
_SHA256 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class LoadContext:
    """What a load needs besides the data: the user's language and which attachments exist."""

    locale: str = "en"
    #: sha256 → True when the filing's company has that attachment
    attachment_exists: Callable[[str], bool] = lambda sha256: False
    #: the licence numbers (projects) of the filing's company
    licences: frozenset[str] = frozenset()
    #: reference table → its valid codes ("mineral", "region", "site")
    codes: Mapping[str, frozenset[str]] = field(default_factory=dict)
    #: the first day of the filing's reporting period (None when not known)
    period_start: dt.date | None = None
    #: the last day of the filing's reporting period (None when not known)
    period_end: dt.date | None = None


LOAD_CONTEXT: ContextVar[LoadContext] = ContextVar("section_load_context", default=LoadContext())

_COMMON_MESSAGES = {
    "required": _l("This field is required."),
    # a blank input of a form arrives as null: the filer needs the same words as for a missing field
    "null": _l("This field is required."),
    "validator_failed": _l("This value is not valid."),
}


class SectionSchema(Schema):
    """Base of every section and row schema: unknown keys are refused, messages are translated."""

    class Meta:
        unknown = RAISE
        ordered = True

    error_messages = {"unknown": _l("This field is not part of the section. Check the spelling of the name."),
                      "type": _l("An object ({…}) is expected here.")}


class _Field(fields.Field):
    default_error_messages = _COMMON_MESSAGES

    def __init__(self, *, required: bool = False, **kwargs: Any):
        # an optional field may be omitted or null; it is stored and shown as null / ""
        if not required:
            kwargs.setdefault("load_default", None)
        super().__init__(required=required, allow_none=not required, dump_default=None, **kwargs)

    def deserialize(self, value: Any, attr: str | None = None, data: Any = None, **kwargs: Any) -> Any:
        try:
            return super().deserialize(value, attr, data, **kwargs)
        except (ValueError, OverflowError):
            # a value no rule foresaw (int("²"), a number too long to convert) is refused, never a 500
            raise _fail(str(_COMMON_MESSAGES["validator_failed"])) from None


def _fail(message: str) -> ShapeError:
    return ShapeError(message)


def _string(value: Any) -> str:
    if not isinstance(value, str):
        raise _fail(_("Text is expected here (in quotes)."))
    return value


class _BlankIsEmpty(_Field):
    """A missing or null optional value is stored and returned as "" (blank), never as None."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str:
        return value or ""

    def deserialize(self, value: Any, attr: str | None = None, data: Any = None, **kwargs: Any) -> Any:
        result = super().deserialize(value, attr, data, **kwargs)
        return "" if result is None else result


class Text(_BlankIsEmpty):
    """Free text of at most ``max_length`` characters; stored stripped, "" when empty and optional.

    Control characters and lone surrogates are refused (``validation.text_problem``); tabs and
    line breaks only in long texts (more than ``MAX_SHORT``: descriptions, comments), which
    the forms show as several lines.
    """

    def __init__(self, *, max_length: int = MAX_TEXT, **kwargs: Any):
        self.max_length = max_length
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = _string(value).strip()
        if self.required and not text:
            raise _fail(_("This field is required."))
        if len(text) > self.max_length:
            raise _fail(_("The text is too long: at most %(max)d characters.", max=self.max_length))
        problem = text_problem(text, self.data_key or attr or self.name or "", multiline=self.max_length > MAX_SHORT)
        if problem:
            raise _fail(problem)
        return text

class Money(_Field):
    """An amount with at most 2 decimals; interchange "1234.50", storage integer minor units."""

    def __init__(self, *, allow_negative: bool = False, **kwargs: Any):
        self.allow_negative = allow_negative
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        number = _decimal(value, max_decimals=2)
        if number < 0 and not self.allow_negative:
            raise _fail(_("The amount cannot be negative."))
        return to_minor(number, "KGS")

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else format_plain(int(value), "KGS")


class Quantity(_Field):
    """A non-negative exact quantity (m³, t, MWh, ha…); stored as its decimal text as written."""

    def __init__(self, *, max_decimals: int = 3, max_value: Decimal | None = None, **kwargs: Any):
        self.max_decimals, self.max_value = max_decimals, max_value
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        number = _decimal(value, max_decimals=self.max_decimals)
        if number < 0:
            raise _fail(_("The value cannot be negative."))
        if self.max_value is not None and number > self.max_value:
            raise _fail(_("The value cannot be more than %(max)s.", max=f"{self.max_value:f}"))
        return f"{number:f}"

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return value


def _decimal(value: Any, *, max_decimals: int) -> Decimal:
    if isinstance(value, bool) or isinstance(value, float):
        # a JSON number with a fraction is a binary float: refuse it rather than guess its decimals
        raise _fail(_("Write the number as text in quotes, for example \"1234.50\"."))
    if isinstance(value, int):
        value = str(value)
    text = _string(value)
    try:
        return parse_decimal(text, LOAD_CONTEXT.get().locale, max_decimals=max_decimals)
    except NumberError as error:
        raise _fail(number_error_message(error)) from None


class Count(_Field):
    """A whole number of people, days or items, zero or more."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        if isinstance(value, str) and (number := whole_number(value)) is not None:
            value = number
        if isinstance(value, bool) or not isinstance(value, int):
            raise _fail(_("A whole number is expected here, for example 12."))
        if value < 0:
            raise _fail(_("The number cannot be negative."))
        if value > 10**9:
            raise _fail(_("The number is too large."))
        return value

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> int | None:
        return value


class IsoDate(_Field):
    """A calendar date, "YYYY-MM-DD"; stored as that text."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = _string(value).strip()
        try:
            date = dt.date.fromisoformat(text)
        except ValueError:
            raise _fail(_("A date is expected as YYYY-MM-DD, for example 2025-03-31.")) from None
        if not 1900 <= date.year <= 2200:
            raise _fail(_("The date is out of range."))
        return date.isoformat()

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return value


class Choice(_Field):
    """One of a fixed set of codes (their labels live with the section)."""

    def __init__(self, choices: Iterable[str], **kwargs: Any):
        self.choices = tuple(choices)
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = _string(value).strip()
        if text not in self.choices:
            raise _fail(_("“%(value)s” is not one of the allowed values: %(allowed)s.", value=text[:40],
                          allowed=", ".join(self.choices)))
        return text

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return value


class ChoiceList(_Field):
    """Several distinct codes of a fixed set, in the order given; [] when none."""

    def __init__(self, choices: Iterable[str], **kwargs: Any):
        self.choices = tuple(choices)
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> list[str]:
        if not isinstance(value, list):
            raise _fail(_("A list ([…]) is expected here."))
        result: list[str] = []
        for item in value:
            if not isinstance(item, str) or item not in self.choices:
                raise _fail(_("“%(value)s” is not one of the allowed values: %(allowed)s.", value=str(item)[:40],
                              allowed=", ".join(self.choices)))
            if item in result:
                raise _fail(_("“%(value)s” is listed twice.", value=item))
            result.append(item)
        if self.required and not result:
            raise _fail(_("Choose at least one."))
        return result

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> list[str]:
        return list(value or [])

    def deserialize(self, value: Any, attr: str | None = None, data: Any = None, **kwargs: Any) -> Any:
        result = super().deserialize(value, attr, data, **kwargs)
        return [] if result is None else result


class YesNo(_Field):
    """true / false."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise _fail(_("true or false is expected here."))
        return value

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> bool | None:
        return value


class AttachmentRef(_Field):
    """The SHA-256 of a file the company attached to this filing (see ``disclosure.attachments``)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = _string(value).strip().lower()
        if not _SHA256.fullmatch(text):
            raise _fail(_("An attachment is named by its SHA-256 (64 hexadecimal characters)."))
        if not LOAD_CONTEXT.get().attachment_exists(text):
            raise _fail(_("There is no attachment of your company with this SHA-256. Upload the file first."))
        return text

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return value


class Rows(fields.List):
    """A list of row objects (commitments, concerns…); [] when none."""

    default_error_messages = {**_COMMON_MESSAGES, "invalid": _l("A list ([…]) is expected here.")}

    def __init__(self, row_schema: type[Schema], *, max_rows: int = 1000, **kwargs: Any):
        self.max_rows = max_rows
        super().__init__(fields.Nested(row_schema, error_messages={"type": _l("An object ({…}) is expected here."),
                                                                   **_COMMON_MESSAGES}),
                         required=False, load_default=list, dump_default=list, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> list:
        if value is None:
            return []
        if isinstance(value, list) and len(value) > self.max_rows:
            raise _fail(_("Too many rows: at most %(max)d.", max=self.max_rows))
        return super()._deserialize(value, attr, data, **kwargs)

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> list:
        return super()._serialize(value or [], attr, obj, **kwargs) or []


class Project(_BlankIsEmpty):
    """A project named by the licence number of one of the company's licences ("" when optional and blank)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = _string(value).strip()
        if not text and not self.required:
            return ""
        licences = LOAD_CONTEXT.get().licences
        if text not in licences:
            known = ", ".join(sorted(licences)) or _("none registered")
            raise _fail(_("“%(value)s” is not a licence of your company (yours: %(known)s).", value=text[:40],
                          known=known))
        return text



class ReferenceCode(_Field):
    """A code of a reference table (mineral, region, site) as listed in ``data/reference``."""

    def __init__(self, table: str, *, extra: tuple[str, ...] = (), **kwargs: Any):
        self.table, self.extra = table, extra
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = _string(value).strip()
        if text not in self.extra and text not in LOAD_CONTEXT.get().codes.get(self.table, frozenset()):
            raise _fail(_("“%(value)s” is not a known code. Use the codes of the reference lists.",
                          value=text[:40]))
        return text

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return value


def normal_text(text: str | None) -> str:
    """Text compared as people read it: spaces collapsed, case ignored."""
    return " ".join((text or "").split()).casefold()


def unique_items(key: Callable[[dict], Hashable], field: str, message: Callable[[dict, int], str]):
    """A list-level rule for a section schema: each item's ``key`` appears once.

    A repeat is refused at ``<index>.<field>`` with ``message(item, n)``, n being the number of
    the item listed first (1-based). Assign the result to a name in the section's list schema.
    """
    @validates_schema(pass_collection=True)
    def _unique(self, data: Any, many: bool, **kwargs: Any) -> None:
        if not many:
            return
        seen: dict[Hashable, int] = {}
        for index, item in enumerate(data):
            item_key = key(item)
            if item_key in seen:
                raise ShapeError({index: {field: [message(item, seen[item_key] + 1)]}})
            seen[item_key] = index

    return _unique
