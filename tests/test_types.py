"""UtcDateTime: timezone-aware UTC in and out, on SQLite as on PostgreSQL."""
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.exc import StatementError

from esg_portal.extensions import db
from esg_portal.reference.models import ReportingPeriod


def test_times_come_back_aware_and_in_utc(app_ctx, factory):
    bishkek = dt.datetime(2027, 3, 31, 18, 0, tzinfo=ZoneInfo("Asia/Bishkek"))
    period_id = factory.period(2030, deadline=bishkek)
    db.session.expire_all()
    stored = db.session.get(ReportingPeriod, period_id).filing_deadline_at
    assert stored.tzinfo is not None and stored.utcoffset() == dt.timedelta(0)
    assert stored == dt.datetime(2027, 3, 31, 12, 0, tzinfo=dt.timezone.utc)


def test_naive_times_are_refused(app_ctx):
    period = db.session.scalar(select(ReportingPeriod))
    assert period is None
    db.session.add(ReportingPeriod(year=2031, start_date=dt.date(2031, 1, 1), end_date=dt.date(2031, 12, 31),
                                   filing_deadline_at=dt.datetime(2032, 6, 30, 12, 0)))
    with pytest.raises(StatementError, match="naive datetime"):
        db.session.flush()
    db.session.rollback()
