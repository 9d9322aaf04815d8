"""Receipt pages (entry and upload arrive with the receipts issue; here: read a batch)."""
from flask import Blueprint, render_template
from flask_login import current_user, login_required

from . import services

bp = Blueprint("receipts", __name__, url_prefix="/receipts")


@bp.route("/batches/<int:batch_id>")
@login_required
def show(batch_id: int):
    return render_template("receipts/show.html", batch=services.get_batch(current_user, batch_id))
