"""What the filer's filing pages show and do: services composed for one page, nothing rendered.

Each function takes the acting user and either assembles plain data for a template (the
filing of a period, one version, the difference between two versions, the receipt) or
performs one page action by calling the services (flush, never commit: the view commits
once). Codes are resolved to names and values formatted in the reader's language here, so
templates and the PDF builder only place text.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Any

from babel.numbers import get_decimal_symbol
from flask_babel import format_date, format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..accounts.models import Role, User
from ..accounts.permissions import is_filer_of
from ..audit import utcnow
from ..companies.models import Company
from ..errors import InvalidTransition, NotFound, PermissionDenied
from ..extensions import db
from ..i18n import format_amount, format_deadline, format_money, localized_name
from ..labels import label
from ..money import from_minor, rate_from_scaled
from ..reference.models import GovernmentEntity, Mineral, PeriodStatus, Region, ReportingPeriod, RevenueStream, Site
from ..reports import build_filing_receipt
from . import services, workflow
from .attestation import attestation_text
from .diff import Change, _payment_item, diff_documents
from .document import filing_document, payment_object, profile_object
from .models import DeclarationKind, Disclosure, DisclosureStatus, FilingQuery, PaymentLine, QueryStatus
from .schemas import PaymentLookups, load_payment_lookups, read_payment_upload
from .services import SECTIONS, ChecklistItem

# --- labels shared by the pages, the difference and the receipt ----------------------

#: section keys of the filing document → their names
SECTION_LABELS = {
    "profile": _l("Company profile"),
    "licences": _l("Licences"),
    "payments": _l("Payments to the state"),
    "eia": _l("Environmental impact assessments"),
    "social_agreements": _l("Social agreements"),
    "public_hearings": _l("Public hearings"),
    "workforce": _l("Workforce"),
    "production": _l("Production"),
    "declarations": _l("Nil and not-applicable answers"),
}
#: field keys of the filing document → their names (profile, licences, payments, declarations)
FIELD_LABELS = {
    # profile
    "legal_name": _l("Legal name"),
    "inn": _l("INN"),
    "legal_form": _l("Legal form"),
    "address": _l("Address"),
    "region": _l("Region"),
    "state_share_pct": _l("State share"),
    "is_state_share_free_carried": _l("State share is free-carried"),
    "is_soe": _l("State-owned enterprise"),
    "website": _l("Website"),
    "listing": _l("Stock exchange listing"),
    "audited_statements_url": _l("Audited financial statements"),
    # licences
    "number": _l("Licence number"),
    "kind": _l("Type"),
    "project_name": _l("Project"),
    "site": _l("Site"),
    "minerals": _l("Minerals"),
    "issued_on": _l("Issued on"),
    "expires_on": _l("Expires on"),
    "status": _l("Status"),
    # payments (the same words as the payment form)
    "revenue_stream": _l("Revenue stream"),
    "government_entity": _l("Government entity"),
    "project": _l("Project (licence)"),
    "amount": _l("Amount"),
    "currency": _l("Currency"),
    "paid_in_kind": _l("Paid in kind"),
    "in_kind_volume": _l("Volume delivered"),
    "in_kind_unit": _l("Unit of the volume"),
    "recipient_locality": _l("Recipient aiyl okmotu or town"),
    "comment": _l("Comment"),
    # declarations
    "reason": _l("Reason"),
    # the markers of diff.diff_documents
    "*added*": _l("Added"),
    "*removed*": _l("Removed"),
    "*content*": _l("Content"),
}
#: the profile as the pages list it
PROFILE_FIELDS = ("legal_name", "inn", "legal_form", "address", "region", "state_share_pct",
                  "is_state_share_free_carried", "is_soe", "website", "listing", "audited_statements_url")
DECLARATION_LABELS = {
    DeclarationKind.NIL.value: _l("Nil: nothing to report for this period"),
    DeclarationKind.NOT_APPLICABLE.value: _l("Not applicable to our company"),
}
#: for payments the nil answer has its own words
PAYMENT_DECLARATION_LABELS = {
    DeclarationKind.NIL.value: _l("No payments in this period"),
    DeclarationKind.NOT_APPLICABLE.value: _l("Not applicable"),
}
#: the filing receipt's labels (keys of reports.LABELS_EN), translated
RECEIPT_LABELS = {
    "portal_name": _l("ESG/EITI disclosure portal · Mining sector of the Kyrgyz Republic"),
    "title": _l("Filing receipt"),
    "company": _l("Company"),
    "inn": _l("INN"),
    "legal_form": _l("Legal form"),
    "address": _l("Address"),
    "period": _l("Reporting period"),
    "version": _l("Version"),
    "status": _l("Status"),
    "submitted_at": _l("Submitted"),
    "amendment_reason": _l("Reason for amendment"),
    "sha256": _l("SHA-256"),
    "attestation": _l("Attestation"),
    "attested_by": _l("Attested by"),
    "payments": _l("Payments to government"),
    "no_lines": _l("No payment lines were filed."),
    "col_number": _l("#"),
    "col_revenue_stream": _l("Revenue stream"),
    "col_gfs_code": _l("GFS code"),
    "col_government_entity": _l("Government entity"),
    "col_project": _l("Project"),
    "col_amount": _l("Amount"),
    "col_currency": _l("Currency"),
    "col_in_kind": _l("In kind"),
    "col_comment": _l("Comment"),
    "totals_by_stream": _l("Totals by revenue stream"),
    "totals_by_entity": _l("Totals by government entity"),
    "totals": _l("Total by currency"),
    "total": _l("Total"),
    "sections": _l("Other sections"),
    "col_section": _l("Section"),
    "col_section_status": _l("Status"),
    "attachments": _l("Attachments"),
    "col_file": _l("File"),
    "none": _l("None"),
    "verification": _l("Verification"),
    "verification_note": _l("The SHA-256 identifies exactly the filed content; any change to the filing, however "
                            "small, gives a different value. Compare it with the value shown on the portal for "
                            "this version."),
    "generated_at": _l("Generated"),
}


# --- names and values in the reader's language --------------------------------------

class Names:
    """Reference codes → names in one locale, each table read once per page."""

    def __init__(self, locale: str):
        self.locale = locale

    def _by_code(self, model) -> dict[str, str]:
        return {record.code: localized_name(record, self.locale) for record in db.session.scalars(select(model))}

    @cached_property
    def regions(self) -> dict[str, str]:
        return self._by_code(Region)

    @cached_property
    def sites(self) -> dict[str, str]:
        return self._by_code(Site)

    @cached_property
    def minerals(self) -> dict[str, str]:
        return self._by_code(Mineral)

    @cached_property
    def streams(self) -> dict[str, str]:
        return self._by_code(RevenueStream)

    @cached_property
    def entities(self) -> dict[str, str]:
        return self._by_code(GovernmentEntity)


def yes_no(value: bool) -> str:
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
    profile = disclosure.profile_snapshot or profile_object(disclosure.company)
    facts = [(str(FIELD_LABELS[name]), display_value(name, profile.get(name), names)) for name in PROFILE_FIELDS]
    licences = [{key: display_value(key, value, names) for key, value in licence.items()}
                for licence in profile.get("licences", [])]
    return ProfileView(facts, licences, disclosure.profile_snapshot is not None)


@dataclass(frozen=True)
class TotalLine:
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


def totals_view(disclosure: Disclosure, locale: str) -> TotalsView:
    totals = services.payment_totals(disclosure)
    streams = {line.revenue_stream_id: line.revenue_stream for line in disclosure.payment_lines}
    entities = {line.government_entity_id: line.government_entity for line in disclosure.payment_lines}
    by_stream = sorted(((streams[i], amount) for i, amount in totals.by_stream_kgs.items()),
                       key=lambda pair: (pair[0].sort_order, pair[0].code))
    by_entity = sorted(((entities[i], amount) for i, amount in totals.by_entity_kgs.items()),
                       key=lambda pair: pair[0].code)
    rate = disclosure.period.usd_rate_scaled
    return TotalsView(
        by_stream=[TotalLine(s.code, localized_name(s, locale), amount) for s, amount in by_stream],
        by_entity=[TotalLine(e.code, localized_name(e, locale), amount) for e, amount in by_entity],
        by_currency=[TotalLine(code, code, amount) for code, amount in totals.by_currency.items()],
        total_kgs=totals.total_kgs,
        has_usd="USD" in totals.by_currency,
        has_rate=totals.has_rate,
        rate=rate_from_scaled(rate) if rate else None,
        rate_source=disclosure.period.usd_rate_source,
    )


def checklist_text(item: ChecklistItem, disclosure: Disclosure) -> str:
    """The state of one checklist line in words (provided / declared nil or not applicable / not provided)."""
    if item.state == "provided":
        if item.section == "payments":
            return _("Provided: %(count)s payment lines", count=item.detail)
        return _("Provided")
    if item.state == "declared":
        declaration = disclosure.declaration(item.section)
        words = DECLARATION_LABELS if item.section != "payments" else PAYMENT_DECLARATION_LABELS
        return _("Declared: %(kind)s", kind=words[item.detail]) + (f" — {declaration.reason}" if declaration else "")
    if item.section == "profile" and item.detail:
        missing = ", ".join(str(FIELD_LABELS.get(name, name)) for name in item.detail.split(","))
        return _("Not provided: %(fields)s missing in the register", fields=missing)
    return _("Not provided")


# --- whose filing ----------------------------------------------------------------------

def filer_company(actor: User) -> Company:
    """The company of a company filer; the filing pages are theirs alone (others get 403)."""
    if not (getattr(actor, "is_authenticated", False) and actor.role is Role.COMPANY_FILER and actor.company_id):
        raise PermissionDenied()
    return actor.company


def signatories(company: Company) -> list[User]:
    """The company's active filers who may attest and submit."""
    stmt = (select(User).where(User.company_id == company.id, User.role == Role.COMPANY_FILER,
                               User.is_signatory.is_(True), User.is_active.is_(True)).order_by(User.full_name))
    return list(db.session.scalars(stmt))


