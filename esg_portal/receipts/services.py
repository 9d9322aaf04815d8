"""Receipt services: reading batches, drafts, replacing receipts, submission and corrections.

Every function takes the acting user, checks permissions first, flushes but never commits
(the caller commits once). An officer only ever touches their own agency's batches; a
submitted version is never changed: a correction is a new version that supersedes it.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from ..accounts.models import Role, User
from ..accounts.permissions import can_view_receipt_batch, require
from ..companies.models import Company
from ..companies.rules import FieldErrors, clean_text
from ..errors import InvalidTransition, NotFound, ValidationError
from ..extensions import db
from ..money import format_plain
from ..reference.models import GovernmentEntity, ReportingPeriod
from ..reference.periods import PeriodClosed, PeriodNotFound, get_period, require_open  # noqa: F401 (re-exported)
from ..lifecycle import Expected, Lifecycle, Words, canonical_sha256
from ..notifications import Event, notify
from ..notifications.services import path_for, secretariat, three_names
from .models import BatchStatus, GovernmentReceipt, ReceiptBatch
from .schemas import ReceiptInput

MAX_TEXT = 2000

#: (action, from status) → to status: a batch is submitted once and superseded by its correction
TRANSITIONS = {
    ("submit", BatchStatus.DRAFT): BatchStatus.SUBMITTED,
    ("supersede", BatchStatus.SUBMITTED): BatchStatus.SUPERSEDED,
}

#: an agency's receipts of a period: one series of versions, locked on the agency's row
BATCHES = Lifecycle(
    model=ReceiptBatch, owner_column="agency_id", owner_model=GovernmentEntity, status_enum=BatchStatus,
    transitions=TRANSITIONS,
    words=Words(
        submitted=lambda version: _("Version %(version)d has been submitted and cannot be changed. "
                                    "Start a correction to change it.", version=version),
        not_a_draft=lambda: _("This version has been submitted and cannot be changed. "
                              "Start a correction to change it."),
    ),
)


# --- reading -------------------------------------------------------------------------

def get_batch(actor: User, batch_id: int) -> ReceiptBatch:
    batch = db.session.get(ReceiptBatch, batch_id)
    if batch is None:
        raise NotFound()
    require(can_view_receipt_batch(actor, batch))
    return batch


def officer_agency(actor: User) -> GovernmentEntity:
    """The agency the actor reports for; anyone but an agency officer bound to one is refused."""
    require(getattr(actor, "is_authenticated", False) and actor.role is Role.AGENCY_OFFICER
            and actor.agency_id is not None)
    agency = db.session.get(GovernmentEntity, actor.agency_id)
    require(agency is not None)
    return agency


def versions(agency_id: int, period_id: int) -> list[ReceiptBatch]:
    return BATCHES.series(agency_id, period_id)


def latest_batch(actor: User, agency: GovernmentEntity, period: ReportingPeriod) -> ReceiptBatch | None:
    require(_is_officer_of(actor, agency.id))
    return BATCHES.latest(agency.id, period.id)


def _is_officer_of(actor: User, agency_id: int) -> bool:
    return (getattr(actor, "is_authenticated", False) and actor.role is Role.AGENCY_OFFICER
            and actor.agency_id == agency_id)


# --- drafts --------------------------------------------------------------------------

def open_batch(actor: User, agency: GovernmentEntity, period: ReportingPeriod) -> ReceiptBatch:
    """The agency's draft batch for the period: version 1 if nothing exists, or the open correction."""
    require(_is_officer_of(actor, agency.id))
    require_open(period)
    batch, _created = BATCHES.open_draft(agency.id, period.id, lambda: ReceiptBatch(agency=agency, period=period))
    return batch


def require_editable(actor: User, batch: ReceiptBatch) -> None:
    if not _is_officer_of(actor, batch.agency_id):
        raise NotFound()  # another agency's batch does not exist for this user
    require_open(batch.period)
    BATCHES.require_draft(batch)


def begin_edit(actor: User, batch: ReceiptBatch, expected: Expected | None = None) -> None:
    """``require_editable``, then lock the batch and refuse a write made from an older revision (409)."""
    require_editable(actor, batch)
    BATCHES.begin_edit(batch, expected)


def _resolve_companies(receipts: list[ReceiptInput]) -> dict[str, int]:
    """Company ids by INN; unknown INNs become unregistered companies (is_registered=False)."""
    ids: dict[str, int] = {r.company_inn: r.company_id for r in receipts if r.company_id is not None}
    missing = {r.company_inn: r.company_name for r in receipts if r.company_id is None}
    if missing:
        existing = {c.inn: c.id for c in db.session.scalars(select(Company).where(Company.inn.in_(missing)))}
        for inn, name in missing.items():
            if inn in existing:
                ids[inn] = existing[inn]
                continue
            if not name:
                raise ValidationError({"company_name": [_("Enter the company's name: the INN %(inn)s is not in "
                                                          "the register.", inn=inn)]})
            company = Company(inn=inn, legal_name=name, is_registered=False)
            db.session.add(company)
            db.session.flush()
            ids[inn] = company.id
    return ids


