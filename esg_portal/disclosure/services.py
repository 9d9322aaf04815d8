"""Disclosure services: drafts, payment lines, declarations, submission and amendments.

Every function takes the acting user, checks permissions first, flushes but never
commits (the caller commits once). Submitted versions are never changed: an amendment
is a new version that supersedes the old one when it is submitted.
"""
from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import func, select, update

from ..accounts.models import User
from ..accounts.permissions import can_edit_disclosure, can_submit_disclosure, can_view_disclosure, is_filer_of, require
from ..companies.models import Company
from ..companies.rules import FieldErrors, clean_text
from ..errors import InvalidTransition, NotFound, ValidationError
from ..extensions import db
from ..money import from_minor, usd_minor_to_kgs_minor
from ..reference.models import ReportingPeriod
from ..reference.periods import PeriodClosed, PeriodNotFound, get_period, require_open  # noqa: F401 (re-exported)
from . import workflow
from .carry_over import carry_over
from .document import filing_sha256, profile_object
from .inputs import PaymentInput
from .models import Attachment, DeclarationKind, Disclosure, DisclosureSection, DisclosureStatus, PaymentLine, SectionDeclaration
from .snapshot import register_snapshot
from ..lifecycle import Expected

#: sections of the filing document that a filer answers (profile is copied, not answered)
SECTIONS = ("payments", "eia", "social_agreements", "public_hearings", "workforce", "production",
            "beneficial_owners")
MAX_TEXT = 2000


def copy_json(value):
    """A deep copy of stored JSON, so two versions never share one mutable object."""
    return json.loads(json.dumps(value)) if value is not None else None


# --- reading -------------------------------------------------------------------------

def get_disclosure(actor: User, disclosure_id: int) -> Disclosure:
    disclosure = db.session.get(Disclosure, disclosure_id)
    if disclosure is None:
        raise NotFound()
    require(can_view_disclosure(actor, disclosure))
    return disclosure


def versions(company_id: int, period_id: int) -> list[Disclosure]:
    """Every version of one company's filing for one period, oldest first."""
    return workflow.FILINGS.series(company_id, period_id)


def visible_versions(actor: User, disclosure: Disclosure) -> list[Disclosure]:
    return [v for v in versions(disclosure.company_id, disclosure.period_id) if can_view_disclosure(actor, v)]


def latest_version(company_id: int, period_id: int) -> Disclosure | None:
    return workflow.FILINGS.latest(company_id, period_id)


def latest_filing(actor: User, company: Company, period: ReportingPeriod) -> Disclosure | None:
    """The newest version of the company's filing the actor may read (None: nothing filed)."""
    require(is_filer_of(actor, company.id))
    return latest_version(company.id, period.id)


def filing_versions(actor: User, company: Company, period: ReportingPeriod) -> list[Disclosure]:
    """Every version of the company's filing, oldest first, for one of its filers (the last is
    ``latest_filing``'s: a page that shows both reads them once)."""
    require(is_filer_of(actor, company.id))
    return versions(company.id, period.id)


# --- drafts --------------------------------------------------------------------------

def open_draft(actor: User, company: Company, period: ReportingPeriod) -> Disclosure:
    """The company's current draft for the period, created as version 1 if nothing exists.

    A submitted filing is never reopened here: the filer starts an amendment instead.
    """
    require(is_filer_of(actor, company.id))
    require_open(period)
    draft, created = workflow.FILINGS.open_draft(company.id, period.id, lambda: Disclosure(
        company=company, period=period, created_by_id=actor.id))
    if created:
        carry_over(draft)  # last year's owners and running agreements, to be confirmed by the filer
    return draft


def require_editable(actor: User, disclosure: Disclosure) -> None:
    """Refuse unless the actor is a filer of the company and the version is an open draft."""
    if not is_filer_of(actor, disclosure.company_id):
        raise NotFound()  # another company's filing does not exist for this user
    require_open(disclosure.period)
    workflow.FILINGS.require_draft(disclosure)
    require(can_edit_disclosure(actor, disclosure))


def begin_edit(actor: User, disclosure: Disclosure, expected: Expected | None = None) -> None:
    """``require_editable``, then lock the filing and refuse a write made from an older revision (409
    ``stale``); the edit that follows bumps the revision."""
    require_editable(actor, disclosure)
    workflow.FILINGS.begin_edit(disclosure, expected)


def _apply(line: PaymentLine, payment: PaymentInput) -> None:
    line.revenue_stream_id = payment.revenue_stream_id
    line.government_entity_id = payment.government_entity_id
    line.license_id = payment.license_id
    line.amount_minor = payment.amount_minor
    line.currency = payment.currency
    line.is_paid_in_kind = payment.is_paid_in_kind
    line.in_kind_volume = payment.in_kind_volume
    line.in_kind_unit = payment.in_kind_unit
    line.recipient_locality = payment.recipient_locality
    line.comment = payment.comment


