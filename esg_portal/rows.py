"""The rows of INTERFACES.md §3 uploads (payments, receipts) as declarative marshmallow schemas.

A row kind is a ``RowSchema``: one field per column, of the cell kinds below, and its rules
between columns as ``@validates_schema``. ``check_rows`` loads each row in its context and
turns the schema's errors into ``RowError``s (every error, all-or-nothing); the API's JSON
Schema of a row comes from the same fields (``RowSchema.json_schema``). Not in
``disclosure.sections.fields``: receipts may not import ``disclosure``, and a §3 cell is not
a section value (missing, null and blank are one thing; each column words its own messages).
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, ClassVar

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import RAISE, Schema, fields, missing, validates_schema
from marshmallow import ValidationError as ShapeError

from .companies.rules import RuleViolation, clean_text
from .tabular import (NumberError, RowError, TooLarge, UploadRejected, number_error_message, parse_decimal,
                      read_checked_table)
from .tabular._text import shorten
from .tabular.reader import DEFAULT_MAX_ROWS
from .validation import text_problem, visible

CURRENCIES = ("KGS", "USD")
#: texts longer than this are of several lines (comments) and may hold tabs and line breaks
MAX_ONE_LINE = 255
# JSON numbers: digits, an optional minus and a point; what a person would type differently
# (grouping, a comma, U+2212) is refused rather than interpreted, as machines send exact text
_STRICT_DECIMAL = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")


@dataclass(frozen=True)
class RowContext:
    """What loading one row needs besides its cells."""

    locale: str = "en"
    #: the row kind's lookups (``CodeLookups``)
    lookups: Any = None
    #: the columns of this row whose XLSX cell was a number: read as plain numbers in every language
    numeric: frozenset[str] = frozenset()
    #: JSON input: numbers only as decimal strings ("1234.50")
    strict: bool = False


ROW_CONTEXT: ContextVar[RowContext] = ContextVar("row_context", default=RowContext())


@contextmanager
def row_context(**values: Any) -> Iterator[RowContext]:
    """Load rows with this context (``RowContext`` fields) inside the block."""
    context = RowContext(**values)
    token = ROW_CONTEXT.set(context)
    try:
        yield context
    finally:
        ROW_CONTEXT.reset(token)


def say(message: Any, **params: Any) -> str:
    """A (lazy) message in the user's language, filled with ``params``."""
    text = str(message)
    return text % params if params else text


def is_blank(value: Any) -> bool:
    """Whether a cell is blank: missing, null or only spaces."""
    return value is None or value is missing or (isinstance(value, str) and not value.strip())


def cell_value(value: Any) -> str:
    """A cell as the ``value`` of a RowError: its text as sent (stripped), else its JSON."""
    if value is None or value is missing:
        return ""
    if isinstance(value, str):
        return visible(value.strip())
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(value)
    return shorten(text, 80)


def find_code(records: Mapping[str, Any], code: str) -> Any | None:
    """The record of ``code`` ("royalty" finds ROYALTY; the exact spelling first, should two differ by case)."""
    found = records.get(code)
    if found is None:
        folded = code.casefold()
        found = next((record for key, record in records.items() if key.casefold() == folded), None)
    return found


class CodeLookups:
    """Tables of records by code, as ``Code`` fields name them (a table is an attribute holding a dict)."""

    def find(self, table: str, code: str) -> Any | None:
        return find_code(getattr(self, table), code)

    def code_list(self, table: str) -> str:
        """The codes of ``table`` as a message lists them."""
        return ", ".join(getattr(self, table)) or "—"


# -- the kinds of cell --------------------------------------------------------------------------------

