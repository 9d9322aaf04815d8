"""Administration of user accounts: the HTML forms, their errors, access rules and ``users create``."""
from __future__ import annotations

import re
from html import unescape

import pytest
from sqlalchemy import select

from admin_support import assert_admin_only, described_by, field_error, login, post_form
from esg_portal.accounts.models import Role, User
from esg_portal.extensions import db
from esg_portal.reference.models import GovernmentEntity

NEW_PASSWORD = "a-long-enough-password"


def _user(app, email: str) -> User | None:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        if user is not None:
            db.session.expunge(user)
        return user


def _agency_id(app, code: str) -> int:
    with app.app_context():
        return db.session.scalar(select(GovernmentEntity.id).where(GovernmentEntity.code == code))


def _new_user(**values) -> dict:
    data = {"email": "new.filer@example.kg", "full_name": "Aida Bekova", "position": "Chief accountant",
            "role": "company_filer", "company_id": "", "agency_id": "", "password": NEW_PASSWORD,
            "password_confirm": NEW_PASSWORD}
    data.update(values)
    return {key: value for key, value in data.items() if value is not None}


def _edit_data(app, user_id: int, **values) -> dict:
    with app.app_context():
        user = db.session.get(User, user_id)
        data = {"email": user.email, "full_name": user.full_name, "position": user.position or "",
                "role": user.role.value, "company_id": user.company_id or "", "agency_id": user.agency_id or "",
                "password": "", "password_confirm": ""}
        if user.is_signatory:
            data["is_signatory"] = "y"
        if user.is_active:
            data["is_active"] = "y"
    data.update(values)
    return {key: value for key, value in data.items() if value is not None}


# --- listing and creating ---

def test_admin_sees_every_account_with_edit_links(client, world):
    login(client, "admin@test.kg")
    page = client.get("/admin/users").get_data(as_text=True)
    for email in ("filer@test.kg", "officer@test.kg", "secretariat@test.kg", "admin@test.kg"):
        assert email in page
    assert f'href="/admin/users/{world["filer"]}/edit"' in page
    assert 'href="/admin/users/new"' in page


def test_new_user_form_has_csrf_labels_and_every_field(client, world):
    login(client, "admin@test.kg")
    page = client.get("/admin/users/new").get_data(as_text=True)
    assert 'name="csrf_token"' in page
    for name in ("email", "full_name", "position", "role", "company_id", "agency_id", "is_signatory", "password"):
        assert f'name="{name}"' in page
        assert f'<label for="{name}"' in page
    assert "Own Mining LLC" in page and "STS" in page
    assert 'name="is_active"' not in page  # new accounts are active


def test_admin_creates_a_filer_who_can_then_sign_in(client, app, world):
    login(client, "admin@test.kg")
    response = post_form(client, "/admin/users/new", _new_user(
        email=" New.Filer@Example.kg ", company_id=world["own_company"], is_signatory="y"))
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/users")
    user = _user(app, "new.filer@example.kg")
    assert user is not None
    assert (user.role, user.company_id, user.agency_id, user.is_signatory, user.is_active) == (
        Role.COMPANY_FILER, world["own_company"], None, True, True)
    assert user.position == "Chief accountant"
    assert "new.filer@example.kg" in client.get("/admin/users").get_data(as_text=True)
    post_form(client, "/logout", {}, form_page="/")
    login(client, "new.filer@example.kg", NEW_PASSWORD)


def test_admin_creates_an_officer_and_the_company_is_ignored(client, app, world):
    login(client, "admin@test.kg")
    response = post_form(client, "/admin/users/new", _new_user(
        email="officer2@example.kg", role="agency_officer", agency_id=_agency_id(app, "SCS"),
        company_id=world["own_company"], is_signatory="y"))
    assert response.status_code == 302
    user = _user(app, "officer2@example.kg")
    assert (user.role, user.agency_id, user.company_id, user.is_signatory) == (
        Role.AGENCY_OFFICER, _agency_id(app, "SCS"), None, False)


def test_filer_without_company_is_refused_next_to_the_company_field(client, app, world):
    login(client, "admin@test.kg")
    response = post_form(client, "/admin/users/new", _new_user())
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "A company filer must belong to a company." in field_error(page, "company_id")
    assert "company_id-error" in described_by(page, "company_id")
    assert 'href="#company_id"' in page  # the error summary links to the field
    assert 'value="new.filer@example.kg"' in page  # what was typed is kept
    assert _user(app, "new.filer@example.kg") is None


def test_officer_without_agency_is_refused_next_to_the_agency_field(client, world):
    login(client, "admin@test.kg")
    response = post_form(client, "/admin/users/new", _new_user(role="agency_officer"))
    assert response.status_code == 422
    assert "must belong to a government agency" in field_error(response.get_data(as_text=True), "agency_id")


def test_duplicate_email_is_refused_next_to_the_email_field(client, app, world):
    login(client, "admin@test.kg")
    response = post_form(client, "/admin/users/new", _new_user(email="FILER@test.kg", company_id=world["own_company"]))
    assert response.status_code == 422
    assert "already exists" in field_error(response.get_data(as_text=True), "email")
    with app.app_context():
        assert len(db.session.scalars(select(User).where(User.email == "filer@test.kg")).all()) == 1


