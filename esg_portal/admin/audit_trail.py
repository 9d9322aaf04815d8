"""The audit trail as an administrator reads it: filters, pages, readable records and values, CSV.

Paging is by keyset, newest first in the stable order (``created_at`` desc, ``id`` desc): a page
is named by the event it continues from (``page=older-<id>``, ``newer-<id>``, or ``oldest``),
so events recorded while somebody reads never shift the pages, and a deep page costs what the
first one does. Every filter is a SQL condition; the total is one COUNT. The records a page
names (and the records its changed ``*_id`` fields point at) are loaded in one query per table
on the page, never per event. The CSV export walks the same order in chunks, so a large trail
is never held in memory; it holds at most ``MAX_CSV_EVENTS`` events (the newest ones).
"""
from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import url_for
from flask_babel import format_date, format_decimal, format_time
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import String, and_, cast, func, or_, select
from sqlalchemy.orm import joinedload, load_only
from wtforms import DateField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional, ValidationError

from ..accounts import permissions as perms
from ..accounts.models import User
from ..audit import AuditEvent, utcnow
from ..companies.models import Company, License
from ..disclosure.document import iso_utc
from ..disclosure.models import Disclosure
from ..disclosure.pages.labels import DECLARATION_LABELS, SECTION_LABELS
from ..eiti.labels import INCLUSION_LABELS, REASON_LABELS
from ..eiti.models import DiscrepancyQuery, ReconciliationRun
from ..eiti.publication.models import Release
from ..extensions import db
from ..forms import PortalForm
from ..forms.discrepancies import ADDRESSEE_LABELS, SIDE_LABELS
from ..i18n import LANGUAGE_NAMES, display_timezone, format_money, format_share, localized_name
from ..labels import LABELS
from ..money import percent_from_basis_points, rate_from_scaled
from ..receipts.models import ReceiptBatch
from ..reference.models import GfsCode, GovernmentEntity, Mineral, Region, ReportingPeriod, RevenueStream, Site
from ..tabular.safe import csv_lines
from ..validation import whole_number

PER_PAGE = 50
#: the most events one CSV export holds (the newest that match); the page says so
MAX_CSV_EVENTS = 100_000
#: events read per query while the CSV is streamed
CSV_CHUNK = 1_000
#: the longest search text and actor text
MAX_SEARCH = 100
#: values longer than this are shortened on the page (the full text is in the title)
SHORT_VALUE = 120
#: the most characters a title attribute repeats (the CSV has every value whole)
MAX_TITLE = 4_000
CSV_COLUMNS = ("time_utc", "actor", "action", "table", "record_id", "field", "before", "after")
ACTIONS = ("create", "update", "delete")
REDACTED = "***"

# --- labels --------------------------------------------------------------------------------

#: table name → what the reader calls such a record
TABLE_LABELS = {
    "company": _l("Company"),
    "license": _l("Licence"),
    "user_account": _l("User account"),
    "api_token": _l("API token"),
    "government_entity": _l("Government agency"),
    "mineral": _l("Mineral"),
    "region": _l("Region"),
    "site": _l("Site"),
    "gfs_code": _l("GFS code"),
    "revenue_stream": _l("Revenue stream"),
    "reporting_period": _l("Reporting period"),
    "period_stream_setting": _l("Revenue stream setting of a period"),
    "scope_override": _l("Scope decision of a period"),
    "disclosure": _l("Filing (version)"),
    "payment_line": _l("Payment line"),
    "section_declaration": _l("Nil or not-applicable answer"),
    "filing_query": _l("Query on a filing"),
    "disclosure_section": _l("Filing section"),
    "attachment": _l("Attachment"),
    "receipt_batch": _l("Receipt batch"),
    "government_receipt": _l("Government receipt"),
    "reconciliation_run": _l("Reconciliation run"),
    "discrepancy_query": _l("Discrepancy query"),
    "adjustment": _l("Adjustment"),
    "release": _l("Release"),
}

