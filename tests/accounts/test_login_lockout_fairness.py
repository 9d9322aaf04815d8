"""The lock-out tells nobody whether an account exists, and a stranger cannot lock its owner out.

Unknown addresses are counted and locked exactly like accounts, and a dummy hash (made like
the real ones) is compared for them. A browser that signed in to the account before keeps
getting in with the right password while strangers have locked the account: its attempts
are counted against that browser (its trusted-device cookie), not against the account.
"""
from __future__ import annotations

import re
import threading

import pytest
from flask import Flask
from werkzeug import security

from support import PASSWORD, login, post_form
from esg_portal.accounts import models
from esg_portal.accounts.models import Role

OWNER = "signatory@test.kg"
NOBODY = "no.such.person@test.kg"
WRONG = "not-the-password"
NEW_PASSWORD = "a-brand-new-password"


@pytest.fixture
def owner(factory) -> int:
    company = factory.company("Deadline Mining LLC")
    return factory.user(Role.COMPANY_FILER, OWNER, company_id=company, is_signatory=True)


@pytest.fixture
def checks(monkeypatch) -> list[str]:
    """The method part (``pbkdf2:sha256:1000``, ``scrypt:…``) of every hash a password is compared with."""
    seen: list[str] = []
    lock = threading.Lock()

    def counting(pwhash: str, password: str) -> bool:
        with lock:
            seen.append(pwhash.split("$", 1)[0])
        return security.check_password_hash(pwhash, password)

    monkeypatch.setattr(models, "check_password_hash", counting)
    return seen


def _sign_in(client, email: str, password: str):
    return post_form(client, "/login", {"email": email, "password": password})


def _comparable(response, email: str) -> tuple[int, str]:
    """Status and page, with what legitimately differs (the typed address, CSRF tokens) blanked."""
    page = response.get_data(as_text=True).replace(email, "EMAIL")
    return response.status_code, re.sub(r'name="csrf_token"[^>]*value="[^"]+"', 'name="csrf_token"', page)


def _is_signed_in(client) -> bool:
    return 'id="logout"' in client.get("/").get_data(as_text=True)


# --- no account enumeration ---

def test_unknown_and_known_addresses_get_the_same_pages_through_the_whole_lock_out(app: Flask, owner: int) -> None:
    known, unknown = app.test_client(), app.test_client()
    limit = app.config["ESG_LOGIN_MAX_FAILURES"]
    answers = []
    for _attempt in range(limit + 2):
        a, b = _comparable(_sign_in(known, OWNER, WRONG), OWNER), _comparable(_sign_in(unknown, NOBODY, WRONG), NOBODY)
        assert a == b
        answers.append(a[0])
    assert answers == [200] * limit + [429, 429]
    # and the message names the same wait for both
    assert "Try again in 15 minutes." in _comparable(_sign_in(unknown, NOBODY, PASSWORD), NOBODY)[1]


def test_unknown_and_known_addresses_get_the_same_api_answers_through_the_whole_lock_out(
        app: Flask, owner: int) -> None:
    client = app.test_client()
    for _attempt in range(app.config["ESG_LOGIN_MAX_FAILURES"] + 2):
        known = client.post("/api/v1/auth/token", json={"email": OWNER, "password": WRONG})
        unknown = client.post("/api/v1/auth/token", json={"email": NOBODY, "password": WRONG})
        assert (known.status_code, known.get_json()) == (unknown.status_code, unknown.get_json())
    assert known.status_code == 429


def test_a_hash_like_the_real_ones_is_compared_for_an_unknown_address(app: Flask, owner: int,
                                                                      checks: list[str]) -> None:
    client = app.test_client()
    _sign_in(client, OWNER, WRONG)
    assert len(checks) == 1
    _sign_in(client, NOBODY, WRONG)
    _sign_in(client, NOBODY.upper(), WRONG)
    client.post("/api/v1/auth/token", json={"email": NOBODY, "password": WRONG})
    assert len(checks) == 4
    assert len(set(checks)) == 1  # the same method and cost: the same time
    # while locked, neither is checked at all
    for _attempt in range(app.config["ESG_LOGIN_MAX_FAILURES"]):
        _sign_in(client, OWNER, WRONG)
        _sign_in(client, NOBODY, WRONG)
    checks.clear()
    assert _sign_in(client, OWNER, PASSWORD).status_code == 429
    assert _sign_in(client, NOBODY, PASSWORD).status_code == 429
    assert checks == []


