"""Control characters and lone surrogates are refused at every door, with a message naming the field.

A ``\\x0b`` in a payer name or ``\\x01`` in an agency name, once stored, made every later XLSX
download of its table answer 500 (XLSX cannot hold C0 controls); a lone surrogate stored through
the API made the section page, the version page and the submission answer 500. One check
(``validation.text_problem``) is used by the web forms, the schemas of payments, receipts and ESG
sections, the upload reader and the API body; tabs and line breaks stay allowed in texts of several
lines.
"""
from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import func, select

from support import PASSWORD, login, post_form
from esg_portal.accounts.models import Role
from esg_portal.disclosure.models import Disclosure, PaymentLine
from esg_portal.extensions import db
from esg_portal.receipts.models import GovernmentReceipt
from esg_portal.reference.models import GovernmentEntity
from esg_portal.tabular import UploadRejected, read_checked_table
from esg_portal.validation import text_problem, visible, whole_number

API = "/api/v1"
RECEIPT_HEADER = "company_inn,company_name,revenue_stream,government_entity,amount,currency,comment\n"
PAYMENT = {"revenue_stream": "CIT", "government_entity": "STS", "project": "", "amount": "2500.75", "currency": "KGS",
           "paid_in_kind": "no", "in_kind_volume": "", "in_kind_unit": "", "recipient_locality": "", "comment": ""}
PRODUCTION = {"mineral": "other", "mineral_name": "Gold", "project": "", "unit": "t", "produced_volume": "1",
              "produced_value_kgs": None, "exported_volume": None, "exported_value_kgs": None, "comment": ""}


