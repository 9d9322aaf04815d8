"""Flask-Login wiring and the audit trail's notion of 'who is acting'."""
from __future__ import annotations

from flask import flash, g, has_request_context, redirect, request
from flask_babel import lazy_gettext as _l
from flask_login import login_url

from .. import audit
from ..errors import Unauthorized, wants_json
from ..extensions import db, login_manager
from .models import User


def _load_user(user_id: str) -> User | None:
    try:
        user = db.session.get(User, int(user_id))
    except (TypeError, ValueError):
        return None
    return user if user is not None and user.is_active else None


def _current_actor() -> tuple[int | None, str, str | None]:
    """The signed-in user and address for the audit trail; 'system' outside requests."""
    if not has_request_context():
        return None, audit.cli_actor_label(), None
    address = request.remote_addr
    # only the already-loaded user: loading it here would query in the middle of a flush
    user = g.get("_login_user")
    if user is not None and getattr(user, "is_authenticated", False):
        return user.id, user.email, address
    return None, "anonymous", address


def _unauthorized():
    """Visitors asking for a page are sent to sign in and brought back afterwards; API and
    JSON clients, which cannot follow that redirect, get a 401 JSON answer instead.

    Only a page that was read (GET) is come back to: after signing in the browser would
    GET a form's POST-only address and meet a 405.
    """
    if wants_json():
        raise Unauthorized()
    flash(login_manager.login_message, login_manager.login_message_category)
    come_back = request.url if request.method in ("GET", "HEAD") else None
    return redirect(login_url(login_manager.login_view, next_url=come_back))


def init_login(app) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"
    login_manager.user_loader(_load_user)
    login_manager.unauthorized_handler(_unauthorized)
    audit.set_actor_provider(_current_actor)