def _blank_draft(company: Company, period: ReportingPeriod) -> Disclosure:
    """What version 1 would be before anything is saved: shown, never added to the session."""
    return Disclosure(company=company, period=period, version=1, status=DisclosureStatus.DRAFT)


# --- the filing page of a period --------------------------------------------------------

@dataclass
class FilingPage:
    """The filer's filing for one period: the draft being edited, or the latest submitted version."""

    period: ReportingPeriod
    company: Company
    #: the newest version (None: nothing saved yet)
    current: Disclosure | None
    #: what the page shows: ``current``, or an unsaved blank version 1
    shown: Disclosure
    #: every version, oldest first
    versions: list[Disclosure]
    checklist: list[tuple[ChecklistItem, str]]
    totals: TotalsView
    profile: ProfileView
    lookups: PaymentLookups | None
    #: the questions of the secretariat on the newest submitted version
    queries: list[FilingQuery]
    signatories: list[User]
    actor_is_signatory: bool
    #: the period is open and the newest version is a draft (or there is none yet)
    is_editable: bool
    #: the period is open and the newest version is submitted: an amendment may start
    can_amend: bool
    locale: str

    @property
    def is_started(self) -> bool:
        return self.current is not None

    @property
    def open_queries(self) -> list[FilingQuery]:
        return [q for q in self.queries if q.status is QueryStatus.OPEN]

    @property
    def declarations(self) -> dict[str, Any]:
        return {d.section: d for d in self.shown.declarations}

    @property
    def other_sections(self) -> tuple[str, ...]:
        return tuple(s for s in SECTIONS if s != "payments")

    @property
    def submitted_versions(self) -> list[Disclosure]:
        return [v for v in self.versions if v.status is not DisclosureStatus.DRAFT]


