"""The inbox: the header's unread count, the list in the reader's language, mark read (one, all), the
API of INTERFACES §4 for every role, and nobody reads or marks another person's notifications."""
from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select

from support import login, post_form
from esg_portal.accounts.models import Role, User
from esg_portal.accounts.tokens import create_token
from esg_portal.extensions import db
from esg_portal.notifications import Event, notify
from esg_portal.notifications.models import Notification

ROLES = {"filer@test.kg": Role.COMPANY_FILER, "officer@test.kg": Role.AGENCY_OFFICER,
         "secretariat@test.kg": Role.SECRETARIAT, "admin@test.kg": Role.ADMIN}


@pytest.fixture
def told(app: Flask, factory) -> dict[str, int]:
    """Each role told of a published release (in Russian for the filer), and another user told something."""
    company = factory.company("Own Mining LLC")
    ids = {"filer@test.kg": factory.user(Role.COMPANY_FILER, "filer@test.kg", company_id=company, language="ru"),
           "officer@test.kg": factory.user(Role.AGENCY_OFFICER, "officer@test.kg", agency_code="STS"),
           "secretariat@test.kg": factory.user(Role.SECRETARIAT, "secretariat@test.kg"),
           "admin@test.kg": factory.user(Role.ADMIN, "admin@test.kg"),
           "stranger": factory.user(Role.COMPANY_FILER, "stranger@test.kg", company_id=company)}
    with app.app_context():
        users = [db.session.get(User, ids[email]) for email in ROLES]
        notify(Event.RELEASE_PUBLISHED, users, {"year": 2025, "version": 3}, "/open-data/2025/v3/")
        [secret] = notify(Event.FILING_QUERY, [db.session.get(User, ids["stranger"])],
                          {"year": 2025, "version": 1, "company": "Own Mining LLC", "question": "planted-secret"},
                          "/disclosures/filing/2025#queries")
        ids["secret"] = secret.id
        db.session.commit()
    return ids


def test_the_header_counts_unread_and_the_inbox_marks_read(app: Flask, told) -> None:
    client = app.test_client()
    login(client, "filer@test.kg")
    home = client.get("/").get_data(as_text=True)
    assert 'id="unread-count">1<' in home
    inbox = client.get("/notifications").get_data(as_text=True)
    assert "Опубликованы данные ИПДО за 2025 год" in inbox and "planted-secret" not in inbox
    with app.app_context():
        mine = db.session.scalar(select(Notification.id).where(Notification.user_id == told["filer@test.kg"]))
    opened = post_form(client, f"/notifications/{mine}/read", {}, form_page="/notifications")
    assert opened.status_code == 302 and opened.headers["Location"].endswith("/open-data/2025/v3/")
    assert 'id="unread-count"' not in client.get("/").get_data(as_text=True)
    # somebody else's notification does not exist for this user, and stays unread
    assert post_form(client, f"/notifications/{told['secret']}/read", {}, form_page="/notifications").status_code == 404
    with app.app_context():
        assert db.session.get(Notification, told["secret"]).read_at is None


def test_mark_all_as_read(app: Flask, told) -> None:
    client = app.test_client()
    login(client, "secretariat@test.kg")
    assert post_form(client, "/notifications/read-all", {}, form_page="/notifications").status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Notification.read_at).where(
            Notification.user_id == told["secretariat@test.kg"])) is not None
        assert db.session.get(Notification, told["secret"]).read_at is None


@pytest.mark.parametrize("email", sorted(ROLES))
def test_the_api_lists_and_marks_read_for_every_role(app: Flask, told, email: str) -> None:
    with app.app_context():
        _row, token = create_token(db.session.get(User, told[email]), "tests")
        db.session.commit()
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}", "Accept-Language": "en"}
    listed = client.get("/api/v1/notifications", headers=headers)
    assert listed.status_code == 200
    [item] = listed.get_json()["data"]
    assert set(item) >= {"id", "event", "created_at", "read", "text", "url"}
    assert item["event"] == "release_published" and item["read"] is False
    expected = ("Версия 3 данных ИПДО за 2025 год опубликована" if email == "filer@test.kg"
                else "Version 3 of the EITI data for 2025 was published")
    assert item["text"].startswith(expected)
    assert item["url"] == "http://127.0.0.1:5000/open-data/2025/v3/"
    assert client.post(f"/api/v1/notifications/{item['id']}/read", headers=headers).status_code == 200
    assert client.get("/api/v1/notifications", headers=headers).get_json()["data"][0]["read"] is True
    assert client.post(f"/api/v1/notifications/{told['secret']}/read", headers=headers).status_code == 404
    assert client.get("/api/v1/notifications").status_code == 401


def test_paging_parameters_are_checked(app: Flask, told) -> None:
    with app.app_context():
        _row, token = create_token(db.session.get(User, told["admin@test.kg"]), "tests")
        db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    assert app.test_client().get("/api/v1/notifications?limit=abc", headers=headers).status_code == 422
    assert app.test_client().get("/api/v1/notifications?offset=5", headers=headers).get_json()["data"] == []
