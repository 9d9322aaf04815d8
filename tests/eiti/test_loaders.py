"""eiti.loaders: which versions enter a run, currencies, scope, stream inclusion and adjustments."""
from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from esg_portal.companies.models import Company, License
from esg_portal.disclosure.models import Disclosure, DisclosureStatus, PaymentLine
from esg_portal.eiti import reconciliation as engine
from esg_portal.eiti.loaders import load_inputs
from esg_portal.eiti.models import Adjustment, AdjustmentStatus
from esg_portal.errors import ValidationError
from esg_portal.extensions import db
from esg_portal.money import to_minor, usd_minor_to_kgs_minor
from esg_portal.receipts.models import BatchStatus, GovernmentReceipt, ReceiptBatch
from esg_portal.reference.models import (GovernmentEntity, PeriodStreamSetting, ReportingPeriod, RevenueStream,
                                         ScopeOverride, StreamInclusion)

A, B, C = "00000000000011", "00000000000022", "00000000000033"


def minor(amount: str) -> int:
    return to_minor(Decimal(amount), "KGS")


def _id(model, code: str) -> int:
    return db.session.scalar(select(model.id).where(model.code == code))


def _company(inn: str) -> int:
    return db.session.scalar(select(Company.id).where(Company.inn == inn))


def period_2025() -> ReportingPeriod:
    return db.session.scalar(select(ReportingPeriod).where(ReportingPeriod.year == 2025))


def add_filing(inn: str, status: DisclosureStatus, version: int, rows: list[tuple]) -> Disclosure:
    """``rows``: (stream, entity, amount, currency[, licence number])."""
    filing = Disclosure(company_id=_company(inn), period_id=period_2025().id, status=status, version=version,
                        sha256=f"{version:064d}" if status is not DisclosureStatus.DRAFT else None)
    for stream, entity, amount, currency, *licence in rows:
        filing.payment_lines.append(PaymentLine(
            revenue_stream_id=_id(RevenueStream, stream), government_entity_id=_id(GovernmentEntity, entity),
            license_id=db.session.scalar(select(License.id).where(License.number == licence[0])) if licence else None,
            amount_minor=to_minor(Decimal(amount), currency), currency=currency))
    db.session.add(filing)
    db.session.flush()
    return filing


def add_batch(agency: str, status: BatchStatus, version: int, rows: list[tuple]) -> ReceiptBatch:
    """``rows``: (inn, stream, amount, currency[, licence number])."""
    batch = ReceiptBatch(agency_id=_id(GovernmentEntity, agency), period_id=period_2025().id, status=status,
                         version=version, sha256=f"{version:064x}" if status is not BatchStatus.DRAFT else None)
    for inn, stream, amount, currency, *licence in rows:
        batch.receipts.append(GovernmentReceipt(
            company_id=_company(inn), revenue_stream_id=_id(RevenueStream, stream),
            license_id=db.session.scalar(select(License.id).where(License.number == licence[0])) if licence else None,
            amount_minor=to_minor(Decimal(amount), currency), currency=currency))
    db.session.add(batch)
    db.session.flush()
    return batch


def set_stream(stream: str, inclusion: StreamInclusion, margin_bp: int = 0, floor_minor: int = 0) -> None:
    db.session.add(PeriodStreamSetting(period_id=period_2025().id, revenue_stream_id=_id(RevenueStream, stream),
                                       inclusion=inclusion, margin_bp=margin_bp, floor_minor=floor_minor))
    db.session.flush()


def line(lines, inn: str, stream: str, project: str = ""):
    chosen = lines[(lines["company_inn"] == inn) & (lines["revenue_stream"] == stream) & (lines["project"] == project)]
    assert len(chosen) == 1, (inn, stream, project, lines)
    return chosen.iloc[0]


@pytest.fixture
def companies(factory) -> None:
    factory.period(2025)
    for inn, name in ((A, "Alpha"), (B, "Beta"), (C, "Gamma")):
        company = factory.company(name, inn=inn)
        factory.licence(company, f"LIC-{inn[-2:]}")


# --- versions ---

