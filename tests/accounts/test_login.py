"""Sign-in, throttling, sign-out, session cookies, password storage and the language switch."""
from __future__ import annotations

import datetime as dt
import html
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from babel.support import Translations
from flask import Flask
from flask_babel import force_locale

import esg_portal
from support import PASSWORD, csrf_token, login, post_form
from support import make_app as _make_app
from esg_portal import create_app
from esg_portal.accounts.models import Role, User
from esg_portal.accounts.services import LoginThrottled, authenticate
from esg_portal.extensions import db

EMAIL = "filer@test.kg"
WRONG = "not-the-password"
BAD_LOGIN = "The e-mail address or the password is not correct."
UTC = dt.timezone.utc


@pytest.fixture
def filer(factory) -> int:
    company = factory.company("Login Test Mining LLC")
    return factory.user(Role.COMPANY_FILER, EMAIL, company_id=company)


def _user(app: Flask, user_id: int) -> User:
    with app.app_context():
        user = db.session.get(User, user_id)
        db.session.expunge(user)
        return user


def _update_user(app: Flask, user_id: int, **values) -> None:
    with app.app_context():
        user = db.session.get(User, user_id)
        for key, value in values.items():
            setattr(user, key, value)
        db.session.commit()


def _sign_in(client, email: str = EMAIL, password: str = PASSWORD, **extra):
    return post_form(client, "/login", {"email": email, "password": password, **extra})


def _is_signed_in(client) -> bool:
    page = client.get("/").get_data(as_text=True)
    return 'id="logout"' in page


def _page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _catalog(locale: str) -> Translations:
    return Translations.load(str(Path(esg_portal.__file__).parent / "translations"), [locale])


def _assert_in_language(page: str, locale: str, msgid: str) -> None:
    """The page is marked as ``locale`` and, when the compiled catalog translates ``msgid``,
    shows that translation."""
    assert f'<html lang="{locale}">' in page
    translated = _catalog(locale).gettext(msgid)
    if translated != msgid:
        assert translated in page
        assert f">{msgid}<" not in page


# --- the sign-in page and good or bad credentials ---

def test_the_sign_in_page_has_a_csrf_protected_form(client) -> None:
    response = client.get("/login")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'name="csrf_token"' in page
    assert 'name="email"' in page and 'name="password"' in page
    assert csrf_token(client, "/login")


def test_good_credentials_sign_in_and_the_dashboard_shows_the_user(app: Flask, client, filer: int) -> None:
    response = _sign_in(client, email="  FILER@test.kg ")  # e-mail is trimmed and case-insensitive
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/"
    page = _page(client.get("/"))
    assert _user(app, filer).full_name in page
    assert "Login Test Mining LLC" in page
    assert _user(app, filer).last_login_at is not None


def test_a_wrong_password_shows_an_error_and_is_counted(app: Flask, client, filer: int) -> None:
    response = _sign_in(client, password=WRONG)
    assert response.status_code == 200
    assert BAD_LOGIN in _page(response)
    assert _user(app, filer).failed_login_count == 1
    _sign_in(client, password=WRONG)
    assert _user(app, filer).failed_login_count == 2
    assert not _is_signed_in(client)


def test_an_unknown_address_gets_the_same_answer_as_a_wrong_password(client, filer: int) -> None:
    response = _sign_in(client, email="nobody@test.kg")
    assert response.status_code == 200
    assert BAD_LOGIN in _page(response)


def test_the_account_locks_after_too_many_failures(app: Flask, client, filer: int) -> None:
    limit = app.config["ESG_LOGIN_MAX_FAILURES"]
    assert limit == 5  # the documented default
    for _ in range(limit):
        assert _sign_in(client, password=WRONG).status_code == 200
    user = _user(app, filer)
    assert user.locked_until is not None
    response = _sign_in(client)  # the right password no longer helps
    assert response.status_code == 429
    message = _page(response)
    assert "Too many failed sign-in attempts" in message
    assert f"{app.config['ESG_LOGIN_LOCK_MINUTES']} minutes" in message
    assert not _is_signed_in(client)


def test_the_lock_follows_the_configured_limit(migrated_database: str, filer: int) -> None:
    app = _make_app(migrated_database, ESG_LOGIN_MAX_FAILURES=2)
    try:
        client = app.test_client()
        assert _sign_in(client, password=WRONG).status_code == 200
        assert _sign_in(client, password=WRONG).status_code == 200
        assert _sign_in(client).status_code == 429
    finally:
        with app.app_context():
            db.engine.dispose()


def test_the_lock_ends_after_the_lock_time(app_ctx, filer: int) -> None:
    # outside a request there is no language to choose (the CLI does the same)
    with force_locale("en"):
        _lock_and_unlock()


