"""Deadline reminders: 14, 3 and 1 days before the filing deadline, and once after it has passed, to the
filers of every company in scope that has submitted nothing for the period.

Idempotent: each reminder carries a key (year, which reminder, company), so a second run for the
same day tells nobody anything new, and ``as_of`` catches up a day the scheduler missed.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from ..companies.models import Company
from ..extensions import db
from ..i18n import display_timezone
from ..notifications import Event, notify
from ..notifications.services import company_filers, path_for
from ..reference.models import PeriodStatus, ReportingPeriod, ScopeOverride
from .models import Disclosure, DisclosureStatus

#: days before the deadline on which the filers are reminded
REMINDER_DAYS = (14, 3, 1)


@dataclass(frozen=True)
class ReminderRun:
    as_of: dt.date
    #: (year, reminder, company name, users told) of every reminder that went out
    sent: list[tuple[int, str, str, int]]


def _deadline_day(period: ReportingPeriod) -> dt.date:
    return period.filing_deadline_at.astimezone(display_timezone()).date()


def companies_yet_to_file(period: ReportingPeriod) -> list[Company]:
    """Registered companies in the period's scope with no submitted version (a draft does not count)."""
    excluded = set(db.session.scalars(select(ScopeOverride.company_id).where(
        ScopeOverride.period_id == period.id, ScopeOverride.is_in_scope.is_(False))))
    filed = set(db.session.scalars(select(Disclosure.company_id).where(
        Disclosure.period_id == period.id, Disclosure.status != DisclosureStatus.DRAFT)))
    companies = db.session.scalars(select(Company).where(Company.is_registered.is_(True)).order_by(Company.legal_name))
    return [c for c in companies if c.id not in excluded and c.id not in filed]


def remind_deadlines(as_of: dt.date) -> ReminderRun:
    """Send the reminders due on ``as_of`` (a day in Bishkek) for every open period with a deadline."""
    sent: list[tuple[int, str, str, int]] = []
    periods = db.session.scalars(select(ReportingPeriod).where(ReportingPeriod.status == PeriodStatus.OPEN,
                                                               ReportingPeriod.filing_deadline_at.is_not(None)))
    for period in periods:
        days_left = (_deadline_day(period) - as_of).days
        if days_left in REMINDER_DAYS:
            event, which = Event.DEADLINE_APPROACHING, f"{days_left}d"
        elif days_left < 0:
            event, which = Event.DEADLINE_PASSED, "passed"
        else:
            continue
        deadline = _deadline_day(period).isoformat()
        for company in companies_yet_to_file(period):
            told = notify(event, company_filers(company.id),
                          {"year": period.year, "company": company.legal_name, "deadline": deadline,
                           "days": days_left},
                          path_for("disclosure.filing", year=period.year),
                          dedupe_key=f"deadline:{period.year}:{which}:{company.id}")
            if told:
                sent.append((period.year, which, company.legal_name, len(told)))
    return ReminderRun(as_of, sent)
