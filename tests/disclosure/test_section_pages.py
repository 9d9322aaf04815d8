"""The filer's ESG section pages: list, add and edit items through the generic form, errors next to inputs,
repeated rows, deletion, read-only after submission, and who may open them."""
from __future__ import annotations

import re

import pytest
from flask import Flask
from sqlalchemy import select

from support import item_paths, login, post_form
from esg_portal.disclosure.models import Disclosure, DisclosureSection
from esg_portal.extensions import db

PAGE = "/disclosures/filing/2025/sections/production"


def _filer(app: Flask, email: str = "filer@test.kg"):
    client = app.test_client()
    login(client, email)
    return client


def _production(app: Flask, company_id: int) -> list | None:
    with app.app_context():
        stmt = (select(DisclosureSection).join(Disclosure)
                .where(Disclosure.company_id == company_id, DisclosureSection.section == "production"))
        row = db.session.scalar(stmt)
        return None if row is None else row.data


def test_a_filer_adds_edits_and_deletes_a_production_item(app: Flask, world) -> None:
    filer = _filer(app)
    page = filer.get(PAGE)
    assert page.status_code == 200 and "Nothing filed in this section" in page.get_data(as_text=True)
    response = post_form(filer, f"{PAGE}/items/new", {
        "mineral": "SB", "mineral_name": "", "project": "", "unit": "t", "produced_volume": "1 250,5",
        "produced_value_kgs": "98 000 000", "exported_volume": "", "exported_value_kgs": "", "comment": "",
    }, headers={"Accept-Language": "ru"})
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    stored = _production(app, world["own_company"])
    assert stored == [{"mineral": "SB", "mineral_name": "", "project": "", "unit": "t", "produced_volume": "1250.5",
                       "produced_value_kgs": 9800000000, "exported_volume": None, "exported_value_kgs": None,
                       "comment": ""}]
    shown = filer.get(PAGE).get_data(as_text=True)
    assert "98,000,000.00" in shown and "1,250.5" in shown
    [item] = item_paths(filer, PAGE)
    edit = filer.get(item)
    assert edit.status_code == 200 and 'value="1250.5"' in edit.get_data(as_text=True)
    post_form(filer, item, {"mineral": "SB", "project": "", "unit": "kg", "produced_volume": "7"})
    assert _production(app, world["own_company"])[0]["unit"] == "kg"
    post_form(filer, f"{item}/delete", {"confirmed": "1"}, form_page=PAGE)
    assert _production(app, world["own_company"]) is None


def test_errors_come_back_next_to_the_inputs_and_nothing_is_stored(app: Flask, world) -> None:
    filer = _filer(app)
    response = post_form(filer, f"{PAGE}/items/new", {
        "mineral": "GOLD", "project": "", "unit": "t", "produced_volume": "abc"}, form_page=f"{PAGE}/items/new")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert re.search(r'id="mineral-error"[^>]*>[^<]*not a known code', html)
    assert 'id="produced_volume-error"' in html
    assert _production(app, world["own_company"]) is None


def test_the_form_refuses_another_companys_licence(app: Flask, world) -> None:
    filer = _filer(app)
    with app.app_context():
        from esg_portal.companies.models import License
        other_licence = db.session.get(License, world["other_licence"]).number
    response = post_form(filer, f"{PAGE}/items/new", {"mineral": "SB", "project": other_licence, "unit": "t",
                                                      "produced_volume": "1"}, form_page=f"{PAGE}/items/new")
    assert response.status_code == 422 and 'id="project-error"' in response.get_data(as_text=True)


def test_a_submitted_version_is_read_only(app: Flask, world, factory) -> None:
    filer = _filer(app)
    post_form(filer, f"{PAGE}/items/new", {"mineral": "SB", "project": "", "unit": "t", "produced_volume": "1"},
              form_page=f"{PAGE}/items/new")
    with app.app_context():
        disclosure = db.session.get(Disclosure, world["own_disclosure"])
        from esg_portal.disclosure.models import DisclosureStatus
        disclosure.status = DisclosureStatus.SUBMITTED
        db.session.commit()
    page = filer.get(PAGE).get_data(as_text=True)
    assert 'id="add-item"' not in page and 'id="edit-production-0"' not in page
    assert filer.get(f"{PAGE}/items/new").status_code == 409
    with app.app_context():
        [item_id] = db.session.scalar(select(DisclosureSection.item_ids).where(
            DisclosureSection.disclosure_id == world["own_disclosure"], DisclosureSection.section == "production"))
    assert post_form(filer, f"{PAGE}/items/{item_id}/delete", {"confirmed": "1"}, form_page=PAGE).status_code == 409