#: column name → label, whatever the table (``TABLE_FIELD_LABELS`` first)
FIELD_LABELS = {
    "code": _l("Code"), "name_en": _l("Name in English"), "name_ru": _l("Name in Russian"),
    "name_ky": _l("Name in Kyrgyz"), "name": _l("Name"), "title": _l("Title"), "kind": _l("Type"),
    "agency_type": _l("Type"), "level": _l("Level"), "is_active": _l("Active"), "symbol": _l("Chemical symbol"),
    "category": _l("Category"), "district_en": _l("District"), "commodity_codes": _l("Commodities"),
    "reserves_kt": _l("Reserves, thousand tonnes"), "grade": _l("Grade"), "parent_code": _l("Parent code"),
    "is_heading": _l("Groups other codes"), "gfs_code_id": _l("GFS code"),
    "default_entity_id": _l("Default government entity"),
    "is_subnational": _l("Paid to local budgets"), "is_levied_per_project": _l("Levied per project"),
    "sort_order": _l("Sort order"), "year": _l("Year"), "start_date": _l("Start date"), "end_date": _l("End date"),
    "status": _l("Status"), "usd_rate_scaled": _l("USD rate: 1 USD = … KGS"),
    "usd_rate_source": _l("Source of the rate"), "filing_deadline_at": _l("Deadline"),
    "company_threshold_minor": _l("Company materiality threshold, KGS"), "floor_minor": _l("Floor, KGS"),
    "margin_bp": _l("Margin percentage"), "independent_administrator": _l("Independent Administrator"),
    "board_approved_on": _l("Approved by the Supervisory Board on"), "period_id": _l("Reporting period"),
    "revenue_stream_id": _l("Revenue stream"), "revenue_stream": _l("Revenue stream"),
    "inclusion": _l("In the reconciliation"), "company_id": _l("Company"), "is_in_scope": _l("In scope"),
    "is_participating": _l("Takes part in the EITI report"), "reason": _l("Reason"),
    "email": _l("E-mail"), "full_name": _l("Full name"), "position": _l("Position"),
    "password_hash": _l("Password"), "role": _l("Role"), "agency_id": _l("Government agency"),
    "is_signatory": _l("Signatory"), "language": _l("Language"), "created_at": _l("Created"),
    "updated_at": _l("Last changed"), "user_id": _l("User account"), "token_hash": _l("Token"),
    "prefix": _l("Start of the token"), "last_used_at": _l("Last used"), "revoked_at": _l("Revoked on"),
    "inn": _l("INN"), "legal_name": _l("Legal name"), "legal_form": _l("Legal form"), "address": _l("Address"),
    "region_id": _l("Region"), "state_share_bp": _l("State share"),
    "is_state_share_free_carried": _l("State share is free-carried"), "is_soe": _l("State-owned enterprise"),
    "website": _l("Website"), "listing": _l("Stock exchange listing"),
    "audited_statements_url": _l("Audited financial statements"),
    "is_registered": _l("Registered: the company files disclosures through the portal"),
    "number": _l("Number"), "site_id": _l("Programme site"), "project_name": _l("Project name"),
    "issued_on": _l("Issued on"), "expires_on": _l("Expires on"), "minerals": _l("Minerals"),
    "version": _l("Version"), "submitted_at": _l("Submitted on"), "sha256": _l("SHA-256"),
    "attested_by_name": _l("Attested by"), "attested_by_position": _l("Position of the signatory"),
    "attestation_text": _l("Attestation"), "submitted_by_id": _l("Submitted by"),
    "amendment_reason": _l("Reason for amendment"), "profile_snapshot": _l("Company profile as filed"),
    "register_snapshot": _l("Register names as filed"), "created_by_id": _l("Created by"),
    "carried_over": _l("Carried over from last year"), "disclosure_id": _l("Filing (version)"),
    "government_entity_id": _l("Government entity"), "government_entity": _l("Government entity"),
    "license_id": _l("Project (licence)"), "amount_minor": _l("Amount"), "currency": _l("Currency"),
    "is_paid_in_kind": _l("Paid in kind"), "in_kind_volume": _l("Volume delivered"),
    "in_kind_unit": _l("Unit of the volume"), "recipient_locality": _l("Recipient aiyl okmotu or town"),
    "comment": _l("Comment"), "section": _l("Section"), "payment_line_id": _l("Payment line"),
    "question": _l("Question"), "answer": _l("Answer"), "raised_by_id": _l("Asked by"), "raised_at": _l("Asked on"),
    "answered_by_id": _l("Answered by"), "answered_at": _l("Answered on"), "data": _l("Content"),
    "restricted": _l("Private fields"), "item_ids": _l("Item identifiers"), "original_name": _l("File name"),
    "stored_name": _l("Stored file name"), "media_type": _l("File type"), "size_bytes": _l("Size, bytes"),
    "uploaded_by_id": _l("Uploaded by"), "uploaded_at": _l("Uploaded"), "batch_id": _l("Receipt batch"),
    "correction_reason": _l("Reason for the correction"), "run_at": _l("Run on"), "run_by_id": _l("Run by"),
    "rules": _l("Rules used"), "inputs": _l("Inputs used"), "summary": _l("Summary"),
    "run_id": _l("Reconciliation run"), "addressed_to": _l("Addressed to"), "company_inn": _l("Company INN"),
    "project": _l("Project"), "query_id": _l("Discrepancy query"), "side": _l("Figure to correct"),
    "evidence": _l("Evidence"), "proposed_by_id": _l("Proposed by"), "proposed_at": _l("Proposed on"),
    "decided_by_id": _l("Decided by"), "decided_at": _l("Decided on"),
    "decision_comment": _l("Comment on the decision"), "published_at": _l("Published on"),
    "published_by_id": _l("Published by"), "content_sha256": _l("SHA-256 of the content"),
    "manifest": _l("List of files"),
}
#: (table, column) → label where a column means something else in that table
TABLE_FIELD_LABELS = {
    ("license", "number"): _l("Licence number"),
    ("reconciliation_run", "number"): _l("Run number"),
    ("section_declaration", "kind"): _l("Answer"),
}
#: column → the labels of its stored codes (``LABELS`` serves status, role, kind, level, … otherwise)
_CODE_LABELS: dict[str, Mapping[str, Any]] = {
    "section": SECTION_LABELS, "carried_over": SECTION_LABELS, "inclusion": INCLUSION_LABELS,
    "side": SIDE_LABELS, "addressed_to": ADDRESSEE_LABELS, "language": LANGUAGE_NAMES,
}
_TABLE_CODE_LABELS: dict[tuple[str, str], Mapping[str, Any]] = {
    ("section_declaration", "kind"): DECLARATION_LABELS, ("adjustment", "reason"): REASON_LABELS,
}
_CODED = {"status", "role", "kind", "level", "agency_type", "category"}
#: ``*_id`` columns → the table of the record they point at (shown by its name)
_REFERENCES = {
    "company_id": "company", "license_id": "license", "site_id": "site", "region_id": "region",
    "period_id": "reporting_period", "revenue_stream_id": "revenue_stream", "gfs_code_id": "gfs_code",
    "government_entity_id": "government_entity", "agency_id": "government_entity",
    "default_entity_id": "government_entity", "disclosure_id": "disclosure", "batch_id": "receipt_batch",
    "run_id": "reconciliation_run", "query_id": "discrepancy_query", "user_id": "user_account",
    "created_by_id": "user_account", "submitted_by_id": "user_account", "raised_by_id": "user_account",
    "answered_by_id": "user_account", "uploaded_by_id": "user_account", "run_by_id": "user_account",
    "proposed_by_id": "user_account", "decided_by_id": "user_account", "published_by_id": "user_account",
}
_DATE_FIELDS = {"start_date", "end_date"}
#: amounts whose label names the currency (KGS tyiyn)
_KGS_FIELDS = {"company_threshold_minor", "floor_minor"}


