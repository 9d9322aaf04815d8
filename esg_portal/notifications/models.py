"""Notification (a user's inbox line) and OutboxMessage (an e-mail waiting to be sent, or sent)."""
from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..audit import utcnow
from ..extensions import UtcDateTime, db, value_enum


class Notification(db.Model):
    """One event told to one user; its text is rendered in the reader's language when read."""

    __tablename__ = "notification"
    __table_args__ = (UniqueConstraint("user_id", "dedupe_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    #: an ``events.Event`` value
    event: Mapped[str] = mapped_column(String(40))
    #: the facts the text is made of (years, names, versions), language-neutral
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    #: where the event can be looked at, a path of the portal ("/disclosures/12")
    path: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    read_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    #: the same reminder is never told twice (e.g. "deadline 2025, 14 days, company 3"); None: no such rule
    dedupe_key: Mapped[str | None] = mapped_column(String(200))

    user: Mapped["User"] = relationship()  # noqa: F821


class OutboxStatus(str, enum.Enum):
    PENDING = "pending"
    SENT = "sent"
    #: given up after ``mail.MAX_ATTEMPTS`` failures; the admin sees the last error
    FAILED = "failed"


class OutboxMessage(db.Model):
    """An e-mail as it will be (or was) sent: rendered in the recipient's language when it was made."""

    __tablename__ = "outbox_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int | None] = mapped_column(ForeignKey("notification.id", ondelete="SET NULL"))
    to_address: Mapped[str] = mapped_column(String(255))
    language: Mapped[str] = mapped_column(String(8))
    subject: Mapped[str] = mapped_column(String(255))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[OutboxStatus] = mapped_column(
        value_enum(OutboxStatus),
        default=OutboxStatus.PENDING, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    #: not sent before this time (retries back off)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