@pytest.fixture
def world(world, factory):
    """The shared world, plus an officer of an agency with no batch yet (STS and SCS have submitted theirs)."""
    return {**world, "mnr_officer": factory.user(Role.AGENCY_OFFICER, "mnr@test.kg", agency_code="MNR")}


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def _token(app, email: str) -> dict[str, str]:
    response = app.test_client().post(f"{API}/auth/token", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.get_data(as_text=True)
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def _raw_json(client, method: str, path: str, body: object, headers: dict[str, str]):
    """A JSON body as bytes: json.dumps escapes a lone surrogate as "\\ud800", as a client would send it."""
    return client.open(API + path, method=method, data=json.dumps(body).encode(), headers=headers,
                       content_type="application/json")


# -- the one check -------------------------------------------------------------------------------

def test_the_text_check_names_the_field_and_what_is_wrong():
    assert text_problem("Kumtor Gold Company", "company_name") is None
    assert text_problem("Kumtor\x0bGold", "company_name") == (
        "“company_name” contains an invisible control character (U+000B) that cannot be stored. Delete it, or type "
        "the text again instead of pasting it.")
    assert "(U+0000)" in text_problem("a\x00b", "comment", multiline=True)
    assert "(U+0001)" in text_problem("\x01", "Name in English")
    assert text_problem("line 1\r\nline 2\tend", "comment", multiline=True) is None
    assert text_problem("line 1\nline 2", "company_name") == (
        "“company_name” must be on one line: remove the line break or tab.")
    assert text_problem("x\ud800", "comment", multiline=True) == (
        "“comment” contains a lone surrogate (U+D800), which is not a character. Send the text as valid UTF-8.")
    assert text_problem("Алтын 😀 ңөү", "comment") is None
    assert visible("a\x01b\udc00c\nd") == "a\ufffdb\ufffdc\nd"
    assert [whole_number(t) for t in ("12", " 7 ", "²", "١", "-1", "1" * 19, "")] == [12, 7, None, None, None,
                                                                                      None, None]


# -- uploads --------------------------------------------------------------------------------------

def test_the_upload_door_refuses_control_characters_in_any_cell():
    data = "amount,comment\n1,\"two\nlines\tand a tab\"\n2,bell\x07\n".encode()
    with pytest.raises(UploadRejected) as caught:
        read_checked_table(data, "x.csv", {"amount"}, {"comment"})
    assert caught.value.as_dicts() == [{"row": 2, "column": "comment", "value": "bell\ufffd", "message": (
        "“comment” contains an invisible control character (U+0007) that cannot be stored. Delete it, or type the "
        "text again instead of pasting it.")}]
    assert read_checked_table(data.replace(b"\x07", b""), "x.csv", {"amount"}, {"comment"}).rows[0]["comment"] == (
        "two\nlines\tand a tab")


def test_a_control_character_in_an_uploaded_payer_name_is_refused(app, world):
    headers = _token(app, "mnr@test.kg")
    before = _count(app, GovernmentReceipt)
    body = RECEIPT_HEADER + "77777777777777,Small\x0bQuarry LLC,ROYALTY,MNR,1000.50,KGS,\n"
    response = app.test_client().put(f"{API}/receipts/2025", data=body.encode(), headers=headers,
                                      content_type="text/csv")
    assert response.status_code == 422, response.get_data(as_text=True)
    [error] = response.get_json()["errors"]
    assert (error["row"], error["column"], error["value"]) == (1, "company_name", "Small\ufffdQuarry LLC")
    assert "(U+000B)" in error["message"]
    assert _count(app, GovernmentReceipt) == before


# -- JSON rows of payments and receipts ------------------------------------------------------------

def test_json_payment_and_receipt_rows_refuse_control_characters(app, world):
    client, filer, officer = app.test_client(), _token(app, "filer@test.kg"), _token(app, "mnr@test.kg")
    lines, receipts = _count(app, PaymentLine), _count(app, GovernmentReceipt)
    response = _raw_json(client, "PUT", "/filings/2025/payments", [{**PAYMENT, "comment": "refund\x01"}], filer)
    assert response.status_code == 422
    assert [(e["row"], e["column"]) for e in response.get_json()["errors"]] == [(1, "comment")]
    response = _raw_json(client, "PUT", "/filings/2025/payments", [{**PAYMENT, "recipient_locality": "Kara\nBalta"}],
                         filer)
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["message"] == (
        "“recipient_locality” must be on one line: remove the line break or tab.")
    receipt = {"company_inn": "77777777777777", "company_name": "Small\x0bQuarry", "revenue_stream": "ROYALTY",
               "government_entity": "MNR", "project": "", "amount": "10.00", "currency": "KGS", "comment": ""}
    response = _raw_json(client, "PUT", "/receipts/2025", [receipt], officer)
    assert response.status_code == 422
    assert [(e["row"], e["column"]) for e in response.get_json()["errors"]] == [(1, "company_name")]
    assert (_count(app, PaymentLine), _count(app, GovernmentReceipt)) == (lines, receipts)
    # a comment of several lines is a comment
    response = _raw_json(client, "PUT", "/filings/2025/payments",
                         [{**PAYMENT, "amount": "-5.00", "comment": "Refund:\r\n\tVAT of March"}], filer)
    assert response.status_code == 200, response.get_data(as_text=True)


def test_a_control_character_in_an_esg_section_names_the_field(app, world):
    client, filer = app.test_client(), _token(app, "filer@test.kg")
    response = _raw_json(client, "PUT", "/filings/2025/production", [{**PRODUCTION, "mineral_name": "Go\x0bld"}],
                         filer)
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"0.mineral_name": [
        "“mineral_name” contains an invisible control character (U+000B) that cannot be stored. Delete it, or type "
        "the text again instead of pasting it."]}
    response = _raw_json(client, "PUT", "/filings/2025/production",
                         [{**PRODUCTION, "comment": "first line\nsecond line"}], filer)
    assert response.status_code == 200, response.get_data(as_text=True)


# -- lone surrogates: refused at the door of every JSON body ---------------------------------------

def test_a_lone_surrogate_is_refused_before_anything_is_stored(app, world):
    client, filer = app.test_client(), _token(app, "filer@test.kg")
    with app.app_context():
        stored = [(s.section, s.data) for s in db.session.get(Disclosure, world["own_disclosure"]).sections]
    response = _raw_json(client, "PUT", "/filings/2025/production", [{**PRODUCTION, "comment": "x\ud800"}], filer)
    assert response.status_code == 400
    assert response.get_json()["error"] == {"code": "bad_request", "message": (
        "“0.comment” contains a lone surrogate (U+D800), which is not a character. Send the text as valid UTF-8.")}
    response = _raw_json(client, "PUT", "/filings/2025/payments", [{**PAYMENT, "comm\udfffent": ""}], filer)
    assert response.status_code == 400 and "(U+DFFF)" in response.get_json()["error"]["message"]
    response = _raw_json(client, "POST", "/filings/2025/submit",
                         {"attested_by_name": "\udbff", "attested_by_position": "Director"}, filer)
    assert response.status_code == 400
    response = _raw_json(client, "POST", "/auth/token", {"email": "\ud800@test.kg", "password": "x"}, {})
    assert response.status_code == 400
    with app.app_context():
        assert [(s.section, s.data) for s in db.session.get(Disclosure, world["own_disclosure"]).sections] == stored
    # the pages that a stored surrogate broke still answer
    login(client, "filer@test.kg")
    assert client.get("/disclosures/filing/2025/sections/production").status_code == 200
    assert client.get(f"/disclosures/{world['own_disclosure']}").status_code == 200


