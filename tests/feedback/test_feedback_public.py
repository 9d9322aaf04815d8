"""The public record of residents' cases: the list, a case, photos, statistics, the open-data files and
the public API; what a resident wrote privately (name, contact, own words) never reaches any of them."""
from __future__ import annotations

import csv
import io
import re

import pytest
from PIL import Image
from sqlalchemy import select

from esg_portal.accounts.models import Role, User
from esg_portal.extensions import db
from esg_portal.feedback import services
from esg_portal.feedback.models import FeedbackCase
from esg_portal.feedback.register import Register

from publication_support import demo, publish  # noqa: F401  (fixture)
from test_photos import jpeg_with_gps

NAME, CONTACT = "Marker Resident Kw52", "marker.kw52@example.kg"
PRIVATE_TEXT = "Private words Kw52 of the resident, with the neighbour's phone 0555 123 456"
PUBLIC_TEXT = "Dust from the trucks covers the gardens of the village."
REPLY = "My reply Kw52 that nobody moderated"
MARKERS = ("Kw52", NAME, CONTACT, "0555 123 456")


def _user(role: Role) -> User:
    return db.session.scalar(select(User).where(User.role == role).order_by(User.id))


def _filer(inn: str) -> User:
    from esg_portal.companies.models import Company
    company = db.session.scalar(select(Company).where(Company.inn == inn))
    return db.session.scalar(select(User).where(User.role == Role.COMPANY_FILER, User.company_id == company.id))


@pytest.fixture
def record(demo):  # noqa: F811
    """A published year and three cases: a public appeal naming a commitment, with a photo and an
    unmoderated reply; a case still waiting for registration; a rejected one."""
    assert publish(demo).status_code == 201
    with demo.app_context():
        commitment = next(c for c in Register().commitments() if c.section == "social_agreements")
        secretariat = _user(Role.SECRETARIAT)
        appeal = services.submit_case({
            "kind": "appeal", "subject": {"company_inn": commitment.company_inn}, "category": "social_package",
            "language": "en", "text": PRIVATE_TEXT, "name": NAME, "contact": CONTACT, "aiyl_okmotu": "Kemin",
            "commitment": commitment.key}, [(jpeg_with_gps(), "garden.jpg")])
        services.register_case(secretariat, appeal.case, expected=None, public_text=PUBLIC_TEXT, is_public=True,
                               addressee="company", company_inn=commitment.company_inn)
        services.post_answer(_filer(commitment.company_inn), appeal.case, expected=None, final=True,
                             text="We water the road twice a day.")
        services.resident_reply(appeal.case, text=REPLY)
        waiting = services.submit_case({"kind": "anonymous", "subject": {"place": "Kok-Jar"}, "category": "water",
                                        "language": "en", "text": "Waiting text Kw52 not registered yet."})
        rejected = services.submit_case({"kind": "anonymous", "subject": {"place": "Kok-Jar"}, "category": "other",
                                         "language": "en", "text": "Rejected text Kw52, an advertisement."})
        services.reject_case(secretariat, rejected.case, expected=None, reason="An advertisement.")
        db.session.commit()
        return {"app": demo, "appeal": appeal.case.code, "waiting": waiting.case.code,
                "rejected": rejected.case.code, "inn": commitment.company_inn, "commitment": commitment,
                "photo": appeal.case.photos[0].id, "secret": appeal.secret}


def _public_addresses(record) -> list[str]:
    return ["/feedback", f"/feedback/{record['appeal']}", "/feedback/statistics",
            "/feedback/statistics?by=site", "/feedback/statistics?by=aiyl_okmotu", "/feedback/cases.csv",
            "/feedback/cases.json", "/api/v1/public/feedback", f"/companies/{record['inn']}",
            f"/feedback?commitment={record['commitment'].key}"]


@pytest.mark.parametrize("language", ["en", "ru", "ky"])
def test_no_name_contact_or_private_words_on_any_public_page_or_file(record, language) -> None:
    client = record["app"].test_client()
    for address in _public_addresses(record):
        separator = "&" if "?" in address else "?"
        response = client.get(address if address.startswith("/api/") else f"{address}{separator}lang={language}")
        assert response.status_code == 200, address
        body = response.get_data(as_text=True)
        for marker in MARKERS:
            assert marker not in body, (address, marker)
    # the moderated text is what the public reads
    for address in ("/feedback", f"/feedback/{record['appeal']}", "/feedback/cases.csv", "/feedback/cases.json",
                    "/api/v1/public/feedback"):
        assert PUBLIC_TEXT in client.get(address).get_data(as_text=True), address


def test_a_case_not_registered_or_rejected_is_not_public(record) -> None:
    client = record["app"].test_client()
    for code in (record["waiting"], record["rejected"]):
        assert client.get(f"/feedback/{code}").status_code == 404
        assert code not in client.get("/feedback").get_data(as_text=True)
        assert code not in client.get("/feedback/cases.csv").get_data(as_text=True)
    assert client.get("/feedback/KG-0000-0000").status_code == 404