def table_label(name: str) -> str:
    """The reader's name for a kind of record; an unknown table is shown as its name made readable."""
    return str(TABLE_LABELS[name]) if name in TABLE_LABELS else _readable(name)


def field_label(table: str, name: str) -> str:
    """The reader's name for a column of ``table``; else the column's name made readable."""
    found = TABLE_FIELD_LABELS.get((table, name)) or FIELD_LABELS.get(name)
    return str(found) if found is not None else _readable(name)


def _readable(name: str) -> str:
    words = re.sub(r"_(id|minor|bp|scaled)$", "", name).replace("_", " ").strip()
    return (words[:1].upper() + words[1:]) or name


# --- filters ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class AuditFilters:
    """What the reader asked for; every value already checked by ``AuditFilterForm``."""

    actor: str = ""
    table: str = ""
    record_id: str = ""
    action: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    text: str = ""

    def args(self) -> dict[str, str]:
        """The filters as query arguments (for the page links and the CSV link)."""
        values = {"actor": self.actor, "table": self.table, "record_id": self.record_id, "action": self.action,
                  "date_from": self.date_from.isoformat() if self.date_from else "",
                  "date_to": self.date_to.isoformat() if self.date_to else "", "q": self.text}
        return {key: value for key, value in values.items() if value}


#: the words of ``forms.admin`` (not imported: that module imports ``admin.services``, which imports this one)
INVALID_CHOICE = _l("Choose one of the options in the list.")
_ISO_DAY = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


class _IsoDateField(DateField):
    """A ``YYYY-MM-DD`` date (``<input type=date>``), with the message of ``forms.admin.IsoDateField``."""

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = None
        text = valuelist[0].strip() if valuelist else ""
        if text:
            try:
                if not _ISO_DAY.match(text):  # fromisoformat would also take 20250331 and 2025-W13-1
                    raise ValueError(text)
                self.data = dt.date.fromisoformat(text)
            except ValueError:
                raise ValueError(_l("Enter the date as year-month-day, for example 2025-03-31.")) from None


#: (direction, event id): ("older", 123), ("newer", 123), ("oldest", None); None is the newest page
PageRef = tuple[str, int | None] | None
_PAGE = re.compile(r"^(?:(older|newer)-([0-9]{1,10})|(oldest))$")


class AuditFilterForm(PortalForm):
    """The filters of the audit trail, sent by GET (so without a CSRF token)."""

    class Meta:
        csrf = False

    actor = StringField(_l("Who"), validators=[Optional(), Length(max=MAX_SEARCH, message=_l(
        "The text is too long: at most %(max)d characters."))],
                        description=_l("Part of the e-mail address or of the name."))
    table = SelectField(_l("Kind of record"), default="", invalid_choice_message=INVALID_CHOICE)
    record_id = StringField(_l("Record number"))
    action = SelectField(_l("Action"), default="", invalid_choice_message=INVALID_CHOICE)
    date_from = _IsoDateField(_l("Earliest date"), description=_l("Year-month-day (UTC), for example 2025-03-31."))
    date_to = _IsoDateField(_l("Latest date"), description=_l("Included in the results."))
    q = StringField(_l("Search in the changes"), validators=[Optional(), Length(max=MAX_SEARCH, message=_l(
        "The text is too long: at most %(max)d characters."))],
                    description=_l("A value before or after the change, at most %(max)s characters.", max=MAX_SEARCH))
    page = StringField(_l("Page"))

    def __init__(self, formdata: Any, *, tables: Iterable[tuple[str, str]]):
        super().__init__(formdata=formdata)
        tables = list(tables)
        asked = formdata.get("table", "") if formdata else ""
        if asked in TABLE_LABELS and asked not in {name for name, _text in tables}:
            tables.append((asked, table_label(asked)))  # a known kind with no event (yet): no error, no events
        self.table.choices = [SelectChoice("", _l("All")), *(SelectChoice(n, text) for n, text in tables)]
        self.action.choices = [SelectChoice("", _l("All")), *(SelectChoice(a, LABELS[a]) for a in ACTIONS)]

    def validate_record_id(self, field) -> None:
        if (field.data or "").strip() and whole_number(field.data) is None:
            raise ValidationError(_("Enter the record number in digits, for example 1234."))

    def validate_date_to(self, field) -> None:
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_("The latest date must not be before the earliest date."))

    def validate_page(self, field) -> None:
        if (field.data or "").strip() and not _PAGE.match(field.data.strip()):
            raise ValidationError(_("This page link is broken. Start again from the newest events."))

    @property
    def is_filtered(self) -> bool:
        return bool(self.filters().args())

    def filters(self) -> AuditFilters:
        number = whole_number(self.record_id.data)
        return AuditFilters(actor=(self.actor.data or "").strip(), table=self.table.data or "",
                            record_id=str(number) if number is not None else "", action=self.action.data or "",
                            date_from=self.date_from.data, date_to=self.date_to.data,
                            text=(self.q.data or "").strip())

    def page_ref(self) -> PageRef:
        match = _PAGE.match((self.page.data or "").strip())
        if not match:
            return None
        return ("oldest", None) if match.group(3) else (match.group(1), int(match.group(2)))


