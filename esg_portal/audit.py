"""The audit trail: one SQLAlchemy session hook records every change to domain data.

Models opt in by inheriting ``Audited``. After each flush, one ``AuditEvent`` row per
created, updated or deleted record is written in the same transaction, with the value
before and after of every changed column. Views and services never call this module.
Who acted and from where is asked of ``actor_provider`` (set by the app factory), so
this core module knows no domain.
"""
from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Integer, String, event, insert, inspect
from sqlalchemy.orm import Mapped, Session, mapped_column, object_session

from .extensions import UtcDateTime, db


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class Audited:
    """Mixin: changes to this model are recorded. ``__audit_exclude__`` names noisy columns."""

    __audit_exclude__: tuple[str, ...] = ()
    #: columns whose values must never appear in the trail (only the fact that they changed)
    __audit_redact__: tuple[str, ...] = ()


class AuditEvent(db.Model):
    """One create, update or delete of one domain record."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(Integer, index=True)
    #: copied so the trail stays readable if the account is later renamed or deleted
    actor_label: Mapped[str] = mapped_column(String(255), default="system")
    action: Mapped[str] = mapped_column(String(10))  # create | update | delete
    table_name: Mapped[str] = mapped_column(String(64), index=True)
    record_id: Mapped[str] = mapped_column(String(64), index=True)
    #: {column: [before, after]}
    changes: Mapped[dict] = mapped_column(JSON, default=dict)
    ip_address: Mapped[str | None] = mapped_column(String(64))


#: Returns (actor_id, actor_label, ip_address) for the change being recorded.
ActorProvider = Callable[[], tuple[int | None, str, str | None]]


def cli_actor_label() -> str:
    """Changes made outside a web request are attributed to the operator's login name."""
    import getpass

    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # no login name in some containers
        return "system"


def _system_actor() -> tuple[int | None, str, str | None]:
    return None, cli_actor_label(), None


actor_provider: ActorProvider = _system_actor


def set_actor_provider(provider: ActorProvider) -> None:
    global actor_provider
    actor_provider = provider


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (list, dict)):
        return value
    if isinstance(value, float):  # never used for money; kept readable for other columns
        return repr(value)
    return str(value)


def _record_id(obj: Any) -> str:
    state = inspect(obj)
    # a row inserted by this flush has its key assigned but gets its identity only after
    # the flush, so read the key from the instance
    identity = state.identity or state.mapper.primary_key_from_instance(obj)
    return ",".join(str(part) for part in identity) if identity else "?"


def _column_changes(obj: Any, action: str) -> dict[str, list[Any]]:
    state = inspect(obj)
    changes: dict[str, list[Any]] = {}
    for attr in state.mapper.column_attrs:
        key = attr.key
        if key in obj.__audit_exclude__:
            continue
        history = state.attrs[key].history
        if action in ("create", "delete"):
            # read loaded values only: a deleted row must not be lazy-loaded again
            value = state.dict.get(key)
            if value is None:
                continue
            before, after = (None, value) if action == "create" else (value, None)
        else:
            if not history.has_changes():
                continue
            before = history.deleted[0] if history.deleted else None
            after = history.added[0] if history.added else None
            if before == after:
                continue
        if key in obj.__audit_redact__:
            before, after = ("***" if before is not None else None), "***" if after is not None else None
        changes[key] = [_jsonable(before), _jsonable(after)]
    if action != "delete":
        changes.update(_link_changes(state))
    return changes


def _link_label(obj: Any) -> Any:
    return getattr(obj, "code", None) or _record_id(obj)


def _link_changes(state: Any) -> dict[str, list[Any]]:
    """Many-to-many links (a licence's minerals) as sorted lists of codes before and after."""
    changes: dict[str, list[Any]] = {}
    for rel in state.mapper.relationships:
        if rel.secondary is None or rel.viewonly:
            continue
        history = state.attrs[rel.key].history
        if not (history.added or history.deleted):
            continue
        kept = [_link_label(o) for o in history.unchanged]
        before = sorted(kept + [_link_label(o) for o in history.deleted])
        after = sorted(kept + [_link_label(o) for o in history.added])
        if before != after:
            changes[rel.key] = [before, after]
    return changes


def _remember_old_value(target: Any, value: Any, oldvalue: Any, initiator: Any) -> None:
    """No-op 'set' listener; registering it with ``active_history`` is what matters."""


@event.listens_for(Audited, "mapper_configured", propagate=True)
def _load_old_values_on_set(mapper: Any, cls: type) -> None:
    """Make assignments load the stored value first, so the trail knows "before".

    Without this, assigning to an attribute that is not loaded (every attribute after a
    commit expires the instance) records ``[None, after]`` and records a change even when
    the same value is assigned again.
    """
    for attr in mapper.column_attrs:
        if attr.key not in cls.__audit_exclude__:
            event.listen(getattr(cls, attr.key), "set", _remember_old_value, active_history=True)


_DELETED_KEY = "audit_deleted"


@event.listens_for(Session, "before_flush")
def _reset_deleted(session: Session, flush_context: Any, instances: Any) -> None:
    session.info.pop(_DELETED_KEY, None)  # left over from a flush that failed


@event.listens_for(Audited, "after_delete", propagate=True)
def _note_deleted(mapper: Any, connection: Any, target: Any) -> None:
    """Rows deleted by this flush, including delete-orphan removals, which never appear in
    ``session.deleted`` (a line removed from ``disclosure.payment_lines``)."""
    session = object_session(target)
    if session is not None:
        session.info.setdefault(_DELETED_KEY, []).append(target)


@event.listens_for(Session, "after_flush")
def _record_changes(session: Session, flush_context: Any) -> None:
    """Write the audit rows for this flush through the flush's own connection."""
    rows = []
    deleted = list(dict.fromkeys([*session.deleted, *session.info.pop(_DELETED_KEY, [])]))
    gone = set(deleted)
    updated = [obj for obj in session.dirty if obj not in gone]
    for action, objects in (("create", session.new), ("update", updated), ("delete", deleted)):
        for obj in objects:
            if not isinstance(obj, Audited):
                continue
            changes = _column_changes(obj, action)
            if action == "update" and not changes:
                continue
            rows.append((action, obj, changes))
    if not rows:
        return
    actor_id, actor_label, ip_address = actor_provider()
    now = utcnow()
    session.connection().execute(
        insert(AuditEvent.__table__),
        [
            {
                "created_at": now,
                "actor_id": actor_id,
                "actor_label": actor_label,
                "action": action,
                "table_name": obj.__tablename__,
                "record_id": _record_id(obj),
                "changes": changes,
                "ip_address": ip_address,
            }
            for action, obj, changes in rows
        ],
    )