def _lock_and_unlock() -> None:
    limits = {"max_failures": 5, "lock_minutes": 15}
    t0 = dt.datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    for _ in range(5):
        assert authenticate(EMAIL, WRONG, now=t0, **limits) is None
    with pytest.raises(LoginThrottled):
        authenticate(EMAIL, PASSWORD, now=t0 + dt.timedelta(minutes=15, seconds=-1), **limits)
    with pytest.raises(LoginThrottled):  # a wrong password during the lock is not even checked
        authenticate(EMAIL, WRONG, now=t0 + dt.timedelta(minutes=1), **limits)
    db.session.commit()
    db.session.expire_all()  # read the lock back from the database (naive on SQLite)
    with pytest.raises(LoginThrottled):
        authenticate(EMAIL, PASSWORD, now=t0 + dt.timedelta(minutes=14), **limits)
    later = t0 + dt.timedelta(minutes=15, seconds=1)
    # after the lock one more mistake does not lock again: the count started over
    assert authenticate(EMAIL, WRONG, now=later, **limits) is None
    user = authenticate(EMAIL, PASSWORD, now=later, **limits)
    assert user is not None and user.email == EMAIL
    assert user.failed_login_count == 0 and user.locked_until is None


def test_a_successful_sign_in_resets_the_failure_count(app: Flask, client, filer: int) -> None:
    limit = app.config["ESG_LOGIN_MAX_FAILURES"]
    for _ in range(limit - 1):
        _sign_in(client, password=WRONG)
    assert _user(app, filer).failed_login_count == limit - 1
    assert _sign_in(client).status_code == 302
    assert _user(app, filer).failed_login_count == 0
    client = app.test_client()
    for _ in range(limit - 1):  # would reach the limit had the count not been reset
        _sign_in(client, password=WRONG)
    assert _sign_in(client).status_code == 302


def test_failures_of_one_account_do_not_lock_another(app: Flask, factory, client, filer: int) -> None:
    factory.user(Role.SECRETARIAT, "staff@test.kg")
    for _ in range(app.config["ESG_LOGIN_MAX_FAILURES"]):
        _sign_in(client, password=WRONG)
    assert _sign_in(client, email="staff@test.kg").status_code == 302


def test_an_inactive_user_cannot_sign_in(app: Flask, client, filer: int) -> None:
    _update_user(app, filer, is_active=False)
    response = _sign_in(client)
    assert response.status_code == 200
    assert BAD_LOGIN in _page(response)
    assert not _is_signed_in(client)


def test_deactivating_a_user_ends_their_session(app: Flask, client, filer: int) -> None:
    login(client, EMAIL)
    assert client.get("/register/companies/").status_code == 200
    _update_user(app, filer, is_active=False)
    response = client.get("/register/companies/")
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/login"


def test_sign_in_without_a_csrf_token_is_refused(client, filer: int) -> None:
    response = client.post("/login", data={"email": EMAIL, "password": PASSWORD})
    assert response.status_code == 400
    assert not _is_signed_in(client)


def test_sign_in_with_a_forged_csrf_token_is_refused(client, filer: int) -> None:
    client.get("/login")
    response = client.post("/login", data={"email": EMAIL, "password": PASSWORD, "csrf_token": "forged"})
    assert response.status_code == 400
    assert not _is_signed_in(client)


# --- sign-out ---

def test_sign_out_is_post_only_and_csrf_protected(client, filer: int) -> None:
    login(client, EMAIL)
    assert client.get("/logout").status_code == 405
    assert _is_signed_in(client)
    assert client.post("/logout").status_code == 400
    assert _is_signed_in(client)
    response = post_form(client, "/logout", {}, form_page="/")
    assert response.status_code == 302
    assert not _is_signed_in(client)
    assert client.get("/register/companies/").status_code == 302


# --- where sign-in leads ---

@pytest.mark.parametrize("target", [
    "//evil.example", "https://evil.example", "http://evil.example/login", "/\\evil.example",
    "\\\\evil.example", "https:/evil.example", "/\t/evil.example", "javascript:alert(1)", "evil.example",
])
def test_next_never_leads_off_the_site(client, filer: int, target: str) -> None:
    response = _sign_in(client, next=target)
    assert response.status_code == 302
    location = response.headers["Location"]
    # resolve the way a browser does: backslashes become slashes, tabs and newlines are dropped
    as_browser = location.replace("\\", "/").replace("\t", "").replace("\n", "").replace("\r", "")
    resolved = urlsplit(urljoin("http://localhost/login", as_browser))
    assert resolved.scheme == "http" and resolved.netloc == "localhost", location


def test_next_leads_to_a_page_of_the_site(client, filer: int) -> None:
    response = _sign_in(client, next="/register/companies/?page=2")
    assert response.headers["Location"] == "/register/companies/?page=2"


def test_the_language_switch_does_not_redirect_off_the_site(client) -> None:
    response = post_form(client, "/language", {"lang": "ru", "next": "//evil.example"}, form_page="/login")
    assert response.status_code == 302
    assert urlsplit(urljoin("http://localhost/", response.headers["Location"])).netloc == "localhost"


# --- cookies and passwords ---

def _set_cookie(response, name: str) -> str:
    headers = [h for h in response.headers.getlist("Set-Cookie") if h.startswith(f"{name}=")]
    assert headers, f"no {name} cookie set"
    return headers[-1]


