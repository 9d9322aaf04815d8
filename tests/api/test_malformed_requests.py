"""Malformed requests get a clear 4xx, never a 500: deep or huge JSON, ids beyond what an id column holds, odd ``?run=``.

JSON nested 10,000 deep exhausted the parser's recursion (500, even on the unauthenticated token
endpoint); a 5,001-digit integer is over Python's conversion limit (500); an id above 2³¹ − 1 (PostgreSQL INTEGER) or 2⁶³ − 1 (SQLite)
in any URL overflowed the database driver (500); ``?run=²`` passed ``str.isdigit`` and failed
``int`` (500). Every API write route is sent the hostile bodies and every route with an
``<int:…>`` argument the huge ids (both generated from ``app.url_map``), as anonymous and as
signed-in users of each role.
"""
from __future__ import annotations

import io
import re
import time
import zipfile

import openpyxl
import pytest
from flask import Flask
from sqlalchemy import func, select

from api_support import API, EMAILS
from support import csrf_token, login
from esg_portal.api.bodies import MAX_JSON_DEPTH, Body, BadRequest
from esg_portal.extensions import db

ROLES = ("filer", "officer", "secretariat", "admin")
DEEP = b"[" * 10_000 + b"]" * 10_000
HOSTILE_BODIES = {
    "deep list": DEEP,
    "deep object": b'{"reason": ' * 10_000 + b"1" + b"}" * 10_000,
    "5001-digit integer": b'{"reason": ' + b"7" * 5_001 + b"}",
    "5001-digit amount": b'[{"amount": ' + b"7" * 5_001 + b"}]",
    "NaN": b'{"attested_by_name": NaN}',
}
#: a value for each URL argument that is not an int
ARGUMENTS = {"section": "production", "stream_code": "ROYALTY", "name": "data.json"}
_ARGUMENT = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")


def _url(rule: str, value: int) -> str:
    def fill(match: re.Match) -> str:
        converter, name = match.group(1), match.group(2)
        return str(value) if converter == "int" else ARGUMENTS.get(name, "x")
    return _ARGUMENT.sub(fill, rule)


def _rules(app: Flask, *, prefix: str = "", methods: set[str] | None = None, ints_only: bool = False):
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.rule.startswith(prefix) or rule.endpoint == "static":
            continue
        if ints_only and "<int:" not in rule.rule:
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            if methods is None or method in methods:
                yield rule.rule, method


def _row_counts(app: Flask) -> dict[str, int]:
    with app.app_context():
        return {table.name: db.session.scalar(select(func.count()).select_from(table))
                for table in db.metadata.sorted_tables}


def _assert_clear_refusal(response, path: str) -> None:
    assert response.status_code < 500, (path, response.status_code)
    if path.startswith("/api/") and response.status_code >= 400:
        assert response.is_json, (path, response.get_data(as_text=True)[:200])
        assert set(response.get_json()["error"]) >= {"code", "message"}


# -- hostile JSON bodies on every API write route ------------------------------------------------

def test_hostile_json_is_a_clear_4xx_on_every_api_write_route(app: Flask, api_world, token_for) -> None:
    routes = list(_rules(app, prefix=API, methods={"POST", "PUT"}))
    assert len(routes) >= 9 and (f"{API}/auth/token", "POST") in routes
    tokens = {None: None, **{who: token_for(who) for who in ROLES}}
    client = app.test_client()
    for who, token in tokens.items():
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        for rule, method in routes:
            path = _url(rule, 2025)
            for name, body in HOSTILE_BODIES.items():
                before = _row_counts(app)
                started = time.perf_counter()
                response = client.open(path, method=method, data=body, headers=headers,
                                       content_type="application/json")
                assert time.perf_counter() - started < 2, (who, path, name)
                _assert_clear_refusal(response, path)
                if response.status_code >= 400:
                    assert _row_counts(app) == before, (who, method, path, name)


