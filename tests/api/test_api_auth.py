"""Bearer tokens only under /api/: issuing tokens, refusing everything else with 401 JSON, errors as JSON."""
from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from flask import Flask
from sqlalchemy import select

from api_support import API, EMAILS, ApiClient, csv_body
from support import PASSWORD, login
from esg_portal.accounts import tokens
from esg_portal.accounts.models import ApiToken, User
from esg_portal.api import bearer_token
from esg_portal.audit import AuditEvent
from esg_portal.extensions import db


def _api_rules(app: Flask):
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("api.")]


def _assert_401(response) -> None:
    assert response.status_code == 401, response.get_data(as_text=True)
    assert response.is_json, response.content_type
    assert response.get_json()["error"]["code"] == "unauthorized"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert "Location" not in response.headers


# --- POST /api/v1/auth/token ---

def test_a_token_is_issued_for_email_and_password_and_stored_hashed(app: Flask, client, api_world) -> None:
    response = client.post(f"{API}/auth/token", json={"email": "FILER@test.kg ", "password": PASSWORD})
    assert response.status_code == 200
    assert set(response.get_json()) == {"token"}
    token = response.get_json()["token"]
    assert token.startswith("esg_") and len(token) >= 40
    assert "Set-Cookie" not in response.headers
    with app.app_context():
        stored = db.session.scalars(select(ApiToken)).one()
        assert stored.user_id == api_world["filer"]
        assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert stored.prefix == token[:12]
        assert stored.revoked_at is None
        # the plain token is nowhere in the database, not even in the audit trail
        for event in db.session.scalars(select(AuditEvent)):
            assert token not in repr(event.changes)
            assert stored.token_hash not in repr(event.changes)
    assert ApiClient(app.test_client(), token).get("/periods").status_code == 200


def test_the_token_request_may_name_the_token(app: Flask, client, api_world) -> None:
    response = client.post(f"{API}/auth/token", json={"email": EMAILS["filer"], "password": PASSWORD,
                                                      "name": "1C export"})
    assert response.status_code == 200
    with app.app_context():
        assert db.session.scalars(select(ApiToken.name)).one() == "1C export"


@pytest.mark.parametrize("body", [
    {"email": "filer@test.kg", "password": "wrong password"},
    {"email": "nobody@test.kg", "password": PASSWORD},
    {"email": "filer@test.kg"},
    {},
])
def test_wrong_or_missing_credentials_are_401(app: Flask, client, api_world, body) -> None:
    _assert_401(client.post(f"{API}/auth/token", json=body))
    with app.app_context():
        assert db.session.scalars(select(ApiToken)).all() == []


def test_credentials_must_be_sent_as_json(client, api_world) -> None:
    _assert_401(client.post(f"{API}/auth/token", data={"email": EMAILS["filer"], "password": PASSWORD}))
    _assert_401(client.post(f"{API}/auth/token"))
    response = client.post(f"{API}/auth/token", data=b'{"email": ', content_type="application/json")
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "bad_request"
    response = client.post(f"{API}/auth/token", json={"email": EMAILS["filer"], "password": PASSWORD, "otp": "1"})
    assert response.status_code == 422 and set(response.get_json()["errors"]) == {"otp"}


def test_token_requests_are_throttled_like_the_sign_in_form(app: Flask, client, api_world) -> None:
    limit = app.config["ESG_LOGIN_MAX_FAILURES"]
    for _attempt in range(limit):
        _assert_401(client.post(f"{API}/auth/token", json={"email": EMAILS["filer"], "password": "nope"}))
    locked = client.post(f"{API}/auth/token", json={"email": EMAILS["filer"], "password": PASSWORD})
    assert locked.status_code == 429
    assert locked.is_json and locked.get_json()["error"]["code"] == "too_many_requests"
    # the sign-in form is locked too: it is the same account
    with app.app_context():
        assert db.session.get(User, api_world["filer"]).locked_until is not None


def test_an_inactive_account_gets_no_token(app: Flask, client, api_world) -> None:
    with app.app_context():
        db.session.get(User, api_world["filer"]).is_active = False
        db.session.commit()
    _assert_401(client.post(f"{API}/auth/token", json={"email": EMAILS["filer"], "password": PASSWORD}))