class Cell(fields.Field):
    """One §3 cell: missing, null and blank are the same; text is judged stripped, as it will be stored.

    ``required``: the upload's header must have the column and the value must be given. Each
    column words its own ``error_messages`` (lazy, %-style); ``read`` turns the text into the value.
    """

    default_error_messages = {
        "not_text": _l("“%(column)s” must be text (a JSON string in quotes), not %(value)s."),
    }
    multiline = False

    def deserialize(self, value: Any, attr: str | None = None, data: Any = None, **kwargs: Any) -> Any:
        if value is None or value is missing:
            text = ""
        elif isinstance(value, str):
            text = value.strip()
            problem = text_problem(text, self.name, multiline=self.multiline)
            if problem:
                raise ShapeError(problem)
        else:
            return self.not_text(value)
        return self.read(text, data or {})

    def read(self, text: str, row: Mapping[str, Any]) -> Any:
        """The value of non-blank or blank ``text``; ``row`` is the whole raw row."""
        return text or None

    def not_text(self, value: Any) -> Any:
        """A value that is not text (a JSON number, true or false, an object): refused, unless a kind reads it."""
        raise self.fail("not_text", value=cell_value(value))

    def fail(self, key: str, **params: Any) -> ShapeError:
        return ShapeError(say(self.error_messages[key], column=self.name, **params))

    def blank(self) -> None:
        """None for an optional cell left blank; the ``blank`` error for a required one."""
        if self.required:
            raise self.fail("blank")

    def json_schema(self) -> dict[str, Any]:
        return {"type": "string"}


class Text(Cell):
    """Free text of at most ``max_length`` characters; None when blank."""

    def __init__(self, *, max_length: int, **kwargs: Any):
        self.max_length = max_length
        self.multiline = max_length > MAX_ONE_LINE
        super().__init__(**kwargs)

    def read(self, text: str, row: Mapping[str, Any]) -> str | None:
        try:
            return clean_text(text, max_length=self.max_length)
        except RuleViolation as violation:
            raise ShapeError(str(violation)) from None

    def json_schema(self) -> dict[str, Any]:
        return {"type": "string", "maxLength": self.max_length}


class Code(Cell):
    """A code of the lookups' ``table`` in any case; its record, None when blank and optional.

    Messages get the code as ``value`` and the valid codes as ``codes_param``, plus ``params``.
    """

    def __init__(self, table: str, *, codes_param: str = "codes", params: Mapping[str, str] | None = None,
                 **kwargs: Any):
        self.table, self.codes_param, self.params = table, codes_param, dict(params or {})
        super().__init__(**kwargs)

    def fail(self, key: str, **params: Any) -> ShapeError:
        codes = ROW_CONTEXT.get().lookups.code_list(self.table)
        return super().fail(key, **{self.codes_param: codes, **self.params, **params})

    def read(self, text: str, row: Mapping[str, Any]) -> Any:
        if not text:
            return self.blank()
        record = ROW_CONTEXT.get().lookups.find(self.table, text)
        if record is None:
            raise self.fail("unknown", value=shorten(text))
        return record


class Choice(Cell):
    """One of a few words in any case; ``choices`` maps each word to the value it stands for."""

    def __init__(self, choices: Mapping[str, Any], **kwargs: Any):
        self.choices = dict(choices)
        super().__init__(**kwargs)

    def read(self, text: str, row: Mapping[str, Any]) -> Any:
        if not text:
            return self.blank()
        folded = text.casefold()
        for word, value in self.choices.items():
            if word.casefold() == folded:
                return value
        raise self.fail("invalid", value=shorten(text))

    def json_schema(self) -> dict[str, Any]:
        return {"type": "string", "enum": list(self.choices)}


class Currency(Choice):
    """KGS or USD, the currency the money moved in (never converted)."""

    def __init__(self, **kwargs: Any):
        super().__init__({code: code for code in CURRENCIES}, **kwargs)


class YesNo(Choice):
    """yes or no as text (a JSON true or false gets the ``boolean`` message when the column has one)."""

    def __init__(self, **kwargs: Any):
        super().__init__({"yes": True, "no": False}, **kwargs)

    def not_text(self, value: Any) -> Any:
        if isinstance(value, bool) and "boolean" in self.error_messages:
            raise self.fail("boolean")
        return super().not_text(value)


