"""Visitors' public pages are rendered once per release, language and address, then served as stored;
a new release changes them, signed-in users and pages with a flashed message are never served from it."""
from __future__ import annotations

import pytest
from flask import Flask

from publication_support import publish
from support import login
from esg_portal.public import pages


@pytest.fixture
def counted(demo: Flask, monkeypatch) -> list[str]:
    """Every build of the companies page's view (the work a cached page spares)."""
    built: list[str] = []
    original = pages.companies

    def counting(*args, **kwargs):
        built.append("companies")
        return original(*args, **kwargs)

    monkeypatch.setattr(pages, "companies", counting)
    return built


def test_the_second_visitor_gets_the_stored_page(demo: Flask, counted: list[str]) -> None:
    assert publish(demo).status_code == 201
    first = demo.test_client().get("/companies?lang=en")
    second = demo.test_client().get("/companies?lang=en")
    assert first.status_code == second.status_code == 200
    assert first.get_data() == second.get_data() and first.headers["ETag"] == second.headers["ETag"]
    assert counted == ["companies"]
    # another language is another page
    russian = demo.test_client().get("/companies?lang=ru")
    assert russian.get_data() != first.get_data() and counted == ["companies"] * 2


def test_a_new_release_is_shown_at_once(demo: Flask, counted: list[str]) -> None:
    from sqlalchemy import select

    from publication_support import YEAR, secretariat
    from esg_portal.disclosure.models import Disclosure, DisclosureStatus
    from esg_portal.disclosure.review import accept_disclosure
    from esg_portal.eiti.publication.services import publish_release
    from esg_portal.extensions import db
    assert publish(demo).status_code == 201
    before = demo.test_client().get("/companies?lang=en")
    with demo.app_context():
        # a filing under review is accepted: the next release (v2) holds one company more
        pending = db.session.scalars(select(Disclosure).where(Disclosure.status == DisclosureStatus.SUBMITTED)).first()
        accept_disclosure(secretariat(demo), pending)
        assert publish_release(secretariat(demo), YEAR).version == 2
        db.session.commit()
    after = demo.test_client().get("/companies?lang=en")
    assert after.headers["ETag"] != before.headers["ETag"] and after.get_data() != before.get_data()
    assert counted == ["companies", "companies"]


def test_signed_in_users_and_flashed_messages_are_never_served_from_the_store(demo: Flask,
                                                                             counted: list[str]) -> None:
    assert publish(demo).status_code == 201
    demo.test_client().get("/companies?lang=en")
    staff = demo.test_client()
    login(staff, "secretariat@demo.kg", "demo-pass-2025")
    page = staff.get("/companies?lang=en")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert len(counted) == 2
    assert staff.post("/logout", data={"csrf_token": _token(staff)}).status_code == 302
    farewell = staff.get("/companies?lang=en")
    assert farewell.status_code == 200 and len(counted) == 3
    # and the page with the flashed message was not kept for the next visitor
    next_visitor = demo.test_client().get("/companies?lang=en").get_data(as_text=True)
    assert 'class="flash' not in next_visitor


def _token(client) -> str:
    import re
    html = client.get("/").get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    return match.group(1) if match else ""