def test_the_token_endpoint_refuses_deep_json_without_a_token(client) -> None:
    response = client.post(f"{API}/auth/token", data=DEEP, content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["error"] == {"code": "bad_request", "message": (
        f"The body is nested more than {MAX_JSON_DEPTH} levels deep. Send the objects and lists the API "
        "documentation describes.")}
    response = client.post(f"{API}/auth/token", data=HOSTILE_BODIES["5001-digit integer"],
                           content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["error"]["message"].startswith("The body holds a number that cannot be read")


def test_the_depth_limit_is_exact() -> None:
    def nested(depth: int) -> bytes:
        return b"[" * depth + b"]" * depth

    assert Body("application/json", nested(MAX_JSON_DEPTH + 1)).json() is not None
    with pytest.raises(BadRequest):
        Body("application/json", nested(MAX_JSON_DEPTH + 2)).json()
    with pytest.raises(BadRequest):
        Body("application/json", b'{"a": Infinity}').json()


# -- ids beyond an INTEGER column in every URL ---------------------------------------------------------------

def _html_client(app: Flask, who: str | None):
    client = app.test_client()
    token = None
    if who:
        login(client, EMAILS[who])
        token = csrf_token(client, "/account/tokens")
    return client, token


@pytest.mark.parametrize("who", [None, *ROLES])
def test_ids_beyond_bigint_are_404_on_every_route(app: Flask, api_world, token_for, who) -> None:
    routes = list(_rules(app, ints_only=True))
    assert len(routes) >= 60
    html, csrf = _html_client(app, who)
    api_headers = {"Authorization": f"Bearer {token_for(who)}"} if who else {}
    before = _row_counts(app)
    for rule, method in routes:
        for value in (2**31, 2**63, 2**64):
            path = _url(rule, value)
            if path.startswith("/api/"):
                response = html.open(path, method=method, headers=api_headers, json={})
            else:
                response = html.open(path, method=method, data={"csrf_token": csrf} if csrf else {})
            assert response.status_code == 404, (who, method, path, response.status_code)
            _assert_clear_refusal(response, path)
    assert _row_counts(app) == before


def test_the_largest_integer_id_is_an_ordinary_unknown_id(app: Flask, api_world) -> None:
    client, _csrf = _html_client(app, "admin")
    assert client.get(f"/admin/users/{2**31 - 1}/edit").status_code == 404
    assert client.get(f"/register/companies/{2**31 - 1}").status_code == 404
    assert client.get("/register/companies/٣").status_code == 404  # not an ASCII digit


# -- ?run= ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("run", ["²", "٣", "0", "-1", "1.0", "99999999999999999999", "1" * 5_001])
def test_the_run_parameter_takes_ascii_digits_only(api_world, api_as, run) -> None:
    response = api_as("secretariat").get(f"/reconciliations/2025/lines?run={run}")
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.get_json()["error"] == {"code": "bad_request",
                                            "message": "The parameter “run” must be a run number: 1, 2, 3 …"}


def test_an_unknown_run_number_is_still_404(api_world, api_as) -> None:
    response = api_as("secretariat").get("/reconciliations/2025/lines?run=7")
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "no_run"


# -- hostile uploads through the doors ------------------------------------------------------------

def test_a_csv_header_of_a_million_columns_is_413_through_the_api(app: Flask, api_world, api_as) -> None:
    api = api_as("filer")
    before = _row_counts(app)
    body = b",".join(b"c%d" % n for n in range(1_000_000)) + b"\n1\n"
    started = time.perf_counter()
    response = api.put_csv("/filings/2025/payments", body)
    assert time.perf_counter() - started < 2
    assert response.status_code == 413 and response.get_json()["error"]["code"] == "too_large"
    assert _row_counts(app) == before


def _padding_bomb() -> bytes:
    """A workbook of a header and a million rows, each with one styled empty cell in column XFD."""
    book = openpyxl.Workbook()
    book.active.append(["amount"])
    saved = io.BytesIO()
    book.save(saved)
    source, out = zipfile.ZipFile(saved), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</sheetData>", b'<row><c r="XFD2" s="0"/></row>' * 1_048_000 + b"</sheetData>")
            target.writestr(info.filename, data)
    return out.getvalue()


def test_an_xlsx_bomb_is_413_on_the_upload_page(app: Flask, api_world) -> None:
    client, csrf = _html_client(app, "filer")
    bomb = _padding_bomb()
    assert len(bomb) < 1_000_000
    before = _row_counts(app)
    started = time.perf_counter()
    response = client.post("/disclosures/filing/2025/upload", data={
        "csrf_token": csrf, "file": (io.BytesIO(bomb), "payments.xlsx")}, content_type="multipart/form-data")
    assert time.perf_counter() - started < 2
    assert response.status_code == 413
    assert "more than 1 000 000 cells" in response.get_data(as_text=True)
    assert _row_counts(app) == before
