"""Versioned documents under parallel requests and stale writes (the lifecycle of ``esg_portal.lifecycle``).

Ten threads, each with its own test client and token, hit the same filing or receipt batch at the
same moment, against the test database (a SQLite file, or PostgreSQL with TEST_DATABASE_URL):
exactly one submission, one amendment, one correction succeeds; the others get 409 and the audit
trail shows one change. A write that names an older state (``If-Match``) is refused with 409
``stale`` and changes nothing.
"""
from __future__ import annotations

from collections import Counter

import pytest
from flask import Flask
from sqlalchemy import func, select

from api_support import API, csv_body
from race_support import parallel_requests, statuses
from esg_portal.audit import AuditEvent
from esg_portal.disclosure.models import Disclosure, DisclosureStatus, PaymentLine
from esg_portal.eiti.models import ReconciliationRun
from esg_portal.extensions import db
from esg_portal.receipts.models import ReceiptBatch

PARALLEL = 10
ROYALTY = "ROYALTY,STS,KG-0001-AP,1234567.89,KGS,no,,,,"
CIT = "CIT,STS,,-500.00,KGS,no,,,,overpayment refunded in March"
ATTESTATION = {"attested_by_name": "Aibek Toktogulov", "attested_by_position": "Chief accountant"}
RECEIPT_HEADER = "company_inn,company_name,revenue_stream,government_entity,project,amount,currency,comment"


def _auth(token: str, extra: dict | None = None) -> dict:
    return {"Authorization": f"Bearer {token}", **(extra or {})}


def _filings(app: Flask) -> list[tuple[int, str]]:
    with app.app_context():
        return [(d.version, d.status.value) for d in db.session.scalars(select(Disclosure).order_by(Disclosure.version))]


def _submission_events(app: Flask) -> list[AuditEvent]:
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.table_name == "disclosure",
                                                             AuditEvent.action == "update")).all()
        return [e for e in events if (e.changes or {}).get("status") == ["draft", "submitted"]]


@pytest.fixture
def tokens(api_world, token_for) -> list[str]:
    """One token of the signatory per thread (each thread is its own API client)."""
    return [token_for("filer") for _ in range(PARALLEL)]


def test_ten_parallel_submissions_give_one_200_and_nine_409_with_one_audit_event(
        app: Flask, api_as, tokens) -> None:
    api = api_as("filer")
    assert api.put_csv("/filings/2025/payments", csv_body(ROYALTY)).status_code == 200
    results = parallel_requests_with(app, tokens, lambda client, token: client.post(
        f"{API}/filings/2025/submit", json=ATTESTATION, headers=_auth(token)))
    assert Counter(statuses(results)) == {200: 1, 409: PARALLEL - 1}, statuses(results)
    refused = [r.get_json()["error"]["code"] for r in results if r.status_code == 409]
    assert set(refused) == {"not_draft"}
    assert _filings(app) == [(1, "submitted")]
    assert len(_submission_events(app)) == 1


def parallel_requests_with(app: Flask, values: list, send) -> list:
    """``send(client, values[i])`` in one thread per value, released together."""
    clients = iter(values)
    return parallel_requests(app, len(values), send, prepare=lambda client: next(clients))


def test_ten_parallel_amendments_open_one_draft(app: Flask, api_as, tokens) -> None:
    api = api_as("filer")
    api.put_csv("/filings/2025/payments", csv_body(ROYALTY))
    assert api.post_json("/filings/2025/submit", ATTESTATION).status_code == 200
    results = parallel_requests_with(app, tokens, lambda client, token: client.post(
        f"{API}/filings/2025/amendments", json={"reason": "CIT refund left out"}, headers=_auth(token)))
    assert Counter(statuses(results)) == {201: 1, 409: PARALLEL - 1}, statuses(results)
    assert {r.get_json()["error"]["code"] for r in results if r.status_code == 409} == {"draft_exists"}
    assert _filings(app) == [(1, "submitted"), (2, "draft")]


def test_ten_parallel_first_puts_make_one_draft_and_no_500(app: Flask, tokens) -> None:
    results = parallel_requests_with(app, tokens, lambda client, token: client.put(
        f"{API}/filings/2025/payments", data=csv_body(ROYALTY, CIT), content_type="text/csv", headers=_auth(token)))
    assert statuses(results) == [200] * PARALLEL
    assert _filings(app) == [(1, "draft")]
    with app.app_context():
        assert db.session.scalar(select(func.count(PaymentLine.id))) == 2