def test_the_session_cookie_is_httponly_and_samesite_lax(client, filer: int) -> None:
    cookie = _set_cookie(_sign_in(client), "session")
    attributes = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert "httponly" in attributes
    assert "samesite=lax" in attributes


def test_cookies_are_marked_secure_when_configured(migrated_database: str, filer: int) -> None:
    """Production sets ESG_SECURE_COOKIES (tests/test_config.py); the headers then carry Secure."""
    app = _make_app(migrated_database, SESSION_COOKIE_SECURE=True)
    try:
        client = app.test_client()
        cookie = _set_cookie(_sign_in(client), "session")
        assert "secure" in {part.strip().lower() for part in cookie.split(";")[1:]}
        language = post_form(client, "/language", {"lang": "ru"}, form_page="/")
        assert "secure" in {part.strip().lower() for part in _set_cookie(language, "lang").split(";")[1:]}
    finally:
        with app.app_context():
            db.engine.dispose()


def test_passwords_are_stored_hashed(app: Flask, filer: int) -> None:
    with app.app_context():
        user = db.session.get(User, filer)
        assert user.password_hash != PASSWORD
        assert PASSWORD not in user.password_hash
        assert user.check_password(PASSWORD)
        assert not user.check_password(WRONG)
        assert not user.check_password("")


def test_production_hashes_with_scrypt(tmp_path) -> None:
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db",
                      "SECRET_KEY": "test-secret-not-for-production"})
    with app.app_context():
        user = User(email="x@test.kg", full_name="X", role=Role.ADMIN)
        user.set_password(PASSWORD)
        assert user.password_hash.startswith("scrypt:")
        assert user.check_password(PASSWORD)


# --- the language switch ---

def test_a_signed_in_user_keeps_the_chosen_language(app: Flask, client, filer: int) -> None:
    login(client, EMAIL)
    response = post_form(client, "/language", {"lang": "ru", "next": "/register/companies/"}, form_page="/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/register/companies/"
    assert _user(app, filer).language == "ru"
    _assert_in_language(_page(client.get("/register/companies/")), "ru", "Sign out")
    # the choice belongs to the account: a new browser session gets it too
    other_browser = app.test_client()
    login(other_browser, EMAIL)
    _assert_in_language(_page(other_browser.get("/", headers={"Accept-Language": "en"})), "ru", "Sign out")


def test_a_visitor_keeps_the_chosen_language_in_a_cookie(client) -> None:
    response = post_form(client, "/language", {"lang": "ru", "next": "/"}, form_page="/login")
    assert response.status_code == 302
    cookie = _set_cookie(response, "lang")
    assert cookie.startswith("lang=ru;")
    assert "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()
    _assert_in_language(_page(client.get("/")), "ru", "Sign in")


def test_the_language_switch_needs_a_csrf_token(client) -> None:
    assert client.post("/language", data={"lang": "ru"}).status_code == 400
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)


def test_an_unknown_language_is_refused(app: Flask, client, filer: int) -> None:
    login(client, EMAIL)
    response = post_form(client, "/language", {"lang": "xx"}, form_page="/")
    assert response.status_code == 422
    assert _user(app, filer).language is None


def test_the_browser_language_is_used_when_nothing_was_chosen(client) -> None:
    page = _page(client.get("/", headers={"Accept-Language": "ru-RU"}))
    _assert_in_language(page, "ru", "Sign in")
    page = _page(client.get("/", headers={"Accept-Language": "de-DE, ky;q=0.5"}))
    assert '<html lang="ky">' in page


def test_a_visitors_language_link_is_remembered_without_a_session(client) -> None:
    """Visitors switch by a link (public pages need no session, so they can be cached)."""
    page = client.get("/").get_data(as_text=True)
    assert 'id="lang-ru"' in page and 'name="csrf_token"' not in page
    response = client.get("/?lang=ru")
    cookie = _set_cookie(response, "lang")
    assert cookie.startswith("lang=ru;") and "httponly" in cookie.lower()
    assert not [h for h in response.headers.getlist("Set-Cookie") if h.startswith("session=")]
    assert '<html lang="ru">' in client.get("/glossary").get_data(as_text=True)


def test_a_choice_beats_the_browser_language(app: Flask, client, filer: int) -> None:
    post_form(client, "/language", {"lang": "ky"}, form_page="/login")
    assert '<html lang="ky">' in client.get("/", headers={"Accept-Language": "ru-RU"}).get_data(as_text=True)
    _update_user(app, filer, language="en")
    login(client, EMAIL)
    assert '<html lang="en">' in client.get("/", headers={"Accept-Language": "ru-RU"}).get_data(as_text=True)


def test_the_default_language_applies_without_any_preference(migrated_database: str) -> None:
    app = _make_app(migrated_database, ESG_DEFAULT_LOCALE="ky")
    try:
        assert '<html lang="ky">' in app.test_client().get("/").get_data(as_text=True)
    finally:
        with app.app_context():
            db.engine.dispose()
