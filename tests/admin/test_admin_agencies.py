"""Administration of government agencies: create and edit through the HTML forms, the code
and three-language name rules, and access rules."""
from __future__ import annotations

import pytest
from sqlalchemy import delete, select

from admin_support import assert_admin_only, field_error, login, post_form
from esg_portal.extensions import db
from esg_portal.reference.loader import read_reference_csv
from esg_portal.reference.models import GovernmentEntity


@pytest.fixture
def agencies_restored(app, reference_mutable):
    """Agencies are reference rows kept between tests: drop the ones a test added, reactivate
    the shipped ones; ``reference_mutable`` then reloads their names."""
    yield
    with app.app_context():
        shipped = [row["code"] for row in read_reference_csv("government_entities.csv")]
        db.session.execute(delete(GovernmentEntity).where(GovernmentEntity.code.not_in(shipped)))
        for agency in db.session.scalars(select(GovernmentEntity)):
            agency.is_active = True
        db.session.commit()


def _agency(app, code: str) -> dict | None:
    with app.app_context():
        agency = db.session.scalar(select(GovernmentEntity).where(GovernmentEntity.code == code))
        if agency is None:
            return None
        return {"id": agency.id, "name_ky": agency.name_ky, "name_ru": agency.name_ru, "name_en": agency.name_en,
                "agency_type": agency.agency_type, "level": agency.level, "is_active": agency.is_active}


def _agency_data(**values) -> dict:
    data = {"code": "CHUYLSG", "name_ky": "Чүй облусунун жергиликтүү бюджети",
            "name_ru": "Местный бюджет Чуйской области", "name_en": "Chuy Region local budget",
            "agency_type": "Local government", "level": "subnational", "is_active": "y"}
    data.update(values)
    return {key: value for key, value in data.items() if value is not None}


def test_admin_sees_the_agencies_with_links(client, app, world):
    login(client, "admin@test.kg")
    page = client.get("/admin/agencies").get_data(as_text=True)
    assert "STS" in page and "State Tax Service" in page and "Subnational (local budgets)" in page
    assert 'href="/admin/agencies/new"' in page
    assert f'href="/admin/agencies/{_agency(app, "STS")["id"]}/edit"' in page


def test_admin_creates_an_agency(client, app, world, agencies_restored):
    login(client, "admin@test.kg")
    page = client.get("/admin/agencies/new").get_data(as_text=True)
    assert 'name="csrf_token"' in page and '<label for="code">' in page and 'lang="ky"' in page
    response = post_form(client, "/admin/agencies/new", _agency_data(code=" chuy-lsg "))
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/agencies")
    assert _agency(app, "CHUY-LSG") == {
        "id": _agency(app, "CHUY-LSG")["id"], "name_ky": "Чүй облусунун жергиликтүү бюджети",
        "name_ru": "Местный бюджет Чуйской области", "name_en": "Chuy Region local budget",
        "agency_type": "Local government", "level": "subnational", "is_active": True}
    assert "CHUY-LSG" in client.get("/admin/agencies").get_data(as_text=True)


@pytest.mark.parametrize("field, message", [("name_ky", "in Kyrgyz"), ("name_ru", "in Russian"),
                                            ("name_en", "in English")])
def test_each_of_the_three_names_is_required(client, app, world, agencies_restored, field, message):
    login(client, "admin@test.kg")
    response = post_form(client, "/admin/agencies/new", _agency_data(**{field: "  "}))
    assert response.status_code == 422
    assert f"Enter the agency's name {message}." in field_error(response.get_data(as_text=True), field)
    assert _agency(app, "CHUYLSG") is None


def test_a_duplicate_code_is_refused_at_the_code_field(client, app, world, agencies_restored):
    login(client, "admin@test.kg")
    response = post_form(client, "/admin/agencies/new", _agency_data(code="sts"))
    assert response.status_code == 422
    assert "An agency with the code STS already exists" in field_error(response.get_data(as_text=True), "code")
    assert _agency(app, "STS")["name_en"] == "State Tax Service"


@pytest.mark.parametrize("code", ["", "X", "1ABC", "TOO-LONG-CODE-12345", "ST S", "СТС"])
def test_a_malformed_code_is_refused(client, app, world, agencies_restored, code):
    login(client, "admin@test.kg")
    response = post_form(client, "/admin/agencies/new", _agency_data(code=code))
    assert response.status_code == 422
    assert "2 to 16 Latin capital letters" in field_error(response.get_data(as_text=True), "code")


def test_an_unknown_level_is_refused(client, world, agencies_restored):
    login(client, "admin@test.kg")
    response = post_form(client, "/admin/agencies/new", _agency_data(level="regional"))
    assert response.status_code == 422
    assert "Choose one of the options in the list." in field_error(response.get_data(as_text=True), "level")


def test_admin_edits_an_agency_but_not_its_code(client, app, world, agencies_restored):
    login(client, "admin@test.kg")
    assert post_form(client, "/admin/agencies/new", _agency_data()).status_code == 302
    agency_id = _agency(app, "CHUYLSG")["id"]
    path = f"/admin/agencies/{agency_id}/edit"
    page = client.get(path).get_data(as_text=True)
    assert 'name="code"' not in page and 'id="agency-code">CHUYLSG<' in page
    assert 'value="Chuy Region local budget"' in page
    response = post_form(client, path, _agency_data(code="HIJACK", name_en="Chuy Region budgets",
                                                    level="national", is_active=None))
    assert response.status_code == 302
    assert _agency(app, "HIJACK") is None
    edited = _agency(app, "CHUYLSG")
    assert (edited["name_en"], edited["level"], edited["is_active"]) == ("Chuy Region budgets", "national", False)
    assert edited["name_ru"] == "Местный бюджет Чуйской области"


def test_editing_a_shipped_agency_refuses_a_blank_name(client, app, world, agencies_restored):
    login(client, "admin@test.kg")
    sts = _agency(app, "STS")
    response = post_form(client, f"/admin/agencies/{sts['id']}/edit", _agency_data(
        name_ky="", name_ru=sts["name_ru"], name_en=sts["name_en"], agency_type=sts["agency_type"], level="national"))
    assert response.status_code == 422
    assert "in Kyrgyz" in field_error(response.get_data(as_text=True), "name_ky")
    assert _agency(app, "STS") == sts


def test_unknown_agency_is_404(client, world):
    login(client, "admin@test.kg")
    assert client.get("/admin/agencies/999999/edit").status_code == 404


def test_agency_forms_without_csrf_token_are_rejected(client, app, world, agencies_restored):
    login(client, "admin@test.kg")
    assert client.post("/admin/agencies/new", data=_agency_data()).status_code == 400
    sts = _agency(app, "STS")
    assert client.post(f"/admin/agencies/{sts['id']}/edit", data=_agency_data()).status_code == 400
    assert _agency(app, "CHUYLSG") is None and _agency(app, "STS") == sts


@pytest.mark.parametrize("path, form", [("/admin/agencies", False), ("/admin/agencies/new", True),
                                        ("/admin/agencies/{agency_id}/edit", True)])
def test_agency_pages_are_for_administrators_only(client, app, world, path, form):
    assert_admin_only(client, world, path.format(agency_id=_agency(app, "STS")["id"]), form=form)
