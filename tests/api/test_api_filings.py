"""The filing endpoints of INTERFACES.md §4: read, replace payments, submit, amend — for company filers only."""
from __future__ import annotations

import hashlib
import json
import re

import pytest
from flask import Flask
from sqlalchemy import select

from api_support import EMAILS, csv_body
from esg_portal.accounts.models import User
from esg_portal.disclosure.attestation import ATTESTATION_TEXTS
from esg_portal.disclosure.models import Disclosure, DisclosureStatus
from esg_portal.extensions import db

TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
ROYALTY = "ROYALTY,STS,KG-0001-AP,1234567.89,KGS,no,,,,"
CIT = "CIT,STS,,-500.00,KGS,no,,,,overpayment refunded in March"
GOLD = "ROYALTY,STS,KG-0001-AP,1 250 000,KGS,yes,12.5,kg,,"
ATTESTATION = {"attested_by_name": "Aibek Toktogulov", "attested_by_position": "Chief accountant"}
SECTIONS = {"payments": [], "eia": [], "social_agreements": [], "public_hearings": [], "workforce": {},
            "production": [], "beneficial_owners": []}


def _hash_of(document: dict) -> str:
    hashed = {key: value for key, value in document.items() if key not in ("status", "submitted_at", "sha256")}
    return hashlib.sha256(json.dumps(hashed, sort_keys=True, separators=(",", ":"),
                                     ensure_ascii=False).encode()).hexdigest()


def _assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json, response.content_type
    body = response.get_json()
    assert body["error"]["code"] == code, body
    assert body["error"]["message"]
    return body


# --- the acceptance round trip ---

