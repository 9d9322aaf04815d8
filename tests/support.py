"""Helpers shared by the tests: the test app, CSRF-aware form posts and sign-in.

A module of its own (not ``conftest``) so that every test folder imports the same one;
``tests`` is on the import path through ``pythonpath`` in setup.cfg.
"""
from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from sqlalchemy import text

from esg_portal import create_app
from esg_portal.extensions import db

PASSWORD = "correct-horse-battery"


def make_app(database_url: str, **overrides) -> Flask:
    """The app under test: CSRF on, a cheap password hash, English unless asked."""
    settings = {"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "test-secret-not-for-production",
                "ESG_PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "ESG_DEFAULT_LOCALE": "en",
                "SERVER_NAME": None}
    settings.update(overrides)
    return create_app(settings)


_CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


_REVISION_RE = re.compile(r'name="revision"[^>]*value="([^"]*)"')
_ITEM_RE = re.compile(r'href="(/disclosures/filing/\d+/sections/\w+/items/(?!new)[^"/]+)"')


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    """The CSRF token of the form on ``path`` (CSRF stays on in tests, as in production)."""
    return form_fields(client, path)["csrf_token"]


def form_fields(client: FlaskClient, path: str) -> dict[str, str]:
    """The hidden fields a browser sends back from the page on ``path``: the CSRF token and, on the
    forms of a versioned document, the revision the page was made from."""
    page = client.get(path)
    html = page.get_data(as_text=True)
    match = _CSRF_RE.search(html)
    assert match, f"no CSRF token on {path} (status {page.status_code})"
    fields = {"csrf_token": match.group(1)}
    revision = _REVISION_RE.search(html)
    if revision:
        fields["revision"] = revision.group(1)
    return fields


def post_form(client: FlaskClient, path: str, data: dict, *, form_page: str | None = None, **kwargs):
    """POST a form as a browser would: with the hidden fields (CSRF token, revision) of ``form_page``
    (default: ``path``); ``data`` may override them."""
    return client.post(path, data={**form_fields(client, form_page or path), **data}, **kwargs)


def item_paths(client: FlaskClient, section_page: str) -> list[str]:
    """The edit links of a section page's items, in order (items are addressed by stable ids)."""
    return list(dict.fromkeys(_ITEM_RE.findall(client.get(section_page).get_data(as_text=True))))


def logout(client: FlaskClient) -> None:
    """Sign out as the header's button does (its form carries the CSRF token of any page)."""
    response = client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert response.status_code == 302, f"logout failed with {response.status_code}"


def login(client: FlaskClient, email: str, password: str = PASSWORD):
    response = post_form(client, "/login", {"email": email, "password": password})
    assert response.status_code == 302, f"login of {email} failed with {response.status_code}"
    return response


#: tables filled by the reference loader; kept between tests
REFERENCE_TABLES = {"mineral", "region", "site", "site_mineral", "gfs_code", "government_entity",
                    "revenue_stream", "alembic_version"}


def empty_domain_tables() -> None:
    """Delete every row but the reference data (inside an app context)."""
    tables = [t for t in reversed(db.metadata.sorted_tables) if t.name not in REFERENCE_TABLES]
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            db.session.execute(table.delete())
    db.session.commit()


