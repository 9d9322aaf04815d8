"""Filing pages (the forms arrive with the disclosure issue; here: read a version)."""
from flask import Blueprint, render_template
from flask_login import current_user, login_required

from . import services

bp = Blueprint("disclosure", __name__, url_prefix="/disclosures")


@bp.route("/<int:disclosure_id>")
@login_required
def show(disclosure_id: int):
    disclosure = services.get_disclosure(current_user, disclosure_id)
    return render_template("disclosure/show.html", disclosure=disclosure,
                           totals=services.totals_by_currency(disclosure))