# --- a stranger cannot lock the owner out ---

def _lock_out(app: Flask, email: str = OWNER) -> None:
    stranger = app.test_client()
    for _attempt in range(app.config["ESG_LOGIN_MAX_FAILURES"]):
        assert _sign_in(stranger, email, WRONG).status_code == 200
    assert _sign_in(stranger, email, PASSWORD).status_code == 429


def test_the_owners_browser_that_signed_in_before_gets_in_during_a_strangers_lock(app: Flask, owner: int) -> None:
    browser = app.test_client()
    login(browser, OWNER)
    post_form(browser, "/logout", {}, form_page="/")
    _lock_out(app)
    response = _sign_in(browser, OWNER, PASSWORD)
    assert response.status_code == 302
    assert _is_signed_in(browser)
    # everybody else is still locked out, the token request too
    assert _sign_in(app.test_client(), OWNER, PASSWORD).status_code == 429
    assert app.test_client().post("/api/v1/auth/token", json={"email": OWNER, "password": PASSWORD}).status_code == 429


def test_the_owners_browser_has_its_own_limit_of_attempts(app: Flask, owner: int) -> None:
    browser = app.test_client()
    login(browser, OWNER)
    post_form(browser, "/logout", {}, form_page="/")
    _lock_out(app)
    for _attempt in range(app.config["ESG_LOGIN_MAX_FAILURES"]):
        assert _sign_in(browser, OWNER, WRONG).status_code == 200
    # its own attempts used up, the browser is a stranger like any other: the account's lock applies
    assert _sign_in(browser, OWNER, PASSWORD).status_code == 429
    assert not _is_signed_in(browser)


def test_a_trusted_browser_of_one_account_is_a_stranger_to_another(app: Flask, factory, owner: int) -> None:
    factory.user(Role.SECRETARIAT, "staff@test.kg")
    browser = app.test_client()
    login(browser, OWNER)
    post_form(browser, "/logout", {}, form_page="/")
    _lock_out(app, "staff@test.kg")
    assert _sign_in(browser, "staff@test.kg", PASSWORD).status_code == 429


def test_a_forged_device_cookie_is_ignored(app: Flask, owner: int) -> None:
    browser = app.test_client()
    login(browser, OWNER)
    post_form(browser, "/logout", {}, form_page="/")
    cookie = browser.get_cookie("esg_device", path="/login")
    assert cookie is not None and cookie.http_only
    _lock_out(app)
    stranger = app.test_client()
    stranger.set_cookie("esg_device", cookie.value[:-2] + "xx", path="/login")
    assert _sign_in(stranger, OWNER, PASSWORD).status_code == 429


def test_a_password_change_ends_the_trust_in_browsers(app: Flask, factory, owner: int) -> None:
    browser = app.test_client()
    login(browser, OWNER)
    post_form(browser, "/logout", {}, form_page="/")
    admin = app.test_client()
    factory.user(Role.ADMIN, "admin@test.kg")
    login(admin, "admin@test.kg")
    _admin_sets_password(app, admin, owner, NEW_PASSWORD)
    _lock_out(app)
    assert _sign_in(browser, OWNER, NEW_PASSWORD).status_code == 429


def _admin_sets_password(app: Flask, admin, user_id: int, password: str) -> None:
    from esg_portal.accounts.models import User
    from esg_portal.extensions import db

    with app.app_context():
        user = db.session.get(User, user_id)
        data = {"email": user.email, "full_name": user.full_name, "position": user.position or "",
                "role": user.role.value, "company_id": user.company_id or "", "agency_id": user.agency_id or "",
                "is_active": "y", "password": password, "password_confirm": password}
        if user.is_signatory:
            data["is_signatory"] = "y"
    response = post_form(admin, f"/admin/users/{user_id}/edit", data)
    assert response.status_code == 302, response.get_data(as_text=True)

