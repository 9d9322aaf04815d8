"""Stored reconciliation runs (eiti.runs): permission, numbering, rules and inputs, lines and summary read back."""
from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest
from sqlalchemy import select

from esg_portal.accounts.models import Role, User
from esg_portal.audit import AuditEvent
from esg_portal.disclosure.models import DisclosureStatus
from esg_portal.eiti import reconciliation as engine
from esg_portal.eiti import runs
from esg_portal.eiti.models import Adjustment, AdjustmentStatus, ReconciliationLine, ReconciliationRun
from esg_portal.errors import NotFound, PermissionDenied, ValidationError
from esg_portal.extensions import db
from esg_portal.money import to_minor
from esg_portal.receipts.models import BatchStatus
from esg_portal.reference.models import PeriodStatus


def minor(amount: str) -> int:
    return to_minor(Decimal(amount), "KGS")


@pytest.fixture
def period_data(factory) -> dict[str, int]:
    """2025: two companies that filed (one submitted, one accepted), STS and SCS batches, one reconciled
    line, one discrepancy, one government-only line; a secretariat user and the other roles."""
    period = factory.period(2025)
    a, b = factory.company("Alpha Mining LLC", inn="00000000000011"), factory.company("Beta Gold LLC",
                                                                                      inn="00000000000022")
    return {
        "period": period, "a": a, "b": b,
        "secretariat": factory.user(Role.SECRETARIAT, "sec@test.kg"),
        "admin": factory.user(Role.ADMIN, "adm@test.kg"),
        "officer": factory.user(Role.AGENCY_OFFICER, "off@test.kg", agency_code="STS"),
        "filer": factory.user(Role.COMPANY_FILER, "fil@test.kg", company_id=a, is_signatory=True),
        "a_filing": factory.disclosure(a, period, DisclosureStatus.SUBMITTED,
                                       payments=[("ROYALTY", "STS", "1000.00"), ("CIT", "STS", "500.00")]),
        "b_filing": factory.disclosure(b, period, DisclosureStatus.ACCEPTED, payments=[("ROYALTY", "STS", "300.00")]),
        "sts": factory.receipt_batch("STS", period, [(a, "ROYALTY", "1000.00"), (a, "CIT", "450.00"),
                                                     (b, "ROYALTY", "300.00")]),
        "scs": factory.receipt_batch("SCS", period, [(b, "CUSTOMS", "70.00")]),
    }


def user(user_id: int) -> User:
    return db.session.get(User, user_id)


def test_a_run_stores_lines_in_engine_order_and_reads_back_as_the_engine_table(app_ctx, period_data) -> None:
    actor = user(period_data["secretariat"])
    run = runs.run_reconciliation(actor, 2025)
    db.session.commit()
    assert run.number == 1 and run.run_by_id == actor.id and run.currency == "KGS"
    frame = runs.lines_frame(run)
    assert list(frame.columns) == engine.LINE_COLUMNS
    for column in runs.STORED_COLUMNS:
        assert str(frame[column].dtype) == "Int64", column

    # the same table as the engine's on the inputs the loader gives
    from esg_portal.eiti.loaders import load_inputs
    expected = load_inputs(run.period).reconcile()
    pd.testing.assert_frame_equal(frame, expected.astype({c: "Int64" for c in runs.STORED_COLUMNS}),
                                  check_dtype=False)
    positions = db.session.scalars(select(ReconciliationLine.position).where(ReconciliationLine.run_id == run.id)
                                   .order_by(ReconciliationLine.position)).all()
    assert positions == list(range(1, len(frame) + 1))

    statuses = dict(zip(zip(frame["company_inn"], frame["revenue_stream"]), frame["status"]))
    assert statuses == {("00000000000011", "CIT"): "discrepancy", ("00000000000011", "ROYALTY"): "reconciled",
                        ("00000000000022", "CUSTOMS"): "government_only",
                        ("00000000000022", "ROYALTY"): "reconciled"}


