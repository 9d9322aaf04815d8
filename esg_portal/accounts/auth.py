"""Flask-Login wiring, the browser's side of sessions and trusted devices, and the audit
trail's notion of 'who is acting'.

The cookie side lives here (services never touch ``session`` or cookies):

* the session cookie carries the key of a server-side ``UserSession`` (accounts.sessions);
  a request is signed in only while that session exists, so sign-out and a password change
  end it for every copy of the cookie. Signing in starts a new cookie session: nothing of
  the visitor's session (CSRF secret included) is carried into the signed-in one.
* the trusted-device cookie, set when a browser signs in, lets that browser through an
  account lock caused by somebody else's wrong passwords (services.authenticate).
"""
from __future__ import annotations

import datetime as dt
import secrets

from flask import Response, current_app, flash, g, has_request_context, redirect, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import login_url, login_user, logout_user
from itsdangerous import BadData, URLSafeTimedSerializer

from .. import audit
from ..errors import Unauthorized, wants_json
from ..extensions import login_manager
from . import sessions
from .models import User
from .services import TrustedDevice

#: where the session cookie keeps the key of its UserSession
SESSION_KEY = "_esg_session"
DEVICE_COOKIE = "esg_device"
#: a browser that signed in stays trusted this long (each sign-in renews it)
DEVICE_LIFETIME = dt.timedelta(days=180)
_DEVICE_SALT = "esg_portal.trusted-device"


def session_lifetime() -> dt.timedelta:
    """Sessions end at the latest this long after sign-in (Flask's PERMANENT_SESSION_LIFETIME)."""
    return current_app.permanent_session_lifetime


def _load_user(user_id: str) -> User | None:
    return sessions.user_of_session(user_id, session.get(SESSION_KEY), max_age=session_lifetime())


def begin_browser_session(user: User, session_key: str) -> None:
    """Sign the browser in with a fresh cookie session (no fixation; a new CSRF secret)."""
    session.clear()
    g.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)
    login_user(user)
    session[SESSION_KEY] = session_key


def end_browser_session() -> None:
    """Sign the browser out and drop everything its session held."""
    logout_user()
    session.clear()


def _device_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=_DEVICE_SALT)


def trusted_device() -> TrustedDevice | None:
    """What this browser's trusted-device cookie says, if it carries a valid one."""
    raw = request.cookies.get(DEVICE_COOKIE)
    if not raw or len(raw) > 500:
        return None
    try:
        data = _device_serializer().loads(raw, max_age=int(DEVICE_LIFETIME.total_seconds()))
        return TrustedDevice(user_id=int(data["u"]), nonce=str(data["n"]), fingerprint=str(data["f"]))
    except (BadData, KeyError, TypeError, ValueError):
        return None


def remember_device(response: Response, user: User) -> Response:
    """Mark the browser that has just proved ``user``'s password as trusted (a new cookie each time)."""
    value = _device_serializer().dumps({"u": user.id, "n": secrets.token_urlsafe(16), "f": user.password_fingerprint})
    response.set_cookie(DEVICE_COOKIE, value, max_age=int(DEVICE_LIFETIME.total_seconds()),
                        path=url_for("accounts.login"),
                        httponly=True, samesite="Lax", secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response


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