def _receipt_key(receipt: GovernmentReceipt) -> tuple:
    return (receipt.company_id, receipt.revenue_stream_id, receipt.license_id, receipt.currency)


def _apply(line: GovernmentReceipt, company_id: int, receipt: ReceiptInput) -> None:
    line.company_id = company_id
    line.revenue_stream_id = receipt.revenue_stream_id
    line.license_id = receipt.license_id
    line.amount_minor = receipt.amount_minor
    line.currency = receipt.currency
    line.comment = receipt.comment


def replace_receipts(actor: User, batch: ReceiptBatch, receipts: list[ReceiptInput], *,
                     expected: Expected | None = None) -> int:
    """Make the draft batch's receipts exactly ``receipts``, matched by key (the same body twice changes nothing)."""
    begin_edit(actor, batch, expected)
    company_ids = _resolve_companies(receipts)
    wanted: dict[tuple, ReceiptInput] = {}
    for receipt in receipts:
        key = (company_ids[receipt.company_inn], receipt.revenue_stream_id, receipt.license_id, receipt.currency)
        if key in wanted:
            raise ValidationError({"receipts": [_("Two rows have the same company, revenue stream, project and "
                                                  "currency.")]})
        wanted[key] = receipt
    existing = {_receipt_key(line): line for line in batch.receipts}
    for key, line in existing.items():
        if key not in wanted:
            batch.receipts.remove(line)
    for key, receipt in wanted.items():
        line = existing.get(key)
        if line is None:
            line = GovernmentReceipt()
            batch.receipts.append(line)
        _apply(line, key[0], receipt)
    db.session.flush()
    return len(receipts)


def add_receipt(actor: User, batch: ReceiptBatch, receipt: ReceiptInput, *,
                expected: Expected | None = None) -> GovernmentReceipt:
    """Add one receipt to the draft (the form's door); a second line with the same key is refused."""
    begin_edit(actor, batch, expected)
    company_id = _resolve_companies([receipt])[receipt.company_inn]
    key = (company_id, receipt.revenue_stream_id, receipt.license_id, receipt.currency)
    if any(_receipt_key(line) == key for line in batch.receipts):
        raise ValidationError({"revenue_stream": [_("There is already a receipt for this company, revenue stream, "
                                                    "project and currency: one line holds the period total.")]})
    line = GovernmentReceipt()
    _apply(line, company_id, receipt)
    batch.receipts.append(line)
    db.session.flush()
    return line


def delete_receipt(actor: User, batch: ReceiptBatch, receipt_id: int, *, expected: Expected | None = None) -> None:
    begin_edit(actor, batch, expected)
    line = next((r for r in batch.receipts if r.id == receipt_id), None)
    if line is None:
        raise NotFound()
    batch.receipts.remove(line)
    db.session.flush()


def get_receipt(actor: User, receipt_id: int) -> GovernmentReceipt:
    """One receipt of the actor's own agency (any version); 403 for anyone but an agency officer, 404 for
    another agency's receipt, as if it did not exist."""
    agency = officer_agency(actor)
    line = db.session.get(GovernmentReceipt, receipt_id)
    if line is None or line.batch.agency_id != agency.id:
        raise NotFound()
    return line


def editable_receipt(actor: User, receipt_id: int) -> GovernmentReceipt:
    """A receipt of the actor's open draft, for its edit and delete pages; 409 once the version is submitted
    or the period closed."""
    line = get_receipt(actor, receipt_id)
    require_editable(actor, line.batch)
    return line


def update_receipt(actor: User, line: GovernmentReceipt, receipt: ReceiptInput, *,
                   expected: Expected | None = None) -> GovernmentReceipt:
    """Replace one receipt of the draft by ``receipt`` (checked by the §3 row rules); its key may not be
    another line's."""
    batch = line.batch
    begin_edit(actor, batch, expected)
    if line not in batch.receipts:  # deleted by somebody else since it was read
        raise NotFound()
    company_id = _resolve_companies([receipt])[receipt.company_inn]
    key = (company_id, receipt.revenue_stream_id, receipt.license_id, receipt.currency)
    if any(_receipt_key(other) == key for other in batch.receipts if other is not line):
        raise ValidationError({"revenue_stream": [_("There is already a receipt for this company, revenue stream, "
                                                    "project and currency: one line holds the period total.")]})
    _apply(line, company_id, receipt)
    db.session.flush()
    return line


def receipt_rows(batch: ReceiptBatch | None) -> list[dict[str, str]]:
    """The batch's receipts as §3 rows (exact decimal amounts), in the order the pages show them: what a
    download holds, so that uploading it again gives the same receipts."""
    return [receipt_object(line) for line in batch.receipts] if batch is not None else []


# --- totals and the canonical document ---------------------------------------------