def test_the_latest_usable_filing_version_is_used_never_a_draft_or_a_superseded_one(app_ctx, companies) -> None:
    add_filing(A, DisclosureStatus.SUPERSEDED, 1, [("ROYALTY", "STS", "100.00", "KGS")])
    used = add_filing(A, DisclosureStatus.SUBMITTED, 2, [("ROYALTY", "STS", "200.00", "KGS")])
    add_filing(A, DisclosureStatus.DRAFT, 3, [("ROYALTY", "STS", "999.00", "KGS")])
    add_filing(B, DisclosureStatus.DRAFT, 1, [("ROYALTY", "STS", "5.00", "KGS")])  # a draft only: nothing filed
    queried = add_filing(C, DisclosureStatus.QUERIED, 1, [("CIT", "STS", "30.00", "KGS")])
    add_batch("STS", BatchStatus.SUBMITTED, 1, [(A, "ROYALTY", "200.00", "KGS")])

    inputs = load_inputs(period_2025())
    assert [(f["company_inn"], f["disclosure_id"], f["version"]) for f in inputs.inputs["filings"]] == [
        (A, used.id, 2), (C, queried.id, 1)]
    assert inputs.payments["amount_minor"].tolist() == [minor("200.00"), minor("30.00")]
    assert B not in set(inputs.payments["company_inn"]) and inputs.scope.reported == frozenset({A, C})


@pytest.mark.parametrize("status", [DisclosureStatus.SUBMITTED, DisclosureStatus.QUERIED, DisclosureStatus.ANSWERED,
                                    DisclosureStatus.ACCEPTED])
def test_every_filed_status_counts(app_ctx, companies, status) -> None:
    add_filing(A, status, 1, [("ROYALTY", "STS", "1.00", "KGS")])
    assert [f["status"] for f in load_inputs(period_2025()).inputs["filings"]] == [status.value]


def test_the_latest_submitted_batch_per_agency_is_used(app_ctx, companies) -> None:
    add_batch("STS", BatchStatus.SUPERSEDED, 1, [(A, "ROYALTY", "100.00", "KGS")])
    used = add_batch("STS", BatchStatus.SUBMITTED, 2, [(A, "ROYALTY", "150.00", "KGS")])
    add_batch("STS", BatchStatus.DRAFT, 3, [(A, "ROYALTY", "999.00", "KGS")])
    add_batch("SCS", BatchStatus.DRAFT, 1, [(A, "CUSTOMS", "7.00", "KGS")])
    inputs = load_inputs(period_2025())
    assert inputs.inputs["batches"] == [{"agency": "STS", "batch_id": used.id, "version": 2,
                                         "sha256": used.sha256}]
    # the batch's agency is the government entity of its receipts
    assert inputs.receipts[["company_inn", "revenue_stream", "government_entity", "amount_minor"]].values.tolist() \
        == [[A, "ROYALTY", "STS", minor("150.00")]]
    assert not inputs.is_empty


def test_nothing_submitted_is_empty(app_ctx, companies) -> None:
    add_filing(A, DisclosureStatus.DRAFT, 1, [("ROYALTY", "STS", "1.00", "KGS")])
    add_batch("STS", BatchStatus.DRAFT, 1, [(A, "ROYALTY", "1.00", "KGS")])
    assert load_inputs(period_2025()).is_empty


# --- currencies and projects ---

def test_usd_rows_are_converted_at_the_period_rate(app_ctx, companies) -> None:
    add_filing(A, DisclosureStatus.SUBMITTED, 1, [("ROYALTY", "STS", "1000.01", "USD")])
    add_batch("STS", BatchStatus.SUBMITTED, 1, [(A, "ROYALTY", "87450.87", "KGS")])
    inputs = load_inputs(period_2025())
    rate = period_2025().usd_rate_scaled
    assert inputs.usd_rate_scaled == rate and inputs.rules["usd_rate"] == "87.4500"
    row = line(inputs.reconcile(), A, "ROYALTY")
    expected = usd_minor_to_kgs_minor(to_minor(Decimal("1000.01"), "USD"), rate)
    assert row["company_initial"] == expected == minor("87450.87")  # 1000.01 × 87.45 = 87 450.8745 → .87
    assert row["status"] == "reconciled"


def test_usd_rows_without_a_rate_are_refused(app_ctx, companies) -> None:
    period_2025().usd_rate_scaled = None
    add_filing(A, DisclosureStatus.SUBMITTED, 1, [("ROYALTY", "STS", "10.00", "KGS")])
    add_batch("STS", BatchStatus.SUBMITTED, 1, [(A, "ROYALTY", "1.00", "USD")])
    with pytest.raises(ValidationError) as caught:
        load_inputs(period_2025())
    assert "usd_rate" in caught.value.errors and "2025" in caught.value.errors["usd_rate"][0]


