"""Sessions end for real: sign-out kills every copy of the cookie, a password change (by the
user or by an administrator) ends the other sessions and revokes the API tokens, and signing
in starts a new session with a new CSRF secret."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from flask import Flask
from sqlalchemy import select

from support import PASSWORD, csrf_token, login, post_form
from esg_portal.accounts.models import ApiToken, Role, User
from esg_portal.extensions import db

EMAIL = "session.filer@test.kg"
ADMIN = "session.admin@test.kg"
NEW_PASSWORD = "a-brand-new-password"
PROTECTED = "/register/companies/"


@pytest.fixture
def filer(factory) -> int:
    factory.period(2025)
    return factory.user(Role.COMPANY_FILER, EMAIL, company_id=factory.company("Session Mining LLC"))


@pytest.fixture
def admin(factory) -> int:
    return factory.user(Role.ADMIN, ADMIN)


def _signed_in(client) -> bool:
    response = client.get(PROTECTED)
    if response.status_code == 302:
        assert urlsplit(response.headers["Location"]).path == "/login"
        return False
    assert response.status_code == 200
    return True


def _copy_of(client, app: Flask):
    """A second browser holding a copy of ``client``'s session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def _token(client, email: str = EMAIL, password: str = PASSWORD) -> str:
    response = client.post("/api/v1/auth/token", json={"email": email, "password": password})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["token"]


def _api_status(app: Flask, token: str) -> int:
    return app.test_client().get("/api/v1/periods", headers={"Authorization": f"Bearer {token}"}).status_code


def _change_own_password(client, current: str, new: str, confirm: str | None = None):
    return post_form(client, "/account/password", {"current_password": current, "new_password": new,
                                                   "new_password_confirm": new if confirm is None else confirm})


def _edit_data(app: Flask, user_id: int, password: str) -> dict:
    with app.app_context():
        user = db.session.get(User, user_id)
        data = {"email": user.email, "full_name": user.full_name, "position": user.position or "",
                "role": user.role.value, "company_id": user.company_id or "", "agency_id": user.agency_id or "",
                "is_active": "y", "password": password, "password_confirm": password}
        if user.is_signatory:
            data["is_signatory"] = "y"
    return data


# --- sign-out ---

def test_a_copied_session_cookie_dies_at_sign_out(app: Flask, filer: int) -> None:
    browser = app.test_client()
    login(browser, EMAIL)
    thief = _copy_of(browser, app)
    assert _signed_in(thief)  # the copy works while the session lasts
    assert post_form(browser, "/logout", {}, form_page="/").status_code == 302
    assert not _signed_in(browser)
    assert not _signed_in(thief)


def test_a_cookie_saved_before_sign_out_is_useless_in_the_same_browser_too(app: Flask, filer: int) -> None:
    browser = app.test_client()
    login(browser, EMAIL)
    saved = browser.get_cookie("session").value
    post_form(browser, "/logout", {}, form_page="/")
    browser.set_cookie("session", saved)
    assert not _signed_in(browser)


def test_signing_out_ends_only_that_session(app: Flask, filer: int) -> None:
    first, second = app.test_client(), app.test_client()
    login(first, EMAIL)
    login(second, EMAIL)
    post_form(first, "/logout", {}, form_page="/")
    assert not _signed_in(first)
    assert _signed_in(second)


# --- renewal at sign-in ---

def test_signing_in_renews_the_session_cookie_and_the_csrf_token(app: Flask, filer: int) -> None:
    browser = app.test_client()
    visitor_token = csrf_token(browser, "/login")
    with browser.session_transaction() as visitor_session:
        visitor_secret = visitor_session.get("csrf_token")
        visitor_session["planted"] = "by whoever prepared this browser"
    visitor_cookie = browser.get_cookie("session").value
    assert visitor_secret
    response = browser.post("/login", data={"email": EMAIL, "password": PASSWORD, "csrf_token": visitor_token})
    assert response.status_code == 302
    assert browser.get_cookie("session").value != visitor_cookie
    with browser.session_transaction() as signed_in_session:
        assert signed_in_session.get("csrf_token") != visitor_secret
        assert "planted" not in signed_in_session
    # the form token of the visitor's page no longer passes; the new page's does
    assert browser.post("/logout", data={"csrf_token": visitor_token}).status_code == 400
    assert _signed_in(browser)
    assert post_form(browser, "/logout", {}, form_page="/").status_code == 302


def test_each_sign_in_gets_a_session_of_its_own(app: Flask, filer: int) -> None:
    first, second = app.test_client(), app.test_client()
    login(first, EMAIL)
    login(second, EMAIL)
    with first.session_transaction() as one, second.session_transaction() as two:
        assert dict(one) != dict(two)


# --- password changes ---