@pytest.mark.parametrize("who", ["officer@test.kg", "secretariat@test.kg", "admin@test.kg"])
def test_only_company_filers_open_section_pages(app: Flask, world, who: str) -> None:
    client = _filer(app, who)
    assert client.get(PAGE).status_code == 403
    assert client.get(f"{PAGE}/items/new").status_code == 403


def test_another_company_never_sees_the_items(app: Flask, world) -> None:
    filer = _filer(app)
    post_form(filer, f"{PAGE}/items/new", {"mineral": "SB", "project": "", "unit": "t", "produced_volume": "4321",
                                           "comment": "secret-comment"}, form_page=f"{PAGE}/items/new")
    [item] = item_paths(filer, PAGE)
    other = _filer(app, "other@test.kg")
    assert "secret-comment" not in other.get(PAGE).get_data(as_text=True)
    assert other.get(item).status_code == 404


def test_a_production_file_replaces_the_items_or_nothing_changes(app: Flask, world) -> None:
    import io
    filer = _filer(app)
    template = filer.get(f"{PAGE}/template.csv")
    assert template.status_code == 200
    header = template.get_data(as_text=True).splitlines()[0].lstrip("\ufeff")
    assert header.split(",")[:4] == ["mineral", "unit", "produced_volume", "mineral_name"]
    good = (header + "\nSB,t,\"1 250,5\",,,98000000,,,\nother,troy_oz,3200.25,Алтын,,,,,\n").encode("utf-8")
    response = filer.post(f"{PAGE}/upload", data={"file": (io.BytesIO(good), "production.csv"),
                                                 "csrf_token": _token(filer, f"{PAGE}/upload")},
                          headers={"Accept-Language": "ru"}, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    stored = _production(app, world["own_company"])
    assert [item["produced_volume"] for item in stored] == ["1250.5", "3200.25"]
    assert stored[1]["mineral_name"] == "Алтын"
    bad = (header + "\nSB,t,abc,,,,,,\nGOLD,t,1,,,,,,\n").encode("utf-8")
    response = filer.post(f"{PAGE}/upload", data={"file": (io.BytesIO(bad), "production.csv"),
                                                 "csrf_token": _token(filer, f"{PAGE}/upload")},
                          content_type="multipart/form-data")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert html.count("<tr><th scope=\"row\"") == 2 and "produced_volume" in html and "GOLD" in html
    assert _production(app, world["own_company"]) == stored


def _token(client, path: str) -> str:
    from support import csrf_token
    return csrf_token(client, path)


def test_the_version_page_and_the_receipt_show_every_esg_section(app: Flask, world) -> None:
    import subprocess
    import tempfile
    from pathlib import Path
    filer = _filer(app)
    post_form(filer, f"{PAGE}/items/new", {"mineral": "SB", "project": "", "unit": "t", "produced_volume": "4321",
                                           "comment": "Сурьма концентраты"}, form_page=f"{PAGE}/items/new")
    with app.app_context():
        from esg_portal.disclosure.models import DisclosureStatus
        from esg_portal.disclosure.services import seal_version
        disclosure = db.session.get(Disclosure, world["own_disclosure"])
        disclosure.status = DisclosureStatus.SUBMITTED
        from esg_portal.audit import utcnow
        disclosure.submitted_at = utcnow().replace(microsecond=0)
        seal_version(disclosure)
        db.session.commit()
    html = filer.get(f"/disclosures/{world['own_disclosure']}").get_data(as_text=True)
    assert 'id="esg-production"' in html and "Сурьма концентраты" in html and "4,321" in html
    assert 'id="esg-eia"' in html  # an empty section is listed too, as not filed
    pdf = filer.get(f"/disclosures/{world['own_disclosure']}/receipt.pdf?lang=ru")
    assert pdf.status_code == 200
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "r.pdf"
        path.write_bytes(pdf.data)
        text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                              check=True).stdout
    assert "Сурьма концентраты" in text and "4 321" in text.replace("\u00a0", " ")