def filing_page(actor: User, year: int, locale: str) -> FilingPage:
    """Everything the filing page of ``year`` shows for the actor's company; stores nothing."""
    company = filer_company(actor)
    period = services.get_period(year)
    current = services.latest_filing(actor, company, period)
    shown = current or _blank_draft(company, period)
    every = services.versions(company.id, period.id)
    is_open = period.status is PeriodStatus.OPEN
    is_editable = is_open and shown.status is DisclosureStatus.DRAFT
    submitted = [v for v in every if v.status is not DisclosureStatus.DRAFT]
    return FilingPage(
        period=period, company=company, current=current, shown=shown, versions=every,
        checklist=[(item, checklist_text(item, shown)) for item in services.completeness(shown)],
        totals=totals_view(shown, locale),
        profile=profile_view(shown, Names(locale)),
        lookups=load_payment_lookups(company.id) if is_editable else None,
        queries=list(submitted[-1].queries) if submitted else [],
        signatories=signatories(company),
        actor_is_signatory=bool(actor.is_signatory),
        is_editable=is_editable,
        can_amend=is_open and current is not None and current.status in workflow.AMENDABLE,
        locale=locale,
    )


def submission_page(actor: User, year: int, locale: str) -> FilingPage:
    """The filing page data for the submit page; refused (409) when there is no draft to submit."""
    page = filing_page(actor, year, locale)
    _require_page_editable(page)
    return page


