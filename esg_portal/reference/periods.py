"""Finding a reporting period and refusing writes to a closed one (shared by filings and receipts)."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from ..errors import NotFound, PortalError
from ..extensions import db
from .models import PeriodStatus, ReportingPeriod


class PeriodClosed(PortalError):
    status = 409
    code = "period_closed"


class PeriodNotFound(NotFound):
    code = "period_not_found"


def get_period(year: int) -> ReportingPeriod:
    """The period of fiscal year ``year``; 404 ``period_not_found`` when there is none."""
    period = db.session.scalar(select(ReportingPeriod).where(ReportingPeriod.year == year))
    if period is None:
        raise PeriodNotFound(_("There is no reporting period %(year)s.", year=year))
    return period


def require_open(period: ReportingPeriod) -> None:
    """Refuse (409 ``period_closed``) any change to a period that is not open."""
    if period.status is not PeriodStatus.OPEN:
        raise PeriodClosed(_("The reporting period %(year)s is closed: nothing can be changed in it.",
                             year=period.year))
