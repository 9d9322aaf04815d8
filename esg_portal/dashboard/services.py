"""What each role sees on its dashboard, computed from the scoped registers."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, select

from ..accounts.models import Role, User
from ..accounts.permissions import scope_disclosures, scope_receipt_batches
from ..audit import utcnow
from ..companies.models import Company
from ..disclosure import review
from ..disclosure.models import Disclosure, DisclosureStatus, QueryStatus
from ..extensions import db
from ..i18n import display_timezone
from ..receipts.models import ReceiptBatch
from ..reference.models import PeriodStatus, ReportingPeriod
from .tasks import tasks_for


@dataclass(frozen=True)
class FilingRow:
    """One period on a filer's dashboard: the latest version, if any, and the deadline."""

    period: ReportingPeriod
    disclosure: Disclosure | None
    is_overdue: bool
    #: the latest version that was submitted (beside a draft amendment it is what stands)
    submitted: Disclosure | None = None
    #: whole days until the deadline in Bishkek (0: today; None: no deadline, closed, or already filed)
    days_left: int | None = None
    #: questions of the secretariat on the submitted version still waiting for the company's answer
    open_questions: int = 0


def periods_newest_first() -> list[ReportingPeriod]:
    return list(db.session.scalars(select(ReportingPeriod).order_by(ReportingPeriod.year.desc())))


def _latest(disclosures: Iterable[Disclosure]) -> dict[tuple[int, int], Disclosure]:
    """The last of ``disclosures`` (in version order) per (company, period)."""
    return {(disclosure.company_id, disclosure.period_id): disclosure for disclosure in disclosures}


def _visible_versions(actor: User, period_ids: list[int], *, submitted_only: bool = False) -> list[Disclosure]:
    stmt = scope_disclosures(actor, select(Disclosure).where(Disclosure.period_id.in_(period_ids)))
    if submitted_only:
        stmt = stmt.where(Disclosure.status != DisclosureStatus.DRAFT)
    return list(db.session.scalars(stmt.order_by(Disclosure.version)))


def latest_disclosures(actor: User, period_ids: list[int], *,
                       submitted_only: bool = False) -> dict[tuple[int, int], Disclosure]:
    """Latest version per (company, period) among the disclosures the actor may see (drafts left out
    with ``submitted_only``: the version in force)."""
    return _latest(_visible_versions(actor, period_ids, submitted_only=submitted_only))


def filer_rows(actor: User, now: dt.datetime | None = None) -> list[FilingRow]:
    """The filer's company: each period, its filing status and deadline, what stands, what waits."""
    now = now or utcnow()
    periods = [p for p in periods_newest_first() if p.status is not PeriodStatus.PLANNED]
    # the latest version and the version in force from one read of the company's versions
    versions = _visible_versions(actor, [p.id for p in periods])
    latest = _latest(versions)
    submitted = _latest(d for d in versions if d.status is not DisclosureStatus.DRAFT)
    rows = []
    for period in periods:
        disclosure = latest.get((actor.company_id, period.id))
        filed = submitted.get((actor.company_id, period.id))
        unsent = filed is None
        deadline = period.filing_deadline_at
        overdue = bool(unsent and period.status is PeriodStatus.OPEN and deadline and deadline < now)
        days_left = None
        if unsent and period.status is PeriodStatus.OPEN and deadline and not overdue:
            zone = display_timezone()
            days_left = (deadline.astimezone(zone).date() - now.astimezone(zone).date()).days
        questions = sum(1 for q in filed.queries if q.status is QueryStatus.OPEN) if filed is not None else 0
        rows.append(FilingRow(period, disclosure, overdue, filed, days_left, questions))
    return rows


def officer_batches(actor: User) -> list[tuple[ReportingPeriod, ReceiptBatch | None]]:
    """The officer's agency: latest receipt batch per period."""
    periods = [p for p in periods_newest_first() if p.status is not PeriodStatus.PLANNED]
    stmt = scope_receipt_batches(actor, select(ReceiptBatch)).order_by(ReceiptBatch.version)
    latest = {batch.period_id: batch for batch in db.session.scalars(stmt)}
    return [(period, latest.get(period.id)) for period in periods]


def secretariat_overview(actor: User) -> list[dict]:
    """Per period: registered companies, filings by status, and how many have not filed."""
    overview = []
    registered = db.session.scalar(select(func.count(Company.id)).where(Company.is_registered.is_(True))) or 0
    periods = periods_newest_first()
    latest = latest_disclosures(actor, [p.id for p in periods])
    for period in periods:
        counts: dict[str, int] = {}
        for (company_id, period_id), disclosure in latest.items():
            if period_id == period.id:
                counts[disclosure.status.value] = counts.get(disclosure.status.value, 0) + 1
        overview.append({"period": period, "counts": counts, "registered": registered,
                         "not_filed": registered - sum(counts.values())})
    return overview


@dataclass(frozen=True)
class ReviewCounts:
    """The secretariat's work in one period: filings waiting, open questions, companies overdue."""

    period: ReportingPeriod
    #: latest versions submitted or answered: waiting for the secretariat
    to_review: int
    #: latest versions queried: waiting for the company's answers
    queried: int
    overdue: int


def review_counts(actor: User, now: dt.datetime | None = None) -> list[ReviewCounts]:
    """Per period, newest first, the counts behind the links to the review pages (same rules as those pages)."""
    waiting = (DisclosureStatus.SUBMITTED, DisclosureStatus.ANSWERED)
    counts = []
    for period in periods_newest_first():
        rows = review.filing_rows(actor, period, now)
        counts.append(ReviewCounts(
            period=period,
            to_review=sum(1 for row in rows if row.disclosure is not None and row.disclosure.status in waiting),
            queried=sum(1 for row in rows if row.disclosure is not None
                        and row.disclosure.status is DisclosureStatus.QUERIED),
            overdue=sum(1 for row in rows if row.disclosure is None and row.is_late)))
    return counts


def admin_counts(actor: User) -> dict[str, int]:
    return {
        "users": db.session.scalar(select(func.count(User.id))) or 0,
        "companies": db.session.scalar(select(func.count(Company.id))) or 0,
        "periods": db.session.scalar(select(func.count(ReportingPeriod.id))) or 0,
    }


def dashboard_for(actor: User) -> dict:
    """Everything the dashboard template needs, by role: first of all what waits for the actor."""
    tasks = {"tasks": tasks_for(actor)}
    if actor.role is Role.COMPANY_FILER:
        return {**tasks, "rows": filer_rows(actor), "company": actor.company}
    if actor.role is Role.AGENCY_OFFICER:
        return {**tasks, "batches": officer_batches(actor), "agency": actor.agency}
    if actor.role is Role.SECRETARIAT:
        return {**tasks, "overview": secretariat_overview(actor), "reviews": review_counts(actor)}
    return {**tasks, "counts": admin_counts(actor), "overview": secretariat_overview(actor)}
