"""An ESG section as people read it: labels, names and numbers in the reader's language.

Pure reading: the section's schema says what kind each value is (money, quantity, date, code,
choice, rows…), its spec gives the labels. The same views feed the section page, the version
page, the secretariat's review and the filing receipt PDF, so a section is shown the same
way everywhere. "—" marks a value not reported (null); it is never shown as 0.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from flask_babel import format_date, format_decimal
from flask_babel import gettext as _

from ...i18n import format_amount
from . import SectionSpec
from .fields import (AttachmentRef, Choice, ChoiceList, Count, IsoDate, Money, Project, Quantity, ReferenceCode,
                     Rows, YesNo)

NOT_REPORTED = "—"


@dataclass(frozen=True)
class TableView:
    """Repeated rows of an item (commitments, concerns…): a label, column headers, formatted cells."""

    key: str
    label: str
    headers: list[str]
    rows: list[list[str]]


@dataclass(frozen=True)
class ItemView:
    """One item of a section (or the object of an object section), ready to show."""

    index: int
    title: str
    facts: list[tuple[str, str]] = field(default_factory=list)
    tables: list[TableView] = field(default_factory=list)
    #: the item's stable identifier (list sections of a stored version), which forms address it by
    item_id: str | None = None


@dataclass(frozen=True)
class SectionView:
    key: str
    label: str
    items: list[ItemView]
    #: a list of items (numbered) or one object (workforce: no item heading)
    many: bool = True

    @property
    def is_empty(self) -> bool:
        return not self.items


class Formatter:
    """Values → text for one reader: reference names (``names``: table → {code: name}) and attachments."""

    def __init__(self, spec: SectionSpec, names: Any = None, attachments: Mapping[str, str] | None = None):
        self.spec, self.names = spec, names
        self.attachments = attachments or {}

    def label(self, key: str) -> str:
        text = self.spec.labels.get(key)
        return str(text) if text is not None else key

    def choice(self, key: str, code: str) -> str:
        labels = self.spec.choice_labels.get(key) or {}
        text = labels.get(code)
        return str(text) if text is not None else code

    def _reference(self, table: str, code: str) -> str:
        if code == "other":
            return _("other")
        lookup = {"mineral": "minerals", "region": "regions", "site": "sites"}.get(table)
        names = getattr(self.names, lookup, {}) if (self.names is not None and lookup) else {}
        return names.get(code) or code

    def value(self, key: str, kind: Any, value: Any) -> str:
        if value is None or (value == "" and not isinstance(kind, (Project,))):
            return NOT_REPORTED
        if isinstance(kind, Money):
            return format_amount(Decimal(value))
        if isinstance(kind, Quantity):
            return format_decimal(Decimal(value), format="#,##0.######")
        if isinstance(kind, Count):
            return format_decimal(int(value), format="#,##0")
        if isinstance(kind, IsoDate):
            return format_date(dt.date.fromisoformat(value), "medium")
        if isinstance(kind, YesNo):
            return _("Yes") if value else _("No")
        if isinstance(kind, ChoiceList):
            return ", ".join(self.choice(key, code) for code in value) if value else NOT_REPORTED
        if isinstance(kind, Choice):
            return self.choice(key, value)
        if isinstance(kind, ReferenceCode):
            return self._reference(kind.table, value)
        if isinstance(kind, Project):
            return value or _("whole company")
        if isinstance(kind, AttachmentRef):
            name = self.attachments.get(value)
            return f"{name} (SHA-256 {value[:12]}…)" if name else f"SHA-256 {value}"
        return str(value)


def _item_view(spec: SectionSpec, formatter: Formatter, schema: Any, item: Mapping[str, Any], index: int,
               item_id: str | None,
               show_private: bool) -> ItemView:
    facts: list[tuple[str, str]] = []
    tables: list[TableView] = []
    for key, kind in schema.fields.items():
        if key in spec.private_fields and not show_private:
            continue
        if key not in item:
            continue
        value = item.get(key)
        if isinstance(kind, Rows):
            row_schema = kind.inner.schema
            columns = list(row_schema.fields.items())
            rows = [[formatter.value(column, row_kind, row.get(column)) for column, row_kind in columns]
                    for row in (value or [])]
            tables.append(TableView(key, formatter.label(key), [formatter.label(c) for c, _k in columns], rows))
        else:
            facts.append((formatter.label(key), formatter.value(key, kind, value)))
    if spec.derived is not None:
        facts += [(str(label), text) for label, text in spec.derived(item)]
    title = spec.item_title(item) if spec.item_title else ""
    return ItemView(index, title or f"{index + 1}", facts, tables, item_id)


def section_view(spec: SectionSpec, data: list | dict, *, names: Any = None,
                 attachments: Mapping[str, str] | None = None, show_private: bool = False,
                 item_ids: list[str] | None = None) -> SectionView:
    """The section in the interchange form (``dump_section`` / ``dump_with_private``) as item views;
    ``item_ids`` are the stored items' stable identifiers, in the same order."""
    formatter = Formatter(spec, names, attachments)
    schema = spec.schema()
    if spec.many:
        ids = list(item_ids or [])
        items = [_item_view(spec, formatter, schema, item, i, ids[i] if i < len(ids) else None, show_private)
                 for i, item in enumerate(data or [])]
    else:
        items = [_item_view(spec, formatter, schema, data, 0, None, show_private)] if data else []
    return SectionView(spec.key, str(spec.label), items, spec.many)
