"""Administration pages (admin role only)."""
from flask import Blueprint, render_template
from flask_login import current_user, login_required

from ..accounts import services as account_services
from . import services

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/users")
@login_required
def users():
    return render_template("admin/users.html", users=account_services.list_users(current_user))


@bp.route("/companies")
@login_required
def companies():
    return render_template("admin/companies.html", companies=services.list_all_companies(current_user))


@bp.route("/agencies")
@login_required
def agencies():
    return render_template("admin/agencies.html", agencies=services.list_agencies(current_user))


@bp.route("/audit")
@login_required
def audit_log():
    return render_template("admin/audit.html", events=services.recent_audit_events(current_user))