def test_the_summary_is_recomputable_from_the_stored_lines(app_ctx, period_data) -> None:
    run = runs.run_reconciliation(user(period_data["secretariat"]), 2025)
    db.session.commit()
    figures = engine.totals(runs.lines_frame(run))
    summary = run.summary
    assert summary["totals"] == {name: figures[name] for name in engine.SUMMARY_AMOUNTS}
    assert summary["counts"] == figures["counts"] and summary["lines"] == figures["lines"]
    assert summary["line_coverage_bp"] == figures["coverage_bp"]
    # nothing outside the table here, so coverage of total revenue is the line coverage
    assert summary["coverage_bp"] == figures["coverage_bp"] == engine.percent_bp(
        minor("1000.00") + minor("450.00") + minor("300.00"),
        minor("1000.00") + minor("450.00") + minor("300.00") + minor("70.00"))
    assert summary["totals"]["company_amount"] == minor("1800.00")
    assert summary["totals"]["government_amount"] == minor("1820.00")


def test_runs_are_numbered_per_period_and_listed_newest_first(app_ctx, period_data) -> None:
    actor = user(period_data["secretariat"])
    first = runs.run_reconciliation(actor, 2025)
    second = runs.run_reconciliation(actor, 2025)
    db.session.commit()
    assert (first.number, second.number) == (1, 2)
    assert [r.number for r in runs.list_runs(actor, 2025)] == [2, 1]
    assert runs.latest_run(actor, 2025).id == second.id
    assert runs.get_run(actor, first.id) is first
    assert runs.run_by_number(actor, 2025, 1) is first
    assert runs.run_by_number(actor, 2025, 3) is None
    with pytest.raises(NotFound):
        runs.get_run(actor, second.id + 100)


def test_a_run_keeps_its_rules_and_inputs(app_ctx, period_data) -> None:
    actor = user(period_data["secretariat"])
    run = runs.run_reconciliation(actor, 2025)
    db.session.commit()
    filings = {f["company_inn"]: f for f in run.inputs["filings"]}
    assert filings["00000000000011"]["disclosure_id"] == period_data["a_filing"]
    assert filings["00000000000022"]["status"] == "accepted"
    assert {b["agency"]: b["batch_id"] for b in run.inputs["batches"]} == {"STS": period_data["sts"],
                                                                           "SCS": period_data["scs"]}
    assert all({"version", "sha256"} <= set(b) for b in run.inputs["batches"] + run.inputs["filings"])
    assert run.rules["currency"] == "KGS"
    assert run.rules["usd_rate"] == "87.4500"
    assert {s["revenue_stream"] for s in run.rules["streams"]} >= {"ROYALTY", "CIT", "CUSTOMS"}


def test_only_the_secretariat_runs_and_reads(app_ctx, period_data) -> None:
    for who in ("admin", "officer", "filer"):
        actor = user(period_data[who])
        with pytest.raises(PermissionDenied):
            runs.run_reconciliation(actor, 2025)
        with pytest.raises(PermissionDenied):
            runs.list_runs(actor, 2025)
        with pytest.raises(PermissionDenied):
            runs.latest_run(actor, 2025)


def test_a_period_with_nothing_submitted_cannot_be_run(app_ctx, factory, period_data) -> None:
    period_2023 = factory.period(2023, PeriodStatus.CLOSED)
    # a draft filing and a draft batch are not submissions
    factory.disclosure(period_data["a"], period_2023, payments=[("ROYALTY", "STS", "1.00")])
    factory.receipt_batch("STS", period_2023, [(period_data["a"], "ROYALTY", "1.00")], status=BatchStatus.DRAFT)
    with pytest.raises(ValidationError) as caught:
        runs.run_reconciliation(user(period_data["secretariat"]), 2023)
    assert "year" in caught.value.errors
    assert db.session.scalar(select(ReconciliationRun.id)) is None


def test_a_run_is_recorded_in_the_audit_trail(app, client, period_data) -> None:
    from support import login, post_form
    login(client, "sec@test.kg")
    response = post_form(client, "/eiti/2025/reconciliation/run", {}, form_page="/eiti/2025/reconciliation")
    assert response.status_code == 302
    with app.app_context():
        run = db.session.scalar(select(ReconciliationRun))
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.table_name == "reconciliation_run",
                                                           AuditEvent.record_id == str(run.id)))
        assert event is not None and event.action == "create"
        assert event.actor_id == period_data["secretariat"]


