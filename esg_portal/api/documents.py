"""JSON objects of the machine API that the disclosure document module does not build."""
from __future__ import annotations

from typing import Any

from ..disclosure.document import iso_utc
from ..money import rate_from_scaled
from ..reference.models import ReportingPeriod


def period_object(period: ReportingPeriod) -> dict[str, Any]:
    """One entry of GET /api/v1/periods: the rate as a 4-decimal string, the deadline in UTC with Z."""
    return {
        "year": period.year,
        "start_date": period.start_date.isoformat(),
        "end_date": period.end_date.isoformat(),
        "status": period.status.value,
        "usd_rate": f"{rate_from_scaled(period.usd_rate_scaled):f}" if period.usd_rate_scaled else None,
        "deadline": iso_utc(period.filing_deadline_at),
    }
