"""Discrepancy queries and adjustments (eiti.discrepancies) and their pages (eiti.discrepancy_views)."""
from __future__ import annotations

import re
from decimal import Decimal

import pytest
from flask import Flask
from sqlalchemy import select

from support import login, post_form
from esg_portal.accounts.models import Role, User
from esg_portal.audit import AuditEvent
from esg_portal.companies.models import Company
from esg_portal.eiti import discrepancies
from esg_portal.eiti.models import (AddressedTo, Adjustment, AdjustmentStatus, DiscrepancyQuery,
                                    DiscrepancyQueryStatus, ReconciliationLine, ReconciliationRun)
from esg_portal.errors import InvalidTransition, NotFound, PermissionDenied, ValidationError
from esg_portal.extensions import db
from esg_portal.money import to_minor
from esg_portal.reference.models import PeriodStatus, ReportingPeriod
from esg_portal.reference.periods import PeriodClosed

OWN_INN, OTHER_INN, GHOST_INN = "00000000000101", "00000000000202", "00000000000303"


def minor(amount: str) -> int:
    return to_minor(Decimal(amount), "KGS")


def make_line(position: int, inn: str, stream: str, entity: str, company: str | None, government: str | None,
              status: str = "discrepancy", project: str = "") -> ReconciliationLine:
    c = minor(company) if company is not None else None
    g = minor(government) if government is not None else None
    gap = g - c if c is not None and g is not None else None
    return ReconciliationLine(position=position, company_inn=inn, revenue_stream=stream, government_entity=entity,
                              project=project, company_initial_minor=c, government_initial_minor=g,
                              initial_gap_minor=gap, company_adjustment_minor=0 if c is not None else None,
                              government_adjustment_minor=0 if g is not None else None, company_final_minor=c,
                              government_final_minor=g, final_gap_minor=gap, status=status)


def make_run(period_id: int, number: int, lines: list[ReconciliationLine], run_by: int | None = None) -> int:
    run = ReconciliationRun(period_id=period_id, number=number, run_by_id=run_by, currency="KGS", rules={},
                            inputs={}, summary={}, lines=lines)
    db.session.add(run)
    db.session.commit()
    return run.id


@pytest.fixture
def data(app: Flask, factory) -> dict[str, int]:
    """2025 open; two registered companies with a filer each, one unregistered company; officers of STS
    and SCS; a run with the own company's royalty line (1), the other company's customs line (2) and the
    unregistered company's royalty line (3); a second run where line 1 has moved to position 5."""
    period = factory.period(2025)
    own = factory.company("Own Mining LLC", inn=OWN_INN)
    other = factory.company("Other Mining LLC", inn=OTHER_INN)
    ghost = factory.company("Ghost Sand LLC", inn=GHOST_INN, is_registered=False)
    ids = {
        "period": period, "own": own, "other": other, "ghost": ghost,
        "filer": factory.user(Role.COMPANY_FILER, "filer@test.kg", company_id=own),
        "other_filer": factory.user(Role.COMPANY_FILER, "other@test.kg", company_id=other),
        "officer": factory.user(Role.AGENCY_OFFICER, "officer@test.kg", agency_code="STS"),
        "other_officer": factory.user(Role.AGENCY_OFFICER, "customs@test.kg", agency_code="SCS"),
        "secretariat": factory.user(Role.SECRETARIAT, "secretariat@test.kg"),
        "admin": factory.user(Role.ADMIN, "admin@test.kg"),
    }
    with app.app_context():
        ids["run"] = make_run(period, 1, [
            make_line(1, OWN_INN, "ROYALTY", "STS", "1234.50", "1500.00"),
            make_line(2, OTHER_INN, "CUSTOMS", "SCS", "70.00", "91.00"),
            make_line(3, GHOST_INN, "ROYALTY", "STS", None, "55.00", status="government_only"),
        ], ids["secretariat"])
        ids["run2"] = make_run(period, 2, [
            make_line(1, OTHER_INN, "CUSTOMS", "SCS", "70.00", "91.00"),
            make_line(5, OWN_INN, "ROYALTY", "STS", "1234.50", "1500.00"),
        ], ids["secretariat"])
    return ids


def user(user_id: int) -> User:
    return db.session.get(User, user_id)


def run(run_id: int) -> ReconciliationRun:
    return db.session.get(ReconciliationRun, run_id)


def client_for(app: Flask, email: str | None):
    client = app.test_client()
    if email:
        login(client, email)
    return client


# --- the line page (the reports link to it) -------------------------------------------

def test_the_line_page_shows_the_figures_of_every_run_to_the_secretariat(app: Flask, data) -> None:
    client = client_for(app, "secretariat@test.kg")
    with app.test_request_context():
        from flask import url_for
        path = url_for("discrepancies.line", run_id=data["run"], position=1)
    assert path == f"/discrepancies/runs/{data['run']}/lines/1"
    page = client.get(path)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Own Mining LLC" in text and OWN_INN in text
    assert "1,234.50" in text and "1,500.00" in text and "265.50" in text
    assert 'id="run-1"' in text and 'id="run-2"' in text
    assert f"/discrepancies/runs/{data['run2']}/lines/5" in text
    assert 'id="raise-query"' in text
    assert client.get(f"/discrepancies/runs/{data['run']}/lines/99").status_code == 404


def _raise_by_page(app: Flask, data, addressed_to: str, position: int = 1):
    client = client_for(app, "secretariat@test.kg")
    path = f"/discrepancies/runs/{data['run']}/lines/{position}"
    response = post_form(client, f"{path}/queries", {"addressed_to": addressed_to, "question": "Why 265.50?"},
                         form_page=path)
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        return db.session.scalars(select(DiscrepancyQuery.id).order_by(DiscrepancyQuery.id.desc())).first()


def test_the_pages_of_each_party_smoke(app: Flask, data) -> None:
    company_query = _raise_by_page(app, data, "company")
    agency_query = _raise_by_page(app, data, "agency")
    filer = client_for(app, "filer@test.kg")
    page = filer.get(f"/discrepancies/queries/{company_query}")
    assert page.status_code == 200
    assert "1,234.50" in page.get_data(as_text=True)
    officer = client_for(app, "officer@test.kg")
    page = officer.get(f"/discrepancies/queries/{agency_query}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "1,500.00" in text and "1,234.50" not in text
    assert officer.get("/discrepancies/2025").status_code == 200
    assert filer.get("/").status_code == 200 and officer.get("/").status_code == 200