def test_a_re_run_after_an_accepted_adjustment_shows_the_final_figures(app_ctx, period_data) -> None:
    actor = user(period_data["secretariat"])
    before = runs.run_reconciliation(actor, 2025)
    cit = runs.lines_frame(before).set_index(["company_inn", "revenue_stream"]).loc[("00000000000011", "CIT")]
    assert cit["status"] == "discrepancy"
    # the company over-reported by 50.00 (a timing difference): corrected on the company side
    gap = int(cit["final_gap"])
    assert gap == minor("450.00") - minor("500.00")
    for status, amount in ((AdjustmentStatus.ACCEPTED, gap), (AdjustmentStatus.PROPOSED, 999_00),
                           (AdjustmentStatus.REJECTED, 777_00)):
        db.session.add(Adjustment(period_id=before.period_id, company_inn="00000000000011", revenue_stream="CIT",
                                  government_entity="STS", project="", side="company", amount_minor=amount,
                                  currency="KGS",
                                  reason="timing", comment="paid in January", status=status))
    db.session.flush()
    after = runs.run_reconciliation(actor, 2025)
    db.session.commit()
    line = runs.lines_frame(after).set_index(["company_inn", "revenue_stream"]).loc[("00000000000011", "CIT")]
    assert int(line["company_initial"]) == int(cit["company_initial"])
    assert int(line["company_adjustment"]) == gap
    assert int(line["company_final"]) == int(cit["company_initial"]) + gap == int(line["government_final"])
    assert int(line["final_gap"]) == 0 and line["status"] == "reconciled" and line["explanation"] == "timing"
    assert after.summary["counts"]["discrepancy"] == before.summary["counts"]["discrepancy"] - 1
    assert [a["reason"] for a in after.inputs["adjustments"]] == ["timing"]
    # the earlier run is a snapshot: unchanged
    assert runs.lines_frame(runs.get_run(actor, before.id)).set_index(
        ["company_inn", "revenue_stream"]).loc[("00000000000011", "CIT"), "status"] == "discrepancy"


# --- the secretariat's page ---

def test_the_page_lists_runs_and_the_button_makes_the_next_one(app, client, period_data) -> None:
    from support import login, post_form
    login(client, "sec@test.kg")
    page = client.get("/eiti/2025/reconciliation")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Run reconciliation now" in text and "No reconciliation has been run" in text
    for expected in (1, 2):
        response = post_form(client, "/eiti/2025/reconciliation/run", {}, form_page="/eiti/2025/reconciliation")
        assert response.status_code == 302 and response.headers["Location"] == "/eiti/2025/reconciliation"
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        assert f"Reconciliation run {expected} of 2025 is stored." in page
    assert 'id="run-1"' in page and 'id="run-2"' in page
    with app.app_context():
        run = runs.latest_run(user(period_data["secretariat"]), 2025)
        assert run.number == 2
        # counts and coverage as stored; the time in Bishkek (UTC+6)
        assert f'id="run-2-discrepancy">Discrepancy: {run.summary["counts"]["discrepancy"]}<' in page
        assert "(UTC+6)" in page
        assert engine.format_pct(run.summary["coverage_bp"]) + " %" in page
    # the link to each run's report appears once the report page exists (eiti.report_views)
    if "reconciliation_reports.report" in app.view_functions:
        with app.test_request_context():
            from flask import url_for
            assert f'href="{url_for("reconciliation_reports.report", run_id=run.id)}"' in page
    else:
        assert 'id="report-2"' not in page


def test_a_refused_run_is_explained_on_the_page(app, client, factory, period_data) -> None:
    from support import login, post_form
    factory.period(2023, PeriodStatus.CLOSED)
    login(client, "sec@test.kg")
    response = post_form(client, "/eiti/2023/reconciliation/run", {}, form_page="/eiti/2023/reconciliation")
    assert response.status_code == 422
    assert "Nothing has been submitted for 2023 yet" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(ReconciliationRun.id)) is None


@pytest.mark.parametrize("email", ["adm@test.kg", "off@test.kg", "fil@test.kg"])
def test_other_roles_cannot_see_or_run(app, client, period_data, email) -> None:
    from support import csrf_token, login
    login(client, email)
    assert client.get("/eiti/2025/reconciliation").status_code == 403
    response = client.post("/eiti/2025/reconciliation/run", data={"csrf_token": csrf_token(client, "/")})
    assert response.status_code == 403
    with app.app_context():
        assert db.session.scalar(select(ReconciliationRun.id)) is None


def test_the_dashboard_and_the_settings_page_link_to_the_runs(client, period_data) -> None:
    from support import login
    login(client, "sec@test.kg")
    assert 'href="/eiti/2025/reconciliation"' in client.get("/").get_data(as_text=True)
    assert 'href="/eiti/2025/reconciliation"' in client.get("/eiti/2025/settings").get_data(as_text=True)
