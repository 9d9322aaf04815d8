"""Company register pages for signed-in users."""
from flask import Blueprint, render_template
from flask_login import current_user, login_required

from . import services

bp = Blueprint("companies", __name__, url_prefix="/register/companies")


@bp.route("/")
@login_required
def index():
    return render_template("companies/index.html", companies=services.list_companies(current_user))


@bp.route("/<int:company_id>")
@login_required
def show(company_id: int):
    return render_template("companies/show.html", company=services.get_company(current_user, company_id))
