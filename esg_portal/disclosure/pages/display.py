"""Codes of the filing document as names, and values formatted, in the reader's language."""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from typing import Any

from babel.numbers import get_decimal_symbol
from flask_babel import format_date, format_decimal
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from ...extensions import db
from ...i18n import format_amount, localized_name
from ...labels import label
from ...money import rate_from_scaled
from ...companies.models import License
from ...reference.models import GovernmentEntity, Mineral, Region, RevenueStream, Site
from .. import services
from ..document import profile_object
from ..models import Disclosure
from ..snapshot import recorded_name
from ..services import ChecklistItem
from .labels import DECLARATION_LABELS, FIELD_LABELS, PAYMENT_DECLARATION_LABELS, PROFILE_FIELDS


class Names:
    """Reference codes → names in one locale, each table read once per page.

    ``recorded`` is the register snapshot of a sealed version (``Disclosure.register_snapshot``): its
    names win over the register's, so a version shows the names of the day it was filed. Without it
    (a draft, a version sealed before versions recorded names) the register as it stands is shown.
    """

    def __init__(self, locale: str, recorded: Mapping[str, Any] | None = None):
        self.locale = locale
        self.recorded = recorded or {}

    @classmethod
    def of(cls, disclosure: Disclosure, locale: str) -> Names:
        """The names a version shows: those recorded when it was sealed, else the live register."""
        return cls(locale, disclosure.register_snapshot)

    def _by_code(self, model, key: str) -> dict[str, str]:
        names = {record.code: localized_name(record, self.locale) for record in db.session.scalars(select(model))}
        names.update({code: recorded_name(rec, self.locale) or names.get(code, "")
                      for code, rec in (self.recorded.get(key) or {}).items()})
        return names

    @cached_property
    def regions(self) -> dict[str, str]:
        return self._by_code(Region, "regions")

    @cached_property
    def sites(self) -> dict[str, str]:
        return self._by_code(Site, "sites")

    @cached_property
    def minerals(self) -> dict[str, str]:
        return self._by_code(Mineral, "minerals")

    @cached_property
    def streams(self) -> dict[str, str]:
        return self._by_code(RevenueStream, "revenue_streams")

    @cached_property
    def entities(self) -> dict[str, str]:
        return self._by_code(GovernmentEntity, "government_entities")

    def stream(self, stream: RevenueStream) -> str:
        """The name of a payment line's revenue stream."""
        return self.streams.get(stream.code) or localized_name(stream, self.locale)

    def gfs(self, stream: RevenueStream) -> str:
        """The GFS code of a payment line's revenue stream ("" when it has none)."""
        recorded = (self.recorded.get("revenue_streams") or {}).get(stream.code)
        if recorded is not None:
            return recorded.get("gfs_code") or ""
        return stream.gfs_code.code if stream.gfs_code is not None else ""

    def entity(self, entity: GovernmentEntity) -> str:
        """The name of a payment line's government entity."""
        return self.entities.get(entity.code) or localized_name(entity, self.locale)

    def licence(self, licence: License | None) -> str:
        """The number of a payment line's licence as filed ("" for the whole company)."""
        if licence is None:
            return ""
        recorded = self._licence_numbers.get(licence.id)
        return recorded or licence.number

    @cached_property
    def _licence_numbers(self) -> dict[int, str]:
        return {rec.get("id"): number for number, rec in (self.recorded.get("licences") or {}).items()}


def yes_no(value: bool) -> str:
    """Yes or No in the reader's language."""
    return _("Yes") if value else _("No")


def input_number(value: str | Decimal, locale: str) -> str:
    """An exact decimal as the user types it: their decimal mark, no grouping (for pre-filled fields)."""
    return str(value).replace(".", get_decimal_symbol(locale))


