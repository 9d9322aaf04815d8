"""Secretariat review: the filing list of a period, queries, answers, acceptance, lateness."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..accounts.models import User
from ..accounts.permissions import can_review_disclosures, is_filer_of, require
from ..audit import utcnow
from ..companies.models import Company
from ..errors import InvalidTransition, NotFound, ValidationError
from ..extensions import db
from ..i18n import display_timezone
from ..reference.models import PeriodStatus, ReportingPeriod
from ..tabular.safe import csv_bytes
from ..notifications import Event, notify
from ..notifications.services import company_filers, path_for, secretariat
from ..tabular._text import shorten
from . import workflow
from .document import iso_utc, profile_object
from .evidence import check_evidence, evidence_file, keep_evidence
from .models import Disclosure, DisclosureStatus, FilingQuery, FilingQueryEvidence, PaymentLine, QueryStatus
from .services import (MAX_TEXT, ChecklistItem, PaymentTotals, completeness, get_disclosure, payment_totals,
                       versions)

#: statuses in which the secretariat can ask a question
QUERYABLE = frozenset({DisclosureStatus.SUBMITTED, DisclosureStatus.QUERIED, DisclosureStatus.ANSWERED})
#: the status filter of the period list: "nothing submitted" or the status of the latest version
NOT_SUBMITTED = "not_submitted"
STATUS_FILTERS = (NOT_SUBMITTED, DisclosureStatus.SUBMITTED.value, DisclosureStatus.QUERIED.value,
                  DisclosureStatus.ANSWERED.value, DisclosureStatus.ACCEPTED.value)
#: columns of the overdue list download
OVERDUE_CSV_COLUMNS = ("company_inn", "company_name", "deadline", "days_overdue")


@dataclass(frozen=True)
class FilingRow:
    """One registered company in the secretariat's list for a period."""

    company: Company
    #: the newest version the secretariat may read (drafts are the company's own)
    disclosure: Disclosure | None
    #: the company holds an unsubmitted draft or amendment
    has_draft: bool
    missing_sections: tuple[str, ...]
    is_late: bool
    open_queries: int