class Number(Cell):
    """An exact number in the user's notation (``tabular.numbers``): a Decimal, or its text ``as_text``.

    A numeric XLSX cell is read as the plain number it is; JSON sends decimal strings only
    (``strict``), and a JSON number gets the ``json_number`` message: it may have lost digits.
    """

    def __init__(self, *, max_decimals: int = 2, allow_negative: bool = True, as_text: bool = False, **kwargs: Any):
        self.max_decimals, self.allow_negative, self.as_text = max_decimals, allow_negative, as_text
        super().__init__(**kwargs)

    def read(self, text: str, row: Mapping[str, Any]) -> Any:
        if not text:
            return self.blank()
        context = ROW_CONTEXT.get()
        plain = context.strict or self.name in context.numeric
        try:
            number = parse_decimal(text, "en" if plain else context.locale, max_decimals=self.max_decimals)
        except NumberError as error:
            raise ShapeError(number_error_message(error)) from None
        if context.strict and not _STRICT_DECIMAL.fullmatch(text):
            raise self.fail("strict", value=shorten(text))
        if number < 0 and not self.allow_negative:
            raise self.fail("negative")
        return f"{number:f}" if self.as_text else number

    def not_text(self, value: Any) -> Any:
        if isinstance(value, (int, float)) and not isinstance(value, bool) and "json_number" in self.error_messages:
            raise self.fail("json_number")
        return super().not_text(value)

    def json_schema(self) -> dict[str, Any]:
        sign = "-?" if self.allow_negative else ""
        return {"type": "string", "pattern": f"^{sign}[0-9]+(\\.[0-9]{{1,{self.max_decimals}}})?$"}


class Amount(Number):
    """Money: at most 2 decimals, negative for a refund; a Decimal (minor units need the currency)."""

    default_error_messages = {
        "strict": _l("“%(value)s”: in JSON, amounts are decimal strings with a point and no grouping, e.g. "
                     "\"1234.50\" or \"-500.00\"."),
        "json_number": _l("Amounts are decimal strings, e.g. \"1234.50\": put the amount in quotes. A JSON number "
                          "is refused because it may lose cents on the way."),
    }

    def __init__(self, **kwargs: Any):
        super().__init__(max_decimals=2, **kwargs)


# -- row kinds ------------------------------------------------------------------------------------------

def refund_needs_comment():
    """A row rule: a negative amount is a refund, and a refund is explained in “comment”."""
    @validates_schema(skip_on_field_errors=False)
    def _refund_needs_comment(self, data: dict, **kwargs: Any) -> None:
        amount = data.get("amount")
        if amount is not None and amount < 0 and "comment" in data and not data["comment"]:
            raise ShapeError(_("A negative amount (%(amount)s) is a refund and needs a comment: say what was "
                               "refunded and why.", amount=f"{amount:f}"), "comment")

    return _refund_needs_comment


class RowSchema(Schema):
    """Base of a §3 row kind: its fields are its columns in template order; unknown columns are refused.

    A row rule sees the valid values only (a refused cell is absent); its message follows the cell's own.
    """

    class Meta:
        unknown = RAISE

    #: the API document's description of the row
    description: ClassVar[str] = ""
    #: the columns whose values make the row's key (one row per key); a repeat is reported on the first
    key_columns: ClassVar[tuple[str, ...]] = ()
    #: messages naming the row kind: a row that is no object, an unknown column, a repeated key (%(row)d:
    #: the first row), a JSON body that is no list, one over the row limit
    not_an_object: ClassVar[Any]
    unknown_column: ClassVar[Any]
    duplicate: ClassVar[Any]
    not_a_list: ClassVar[Any]
    too_many: ClassVar[Any]

    @classmethod
    def columns(cls) -> tuple[str, ...]:
        return tuple(cls._declared_fields)

    @classmethod
    def required_columns(cls) -> frozenset[str]:
        return frozenset(name for name, kind in cls._declared_fields.items() if kind.required)

    def key(self, data: Mapping[str, Any]) -> tuple | None:
        """The row's key from its valid values (records by id); None when a key column was refused."""
        if not all(column in data for column in self.key_columns):
            return None
        return tuple(getattr(data[column], "id", data[column]) for column in self.key_columns)

    def make(self, data: dict[str, Any]) -> Any:
        """The checked input (``PaymentInput``, ``ReceiptInput``…) of a row without errors."""
        raise NotImplementedError

    @classmethod
    def json_schema(cls) -> dict[str, Any]:
        """The row as the API receives it (OpenAPI 3.0 dialect); optional columns may be null or left out."""
        kinds = cls._declared_fields
        properties = {name: {**kind.json_schema(), **({} if kind.required else {"nullable": True}),
                             **kind.metadata} for name, kind in kinds.items()}
        return {"type": "object", "description": cls.description,
                "required": [name for name, kind in kinds.items() if kind.required],
                "additionalProperties": False, "properties": properties}

    def row_errors(self, number: int, raw: Mapping[str, Any], messages: Mapping[Any, Any]) -> list[RowError]:
        """The schema's messages of one row as RowErrors, in column order (unknown columns last)."""
        order = {name: position for position, name in enumerate(self.fields)}
        errors = []
        for column in sorted(messages, key=lambda c: (order.get(c, len(order)), str(c))):
            if column in self.fields:
                found = messages[column]
                texts = [str(m) for m in (found if isinstance(found, list) else [found])]
            else:
                texts = [say(self.unknown_column, column=shorten(str(column)), allowed=", ".join(self.fields))]
            errors += [RowError(number, shorten(str(column)), cell_value(raw.get(column)), text) for text in texts]
        return errors


