"""API tokens: issued to a signed-in user, stored as a SHA-256 only, listed and revoked by their owner.

A token is ``esg_`` followed by 43 random URL-safe characters (32 bytes). The plain text is
returned once, when the token is created; afterwards only its first characters (``prefix``)
are shown so the user can tell tokens apart. Services flush but never commit.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from flask_babel import gettext as _
from sqlalchemy import select, update

from ..audit import utcnow
from ..errors import NotFound, ValidationError
from ..extensions import db
from . import services
from .models import ApiToken, User
from .permissions import require

#: marks the string as an esg_portal token (secret scanners and people recognise it)
TOKEN_PREFIX = "esg_"
#: how many leading characters are kept to tell tokens apart (ApiToken.prefix is String(12))
SHOWN_CHARACTERS = 12
MAX_NAME_LENGTH = 100
#: last_used_at is written at most this often per token
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)
#: key of ``Session.info`` set when authenticate_token wrote a token's last use
USE_RECORDED = "esg_portal.token_use_recorded"


def hash_token(plain: str) -> str:
    """The stored form of a token: sha256 hex of its UTF-8 text."""
    return hashlib.sha256(plain.encode("utf-8")).hexdigest()


def _signed_in(actor: User | None) -> User:
    require(bool(getattr(actor, "is_authenticated", False)))
    return actor


def create_token(actor: User, name: str) -> tuple[ApiToken, str]:
    """A new token of ``actor`` named ``name``; returns the record and the plain token (shown once)."""
    actor = _signed_in(actor)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": [_("Give the token a name that says where it is used, for example "
                                          "“1C export”.")]})
    if len(name) > MAX_NAME_LENGTH:
        raise ValidationError({"name": [_("The name is too long: at most %(max)d characters.",
                                          max=MAX_NAME_LENGTH)]})
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=actor.id, name=name, token_hash=hash_token(plain), prefix=plain[:SHOWN_CHARACTERS])
    db.session.add(token)
    db.session.flush()
    return token, plain


def list_tokens(actor: User) -> list[ApiToken]:
    """The actor's own tokens, active ones first, newest first."""
    actor = _signed_in(actor)
    stmt = (select(ApiToken).where(ApiToken.user_id == actor.id)
            .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc(), ApiToken.id.desc()))
    return list(db.session.scalars(stmt))


def revoke_token(actor: User, token_id: int, *, now: dt.datetime | None = None) -> ApiToken:
    """Revoke one of the actor's own tokens (revoking twice changes nothing).

    Another user's token does not exist for the actor: NotFound, whatever their role.
    """
    actor = _signed_in(actor)
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != actor.id:
        raise NotFound()
    if token.revoked_at is None:
        token.revoked_at = now or utcnow()
        db.session.flush()
    return token


def authenticate_token(plain: str | None, *, now: dt.datetime | None = None) -> User | None:
    """The active user a token belongs to, or None for an unknown, revoked or deactivated one.

    The token is looked up by its hash, so the secret is never compared character by
    character. ``last_used_at`` is written at most once a minute, by a plain UPDATE: like
    the sign-in bookkeeping of users, it is not a change worth an audit event per request.
    """
    if not plain or len(plain) > 200:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(plain)))
    if token is None or token.revoked_at is not None:
        return None
    user = db.session.get(User, token.user_id)
    if user is None or not user.is_active:
        return None
    now = now or utcnow()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        db.session.execute(update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=now)
                           .execution_options(synchronize_session=False))
        db.session.expire(token, ["last_used_at"])
        # the caller commits this write on its own (only then: most requests have nothing to keep)
        db.session.info[USE_RECORDED] = True
    return user


def issue_token(email: str, password: str, *, max_failures: int, lock_minutes: int,
                name: str | None = None, now: dt.datetime | None = None) -> str | None:
    """Sign in with e-mail and password (throttled like the sign-in form) and create a token.

    Returns the plain token, or None for wrong credentials (the failure is counted, so the
    caller commits either way); raises ``LoginThrottled`` (429) while the address is locked
    (unknown addresses are locked like accounts, so the answer tells nobody which exist).
    """
    user = services.authenticate(email, password, max_failures=max_failures, lock_minutes=lock_minutes, now=now)
    if user is None:
        return None
    label = (name or "").strip() or _("Created through the API on %(date)s",
                                      date=(now or utcnow()).strftime("%Y-%m-%d %H:%M UTC"))
    return create_token(user, label)[1]