def test_round_trip_from_token_to_amendment(app: Flask, api_world, api_as, count_disclosures) -> None:
    api = api_as("filer")

    # 1. nothing filed yet: an empty version-1 draft, and asking stores nothing
    before = count_disclosures()
    response = api.get("/filings/2025")
    assert response.status_code == 200
    empty = response.get_json()
    assert count_disclosures() == before == 0
    assert empty["year"] == 2025
    assert empty["company"] == {"inn": "01234567890123", "name": "Own Mining LLC"}
    assert (empty["version"], empty["status"], empty["submitted_at"], empty["sha256"]) == (1, "draft", None, None)
    assert {key: value for key, value in empty["sections"].items() if key != "profile"} == SECTIONS
    assert empty["sections"]["profile"]["inn"] == "01234567890123"
    assert [lic["number"] for lic in empty["sections"]["profile"]["licences"]] == ["KG-0001-AP"]
    assert empty["declarations"] == {}

    # 2. a CSV with errors: 422 listing every one, and nothing stored
    bad = api.put_csv("/filings/2025/payments", csv_body(
        "ROYALTY,STS,KG-0001-AP,12.345,KGS,no,,,,", "NOPE,STS,,10.00,EUR,no,,,,"))
    body = _assert_error(bad, 422, "invalid_rows")
    assert set(body) == {"error", "errors"}
    assert set(body["error"]) == {"code", "message"}
    assert all(set(error) == {"row", "column", "value", "message"} for error in body["errors"])
    assert {(e["row"], e["column"]) for e in body["errors"]} >= {(1, "amount"), (2, "revenue_stream"),
                                                                 (2, "currency")}
    assert next(e for e in body["errors"] if e["column"] == "currency")["value"] == "EUR"
    assert count_disclosures() == 0
    assert api.get("/filings/2025").get_json() == empty

    # 3. a good CSV replaces the payments of the (new) draft
    good = api.put_csv("/filings/2025/payments", csv_body(ROYALTY, CIT))
    assert good.status_code == 200, good.get_data(as_text=True)
    assert good.get_json() == {"lines": 2}
    draft = api.get("/filings/2025").get_json()
    assert (draft["version"], draft["status"], draft["sha256"]) == (1, "draft", None)
    assert draft["sections"]["payments"] == [
        {"revenue_stream": "CIT", "government_entity": "STS", "project": "", "amount": "-500.00", "currency": "KGS",
         "paid_in_kind": "no", "in_kind_volume": "", "in_kind_unit": "", "recipient_locality": "",
         "comment": "overpayment refunded in March"},
        {"revenue_stream": "ROYALTY", "government_entity": "STS", "project": "KG-0001-AP", "amount": "1234567.89",
         "currency": "KGS", "paid_in_kind": "no", "in_kind_volume": "", "in_kind_unit": "",
         "recipient_locality": "", "comment": ""},
    ]
    assert count_disclosures() == 1

    # 4. submit: version, time to the second in UTC, and the hash of the GET body
    submitted = api.post_json("/filings/2025/submit", ATTESTATION)
    assert submitted.status_code == 200, submitted.get_data(as_text=True)
    answer = submitted.get_json()
    assert set(answer) == {"version", "submitted_at", "sha256"}
    assert answer["version"] == 1
    assert TIME.match(answer["submitted_at"])
    document = api.get("/filings/2025").get_json()
    assert (document["status"], document["submitted_at"], document["sha256"]) == (
        "submitted", answer["submitted_at"], answer["sha256"])
    assert _hash_of(document) == answer["sha256"]
    assert document["sections"]["payments"] == draft["sections"]["payments"]

    # 5. a submitted filing is not changed by a PUT
    _assert_error(api.put_csv("/filings/2025/payments", csv_body(ROYALTY)), 409, "not_draft")
    assert api.get("/filings/2025").get_json() == document

    # 6. an amendment opens version 2, pre-filled from version 1
    amended = api.post_json("/filings/2025/amendments", {"reason": "The Q4 royalty was left out."})
    assert amended.status_code == 201
    assert amended.get_json() == {"version": 2}
    second = api.get("/filings/2025").get_json()
    assert (second["version"], second["status"], second["submitted_at"], second["sha256"]) == (2, "draft", None, None)
    assert second["sections"]["payments"] == document["sections"]["payments"]
    assert count_disclosures() == 2

    # and version 2 can be changed and submitted in turn
    assert api.put_csv("/filings/2025/payments", csv_body(ROYALTY)).get_json() == {"lines": 1}
    again = api.post_json("/filings/2025/submit", ATTESTATION).get_json()
    assert again["version"] == 2
    assert again["sha256"] != answer["sha256"]
    assert _hash_of(api.get("/filings/2025").get_json()) == again["sha256"]


# --- replacing payments ---

def test_the_same_put_twice_gives_the_same_state_and_body(app: Flask, api_world, api_as) -> None:
    api = api_as("filer")
    assert api.put_csv("/filings/2025/payments", csv_body(ROYALTY, CIT, GOLD.replace("ROYALTY", "BONUS"))
                       ).get_json() == {"lines": 3}
    first = api.get("/filings/2025").get_data()
    with app.app_context():
        ids_before = sorted(line.id for line in db.session.scalars(select(Disclosure)).one().payment_lines)
    assert api.put_csv("/filings/2025/payments", csv_body(ROYALTY, CIT, GOLD.replace("ROYALTY", "BONUS"))
                       ).get_json() == {"lines": 3}
    assert api.get("/filings/2025").get_data() == first
    with app.app_context():
        assert sorted(line.id for line in db.session.scalars(select(Disclosure)).one().payment_lines) == ids_before


def test_a_put_replaces_the_whole_section(api_world, api_as) -> None:
    api = api_as("filer")
    api.put_csv("/filings/2025/payments", csv_body(ROYALTY, CIT))
    assert api.put_csv("/filings/2025/payments", csv_body(CIT)).get_json() == {"lines": 1}
    assert [p["revenue_stream"] for p in api.get("/filings/2025").get_json()["sections"]["payments"]] == ["CIT"]
    assert api.put_json("/filings/2025/payments", []).get_json() == {"lines": 0}
    assert api.get("/filings/2025").get_json()["sections"]["payments"] == []