def _line_key(line: PaymentLine) -> tuple:
    return (line.revenue_stream_id, line.government_entity_id, line.license_id, line.currency,
            bool(line.is_paid_in_kind))


def replace_payment_lines(actor: User, disclosure: Disclosure, payments: list[PaymentInput], *,
                          expected: Expected | None = None) -> int:
    """Make the draft's payments exactly ``payments`` (the §3/§4 replace semantics).

    Lines are matched by their §3 key, so sending the same rows twice changes nothing and
    the audit trail shows only real changes. Returns the number of lines.
    """
    begin_edit(actor, disclosure, expected)
    wanted = {payment.key: payment for payment in payments}
    if len(wanted) != len(payments):
        raise ValidationError({"payments": [_("Two rows have the same revenue stream, government entity, "
                                              "project, currency and in-kind flag.")]})
    existing = {_line_key(line): line for line in disclosure.payment_lines}
    for key, line in existing.items():
        if key not in wanted:
            disclosure.payment_lines.remove(line)
    for key, payment in wanted.items():
        line = existing.get(key)
        if line is None:
            line = PaymentLine()
            disclosure.payment_lines.append(line)
        _apply(line, payment)
    if payments:
        _drop_declaration(disclosure, "payments")
    db.session.flush()
    return len(payments)


def _duplicate_error(disclosure: Disclosure, payment: PaymentInput, skip: PaymentLine | None) -> None:
    for line in disclosure.payment_lines:
        if line is not skip and _line_key(line) == payment.key:
            raise ValidationError({"revenue_stream": [_(
                "There is already a line for this revenue stream, government entity, project, currency and in-kind "
                "flag: "
                "edit that line instead (one line holds the period total).")]})


def add_payment_line(actor: User, disclosure: Disclosure, payment: PaymentInput, *,
                     expected: Expected | None = None) -> PaymentLine:
    begin_edit(actor, disclosure, expected)
    _duplicate_error(disclosure, payment, None)
    line = PaymentLine()
    _apply(line, payment)
    disclosure.payment_lines.append(line)
    _drop_declaration(disclosure, "payments")
    db.session.flush()
    return line


def get_payment_line(actor: User, line_id: int) -> PaymentLine:
    line = db.session.get(PaymentLine, line_id)
    if line is None or not can_view_disclosure(actor, line.disclosure):
        raise NotFound()
    return line


def update_payment_line(actor: User, line: PaymentLine, payment: PaymentInput, *,
                        expected: Expected | None = None) -> PaymentLine:
    begin_edit(actor, line.disclosure, expected)
    _duplicate_error(line.disclosure, payment, line)
    _apply(line, payment)
    db.session.flush()
    return line


def delete_payment_line(actor: User, line: PaymentLine, *, expected: Expected | None = None) -> None:
    disclosure = line.disclosure
    begin_edit(actor, disclosure, expected)
    disclosure.payment_lines.remove(line)
    db.session.flush()


# --- declarations ("no payments", "not applicable") -------------------------------

def _drop_declaration(disclosure: Disclosure, section: str) -> None:
    declaration = disclosure.declaration(section)
    if declaration is not None:
        disclosure.declarations.remove(declaration)


def declare_section(actor: User, disclosure: Disclosure, section: str, kind: DeclarationKind,
                    reason: str, *, expected: Expected | None = None) -> SectionDeclaration:
    """Record an explicit nil or not-applicable answer; a section with data cannot be nil."""
    begin_edit(actor, disclosure, expected)
    if section not in SECTIONS:
        raise NotFound()
    reason = (reason or "").strip()
    errors: dict[str, list[str]] = {}
    if not reason:
        errors["reason"] = [_("Give the reason, for example: the licence was held for exploration only.")]
    elif len(reason) > MAX_TEXT:
        errors["reason"] = [_("The reason is too long: at most %(max)d characters.", max=MAX_TEXT)]
    if section == "payments" and disclosure.payment_lines:
        errors["kind"] = [_("This section has payment lines. Delete them before declaring that there were "
                            "no payments.")]
    elif disclosure.section_row(section) is not None:
        errors["kind"] = [_("This section has data. Delete it before declaring that there is nothing to report.")]
    if errors:
        raise ValidationError(errors)
    declaration = disclosure.declaration(section)
    if declaration is None:
        declaration = SectionDeclaration(section=section, kind=kind, reason=reason)
        disclosure.declarations.append(declaration)
    else:
        declaration.kind, declaration.reason = kind, reason
    db.session.flush()
    return declaration


