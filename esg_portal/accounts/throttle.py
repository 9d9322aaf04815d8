"""Sign-in throttling: every password check is counted *before* it is made, by one atomic statement.

A counter is either an account row (``user_account.failed_login_count`` …) or a row of
``sign_in_throttle`` (an unknown e-mail address, a trusted device). ``reserve`` adds one to the
counter in a single ``UPDATE … RETURNING`` (or ``INSERT … ON CONFLICT DO UPDATE … RETURNING``)
whose ``WHERE`` refuses a locked counter, so that parallel attempts cannot all read "not locked"
before any of them writes: the database orders them (PostgreSQL by the row lock the statement
takes, SQLite by its write lock), and at most ``max_failures`` checks happen per lock period.
The count starts over when the last counted attempt is older than the lock time; the attempt
that reaches ``max_failures`` sets the lock. Functions flush nothing and never commit.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from flask_babel import ngettext
from sqlalchemy import case, delete, literal, null, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from ..errors import PortalError
from ..extensions import UtcDateTime, db
from .models import SignInThrottle, User


class LoginThrottled(PortalError):
    status = 429
    code = "too_many_requests"


@dataclass(frozen=True)
class Limits:
    """The throttling policy at one moment."""

    max_failures: int
    lock_minutes: int
    now: dt.datetime

    @property
    def lock_end(self) -> dt.datetime:
        return self.now + dt.timedelta(minutes=self.lock_minutes)

    @property
    def stale_before(self) -> dt.datetime:
        """A counter whose last attempt is this old starts over (and its lock, if any, has ended)."""
        return self.now - dt.timedelta(minutes=self.lock_minutes)


def key_of(kind: str, value: str) -> str:
    """The stored key of a throttle row: a hash, so typed e-mail addresses are not kept."""
    return hashlib.sha256(f"{kind}:{value}".encode("utf-8")).hexdigest()


def _at(value: dt.datetime):
    return literal(value, UtcDateTime)


def reserve_account(user_id: int, limits: Limits) -> bool:
    """Count one check against the account; False (nothing changed) while it is locked."""
    fresh = or_(User.last_failed_login_at.is_(None), User.last_failed_login_at <= _at(limits.stale_before))
    count = case((fresh, 1), else_=User.failed_login_count + 1)
    stmt = (update(User)
            .where(User.id == user_id, or_(User.locked_until.is_(None), User.locked_until <= _at(limits.now)))
            .values(failed_login_count=count, last_failed_login_at=limits.now,
                    locked_until=case((count >= limits.max_failures, _at(limits.lock_end)), else_=null()))
            .returning(User.id)
            .execution_options(synchronize_session=False))
    return db.session.execute(stmt).first() is not None


def reserve_key(key_hash: str, limits: Limits) -> bool:
    """Count one check against a throttle row (created on first use); False while it is locked."""
    table = SignInThrottle.__table__
    insert = postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
    first_lock = limits.lock_end if limits.max_failures <= 1 else None
    fresh = table.c.last_failed_at <= _at(limits.stale_before)
    count = case((fresh, 1), else_=table.c.failed_count + 1)
    stmt = (insert(table)
            .values(key_hash=key_hash, failed_count=1, last_failed_at=limits.now, locked_until=first_lock)
            .on_conflict_do_update(
                index_elements=[table.c.key_hash],
                set_={"failed_count": count, "last_failed_at": _at(limits.now),
                      "locked_until": case((count >= limits.max_failures, _at(limits.lock_end)), else_=null())},
                where=or_(table.c.locked_until.is_(None), table.c.locked_until <= _at(limits.now)))
            .returning(table.c.key_hash))
    return db.session.execute(stmt).first() is not None


def reset_account(user_id: int, limits: Limits, *, keep_lock: bool = False, signed_in: bool = True) -> None:
    """A right password: the account's count starts over (and ``last_login_at`` is set when it
    was a sign-in).

    ``keep_lock``: the check was counted against a trusted device, not the account; a lock that
    somebody else caused stays in place for everybody else (the count is left alone too).
    """
    start_over = {"failed_login_count": 0, "last_failed_login_at": None, "locked_until": None}
    locked = User.locked_until > _at(limits.now)
    values: dict = {"last_login_at": limits.now} if signed_in else {}
    if keep_lock:
        values.update({name: case((locked, getattr(User, name)), else_=value) for name, value in start_over.items()})
    else:
        values.update(start_over)
    db.session.execute(update(User).where(User.id == user_id).values(**values)
                       .execution_options(synchronize_session=False))


def reset_key(key_hash: str) -> None:
    """A right password through a throttle row (a trusted device): its count starts over."""
    db.session.execute(delete(SignInThrottle).where(SignInThrottle.key_hash == key_hash)
                       .execution_options(synchronize_session=False))


#: stale throttle rows forgotten per attempt (the table stays small however many addresses are tried)
PURGE_BATCH = 50


def purge(limits: Limits) -> None:
    """Forget throttle rows whose count would start over anyway.

    Rows another attempt holds are skipped (PostgreSQL's SKIP LOCKED; SQLite has one writer at
    a time anyway), so that sign-ins of unrelated accounts never wait for each other here.
    """
    stale = (select(SignInThrottle.key_hash)
             .where(SignInThrottle.last_failed_at <= _at(limits.stale_before),
                    or_(SignInThrottle.locked_until.is_(None), SignInThrottle.locked_until <= _at(limits.now)))
             .limit(PURGE_BATCH).with_for_update(skip_locked=True))
    db.session.execute(delete(SignInThrottle).where(SignInThrottle.key_hash.in_(stale.scalar_subquery()))
                       .execution_options(synchronize_session=False))


def refuse(locked_until: dt.datetime | None, limits: Limits) -> LoginThrottled:
    """The 429 for a locked counter, with the minutes left (the same words for every counter)."""
    left = (locked_until - limits.now).total_seconds() if locked_until is not None else 0
    minutes = max(1, int(left // 60) + 1)
    return LoginThrottled(ngettext("Too many failed sign-in attempts. Try again in %(num)d minute.",
                                   "Too many failed sign-in attempts. Try again in %(num)d minutes.",
                                   minutes))


def account_lock_end(user_id: int) -> dt.datetime | None:
    """When the account's lock ends (read after ``reserve_account`` refused)."""
    return db.session.scalar(select(User.locked_until).where(User.id == user_id))


def key_lock_end(key_hash: str) -> dt.datetime | None:
    """When a throttle row's lock ends (read after ``reserve_key`` refused)."""
    return db.session.scalar(select(SignInThrottle.locked_until).where(SignInThrottle.key_hash == key_hash))