def _variants(term: str) -> list[str]:
    """The term as typed and in the usual cases: SQLite compares only ASCII letters without case."""
    return list(dict.fromkeys([term, term.lower(), term.upper(), term.capitalize(), term.title()]))


def _contains_any(column: Any, term: str) -> Any:
    return or_(*(column.icontains(variant, autoescape=True) for variant in _variants(term)))


def _conditions(filters: AuditFilters) -> list[Any]:
    """The filters as SQL conditions on ``audit_event``."""
    conditions = []
    if filters.actor:
        users = select(User.id).where(or_(_contains_any(User.email, filters.actor),
                                          _contains_any(User.full_name, filters.actor)))
        conditions.append(or_(_contains_any(AuditEvent.actor_label, filters.actor), AuditEvent.actor_id.in_(users)))
    if filters.table:
        conditions.append(AuditEvent.table_name == filters.table)
    if filters.record_id:
        conditions.append(AuditEvent.record_id == filters.record_id)
    if filters.action:
        conditions.append(AuditEvent.action == filters.action)
    if filters.date_from:
        conditions.append(AuditEvent.created_at >= _day_start(filters.date_from))
    if filters.date_to and filters.date_to < dt.date.max:
        conditions.append(AuditEvent.created_at < _day_start(filters.date_to + dt.timedelta(days=1)))
    if filters.text:
        # the changes are stored as JSON text, non-ASCII letters as \u escapes: look for both spellings
        stored = cast(AuditEvent.changes, String)
        spellings = {s for v in _variants(filters.text) for s in (v, json.dumps(v)[1:-1])}
        conditions.append(or_(*(stored.icontains(s, autoescape=True) for s in sorted(spellings))))
    return conditions


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=dt.timezone.utc)


def _older_than(created_at: dt.datetime, event_id: int) -> Any:
    return or_(AuditEvent.created_at < created_at, and_(AuditEvent.created_at == created_at, AuditEvent.id < event_id))


def _newer_than(created_at: dt.datetime, event_id: int) -> Any:
    return or_(AuditEvent.created_at > created_at, and_(AuditEvent.created_at == created_at, AuditEvent.id > event_id))


_NEWEST_FIRST = (AuditEvent.created_at.desc(), AuditEvent.id.desc())
_OLDEST_FIRST = (AuditEvent.created_at.asc(), AuditEvent.id.asc())


def table_choices() -> list[tuple[str, str]]:
    """The tables that occur in the trail, by their readable names in the reader's language."""
    names = db.session.scalars(select(AuditEvent.table_name).distinct())
    return sorted(((name, table_label(name)) for name in names), key=lambda choice: choice[1].casefold())


# --- the records a page names ------------------------------------------------------------------

@dataclass(frozen=True)
class RecordView:
    """An event's record: its kind, number, a descriptive name and the page it is shown on."""

    kind: str
    record_id: str
    title: str = ""
    url: str | None = None


#: a table whose records are shown on their parent's page: (column naming the parent, parent table)
_CHILDREN = {
    "payment_line": ("disclosure_id", "disclosure"), "section_declaration": ("disclosure_id", "disclosure"),
    "disclosure_section": ("disclosure_id", "disclosure"), "filing_query": ("disclosure_id", "disclosure"),
    "attachment": ("disclosure_id", "disclosure"), "government_receipt": ("batch_id", "receipt_batch"),
    "adjustment": ("query_id", "discrepancy_query"), "period_stream_setting": ("period_id", "reporting_period"),
    "scope_override": ("period_id", "reporting_period"), "api_token": ("user_id", "user_account"),
}
#: child tables whose amounts are in their own ``currency`` column
_WITH_CURRENCY = {"payment_line", "government_receipt", "adjustment"}


def _version_title(owner: str, year: Any, version: Any) -> str:
    return _("%(owner)s, %(year)s, version %(version)s", owner=owner, year=year, version=version)


def _load(model: Any, ids: set[int], *options: Any) -> dict[int, Any]:
    return {row.id: row for row in db.session.scalars(select(model).where(model.id.in_(ids)).options(*options))}


