"""Administration of the company register: companies and licences through the HTML forms,
the INN and state-share rules, the audit trail of an edit, and access rules."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from admin_support import assert_admin_only, described_by, field_error, login, post_form
from esg_portal.accounts.models import User
from esg_portal.audit import AuditEvent
from esg_portal.companies import rules, services
from esg_portal.companies.models import Company, License
from esg_portal.errors import PermissionDenied, ValidationError
from esg_portal.extensions import db
from esg_portal.reference.models import Mineral, Region, Site


def _id(app, model, code: str) -> int:
    with app.app_context():
        return db.session.scalar(select(model.id).where(model.code == code))


def _company(app, **where) -> Company | None:
    with app.app_context():
        stmt = select(Company)
        for key, value in where.items():
            stmt = stmt.where(getattr(Company, key) == value)
        company = db.session.scalar(stmt)
        if company is not None:
            db.session.expunge(company)
        return company


def _licence(app, number: str) -> dict | None:
    with app.app_context():
        licence = db.session.scalar(select(License).where(License.number == number))
        if licence is None:
            return None
        return {"company_id": licence.company_id, "kind": licence.kind, "project_name": licence.project_name,
                "site_id": licence.site_id, "region_id": licence.region_id, "status": licence.status,
                "issued_on": licence.issued_on, "expires_on": licence.expires_on,
                "minerals": [mineral.code for mineral in licence.minerals]}


def _company_data(**values) -> dict:
    data = {"legal_name": "Kichi Chaarat Mining LLC", "inn": "01407199910095", "legal_form": "LLC",
            "address": "Bishkek, Chui avenue 1", "region_id": "", "state_share_percent": "",
            "website": "", "listing": "", "audited_statements_url": "", "is_registered": "y"}
    data.update(values)
    return {key: value for key, value in data.items() if value is not None}


def _licence_data(**values) -> dict:
    data = {"number": "AP-1234-KG", "kind": "extraction", "project_name": "Kutessay-II rare earths",
            "site_id": "", "region_id": "", "issued_on": "", "expires_on": "", "status": "active"}
    data.update(values)
    return {key: value for key, value in data.items() if value is not None}


# --- companies ---

def test_admin_sees_the_register_with_links(client, world):
    login(client, "admin@test.kg")
    page = client.get("/admin/companies").get_data(as_text=True)
    assert "Own Mining LLC" in page and "Other Mining LLC" in page
    assert 'href="/admin/companies/new"' in page
    assert f'href="/admin/companies/{world["own_company"]}/edit"' in page


def test_admin_creates_a_company_keeping_leading_zeros(client, app, world):
    login(client, "admin@test.kg")
    chuy = _id(app, Region, "CHUY")
    response = post_form(client, "/admin/companies/new", _company_data(
        region_id=chuy, state_share_percent="30,5", is_state_share_free_carried="y", is_soe="y",
        website="https://kichi-chaarat.kg", listing="KSE: KICH",
        audited_statements_url="https://kichi-chaarat.kg/reports/2024.pdf"))
    company = _company(app, legal_name="Kichi Chaarat Mining LLC")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/admin/companies/{company.id}/edit")
    assert company.inn == "01407199910095"
    assert company.state_share_bp == 3050
    assert (company.is_state_share_free_carried, company.is_soe, company.is_registered) == (True, True, True)
    assert (company.region_id, company.legal_form, company.listing) == (chuy, "LLC", "KSE: KICH")
    assert company.audited_statements_url == "https://kichi-chaarat.kg/reports/2024.pdf"
    page = client.get(f"/admin/companies/{company.id}/edit").get_data(as_text=True)
    assert 'value="30.50"' in page and 'value="01407199910095"' in page


def test_a_company_known_only_from_receipts_can_be_registered_without_a_share(client, app, world):
    login(client, "admin@test.kg")
    response = post_form(client, "/admin/companies/new", _company_data(is_registered=None, legal_form="",
                                                                        address=""))
    assert response.status_code == 302
    company = _company(app, inn="01407199910095")
    assert company.is_registered is False
    assert company.state_share_bp is None and company.legal_form is None and company.address is None


@pytest.mark.parametrize("inn, count", [("0140719991009", 13), ("014071999100951", 15), ("0140719991009A", 14)])
def test_an_inn_that_is_not_14_digits_is_refused_at_the_inn_field(client, app, world, inn, count):
    login(client, "admin@test.kg")
    response = post_form(client, "/admin/companies/new", _company_data(inn=inn))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    message = field_error(page, "inn")
    assert "exactly 14 digits" in message and f"({count} characters were entered)" in message
    assert "format the column as text so leading zeros are kept" in message
    assert described_by(page, "inn") == "inn-hint inn-error"
    assert 'aria-invalid="true"' in page
    assert _company(app, legal_name="Kichi Chaarat Mining LLC") is None


def test_spaces_in_an_inn_are_dropped(client, app, world):
    login(client, "admin@test.kg")
    assert post_form(client, "/admin/companies/new",
                     _company_data(inn="0140 7199 9100 95")).status_code == 302
    assert _company(app, legal_name="Kichi Chaarat Mining LLC").inn == "01407199910095"


def test_a_duplicate_inn_is_refused_at_the_inn_field(client, app, factory, world):
    factory.company("First Holder LLC", inn="01407199910095")
    login(client, "admin@test.kg")
    response = post_form(client, "/admin/companies/new", _company_data())
    assert response.status_code == 422
    assert "Another company (First Holder LLC) already has this INN" in field_error(
        response.get_data(as_text=True), "inn")
    assert _company(app, legal_name="Kichi Chaarat Mining LLC") is None


@pytest.mark.parametrize("share", ["100.001", "100.01", "101", "-5", "12.345", "thirty", "1e2"])
def test_a_state_share_out_of_range_or_too_precise_is_refused(client, app, world, share):
    login(client, "admin@test.kg")
    response = post_form(client, "/admin/companies/new", _company_data(state_share_percent=share))
    assert response.status_code == 422
    assert "a percentage from 0 to 100 with at most 2 decimals" in field_error(
        response.get_data(as_text=True), "state_share_percent")
    assert _company(app, legal_name="Kichi Chaarat Mining LLC") is None


@pytest.mark.parametrize("share, basis_points", [("100", 10000), ("0", 0), ("12.75", 1275), (" 30 % ", 3000),
                                                 ("0,01", 1)])
def test_state_share_is_stored_in_basis_points(client, app, world, share, basis_points):
    login(client, "admin@test.kg")
    assert post_form(client, "/admin/companies/new", _company_data(state_share_percent=share)).status_code == 302
    assert _company(app, inn="01407199910095").state_share_bp == basis_points


def test_free_carried_without_a_share_is_refused(client, world):
    login(client, "admin@test.kg")
    response = post_form(client, "/admin/companies/new", _company_data(is_state_share_free_carried="y"))
    assert response.status_code == 422
    assert "needs the state's percentage" in field_error(response.get_data(as_text=True),
                                                        "is_state_share_free_carried")


@pytest.mark.parametrize("field", ["website", "audited_statements_url"])
@pytest.mark.parametrize("url", ["javascript:alert(1)", "example.kg", "ftp://example.kg/file"])
def test_web_addresses_must_be_http(client, world, field, url):
    login(client, "admin@test.kg")
    response = post_form(client, "/admin/companies/new", _company_data(**{field: url}))
    assert response.status_code == 422
    assert "starts with https://" in field_error(response.get_data(as_text=True), field)


def test_missing_legal_name_is_shown_at_its_field(client, world):
    login(client, "admin@test.kg")
    response = post_form(client, "/admin/companies/new", _company_data(legal_name=" "))
    assert response.status_code == 422
    assert "Enter the company's legal name" in field_error(response.get_data(as_text=True), "legal_name")


def test_editing_a_company_is_audited_with_the_admin_as_actor(client, app, factory, world):
    company_id = factory.company("Audit Me LLC", inn="00000000000777", state_share_bp=3000)
    login(client, "admin@test.kg")
    edit = f"/admin/companies/{company_id}/edit"
    page = client.get(edit).get_data(as_text=True)
    assert 'value="Audit Me LLC"' in page and 'value="30.00"' in page
    response = post_form(client, edit, _company_data(legal_name="Audit Me Renamed LLC", inn="00000000000777",
                                                     state_share_percent="30.00"))
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/companies")
    with app.app_context():
        company = db.session.get(Company, company_id)
        assert company.legal_name == "Audit Me Renamed LLC" and company.state_share_bp == 3000
        events = db.session.scalars(select(AuditEvent).where(
            AuditEvent.table_name == "company", AuditEvent.record_id == str(company_id),
            AuditEvent.action == "update")).all()
    assert len(events) == 1
    event = events[0]
    assert event.changes["legal_name"] == ["Audit Me LLC", "Audit Me Renamed LLC"]
    assert "state_share_bp" not in event.changes and "inn" not in event.changes  # unchanged
    assert (event.actor_id, event.actor_label) == (world["admin"], "admin@test.kg")
    assert "Audit Me Renamed LLC" in client.get("/admin/audit").get_data(as_text=True)


def test_editing_to_another_companys_inn_is_refused(client, app, world):
    login(client, "admin@test.kg")
    other_inn = _company(app, id=world["other_company"]).inn
    response = post_form(client, f"/admin/companies/{world['own_company']}/edit",
                         _company_data(legal_name="Own Mining LLC", inn=other_inn))
    assert response.status_code == 422
    assert "Another company (Other Mining LLC)" in field_error(response.get_data(as_text=True), "inn")
    assert _company(app, id=world["own_company"]).inn != other_inn


def test_a_company_keeps_its_own_inn_when_edited(client, app, world):
    login(client, "admin@test.kg")
    own = _company(app, id=world["own_company"])
    response = post_form(client, f"/admin/companies/{own.id}/edit",
                         _company_data(legal_name="Own Mining LLC", inn=own.inn, state_share_percent="51"))
    assert response.status_code == 302
    assert _company(app, id=own.id).state_share_bp == 5100


def test_unknown_company_is_404(client, world):
    login(client, "admin@test.kg")
    assert client.get("/admin/companies/999999/edit").status_code == 404
    assert client.get("/admin/companies/999999/licences/new").status_code == 404
    assert client.get("/admin/licences/999999/edit").status_code == 404


def test_company_form_without_csrf_token_is_rejected(client, app, world):
    login(client, "admin@test.kg")
    assert client.post("/admin/companies/new", data=_company_data()).status_code == 400
    assert client.post(f"/admin/companies/{world['own_company']}/edit",
                       data=_company_data(legal_name="Hijacked")).status_code == 400
    assert _company(app, legal_name="Kichi Chaarat Mining LLC") is None
    assert _company(app, legal_name="Hijacked") is None


# --- licences ---

def test_admin_adds_a_licence_and_the_region_comes_from_the_site(client, app, world):
    login(client, "admin@test.kg")
    site = _id(app, Site, "T1-01")
    minerals = [_id(app, Mineral, "REE"), _id(app, Mineral, "BE")]
    path = f"/admin/companies/{world['own_company']}/licences/new"
    page = client.get(path).get_data(as_text=True)
    assert 'type="checkbox"' in page and 'type="date"' in page and "<legend>Minerals</legend>" in page
    response = post_form(client, path, _licence_data(site_id=site, mineral_ids=minerals, issued_on="2020-05-01",
                                                     expires_on="2040-04-30"))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/admin/companies/{world['own_company']}/edit")
    licence = _licence(app, "AP-1234-KG")
    assert licence == {"company_id": world["own_company"], "kind": "extraction",
                       "project_name": "Kutessay-II rare earths", "site_id": site,
                       "region_id": _id(app, Region, "CHUY"), "status": "active",
                       "issued_on": dt.date(2020, 5, 1), "expires_on": dt.date(2040, 4, 30),
                       "minerals": ["BE", "REE"]}
    assert "AP-1234-KG" in client.get(f"/admin/companies/{world['own_company']}/edit").get_data(as_text=True)


def test_a_duplicate_licence_number_is_refused_even_in_other_case(client, app, factory, world):
    factory.licence(world["other_company"], number="AP-1234-KG")
    login(client, "admin@test.kg")
    response = post_form(client, f"/admin/companies/{world['own_company']}/licences/new",
                         _licence_data(number="ap-1234-kg"))
    assert response.status_code == 422
    assert "already registered (to Other Mining LLC)" in field_error(response.get_data(as_text=True), "number")
    assert _licence(app, "ap-1234-kg") is None


@pytest.mark.parametrize("issued, expires", [("2030-01-01", "2020-01-01"), ("2030-01-01", "2030-01-01")])
def test_expiry_must_be_after_issue(client, app, world, issued, expires):
    login(client, "admin@test.kg")
    response = post_form(client, f"/admin/companies/{world['own_company']}/licences/new",
                         _licence_data(issued_on=issued, expires_on=expires))
    assert response.status_code == 422
    assert "The expiry date must be after the issue date" in field_error(response.get_data(as_text=True),
                                                                          "expires_on")
    assert _licence(app, "AP-1234-KG") is None


@pytest.mark.parametrize("values, field, message", [
    ({"issued_on": "31.12.2020"}, "issued_on", "Enter the date as year-month-day"),
    ({"kind": "mining"}, "kind", "Choose one of the options in the list."),
    ({"status": "dormant"}, "status", "Choose one of the options in the list."),
    ({"site_id": "999999"}, "site_id", "Choose one of the options in the list."),
    ({"mineral_ids": ["999999"]}, "mineral_ids", "Choose one of the options in the list."),
    ({"project_name": ""}, "project_name", "Enter the name of the project"),
])
def test_licence_values_are_checked_at_their_field(client, world, values, field, message):
    login(client, "admin@test.kg")
    response = post_form(client, f"/admin/companies/{world['own_company']}/licences/new", _licence_data(**values))
    assert response.status_code == 422
    assert message in field_error(response.get_data(as_text=True), field)


def test_admin_edits_a_licence(client, app, world):
    login(client, "admin@test.kg")
    path = f"/admin/licences/{world['own_licence']}/edit"
    page = client.get(path).get_data(as_text=True)
    assert "Own Mining LLC" in page
    naryn = _id(app, Region, "NARYN")
    response = post_form(client, path, _licence_data(number="AP-9999-KG", kind="exploration", status="suspended",
                                                     region_id=naryn, mineral_ids=[_id(app, Mineral, "BE")]))
    assert response.status_code == 302
    licence = _licence(app, "AP-9999-KG")
    assert (licence["kind"], licence["status"], licence["region_id"], licence["minerals"]) == (
        "exploration", "suspended", naryn, ["BE"])
    assert licence["company_id"] == world["own_company"]
    response = post_form(client, path, _licence_data(number="AP-9999-KG"))  # no minerals ticked: none kept
    assert response.status_code == 302 and _licence(app, "AP-9999-KG")["minerals"] == []


def test_a_licence_keeps_its_own_number_when_edited(client, app, world):
    login(client, "admin@test.kg")
    with app.app_context():
        number = db.session.get(License, world["own_licence"]).number
    response = post_form(client, f"/admin/licences/{world['own_licence']}/edit",
                         _licence_data(number=number, project_name="Renamed project"))
    assert response.status_code == 302
    assert _licence(app, number)["project_name"] == "Renamed project"


def test_licence_form_without_csrf_token_is_rejected(client, app, world):
    login(client, "admin@test.kg")
    assert client.post(f"/admin/companies/{world['own_company']}/licences/new",
                       data=_licence_data()).status_code == 400
    assert client.post(f"/admin/licences/{world['own_licence']}/edit",
                       data=_licence_data()).status_code == 400
    assert _licence(app, "AP-1234-KG") is None


# --- access ---

@pytest.mark.parametrize("path, form", [
    ("/admin/companies", False), ("/admin/companies/new", True), ("/admin/companies/{own_company}/edit", True),
    ("/admin/companies/{other_company}/licences/new", True), ("/admin/licences/{own_licence}/edit", True)])
def test_register_pages_are_for_administrators_only(client, world, path, form):
    assert_admin_only(client, world, path.format(**world), form=form)


# --- services and rules (for the decisions the pages rely on) ---

def _actor(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def test_the_secretariat_may_manage_the_register_through_the_services(app, world):
    with app.test_request_context():
        company = services.create_company(_actor("secretariat@test.kg"), inn="00000000000999",
                                          legal_name="Scoped In LLC", state_share_percent=Decimal("30"))
        licence = services.create_licence(_actor("secretariat@test.kg"), company, number="SEC-1",
                                          kind="prospecting", project_name="Scoped project")
        db.session.commit()
        assert company.state_share_bp == 3000 and licence.company_id == company.id


@pytest.mark.parametrize("email", ["filer@test.kg", "officer@test.kg"])
def test_filers_and_officers_may_not_change_the_register(app, world, email):
    with app.test_request_context():
        actor = _actor(email)
        company = db.session.get(Company, world["own_company"])
        with pytest.raises(PermissionDenied):
            services.create_company(actor, inn="00000000000998", legal_name="Nope LLC")
        with pytest.raises(PermissionDenied):
            services.update_company(actor, company, inn=company.inn, legal_name="Changed", legal_form=None,
                                    address=None, region_id=None, state_share_percent=None,
                                    is_state_share_free_carried=False, is_soe=False, website=None, listing=None,
                                    audited_statements_url=None, is_registered=True)
        with pytest.raises(PermissionDenied):
            services.create_licence(actor, company, number="NOPE-1", kind="extraction", project_name="Nope")


def test_the_service_reports_every_broken_rule_at_once(app, world):
    with app.test_request_context():
        with pytest.raises(ValidationError) as raised:
            services.create_company(_actor("admin@test.kg"), inn="123", legal_name="",
                                    state_share_percent="100.001", website="javascript:alert(1)",
                                    region_id=999999)
    assert set(raised.value.errors) == {"inn", "legal_name", "state_share_percent", "website", "region_id"}


def test_inn_rule_refuses_numbers_that_lost_their_leading_zeros(app):
    with app.test_request_context():
        with pytest.raises(rules.RuleViolation, match="format the column as text"):
            rules.clean_inn(1407199910095)
        assert rules.clean_inn("\u00a001407199910095 ") == "01407199910095"


@pytest.mark.parametrize("value, expected", [(None, None), ("", None), (Decimal("99.99"), 9999),
                                             ("100", 10000), ("0", 0)])
def test_share_rule_converts_percent_to_basis_points(app, value, expected):
    with app.test_request_context():
        assert rules.clean_state_share(value) == expected


@pytest.mark.parametrize("value", [Decimal("100.001"), Decimal("-0.01"), Decimal("NaN"), "100.001", "1,2,3"])
def test_share_rule_refuses_out_of_range_or_too_precise_values(app, value):
    with app.test_request_context():
        with pytest.raises(rules.RuleViolation):
            rules.clean_state_share(value)