def withdraw_declaration(actor: User, disclosure: Disclosure, section: str, *,
                         expected: Expected | None = None) -> None:
    begin_edit(actor, disclosure, expected)
    _drop_declaration(disclosure, section)
    db.session.flush()


# --- completeness --------------------------------------------------------------------

@dataclass(frozen=True)
class ChecklistItem:
    """One line of the completeness checklist: ``state`` is provided, declared or missing."""

    section: str
    state: str
    detail: str = ""


def completeness(disclosure: Disclosure) -> list[ChecklistItem]:
    """What is filled, what is explicitly declared nil / not applicable, what is missing."""
    items: list[ChecklistItem] = []
    company = disclosure.company
    missing_profile = [name for name, value in (("legal_name", company.legal_name), ("inn", company.inn),
                                                ("address", company.address), ("legal_form", company.legal_form))
                       if not value]
    items.append(ChecklistItem("profile", "missing" if missing_profile else "provided", ",".join(missing_profile)))
    for section in SECTIONS:
        declaration = disclosure.declaration(section)
        row = disclosure.section_row(section)
        if section == "payments" and disclosure.payment_lines:
            items.append(ChecklistItem(section, "provided", str(len(disclosure.payment_lines))))
        elif row is not None:
            items.append(ChecklistItem(section, "provided", str(len(row.data) if isinstance(row.data, list) else 1)))
        elif declaration is not None:
            items.append(ChecklistItem(section, "declared", declaration.kind.value))
        else:
            items.append(ChecklistItem(section, "missing"))
    return items


def is_complete(disclosure: Disclosure) -> bool:
    return all(item.state != "missing" for item in completeness(disclosure))


# --- totals --------------------------------------------------------------------------

@dataclass
class PaymentTotals:
    """Exact totals of a version: per currency as filed, and in KGS with USD at the period rate."""

    by_currency: dict[str, Decimal] = field(default_factory=dict)
    by_stream_kgs: dict[int, Decimal] = field(default_factory=dict)
    by_entity_kgs: dict[int, Decimal] = field(default_factory=dict)
    total_kgs: Decimal = Decimal("0.00")
    #: False when a USD line exists but the period has no rate yet
    has_rate: bool = True


def payment_totals(disclosure: Disclosure) -> PaymentTotals:
    """Server-side totals (the truth the page shows); USD converted half-even to the tyiyn."""
    by_currency: dict[str, int] = defaultdict(int)
    by_stream: dict[int, int] = defaultdict(int)
    by_entity: dict[int, int] = defaultdict(int)
    rate = disclosure.period.usd_rate_scaled
    has_rate = True
    for line in disclosure.payment_lines:
        by_currency[line.currency] += line.amount_minor
        if line.currency == "KGS":
            kgs = line.amount_minor
        elif rate:
            kgs = usd_minor_to_kgs_minor(line.amount_minor, rate)
        else:
            has_rate = False
            continue
        by_stream[line.revenue_stream_id] += kgs
        by_entity[line.government_entity_id] += kgs
    return PaymentTotals(
        by_currency={c: from_minor(v, c) for c, v in sorted(by_currency.items())},
        by_stream_kgs={k: from_minor(v, "KGS") for k, v in by_stream.items()},
        by_entity_kgs={k: from_minor(v, "KGS") for k, v in by_entity.items()},
        total_kgs=from_minor(sum(by_stream.values()), "KGS"),
        has_rate=has_rate,
    )


def totals_by_currency(disclosure: Disclosure) -> dict[str, Decimal]:
    """Sum of payment lines per currency, exact."""
    return payment_totals(disclosure).by_currency


# --- submission and amendments -------------------------------------------------------

def seal_version(disclosure: Disclosure) -> None:
    """Copy the company profile into the version, fix its hash and record the register's names it refers to
    (submission, demo data); the names stay outside the document and its hash (``snapshot``)."""
    disclosure.profile_snapshot = profile_object(disclosure.company)
    db.session.flush()
    disclosure.sha256 = filing_sha256(disclosure)
    disclosure.register_snapshot = register_snapshot(disclosure)


def record_carried_over_check(disclosure: Disclosure, section: str, how: str) -> None:
    """Note how a section carried over from last year was checked (the reviewer is shown it)."""
    disclosure.carried_over_review = {**(disclosure.carried_over_review or {}), section: how}


def unconfirmed_carried_over(disclosure: Disclosure) -> list[str]:
    """Sections copied from last year that the filer has neither confirmed nor edited yet."""
    return list(disclosure.carried_over or [])


