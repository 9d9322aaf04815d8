"""One version of a filing as filed, and what changed from the previous version."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _

from ...accounts.models import User
from ...accounts.permissions import is_filer_of
from ...i18n import format_amount
from .. import services
from ..diff import Change, payment_item, diff_documents
from ..document import filing_document, load_documents
from ..models import Disclosure
from ..services import ChecklistItem
from ..attachments import referenced_attachments
from .sections import esg_views
from .display import Names, ProfileView, TotalsView, checklist_detail, display_value, profile_view, totals_view
from .labels import FIELD_LABELS, SECTION_LABELS


# --- one version -------------------------------------------------------------------------


@dataclass
class VersionPage:
    """One version of a filing as filed (or as drafted, for the company itself)."""

    disclosure: Disclosure
    profile: ProfileView
    #: codes → names as the version was filed (a draft: the register as it stands)
    names: Names
    checklist: list[tuple[ChecklistItem, str]]
    totals: TotalsView
    #: the versions the actor may read, oldest first
    versions: list[Disclosure]
    previous: Disclosure | None
    is_company: bool
    locale: str
    #: the ESG sections as filed (private fields never shown here)
    esg: list = field(default_factory=list)
    #: the files of the version: those its sections name, then the others uploaded to it
    attachments: list = field(default_factory=list)

    @property
    def declarations(self) -> dict[str, Any]:
        return {d.section: d for d in self.disclosure.declarations}

    @property
    def company_name(self) -> str:
        """The company's name as filed (a draft: as it stands in the register)."""
        return (self.disclosure.profile_snapshot or {}).get("legal_name") or self.disclosure.company.legal_name


def _previous(disclosure: Disclosure, visible: list[Disclosure]) -> Disclosure | None:
    return next((v for v in reversed(visible) if v.version < disclosure.version), None)


def version_page(actor: User, disclosure_id: int, locale: str) -> VersionPage:
    """One version the actor may read (the company: every version; staff: submitted ones)."""
    disclosure = services.get_disclosure(actor, disclosure_id)
    visible = services.visible_versions(actor, disclosure)
    names = Names.of(disclosure, locale)
    return VersionPage(
        disclosure=disclosure,
        profile=profile_view(disclosure, names),
        names=names,
        checklist=[(item, checklist_detail(item, disclosure)) for item in services.completeness(disclosure)],
        totals=totals_view(disclosure, locale, names),
        versions=visible,
        previous=_previous(disclosure, visible),
        is_company=is_filer_of(actor, disclosure.company_id),
        locale=locale,
        esg=esg_views(disclosure, names),
        attachments=referenced_attachments(disclosure),
    )


# --- the difference between two versions ------------------------------------------------

@dataclass(frozen=True)
class DiffRow:
    """One change, in words: what (item), which field, before and after."""

    kind: str  # changed | added | removed
    item: str
    field: str
    before: str
    after: str


@dataclass
class DiffPage:
    """The changes from the previous version the actor may read to this one, grouped by section."""

    disclosure: Disclosure
    previous: Disclosure | None
    #: (section label, rows), in the order of the document
    sections: list[tuple[str, list[DiffRow]]] = field(default_factory=list)
    is_company: bool = False

    @property
    def count(self) -> int:
        return sum(len(rows) for _section, rows in self.sections)


def _payment_words(row: dict[str, str], names: Names) -> str:
    parts = [names.streams.get(row["revenue_stream"], row["revenue_stream"]),
             names.entities.get(row["government_entity"], row["government_entity"]), row["project"], row["currency"]]
    if row["paid_in_kind"] == "yes":
        parts.append(_("paid in kind"))
    return " / ".join(part for part in parts if part)


def _row_summary(section: str, row: dict[str, Any], names: Names) -> str:
    """An added or removed row in one line."""
    if section == "payments":
        text = f"{format_amount(Decimal(row['amount']))} {row['currency']}"
        return f"{text} — {row['comment']}" if row.get("comment") else text
    if section == "licences":
        return f"{row['number']} — {row.get('project_name') or ''}".rstrip(" —")
    if section == "declarations":
        return f"{display_value('kind', row.get('kind'), names)}: {row.get('reason') or ''}"
    return display_value("*content*", row, names)


