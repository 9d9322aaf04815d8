"""Demo data (INTERFACES.md §1): 2025 open with filer1/filer2 holding drafts, 2024 closed.

Everything here is fictional ("Demo" in every company name) and deterministic.
"""
from __future__ import annotations

import datetime as dt
import os

from sqlalchemy import func, select

from ..accounts.models import Role
from ..accounts.services import create_user
from ..companies.models import Company
from ..extensions import db
from ..money import rate_to_scaled
from ..reference.models import GovernmentEntity, PeriodStatus, ReportingPeriod

#: The demo password is public by design (README); override with ESG_DEMO_PASSWORD.
DEMO_PASSWORD = os.environ.get("ESG_DEMO_PASSWORD", "demo-pass-2025")
DEMO_ACCOUNTS = [
    ("admin@demo.kg", "administrator"),
    ("secretariat@demo.kg", "EITI secretariat"),
    ("sts@demo.kg", "agency officer, State Tax Service"),
    ("filer1@demo.kg", "company filer and signatory, Demo Kutessay Rare Metals LLC"),
    ("filer2@demo.kg", "company filer and signatory, Demo Aktash Antimony JSC"),
]


def database_is_empty() -> bool:
    return (db.session.scalar(select(func.count(Company.id))) or 0) == 0


def _period(year: int, status: PeriodStatus, rate: str) -> ReportingPeriod:
    from decimal import Decimal

    period = ReportingPeriod(
        year=year, start_date=dt.date(year, 1, 1), end_date=dt.date(year, 12, 31), status=status,
        usd_rate_scaled=rate_to_scaled(Decimal(rate)),
        usd_rate_source="National Bank of the Kyrgyz Republic, official average rate (demo figure)",
        # 30 June of the following year, 18:00 Bishkek time (UTC+6)
        filing_deadline_at=dt.datetime(year + 1, 6, 30, 12, 0, tzinfo=dt.timezone.utc),
    )
    db.session.add(period)
    return period


def load_demo() -> None:
    """Create the demo periods, companies and accounts. Assumes reference data is loaded."""
    _period(2024, PeriodStatus.CLOSED, "87.1500")
    _period(2025, PeriodStatus.OPEN, "87.4500")
    kutessay = Company(inn="01234567890123", legal_name="Demo Kutessay Rare Metals LLC", legal_form="LLC")
    aktash = Company(inn="02345678901234", legal_name="Demo Aktash Antimony JSC", legal_form="JSC",
                     state_share_bp=3000, is_state_share_free_carried=True)
    db.session.add_all([kutessay, aktash])
    db.session.flush()
    sts = db.session.scalar(select(GovernmentEntity).where(GovernmentEntity.code == "STS"))
    create_user(None, email="admin@demo.kg", full_name="Demo Administrator", role=Role.ADMIN, password=DEMO_PASSWORD)
    create_user(None, email="secretariat@demo.kg", full_name="Demo Secretariat", role=Role.SECRETARIAT,
                password=DEMO_PASSWORD)
    create_user(None, email="sts@demo.kg", full_name="Demo Tax Officer", role=Role.AGENCY_OFFICER,
                password=DEMO_PASSWORD, agency_id=sts.id)
    create_user(None, email="filer1@demo.kg", full_name="Aibek Demo-Filer", role=Role.COMPANY_FILER,
                password=DEMO_PASSWORD, company_id=kutessay.id, is_signatory=True, position="Chief accountant")
    create_user(None, email="filer2@demo.kg", full_name="Nurgul Demo-Filer", role=Role.COMPANY_FILER,
                password=DEMO_PASSWORD, company_id=aktash.id, is_signatory=True, position="Finance director")
    db.session.flush()
