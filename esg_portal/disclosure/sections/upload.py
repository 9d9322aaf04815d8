"""A flat list section (no repeated rows, e.g. production) from a CSV or XLSX file, all or nothing.

The same reading as the payments upload (``tabular``: encodings, delimiters, numbers, limits)
and the same rules as the form and the API (the section's schema): the file's rows become the
section's items, or nothing changes and every error is listed by row and column.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from babel.numbers import get_decimal_symbol
from flask_babel import gettext as _

from ...errors import ValidationError
from ...tabular import RowError, UploadRejected, csv_template, read_checked_table
from . import SectionSpec, load_section
from .fields import ChoiceList, Count, LoadContext, Money, Quantity, Text, YesNo

LIST_SEPARATOR = ";"


def columns(spec: SectionSpec) -> tuple[list[str], list[str]]:
    """(required, optional) column names: the item's fields, in schema order."""
    fields = spec.schema().fields
    required = [name for name, kind in fields.items() if kind.required]
    optional = [name for name, kind in fields.items() if not kind.required]
    return required, optional


def template_csv(spec: SectionSpec) -> bytes:
    required, optional = columns(spec)
    return csv_template(required + optional)


def _cell(kind: Any, text: str, numeric: bool, locale: str) -> Any:
    """A cell as the interchange form expects it; blank → null (text: ""), lists split on ";"."""
    text = text.strip()
    if isinstance(kind, Text):
        return text
    if not text:
        return [] if isinstance(kind, ChoiceList) else None
    if isinstance(kind, ChoiceList):
        return [part.strip() for part in text.split(LIST_SEPARATOR) if part.strip()]
    if isinstance(kind, YesNo):
        lowered = text.lower()
        return True if lowered in ("yes", "true", "1") else False if lowered in ("no", "false", "0") else text
    if numeric and isinstance(kind, (Money, Quantity, Count)):
        # a numeric XLSX cell is canonical ("12.345"): write it with the reader's decimal mark so
        # that the user's-language rule reads the same number
        number = Decimal(text)
        if isinstance(kind, Count) and number == number.to_integral_value():
            return int(number)
        return f"{number:f}".replace(".", get_decimal_symbol(locale))
    return text


def read_section_upload(spec: SectionSpec, data: bytes, filename: str, context: LoadContext) -> list[dict]:
    """The file's rows as the section's items (interchange form); raises UploadRejected or TooLarge."""
    required, optional = columns(spec)
    table = read_checked_table(data, filename, set(required), set(optional))
    kinds = spec.schema().fields
    items = [{name: _cell(kinds[name], row.get(name, ""), table.is_numeric(i, name), context.locale)
              for name in required + optional}
             for i, row in enumerate(table.rows)]
    try:
        load_section(spec, items, context)
    except ValidationError as error:
        raise UploadRejected(_row_errors(error.errors, items, table.row_numbers)) from None
    return items


def _row_errors(errors: dict[str, list[str]], items: list[dict], row_numbers: list[int]) -> list[RowError]:
    result: list[RowError] = []
    for path, messages in errors.items():
        head, _sep, rest = path.partition(".")
        if not head.isdigit():
            result += [RowError(None, None, None, message) for message in messages]
            continue
        index = int(head)
        column = rest.split(".")[0] or None
        value = items[index].get(column) if column and index < len(items) else None
        shown = None if value is None else (LIST_SEPARATOR.join(value) if isinstance(value, list) else str(value))
        result += [RowError(row_numbers[index] if index < len(row_numbers) else index + 1, column, shown, message)
                   for message in messages]
    if not result:
        result.append(RowError(None, None, None, _("The file was not accepted.")))
    return result