def test_the_difference_between_versions_names_esg_fields_and_items(app: Flask, world) -> None:
    from esg_portal.disclosure.diff import diff_documents
    old = {"sections": {"production": [{"mineral": "SB", "produced_volume": "1"}], "workforce": {"a": 1}}}
    new = {"sections": {"production": [{"mineral": "SB", "produced_volume": "2"}, {"mineral": "W"}],
                        "workforce": {"a": 2}}}
    changes = {(c.section, c.item, c.field) for c in diff_documents(old, new)}
    assert changes == {("production", "1", "produced_volume"), ("production", "2", "*added*"),
                       ("workforce", "", "a")}
    filer = _filer(app)
    post_form(filer, f"{PAGE}/items/new", {"mineral": "SB", "project": "", "unit": "t", "produced_volume": "4321"},
              form_page=f"{PAGE}/items/new")
    with app.app_context():
        from esg_portal.audit import utcnow
        from esg_portal.disclosure.models import DisclosureStatus
        from esg_portal.disclosure.services import seal_version
        disclosure = db.session.get(Disclosure, world["own_disclosure"])
        disclosure.status, disclosure.submitted_at = DisclosureStatus.SUBMITTED, utcnow().replace(microsecond=0)
        seal_version(disclosure)
        db.session.commit()
    assert post_form(filer, "/disclosures/filing/2025/amend", {"reason": "volume corrected"}).status_code == 302
    [item] = item_paths(filer, PAGE)
    post_form(filer, item, {"mineral": "SB", "project": "", "unit": "t", "produced_volume": "4322"})
    with app.app_context():
        latest = db.session.scalar(select(Disclosure).where(Disclosure.company_id == world["own_company"])
                                   .order_by(Disclosure.version.desc()))
        latest_id = latest.id
    html = filer.get(f"/disclosures/{latest_id}/diff").get_data(as_text=True)
    assert "Volume produced" in html and "4,321" in html and "4,322" in html


def test_the_demo_draft_shows_what_was_carried_over_until_the_filer_confirms(app: Flask) -> None:
    from esg_portal.demo.loader import DEMO_PASSWORD, load_demo
    with app.app_context():
        load_demo()
        db.session.commit()
    filer = app.test_client()
    login(filer, "filer1@demo.kg", DEMO_PASSWORD)
    filing = filer.get("/disclosures/filing/2025").get_data(as_text=True)
    assert 'id="carried-profile"' in filing and 'id="carried-beneficial_owners"' in filing
    assert 'id="open-attachments"' in filing
    owners = filer.get("/disclosures/filing/2025/sections/beneficial_owners").get_data(as_text=True)
    assert 'id="carried-over-note"' in owners and 'id="beneficial_owners-item-0"' in owners
    post_form(filer, "/disclosures/filing/2025/sections/profile/confirm", {}, form_page="/disclosures/filing/2025")
    post_form(filer, "/disclosures/filing/2025/sections/beneficial_owners/confirm", {},
              form_page="/disclosures/filing/2025/sections/beneficial_owners")
    filing = filer.get("/disclosures/filing/2025").get_data(as_text=True)
    assert 'id="carried-profile"' not in filing and 'id="carried-beneficial_owners"' not in filing
    assert post_form(filer, "/disclosures/filing/2025/sections/nonsense/confirm", {},
                     form_page="/disclosures/filing/2025").status_code == 404


def test_the_version_and_the_review_list_the_files_with_working_links(app: Flask, world, tmp_path) -> None:
    from attachment_files import pdf_bytes, temporary_attachments_dir
    from esg_portal.accounts.models import User
    from esg_portal.audit import utcnow
    from esg_portal.disclosure.attachments import store_attachment
    from esg_portal.disclosure.models import DisclosureStatus
    from esg_portal.disclosure.services import seal_version
    temporary_attachments_dir(app, tmp_path)
    with app.test_request_context("/?lang=en"):
        disclosure = db.session.get(Disclosure, world["own_disclosure"])
        data = pdf_bytes()
        attachment = store_attachment(db.session.get(User, world["filer"]), disclosure, data,
                                      "eia-conclusion.pdf", "EIA conclusion")
        disclosure.status, disclosure.submitted_at = DisclosureStatus.SUBMITTED, utcnow().replace(microsecond=0)
        seal_version(disclosure)
        db.session.commit()
        link = f"/attachments/{attachment.id}"
    filer = _filer(app)
    assert link in filer.get(f"/disclosures/{world['own_disclosure']}").get_data(as_text=True)
    secretariat = _filer(app, "secretariat@test.kg")
    review = secretariat.get(f"/review/filings/{world['own_disclosure']}").get_data(as_text=True)
    assert link in review and "eia-conclusion.pdf" in review
    with secretariat.get(link) as download:
        assert download.status_code == 200 and download.data == data
