"""The base of every ESG section form: typed inputs in, the interchange form out, errors back by path.

A section form (``forms/esg_*.py``) only declares its fields: labels, widgets, choices and
units. It judges nothing itself — ``to_item()`` gives the section item in the interchange
form of INTERFACES.md §4 and the section's marshmallow schema (the same rules as the API
and uploads) judges it; ``apply_errors`` then puts each message next to its input, also
inside repeated rows ("commitments.1.due_date"). Repeated rows are ``RowList`` fields; a
button named ``add_row`` with the list's name as value adds an empty row without saving.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, Field, FieldList, FormField, SelectMultipleField, StringField
from wtforms import Form as PlainForm
from wtforms.widgets import CheckboxInput, DateInput, ListWidget

from . import PortalForm

SKIPPED_TYPES = {"CSRFTokenField", "SubmitField"}


class RowForm(PlainForm):
    """A repeated row (a commitment, a concern…) inside a section form; no CSRF of its own."""


class NumberText(StringField):
    """A number typed as text (money or quantity, the user's decimal mark); the schema parses it."""

    def __init__(self, label: Any = None, validators: Any = None, *, unit: Any = None, **kwargs: Any):
        render_kw = {"inputmode": "decimal", "autocomplete": "off", **kwargs.pop("render_kw", {})}
        super().__init__(label, validators, render_kw=render_kw, **kwargs)
        self.unit = unit


class CountText(StringField):
    """A whole number typed as text."""

    def __init__(self, label: Any = None, validators: Any = None, **kwargs: Any):
        render_kw = {"inputmode": "numeric", "autocomplete": "off", **kwargs.pop("render_kw", {})}
        super().__init__(label, validators, render_kw=render_kw, **kwargs)


class DateText(StringField):
    """A date input (YYYY-MM-DD from the browser's date picker); the schema checks it."""

    widget = DateInput()


class MultiCheckbox(SelectMultipleField):
    """Several codes chosen with checkboxes (works without JavaScript)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form: Any) -> None:
        # the schema judges the codes and says which ones are valid
        pass


def RowList(row_form: type[RowForm], label: Any = None, *, min_entries: int = 1, **kwargs: Any) -> FieldList:
    """Repeated rows of ``row_form``; one empty row is shown to start with."""
    return FieldList(FormField(row_form), label, min_entries=min_entries, **kwargs)


def _value(field: Field) -> Any:
    if isinstance(field, FieldList):
        rows = [_value(entry) for entry in field.entries]
        return [row for row in rows if not _blank(row)]
    if isinstance(field, FormField):
        return {name: _value(sub) for name, sub in field.form._fields.items() if sub.type not in SKIPPED_TYPES}
    if isinstance(field, BooleanField):
        return bool(field.data)
    if isinstance(field, SelectMultipleField):
        return list(field.data or [])
    data = field.data
    if isinstance(data, str):
        data = data.strip()
        return data or None
    if isinstance(data, dt.date):
        return data.isoformat()
    if isinstance(data, Decimal):
        return f"{data:f}"
    return data


def _blank(row: Any) -> bool:
    """A row the filer left empty (False checkboxes and empty lists count as empty)."""
    if isinstance(row, dict):
        return all(_blank(value) for value in row.values())
    return row in (None, "", False, [])


def _display(value: Any) -> Any:
    if isinstance(value, list):
        return [_display(v) for v in value]
    if isinstance(value, dict):
        return {k: _display(v) for k, v in value.items()}
    if value is None:
        return ""
    return value


class SectionForm(PortalForm):
    """Base of the forms of one item of a list section, or of an object section."""

    #: names of fields that are not part of the item (e.g. buttons)
    not_item_fields: tuple[str, ...] = ()

    def to_item(self) -> dict[str, Any]:
        """The item in the interchange form: blank text → null (the schema stores "" for text),
        numbers and dates as typed text, checkboxes as booleans, rows without blank ones."""
        return {name: _value(field) for name, field in self._fields.items()
                if field.type not in SKIPPED_TYPES and name not in self.not_item_fields}

    @classmethod
    def form_data(cls, item: Mapping[str, Any]) -> dict[str, Any]:
        """Stored item (interchange form) → ``data=`` for the form; null shows as an empty input."""
        return {key: _display(value) for key, value in item.items()}

    def add_row(self, name: str) -> bool:
        """Add an empty row to the repeated rows ``name``; False when there is no such list."""
        field = self._fields.get(name)
        if not isinstance(field, FieldList):
            return False
        field.append_entry()
        return True

    def apply_errors(self, errors: Mapping[str, list[str]]) -> None:
        """Put the schema's messages next to their inputs; a message without an input goes on top."""
        for path, messages in errors.items():
            target = self._field_at(path.split(".")) if path else None
            if target is None:
                self.form_errors = [*self.form_errors, *messages]
            else:
                target.errors = [*(target.errors or []), *messages]

    def _field_at(self, parts: list[str]) -> Field | None:
        container: Any = self
        field: Field | None = None
        for part in parts:
            if isinstance(field, FieldList):
                if not part.isdigit():
                    return None
                # rows without content were dropped by to_item: count only the kept ones
                kept = [entry for entry in field.entries if not _blank(_value(entry))]
                index = int(part)
                if index >= len(kept):
                    return field
                field = kept[index]
                container = field.form
                continue
            fields = getattr(container, "_fields", None)
            if fields is None or part not in fields:
                return field
            field = fields[part]
            if isinstance(field, FormField):
                container = field.form
        if isinstance(field, FieldList):
            # an error about the whole list (e.g. "at least one row")
            field.errors = list(field.errors or [])
        return field


class SectionUploadForm(PortalForm):
    """A CSV or XLSX file whose rows replace the items of a flat list section."""

    file = FileField(_l("File (CSV or XLSX)"),
                     validators=[FileRequired(_l("Choose the CSV or XLSX file to upload."))],
                     description=_l("The file replaces every item of the section. If any row has an error, nothing "
                                    "is saved and every error is listed."),
                     render_kw={"accept": ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument."
                                          "spreadsheetml.sheet"})
