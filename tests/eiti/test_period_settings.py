"""The secretariat's period settings: exact numbers, Bishkek deadlines, margins, scope, access."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from support import login, post_form
from esg_portal.accounts.models import Role
from esg_portal.audit import AuditEvent
from esg_portal.extensions import db
from esg_portal.reference.models import PeriodStreamSetting, ReportingPeriod, ScopeOverride, StreamInclusion

URL = "/eiti/2025/settings"


@pytest.fixture
def secretariat(app, factory):
    factory.period(2025)
    factory.user(Role.SECRETARIAT, "sec@test.kg")
    client = app.test_client()
    login(client, "sec@test.kg")
    return client


def _period(app) -> ReportingPeriod:
    with app.app_context():
        period = db.session.scalar(select(ReportingPeriod).where(ReportingPeriod.year == 2025))
        db.session.expunge(period)
        return period


def test_rate_threshold_and_deadline_are_stored_exactly(app, secretariat):
    response = post_form(secretariat, f"{URL}/period", {
        "usd_rate": "88,1234", "usd_rate_source": "NBKR", "threshold": "5 000 000,50",
        "independent_administrator": "Demo Audit", "board_approved_on": "2026-09-01",
        "deadline_date": "2027-03-31", "deadline_time": "18:00"}, form_page=f"{URL}?lang=ru",
        query_string={"lang": "ru"})
    assert response.status_code == 302
    period = _period(app)
    assert period.usd_rate_scaled == 881234 and period.company_threshold_minor == 500000050
    assert period.filing_deadline_at == dt.datetime(2027, 3, 31, 12, 0, tzinfo=dt.timezone.utc)
    assert period.board_approved_on == dt.date(2026, 9, 1)
    with app.app_context():
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.table_name == "reporting_period")
                                   .order_by(AuditEvent.id.desc())).first()
        assert event.actor_label == "sec@test.kg" and event.changes["usd_rate_scaled"][1] == 881234


def test_bad_numbers_are_refused_with_the_field_named(app, secretariat):
    response = post_form(secretariat, f"{URL}/period", {"usd_rate": "87.12345", "usd_rate_source": "x",
                                                        "threshold": "-1"}, form_page=URL)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="usd_rate-error"' in page and 'id="threshold-error"' in page
    assert _period(app).usd_rate_scaled != 8712345


def test_stream_margin_and_inclusion(app, secretariat):
    response = post_form(secretariat, f"{URL}/streams/ROYALTY", {"inclusion": "included", "margin_pct": "1.5",
                                                                 "floor": "100000"}, form_page=URL)
    assert response.status_code == 302
    with app.app_context():
        setting = db.session.scalar(select(PeriodStreamSetting))
        assert (setting.inclusion, setting.margin_bp, setting.floor_minor) == (StreamInclusion.INCLUDED, 150, 10000000)
    response = post_form(secretariat, f"{URL}/streams/ROYALTY", {"inclusion": "included", "margin_pct": "101",
                                                                 "floor": "0"}, form_page=URL)
    assert response.status_code == 422
    assert post_form(secretariat, f"{URL}/streams/NOPE", {"inclusion": "included"}, form_page=URL).status_code == 404


def test_scope_override_needs_a_reason(app, secretariat, factory):
    company = factory.company("Small Quarry LLC")
    assert post_form(secretariat, f"{URL}/scope", {"company_id": company, "is_in_scope": "0", "reason": ""},
                     form_page=URL).status_code == 422
    response = post_form(secretariat, f"{URL}/scope", {"company_id": company, "is_in_scope": "0",
                                                       "reason": "Below the threshold"}, form_page=URL)
    assert response.status_code == 302
    with app.app_context():
        override = db.session.scalar(select(ScopeOverride))
        assert (override.company_id, override.is_in_scope, override.reason) == (company, False, "Below the threshold")
    assert "Small Quarry LLC" in secretariat.get(URL).get_data(as_text=True)
    response = post_form(secretariat, f"{URL}/scope", {"company_id": company, "is_in_scope": "dnp",
                                                       "reason": "Did not answer the template"}, form_page=URL)
    assert response.status_code == 302
    with app.app_context():
        override = db.session.scalar(select(ScopeOverride))
        assert (override.is_in_scope, override.is_participating) == (True, False)
    assert "(DNP)" in secretariat.get(f"{URL}?lang=en").get_data(as_text=True)


@pytest.mark.parametrize("role", [Role.ADMIN, Role.COMPANY_FILER, Role.AGENCY_OFFICER])
def test_only_the_secretariat_sets_periods(app, factory, role):
    factory.period(2025)
    company = factory.company() if role is Role.COMPANY_FILER else None
    factory.user(role, "someone@test.kg", company_id=company, agency_code="STS" if role is Role.AGENCY_OFFICER else None)
    client = app.test_client()
    login(client, "someone@test.kg")
    assert client.get(URL).status_code == 403
    anonymous = app.test_client().get(URL)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
