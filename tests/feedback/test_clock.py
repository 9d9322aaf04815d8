"""The working-day clock: Bishkek dates, weekends and the Kyrgyz public holidays."""
from __future__ import annotations

import datetime as dt

import pytest

from esg_portal.feedback import clock

UTC = dt.timezone.utc


def test_a_day_term_skips_a_weekend_and_the_independence_day_holiday() -> None:
    # Friday 28 August 2026, 10:00 in Bishkek; Saturday, Sunday and Monday 31 August (Independence Day) are off
    received = dt.datetime(2026, 8, 28, 4, 0, tzinfo=UTC)
    assert clock.add_working_days(dt.date(2026, 8, 28), 1) == dt.date(2026, 9, 1)
    assert clock.due_at(received, 1) == dt.datetime(2026, 9, 1, 18, 0, tzinfo=UTC)  # 2 Sept 00:00 in Bishkek


def test_the_may_holidays_and_a_weekend_in_one_term() -> None:
    # Thursday 30 April 2026: 1–10 May are all off (holidays, then Saturday and Sunday)
    assert clock.add_working_days(dt.date(2026, 4, 30), 1) == dt.date(2026, 5, 11)
    assert clock.add_working_days(dt.date(2026, 4, 30), 14) == dt.date(2026, 5, 29)  # 27 May (Eid al-Adha) off too
    assert not clock.is_working_day(dt.date(2026, 5, 5))
    assert clock.is_working_day(dt.date(2026, 5, 11))


def test_the_day_is_bishkeks_not_utcs() -> None:
    # 23:30 UTC on Monday is already Tuesday 05:30 in Bishkek: the term counts from Tuesday
    late_monday_utc = dt.datetime(2026, 9, 7, 23, 30, tzinfo=UTC)
    assert clock.local_day(late_monday_utc) == dt.date(2026, 9, 8)
    assert clock.due_at(late_monday_utc, 1) == dt.datetime(2026, 9, 9, 18, 0, tzinfo=UTC)


def test_working_days_between_and_overdue() -> None:
    start = dt.datetime(2026, 8, 27, 4, 0, tzinfo=UTC)  # Thursday
    assert clock.working_days_between(start, start) == 0
    assert clock.working_days_between(start, dt.datetime(2026, 9, 1, 4, 0, tzinfo=UTC)) == 2  # Fri, Tue
    due = clock.due_at(start, 1)
    assert not clock.is_overdue(due, due - dt.timedelta(seconds=1), due + dt.timedelta(days=9))
    assert clock.is_overdue(due, None, due)
    assert not clock.is_overdue(due, None, due - dt.timedelta(minutes=1))
    assert not clock.is_overdue(None, None, due)


def test_a_term_needs_a_day() -> None:
    with pytest.raises(ValueError):
        clock.add_working_days(dt.date(2026, 1, 1), 0)