def test_json_payments_work_and_read_back_as_they_were_sent(api_world, api_as) -> None:
    api = api_as("filer")
    rows = [{"revenue_stream": "ROYALTY", "government_entity": "STS", "project": "KG-0001-AP",
             "amount": "1250000.00", "currency": "USD", "paid_in_kind": "yes", "in_kind_volume": "12.5",
             "in_kind_unit": "kg", "recipient_locality": "", "comment": ""},
            {"revenue_stream": "CIT", "government_entity": "STS", "amount": "10.50", "currency": "KGS",
             "paid_in_kind": "no"}]
    response = api.put_json("/filings/2025/payments", rows)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json() == {"lines": 2}
    payments = api.get("/filings/2025").get_json()["sections"]["payments"]
    assert payments[1] == rows[0]
    assert payments[0]["amount"] == "10.50" and payments[0]["project"] == ""
    # a GET body's payments can be sent back as they are, changing nothing
    document = api.get("/filings/2025").get_data()
    assert api.put_json("/filings/2025/payments", payments).get_json() == {"lines": 2}
    assert api.get("/filings/2025").get_data() == document


def test_json_rows_are_checked_like_csv_rows(api_world, api_as, count_disclosures) -> None:
    api = api_as("filer")
    body = _assert_error(api.put_json("/filings/2025/payments", [
        {"revenue_stream": "CIT", "government_entity": "STS", "amount": 10.5, "currency": "KGS",
         "paid_in_kind": "no"},
        {"revenue_stream": "VAT", "government_entity": "STS", "amount": "1,5", "currency": "KGS",
         "paid_in_kind": "no", "colour": "red"},
    ]), 422, "invalid_rows")
    assert {(e["row"], e["column"]) for e in body["errors"]} == {(1, "amount"), (2, "amount"), (2, "colour")}
    _assert_error(api.put_json("/filings/2025/payments", {"payments": []}), 422, "invalid_rows")
    assert count_disclosures() == 0


def test_an_empty_draft_reads_exactly_like_no_draft(api_world, api_as, count_disclosures) -> None:
    """The document built for "nothing stored" is the one a stored empty draft gives."""
    api = api_as("filer")
    nothing = api.get("/filings/2025").get_data()
    assert api.put_json("/filings/2025/payments", []).get_json() == {"lines": 0}
    assert count_disclosures() == 1
    assert api.get("/filings/2025").get_data() == nothing


@pytest.mark.parametrize("content_type", ["text/plain", "application/xml", "multipart/form-data; boundary=x",
                                          "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", None])
def test_other_content_types_are_refused_with_415(api_world, api_as, count_disclosures, content_type) -> None:
    api = api_as("filer")
    headers = {"Content-Type": content_type} if content_type else {}
    response = api.open("/filings/2025/payments", "PUT", data=csv_body(ROYALTY), headers=headers)
    _assert_error(response, 415, "unsupported_media_type")
    assert count_disclosures() == 0


def test_csv_with_a_charset_is_csv(api_world, api_as) -> None:
    response = api_as("filer").open("/filings/2025/payments", "PUT", data=csv_body(ROYALTY),
                                    headers={"Content-Type": "text/csv; charset=utf-8"})
    assert response.get_json() == {"lines": 1}


def test_invalid_json_is_400(api_world, api_as) -> None:
    api = api_as("filer")
    response = api.open("/filings/2025/payments", "PUT", data=b'[{"amount": "1.00",]',
                        headers={"Content-Type": "application/json"})
    _assert_error(response, 400, "bad_request")
    api.put_json("/filings/2025/payments", [])
    response = api.open("/filings/2025/submit", "POST", data=b"{attested_by_name}",
                        headers={"Content-Type": "application/json"})
    _assert_error(response, 400, "bad_request")


def test_oversized_bodies_are_413(app: Flask, api_world, api_as, count_disclosures) -> None:
    api = api_as("filer")
    # more rows than one upload may hold
    rows = [{"revenue_stream": "CIT"}] * 50_001
    _assert_error(api.put_json("/filings/2025/payments", rows), 413, "too_large")
    # more bytes than the server takes (the limit lowered so the test stays small)
    app.config["MAX_CONTENT_LENGTH"] = 2_000
    _assert_error(api.put_csv("/filings/2025/payments", csv_body(*[CIT] * 100)), 413, "too_large")
    assert count_disclosures() == 0


