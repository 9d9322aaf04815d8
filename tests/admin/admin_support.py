"""Helpers shared by the administration tests."""
from __future__ import annotations

import re
from html import unescape

from support import PASSWORD, csrf_token, login, post_form  # noqa: F401  (re-exported)

#: accounts of the ``world`` fixture: every role that must never reach an administration page
NON_ADMIN_EMAILS = ("filer@test.kg", "officer@test.kg", "secretariat@test.kg")


def field_error(html: str, field_id: str) -> str:
    """The text of the error paragraph tied to a field, or '' when the field has none."""
    match = re.search(rf'<p class="error" id="{re.escape(field_id)}-error">(.*?)</p>', html, re.S)
    return unescape(match.group(1)) if match else ""


def described_by(html: str, field_id: str) -> str:
    """The aria-describedby of the element with ``id=field_id``."""
    match = re.search(rf'<[^>]*\bid="{re.escape(field_id)}"[^>]*>', html)
    assert match, f"no element with id {field_id}"
    tag = match.group(0)
    found = re.search(r'aria-describedby="([^"]*)"', tag)
    return found.group(1) if found else ""


def assert_admin_only(client, world, path: str, *, form: bool = True) -> None:
    """Anonymous visitors are sent to sign in; every other role gets 403, for GET and (on
    form pages) for a POST with a valid CSRF token."""
    response = client.get(path)
    assert response.status_code == 302 and "/login" in response.headers["Location"], path
    if form:
        response = post_form(client, path, {}, form_page="/login")
        assert response.status_code == 302 and "/login" in response.headers["Location"], path
    for email in NON_ADMIN_EMAILS:
        login(client, email)
        assert client.get(path).status_code == 403, (email, path)
        if form:
            assert post_form(client, path, {}, form_page="/").status_code == 403, (email, path)
        post_form(client, "/logout", {}, form_page="/")