def test_field_errors_and_rule_errors_come_in_one_round(client, app, world):
    """A form with a missing field, an e-mail in use and a filer without a company gets all three at once."""
    login(client, "admin@test.kg")
    response = post_form(client, "/admin/users/new", _new_user(email="filer@test.kg", full_name="",
                                                               password_confirm="something-else-entirely"))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Enter the person's full name." in field_error(page, "full_name")
    assert "The two passwords differ." in field_error(page, "password_confirm")
    assert "already exists" in field_error(page, "email")
    assert "A company filer must belong to a company." in field_error(page, "company_id")
    summary = re.search(r'<div class="error-summary"[^>]*id="errors".*?</div>', page, re.S).group(0)
    for field in ("full_name", "password_confirm", "email", "company_id"):
        assert f'href="#{field}"' in summary
    assert unescape(summary).count("Enter the person's full name.") == 1  # the form's message, not the service's too
    assert 'action="/admin/users/new#errors"' in page  # a refused form lands on its summary
    assert _user(app, "filer@test.kg").full_name != ""


def test_edit_form_reports_field_and_rule_errors_together(client, app, world):
    login(client, "admin@test.kg")
    response = post_form(client, f"/admin/users/{world['filer']}/edit", _edit_data(
        app, world["filer"], email="officer@test.kg", full_name="", company_id=""))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "already exists" in field_error(page, "email")
    assert "Enter the person's full name." in field_error(page, "full_name")
    assert "A company filer must belong to a company." in field_error(page, "company_id")
    assert f'action="/admin/users/{world["filer"]}/edit#errors"' in page


@pytest.mark.parametrize("values, field, message", [
    ({"email": "not-an-address"}, "email", "Enter an e-mail address such as name@example.kg."),
    ({"full_name": "  "}, "full_name", "Enter the person's full name."),
    ({"password": "short", "password_confirm": "short"}, "password", "at least 10 characters"),
    ({"password_confirm": "something-else-entirely"}, "password_confirm", "The two passwords differ."),
    ({"role": "superuser"}, "role", "Choose one of the options in the list."),
])
def test_invalid_values_are_shown_at_their_field(client, world, values, field, message):
    login(client, "admin@test.kg")
    response = post_form(client, "/admin/users/new", _new_user(company_id=world["own_company"], **values))
    assert response.status_code == 422
    assert message in field_error(response.get_data(as_text=True), field)


def test_new_user_without_csrf_token_is_rejected(client, app, world):
    login(client, "admin@test.kg")
    response = client.post("/admin/users/new", data=_new_user(company_id=world["own_company"]))
    assert response.status_code == 400
    assert _user(app, "new.filer@example.kg") is None


# --- editing ---

def test_edit_form_is_filled_with_the_account(client, world):
    login(client, "admin@test.kg")
    page = client.get(f"/admin/users/{world['filer']}/edit").get_data(as_text=True)
    assert 'value="filer@test.kg"' in page
    assert f'<option selected value="{world["own_company"]}">' in page
    assert '<option selected value="company_filer">' in page


def test_admin_edits_an_account_and_changes_its_role(client, app, world):
    login(client, "admin@test.kg")
    sts = _agency_id(app, "STS")
    response = post_form(client, f"/admin/users/{world['filer']}/edit", _edit_data(
        app, world["filer"], email="renamed@test.kg", full_name="Renamed Person", position="Officer",
        role="agency_officer", agency_id=sts, is_active=None))
    assert response.status_code == 302
    user = _user(app, "renamed@test.kg")
    assert (user.full_name, user.position, user.role, user.agency_id, user.company_id) == (
        "Renamed Person", "Officer", Role.AGENCY_OFFICER, sts, None)
    assert user.is_signatory is False and user.is_active is False


def test_blank_password_keeps_the_old_one_and_a_new_one_replaces_it(client, app, world):
    login(client, "admin@test.kg")
    assert post_form(client, f"/admin/users/{world['filer']}/edit",
                     _edit_data(app, world["filer"], full_name="Still Filer")).status_code == 302
    assert _user(app, "filer@test.kg").check_password("correct-horse-battery")
    assert post_form(client, f"/admin/users/{world['filer']}/edit", _edit_data(
        app, world["filer"], password=NEW_PASSWORD, password_confirm=NEW_PASSWORD)).status_code == 302
    user = _user(app, "filer@test.kg")
    assert user.check_password(NEW_PASSWORD) and not user.check_password("correct-horse-battery")


def test_edit_to_an_email_in_use_is_refused(client, app, world):
    login(client, "admin@test.kg")
    response = post_form(client, f"/admin/users/{world['filer']}/edit",
                         _edit_data(app, world["filer"], email="other@test.kg"))
    assert response.status_code == 422
    assert "already exists" in field_error(response.get_data(as_text=True), "email")
    assert _user(app, "filer@test.kg") is not None


