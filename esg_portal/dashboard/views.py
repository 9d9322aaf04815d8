"""The home page: the public home page for visitors, a to-do list for signed-in users."""
from flask import Blueprint, render_template
from flask_login import current_user

from ..public.views import home_page
from . import services

bp = Blueprint("dashboard", __name__)


@bp.route("/")
def index():
    if not current_user.is_authenticated:
        # visitors see the public home page: what the published releases hold
        return home_page()
    data = services.dashboard_for(current_user)
    return render_template(f"dashboard/{current_user.role.value}.html", **data)
