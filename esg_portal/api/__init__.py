"""The machine API of INTERFACES.md §4 at ``/api/v1``: Bearer tokens only, CSRF-exempt, JSON everywhere.

Every request but the token request itself must carry ``Authorization: Bearer <token>``;
a session cookie never signs an API call in (a page open in the browser must not lend its
sign-in to a script). Errors are JSON through the portal's one error handler
(``errors.wants_json`` answers JSON under ``/api/``).
"""
from __future__ import annotations

from flask import Blueprint, g, request
from flask_babel import gettext as _

from ..accounts import tokens
from ..errors import Unauthorized
from ..extensions import csrf, db, login_manager

bp = Blueprint("api", __name__, url_prefix="/api/v1")
# tokens are sent by programs, not by browsers holding a session: no CSRF form tokens here
csrf.exempt(bp)

#: endpoints reached without a token: the token request, the API description (it holds no data) and
#: the public API (published data only; api.public adds its endpoints)
OPEN_ENDPOINTS = {"api.issue_token", "api.openapi"}


def bearer_token(header: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header (scheme case-insensitive), else None."""
    scheme, _sep, value = (header or "").strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    return value.strip() or None


@bp.before_request
def authenticate_bearer():
    """Sign the request in with its Bearer token alone; 401 JSON without a valid one."""
    # set before anything reads current_user, so that Flask-Login never loads the session's user
    g._login_user = login_manager.anonymous_user()
    if request.endpoint in OPEN_ENDPOINTS:
        return
    user = tokens.authenticate_token(bearer_token(request.headers.get("Authorization")))
    if user is None:
        raise Unauthorized(_("Send a valid API token in the header “Authorization: Bearer <token>”. Create one "
                             "under “API tokens” in the portal or with POST /api/v1/auth/token."))
    if db.session.info.pop(tokens.USE_RECORDED, False):
        # the token's last use is kept even if the request itself fails; the view commits its own work
        db.session.commit()
        # the commit expired the user: load it now rather than in the middle of a later flush,
        # where the audit trail reads who is acting
        db.session.refresh(user)
    g._login_user = user


@bp.after_request
def bearer_challenge(response):
    """A 401 names the scheme to use (RFC 6750)."""
    if response.status_code == 401:
        response.headers.setdefault("WWW-Authenticate", 'Bearer realm="esg_portal"')
    return response


from . import attachments, feedback, notifications, public, reconciliations, releases, views  # noqa: F401,E402  (routes register themselves on bp; imported last)
