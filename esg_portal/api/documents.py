"""JSON objects of the machine API that the disclosure document module does not build:
periods, and the filing document of a company that has stored nothing yet."""
from __future__ import annotations

from typing import Any

from ..companies.models import Company
from ..disclosure.document import iso_utc, profile_object
from ..disclosure.models import DisclosureStatus
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


def empty_filing_document(company: Company, period: ReportingPeriod) -> dict[str, Any]:
    """GET /api/v1/filings/{year} when the company has no version yet: version 1, a draft
    with empty sections and the company's current profile — exactly what
    ``document.filing_document`` gives for a new empty draft, built without storing one."""
    profile = profile_object(company)
    return {
        "year": period.year,
        "company": {"inn": profile["inn"], "name": profile["legal_name"]},
        "version": 1,
        "status": DisclosureStatus.DRAFT.value,
        "submitted_at": None,
        "sha256": None,
        "declarations": {},
        "sections": {
            "payments": [],
            "eia": [],
            "social_agreements": [],
            "public_hearings": [],
            "workforce": {},
            "production": [],
            "profile": profile,
        },
    }