def test_changing_ones_own_password_ends_the_other_sessions_and_revokes_the_tokens(app: Flask, filer: int) -> None:
    browser, other_browser = app.test_client(), app.test_client()
    login(browser, EMAIL)
    login(other_browser, EMAIL)
    thief = _copy_of(browser, app)
    token = _token(app.test_client())
    assert _api_status(app, token) == 200
    response = _change_own_password(browser, PASSWORD, NEW_PASSWORD)
    assert response.status_code == 302
    assert _signed_in(browser)  # the browser that changed it stays signed in, with a new session
    assert not _signed_in(other_browser)
    assert not _signed_in(thief)  # the copy of the old cookie died with the old session
    assert _api_status(app, token) == 401
    with app.app_context():
        assert all(t.revoked_at is not None for t in db.session.scalars(select(ApiToken)))
    # the new password is the one that works now
    assert post_form(app.test_client(), "/login", {"email": EMAIL, "password": PASSWORD}).status_code == 200
    login(app.test_client(), EMAIL, NEW_PASSWORD)


def test_a_wrong_current_password_changes_nothing_and_is_counted(app: Flask, filer: int) -> None:
    browser, other_browser = app.test_client(), app.test_client()
    login(browser, EMAIL)
    login(other_browser, EMAIL)
    token = _token(app.test_client())
    response = _change_own_password(browser, "not-the-password", NEW_PASSWORD)
    assert response.status_code == 422
    assert "The current password is not correct." in response.get_data(as_text=True)
    assert _signed_in(other_browser) and _api_status(app, token) == 200
    with app.app_context():
        user = db.session.get(User, filer)
        assert user.check_password(PASSWORD) and user.failed_login_count == 1
    for _attempt in range(app.config["ESG_LOGIN_MAX_FAILURES"] - 1):
        assert _change_own_password(browser, "not-the-password", NEW_PASSWORD).status_code == 422
    # a borrowed session cannot guess the password: the account is locked like at sign-in
    assert _change_own_password(browser, PASSWORD, NEW_PASSWORD).status_code == 429
    with app.app_context():
        assert db.session.get(User, filer).check_password(PASSWORD)


@pytest.mark.parametrize("new, confirm", [("short", "short"), (NEW_PASSWORD, "something-else-entirely")])
def test_a_bad_new_password_is_refused_and_nothing_changes(app: Flask, filer: int, new: str, confirm: str) -> None:
    browser, other_browser = app.test_client(), app.test_client()
    login(browser, EMAIL)
    login(other_browser, EMAIL)
    assert _change_own_password(browser, PASSWORD, new, confirm).status_code == 422
    assert _signed_in(other_browser)
    with app.app_context():
        user = db.session.get(User, filer)
        assert user.check_password(PASSWORD) and user.failed_login_count == 0


def test_the_password_page_is_for_signed_in_users(app: Flask, filer: int) -> None:
    response = app.test_client().get("/account/password")
    assert response.status_code == 302 and urlsplit(response.headers["Location"]).path == "/login"


def test_an_administrator_changing_a_password_ends_the_users_sessions_and_tokens(
        app: Flask, filer: int, admin: int) -> None:
    browser, admin_browser = app.test_client(), app.test_client()
    login(browser, EMAIL)
    token = _token(app.test_client())
    login(admin_browser, ADMIN)
    response = post_form(admin_browser, f"/admin/users/{filer}/edit", _edit_data(app, filer, NEW_PASSWORD))
    assert response.status_code == 302
    assert not _signed_in(browser)
    assert _api_status(app, token) == 401
    assert admin_browser.get("/admin/users").status_code == 200  # the administrator's session is untouched


def test_an_administrator_changing_their_own_password_keeps_the_session_they_use(app: Flask, admin: int) -> None:
    admin_browser, other_browser = app.test_client(), app.test_client()
    login(admin_browser, ADMIN)
    login(other_browser, ADMIN)
    token = _token(app.test_client(), ADMIN)
    response = post_form(admin_browser, f"/admin/users/{admin}/edit", _edit_data(app, admin, NEW_PASSWORD))
    assert response.status_code == 302
    assert admin_browser.get("/admin/users").status_code == 200
    assert other_browser.get("/admin/users").status_code == 302
    assert _api_status(app, token) == 401


def test_an_edit_without_a_new_password_ends_nothing(app: Flask, filer: int, admin: int) -> None:
    browser, admin_browser = app.test_client(), app.test_client()
    login(browser, EMAIL)
    token = _token(app.test_client())
    login(admin_browser, ADMIN)
    assert post_form(admin_browser, f"/admin/users/{filer}/edit", _edit_data(app, filer, "")).status_code == 302
    assert _signed_in(browser) and _api_status(app, token) == 200
