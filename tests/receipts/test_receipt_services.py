"""receipts.services: drafts, replace by key, submission, corrections, and who may touch what."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from esg_portal.accounts.models import User
from esg_portal.companies.models import Company
from esg_portal.errors import InvalidTransition, NotFound, PermissionDenied, ValidationError
from esg_portal.extensions import db
from esg_portal.receipts import services
from esg_portal.receipts.models import BatchStatus
from esg_portal.receipts.schemas import load_receipt_lookups, parse_receipt_rows
from esg_portal.reference.models import PeriodStatus, ReportingPeriod

UNKNOWN_INN = "88888888888888"


def rows(own_inn: str) -> list[dict]:
    return [
        {"company_inn": own_inn, "revenue_stream": "ROYALTY", "government_entity": "STS", "amount": "1000.50",
         "currency": "KGS"},
        {"company_inn": UNKNOWN_INN, "company_name": "Small Quarry LLC", "revenue_stream": "CIT",
         "government_entity": "STS", "amount": "-20.00", "currency": "KGS", "comment": "refund"},
    ]


@pytest.fixture
def ctx(app, world):
    with app.test_request_context("/?lang=en"):
        officer = db.session.get(User, world["officer"])
        period = db.session.get(ReportingPeriod, world["period"])
        yield {**world, "officer": officer, "agency": services.officer_agency(officer), "period": period}


def _parse(ctx):
    own_inn = db.session.get(Company, ctx["own_company"]).inn
    return parse_receipt_rows(rows(own_inn), row_numbers=None, locale="en",
                              lookups=load_receipt_lookups(ctx["agency"]))


def _fresh_period(ctx, year=2026):
    period = ReportingPeriod(year=year, start_date=ctx["period"].start_date.replace(year=year),
                             end_date=ctx["period"].end_date.replace(year=year), status=PeriodStatus.OPEN)
    db.session.add(period)
    db.session.flush()
    return period


def test_replace_is_idempotent_and_creates_unregistered_companies(ctx):
    period = _fresh_period(ctx)
    batch = services.open_batch(ctx["officer"], ctx["agency"], period)
    assert batch.version == 1 and batch.status is BatchStatus.DRAFT
    assert services.replace_receipts(ctx["officer"], batch, _parse(ctx)) == 2
    first_ids = sorted(r.id for r in batch.receipts)
    assert services.replace_receipts(ctx["officer"], batch, _parse(ctx)) == 2
    assert sorted(r.id for r in batch.receipts) == first_ids
    created = db.session.scalar(select(Company).where(Company.inn == UNKNOWN_INN))
    assert created.is_registered is False and created.legal_name == "Small Quarry LLC"
    assert services.open_batch(ctx["officer"], ctx["agency"], period) is batch
    assert services.replace_receipts(ctx["officer"], batch, []) == 0 and batch.receipts == []


def test_submit_then_correction_supersedes(ctx):
    period = _fresh_period(ctx)
    officer = ctx["officer"]
    batch = services.open_batch(officer, ctx["agency"], period)
    services.replace_receipts(officer, batch, _parse(ctx))
    with pytest.raises(ValidationError):
        services.submit_batch(officer, batch, "", "", "text")
    services.submit_batch(officer, batch, "A. Officer", "Head of unit", "I attest.")
    assert batch.status is BatchStatus.SUBMITTED and batch.submitted_at.microsecond == 0
    assert len(batch.sha256) == 64 and batch.sha256 == services.batch_sha256(batch)
    with pytest.raises(InvalidTransition):
        services.open_batch(officer, ctx["agency"], period)
    with pytest.raises(ValidationError):
        services.start_correction(officer, ctx["agency"], period, " ")
    correction = services.start_correction(officer, ctx["agency"], period, "a refund was missing")
    assert correction.version == 2 and len(correction.receipts) == 2
    assert services.open_batch(officer, ctx["agency"], period) is correction
    with pytest.raises(InvalidTransition):
        services.start_correction(officer, ctx["agency"], period, "again")
    services.submit_batch(officer, correction, "A. Officer", "Head of unit", "I attest.")
    assert batch.status is BatchStatus.SUPERSEDED and correction.status is BatchStatus.SUBMITTED


def test_closed_period_is_refused(ctx):
    period = _fresh_period(ctx, 2027)
    period.status = PeriodStatus.CLOSED
    with pytest.raises(services.PeriodClosed):
        services.open_batch(ctx["officer"], ctx["agency"], period)


def test_officer_cannot_touch_another_agency(ctx):
    other = db.session.get(User, ctx["other_officer"])
    sts_draft = services.open_batch(ctx["officer"], ctx["agency"], _fresh_period(ctx))
    with pytest.raises(NotFound):
        services.replace_receipts(other, sts_draft, [])
    with pytest.raises(NotFound):
        services.submit_batch(other, sts_draft, "x", "y", "z")
    with pytest.raises(PermissionDenied):
        services.open_batch(other, ctx["agency"], ctx["period"])
    with pytest.raises(PermissionDenied):
        services.get_batch(other, ctx["sts_batch"])
    with pytest.raises(PermissionDenied):
        services.start_correction(other, ctx["agency"], ctx["period"], "reason")


def test_only_officers_have_an_agency(ctx):
    for role in ("filer", "secretariat", "admin"):
        with pytest.raises(PermissionDenied):
            services.officer_agency(db.session.get(User, ctx[role]))
