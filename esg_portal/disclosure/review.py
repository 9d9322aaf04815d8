"""Secretariat review: the filing list of a period, queries, answers, acceptance, lateness."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from ..accounts.models import User
from ..accounts.permissions import can_review_disclosures, is_filer_of, require
from ..audit import utcnow
from ..companies.models import Company
from ..errors import InvalidTransition, NotFound, ValidationError
from ..extensions import db
from ..reference.models import PeriodStatus, ReportingPeriod
from . import workflow
from .models import Disclosure, DisclosureStatus, FilingQuery, PaymentLine, QueryStatus
from .services import MAX_TEXT, completeness

#: statuses in which the secretariat can ask a question
QUERYABLE = frozenset({DisclosureStatus.SUBMITTED, DisclosureStatus.QUERIED, DisclosureStatus.ANSWERED})


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


def filing_rows(actor: User, period: ReportingPeriod, now: dt.datetime | None = None) -> list[FilingRow]:
    """Every registered company with its latest submitted version, completeness and lateness."""
    require(can_review_disclosures(actor))
    now = now or utcnow()
    deadline = period.filing_deadline_at
    companies = db.session.scalars(select(Company).where(Company.is_registered.is_(True))
                                   .order_by(Company.legal_name)).all()
    by_company: dict[int, list[Disclosure]] = {}
    for disclosure in db.session.scalars(select(Disclosure).where(Disclosure.period_id == period.id)
                                         .order_by(Disclosure.version)):
        by_company.setdefault(disclosure.company_id, []).append(disclosure)
    rows = []
    for company in companies:
        filed = [d for d in by_company.get(company.id, []) if d.status is not DisclosureStatus.DRAFT]
        latest = filed[-1] if filed else None
        has_draft = any(d.status is DisclosureStatus.DRAFT for d in by_company.get(company.id, []))
        first_submission = min((d.submitted_at for d in filed if d.submitted_at), default=None)
        late = bool(deadline and ((first_submission and first_submission > deadline)
                                  or (first_submission is None and now > deadline)))
        missing = tuple(item.section for item in completeness(latest) if item.state == "missing") if latest else ()
        open_queries = sum(1 for q in latest.queries if q.status is QueryStatus.OPEN) if latest else 0
        rows.append(FilingRow(company, latest, has_draft, missing, late, open_queries))
    return rows


def overdue_rows(actor: User, period: ReportingPeriod, now: dt.datetime | None = None) -> list[FilingRow]:
    """Companies past the deadline with nothing submitted (the secretariat's chase list)."""
    return [row for row in filing_rows(actor, period, now) if row.disclosure is None and row.is_late]


def raise_query(actor: User, disclosure: Disclosure, question: str,
                payment_line_id: int | None = None) -> FilingQuery:
    """Ask the company about a submitted version (or one of its lines)."""
    require(can_review_disclosures(actor))
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
    return query


def get_query(actor: User, query_id: int) -> FilingQuery:
    query = db.session.get(FilingQuery, query_id)
    if query is None or not (can_review_disclosures(actor) or is_filer_of(actor, query.disclosure.company_id)):
        raise NotFound()
    return query


def answer_query(actor: User, query: FilingQuery, answer: str) -> FilingQuery:
    """The company answers; when no question stays open the filing is 'answered'."""
    if not is_filer_of(actor, query.disclosure.company_id):
        raise NotFound()
    if query.status is not QueryStatus.OPEN:
        raise InvalidTransition(_("This question has already been answered."))
    query.answer = _text(answer, "answer", _("Write your answer to the question."))
    query.answered_by_id, query.answered_at, query.status = actor.id, utcnow(), QueryStatus.ANSWERED
    disclosure = query.disclosure
    if disclosure.status is DisclosureStatus.QUERIED and not any(
            q.status is QueryStatus.OPEN for q in disclosure.queries):
        workflow.transition(disclosure, workflow.Action.ANSWER)
    db.session.flush()
    return query


def accept_disclosure(actor: User, disclosure: Disclosure) -> Disclosure:
    """Accept a submitted or answered version; open questions must be answered first."""
    require(can_review_disclosures(actor))
    if any(q.status is QueryStatus.OPEN for q in disclosure.queries):
        raise InvalidTransition(_("Questions are still open on this filing: wait for the answers."))
    workflow.transition(disclosure, workflow.Action.ACCEPT)
    for query in disclosure.queries:
        if query.status is QueryStatus.ANSWERED:
            query.status = QueryStatus.CLOSED
    db.session.flush()
    return disclosure
