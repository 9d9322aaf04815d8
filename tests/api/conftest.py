"""Fixtures of the machine API tests: a small world with no filing stored, tokens, and a client that sends them."""
from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask
from sqlalchemy import func, select

from api_support import API, EMAILS, ApiClient
from support import PASSWORD
from esg_portal.accounts.models import Role
from esg_portal.disclosure.models import Disclosure
from esg_portal.extensions import db
from esg_portal.reference.models import PeriodStatus


@pytest.fixture
def api_world(factory) -> dict[str, int]:
    """2025 open and 2024 closed; two companies with a licence each; a signatory and a non-signatory
    filer of the own company, a signatory of the other, and the other roles. No filing is stored."""
    own = factory.company("Own Mining LLC", inn="01234567890123", legal_form="LLC", address="Bishkek")
    other = factory.company("Other Mining LLC", inn="09876543210987")
    return {
        "period": factory.period(2025, deadline=dt.datetime(2026, 6, 30, 12, tzinfo=dt.timezone.utc)),
        "period_2024": factory.period(2024, PeriodStatus.CLOSED),
        "own_company": own, "other_company": other,
        "own_licence": factory.licence(own, "KG-0001-AP"), "other_licence": factory.licence(other, "KG-9999-AP"),
        "filer": factory.user(Role.COMPANY_FILER, EMAILS["filer"], company_id=own, is_signatory=True),
        "assistant": factory.user(Role.COMPANY_FILER, EMAILS["assistant"], company_id=own),
        "other_filer": factory.user(Role.COMPANY_FILER, EMAILS["other_filer"], company_id=other, is_signatory=True),
        "officer": factory.user(Role.AGENCY_OFFICER, EMAILS["officer"], agency_code="STS"),
        "secretariat": factory.user(Role.SECRETARIAT, EMAILS["secretariat"]),
        "admin": factory.user(Role.ADMIN, EMAILS["admin"]),
    }


@pytest.fixture
def token_for(app: Flask, api_world):
    """``token_for("filer")``: a fresh token of that user, obtained through POST /api/v1/auth/token."""

    def make(who: str) -> str:
        response = app.test_client().post(f"{API}/auth/token", json={"email": EMAILS[who], "password": PASSWORD})
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()["token"]

    return make


@pytest.fixture
def api_as(app: Flask, token_for):
    """``api_as("filer")``: an ApiClient with a fresh token of that user (``None``: no token)."""

    def make(who: str | None) -> ApiClient:
        return ApiClient(app.test_client(), token_for(who) if who else None)

    return make


@pytest.fixture
def count_disclosures(app: Flask):
    def count() -> int:
        with app.app_context():
            return db.session.scalar(select(func.count(Disclosure.id)))
    return count
