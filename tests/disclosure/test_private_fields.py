"""Beneficial owners' dates of birth and identity documents: stored apart and never published.

A filer PUTs owners with their private fields; the values are then looked for everywhere the
filing goes: the API body, the hash input, the BODS export, the receipt PDF, the version page,
the version difference, the audit trail, and the secretariat's review page — where they may
appear only inside the beneficial owners section, which that page shows with the private fields
(``restricted_view``; the page is the secretariat's alone).
"""
from __future__ import annotations

import datetime as dt
import re
import subprocess
from pathlib import Path

import pytest
from babel.dates import format_date
from flask import Flask
from sqlalchemy import select

from support import PASSWORD, login
from esg_portal.accounts.models import Role, User
from esg_portal.audit import AuditEvent
from esg_portal.disclosure import bods
from esg_portal.disclosure.document import _hashed_part, canonical_json, document_sha256, filing_document
from esg_portal.disclosure.models import Disclosure, DisclosureSection
from esg_portal.disclosure.pages.receipt import receipt_pdf
from esg_portal.disclosure.sections.services import restricted_view
from esg_portal.extensions import db

API = "/api/v1"
INN = "04567890123456"
BIRTH = (dt.date(1958, 11, 27), dt.date(1983, 2, 9))
DOCUMENTS = ("Паспорт AN7391046", "Passport 533380006")
PUBLIC = [
    {"surname": "Жумабекова", "given_name": "Нурзат", "patronymic": "Эркиновна", "nationality": "KG",
     "country_of_residence": "KG", "ownership_pct": "70", "voting_pct": "70", "direct_or_indirect": "direct",
     "means_of_control": ["shares", "voting_rights"], "control_details": "", "is_pep": False, "pep_position": ""},
    {"surname": "Whitfield", "given_name": "Oliver", "patronymic": "", "nationality": "GB",
     "country_of_residence": "GB", "ownership_pct": "30", "voting_pct": None, "direct_or_indirect": "indirect",
     "means_of_control": ["shares"], "control_details": "Through Tian Shan Holdings Ltd (Cyprus)", "is_pep": False,
     "pep_position": ""},
]
PRIVATE = [{"date_of_birth": BIRTH[0].isoformat(), "id_document": DOCUMENTS[0]},
           {"date_of_birth": BIRTH[1].isoformat(), "id_document": DOCUMENTS[1]}]
WITH_PRIVATE = [{**item, **extra} for item, extra in zip(PUBLIC, PRIVATE)]


def secrets() -> list[str]:
    """Every way a private value could be written: ISO dates, dates as pages and PDFs format them
    (any format, English and Russian), document numbers with and without their type."""
    found = [*DOCUMENTS, "AN7391046", "533380006"]
    for date in BIRTH:
        found.append(date.isoformat())
        for locale in ("en", "ru", "ky"):
            for form in ("short", "medium", "long", "full"):
                found.append(format_date(date, form, locale=locale))
        found.append(date.strftime("%d.%m.%Y"))
    return found


def leaks(text: str) -> list[str]:
    text = re.sub(r"[\u00a0\u202f]", " ", text)
    return [secret for secret in secrets() if secret in text]


@pytest.fixture
def filed(app: Flask, factory) -> dict:
    """A filing with owners PUT through the API (private fields included) and submitted."""
    period = factory.period(2025)
    company = factory.company("ОсОО «Тянь-Шань Тест Голд»", inn=INN)
    ids = {
        "company": company,
        "licence": factory.licence(company, "KG-0505-AP"),
        "filer": factory.user(Role.COMPANY_FILER, "filer@test.kg", company_id=company, is_signatory=True),
        "secretariat": factory.user(Role.SECRETARIAT, "secretariat@test.kg"),
        "admin": factory.user(Role.ADMIN, "admin@test.kg"),
        "period": period,
    }
    client = app.test_client()
    token = client.post(f"{API}/auth/token", json={"email": "filer@test.kg", "password": PASSWORD}).get_json()["token"]
    ids["headers"] = {"Authorization": f"Bearer {token}"}
    response = client.put(f"{API}/filings/2025/beneficial_owners", json=WITH_PRIVATE, headers=ids["headers"])
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"lines": 2}
    ids["draft_body"] = client.get(f"{API}/filings/2025", headers=ids["headers"]).get_json()
    submitted = client.post(f"{API}/filings/2025/submit", headers=ids["headers"],
                            json={"attested_by_name": "Нурзат Жумабекова", "attested_by_position": "Директор"})
    assert submitted.status_code == 200, submitted.get_json()
    ids["sha256"] = submitted.get_json()["sha256"]
    ids["version"] = submitted.get_json()["version"]
    with app.app_context():
        ids["disclosure"] = db.session.scalar(select(Disclosure.id).where(Disclosure.company_id == company))
    return ids


def test_put_stores_private_fields_apart_and_get_never_returns_them(app, filed) -> None:
    body = app.test_client().get(f"{API}/filings/2025", headers=filed["headers"])
    assert body.status_code == 200
    assert body.get_json()["sections"]["beneficial_owners"] == PUBLIC
    assert filed["draft_body"]["sections"]["beneficial_owners"] == PUBLIC
    for text in (body.get_data(as_text=True), str(filed["draft_body"])):
        assert leaks(text) == []
    with app.app_context():
        row = db.session.scalar(select(DisclosureSection).where(DisclosureSection.section == "beneficial_owners"))
        assert row.restricted == PRIVATE
        assert leaks(str(row.data)) == []


