"""The public figures: on-time shares, the median, the window of the latest cases and the minimum."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from esg_portal.feedback import clock
from esg_portal.feedback.stats import CaseFacts, summarise

UTC = dt.timezone.utc
MONDAY = dt.datetime(2026, 9, 7, 4, 0, tzinfo=UTC)


def case(received: dt.datetime, *, registered_after_days: int | None = 0, answered_after_days: int | None = None,
         state: str = "answered", category: str = "water") -> CaseFacts:
    registered = None if registered_after_days is None else received + dt.timedelta(days=registered_after_days)
    answer_due = clock.due_at(registered, 14) if registered else None
    answered = None if answered_after_days is None else received + dt.timedelta(days=answered_after_days)
    return CaseFacts(received_at=received, category=category, state=state, register_due=clock.due_at(received, 1),
                     registered_at=registered, answer_due=answer_due, answered_at=answered)


def test_on_time_shares_median_and_overdue() -> None:
    now = MONDAY + dt.timedelta(days=60)
    cases = [case(MONDAY, answered_after_days=2),                      # answered in 2 working days
             case(MONDAY, answered_after_days=3, category="air_dust"),  # 3
             case(MONDAY, registered_after_days=7, answered_after_days=28),  # registered late, answered late
             case(MONDAY, answered_after_days=None, state="in_progress"),    # never answered: overdue now
             case(MONDAY, registered_after_days=None, state="rejected")]     # rejected: not measured
    summary = summarise(cases, now=now, min_cases=5)
    assert summary.total == summary.considered == 5
    assert summary.by_category == {"water": 4, "air_dust": 1}
    assert summary.by_state == {"answered": 3, "in_progress": 1, "rejected": 1}
    assert summary.registered_on_time_pct == Decimal("75.0")  # 3 of 4
    assert summary.answered_on_time_pct == Decimal("50.0")    # 2 of 4 (the overdue one counts as late)
    assert summary.median_days_to_answer == Decimal("3")      # working days 2, 3 and 20
    assert summary.overdue == 1
    assert summary.enough


def test_a_step_still_inside_its_term_is_not_measured_yet() -> None:
    summary = summarise([case(MONDAY, registered_after_days=None, state="received")], now=MONDAY)
    assert summary.registered_on_time_pct is None
    assert summary.overdue == 0
    late = summarise([case(MONDAY, registered_after_days=None, state="received")], now=MONDAY + dt.timedelta(days=3))
    assert late.registered_on_time_pct == Decimal("0.0") and late.overdue == 1


def test_only_the_latest_window_counts_and_a_few_cases_rank_nobody() -> None:
    old = [case(MONDAY - dt.timedelta(days=400 + n), registered_after_days=5) for n in range(3)]
    new = [case(MONDAY + dt.timedelta(days=n)) for n in range(4)]
    summary = summarise(old + new, now=MONDAY + dt.timedelta(days=90), window=4, min_cases=10)
    assert summary.total == 7 and summary.considered == 4
    assert summary.registered_on_time_pct == Decimal("100.0")  # the three late old ones fell out of the window
    assert not summary.enough


def test_percentages_round_half_up_to_one_decimal() -> None:
    cases = [case(MONDAY), case(MONDAY), case(MONDAY, registered_after_days=9)]
    assert summarise(cases, now=MONDAY + dt.timedelta(days=30)).registered_on_time_pct == Decimal("66.7")