def test_a_csv_over_the_upload_limit_is_413(app: Flask, api_world, api_as) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 20 * 1024 * 1024
    big = csv_body() + b"#" * (10 * 1024 * 1024)
    _assert_error(api_as("filer").put_csv("/filings/2025/payments", big), 413, "too_large")


def test_unknown_sections_are_404_unknown_section(api_world, api_as) -> None:
    api = api_as("filer")
    for section in ("profile", "nonsense"):
        body = _assert_error(api.put_json(f"/filings/2025/{section}", []), 404, "unknown_section")
        assert "payments" in body["error"]["message"] and "production" in body["error"]["message"]
    assert "no section" in api.put_json("/filings/2025/nonsense", []).get_json()["error"]["message"]


def test_a_closed_period_is_409_period_closed(app: Flask, api_world, api_as, factory, count_disclosures) -> None:
    api = api_as("filer")
    _assert_error(api.put_csv("/filings/2024/payments", csv_body(ROYALTY)), 409, "period_closed")
    assert count_disclosures() == 0
    # a draft left in a period that has since closed cannot be changed or submitted either
    factory.disclosure(api_world["own_company"], api_world["period_2024"])
    _assert_error(api.put_csv("/filings/2024/payments", csv_body(ROYALTY)), 409, "period_closed")
    _assert_error(api.post_json("/filings/2024/submit", ATTESTATION), 409, "period_closed")
    assert api.get("/filings/2024").get_json()["status"] == "draft"


def test_an_unknown_year_is_404_period_not_found(api_world, api_as) -> None:
    api = api_as("filer")
    _assert_error(api.get("/filings/1999"), 404, "period_not_found")
    _assert_error(api.put_csv("/filings/1999/payments", csv_body(ROYALTY)), 404, "period_not_found")
    _assert_error(api.post_json("/filings/1999/submit", ATTESTATION), 404, "period_not_found")
    _assert_error(api.post_json("/filings/1999/amendments", {"reason": "x"}), 404, "period_not_found")


def test_the_empty_document_is_not_stored_for_any_year(api_world, api_as, count_disclosures) -> None:
    api = api_as("filer")
    assert api.get("/filings/2024").get_json()["version"] == 1
    assert api.get("/filings/2024").get_json()["status"] == "draft"
    assert count_disclosures() == 0


# --- who may ---

@pytest.mark.parametrize("who", ["officer", "secretariat", "admin"])
def test_other_roles_get_403_on_every_filer_endpoint(api_world, api_as, count_disclosures, who: str) -> None:
    api = api_as(who)
    _assert_error(api.get("/filings/2025"), 403, "forbidden")
    _assert_error(api.get("/filings/1999"), 403, "forbidden")
    _assert_error(api.put_csv("/filings/2025/payments", csv_body(ROYALTY)), 403, "forbidden")
    _assert_error(api.put_json("/filings/2025/production", []), 403, "forbidden")
    _assert_error(api.post_json("/filings/2025/submit", ATTESTATION), 403, "forbidden")
    _assert_error(api.post_json("/filings/2025/amendments", {"reason": "x"}), 403, "forbidden")
    assert count_disclosures() == 0
    assert api.get("/periods").status_code == 200


def test_only_a_signatory_may_submit(app: Flask, api_world, api_as) -> None:
    assistant = api_as("assistant")
    assert assistant.put_csv("/filings/2025/payments", csv_body(ROYALTY)).get_json() == {"lines": 1}
    _assert_error(assistant.post_json("/filings/2025/submit", ATTESTATION), 403, "forbidden")
    assert assistant.get("/filings/2025").get_json()["status"] == "draft"
    # the signatory of the same company submits the draft the assistant prepared
    assert api_as("filer").post_json("/filings/2025/submit", ATTESTATION).status_code == 200
    # and an assistant may start the amendment (any filer prepares; signatories submit)
    assert assistant.post_json("/filings/2025/amendments", {"reason": "Typo in the royalty."}).status_code == 201


