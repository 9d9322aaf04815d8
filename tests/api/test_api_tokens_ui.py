"""The "API tokens" page: every signed-in role lists, creates (shown once) and revokes their own tokens;
and the attestation texts the submit endpoints store."""
from __future__ import annotations

import html
import re

import pytest
from flask import Flask
from sqlalchemy import select

from api_support import EMAILS, ApiClient
from support import csrf_token, login, post_form
from esg_portal.accounts import tokens
from esg_portal.accounts.models import ApiToken, User
from esg_portal.disclosure.attestation import ATTESTATION_TEXTS, attestation_text
from esg_portal.extensions import db

PAGE = "/account/tokens"
_NEW_TOKEN = re.compile(r'id="new-token-value"[^>]*value="(esg_[^"]+)"')


def _signed_in(app: Flask, who: str):
    client = app.test_client()
    login(client, EMAILS[who])
    return client


def _create(client, name: str):
    return post_form(client, PAGE, {"name": name})


@pytest.mark.parametrize("who", ["filer", "officer", "secretariat", "admin"])
def test_every_role_reaches_the_page_from_the_menu(app: Flask, api_world, who: str) -> None:
    client = _signed_in(app, who)
    assert f'href="{PAGE}"' in client.get("/").get_data(as_text=True)
    page = client.get(PAGE)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "You have no API tokens yet." in text
    assert 'name="csrf_token"' in text


def test_visitors_are_sent_to_sign_in(client, api_world) -> None:
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_a_new_token_is_shown_once_and_works(app: Flask, api_world) -> None:
    client = _signed_in(app, "officer")
    response = _create(client, "Treasury export")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    match = _NEW_TOKEN.search(page)
    assert match, page
    plain = match.group(1)
    assert "shown only this once" in html.unescape(page)
    assert "no-store" in response.headers["Cache-Control"]
    # the token is listed by name and prefix, and is never shown again
    again = client.get(PAGE).get_data(as_text=True)
    assert plain not in again
    assert "Treasury export" in again and plain[:12] in again
    assert "Set-Cookie" not in response.headers or plain not in response.headers["Set-Cookie"]
    api = ApiClient(app.test_client(), plain)
    assert api.get("/periods").status_code == 200
    assert api.get("/filings/2025").status_code == 403  # an officer's token is not a filer's
    with app.app_context():
        stored = db.session.scalars(select(ApiToken)).one()
        assert stored.user_id == api_world["officer"] and stored.name == "Treasury export"


def test_a_token_needs_a_name(app: Flask, api_world) -> None:
    client = _signed_in(app, "filer")
    response = _create(client, "   ")
    assert response.status_code == 422
    assert "Give the token a name." in response.get_data(as_text=True)
    assert not _NEW_TOKEN.search(response.get_data(as_text=True))
    response = _create(client, "x" * 101)
    assert response.status_code == 422
    with app.app_context():
        assert db.session.scalars(select(ApiToken)).all() == []


def test_creating_and_revoking_need_the_csrf_token(app: Flask, api_world) -> None:
    client = _signed_in(app, "filer")
    assert client.post(PAGE, data={"name": "no csrf"}).status_code == 400
    _create(client, "kept")
    with app.app_context():
        token_id = db.session.scalars(select(ApiToken.id)).one()
    assert client.post(f"{PAGE}/{token_id}/revoke").status_code == 400
    with app.app_context():
        assert db.session.get(ApiToken, token_id).revoked_at is None


def test_revoking_a_token_locks_it_out_of_the_api(app: Flask, api_world) -> None:
    client = _signed_in(app, "filer")
    plain = _NEW_TOKEN.search(_create(client, "ERP").get_data(as_text=True)).group(1)
    api = ApiClient(app.test_client(), plain)
    assert api.get("/filings/2025").status_code == 200
    with app.app_context():
        token_id = db.session.scalars(select(ApiToken.id)).one()
    response = client.post(f"{PAGE}/{token_id}/revoke", data={"csrf_token": csrf_token(client, PAGE)})
    assert response.status_code == 302 and response.headers["Location"] == PAGE
    page = html.unescape(client.get(PAGE).get_data(as_text=True))
    assert "was revoked" in page and "Revoked on" in page
    assert f'id="revoke-{token_id}"' not in page
    assert api.get("/filings/2025").status_code == 401
    # revoking again changes nothing
    assert client.post(f"{PAGE}/{token_id}/revoke", data={"csrf_token": csrf_token(client, PAGE)}).status_code == 302


def test_tokens_of_other_users_can_be_neither_seen_nor_revoked(app: Flask, api_world) -> None:
    owner = _signed_in(app, "filer")
    plain = _NEW_TOKEN.search(_create(owner, "Owner's ERP").get_data(as_text=True)).group(1)
    with app.app_context():
        token_id = db.session.scalars(select(ApiToken.id)).one()
    for who in ("other_filer", "admin", "secretariat"):
        intruder = _signed_in(app, who)
        assert "Owner&#39;s ERP" not in intruder.get(PAGE).get_data(as_text=True)
        assert "Owner's ERP" not in intruder.get(PAGE).get_data(as_text=True)
        response = intruder.post(f"{PAGE}/{token_id}/revoke", data={"csrf_token": csrf_token(intruder, PAGE)})
        assert response.status_code == 404
    with app.app_context():
        assert db.session.get(ApiToken, token_id).revoked_at is None
    assert ApiClient(app.test_client(), plain).get("/periods").status_code == 200


def test_the_list_services_see_only_their_own_tokens(app: Flask, api_world) -> None:
    with app.app_context():
        filer, other = db.session.get(User, api_world["filer"]), db.session.get(User, api_world["other_filer"])
        first, _plain = tokens.create_token(filer, "first")
        tokens.create_token(filer, "second")
        tokens.create_token(other, "theirs")
        tokens.revoke_token(filer, first.id)
        db.session.commit()
        assert [t.name for t in tokens.list_tokens(filer)] == ["second", "first"]  # active ones first
        assert [t.name for t in tokens.list_tokens(other)] == ["theirs"]


def test_every_token_is_different_and_recognisable(app: Flask, api_world) -> None:
    with app.app_context():
        filer = db.session.get(User, api_world["filer"])
        plains = {tokens.create_token(filer, f"t{n}")[1] for n in range(20)}
        db.session.commit()
        assert len(plains) == 20
        assert all(p.startswith("esg_") and len(p) == 4 + 43 for p in plains)
        assert len({t.prefix for t in tokens.list_tokens(filer)}) == 20


# --- the attestation texts ---

def test_the_attestation_exists_in_the_three_languages() -> None:
    assert set(ATTESTATION_TEXTS) == {"ky", "ru", "en"}
    assert len(set(ATTESTATION_TEXTS.values())) == 3
    assert "EITI" in ATTESTATION_TEXTS["en"]
    assert "ИПДО" in ATTESTATION_TEXTS["ru"] and re.search(r"[ёЁ]", ATTESTATION_TEXTS["ru"])
    assert "КТАД" in ATTESTATION_TEXTS["ky"] and re.search(r"[ңөү]", ATTESTATION_TEXTS["ky"])
    for text in ATTESTATION_TEXTS.values():
        assert 200 < len(text) < 1000 and "  " not in text and text.endswith(".")


@pytest.mark.parametrize(("locale", "expected"), [("ky", "ky"), ("ru", "ru"), ("en", "en"), ("ru_RU", "ru"),
                                                  ("de", "en"), (None, "en"), ("", "en")])
def test_attestation_text_picks_the_language(locale, expected: str) -> None:
    assert attestation_text(locale) == ATTESTATION_TEXTS[expected]