def test_json_request_fields_refuse_control_characters(app, world):
    client, filer = app.test_client(), _token(app, "filer@test.kg")
    response = _raw_json(client, "POST", "/filings/2025/submit",
                         {"attested_by_name": "Aibek\x1bTestov", "attested_by_position": "Director"}, filer)
    assert response.status_code == 422
    assert "(U+001B)" in response.get_json()["errors"]["attested_by_name"][0]
    with app.app_context():
        assert db.session.get(Disclosure, world["own_disclosure"]).submitted_at is None


# -- web forms --------------------------------------------------------------------------------------

@pytest.fixture
def agencies_restored(app, reference_mutable):
    yield


def test_an_agency_name_with_a_control_character_is_refused(app, world, agencies_restored):
    client = app.test_client()
    login(client, "admin@test.kg")
    with app.app_context():
        agency = db.session.scalar(select(GovernmentEntity).where(GovernmentEntity.code == "STS"))
        agency_id, name = agency.id, agency.name_en
    page = f"/admin/agencies/{agency_id}/edit"
    data = {"name_ky": "Мамлекеттик салык кызматы", "name_ru": "Государственная налоговая служба",
            "name_en": "State\x01Tax Service", "agency_type": "Tax authority", "level": "national", "is_active": "y"}
    response = post_form(client, page, data)
    assert response.status_code == 422
    assert ("“Name in English” contains an invisible control character (U+0001) that cannot be stored."
            in response.get_data(as_text=True))
    with app.app_context():
        assert db.session.get(GovernmentEntity, agency_id).name_en == name


def test_web_forms_refuse_control_characters_and_keep_line_breaks_in_text_areas(app, world):
    filer = app.test_client()
    login(filer, "filer@test.kg")
    lines = _count(app, PaymentLine)
    response = post_form(filer, "/disclosures/filing/2025/lines", {**PAYMENT, "amount": "-5", "comment": "\x01"},
                         form_page="/disclosures/filing/2025")
    assert response.status_code == 422 and "(U+0001)" in response.get_data(as_text=True)
    response = post_form(filer, "/disclosures/filing/2025/lines", {**PAYMENT, "in_kind_unit": "t\x0b"},
                         form_page="/disclosures/filing/2025")
    assert response.status_code == 422 and "(U+000B)" in response.get_data(as_text=True)
    assert _count(app, PaymentLine) == lines
    response = post_form(filer, "/disclosures/filing/2025/lines",
                         {**PAYMENT, "amount": "-5", "comment": "Refund:\r\n\tVAT of March"},
                         form_page="/disclosures/filing/2025")
    assert response.status_code == 302
    officer = app.test_client()
    login(officer, "mnr@test.kg")
    receipts = _count(app, GovernmentReceipt)
    response = post_form(officer, "/receipts/2025/receipts",
                         {"company_inn": "77777777777777", "company_name": "Small\x0bQuarry", "revenue_stream": "CIT",
                          "amount": "10", "currency": "KGS"}, form_page="/receipts/2025")
    assert response.status_code == 422 and "(U+000B)" in response.get_data(as_text=True)
    response = post_form(officer, "/receipts/2025/upload", {"file": (io.BytesIO(
        (RECEIPT_HEADER + "77777777777777,Small\x0bQuarry,ROYALTY,MNR,1,KGS,\n").encode()), "r.csv")},
        form_page="/receipts/2025", content_type="multipart/form-data")
    assert response.status_code == 422 and "(U+000B)" in response.get_data(as_text=True)
    assert _count(app, GovernmentReceipt) == receipts
