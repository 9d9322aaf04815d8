"""Server-side browser sessions: what makes a session cookie worth something.

Signing in opens a ``UserSession`` and puts its random key into the (signed) session cookie;
every request is signed in only while that row exists (``user_of_session``). Signing out
deletes the row, so a copy of the cookie taken before is useless afterwards; a password
change deletes every other session of the account and revokes its API tokens. Services flush
but never commit.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import bindparam, delete, select

from ..audit import utcnow
from ..extensions import db
from .models import ApiToken, User, UserSession


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def open_session(user: User, *, max_age: dt.timedelta, now: dt.datetime | None = None) -> str:
    """A new session of ``user`` (who has just proved their password); returns the key for the cookie.

    The user's sessions older than ``max_age`` are forgotten on the way.
    """
    now = now or utcnow()
    db.session.execute(delete(UserSession).where(UserSession.user_id == user.id,
                                                 UserSession.created_at <= now - max_age)
                       .execution_options(synchronize_session=False))
    key = secrets.token_urlsafe(32)
    record = UserSession(user_id=user.id, key_hash=_hash(key), created_at=now)
    db.session.add(record)
    db.session.flush()
    user.current_session_id = record.id
    return key


#: built once: it runs on every signed-in request, and building a statement (and its cache key) again
#: each time costs more than running it
_SIGNED_IN = (select(User, UserSession.id).join(UserSession, UserSession.user_id == User.id)
              .where(User.id == bindparam("user_id"), UserSession.key_hash == bindparam("key_hash"),
                     UserSession.created_at > bindparam("since")))


def user_of_session(user_id: str, key: str | None, *, max_age: dt.timedelta,
                    now: dt.datetime | None = None) -> User | None:
    """The active user a session cookie signs in, or None once the session was ended or is too old."""
    if not key or len(key) > 100:
        return None
    try:
        user_id_number = int(user_id)
    except (TypeError, ValueError):
        return None
    row = db.session.execute(_SIGNED_IN, {"user_id": user_id_number, "key_hash": _hash(key),
                                          "since": (now or utcnow()) - max_age}).first()
    if row is None:
        return None
    user, session_id = row
    if not user.is_active:
        return None
    user.current_session_id = session_id
    return user


def close_session(actor: User) -> None:
    """Sign out: the session the actor is signed in through ends, for every copy of its cookie."""
    if getattr(actor, "current_session_id", None) is not None:
        db.session.execute(delete(UserSession).where(UserSession.id == actor.current_session_id,
                                                     UserSession.user_id == actor.id)
                           .execution_options(synchronize_session=False))
        actor.current_session_id = None


def end_credentials(actor: User | None, user: User, *, keep_current: bool = True,
                    now: dt.datetime | None = None) -> None:
    """After ``user``'s password changed: end their sessions and revoke their API tokens.

    With ``keep_current``, the session ``actor`` acts through survives when they changed their
    own password (the administration page, which does not renew it); without, the caller opens
    a new session for them.
    """
    stmt = delete(UserSession).where(UserSession.user_id == user.id)
    keep = getattr(actor, "current_session_id", None) if actor is not None and actor.id == user.id else None
    if keep_current and keep is not None:
        stmt = stmt.where(UserSession.id != keep)
    db.session.execute(stmt.execution_options(synchronize_session=False))
    now = now or utcnow()
    # one by one through the ORM: each revocation is an audit event naming who caused it
    for token in db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id,
                                                           ApiToken.revoked_at.is_(None))).all():
        token.revoked_at = now
    db.session.flush()