def test_a_filer_reaches_only_their_own_company(app: Flask, api_world, api_as) -> None:
    own, other = api_as("filer"), api_as("other_filer")
    assert own.put_csv("/filings/2025/payments", csv_body(ROYALTY, CIT)).get_json() == {"lines": 2}
    own_document = own.get("/filings/2025").get_json()

    # the other company's filer sees their own (empty) filing, never the own company's
    theirs = other.get("/filings/2025")
    assert theirs.status_code == 200
    assert theirs.get_json()["company"] == {"inn": "09876543210987", "name": "Other Mining LLC"}
    assert theirs.get_json()["sections"]["payments"] == []
    assert "Own Mining" not in theirs.get_data(as_text=True)
    assert "KG-0001-AP" not in theirs.get_data(as_text=True)

    # they cannot name the own company's licence, and their writes land in their own filing
    refused = _assert_error(other.put_csv("/filings/2025/payments", csv_body(ROYALTY)), 422, "invalid_rows")
    assert [e["column"] for e in refused["errors"]] == ["project"]
    assert "KG-9999-AP" in refused["errors"][0]["message"]  # their own licences are listed, no one else's
    assert other.put_csv("/filings/2025/payments", csv_body(CIT)).get_json() == {"lines": 1}
    assert other.post_json("/filings/2025/submit", ATTESTATION).status_code == 200
    assert own.get("/filings/2025").get_json() == own_document
    with app.app_context():
        by_company = {d.company_id: d for d in db.session.scalars(select(Disclosure))}
        assert by_company[api_world["own_company"]].status is DisclosureStatus.DRAFT
        assert len(by_company[api_world["own_company"]].payment_lines) == 2
        assert by_company[api_world["other_company"]].status is DisclosureStatus.SUBMITTED


# --- submission and amendments ---

def test_submit_refuses_a_missing_attestation_with_422(api_world, api_as) -> None:
    api = api_as("filer")
    api.put_csv("/filings/2025/payments", csv_body(ROYALTY))
    body = _assert_error(api.post_json("/filings/2025/submit", {"attested_by_name": " "}), 422, "invalid")
    assert set(body["errors"]) == {"attested_by_name", "attested_by_position"}
    assert all(isinstance(m, str) for messages in body["errors"].values() for m in messages)
    body = _assert_error(api.open("/filings/2025/submit", "POST"), 422, "invalid")
    assert set(body["errors"]) == {"attested_by_name", "attested_by_position"}
    body = _assert_error(api.post_json("/filings/2025/submit", {**ATTESTATION, "signed": True}), 422, "invalid")
    assert set(body["errors"]) == {"signed"}
    body = _assert_error(api.post_json("/filings/2025/submit", {**ATTESTATION, "attested_by_name": 7}), 422,
                         "invalid")
    assert set(body["errors"]) == {"attested_by_name"}
    _assert_error(api.post_json("/filings/2025/submit", [ATTESTATION]), 400, "bad_request")
    _assert_error(api.open("/filings/2025/submit", "POST", data="name=x",
                           headers={"Content-Type": "application/x-www-form-urlencoded"}), 415,
                  "unsupported_media_type")
    assert api.get("/filings/2025").get_json()["status"] == "draft"


def test_an_empty_draft_is_submitted_as_not_provided(api_world, api_as) -> None:
    api = api_as("filer")
    api.put_json("/filings/2025/payments", [])
    response = api.post_json("/filings/2025/submit", ATTESTATION)
    assert response.status_code == 200
    document = api.get("/filings/2025").get_json()
    assert document["status"] == "submitted" and document["sections"]["payments"] == []