def display_value(field_name: str, value: Any, names: Names) -> str:
    """One value of the filing document as the reader sees it ("—" for nothing)."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return yes_no(value)
    if field_name in ("region", "site", "minerals", "revenue_stream", "government_entity"):
        table = {"region": names.regions, "site": names.sites, "minerals": names.minerals,
                 "revenue_stream": names.streams, "government_entity": names.entities}[field_name]
        codes = value if isinstance(value, list) else [value]
        return ", ".join(table.get(code) or code for code in codes)
    if field_name in ("issued_on", "expires_on"):
        return format_date(dt.date.fromisoformat(value), "medium")
    if field_name == "state_share_pct":
        return format_decimal(Decimal(value), format="#,##0.##") + " %"
    if field_name == "amount":
        return format_amount(Decimal(value))
    if field_name == "in_kind_volume":
        return format_decimal(Decimal(value), format="#,##0.######")
    if field_name == "paid_in_kind":
        return yes_no(value == "yes")
    if field_name in ("kind", "status"):
        return str(DECLARATION_LABELS.get(value) or label(value))
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


@dataclass(frozen=True)
class ProfileView:
    """The company register entry (live for a draft, as filed for a submitted version), ready to show."""

    #: (label, value) in PROFILE_FIELDS order
    facts: list[tuple[str, str]]
    #: one dict per licence: number, kind, project_name, site, minerals, issued_on, expires_on, status
    licences: list[dict[str, str]]
    #: True for a submitted version: this is the copy made at submission
    is_snapshot: bool


def profile_view(disclosure: Disclosure, names: Names) -> ProfileView:
    """The profile of a version: the copy made at submission, or the live register for a draft."""
    profile = disclosure.profile_snapshot or profile_object(disclosure.company)
    facts = [(str(FIELD_LABELS[name]), display_value(name, profile.get(name), names)) for name in PROFILE_FIELDS]
    licences = [{key: display_value(key, value, names) for key, value in licence.items()}
                for licence in profile.get("licences", [])]
    return ProfileView(facts, licences, disclosure.profile_snapshot is not None)


@dataclass(frozen=True)
class TotalLine:
    """One total: a code, its name and the exact amount."""

    code: str
    label: str
    amount: Decimal


@dataclass(frozen=True)
class TotalsView:
    """Server-side totals of services.payment_totals with names, in display order."""

    #: in KGS, USD lines converted at the period rate
    by_stream: list[TotalLine]
    by_entity: list[TotalLine]
    #: as filed, per currency
    by_currency: list[TotalLine]
    total_kgs: Decimal
    has_usd: bool
    #: False when USD lines exist but the period has no rate yet (they are left out of the KGS totals)
    has_rate: bool
    rate: Decimal | None
    rate_source: str | None

    @property
    def rate_text(self) -> str:
        """The period rate as shown: 4 decimals in the reader's notation ("" when not set)."""
        return format_decimal(self.rate, format="#,##0.0000") if self.rate is not None else ""


def totals_view(disclosure: Disclosure, locale: str, names: Names | None = None) -> TotalsView:
    """services.payment_totals of a version, with names in ``locale`` (a sealed version's as filed) and the
    period rate."""
    names = names or Names.of(disclosure, locale)
    totals = services.payment_totals(disclosure)
    streams = {line.revenue_stream_id: line.revenue_stream for line in disclosure.payment_lines}
    entities = {line.government_entity_id: line.government_entity for line in disclosure.payment_lines}
    by_stream = sorted(((streams[i], amount) for i, amount in totals.by_stream_kgs.items()),
                       key=lambda pair: (pair[0].sort_order, pair[0].code))
    by_entity = sorted(((entities[i], amount) for i, amount in totals.by_entity_kgs.items()),
                       key=lambda pair: pair[0].code)
    rate = disclosure.period.usd_rate_scaled
    return TotalsView(
        by_stream=[TotalLine(s.code, names.stream(s), amount) for s, amount in by_stream],
        by_entity=[TotalLine(e.code, names.entity(e), amount) for e, amount in by_entity],
        by_currency=[TotalLine(code, code, amount) for code, amount in totals.by_currency.items()],
        total_kgs=totals.total_kgs,
        has_usd="USD" in totals.by_currency,
        has_rate=totals.has_rate,
        rate=rate_from_scaled(rate) if rate else None,
        rate_source=disclosure.period.usd_rate_source,
    )


def checklist_detail(item: ChecklistItem, disclosure: Disclosure) -> str:
    """What a checklist line adds to its state: the number of lines, the declared answer, the missing fields."""
    if item.state == "provided" and item.section == "payments":
        return ngettext("%(num)d payment line", "%(num)d payment lines", int(item.detail or 0))
    if item.state == "declared":
        declaration = disclosure.declaration(item.section)
        words = PAYMENT_DECLARATION_LABELS if item.section == "payments" else DECLARATION_LABELS
        return f"{words[item.detail]} — {declaration.reason}" if declaration else str(words[item.detail])
    if item.section == "profile" and item.detail:
        missing = ", ".join(str(FIELD_LABELS.get(name, name)) for name in item.detail.split(","))
        return _("Missing in the register: %(fields)s", fields=missing)
    return ""


def checklist_text(item: ChecklistItem, disclosure: Disclosure) -> str:
    """The state of one checklist line in words, with its detail (the receipt's status column)."""
    state = {"provided": _("Provided"), "declared": _("Declared nil or not applicable"),
             "missing": _("Not provided")}[item.state]
    detail = checklist_detail(item, disclosure)
    return f"{state}: {detail}" if detail else state
