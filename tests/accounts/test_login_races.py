"""The sign-in lock-out under parallel attempts: at most ESG_LOGIN_MAX_FAILURES password checks.

Thirty threads, each with its own test client, send a wrong password at the same moment,
against the test database (a SQLite file, or PostgreSQL with TEST_DATABASE_URL). Every
comparison of a password with a hash is counted (and slowed down a little, so that a
read-then-write count would let every attempt through).
"""
from __future__ import annotations

import threading
import time

import pytest
from flask import Flask
from werkzeug import security

from race_support import parallel_requests, statuses
from support import PASSWORD, csrf_token
from esg_portal.accounts import models
from esg_portal.accounts.models import Role

PARALLEL = 30
EMAIL = "race.filer@test.kg"
WRONG = "not-the-password"


@pytest.fixture
def filer(factory) -> int:
    return factory.user(Role.COMPANY_FILER, EMAIL, company_id=factory.company("Race Mining LLC"))


@pytest.fixture
def checks(monkeypatch) -> list[str]:
    """Every password comparison, recorded; each takes 50 ms more than it would."""
    seen: list[str] = []
    lock = threading.Lock()

    def counting(pwhash: str, password: str) -> bool:
        with lock:
            seen.append(password)
        time.sleep(0.05)
        return security.check_password_hash(pwhash, password)

    monkeypatch.setattr(models, "check_password_hash", counting)
    return seen


def _in_parallel(app: Flask, prepare, send) -> list:
    """Run ``send(client, prepare(client))`` in PARALLEL threads released together; statuses or errors."""
    return statuses(parallel_requests(app, PARALLEL, send, prepare))


def _form_attempt(email: str, password: str):
    def send(client, token):
        return client.post("/login", data={"email": email, "password": password, "csrf_token": token})
    return (lambda client: csrf_token(client, "/login")), send


def _api_attempt(email: str, password: str):
    def send(client, _prepared):
        return client.post("/api/v1/auth/token", json={"email": email, "password": password})
    return (lambda client: None), send


def _assert_at_most_the_limit_was_checked(app: Flask, results: list, checks: list[str], refused: int) -> None:
    limit = app.config["ESG_LOGIN_MAX_FAILURES"]
    assert all(isinstance(status, int) for status in results), results
    assert set(results) <= {refused, 429}, results
    assert len(checks) <= limit, f"{len(checks)} passwords were checked, at most {limit} may be"
    assert results.count(refused) == len(checks)
    assert results.count(429) == PARALLEL - len(checks) >= PARALLEL - limit


def test_parallel_wrong_passwords_on_the_sign_in_form_get_at_most_the_limit_of_checks(
        app: Flask, filer: int, checks: list[str]) -> None:
    results = _in_parallel(app, *_form_attempt(EMAIL, WRONG))
    _assert_at_most_the_limit_was_checked(app, results, checks, refused=200)
    # the account is locked now: the right password from a new browser is not even checked
    checks.clear()
    client = app.test_client()
    locked = client.post("/login", data={"email": EMAIL, "password": PASSWORD, "csrf_token": csrf_token(client)})
    assert locked.status_code == 429 and checks == []


def test_parallel_wrong_passwords_on_the_token_request_get_at_most_the_limit_of_checks(
        app: Flask, filer: int, checks: list[str]) -> None:
    results = _in_parallel(app, *_api_attempt(EMAIL, WRONG))
    _assert_at_most_the_limit_was_checked(app, results, checks, refused=401)
    checks.clear()
    locked = app.test_client().post("/api/v1/auth/token", json={"email": EMAIL, "password": PASSWORD})
    assert locked.status_code == 429 and locked.get_json()["error"]["code"] == "too_many_requests"
    assert checks == []


def test_parallel_attempts_on_an_unknown_address_are_counted_like_an_account(
        app: Flask, filer: int, checks: list[str]) -> None:
    results = _in_parallel(app, *_form_attempt("nobody.here@test.kg", WRONG))
    _assert_at_most_the_limit_was_checked(app, results, checks, refused=200)
    assert len(checks) == app.config["ESG_LOGIN_MAX_FAILURES"]  # a dummy hash was compared each time
