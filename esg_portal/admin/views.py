"""Administration pages (admin role only): users, companies and licences, agencies, audit trail."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import (Blueprint, Response, current_app, flash, redirect, render_template, request, url_for)
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts import services as account_services
from ..accounts.permissions import is_admin, require
from ..companies import services as company_services
from ..downloads import content_disposition
from ..errors import ValidationError
from ..extensions import db
from ..forms import form_status
from ..forms.admin import (AGENCY_LEVEL_LABELS, AdminForm, AgencyEditForm, AgencyForm, CompanyForm, LicenceForm,
                           UserEditForm, UserForm)
from . import services
from .audit_trail import AuditFilterForm

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
def admin_only():
    """Visitors are sent to sign in; every role but admin gets 403 (services check again)."""
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    require(is_admin(current_user))
    return None


def _save(form: AdminForm, service: Callable[..., Any], *records: Any) -> Any:
    """Call ``service`` with the form's values and commit; on a rule failure roll back, show
    the service's messages at their fields and return None."""
    try:
        result = service(current_user, *records, **form.values())
    except ValidationError as error:
        db.session.rollback()
        form.add_errors(error.errors)
        return None
    db.session.commit()
    return result


def _checked(form: AdminForm, check: Callable[..., dict[str, list[str]]], *records: Any) -> bool:
    """Whether a submitted form passes both its field validators and the service's rules (``check``), all
    run before answering so that every error is shown in one round; a field keeps its own error first."""
    if not form.is_submitted():
        return False
    valid = form.validate()
    problems = check(current_user, *records, **form.values())
    form.add_errors({name: messages for name, messages in problems.items()
                     if name not in form._fields or not form._fields[name].errors})
    return valid and not problems


def _page(template: str, form: AdminForm, **context: Any):
    """A form page; 422 when a submitted form comes back with errors."""
    return render_template(template, form=form, **context), 422 if form.errors else 200


# --- users ---

@bp.route("/users")
def users():
    return render_template("admin/users.html", users=account_services.list_users(current_user))


@bp.route("/users/new", methods=["GET", "POST"])
def new_user():
    form = UserForm(**services.list_user_choices(current_user))
    if _checked(form, account_services.check_account) and (user := _save(form, account_services.create_user)):
        flash(_("The account %(email)s was created.", email=user.email), "success")
        return redirect(url_for(".users"))
    return _page("admin/user_form.html", form, user=None)


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
def edit_user(user_id: int):
    user = account_services.get_user(current_user, user_id)
    form = UserEditForm(obj=user, **services.list_user_choices(current_user))
    if _checked(form, account_services.check_account, user) and _save(form, account_services.update_user, user):
        flash(_("The account %(email)s was saved.", email=user.email), "success")
        return redirect(url_for(".users"))
    return _page("admin/user_form.html", form, user=user)


# --- companies and licences ---

@bp.route("/companies")
def companies():
    return render_template("admin/companies.html", companies=services.list_all_companies(current_user))


@bp.route("/companies/new", methods=["GET", "POST"])
def new_company():
    form = CompanyForm(regions=company_services.list_register_choices(current_user)["regions"])
    if form.validate_on_submit() and (company := _save(form, company_services.create_company)):
        flash(_("%(name)s was added to the register. You can now add its licences.", name=company.legal_name),
              "success")
        return redirect(url_for(".edit_company", company_id=company.id))
    return _page("admin/company_form.html", form, company=None)


@bp.route("/companies/<int:company_id>/edit", methods=["GET", "POST"])
def edit_company(company_id: int):
    company = company_services.get_company(current_user, company_id)
    form = CompanyForm(obj=company, regions=company_services.list_register_choices(current_user)["regions"])
    if form.validate_on_submit() and _save(form, company_services.update_company, company):
        flash(_("%(name)s was saved.", name=company.legal_name), "success")
        return redirect(url_for(".companies"))
    return _page("admin/company_form.html", form, company=company)


@bp.route("/companies/<int:company_id>/licences/new", methods=["GET", "POST"])
def new_licence(company_id: int):
    company = company_services.get_company(current_user, company_id)
    form = LicenceForm(**company_services.list_register_choices(current_user))
    if form.validate_on_submit() and (licence := _save(form, company_services.create_licence, company)):
        flash(_("Licence %(number)s was added.", number=licence.number), "success")
        return redirect(url_for(".edit_company", company_id=company.id))
    return _page("admin/licence_form.html", form, company=company, licence=None)


@bp.route("/licences/<int:licence_id>/edit", methods=["GET", "POST"])
def edit_licence(licence_id: int):
    licence = company_services.get_licence(current_user, licence_id)
    form = LicenceForm(obj=licence, **company_services.list_register_choices(current_user))
    if form.validate_on_submit() and _save(form, company_services.update_licence, licence):
        flash(_("Licence %(number)s was saved.", number=licence.number), "success")
        return redirect(url_for(".edit_company", company_id=licence.company_id))
    return _page("admin/licence_form.html", form, company=licence.company, licence=licence)


# --- government agencies ---

@bp.route("/agencies")
def agencies():
    return render_template("admin/agencies.html", agencies=services.list_agencies(current_user),
                           level_labels=AGENCY_LEVEL_LABELS)


@bp.route("/agencies/new", methods=["GET", "POST"])
def new_agency():
    form = AgencyForm()
    if form.validate_on_submit() and (agency := _save(form, services.create_agency)):
        flash(_("The agency %(code)s was created.", code=agency.code), "success")
        return redirect(url_for(".agencies"))
    return _page("admin/agency_form.html", form, agency=None)


@bp.route("/agencies/<int:agency_id>/edit", methods=["GET", "POST"])
def edit_agency(agency_id: int):
    agency = services.get_agency(current_user, agency_id)
    form = AgencyEditForm(obj=agency)
    if form.validate_on_submit() and _save(form, services.update_agency, agency):
        flash(_("The agency %(code)s was saved.", code=agency.code), "success")
        return redirect(url_for(".agencies"))
    return _page("admin/agency_form.html", form, agency=agency)


@bp.route("/audit")
def audit_log():
    """The trail, filtered (query arguments) and paged; filters in error are shown at their fields (422)."""
    form = AuditFilterForm(request.args, tables=services.list_audit_tables(current_user))
    page = services.audit_trail_page(current_user, form.filters(), form.page_ref()) if form.validate() else None
    return render_template("admin/audit.html", form=form, page=page), form_status(form)


def _with_app_context(app, chunks):
    """Stream ``chunks``, each made in an application context of its own that is popped before the chunk
    is handed on: no context outlives a chunk, however the body is read or abandoned
    (``stream_with_context`` keeps the request's contexts until the whole body is consumed)."""
    iterator = iter(chunks)
    while True:
        with app.app_context():
            try:
                chunk = next(iterator)
            except StopIteration:
                return
        yield chunk


@bp.route("/audit.csv")
def audit_csv():
    """Every event matching the filters as CSV, streamed (at most ``MAX_CSV_EVENTS``, the newest)."""
    form = AuditFilterForm(request.args, tables=services.list_audit_tables(current_user))
    if not form.validate():
        return render_template("admin/audit.html", form=form, page=None), form_status(form)
    export = services.export_audit_trail(current_user, form.filters())
    return Response(_with_app_context(current_app._get_current_object(), export.chunks), mimetype="text/csv",
                    headers={
        "Content-Disposition": content_disposition(export.filename), "Cache-Control": "no-store",
        "X-Audit-Events": str(min(export.total, export.cap)),
        "X-Audit-Capped": "true" if export.is_capped else "false"})
