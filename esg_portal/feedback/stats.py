"""The public figures of a company, site or aiyl okmotu: cases by category and state, the share of
steps done on time and the median days to an answer, over the latest cases only (``window``) so
that old habits fade, and withheld below ``min_cases`` so that two cases do not rank anybody."""
from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from . import clock

STATES = ("received", "registered", "in_progress", "answered", "closed_resolved", "closed_not_resolved",
          "rejected")
CATEGORIES = ("water", "air_dust", "noise_blasting", "land_pastures", "roads_traffic", "jobs_hiring",
              "social_package", "public_hearings", "safety", "other")
#: a case counts in the on-time figures once the portal took it up (a rejected one never)
HANDLED = frozenset(STATES) - {"rejected"}


@dataclass(frozen=True)
class CaseFacts:
    received_at: dt.datetime
    category: str
    state: str
    register_due: dt.datetime | None
    registered_at: dt.datetime | None
    answer_due: dt.datetime | None
    answered_at: dt.datetime | None


@dataclass
class Summary:
    total: int
    considered: int
    by_category: dict[str, int] = field(default_factory=dict)
    by_state: dict[str, int] = field(default_factory=dict)
    #: percentages with one decimal, rounded half up; None when there is nothing to measure
    registered_on_time_pct: Decimal | None = None
    answered_on_time_pct: Decimal | None = None
    #: working days from receipt to the first answer (a half when the count is even)
    median_days_to_answer: Decimal | None = None
    overdue: int = 0
    enough: bool = False


def _pct(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(100) * part / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def summarise(cases: list[CaseFacts], *, now: dt.datetime, window: int = 100, min_cases: int = 10) -> Summary:
    latest = sorted(cases, key=lambda c: clock._aware(c.received_at), reverse=True)[:window]
    summary = Summary(total=len(cases), considered=len(latest))
    for case in latest:
        summary.by_category[case.category] = summary.by_category.get(case.category, 0) + 1
        summary.by_state[case.state] = summary.by_state.get(case.state, 0) + 1
    handled = [c for c in latest if c.state in HANDLED]
    # a registration is measured once done or once late; one still inside its term says nothing yet
    registration = [c for c in handled if c.registered_at is not None or clock.is_overdue(c.register_due, None, now)]
    summary.registered_on_time_pct = _pct(
        sum(1 for c in registration if c.registered_at is not None and not clock.is_overdue(
            c.register_due, c.registered_at, now)), len(registration))
    answering = [c for c in handled if c.answer_due is not None
                 and (c.answered_at is not None or clock.is_overdue(c.answer_due, None, now))]
    summary.answered_on_time_pct = _pct(
        sum(1 for c in answering if c.answered_at is not None and not clock.is_overdue(
            c.answer_due, c.answered_at, now)), len(answering))
    days = [clock.working_days_between(c.received_at, c.answered_at) for c in handled if c.answered_at is not None]
    if days:
        summary.median_days_to_answer = Decimal(str(statistics.median(days)))
    summary.overdue = sum(1 for c in latest if _overdue_now(c, now))
    summary.enough = summary.considered >= min_cases
    return summary


def _overdue_now(case: CaseFacts, now: dt.datetime) -> bool:
    if case.state == "received":
        return clock.is_overdue(case.register_due, None, now)
    if case.state in ("registered", "in_progress"):
        return clock.is_overdue(case.answer_due, None, now)
    return False