def test_ten_parallel_first_puts_that_expect_no_filing_leave_one_winner(app: Flask, tokens) -> None:
    """``If-Match`` with the ETag of "nothing filed yet": the first write wins, the others are stale."""
    results = parallel_requests_with(app, tokens, lambda client, token: client.put(
        f"{API}/filings/2025/payments", data=csv_body(ROYALTY), content_type="text/csv",
        headers=_auth(token, {"If-Match": '"1.0"'})))
    assert Counter(statuses(results)) == {200: 1, 409: PARALLEL - 1}, statuses(results)
    assert {r.get_json()["error"]["code"] for r in results if r.status_code == 409} == {"stale"}
    assert _filings(app) == [(1, "draft")]


def test_a_put_with_an_old_etag_is_refused_and_changes_nothing(app: Flask, api_as) -> None:
    first, second = api_as("filer"), api_as("filer")
    empty = first.get("/filings/2025")
    assert empty.headers["ETag"] == '"1.0"'
    saved = first.put_csv("/filings/2025/payments", csv_body(ROYALTY), headers={"If-Match": empty.headers["ETag"]})
    assert saved.status_code == 200
    seen = second.get("/filings/2025")
    assert seen.headers["ETag"] == '"1.1"'
    # the first client saves again; the second still holds the ETag it read before
    assert first.put_csv("/filings/2025/payments", csv_body(ROYALTY, CIT)).status_code == 200
    stale = second.put_csv("/filings/2025/payments", csv_body(ROYALTY), headers={"If-Match": seen.headers["ETag"]})
    assert stale.status_code == 409
    body = stale.get_json()["error"]
    assert body["code"] == "stale" and body["revision"] == "1.2" and "saved this document" in body["message"]
    assert len(second.get("/filings/2025").get_json()["sections"]["payments"]) == 2
    # with the current ETag the write goes through
    current = second.get("/filings/2025").headers["ETag"]
    assert second.put_csv("/filings/2025/payments", csv_body(ROYALTY), headers={"If-Match": current}).status_code == 200
    # a submission of a draft changed since it was read is refused as well
    read = first.get("/filings/2025").headers["ETag"]
    second.put_csv("/filings/2025/payments", csv_body(CIT))
    late = first.post_json("/filings/2025/submit", ATTESTATION, headers={"If-Match": read})
    assert late.status_code == 409 and late.get_json()["error"]["code"] == "stale"
    assert _filings(app) == [(1, "draft")]


@pytest.mark.parametrize("value", ['"abc"', '"1.x"', "1", '"' + "9" * 20 + '.1"'])
def test_a_malformed_if_match_is_a_clear_409(api_as, api_world, value: str) -> None:
    response = api_as("filer").put_csv("/filings/2025/payments", csv_body(ROYALTY), headers={"If-Match": value})
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "stale"


def test_ten_parallel_receipt_submissions_give_one_200(app: Flask, api_world, token_for) -> None:
    tokens = [token_for("officer") for _ in range(PARALLEL)]
    body = "\r\n".join([RECEIPT_HEADER, "01234567890123,Own Mining LLC,ROYALTY,STS,KG-0001-AP,1234567.89,KGS,", ""])
    put = app.test_client().put(f"{API}/receipts/2025", data=body.encode(), content_type="text/csv",
                                headers=_auth(tokens[0]))
    assert put.status_code == 200, put.get_data(as_text=True)
    results = parallel_requests_with(app, tokens, lambda client, token: client.post(
        f"{API}/receipts/2025/submit", json=ATTESTATION, headers=_auth(token)))
    assert Counter(statuses(results)) == {200: 1, 409: PARALLEL - 1}, statuses(results)
    with app.app_context():
        assert [b.status.value for b in db.session.scalars(select(ReceiptBatch))] == ["submitted"]


def test_parallel_reconciliation_runs_take_distinct_numbers_without_500(app: Flask, api_as, api_world,
                                                                          token_for) -> None:
    filer = api_as("filer")
    filer.put_csv("/filings/2025/payments", csv_body(ROYALTY))
    assert filer.post_json("/filings/2025/submit", ATTESTATION).status_code == 200
    tokens = [token_for("secretariat") for _ in range(4)]
    results = parallel_requests_with(app, tokens, lambda client, token: client.post(
        f"{API}/reconciliations/2025", headers=_auth(token)))
    assert statuses(results) == [200] * 4
    with app.app_context():
        numbers = sorted(db.session.scalars(select(ReconciliationRun.number)))
    assert numbers == [1, 2, 3, 4]
    assert _filings(app) == [(1, DisclosureStatus.SUBMITTED.value)]
