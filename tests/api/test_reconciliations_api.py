"""POST /api/v1/reconciliations/{year} and GET /api/v1/reconciliations/{year}/lines: secretariat only."""
from __future__ import annotations

from decimal import Decimal

import pytest
from flask import Flask
from sqlalchemy import func, select

from esg_portal.disclosure.models import DisclosureStatus
from esg_portal.eiti import reconciliation as engine
from esg_portal.eiti import runs
from esg_portal.eiti.models import ReconciliationRun
from esg_portal.extensions import db
from esg_portal.money import from_minor, to_minor


def minor(amount: str) -> int:
    return to_minor(Decimal(amount), "KGS")


@pytest.fixture
def filed(factory, api_world) -> dict[str, int]:
    """The own company filed royalty 1000.00 and CIT 500.00; STS received royalty 990.00, CIT 500.00,
    and royalty 250.00 from the other company, which filed nothing."""
    factory.disclosure(api_world["own_company"], api_world["period"], DisclosureStatus.SUBMITTED,
                       payments=[("ROYALTY", "STS", "1000.00"), ("CIT", "STS", "500.00")])
    factory.receipt_batch("STS", api_world["period"], [(api_world["own_company"], "ROYALTY", "990.00"),
                                                       (api_world["own_company"], "CIT", "500.00"),
                                                       (api_world["other_company"], "ROYALTY", "250.00")])
    return api_world


def count_runs(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(ReconciliationRun.id)))


def test_a_run_answers_its_summary_and_its_lines_round_trip(app: Flask, filed, api_as) -> None:
    api = api_as("secretariat")
    response = api.post_json("/reconciliations/2025", {})
    assert response.status_code == 200, response.get_data(as_text=True)
    summary = response.get_json()
    assert summary["year"] == 2025 and summary["run"] == 1 and summary["currency"] == "KGS"
    assert summary["run_at"].endswith("Z")
    company = minor("1000.00") + minor("500.00")
    government = minor("990.00") + minor("500.00") + minor("250.00")
    assert summary["totals"] == {"company_amount": f"{from_minor(company, 'KGS')}",
                                 "government_amount": f"{from_minor(government, 'KGS')}",
                                 "gap": f"{from_minor(government - company, 'KGS')}"}
    assert set(summary["counts"]) == set(engine.STATUSES)
    # the other company is in scope (no threshold set: everyone the government names) and filed nothing
    assert summary["counts"]["not_reported"] == 1 and summary["counts"]["discrepancy"] == 1
    assert summary["counts"]["reconciled"] == 1 and summary["lines"] == 3
    assert summary["non_reporting"] == [{"company_inn": "09876543210987", "company_name": "Other Mining LLC",
                                         "status": "not_reported", "reason": "",
                                         "government_amount": "250.00", "lines": 1}]
    two_sided = minor("990.00") + minor("500.00")
    assert summary["coverage_pct"] == engine.format_pct(engine.percent_bp(two_sided, government))

    lines = api.get("/reconciliations/2025/lines")
    assert lines.status_code == 200
    body = lines.get_json()
    assert body["run"] == 1
    with app.app_context():
        frame = runs.lines_frame(db.session.scalar(select(ReconciliationRun)))
    assert [(row["company_inn"], row["revenue_stream"], row["government_entity"], row["project"])
            for row in body["data"]] == list(frame[engine.KEY].itertuples(index=False, name=None))
    royalty = next(row for row in body["data"] if row["company_inn"] == "01234567890123"
                   and row["revenue_stream"] == "ROYALTY")
    assert royalty == {
        "company_inn": "01234567890123", "revenue_stream": "ROYALTY", "government_entity": "STS", "project": "",
        "company_initial": "1000.00", "government_initial": "990.00", "initial_gap": "-10.00",
        "company_adjustment": None, "government_adjustment": None,
        "company_final": "1000.00", "government_final": "990.00", "final_gap": "-10.00",
        "gap_pct": engine.format_pct(engine.percent_bp(-minor("10.00"), minor("990.00"))),
        "pct_of_government_total": engine.format_pct(engine.percent_bp(-minor("10.00"), government)),
        "status": "discrepancy", "explanation": ""}
    silent = next(row for row in body["data"] if row["company_inn"] == "09876543210987")
    assert silent["company_initial"] is None and silent["final_gap"] is None and silent["gap_pct"] is None
    assert silent["government_final"] == "250.00" and silent["status"] == "not_reported"


def test_lines_of_a_chosen_run_and_the_latest_by_default(app: Flask, filed, api_as, factory) -> None:
    api = api_as("secretariat")
    assert api.post_json("/reconciliations/2025", {}).get_json()["run"] == 1
    # the other company files, and the second run has no non-reporting company left
    factory.disclosure(filed["other_company"], filed["period"], DisclosureStatus.SUBMITTED,
                       payments=[("ROYALTY", "STS", "250.00")])
    second = api.post_json("/reconciliations/2025", {}).get_json()
    assert second["run"] == 2 and second["non_reporting"] == [] and second["counts"]["not_reported"] == 0
    assert api.get("/reconciliations/2025/lines").get_json()["run"] == 2
    first = api.get("/reconciliations/2025/lines?run=1").get_json()
    assert first["run"] == 1 and {row["status"] for row in first["data"]} >= {"not_reported"}
    missing = api.get("/reconciliations/2025/lines?run=7")
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "no_run"
    bad = api.get("/reconciliations/2025/lines?run=latest")
    assert bad.status_code == 400 and bad.get_json()["error"]["code"] == "bad_request"


def test_no_run_yet_is_404_no_run(filed, api_as) -> None:
    response = api_as("secretariat").get("/reconciliations/2025/lines")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "no_run"
    assert "2025" in response.get_json()["error"]["message"]


def test_an_unknown_period_is_404_period_not_found(filed, api_as) -> None:
    api = api_as("secretariat")
    for response in (api.post_json("/reconciliations/2031", {}), api.get("/reconciliations/2031/lines")):
        assert response.status_code == 404
        assert response.get_json()["error"]["code"] == "period_not_found"


def test_a_period_with_nothing_submitted_is_refused(app: Flask, api_world, api_as) -> None:
    response = api_as("secretariat").post_json("/reconciliations/2024", {})
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "invalid" and "year" in response.get_json()["errors"]
    assert "Nothing has been submitted for 2024" in response.get_json()["error"]["message"]
    assert count_runs(app) == 0


@pytest.mark.parametrize("who", ["filer", "assistant", "officer", "admin"])
def test_other_roles_get_403_json_and_nothing_is_run(app: Flask, filed, api_as, who: str) -> None:
    api = api_as(who)
    for response in (api.post_json("/reconciliations/2025", {}), api.get("/reconciliations/2025/lines"),
                     api.get("/reconciliations/2025/lines?run=1")):
        assert response.status_code == 403 and response.is_json
        assert response.get_json()["error"]["code"] == "forbidden"
    assert count_runs(app) == 0


def test_without_a_token_401_json(app: Flask, filed, api_as) -> None:
    api = api_as(None)
    for response in (api.post_json("/reconciliations/2025", {}), api.get("/reconciliations/2025/lines")):
        assert response.status_code == 401 and response.is_json
        assert response.get_json()["error"]["code"] == "unauthorized"
    assert count_runs(app) == 0