def submit_disclosure(actor: User, disclosure: Disclosure, *, attested_by_name: str, attested_by_position: str,
                      attestation_text: str, now: dt.datetime | None = None,
                      expected: Expected | None = None, confirm_carried_over: Iterable[str] = ()) -> Disclosure:
    """A signatory attests and submits the draft; earlier versions become superseded.

    Sections carried over from last year and not yet checked must be confirmed now
    (``confirm_carried_over``): what was never looked at is not submitted as if it had been. Of
    parallel submissions of one draft exactly one succeeds; the others answer 409 (``lifecycle``).
    """
    if not is_filer_of(actor, disclosure.company_id):
        raise NotFound()
    require_open(disclosure.period)
    if disclosure.status is not DisclosureStatus.DRAFT:
        raise InvalidTransition(_("This version has already been submitted."), code="not_draft")
    require(can_submit_disclosure(actor, disclosure))
    errors = FieldErrors()
    name = errors.check("attested_by_name", clean_text, attested_by_name, max_length=255,
                        required=_("Enter the full name of the person attesting the filing."))
    position = errors.check("attested_by_position", clean_text, attested_by_position, max_length=255,
                            required=_("Enter the position of the person attesting the filing."))
    pending = [section for section in unconfirmed_carried_over(disclosure) if section not in set(confirm_carried_over)]
    if pending:
        from .pages.labels import SECTION_LABELS  # the pages import this module
        errors.errors["confirm_carried_over"] = [_(
            "Check what was copied from last year's filing and confirm that it is still true: %(sections)s.",
            sections=", ".join(str(SECTION_LABELS.get(section, section)) for section in pending))]
    if errors:
        raise ValidationError(errors.errors)

    def confirm_and_seal(version: Disclosure) -> None:
        # read again under the submission's lock: what was still unchecked is confirmed now
        for section in unconfirmed_carried_over(version):
            record_carried_over_check(version, section, "at_submission")
        version.carried_over = None
        seal_version(version)

    return workflow.FILINGS.submit(disclosure, actor, name=name, position=position,
                                   attestation_text=attestation_text, now=now, seal=confirm_and_seal,
                                   expected=expected)


def _check_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say what the amendment corrects, for example: the Q4 royalty was "
                                            "left out.")]})
    if len(reason) > MAX_TEXT:
        raise ValidationError({"reason": [_("The reason is too long: at most %(max)d characters.", max=MAX_TEXT)]})
    return reason


def start_amendment(actor: User, company: Company, period: ReportingPeriod, reason: str) -> Disclosure:
    """Open the next version as a draft, pre-filled from the last submitted one (one at a time)."""
    require(is_filer_of(actor, company.id))
    require_open(period)

    def next_version(latest: Disclosure) -> Disclosure:
        draft = Disclosure(company=company, period=period, amendment_reason=_check_reason(reason),
                           created_by_id=actor.id)
        for line in latest.payment_lines:
            copy = PaymentLine()
            _apply(copy, PaymentInput(line.revenue_stream_id, line.government_entity_id, line.license_id,
                                      line.amount_minor, line.currency, line.is_paid_in_kind, line.in_kind_volume,
                                      line.in_kind_unit, line.recipient_locality, line.comment))
            draft.payment_lines.append(copy)
        for declaration in latest.declarations:
            draft.declarations.append(SectionDeclaration(section=declaration.section, kind=declaration.kind,
                                                         reason=declaration.reason))
        for row in latest.sections:
            draft.sections.append(DisclosureSection(section=row.section, data=copy_json(row.data),
                                                    restricted=copy_json(row.restricted),
                                                    item_ids=copy_json(row.item_ids)))
        return draft

    return workflow.FILINGS.start_revision(company.id, period.id, revisable=workflow.AMENDABLE,
                                           make_next=next_version)


def discard_amendment(actor: User, company: Company, period: ReportingPeriod) -> Disclosure:
    """Throw away the open draft amendment; the last submitted version stays in force (returned)."""
    require(is_filer_of(actor, company.id))
    require_open(period)
    draft = latest_version(company.id, period.id)
    if draft is None or draft.status is not DisclosureStatus.DRAFT or draft.version <= 1:
        raise InvalidTransition(_("There is no draft amendment to discard."), code="nothing_to_discard")
    require(can_edit_disclosure(actor, draft))
    # attachments uploaded meanwhile stay with the company and the period; they only lose the draft's id
    db.session.execute(update(Attachment).where(Attachment.disclosure_id == draft.id).values(disclosure_id=None))
    return workflow.FILINGS.discard(draft)


def count_versions(company_id: int, period_id: int) -> int:
    return db.session.scalar(select(func.count(Disclosure.id)).where(
        Disclosure.company_id == company_id, Disclosure.period_id == period_id)) or 0