def test_kgs_only_needs_no_rate(app_ctx, companies) -> None:
    period_2025().usd_rate_scaled = None
    add_filing(A, DisclosureStatus.SUBMITTED, 1, [("ROYALTY", "STS", "10.00", "KGS")])
    inputs = load_inputs(period_2025())
    assert inputs.rules["usd_rate"] is None and len(inputs.reconcile()) == 1


def test_projects_are_the_licence_numbers(app_ctx, companies) -> None:
    add_filing(A, DisclosureStatus.SUBMITTED, 1, [("LICENCE_FEE", "MNR", "40.00", "KGS", "LIC-11")])
    add_batch("MNR", BatchStatus.SUBMITTED, 1, [(A, "LICENCE_FEE", "40.00", "KGS", "LIC-11")])
    assert line(load_inputs(period_2025()).reconcile(), A, "LICENCE_FEE", "LIC-11")["status"] == "reconciled"


# --- margins, scope and inclusion ---

def test_margins_come_from_the_period_settings(app_ctx, companies) -> None:
    set_stream("ROYALTY", StreamInclusion.INCLUDED, margin_bp=100, floor_minor=minor("5.00"))
    add_filing(A, DisclosureStatus.SUBMITTED, 1, [("ROYALTY", "STS", "1000.00", "KGS"), ("CIT", "STS", "1000.00", "KGS")])
    add_batch("STS", BatchStatus.SUBMITTED, 1, [(A, "ROYALTY", "1009.00", "KGS"), (A, "CIT", "1000.01", "KGS")])
    inputs = load_inputs(period_2025())
    lines = inputs.reconcile()
    assert line(lines, A, "ROYALTY")["status"] == "reconciled"  # 9.00 ≤ max(5.00, 1 % of 1009.00)
    assert line(lines, A, "CIT")["status"] == "discrepancy"  # no margin: any difference
    royalty = next(s for s in inputs.rules["streams"] if s["revenue_stream"] == "ROYALTY")
    assert royalty == {"revenue_stream": "ROYALTY", "inclusion": "included", "margin_bp": 100,
                       "floor_minor": minor("5.00")}


def test_scope_is_the_threshold_over_included_streams_then_the_overrides(app_ctx, companies) -> None:
    period_2025().company_threshold_minor = minor("500.00")
    set_stream("FINES", StreamInclusion.NOT_INCLUDED)
    add_batch("STS", BatchStatus.SUBMITTED, 1, [
        (A, "ROYALTY", "300.00", "KGS"), (A, "CIT", "200.00", "KGS"),  # 500.00: reaches the threshold
        (B, "ROYALTY", "499.99", "KGS"), (B, "FINES", "10000.00", "KGS"),  # fines are not included
        (C, "ROYALTY", "6.00", "USD"),  # 6 USD = 524.70 KGS
    ])
    inputs = load_inputs(period_2025())
    assert inputs.scope.in_scope == frozenset({A, C})
    assert inputs.rules["in_scope"] == [A, C] and inputs.rules["threshold"] == "500.00"

    db.session.add_all([ScopeOverride(period_id=period_2025().id, company_id=_company(B), is_in_scope=True,
                                      reason="Operator of a priority project"),
                        ScopeOverride(period_id=period_2025().id, company_id=_company(A), is_in_scope=False,
                                      reason="Licence revoked in January")])
    db.session.flush()
    inputs = load_inputs(period_2025())
    assert inputs.scope.in_scope == frozenset({B, C})
    assert {(o["company_inn"], o["is_in_scope"], o["reason"]) for o in inputs.rules["scope_overrides"]} == {
        (A, False, "Licence revoked in January"), (B, True, "Operator of a priority project")}
    # nobody filed: the in-scope companies are not reported, A's lines stay one-sided
    lines = inputs.reconcile()
    assert set(lines.loc[lines["status"] == "not_reported", "company_inn"]) == {B, C}
    assert set(lines.loc[lines["company_inn"] == A, "status"]) == {"government_only"}