def _disclosures(ids: set[int]) -> dict[int, Any]:
    return _load(Disclosure, ids, load_only(Disclosure.id, Disclosure.company_id, Disclosure.period_id,
                                            Disclosure.status, Disclosure.version),
                 joinedload(Disclosure.company).load_only(Company.legal_name),
                 joinedload(Disclosure.period).load_only(ReportingPeriod.year))


def _batches(ids: set[int]) -> dict[int, Any]:
    return _load(ReceiptBatch, ids, load_only(ReceiptBatch.id, ReceiptBatch.agency_id, ReceiptBatch.period_id,
                                              ReceiptBatch.status, ReceiptBatch.version),
                 joinedload(ReceiptBatch.agency).load_only(GovernmentEntity.code),
                 joinedload(ReceiptBatch.period).load_only(ReportingPeriod.year))


def _with_period(model: Any, *columns: Any) -> Callable[[set[int]], dict[int, Any]]:
    return lambda ids: _load(model, ids, load_only(model.id, model.period_id, *columns),
                             joinedload(model.period).load_only(ReportingPeriod.year))


def _plain(model: Any, *columns: Any) -> Callable[[set[int]], dict[int, Any]]:
    return lambda ids: _load(model, ids, load_only(model.id, *columns))


@dataclass(frozen=True)
class _Kind:
    """How one table's records are loaded, named and linked (``link`` may return None)."""

    load: Callable[[set[int]], dict[int, Any]]
    title: Callable[[Any], str]
    link: Callable[[Any, Any], str | None] = lambda actor, record: None


def _named(record: Any) -> str:
    return f"{record.code} · {localized_name(record)}"


_KINDS: dict[str, _Kind] = {
    "company": _Kind(_plain(Company, Company.legal_name, Company.inn), lambda c: c.legal_name,
                     lambda actor, c: url_for("companies.show", company_id=c.id)
                     if perms.can_view_company(actor, c) else None),
    "license": _Kind(_plain(License, License.number, License.company_id), lambda lic: lic.number,
                     lambda actor, lic: url_for("admin.edit_licence", licence_id=lic.id)
                     if perms.can_manage_companies(actor) else None),
    "user_account": _Kind(_plain(User, User.email, User.full_name), lambda u: u.email,
                          lambda actor, u: url_for("admin.edit_user", user_id=u.id)
                          if perms.can_manage_accounts(actor) else None),
    "government_entity": _Kind(_plain(GovernmentEntity, GovernmentEntity.code, GovernmentEntity.name_en,
                                      GovernmentEntity.name_ru, GovernmentEntity.name_ky), _named,
                               lambda actor, g: url_for("admin.edit_agency", agency_id=g.id)
                               if perms.can_manage_agencies(actor) else None),
    "region": _Kind(_plain(Region, Region.code, Region.name_en, Region.name_ru, Region.name_ky), _named,
                    lambda actor, r: url_for("public.region", code=r.code)),
    "site": _Kind(_plain(Site, Site.code, Site.name_en, Site.name_ru, Site.name_ky), _named,
                  lambda actor, s: url_for("public.site", code=s.code)),
    "mineral": _Kind(_plain(Mineral, Mineral.code, Mineral.name_en, Mineral.name_ru, Mineral.name_ky), _named),
    "gfs_code": _Kind(_plain(GfsCode, GfsCode.code, GfsCode.name_en, GfsCode.name_ru, GfsCode.name_ky), _named),
    "revenue_stream": _Kind(_plain(RevenueStream, RevenueStream.code, RevenueStream.name_en, RevenueStream.name_ru,
                                   RevenueStream.name_ky), _named),
    "reporting_period": _Kind(_plain(ReportingPeriod, ReportingPeriod.year), lambda p: str(p.year),
                              lambda actor, p: url_for("eiti.period_settings", year=p.year)
                              if perms.can_manage_period_settings(actor) else None),
    "disclosure": _Kind(_disclosures, lambda d: _version_title(d.company.legal_name, d.period.year, d.version),
                        lambda actor, d: url_for("disclosure.show", disclosure_id=d.id)
                        if perms.can_view_disclosure(actor, d) else None),
    "receipt_batch": _Kind(_batches, lambda b: _version_title(b.agency.code, b.period.year, b.version),
                           lambda actor, b: url_for("receipts.show", batch_id=b.id)
                           if perms.can_view_receipt_batch(actor, b) else None),
    "reconciliation_run": _Kind(_with_period(ReconciliationRun, ReconciliationRun.number),
                                lambda r: _("%(year)s, run %(number)s", year=r.period.year, number=r.number),
                                lambda actor, r: url_for("reconciliation_reports.report", run_id=r.id)
                                if perms.can_reconcile(actor) else None),
    "discrepancy_query": _Kind(_with_period(DiscrepancyQuery, DiscrepancyQuery.company_inn,
                                            DiscrepancyQuery.revenue_stream, DiscrepancyQuery.addressed_to,
                                            DiscrepancyQuery.company_id, DiscrepancyQuery.agency_id),
                               lambda q: f"{q.period.year} · {q.company_inn} · {q.revenue_stream}",
                               lambda actor, q: url_for("discrepancies.query", discrepancy_query_id=q.id)
                               if perms.can_view_discrepancy_query(actor, q) else None),
    "release": _Kind(_with_period(Release, Release.version),
                     lambda r: _("%(year)s, version %(version)s", year=r.period.year, version=r.version),
                     lambda actor, r: url_for("publication.release_index", year=r.period.year, version=r.version)),
}


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    return whole_number(value) if isinstance(value, str) else None