def test_edit_filer_without_company_is_refused(client, app, world):
    login(client, "admin@test.kg")
    response = post_form(client, f"/admin/users/{world['officer']}/edit",
                         _edit_data(app, world["officer"], role="company_filer"))
    assert response.status_code == 422
    assert "must belong to a company" in field_error(response.get_data(as_text=True), "company_id")
    assert _user(app, "officer@test.kg").role is Role.AGENCY_OFFICER


def test_admin_cannot_demote_or_deactivate_themselves(client, app, world):
    login(client, "admin@test.kg")
    path = f"/admin/users/{world['admin']}/edit"
    response = post_form(client, path, _edit_data(app, world["admin"], role="secretariat"))
    assert response.status_code == 422
    assert "your own administrator access" in field_error(response.get_data(as_text=True), "role")
    response = post_form(client, path, _edit_data(app, world["admin"], is_active=None))
    assert response.status_code == 422
    assert "deactivate your own account" in field_error(response.get_data(as_text=True), "is_active")
    user = _user(app, "admin@test.kg")
    assert user.role is Role.ADMIN and user.is_active


def test_unknown_user_is_404(client, world):
    login(client, "admin@test.kg")
    assert client.get("/admin/users/999999/edit").status_code == 404


def test_edit_without_csrf_token_is_rejected(client, app, world):
    login(client, "admin@test.kg")
    response = client.post(f"/admin/users/{world['filer']}/edit",
                           data=_edit_data(app, world["filer"], full_name="Changed"))
    assert response.status_code == 400
    assert _user(app, "filer@test.kg").full_name != "Changed"


# --- access ---

@pytest.mark.parametrize("path, form", [
    ("/admin/users", False), ("/admin/audit", False), ("/admin/users/new", True),
    ("/admin/users/{filer}/edit", True), ("/admin/users/{admin}/edit", True)])
def test_user_pages_are_for_administrators_only(client, world, path, form):
    assert_admin_only(client, world, path.format(**world), form=form)


def test_deactivated_admin_loses_access(client, app, factory, world):
    login(client, "admin@test.kg")
    second = factory.user(Role.ADMIN, "second-admin@test.kg")
    assert post_form(client, f"/admin/users/{second}/edit",
                     _edit_data(app, second, is_active=None)).status_code == 302
    other = app.test_client()
    response = post_form(other, "/login", {"email": "second-admin@test.kg", "password": "correct-horse-battery"})
    assert response.status_code == 200  # the form again, with the sign-in error
    assert other.get("/admin/users").status_code == 302


# --- command line ---

def test_cli_creates_an_admin(runner, app):
    result = runner.invoke(args=["users", "create", "--email", "Root@Example.kg", "--name", "Root Admin",
                                 "--role", "admin", "--password", NEW_PASSWORD])
    assert result.exit_code == 0, result.output
    assert "Created admin root@example.kg" in result.output
    user = _user(app, "root@example.kg")
    assert user.role is Role.ADMIN and user.check_password(NEW_PASSWORD)


def test_cli_creates_a_filer_of_a_company_by_inn(runner, app, factory):
    company = factory.company("Cli Mining LLC", inn="00000000000042")
    result = runner.invoke(args=["users", "create", "--email", "cli.filer@example.kg", "--name", "Cli Filer",
                                 "--role", "company_filer", "--company-inn", "00000000000042", "--signatory",
                                 "--position", "Director", "--password", NEW_PASSWORD])
    assert result.exit_code == 0, result.output
    user = _user(app, "cli.filer@example.kg")
    assert (user.company_id, user.is_signatory, user.position) == (company, True, "Director")


def test_cli_creates_an_officer_of_an_agency_by_code(runner, app):
    result = runner.invoke(args=["users", "create", "--email", "cli.officer@example.kg", "--name", "Cli Officer",
                                 "--role", "agency_officer", "--agency", "sts", "--password", NEW_PASSWORD])
    assert result.exit_code == 0, result.output
    assert _user(app, "cli.officer@example.kg").agency_id == _agency_id(app, "STS")


def test_cli_refuses_an_unknown_inn(runner, app):
    result = runner.invoke(args=["users", "create", "--email", "x@example.kg", "--name", "X", "--role",
                                 "company_filer", "--company-inn", "99999999999999", "--password", NEW_PASSWORD])
    assert result.exit_code == 2
    assert "No company with INN 99999999999999" in result.output
    assert _user(app, "x@example.kg") is None


def test_cli_reports_rule_failures_by_option_and_creates_nothing(runner, app, world):
    result = runner.invoke(args=["users", "create", "--email", "filer@test.kg", "--name", "Dup", "--role",
                                 "company_filer", "--password", "short"])
    assert result.exit_code == 2
    assert "--email: An account with this e-mail address already exists." in result.output
    assert "--company-inn: A company filer must belong to a company." in result.output
    assert "--password: The password must have at least 10 characters." in result.output
    with app.app_context():
        assert db.session.scalar(select(User).where(User.full_name == "Dup")) is None