def test_a_photo_is_public_only_once_moderated_and_never_with_its_gps(record) -> None:
    app, client = record["app"], record["app"].test_client()
    assert client.get(f"/feedback/photos/{record['photo']}").status_code == 404
    assert f"/feedback/photos/{record['photo']}" not in client.get(f"/feedback/{record['appeal']}").get_data(
        as_text=True)
    with app.app_context():
        case = db.session.scalar(select(FeedbackCase).where(FeedbackCase.code == record["appeal"]))
        services.moderate_case(_user(Role.SECRETARIAT), case, expected=None, public_text=PUBLIC_TEXT, is_public=True,
                               entry_texts={}, public_photos={record["photo"]})
        db.session.commit()
    assert f"/feedback/photos/{record['photo']}" in client.get(f"/feedback/{record['appeal']}").get_data(as_text=True)
    served = client.get(f"/feedback/photos/{record['photo']}")
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    assert b"MarkerCam" not in served.data and not Image.open(io.BytesIO(served.data)).getexif()


def test_the_open_data_files_carry_the_licence_and_the_same_cases(record) -> None:
    client = record["app"].test_client()
    document = client.get("/feedback/cases.json").get_json()
    assert document["licence"] == "https://creativecommons.org/licenses/by/4.0/"
    rows = list(csv.DictReader(io.StringIO(client.get("/feedback/cases.csv").get_data(as_text=True).lstrip("\ufeff"))))
    assert [r["code"] for r in rows] == [c["code"] for c in document["cases"]] == [record["appeal"]]
    case = document["cases"][0]
    assert case["kind"] == "appeal" and case["state"] == "answered" and case["company_inn"] == record["inn"]
    assert case["commitment"] == record["commitment"].key and case["answer"] == "We water the road twice a day."
    assert case["received_at"].endswith("Z") and case["registered_at"] and case["answered_at"]
    assert set(case) == set(rows[0])
    assert "creativecommons" in client.get("/feedback/cases.csv").headers["Link"]


def test_the_public_api_filters_pages_and_refuses_unknown_filters(record) -> None:
    client = record["app"].test_client()
    whole = client.get("/api/v1/public/feedback").get_json()
    assert whole["total"] == 1 and whole["limit"] == 100 and whole["data"][0]["code"] == record["appeal"]
    assert client.get(f"/api/v1/public/feedback?company={record['inn']}").get_json()["total"] == 1
    assert client.get("/api/v1/public/feedback?category=water").get_json()["total"] == 0
    assert client.get("/api/v1/public/feedback?limit=1&offset=1").get_json()["data"] == []
    refused = client.get("/api/v1/public/feedback?name=x")
    assert refused.status_code == 400 and "Unknown filter" in refused.get_json()["error"]["message"]
    first = client.get("/api/v1/public/feedback")
    assert client.get("/api/v1/public/feedback", headers={"If-None-Match": first.headers["ETag"]}).status_code == 304


def test_the_company_page_shows_its_figures_and_the_cases_naming_a_commitment(record) -> None:
    app, client = record["app"], record["app"].test_client()
    page = client.get(f"/companies/{record['inn']}")
    html = page.get_data(as_text=True)
    assert 'id="feedback-figures"' in html and "Not rated: fewer than 10 cases." in html
    commitment = record["commitment"]
    row = html[html.index(f'id="commitment-social_agreements-{commitment.item}"'):]
    assert row.index(f'href="/feedback?commitment={commitment.key}">1 resident\'s case</a>') < row.index("</tr>")
    assert record["appeal"] in client.get(f"/feedback?commitment={commitment.key}").get_data(as_text=True)
    # a new case changes the page (its ETag names the cases too, not only the releases)
    with app.app_context():
        services.submit_case({"kind": "anonymous", "subject": {"company_inn": record["inn"]}, "category": "noise_blasting",
                              "language": "en", "text": "Blasting at night shakes the windows."})
        db.session.commit()
    again = client.get(f"/companies/{record['inn']}", headers={"If-None-Match": page.headers["ETag"]})
    assert again.status_code == 200 and again.headers["ETag"] != page.headers["ETag"]


def test_statistics_group_by_company_site_and_aiyl_okmotu(record) -> None:
    client = record["app"].test_client()
    by_company = client.get("/feedback/statistics").get_data(as_text=True)
    assert f'data-key="{record["inn"]}"' in by_company
    assert 'data-key="Kemin"' in client.get("/feedback/statistics?by=aiyl_okmotu").get_data(as_text=True)
    assert client.get("/feedback/statistics?by=name").status_code == 404


def test_the_list_pages_through_many_cases(record, monkeypatch) -> None:
    from esg_portal.feedback import queries
    monkeypatch.setattr(queries, "PAGE_SIZE", 2)
    app, client = record["app"], record["app"].test_client()
    with app.app_context():
        secretariat = _user(Role.SECRETARIAT)
        for n in range(4):
            made = services.submit_case({"kind": "anonymous", "subject": {"place": f"Village {n}"},
                                         "category": "roads_traffic", "language": "en",
                                         "text": f"The road to village {n} is broken by the trucks."})
            services.register_case(secretariat, made.case, expected=None, public_text=f"Road {n} is broken.",
                                   is_public=True, addressee="secretariat")
        db.session.commit()
    seen = []
    for page in (1, 2, 3):
        seen += re.findall(r'<li class="card" id="case-([A-Z0-9-]+)"', client.get(f"/feedback?page={page}").get_data(
            as_text=True))
    every = [c["code"] for c in client.get("/feedback/cases.json").get_json()["cases"]]
    assert len(every) == 5 and seen == every  # newest first, each case on exactly one page
    assert "Page 3 of 3" in client.get("/feedback?page=3").get_data(as_text=True)
