"""Working days in Bishkek: the clock the Law on citizens' appeals runs on.

A term of N working days that starts on a day runs out at the end of the Nth working day after it
(the day of receipt does not count); Saturdays, Sundays and the Kyrgyz public holidays (from the
``holidays`` package, which carries the moved days off too) are not working days. All instants are
UTC in the database; the days are Bishkek's.
"""
from __future__ import annotations

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

BISHKEK = ZoneInfo("Asia/Bishkek")


@lru_cache(maxsize=64)
def _holidays(year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays("KG", years=year))


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in _holidays(day.year)


def local_day(moment: dt.datetime) -> dt.date:
    """The Bishkek date of a UTC instant (naive values are taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.astimezone(BISHKEK).date()


def add_working_days(day: dt.date, count: int) -> dt.date:
    """The Nth working day after ``day`` (``day`` itself never counts)."""
    if count < 1:
        raise ValueError("count must be at least 1")
    while count:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            count -= 1
    return day


def due_at(start: dt.datetime, working_days: int) -> dt.datetime:
    """The UTC instant a term of ``working_days`` started at ``start`` runs out: Bishkek midnight at
    the end of the last working day."""
    last = add_working_days(local_day(start), working_days)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tzinfo=BISHKEK)
    return end.astimezone(dt.timezone.utc)


def working_days_between(start: dt.datetime, end: dt.datetime) -> int:
    """Working days after ``start``'s Bishkek date up to and including ``end``'s (0 on the same day)."""
    first, last = local_day(start), local_day(end)
    count, day = 0, first
    while day < last:
        day += dt.timedelta(days=1)
        count += is_working_day(day)
    return count


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.timezone.utc)


def is_overdue(due: dt.datetime | None, done_at: dt.datetime | None, now: dt.datetime) -> bool:
    """Whether a step due at ``due`` was (or, while not done, is) late."""
    if due is None:
        return False
    return _aware(done_at if done_at is not None else now) >= _aware(due)