def test_the_secretariats_own_view_has_them(app, filed) -> None:
    with app.app_context():
        view = restricted_view(db.session.get(Disclosure, filed["disclosure"]), "beneficial_owners")
    assert view == WITH_PRIVATE


def test_the_hash_input_and_the_document_leave_them_out(app, filed) -> None:
    with app.app_context():
        disclosure = db.session.get(Disclosure, filed["disclosure"])
        hashed = canonical_json(_hashed_part(disclosure)).decode("utf-8")
        document = filing_document(disclosure)
    assert leaks(hashed) == [] and "Жумабекова" in hashed
    assert document_sha256(document) == filed["sha256"]


def test_the_bods_export_leaves_them_out(app, filed) -> None:
    with app.app_context():
        disclosure = db.session.get(Disclosure, filed["disclosure"])
        text = bods.bods_json(bods.bods_statements(disclosure)).decode("utf-8")
        filename, body = bods.bods_export(db.session.get(User, filed["secretariat"]), filed["disclosure"])
    assert leaks(text) == [] and leaks(body.decode("utf-8")) == []
    assert "Жумабекова" in text and "Whitfield" in text


def pdf_text(tmp_path: Path, data: bytes) -> str:
    path = tmp_path / "receipt.pdf"
    path.write_bytes(data)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, timeout=60)
    return out.stdout.decode("utf-8")


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_the_receipt_pdf_leaves_them_out(app, filed, tmp_path, lang) -> None:
    with app.test_request_context(f"/?lang={lang}"):
        for who in ("filer", "secretariat"):
            _name, pdf = receipt_pdf(db.session.get(User, filed[who]), filed["disclosure"], lang)
            text = pdf_text(tmp_path, pdf)
            assert leaks(text) == [], who
            # the receipt shows the owners (esg_sections of the receipt), without the private fields
            assert "Whitfield" in " ".join(text.split()), who


def test_the_version_page_of_the_filer_leaves_them_out(app, filed) -> None:
    client = app.test_client()
    login(client, "filer@test.kg")
    for lang in ("en", "ru", "ky"):
        page = client.get(f"/disclosures/{filed['disclosure']}?lang={lang}")
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        assert leaks(html) == [], lang
        # the page shows the beneficial owners section, with the owners' names
        assert 'id="esg-beneficial_owners"' in html and "Жумабекова" in html


def test_the_secretariat_sees_them_only_in_the_owners_section_of_the_review_page(app, filed) -> None:
    client = app.test_client()
    login(client, "secretariat@test.kg")
    for path in (f"/disclosures/{filed['disclosure']}", f"/review/filings/{filed['disclosure']}"):
        page = client.get(path)
        assert page.status_code == 200, path
        html = page.get_data(as_text=True)
        owners = re.search(r'<section[^>]*id="esg-beneficial_owners".*?</section>', html, re.S)
        assert owners is not None and "Жумабекова" in owners.group(0), path
        # nowhere outside the owners section (headings, lists, links, the difference, the profile)
        assert leaks(html.replace(owners.group(0), "")) == [], path
        if path.startswith("/review/"):
            # the secretariat's own view (restricted_view) inside the owners section
            assert DOCUMENTS[0] in owners.group(0) and DOCUMENTS[1] in owners.group(0)
        else:
            assert leaks(owners.group(0)) == []


def test_other_roles_cannot_reach_the_review_page(app, filed) -> None:
    client = app.test_client()
    login(client, "filer@test.kg")
    assert client.get(f"/review/filings/{filed['disclosure']}").status_code == 403


def test_an_amendment_keeps_them_apart_and_the_difference_leaves_them_out(app, filed) -> None:
    client = app.test_client()
    amended = client.post(f"{API}/filings/2025/amendments", json={"reason": "Доля изменилась"},
                          headers=filed["headers"])
    assert amended.status_code == 201
    with app.app_context():
        draft = db.session.scalar(select(Disclosure).where(Disclosure.version == 2))
        assert draft.section_row("beneficial_owners").restricted == PRIVATE
        draft_id = draft.id
    changed = [{**PUBLIC[0], "ownership_pct": "75", "voting_pct": "75"}, {**PUBLIC[1], "ownership_pct": "25"}]
    # a PUT without the private fields replaces them with nothing, as a PUT replaces the section
    assert client.put(f"{API}/filings/2025/beneficial_owners", json=changed,
                      headers=filed["headers"]).status_code == 200
    with app.app_context():
        row = db.session.get(Disclosure, draft_id).section_row("beneficial_owners")
        assert row.restricted == [{"date_of_birth": None, "id_document": ""}] * 2
    login(client, "filer@test.kg")
    page = client.get(f"/disclosures/{draft_id}/diff")
    assert page.status_code == 200
    assert leaks(page.get_data(as_text=True)) == []


def test_the_audit_trail_never_holds_them(app, filed) -> None:
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.table_name == "disclosure_section")).all()
        assert events
        assert leaks(" ".join(str(event.changes) for event in events)) == []
        assert any(event.changes.get("restricted") for event in events)  # the change itself is recorded
    client = app.test_client()
    login(client, "admin@test.kg")
    page = client.get("/admin/audit")
    assert page.status_code == 200 and leaks(page.get_data(as_text=True)) == []
