"""PUT /api/v1/receipts/{year} and POST /api/v1/receipts/{year}/submit: agency officers only."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from esg_portal.extensions import db
from esg_portal.receipts.models import BatchStatus, ReceiptBatch
from esg_portal.reference.models import ReportingPeriod
from tests.support import PASSWORD

API = "/api/v1"
CSV = ("company_inn,company_name,revenue_stream,government_entity,project,amount,currency,comment\r\n"
       "55555555555555,Sand Pit LLC,ROYALTY,STS,,1234.50,KGS,\r\n")


@pytest.fixture
def api(client, world, factory):
    factory.period(2026)

    def token(email: str) -> dict:
        answer = client.post(f"{API}/auth/token", json={"email": email, "password": PASSWORD})
        assert answer.status_code == 200
        return {"Authorization": f"Bearer {answer.get_json()['token']}"}
    return token


def test_officer_puts_and_submits(app, client, api):
    auth = api("officer@test.kg")
    answer = client.put(f"{API}/receipts/2026", data=CSV, content_type="text/csv", headers=auth)
    assert answer.status_code == 200 and answer.get_json() == {"lines": 1}
    rows = [{"company_inn": "55555555555555", "revenue_stream": "ROYALTY", "government_entity": "STS",
             "amount": "1234.50", "currency": "KGS"}]
    for _ in range(2):
        answer = client.put(f"{API}/receipts/2026", json=rows, headers=auth)
        assert answer.status_code == 200 and answer.get_json() == {"lines": 1}
    answer = client.post(f"{API}/receipts/2026/submit", json={"attested_by_name": "A. Officer"}, headers=auth)
    assert answer.status_code == 422
    answer = client.post(f"{API}/receipts/2026/submit",
                         json={"attested_by_name": "A. Officer", "attested_by_position": "Head"}, headers=auth)
    body = answer.get_json()
    assert answer.status_code == 200 and body["version"] == 1 and len(body["sha256"]) == 64
    assert body["submitted_at"].endswith("Z")
    answer = client.put(f"{API}/receipts/2026", json=rows, headers=auth)
    assert answer.status_code == 409 and answer.get_json()["error"]["code"] == "not_draft"
    with app.app_context():
        period = db.session.scalar(select(ReportingPeriod.id).where(ReportingPeriod.year == 2026))
        batch = db.session.scalar(select(ReceiptBatch).where(ReceiptBatch.period_id == period))
        assert batch.status is BatchStatus.SUBMITTED and "agency" in batch.attestation_text


def test_rows_refused_with_every_error(client, api):
    auth = api("officer@test.kg")
    rows = [{"company_inn": "55555555555555", "revenue_stream": "ROYALTY", "government_entity": "SCS",
             "amount": "1 234,50", "currency": "KGS"}]
    answer = client.put(f"{API}/receipts/2026", json=rows, headers=auth)
    body = answer.get_json()
    assert answer.status_code == 422 and body["error"]["code"] == "invalid_rows"
    assert [e["column"] for e in body["errors"]] == ["company_inn", "government_entity", "amount"]
    answer = client.put(f"{API}/receipts/2026", data="x", content_type="text/plain", headers=auth)
    assert answer.status_code == 415


def test_closed_and_missing_periods(client, api, factory):
    from esg_portal.reference.models import PeriodStatus
    factory.period(2023, PeriodStatus.CLOSED)
    auth = api("officer@test.kg")
    assert client.put(f"{API}/receipts/2023", json=[], headers=auth).get_json()["error"]["code"] == "period_closed"
    assert client.put(f"{API}/receipts/1999", json=[], headers=auth).status_code == 404


@pytest.mark.parametrize("email", ["filer@test.kg", "secretariat@test.kg", "admin@test.kg"])
def test_other_roles_get_403(client, api, email):
    auth = api(email)
    assert client.put(f"{API}/receipts/2026", data=CSV, content_type="text/csv", headers=auth).status_code == 403
    assert client.post(f"{API}/receipts/2026/submit", json={}, headers=auth).status_code == 403


def test_officer_cannot_read_filings_and_anonymous_gets_401(client, api):
    auth = api("officer@test.kg")
    assert client.get(f"{API}/filings/2025", headers=auth).status_code == 403
    assert client.put(f"{API}/filings/2025/payments", json=[], headers=auth).status_code == 403
    assert client.put(f"{API}/receipts/2026", json=[]).status_code == 401