def test_an_in_scope_company_marked_not_participating_gets_dnp_with_the_reason(app_ctx, companies) -> None:
    add_batch("STS", BatchStatus.SUBMITTED, 1, [(A, "ROYALTY", "300.00", "KGS"), (B, "ROYALTY", "10.00", "KGS")])
    db.session.add(ScopeOverride(period_id=period_2025().id, company_id=_company(A), is_in_scope=True,
                                 is_participating=False, reason="Refused to report despite two reminders"))
    db.session.flush()
    inputs = load_inputs(period_2025())
    assert inputs.rules["not_participating"] == {A: "Refused to report despite two reminders"}
    lines = inputs.reconcile()
    assert set(lines.loc[lines["company_inn"] == A, "status"]) == {"not_participating"}
    assert set(lines.loc[lines["company_inn"] == B, "status"]) == {"not_reported"}


def test_without_a_threshold_every_company_the_government_names_is_in_scope(app_ctx, companies) -> None:
    add_batch("STS", BatchStatus.SUBMITTED, 1, [(A, "ROYALTY", "0.01", "KGS"), (B, "CIT", "1.00", "KGS")])
    inputs = load_inputs(period_2025())
    assert inputs.scope.in_scope == frozenset({A, B}) and inputs.rules["threshold"] is None


def test_not_applicable_streams_apply_to_no_one(app_ctx, companies) -> None:
    set_stream("BONUS", StreamInclusion.NOT_APPLICABLE)
    add_filing(A, DisclosureStatus.SUBMITTED, 1, [("BONUS", "STS", "10.00", "KGS"), ("CIT", "STS", "1.00", "KGS")])
    add_batch("STS", BatchStatus.SUBMITTED, 1, [(B, "BONUS", "3.00", "KGS")])
    lines = load_inputs(period_2025()).reconcile()
    assert set(lines.loc[lines["revenue_stream"] == "BONUS", "status"]) == {"not_applicable"}
    assert line(lines, A, "CIT")["status"] == "company_only"


def test_not_included_streams_are_left_out_of_the_table_but_count_in_coverage(app_ctx, companies) -> None:
    set_stream("FINES", StreamInclusion.NOT_INCLUDED)
    add_filing(A, DisclosureStatus.SUBMITTED, 1, [("ROYALTY", "STS", "900.00", "KGS"), ("FINES", "STS", "5.00", "KGS")])
    add_batch("STS", BatchStatus.SUBMITTED, 1, [(A, "ROYALTY", "900.00", "KGS"), (A, "FINES", "100.00", "KGS"),
                                                (B, "FINES", "0.50", "USD")])
    inputs = load_inputs(period_2025())
    lines = inputs.reconcile()
    assert "FINES" not in set(lines["revenue_stream"])
    fines = minor("100.00") + usd_minor_to_kgs_minor(50, period_2025().usd_rate_scaled)
    assert inputs.government_not_included == fines
    from esg_portal.eiti.runs import build_summary
    summary = build_summary(lines, inputs)
    assert summary["line_coverage_bp"] == engine.coverage_bp(lines) == 10000
    assert summary["coverage_bp"] == engine.percent_bp(minor("900.00"), minor("900.00") + fines)


def test_only_accepted_adjustments_enter_keyed_by_line(app_ctx, companies) -> None:
    add_filing(A, DisclosureStatus.SUBMITTED, 1, [("ROYALTY", "STS", "100.00", "KGS")])
    add_batch("STS", BatchStatus.SUBMITTED, 1, [(A, "ROYALTY", "80.00", "KGS")])
    period_id = period_2025().id
    made = {}
    for status, amount, reason in ((AdjustmentStatus.ACCEPTED, "20.00", "omission"),
                                   (AdjustmentStatus.ACCEPTED, "-0.50", "entry_error"),
                                   (AdjustmentStatus.PROPOSED, "1000.00", "timing"),
                                   (AdjustmentStatus.REJECTED, "2000.00", "other")):
        adjustment = Adjustment(period_id=period_id, company_inn=A, revenue_stream="ROYALTY", government_entity="STS",
                                project="", side="government", amount_minor=minor(amount), currency="KGS",
                                reason=reason, comment="…", status=status)
        db.session.add(adjustment)
        db.session.flush()
        made[reason] = adjustment.id
    inputs = load_inputs(period_2025())
    assert [a["adjustment_id"] for a in inputs.inputs["adjustments"]] == [made["omission"], made["entry_error"]]
    row = line(inputs.reconcile(), A, "ROYALTY")
    assert row["government_adjustment"] == minor("19.50")
    assert row["government_final"] == minor("99.50") and row["final_gap"] == -minor("0.50")
    assert row["explanation"] == "entry_error,omission"