def check_rows(schema: RowSchema, rows: Sequence[Any], *, row_numbers: Sequence[int] | None, locale: str,
               lookups: Any, numeric_cells: Iterable[tuple[int, str]] = (), strict: bool = False) -> list:
    """Every row's input, or UploadRejected listing every error of every row (INTERFACES.md §3).

    ``row_numbers`` are the numbers errors report (default: position + 1); ``numeric_cells``
    are the (position, column) of numeric XLSX cells; ``strict`` reads JSON.
    """
    if row_numbers is None:
        row_numbers = range(1, len(rows) + 1)
    if len(row_numbers) != len(rows):
        raise ValueError("row_numbers must give one number per row")
    numeric: dict[int, set[str]] = {}
    for index, column in numeric_cells:
        numeric.setdefault(index, set()).add(column)
    errors: list[RowError] = []
    results: list = []
    first_row_of: dict[tuple, int] = {}
    for index, (number, raw) in enumerate(zip(row_numbers, rows)):
        if not isinstance(raw, Mapping):
            errors.append(RowError(number, None, None if raw is None else cell_value(raw),
                                   say(schema.not_an_object, columns=", ".join(schema.fields))))
            continue
        with row_context(locale=locale, lookups=lookups, numeric=frozenset(numeric.get(index, ())), strict=strict):
            try:
                data, messages = schema.load(raw), {}
            except ShapeError as error:
                data, messages = error.valid_data or {}, dict(error.messages)
            key = schema.key(data)
            if key is not None and (first := first_row_of.setdefault(key, number)) != number:
                column = schema.key_columns[0]
                messages[column] = [*messages.get(column, []), say(schema.duplicate, row=first)]
            if not messages:
                results.append(schema.make(data))
        errors += schema.row_errors(number, raw, messages)
    if errors:
        raise UploadRejected(errors)
    return results


def read_rows(schema: RowSchema, data: bytes, filename: str, *, locale: str, lookups: Any) -> list:
    """A CSV or XLSX upload of ``schema`` rows → their inputs; raises UploadRejected (422) or TooLarge (413)."""
    required = schema.required_columns()
    table = read_checked_table(data, filename, set(required), set(schema.fields) - required)
    return check_rows(schema, table.rows, row_numbers=table.row_numbers, locale=locale, lookups=lookups,
                      numeric_cells=table.numeric_cells)


def json_rows(schema: RowSchema, body: Any, *, locale: str, lookups: Any) -> list:
    """An API's JSON list of row objects → their inputs; errors carry row = list index + 1."""
    if not isinstance(body, list):
        raise UploadRejected([RowError(None, None, None, say(schema.not_a_list, columns=", ".join(schema.fields)))])
    if len(body) > DEFAULT_MAX_ROWS:
        raise TooLarge(say(schema.too_many, limit=f"{DEFAULT_MAX_ROWS:,}".replace(",", " ")))
    return check_rows(schema, body, row_numbers=None, locale=locale, lookups=lookups, strict=True)