def _text(value: str, field: str, required: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError({field: [required]})
    if len(text) > MAX_TEXT:
        raise ValidationError({field: [_("The text is too long: at most %(max)d characters.", max=MAX_TEXT)]})
    return text


def _is_late(deadline: dt.datetime | None, first_submission: dt.datetime | None, now: dt.datetime) -> bool:
    """Submitted after the deadline, or nothing submitted and the deadline has passed."""
    return bool(deadline and ((first_submission and first_submission > deadline)
                              or (first_submission is None and now > deadline)))


def _matches(row: FilingRow, status: str) -> bool:
    if status == NOT_SUBMITTED:
        return row.disclosure is None
    return row.disclosure is not None and row.disclosure.status.value == status


def filing_rows(actor: User, period: ReportingPeriod, now: dt.datetime | None = None,
                status: str | None = None) -> list[FilingRow]:
    """Every registered company with its latest submitted version, completeness and lateness.

    Sorted by company name (case-insensitively, the same on every database). ``status``
    keeps the rows whose latest version has that status, or ``NOT_SUBMITTED`` the rows
    with nothing submitted; an unknown value is a ``ValidationError``.
    """
    require(can_review_disclosures(actor))
    if status and status not in STATUS_FILTERS:
        message = _("There is no filter “%(status)s”: choose one of the statuses in the list.", status=status)
        raise ValidationError({"status": [message]}, message)
    now = now or utcnow()
    deadline = period.filing_deadline_at
    companies = db.session.scalars(select(Company).where(Company.is_registered.is_(True))).all()
    by_company: dict[int, list[Disclosure]] = {}
    # what completeness and the open questions read, in one query per kind (not four per company); lines
    # are only counted here, so what they refer to is not loaded
    stmt = (select(Disclosure).where(Disclosure.period_id == period.id).order_by(Disclosure.version)
            .options(selectinload(Disclosure.payment_lines).lazyload("*"), selectinload(Disclosure.declarations),
                     selectinload(Disclosure.sections), selectinload(Disclosure.queries)))
    for disclosure in db.session.scalars(stmt):
        by_company.setdefault(disclosure.company_id, []).append(disclosure)
    rows = []
    for company in sorted(companies, key=lambda c: (c.legal_name.casefold(), c.id)):
        filed = [d for d in by_company.get(company.id, []) if d.status is not DisclosureStatus.DRAFT]
        latest = filed[-1] if filed else None
        has_draft = any(d.status is DisclosureStatus.DRAFT for d in by_company.get(company.id, []))
        first_submission = min((d.submitted_at for d in filed if d.submitted_at), default=None)
        late = _is_late(deadline, first_submission, now)
        missing = tuple(item.section for item in completeness(latest) if item.state == "missing") if latest else ()
        open_queries = sum(1 for q in latest.queries if q.status is QueryStatus.OPEN) if latest else 0
        rows.append(FilingRow(company, latest, has_draft, missing, late, open_queries))
    return [row for row in rows if _matches(row, status)] if status else rows


def overdue_rows(actor: User, period: ReportingPeriod, now: dt.datetime | None = None) -> list[FilingRow]:
    """Companies past the deadline with nothing submitted (the secretariat's chase list)."""
    return [row for row in filing_rows(actor, period, now) if row.disclosure is None and row.is_late]


# --- the overdue list ---------------------------------------------------------------

@dataclass(frozen=True)
class OverdueRow:
    """A company with nothing submitted after the deadline, and for how many days."""

    company: Company
    deadline: dt.datetime
    days_overdue: int


def days_overdue(deadline: dt.datetime, now: dt.datetime) -> int:
    """Calendar days since the deadline's day in Bishkek; 1 on the day it passed."""
    zone = display_timezone()
    return max(1, (now.astimezone(zone).date() - deadline.astimezone(zone).date()).days)


def overdue_list(actor: User, period: ReportingPeriod, now: dt.datetime | None = None) -> list[OverdueRow]:
    """The overdue list of a period with the days overdue, by company name."""
    now = now or utcnow()
    return [OverdueRow(row.company, period.filing_deadline_at, days_overdue(period.filing_deadline_at, now))
            for row in overdue_rows(actor, period, now)]


def overdue_csv(rows: list[OverdueRow]) -> bytes:
    """The overdue list as CSV, UTF-8 with a BOM (so Excel shows Kyrgyz letters); deadlines in UTC."""
    return csv_bytes(OVERDUE_CSV_COLUMNS, ([row.company.inn, row.company.legal_name, iso_utc(row.deadline),
                                            row.days_overdue] for row in rows), bom=True, lineterminator="\r\n")


# --- one filing under review --------------------------------------------------------

@dataclass(frozen=True)
class FilingReview:
    """What the secretariat needs to review one submitted version."""

    disclosure: Disclosure
    #: the company profile and licences as filed (copied at submission)
    profile: dict[str, Any]
    checklist: list[ChecklistItem]
    totals: PaymentTotals
    #: the submitted versions of this company's filing for the period, oldest first
    versions: list[Disclosure]
    #: the company is preparing an amendment (its content stays the company's)
    has_draft: bool
    is_late: bool
    open_queries: int
    can_query: bool
    can_accept: bool


def filing_review(actor: User, disclosure_id: int, now: dt.datetime | None = None) -> FilingReview:
    """One submitted version for review; drafts are refused like any record the actor may not read."""
    require(can_review_disclosures(actor))
    disclosure = get_disclosure(actor, disclosure_id)
    every = versions(disclosure.company_id, disclosure.period_id)
    filed = [v for v in every if v.status is not DisclosureStatus.DRAFT]
    first_submission = min((v.submitted_at for v in filed if v.submitted_at), default=None)
    open_queries = sum(1 for q in disclosure.queries if q.status is QueryStatus.OPEN)
    return FilingReview(
        disclosure=disclosure,
        profile=disclosure.profile_snapshot or profile_object(disclosure.company),
        checklist=completeness(disclosure),
        totals=payment_totals(disclosure),
        versions=filed,
        has_draft=any(v.status is DisclosureStatus.DRAFT for v in every),
        is_late=_is_late(disclosure.period.filing_deadline_at, first_submission, now or utcnow()),
        open_queries=open_queries,
        can_query=disclosure.status in QUERYABLE and disclosure.period.status is PeriodStatus.OPEN,
        can_accept=not open_queries and workflow.can_transition(disclosure, workflow.Action.ACCEPT),
    )


def raise_query(actor: User, disclosure: Disclosure, question: str,
                payment_line_id: int | None = None) -> FilingQuery:
    """Ask the company about a submitted version (or one of its lines)."""
    require(can_review_disclosures(actor))
    workflow.FILINGS.lock(disclosure)  # the status is read again under the lock
    if disclosure.status not in QUERYABLE:
        raise InvalidTransition(_("Only a submitted filing that is not yet accepted can be queried."))
    if disclosure.period.status is not PeriodStatus.OPEN:
        raise InvalidTransition(_("The period is closed."), code="period_closed")
    question = _text(question, "question", _("Write the question for the company."))
    line = None
    if payment_line_id is not None:
        line = db.session.get(PaymentLine, payment_line_id)
        if line is None or line.disclosure_id != disclosure.id:
            raise ValidationError({"payment_line_id": [_("Choose a line of this filing.")]})
    query = FilingQuery(disclosure=disclosure, payment_line=line, question=question, raised_by_id=actor.id,
                        status=QueryStatus.OPEN)
    db.session.add(query)
    workflow.transition(disclosure, workflow.Action.QUERY)
    db.session.flush()
    notify(Event.FILING_QUERY, company_filers(disclosure.company_id), _filing_facts(disclosure, question=question),
           path_for("disclosure.filing", year=disclosure.period.year, _anchor="queries"))
    return query


def _filing_facts(disclosure: Disclosure, **more) -> dict:
    return {"year": disclosure.period.year, "version": disclosure.version, "company": disclosure.company.legal_name,
            **{key: shorten(value or "", 300) for key, value in more.items()}}


def get_query(actor: User, query_id: int) -> FilingQuery:
    query = db.session.get(FilingQuery, query_id)
    if query is None or not (can_review_disclosures(actor) or is_filer_of(actor, query.disclosure.company_id)):
        raise NotFound()
    return query


def answer_query(actor: User, query: FilingQuery, answer: str,
                 evidence: tuple[bytes, str | None] | None = None) -> FilingQuery:
    """The company answers, optionally with one file (``evidence``: its bytes and name, e.g. a payment
    order, checked like an attachment); when no question stays open the filing is 'answered'.

    The text and the file are checked together (every problem at once, ``ValidationError``); a file
    over the attachment limit is ``AttachmentTooLarge`` (413). Nothing is stored when one is refused.
    """
    if not is_filer_of(actor, query.disclosure.company_id):
        raise NotFound()
    workflow.FILINGS.lock(query.disclosure)  # two answers at once: the second finds the question answered
    db.session.refresh(query)
    if query.status is not QueryStatus.OPEN:
        raise InvalidTransition(_("This question has already been answered."))
    errors: dict[str, list[str]] = {}
    text = checked = None
    try:
        text = _text(answer, "answer", _("Write your answer to the question."))
    except ValidationError as error:
        errors.update(error.errors)
    try:
        checked = check_evidence(*evidence) if evidence else None
    except ValidationError as error:
        errors.update(error.errors)
    if errors:
        raise ValidationError(errors)
    query.answer = text
    query.answered_by_id, query.answered_at, query.status = actor.id, utcnow(), QueryStatus.ANSWERED
    if checked is not None:
        keep_evidence(actor, FilingQueryEvidence, checked, query=query)
    disclosure = query.disclosure
    if disclosure.status is DisclosureStatus.QUERIED and not any(
            q.status is QueryStatus.OPEN for q in disclosure.queries):
        workflow.transition(disclosure, workflow.Action.ANSWER)
    db.session.flush()
    notify(Event.FILING_ANSWER, secretariat(), _filing_facts(disclosure, answer=query.answer),
           path_for("review.filing", disclosure_id=disclosure.id))
    return query


def get_evidence(actor: User, evidence_id: int) -> tuple[FilingQueryEvidence, Path]:
    """A file sent with an answer, and its path, for who may read the question (the company's filers and
    the secretariat); 404 for everyone else."""
    record = db.session.get(FilingQueryEvidence, evidence_id)
    if record is None:
        raise NotFound()
    get_query(actor, record.query_id)
    return record, evidence_file(record)


def accept_disclosure(actor: User, disclosure: Disclosure) -> Disclosure:
    """Accept a submitted or answered version; open questions must be answered first."""
    require(can_review_disclosures(actor))
    workflow.FILINGS.lock(disclosure)  # an amendment submitted meanwhile, or a second click, is seen here
    if any(q.status is QueryStatus.OPEN for q in disclosure.queries):
        raise InvalidTransition(_("Questions are still open on this filing: wait for the answers."))
    if not workflow.can_transition(disclosure, workflow.Action.ACCEPT):
        raise InvalidTransition(_("Only a submitted or answered version can be accepted: this one is already "
                                  "accepted or has been replaced by a newer version."))
    workflow.transition(disclosure, workflow.Action.ACCEPT)
    for query in disclosure.queries:
        if query.status is QueryStatus.ANSWERED:
            query.status = QueryStatus.CLOSED
    db.session.flush()
    notify(Event.FILING_ACCEPTED, company_filers(disclosure.company_id), _filing_facts(disclosure),
           path_for("disclosure.show", disclosure_id=disclosure.id))
    return disclosure