def amendment_page(actor: User, year: int, locale: str) -> FilingPage:
    """The filing page data for the amendment page; refused (409) when no amendment can start."""
    page = filing_page(actor, year, locale)
    if not page.can_amend:
        if page.period.status is not PeriodStatus.OPEN:
            raise services.PeriodClosed(_("The reporting period %(year)s is closed: nothing can be changed in it.",
                                          year=page.period.year))
        if page.current is None:
            raise InvalidTransition(_("Nothing has been submitted for this period yet: fill in the draft instead."),
                                    code="nothing_submitted")
        raise InvalidTransition(_("Version %(version)d is already open as a draft: continue there.",
                                  version=page.current.version), code="draft_exists")
    return page


def _require_page_editable(page: FilingPage) -> None:
    if page.period.status is not PeriodStatus.OPEN:
        raise services.PeriodClosed(_("The reporting period %(year)s is closed: nothing can be changed in it.",
                                      year=page.period.year))
    if not page.is_editable:
        raise InvalidTransition(_("Version %(version)d has been submitted and cannot be changed. "
                                  "Start an amendment to correct it.", version=page.shown.version), code="not_draft")


def editing_lookups(actor: User, year: int) -> PaymentLookups:
    """What a payment row of the actor's draft may name; refused (409) when the filing cannot be edited."""
    company = filer_company(actor)
    period = services.get_period(year)
    if period.status is not PeriodStatus.OPEN:
        raise services.PeriodClosed(_("The reporting period %(year)s is closed: nothing can be changed in it.",
                                      year=period.year))
    latest = services.latest_filing(actor, company, period)
    if latest is not None and latest.status is not DisclosureStatus.DRAFT:
        raise InvalidTransition(_("Version %(version)d has been submitted and cannot be changed. "
                                  "Start an amendment to correct it.", version=latest.version), code="not_draft")
    return load_payment_lookups(company.id)


def template_lookups(actor: User, year: int) -> PaymentLookups:
    """The codes and the company's licences for the XLSX template of ``year``."""
    company = filer_company(actor)
    services.get_period(year)
    return load_payment_lookups(company.id)


# --- page actions (flush, never commit) ------------------------------------------------

def _draft(actor: User, year: int) -> Disclosure:
    return services.open_draft(actor, filer_company(actor), services.get_period(year))


def add_line(actor: User, year: int, payment) -> PaymentLine:
    """Add a payment line to the draft of ``year`` (created as version 1 if needed)."""
    return services.add_payment_line(actor, _draft(actor, year), payment)


def replace_lines_from_file(actor: User, year: int, data: bytes, filename: str, *, locale: str,
                            lookups: PaymentLookups) -> int:
    """An uploaded CSV/XLSX replaces every payment line of the draft, or nothing changes (UploadRejected)."""
    payments = read_payment_upload(data, filename, locale=locale, lookups=lookups)
    return services.replace_payment_lines(actor, _draft(actor, year), payments)


def require_section(section: str) -> str:
    """A section key of the filing document a filer answers; anything else does not exist (404)."""
    if section not in SECTIONS:
        raise NotFound()
    return section


def declare(actor: User, year: int, section: str, kind: str, reason: str):
    """Record 'nil' or 'not applicable' for one section of the draft."""
    require_section(section)
    return services.declare_section(actor, _draft(actor, year), section, DeclarationKind(kind), reason)