def test_nothing_to_submit_is_409_not_draft(api_world, api_as, count_disclosures) -> None:
    api = api_as("filer")
    _assert_error(api.post_json("/filings/2025/submit", ATTESTATION), 409, "not_draft")
    assert count_disclosures() == 0
    api.put_csv("/filings/2025/payments", csv_body(ROYALTY))
    api.post_json("/filings/2025/submit", ATTESTATION)
    _assert_error(api.post_json("/filings/2025/submit", ATTESTATION), 409, "not_draft")


def test_the_attestation_is_stored_in_the_users_language(app: Flask, api_world, api_as) -> None:
    api = api_as("filer")
    api.put_csv("/filings/2025/payments", csv_body(ROYALTY))
    response = api.post_json("/filings/2025/submit", ATTESTATION, headers={"Accept-Language": "ru"})
    assert response.status_code == 200
    with app.app_context():
        disclosure = db.session.scalars(select(Disclosure)).one()
        assert disclosure.attestation_text == ATTESTATION_TEXTS["ru"]
        assert (disclosure.attested_by_name, disclosure.attested_by_position) == (
            "Aibek Toktogulov", "Chief accountant")
        assert disclosure.submitted_by_id == api_world["filer"]


def test_the_submission_is_attributed_to_the_tokens_user_in_the_audit_trail(app: Flask, api_world, api_as) -> None:
    from esg_portal.audit import AuditEvent

    api = api_as("assistant")
    api.put_csv("/filings/2025/payments", csv_body(ROYALTY))
    with app.app_context():
        events = list(db.session.scalars(select(AuditEvent).where(AuditEvent.table_name == "payment_line")))
        assert events and {e.actor_label for e in events} == {EMAILS["assistant"]}


def test_amendments_need_a_submitted_version_and_a_reason(api_world, api_as) -> None:
    api = api_as("filer")
    _assert_error(api.post_json("/filings/2025/amendments", {"reason": "x"}), 409, "nothing_submitted")
    api.put_csv("/filings/2025/payments", csv_body(ROYALTY))
    _assert_error(api.post_json("/filings/2025/amendments", {"reason": "x"}), 409, "draft_exists")
    api.post_json("/filings/2025/submit", ATTESTATION)
    body = _assert_error(api.post_json("/filings/2025/amendments", {}), 422, "invalid")
    assert set(body["errors"]) == {"reason"}
    assert api.post_json("/filings/2025/amendments", {"reason": "Fix"}).status_code == 201
    _assert_error(api.post_json("/filings/2025/amendments", {"reason": "Again"}), 409, "draft_exists")


def test_a_deactivated_filer_loses_access(app: Flask, api_world, api_as) -> None:
    api = api_as("filer")
    assert api.get("/filings/2025").status_code == 200
    with app.app_context():
        db.session.get(User, api_world["filer"]).is_active = False
        db.session.commit()
    _assert_error(api.get("/filings/2025"), 401, "unauthorized")


# --- periods ---

def test_periods_list_every_period_for_every_role(app: Flask, api_world, api_as, factory) -> None:
    factory.period(2026)
    with app.app_context():
        from esg_portal.reference.models import ReportingPeriod

        planned = db.session.scalar(select(ReportingPeriod).where(ReportingPeriod.year == 2026))
        planned.usd_rate_scaled, planned.filing_deadline_at = None, None
        db.session.commit()
    for who in ("filer", "officer", "secretariat", "admin"):
        response = api_as(who).get("/periods")
        assert response.status_code == 200
        assert response.get_json() == {"data": [
            {"year": 2024, "start_date": "2024-01-01", "end_date": "2024-12-31", "status": "closed",
             "usd_rate": "87.4500", "deadline": "2025-06-30T12:00:00Z"},
            {"year": 2025, "start_date": "2025-01-01", "end_date": "2025-12-31", "status": "open",
             "usd_rate": "87.4500", "deadline": "2026-06-30T12:00:00Z"},
            {"year": 2026, "start_date": "2026-01-01", "end_date": "2026-12-31", "status": "open",
             "usd_rate": None, "deadline": None},
        ]}