def totals_by_stream(batch: ReceiptBatch) -> list[tuple[Any, str, int]]:
    """(stream, currency, exact total in minor units) per stream and currency, in stream order."""
    sums: dict[tuple[int, str], int] = defaultdict(int)
    streams: dict[int, Any] = {}
    for line in batch.receipts:
        sums[(line.revenue_stream_id, line.currency)] += line.amount_minor
        streams[line.revenue_stream_id] = line.revenue_stream
    return [(streams[s], c, v) for (s, c), v in
            sorted(sums.items(), key=lambda item: (streams[item[0][0]].sort_order, streams[item[0][0]].code,
                                                   item[0][1]))]


def receipt_object(line: GovernmentReceipt) -> dict[str, str]:
    return {
        "company_inn": line.company.inn,
        "company_name": line.company.legal_name,
        "revenue_stream": line.revenue_stream.code,
        "government_entity": line.batch.agency.code,
        "project": line.license.number if line.license is not None else "",
        "amount": format_plain(line.amount_minor, line.currency),
        "currency": line.currency,
        "comment": line.comment or "",
    }


def batch_document(batch: ReceiptBatch) -> dict[str, Any]:
    """What the batch's sha256 fixes: year, agency, version and its receipts in a stable order."""
    receipts = sorted((receipt_object(line) for line in batch.receipts),
                      key=lambda r: (r["company_inn"], r["revenue_stream"], r["project"], r["currency"]))
    return {"year": batch.period.year, "agency": batch.agency.code, "version": batch.version,
            "correction_reason": batch.correction_reason or "", "receipts": receipts}


def batch_sha256(batch: ReceiptBatch) -> str:
    """sha256 of the batch's canonical JSON (sorted keys, UTF-8, no insignificant spaces)."""
    return canonical_sha256(batch_document(batch))


# --- submission and corrections ------------------------------------------------------

def _seal(batch: ReceiptBatch) -> None:
    batch.sha256 = batch_sha256(batch)


def submit_batch(actor: User, batch: ReceiptBatch, attested_by_name: str, attested_by_position: str,
                 attestation_text: str, *, now: dt.datetime | None = None,
                 expected: Expected | None = None) -> ReceiptBatch:
    """The officer attests and submits the draft; earlier submitted versions become superseded.

    Of parallel submissions of one batch exactly one succeeds; the others answer 409 (``lifecycle``).
    """
    if not _is_officer_of(actor, batch.agency_id):
        raise NotFound()
    require_open(batch.period)
    if batch.status is not BatchStatus.DRAFT:
        raise InvalidTransition(_("This version has already been submitted."), code="not_draft")
    errors = FieldErrors()
    name = errors.check("attested_by_name", clean_text, attested_by_name, max_length=255,
                        required=_("Enter the full name of the person attesting the receipts."))
    position = errors.check("attested_by_position", clean_text, attested_by_position, max_length=255,
                            required=_("Enter the position of the person attesting the receipts."))
    if errors:
        raise ValidationError(errors.errors)
    submitted = BATCHES.submit(batch, actor, name=name, position=position, attestation_text=attestation_text,
                               now=now, seal=_seal, expected=expected)
    notify(Event.RECEIPTS_SUBMITTED, secretariat(),
           {"agency": three_names(batch.agency), "year": batch.period.year, "version": batch.version,
            "count": len(batch.receipts)},
           path_for("receipts.show", batch_id=batch.id))
    return submitted


def start_correction(actor: User, agency: GovernmentEntity, period: ReportingPeriod, reason: str) -> ReceiptBatch:
    """Open the next version as a draft, pre-filled from the last submitted one (one at a time)."""
    require(_is_officer_of(actor, agency.id))
    require_open(period)

    def next_version(latest: ReceiptBatch) -> ReceiptBatch:
        text = (reason or "").strip()
        if not text:
            raise ValidationError({"reason": [_("Say what the correction changes, for example: a refund was left "
                                                "out.")]})
        if len(text) > MAX_TEXT:
            raise ValidationError({"reason": [_("The reason is too long: at most %(max)d characters.",
                                                max=MAX_TEXT)]})
        batch = ReceiptBatch(agency=agency, period=period, correction_reason=text)
        for line in latest.receipts:
            batch.receipts.append(GovernmentReceipt(
                company_id=line.company_id, revenue_stream_id=line.revenue_stream_id, license_id=line.license_id,
                amount_minor=line.amount_minor, currency=line.currency, comment=line.comment))
        return batch

    return BATCHES.start_revision(agency.id, period.id, revisable=None, make_next=next_version)


def discard_correction(actor: User, agency: GovernmentEntity, period: ReportingPeriod) -> ReceiptBatch:
    """Throw away the open draft correction; the last submitted version stays in force (returned)."""
    require(_is_officer_of(actor, agency.id))
    require_open(period)
    draft = BATCHES.latest(agency.id, period.id)
    if draft is None or draft.status is not BatchStatus.DRAFT or draft.version <= 1:
        raise InvalidTransition(_("There is no draft correction to discard."), code="nothing_to_discard")
    return BATCHES.discard(draft)