def withdraw(actor: User, year: int, section: str) -> None:
    """Take back a nil / not-applicable answer."""
    require_section(section)
    services.withdraw_declaration(actor, _draft(actor, year), section)


def submit(actor: User, year: int, *, name: str, position: str, locale: str) -> Disclosure:
    """A signatory submits the draft with the attestation shown in ``locale``."""
    return services.submit_disclosure(actor, _draft(actor, year), attested_by_name=name,
                                      attested_by_position=position, attestation_text=attestation_text(locale))


def amend(actor: User, year: int, reason: str) -> Disclosure:
    """Open the next version as a draft, pre-filled from the last submitted one."""
    return services.start_amendment(actor, filer_company(actor), services.get_period(year), reason)


def editable_line(actor: User, line_id: int) -> tuple[PaymentLine, PaymentLookups]:
    """A payment line of the actor's draft, for its edit form; 409 once the version is submitted."""
    line = services.get_payment_line(actor, line_id)
    disclosure = line.disclosure
    if not is_filer_of(actor, disclosure.company_id):
        raise NotFound()
    editing_lookups(actor, disclosure.period.year)
    if disclosure.status is not DisclosureStatus.DRAFT:
        raise InvalidTransition(_("This version has been submitted and cannot be changed. "
                                  "Start an amendment to correct it."), code="not_draft")
    return line, load_payment_lookups(disclosure.company_id)


def line_form_data(line: PaymentLine, locale: str) -> dict[str, str]:
    """A stored line as the form shows it: the §3 row with numbers in the user's notation."""
    row = payment_object(line)
    row["amount"] = input_number(row["amount"], locale)
    if row["in_kind_volume"]:
        row["in_kind_volume"] = input_number(row["in_kind_volume"], locale)
    return row


# --- one version -------------------------------------------------------------------------

@dataclass
class VersionPage:
    """One version of a filing as filed (or as drafted, for the company itself)."""

    disclosure: Disclosure
    profile: ProfileView
    checklist: list[tuple[ChecklistItem, str]]
    totals: TotalsView
    #: the versions the actor may read, oldest first
    versions: list[Disclosure]
    previous: Disclosure | None
    is_company: bool
    locale: str

    @property
    def declarations(self) -> dict[str, Any]:
        return {d.section: d for d in self.disclosure.declarations}


def _previous(disclosure: Disclosure, visible: list[Disclosure]) -> Disclosure | None:
    return next((v for v in reversed(visible) if v.version < disclosure.version), None)