def _esg_diff_row(spec, change: Change, new_items: Any, names: Names) -> DiffRow:
    """A change of an ESG section, named with the section's labels and values formatted by kind."""
    from ..sections.display import Formatter, section_view
    formatter = Formatter(spec, names)
    item = change.item
    if spec.many and item.isdigit():
        index = int(item) - 1
        source = change.after if change.field == "*added*" else change.before if change.field == "*removed*" else (
            new_items[index] if isinstance(new_items, list) and index < len(new_items) else None)
        title = spec.item_title(source) if (spec.item_title and isinstance(source, dict)) else ""
        item = f"{item}. {title}".strip(". ") if title else item
    if change.field in ("*added*", "*removed*"):
        row = change.after if change.field == "*added*" else change.before
        view = section_view(spec, [row] if spec.many else row, names=names)
        summary = "; ".join(f"{label}: {value}" for label, value in view.items[0].facts) if view.items else "—"
        kind = "added" if change.field == "*added*" else "removed"
        return DiffRow(kind, item, str(FIELD_LABELS[change.field]),
                       summary if kind == "removed" else "—", summary if kind == "added" else "—")
    kind_of = spec.schema().fields.get(change.field)
    if kind_of is None or isinstance(change.before, list) or isinstance(change.after, list):
        before, after = (display_value("*content*", v, names) for v in (change.before, change.after))
    else:
        before, after = (formatter.value(change.field, kind_of, v) for v in (change.before, change.after))
    return DiffRow("changed", item, formatter.label(change.field), before, after)


def _diff_row(change: Change, payments: dict[str, dict], names: Names,
              esg_items: dict[str, Any] | None = None) -> tuple[str, DiffRow]:
    section = change.section
    from ..sections import spec_for
    spec = spec_for(section)
    if spec is not None:
        return section, _esg_diff_row(spec, change, (esg_items or {}).get(section), names)
    item = change.item
    if section == "payments":
        row = payments.get(item)
        item = _payment_words(row, names) if row else item
    elif section == "declarations":
        item = str(SECTION_LABELS.get(item, item))
    if change.field in ("*added*", "*removed*"):
        kind = "added" if change.field == "*added*" else "removed"
        row = change.after if kind == "added" else change.before
        if section == "payments":
            item = _payment_words(row, names)
        summary = _row_summary(section, row, names)
        return section, DiffRow(kind, item, str(FIELD_LABELS[change.field]),
                                summary if kind == "removed" else "—", summary if kind == "added" else "—")
    before, after = (display_value(change.field, value, names) for value in (change.before, change.after))
    if section == "payments" and change.field == "amount":
        currency = payments.get(change.item, {}).get("currency", "")
        before, after = f"{before} {currency}", f"{after} {currency}"
    return section, DiffRow("changed", item, str(FIELD_LABELS.get(change.field, change.field)), before, after)


def _merged(older: dict | None, newer: dict | None) -> dict:
    merged: dict[str, dict] = {}
    for snapshot in (older or {}, newer or {}):
        for key, names in snapshot.items():
            merged.setdefault(key, {}).update(names)
    return merged


def diff_page(actor: User, disclosure_id: int, locale: str) -> DiffPage:
    """What changed from the previous version to this one, every code and field named in ``locale``."""
    disclosure = services.get_disclosure(actor, disclosure_id)
    previous = _previous(disclosure, services.visible_versions(actor, disclosure))
    page = DiffPage(disclosure, previous, is_company=is_filer_of(actor, disclosure.company_id))
    if previous is None:
        return page
    load_documents((previous, disclosure))
    old, new = filing_document(previous), filing_document(disclosure)
    payments = {payment_item(row): row
                for document in (old, new) for row in document["sections"]["payments"]}
    # each version's recorded names; this version's win where both name a code
    names = Names(locale, _merged(previous.register_snapshot, disclosure.register_snapshot))
    grouped: dict[str, list[DiffRow]] = {}
    for change in diff_documents(old, new):
        section, row = _diff_row(change, payments, names, new["sections"])
        grouped.setdefault(section, []).append(row)
    page.sections = [(str(SECTION_LABELS.get(section, section)), rows) for section, rows in grouped.items()]
    return page