def _changed_value(changes: Mapping[str, Any], name: str) -> Any:
    """A column's value from an event's changes (the value after, else before: a deleted row's last value)."""
    pair = changes.get(name)
    if not isinstance(pair, list) or len(pair) != 2:
        return None
    return pair[1] if pair[1] is not None else pair[0]


class _Lookup:
    """The records one page refers to, each table loaded in one query."""

    def __init__(self, events: list[AuditEvent]):
        wanted: dict[str, set[int]] = {}
        children: dict[str, set[int]] = {}

        def want(table: str, value: Any) -> None:
            number = _int(value)
            if number is not None and table in _KINDS:
                wanted.setdefault(table, set()).add(number)

        for event in events:
            if event.actor_id is not None:
                want("user_account", event.actor_id)
            number = _int(event.record_id)
            if number is not None:
                if event.table_name in _CHILDREN:
                    children.setdefault(event.table_name, set()).add(number)
                want(event.table_name, number)
            for name, pair in (event.changes or {}).items():
                if name in _REFERENCES and isinstance(pair, list):
                    for value in pair:
                        want(_REFERENCES[name], value)
        #: child table → record id → (parent id, currency)
        self.children: dict[str, dict[int, tuple[int | None, str | None]]] = {}
        for table_name, ids in children.items():
            column, parent = _CHILDREN[table_name]
            table = db.metadata.tables[table_name]
            currency = table.c.currency if table_name in _WITH_CURRENCY else None
            rows = db.session.execute(select(table.c.id, table.c[column], *([currency] if currency is not None
                                                                             else [])).where(table.c.id.in_(ids)))
            found = {row[0]: (row[1], row[2] if currency is not None else None) for row in rows}
            self.children[table_name] = found
            for parent_id, _currency in found.values():
                want(parent, parent_id)
        for event in events:  # a deleted child names its parent in its last changes
            if event.table_name in _CHILDREN and _int(event.record_id) not in self.children.get(event.table_name, {}):
                column, parent = _CHILDREN[event.table_name]
                want(parent, _changed_value(event.changes or {}, column))
        self.records = {table: _KINDS[table].load(ids) for table, ids in wanted.items()}

    def get(self, table: str, value: Any) -> Any:
        number = _int(value)
        return self.records.get(table, {}).get(number) if number is not None else None

    def name(self, table: str, value: Any) -> str | None:
        record = self.get(table, value)
        return _KINDS[table].title(record) if record is not None else None

    def currency(self, event: AuditEvent) -> str | None:
        child = self.children.get(event.table_name, {}).get(_int(event.record_id) or -1)
        return child[1] if child else None

    def record(self, actor: Any, event: AuditEvent) -> RecordView:
        kind = table_label(event.table_name)
        if event.table_name in _CHILDREN:
            column, parent_table = _CHILDREN[event.table_name]
            child = self.children.get(event.table_name, {}).get(_int(event.record_id) or -1)
            parent_id = child[0] if child else _changed_value(event.changes or {}, column)
            parent = self.get(parent_table, parent_id)
            if parent is None:
                return RecordView(kind, event.record_id)
            title = f"{table_label(parent_table)}: {_KINDS[parent_table].title(parent)}"
            return RecordView(kind, event.record_id, title, _KINDS[parent_table].link(actor, parent))
        record = self.get(event.table_name, event.record_id) if event.table_name in _KINDS else None
        if record is None:  # deleted since, or a table without a page: named from the event itself
            changes = event.changes or {}
            title = next((str(v) for k in ("legal_name", "email", "number", "code", "name_en")
                          if (v := _changed_value(changes, k))), "")
            return RecordView(kind, event.record_id, title)
        return RecordView(kind, event.record_id, _KINDS[event.table_name].title(record),
                          _KINDS[event.table_name].link(actor, record))


# --- values --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Shown:
    """A value as the page shows it; ``full`` is the whole text when ``text`` is shortened."""

    text: str
    full: str = ""
    is_empty: bool = False
    is_redacted: bool = False


def _shown(text: str) -> Shown:
    if len(text) <= SHORT_VALUE:
        return Shown(text)
    full = text if len(text) <= MAX_TITLE else text[:MAX_TITLE - 1] + "…"
    return Shown(text[:SHORT_VALUE - 1] + "…", full)