def version_page(actor: User, disclosure_id: int, locale: str) -> VersionPage:
    disclosure = services.get_disclosure(actor, disclosure_id)
    visible = services.visible_versions(actor, disclosure)
    return VersionPage(
        disclosure=disclosure,
        profile=profile_view(disclosure, Names(locale)),
        checklist=[(item, checklist_text(item, disclosure)) for item in services.completeness(disclosure)],
        totals=totals_view(disclosure, locale),
        versions=visible,
        previous=_previous(disclosure, visible),
        is_company=is_filer_of(actor, disclosure.company_id),
        locale=locale,
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


def _diff_row(change: Change, payments: dict[str, dict], names: Names) -> tuple[str, DiffRow]:
    section = change.section
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


def diff_page(actor: User, disclosure_id: int, locale: str) -> DiffPage:
    """What changed from the previous version to this one, every code and field named in ``locale``."""
    disclosure = services.get_disclosure(actor, disclosure_id)
    previous = _previous(disclosure, services.visible_versions(actor, disclosure))
    page = DiffPage(disclosure, previous, is_company=is_filer_of(actor, disclosure.company_id))
    if previous is None:
        return page
    old, new = filing_document(previous), filing_document(disclosure)
    payments = {_payment_item(row): row
                for document in (old, new) for row in document["sections"]["payments"]}
    names = Names(locale)
    grouped: dict[str, list[DiffRow]] = {}
    for change in diff_documents(old, new):
        section, row = _diff_row(change, payments, names)
        grouped.setdefault(section, []).append(row)
    page.sections = [(str(SECTION_LABELS.get(section, section)), rows) for section, rows in grouped.items()]
    return page


# --- the filing receipt -------------------------------------------------------------------

def _receipt_lines(disclosure: Disclosure, locale: str) -> list[dict[str, str]]:
    lines = []
    for line in disclosure.payment_lines:
        in_kind = ""
        if line.is_paid_in_kind and line.in_kind_volume:
            in_kind = f"{format_decimal(Decimal(line.in_kind_volume), format='#,##0.######')} {line.in_kind_unit or ''}"
        lines.append({
            "revenue_stream": localized_name(line.revenue_stream, locale),
            "gfs_code": line.revenue_stream.gfs_code.code if line.revenue_stream.gfs_code else "",
            "government_entity": localized_name(line.government_entity, locale),
            "project": line.license.number if line.license else "",
            "amount": format_money(line.amount_minor, line.currency),
            "currency": line.currency,
            "paid_in_kind": yes_no(line.is_paid_in_kind),
            "in_kind": in_kind.strip(),
            "comment": line.comment or "",
        })
    return lines


def receipt_data(disclosure: Disclosure, locale: str) -> tuple[dict[str, Any], dict[str, str]]:
    """The data and labels of ``reports.build_filing_receipt`` for one submitted version, in ``locale``."""
    profile = disclosure.profile_snapshot or profile_object(disclosure.company)
    period = disclosure.period
    totals = totals_view(disclosure, locale)
    labels = {key: str(text) for key, text in RECEIPT_LABELS.items()}
    if totals.has_usd and totals.rate is not None:
        note = _("in KGS; USD converted at %(rate)s KGS per USD, rounded half-even to the tyiyn",
                 rate=totals.rate_text)
        for key in ("totals_by_stream", "totals_by_entity"):
            labels[key] = f"{labels[key]} ({note})"
    data = {
        "company": {"name": profile["legal_name"], "inn": profile["inn"], "address": profile.get("address"),
                    "legal_form": profile.get("legal_form")},
        "period": {"year": period.year, "start_date": format_date(period.start_date, "medium"),
                   "end_date": format_date(period.end_date, "medium")},
        "version": disclosure.version,
        "status": label(disclosure.status),
        "submitted_at": format_deadline(disclosure.submitted_at),
        "sha256": disclosure.sha256,
        "attestation": {"name": disclosure.attested_by_name, "position": disclosure.attested_by_position,
                        "text": disclosure.attestation_text},
        "amendment_reason": disclosure.amendment_reason,
        "lines": _receipt_lines(disclosure, locale),
        "totals_by_stream": [{"label": t.label, "amount": format_amount(t.amount), "currency": "KGS"}
                             for t in totals.by_stream],
        "totals_by_entity": [{"label": t.label, "amount": format_amount(t.amount), "currency": "KGS"}
                             for t in totals.by_entity],
        "totals": [{"currency": t.code, "amount": format_amount(t.amount)} for t in totals.by_currency],
        "sections": [{"title": str(SECTION_LABELS[item.section]), "status_text": checklist_text(item, disclosure)}
                     for item in services.completeness(disclosure)
                     if not (item.section == "payments" and item.state == "provided")],
        "attachments": [],
        "generated_at": format_deadline(utcnow()),
        "language": locale,
    }
    return data, labels


def receipt_filename(disclosure: Disclosure) -> str:
    """A safe ASCII file name: filing-receipt-<INN>-<year>-v<version>.pdf."""
    inn = re.sub(r"[^0-9A-Za-z]", "", (disclosure.profile_snapshot or {}).get("inn") or disclosure.company.inn)
    return f"filing-receipt-{inn}-{disclosure.period.year}-v{disclosure.version}.pdf"


def receipt_pdf(actor: User, disclosure_id: int, locale: str) -> tuple[str, bytes]:
    """(file name, PDF) of the filing receipt of a submitted version; drafts have none (404)."""
    disclosure = services.get_disclosure(actor, disclosure_id)
    if disclosure.status is DisclosureStatus.DRAFT or disclosure.submitted_at is None:
        raise NotFound()
    data, labels = receipt_data(disclosure, locale)
    return receipt_filename(disclosure), build_filing_receipt(data, labels)
