"""Flask-Login wiring and the audit trail's notion of 'who is acting'."""
from __future__ import annotations

from flask import g, has_request_context, request
from flask_babel import lazy_gettext as _l

from .. import audit
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


def init_login(app) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"
    login_manager.user_loader(_load_user)
    audit.set_actor_provider(_current_actor)