def event_time(value: dt.datetime) -> str:
    """A time of the trail in the display time zone, to the second, with the zone named."""
    local = value.astimezone(display_timezone())
    offset = local.utcoffset() or dt.timedelta(0)
    hours = int(offset.total_seconds() // 3600)
    return f"{format_date(local, 'medium', rebase=False)}, {format_time(local, 'HH:mm:ss', rebase=False)} " \
           f"(UTC{hours:+d})"


def _code_label(table: str, name: str, code: str) -> str:
    labels = _TABLE_CODE_LABELS.get((table, name)) or _CODE_LABELS.get(name)
    if labels is not None:
        return str(labels.get(code, code))
    return str(LABELS.get(code, code)) if name in _CODED else code


def _formatted(table: str, name: str, value: Any, currency: str | None, lookup: _Lookup) -> str:
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if name in _REFERENCES and (found := lookup.name(_REFERENCES[name], value)):
        return f"{found} (#{value})"
    if isinstance(value, int):
        if name == "amount_minor":
            # the currency is the event's or the record's; were both gone, the amount is still shown in
            # units, not minor units (every currency of the portal has two decimals)
            return f"{format_money(value, currency)} {currency}" if currency else format_money(value, "KGS")
        if name in _KGS_FIELDS:
            return format_money(value, "KGS")
        if name == "state_share_bp":
            return format_share(value)
        if name == "margin_bp":
            return format_decimal(percent_from_basis_points(value), format="#,##0.##") + " %"
        if name == "usd_rate_scaled":
            return format_decimal(rate_from_scaled(value), format="#,##0.0000")
        if name == "size_bytes":
            return format_decimal(value)
        return str(value)
    if isinstance(value, str):
        if name.endswith("_at"):
            return event_time(_aware(dt.datetime.fromisoformat(value)))
        if name.endswith("_on") or name in _DATE_FIELDS:
            return format_date(dt.date.fromisoformat(value), "medium")
        return _code_label(table, name, value)
    if isinstance(value, list) and all(isinstance(item, str) for item in value) and name in _CODE_LABELS:
        return ", ".join(_code_label(table, name, item) for item in value)
    if isinstance(value, list) and all(isinstance(item, (str, int)) for item in value):
        return ", ".join(str(item) for item in value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


def format_value(table: str, name: str, value: Any, lookup: _Lookup, currency: str | None = None) -> Shown:
    """One value before or after a change, for the reader: money with its currency, Yes/No, dates,
    codes by their labels, records by their names; redacted values stay "***"."""
    if value is None or value == "":
        return Shown("—", is_empty=True)
    if value == REDACTED:
        return Shown(REDACTED, is_redacted=True)
    try:
        text = _formatted(table, name, value, currency, lookup)
    except (ValueError, TypeError, ArithmeticError):  # a value not of the column's usual form: shown as stored
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)
    return _shown(text)


# --- a page ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class ChangeView:
    name: str
    label: str
    before: Shown
    after: Shown


@dataclass(frozen=True)
class EventView:
    id: int
    time: str
    time_iso: str
    actor_label: str
    actor_name: str
    ip_address: str
    action: str
    action_label: str
    record: RecordView
    changes: list[ChangeView]


@dataclass(frozen=True)
class AuditPage:
    """One page of the trail: its events, newest first, and the links to the pages around it."""

    events: list[EventView]
    total: int
    filter_args: dict[str, str]
    #: ``page`` values of the links; None where there is no such page
    newer: str | None = None
    older: str | None = None
    is_first: bool = True
    is_last: bool = True
    #: the page asked for is gone (its event does not exist): the newest page is shown instead
    page_missing: bool = False
    per_page: int = PER_PAGE
    csv_cap: int = field(default_factory=lambda: MAX_CSV_EVENTS)

    @property
    def total_text(self) -> str:
        return format_decimal(self.total)

    @property
    def csv_cap_text(self) -> str:
        return format_decimal(self.csv_cap)


def _currencies(event: AuditEvent, lookup: _Lookup) -> tuple[str | None, str | None]:
    """The currency of the amount before and after the change (the event's own, else the record's)."""
    pair = (event.changes or {}).get("currency")
    current = lookup.currency(event)
    if isinstance(pair, list) and len(pair) == 2:
        return pair[0] or pair[1] or current, pair[1] or pair[0] or current
    return current, current


def _event_view(actor: Any, event: AuditEvent, lookup: _Lookup) -> EventView:
    before_currency, after_currency = _currencies(event, lookup)
    changes = []
    for name, pair in sorted((event.changes or {}).items(), key=lambda item: field_label(event.table_name, item[0])):
        if name == "id":  # the record's number, shown with the record
            continue
        before, after = pair if isinstance(pair, list) and len(pair) == 2 else (None, pair)
        changes.append(ChangeView(name, field_label(event.table_name, name),
                                  format_value(event.table_name, name, before, lookup, before_currency),
                                  format_value(event.table_name, name, after, lookup, after_currency)))
    user = lookup.get("user_account", event.actor_id)
    name = user.full_name if user is not None and user.full_name != event.actor_label else ""
    return EventView(id=event.id, time=event_time(event.created_at), time_iso=iso_utc(event.created_at) or "",
                     actor_label=event.actor_label, actor_name=name, ip_address=event.ip_address or "",
                     action=event.action, action_label=str(LABELS.get(event.action, event.action)),
                     record=lookup.record(actor, event), changes=changes)


def _exists(conditions: list[Any]) -> bool:
    return db.session.scalar(select(AuditEvent.id).where(*conditions).limit(1)) is not None


def audit_page(actor: Any, filters: AuditFilters, page: PageRef) -> AuditPage:
    """The page ``page`` of the events matching ``filters`` (permission checked by the caller).

    Each page reads one row more than it shows, in its own direction, to know whether a page follows;
    whether one precedes is one ``LIMIT 1`` query. A page link whose event is gone, or that leads past
    either end, gives the newest page (``page_missing`` when the event is gone)."""
    conditions = _conditions(filters)
    total = db.session.scalar(select(func.count(AuditEvent.id)).where(*conditions)) or 0
    if page is None:
        return _assemble(actor, filters, total, *_newest(conditions), missing=False)
    direction, event_id = page
    cursor = None
    if direction != "oldest":
        created_at = db.session.scalar(select(AuditEvent.created_at).where(AuditEvent.id == event_id))
        if created_at is None:
            return _assemble(actor, filters, total, *_newest(conditions), missing=True)
        cursor = (created_at, event_id)
    limit = PER_PAGE + 1
    if direction == "older":
        rows = list(db.session.scalars(select(AuditEvent).where(*conditions, _older_than(*cursor))
                                       .order_by(*_NEWEST_FIRST).limit(limit)))
        is_last, rows = len(rows) <= PER_PAGE, rows[:PER_PAGE]
        is_first = not rows or not _exists([*conditions, _newer_than(rows[0].created_at, rows[0].id)])
    else:  # newer, or the oldest page: read upwards, then show newest first
        upwards = [*conditions, _newer_than(*cursor)] if cursor else conditions
        rows = list(db.session.scalars(select(AuditEvent).where(*upwards).order_by(*_OLDEST_FIRST).limit(limit)))
        if cursor and len(rows) <= PER_PAGE:  # reached the top: the newest page, aligned as it is
            rows = []
        is_first, rows = len(rows) <= PER_PAGE, list(reversed(rows[:PER_PAGE]))
        is_last = not rows or not _exists([*conditions, _older_than(rows[-1].created_at, rows[-1].id)])
    if not rows:
        return _assemble(actor, filters, total, *_newest(conditions), missing=False)
    return _assemble(actor, filters, total, rows, is_first, is_last, missing=False)


def _newest(conditions: list[Any]) -> tuple[list[AuditEvent], bool, bool]:
    rows = list(db.session.scalars(select(AuditEvent).where(*conditions).order_by(*_NEWEST_FIRST)
                                   .limit(PER_PAGE + 1)))
    return rows[:PER_PAGE], True, len(rows) <= PER_PAGE


def _assemble(actor: Any, filters: AuditFilters, total: int, rows: list[AuditEvent], is_first: bool,
              is_last: bool, *, missing: bool) -> AuditPage:
    lookup = _Lookup(rows)
    return AuditPage(events=[_event_view(actor, event, lookup) for event in rows], total=total,
                     filter_args=filters.args(), newer=None if is_first or not rows else f"newer-{rows[0].id}",
                     older=None if is_last or not rows else f"older-{rows[-1].id}", is_first=is_first,
                     is_last=is_last, page_missing=missing, csv_cap=MAX_CSV_EVENTS)


# --- the CSV export ------------------------------------------------------------------------

@dataclass(frozen=True)
class AuditExport:
    """The CSV of the matching events: ``chunks`` yields the file; ``is_capped`` when more events matched
    than one file holds (the newest ``cap`` are in it)."""

    chunks: Iterator[bytes]
    filename: str
    total: int
    cap: int

    @property
    def is_capped(self) -> bool:
        return self.total > self.cap


def _csv_value(value: Any) -> Any:
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return value


def _csv_lines(rows: Iterable[Iterable[Any]]) -> bytes:
    return csv_lines(rows, lineterminator="\r\n")


def audit_export(filters: AuditFilters) -> AuditExport:
    """The CSV of every event matching ``filters``, newest first, one row per changed field, read
    ``CSV_CHUNK`` events at a time (permission checked by the caller)."""
    conditions = _conditions(filters)
    total = db.session.scalar(select(func.count(AuditEvent.id)).where(*conditions)) or 0
    cap = MAX_CSV_EVENTS
    columns = (AuditEvent.id, AuditEvent.created_at, AuditEvent.actor_label, AuditEvent.action,
               AuditEvent.table_name, AuditEvent.record_id, AuditEvent.changes)

    def chunks() -> Iterator[bytes]:
        yield b"\xef\xbb\xbf" + _csv_lines([CSV_COLUMNS])
        sent, cursor = 0, None
        while sent < cap:
            stmt = select(*columns).where(*conditions, *([_older_than(*cursor)] if cursor else []))
            rows = db.session.execute(stmt.order_by(*_NEWEST_FIRST).limit(min(CSV_CHUNK, cap - sent))).all()
            if not rows:
                return
            lines = []
            for event_id, created_at, actor_label, action, table, record_id, changes in rows:
                head = [iso_utc(created_at), actor_label, action, table, record_id]
                pairs = [(name, pair if isinstance(pair, list) and len(pair) == 2 else [None, pair])
                         for name, pair in sorted((changes or {}).items())]
                if not pairs:
                    lines.append([*head, None, None, None])
                lines.extend([*head, name, _csv_value(pair[0]), _csv_value(pair[1])] for name, pair in pairs)
            yield _csv_lines(lines)
            sent += len(rows)
            cursor = (rows[-1][1], rows[-1][0])

    return AuditExport(chunks(), f"audit-trail-{utcnow().date().isoformat()}.csv", total, cap)
