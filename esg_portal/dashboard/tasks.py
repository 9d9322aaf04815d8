"""Each role's task list: what waits for this person, oldest first, with the page where it is done.

Read from the same scoped registers as the rest of the dashboard; nothing here decides a rule, it
only lists what the workflows leave open.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from ..accounts.models import Role, User
from ..accounts.permissions import scope_disclosures
from ..companies.models import Company
from ..disclosure.models import Disclosure, DisclosureStatus, FilingQuery, QueryStatus
from ..eiti.models import Adjustment, AdjustmentStatus, DiscrepancyQuery, DiscrepancyQueryStatus
from ..extensions import db
from ..notifications.models import OutboxMessage, OutboxStatus
from ..notifications.services import path_for
from ..receipts.models import BatchStatus, ReceiptBatch
from ..reference.models import PeriodStatus, ReportingPeriod

#: most tasks one dashboard lists (the pages behind the links hold the rest)
MAX_TASKS = 30


@dataclass(frozen=True)
class Task:
    text: str
    #: since when it waits (None: nothing asked for it yet, only a deadline)
    since: dt.datetime | None
    path: str
    #: the deadline of a task that no one asked for but a date requires (a filing to submit)
    due: dt.datetime | None = None


def _oldest_first(tasks: list[Task]) -> list[Task]:
    """What waits longest first, then what is due soonest."""
    far = dt.datetime.max.replace(tzinfo=dt.timezone.utc)
    return sorted(tasks, key=lambda task: (task.since is None, task.since or task.due or far))[:MAX_TASKS]


def _line(query: DiscrepancyQuery | Adjustment) -> str:
    return " · ".join(part for part in (query.company_inn, query.revenue_stream, query.government_entity,
                                        query.project) if part)


def _questions_to_answer(*where) -> list[Task]:
    """Open discrepancy questions addressed to a company or an agency (``where``)."""
    return [Task(_("Answer the question on the %(year)s reconciliation (%(line)s)", year=query.period.year,
                   line=_line(query)), query.raised_at, path_for("discrepancies.query", discrepancy_query_id=query.id))
            for query in db.session.scalars(select(DiscrepancyQuery).where(
                *where, DiscrepancyQuery.status == DiscrepancyQueryStatus.OPEN))]


def _open_periods() -> list[ReportingPeriod]:
    return list(db.session.scalars(select(ReportingPeriod).where(ReportingPeriod.status == PeriodStatus.OPEN)))


def filer_tasks(actor: User) -> list[Task]:
    tasks: list[Task] = []
    questions = db.session.scalars(scope_disclosures(actor, select(FilingQuery).join(Disclosure).where(
        FilingQuery.status == QueryStatus.OPEN)))
    for query in questions:
        tasks.append(Task(_("Answer the secretariat's question on your %(year)s filing: “%(question)s”",
                            year=query.disclosure.period.year, question=query.question[:120]),
                          query.raised_at, path_for("disclosure.filing", year=query.disclosure.period.year,
                                                    _anchor="queries")))
    tasks += _questions_to_answer(DiscrepancyQuery.company_id == actor.company_id)
    for period in _open_periods():
        filed = db.session.scalar(select(Disclosure.id).where(
            Disclosure.company_id == actor.company_id, Disclosure.period_id == period.id,
            Disclosure.status != DisclosureStatus.DRAFT).limit(1))
        if filed is None:
            tasks.append(Task(_("Submit the %(year)s filing", year=period.year), None,
                              path_for("disclosure.filing", year=period.year), period.filing_deadline_at))
    return _oldest_first(tasks)


def officer_tasks(actor: User) -> list[Task]:
    tasks = _questions_to_answer(DiscrepancyQuery.agency_id == actor.agency_id)
    for period in _open_periods():
        submitted = db.session.scalar(select(ReceiptBatch.id).where(
            ReceiptBatch.agency_id == actor.agency_id, ReceiptBatch.period_id == period.id,
            ReceiptBatch.status != BatchStatus.DRAFT).limit(1))
        if submitted is None:
            tasks.append(Task(_("Submit the %(year)s receipts", year=period.year), None,
                              path_for("receipts.period", year=period.year), period.filing_deadline_at))
    return _oldest_first(tasks)


def secretariat_tasks(actor: User) -> list[Task]:
    tasks: list[Task] = []
    waiting = (DisclosureStatus.SUBMITTED, DisclosureStatus.ANSWERED)
    for disclosure, company in db.session.execute(select(Disclosure, Company).join(Company).where(
            Disclosure.status.in_(waiting))):
        since = max((q.answered_at for q in disclosure.queries if q.answered_at), default=disclosure.submitted_at)
        tasks.append(Task(_("Review the %(year)s filing of %(company)s (version %(version)s)",
                            year=disclosure.period.year, company=company.legal_name, version=disclosure.version),
                          since, path_for("review.filing", disclosure_id=disclosure.id)))
    for query in db.session.scalars(select(DiscrepancyQuery).where(
            DiscrepancyQuery.status == DiscrepancyQueryStatus.ANSWERED)):
        tasks.append(Task(_("Read the answer on the %(year)s reconciliation (%(line)s) and close the question",
                            year=query.period.year, line=_line(query)), query.answered_at,
                          path_for("discrepancies.query", discrepancy_query_id=query.id)))
    for adjustment in db.session.scalars(select(Adjustment).where(Adjustment.status == AdjustmentStatus.PROPOSED,
                                                                  Adjustment.query_id.is_not(None))):
        tasks.append(Task(_("Decide the adjustment proposed on the %(year)s reconciliation (%(line)s)",
                            year=adjustment.period.year, line=_line(adjustment)), adjustment.proposed_at,
                          path_for("discrepancies.query", discrepancy_query_id=adjustment.query_id)))
    return _oldest_first(tasks)


def admin_tasks(actor: User) -> list[Task]:
    failed = db.session.scalars(select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.FAILED)
                                .order_by(OutboxMessage.created_at).limit(MAX_TASKS))
    return [Task(_("An e-mail to %(address)s could not be sent: %(error)s", address=m.to_address,
                   error=(m.last_error or "")[:120]), m.created_at, path_for("notifications.outbox"))
            for m in failed]


def tasks_for(actor: User) -> list[Task]:
    """What waits for the actor, oldest first."""
    return {Role.COMPANY_FILER: filer_tasks, Role.AGENCY_OFFICER: officer_tasks, Role.SECRETARIAT: secretariat_tasks,
            Role.ADMIN: admin_tasks}[actor.role](actor)