# --- Bearer only ---

def test_every_api_route_answers_401_json_without_a_token(app: Flask, client, api_world) -> None:
    checked = 0
    from esg_portal.api import OPEN_ENDPOINTS
    for rule in _api_rules(app):
        if rule.endpoint in OPEN_ENDPOINTS:  # the token request, the description, the public API
            continue
        url = rule.build({"year": 2025, "section": "payments", "notification_id": 1}, append_unknown=False)[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            checked += 1
            _assert_401(client.open(url, method=method, json=[]))
            _assert_401(client.open(url, method=method, json=[], headers={"Authorization": "Bearer esg_nope"}))
    assert checked >= 6


def test_only_the_token_request_the_description_and_the_public_api_are_open(app: Flask) -> None:
    from esg_portal.api import OPEN_ENDPOINTS
    assert {rule.endpoint for rule in _api_rules(app)} & OPEN_ENDPOINTS == OPEN_ENDPOINTS
    assert all(e in ("api.issue_token", "api.openapi") or e.startswith("api.public_") for e in OPEN_ENDPOINTS)


def test_a_session_cookie_does_not_authenticate_api_calls(app: Flask, client, api_world, token_for) -> None:
    login(client, EMAILS["filer"])
    assert client.get("/").status_code == 200  # signed in for the pages
    _assert_401(client.get(f"{API}/periods"))
    _assert_401(client.get(f"{API}/filings/2025"))
    _assert_401(client.put(f"{API}/filings/2025/payments", data=csv_body(), content_type="text/csv"))
    # with a Bearer token, the token's user acts, whoever the session belongs to
    other_token = token_for("other_filer")
    response = client.get(f"{API}/filings/2025", headers={"Authorization": f"Bearer {other_token}"})
    assert response.get_json()["company"]["name"] == "Other Mining LLC"


@pytest.mark.parametrize("header", ["Basic ZmlsZXJAdGVzdC5rZzpwYXNz", "Bearer", "Bearer ", "Token {token}",
                                    "{token}", "Bearer {token}x", "Bearer esg_" + "A" * 300])
def test_malformed_or_unknown_authorization_is_401(app: Flask, client, api_world, token_for, header: str) -> None:
    token = token_for("filer")
    _assert_401(client.get(f"{API}/periods", headers={"Authorization": header.format(token=token)}))


def test_the_bearer_scheme_is_case_insensitive(client, api_world, token_for) -> None:
    token = token_for("filer")
    assert client.get(f"{API}/periods", headers={"Authorization": f"bearer {token}"}).status_code == 200


def test_a_revoked_token_is_401(app: Flask, api_world, api_as) -> None:
    api = api_as("filer")
    assert api.get("/periods").status_code == 200
    with app.app_context():
        token = db.session.scalars(select(ApiToken)).one()
        tokens.revoke_token(db.session.get(User, api_world["filer"]), token.id)
        db.session.commit()
    _assert_401(api.get("/periods"))
    _assert_401(api.get("/filings/2025"))


def test_the_api_needs_no_csrf_token(app: Flask, api_world, api_as) -> None:
    """CSRF stays on for the pages in tests (support.make_app); the API is exempt."""
    response = api_as("filer").put_csv("/filings/2025/payments", csv_body("CIT,STS,,1.00,KGS,no,,,,"))
    assert response.status_code == 200


def test_bearer_token_parsing() -> None:
    assert bearer_token("Bearer abc") == "abc"
    assert bearer_token("  bearer   abc  ") == "abc"
    assert bearer_token("Basic abc") is None
    assert bearer_token("Bearer") is None
    assert bearer_token(None) is None


# --- errors are JSON, with the right status, in the user's language ---

def test_errors_under_the_api_are_json(app: Flask, api_world, api_as) -> None:
    api = api_as("filer")
    for response, status, code in (
        (api.get("/no-such-endpoint"), 404, "not_found"),
        (api.get("/filings/not-a-year"), 404, "not_found"),
        (api.open("/filings/2025/payments", "GET"), 405, "method_not_allowed"),
        (api.open("/periods", "DELETE"), 405, "method_not_allowed"),
        (api.open("/filings/2025", "POST"), 405, "method_not_allowed"),
    ):
        assert response.status_code == status
        assert response.is_json, response.content_type
        assert response.get_json()["error"]["code"] == code


def test_api_answers_set_no_cookie(app: Flask, api_world, api_as) -> None:
    api = api_as("filer")
    for response in (api.get("/periods"), api.get("/filings/2025"), api.get("/filings/1999"),
                     api.put_json("/filings/2025/payments", [])):
        assert "Set-Cookie" not in response.headers
        assert "no-store" in response.headers["Cache-Control"]


def test_messages_follow_accept_language(client, api_world) -> None:
    body = {"email": EMAILS["filer"], "password": "wrong password"}
    english = client.post(f"{API}/auth/token", json=body).get_json()["error"]["message"]
    russian = client.post(f"{API}/auth/token", json=body, headers={"Accept-Language": "ru"}).get_json()
    kyrgyz = client.post(f"{API}/auth/token", json=body, headers={"Accept-Language": "ky,ru;q=0.5"}).get_json()
    assert english == "The e-mail address or the password is not correct."
    assert russian["error"]["message"] == "Неверный адрес электронной почты или пароль."
    assert kyrgyz["error"]["message"] == "Электрондук почтанын дареги же сырсөз туура эмес."


def test_messages_follow_the_token_users_saved_language(app: Flask, factory, api_world, api_as) -> None:
    with app.app_context():
        db.session.get(User, api_world["filer"]).language = "ky"
        db.session.commit()
    response = api_as("filer").put_csv("/filings/2025/payments", csv_body("CIT,STS,,abc,KGS,no,,,,"))
    assert response.status_code == 422
    assert response.get_json()["error"]["message"].startswith("Файл кабыл алынган жок")
    # and without a saved language, the header decides
    response = api_as("other_filer").put_csv("/filings/2025/payments", csv_body("CIT,STS,,abc,KGS,no,,,,"),
                                             headers={"Accept-Language": "ru"})
    assert response.get_json()["error"]["message"].startswith("Файл не принят")


# --- the token services ---

def test_last_used_is_written_at_most_once_a_minute(app: Flask, api_world, token_for) -> None:
    plain = token_for("filer")
    start = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.timezone.utc)
    with app.app_context():
        assert tokens.authenticate_token(plain, now=start).id == api_world["filer"]
        db.session.commit()
        events_before = db.session.scalars(select(AuditEvent)).all()
        for seconds, expected in ((30, start), (59, start), (60, start + dt.timedelta(seconds=60)),
                                  (100, start + dt.timedelta(seconds=60))):
            assert tokens.authenticate_token(plain, now=start + dt.timedelta(seconds=seconds)) is not None
            db.session.commit()
            assert db.session.scalars(select(ApiToken)).one().last_used_at == expected
        # bookkeeping, not a change worth an audit event
        assert len(db.session.scalars(select(AuditEvent)).all()) == len(events_before)


def test_a_request_records_the_tokens_last_use(app: Flask, api_world, api_as) -> None:
    api = api_as("filer")
    with app.app_context():
        assert db.session.scalars(select(ApiToken)).one().last_used_at is None
    api.get("/periods")
    with app.app_context():
        assert db.session.scalars(select(ApiToken)).one().last_used_at is not None


def test_authenticate_token_refuses_unknown_revoked_and_inactive(app: Flask, api_world) -> None:
    with app.app_context():
        filer = db.session.get(User, api_world["filer"])
        token, plain = tokens.create_token(filer, "test")
        db.session.commit()
        assert tokens.authenticate_token(plain) is filer
        assert tokens.authenticate_token(plain + "x") is None
        assert tokens.authenticate_token("") is None
        assert tokens.authenticate_token(None) is None
        filer.is_active = False
        db.session.commit()
        assert tokens.authenticate_token(plain) is None
        filer.is_active = True
        tokens.revoke_token(filer, token.id)
        db.session.commit()
        assert tokens.authenticate_token(plain) is None
