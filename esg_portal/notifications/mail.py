"""Delivering the outbox by SMTP: one message at a time, retried with backoff, never in a request.

``deliver_next`` takes the oldest message that is due, sends it and marks it sent; on a failure it
counts the attempt, keeps the error and sets the next attempt later (1, 2, 4 … minutes, at most
6 hours), and gives up after ``MAX_ATTEMPTS``. The caller (``esg-portal notify send``) commits after
each message, so a crash never sends a message twice nor loses one.
"""
from __future__ import annotations

import datetime as dt
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import current_app
from sqlalchemy import func, select

from ..audit import utcnow
from ..config import SmtpSettings
from ..extensions import db
from .models import OutboxMessage, OutboxStatus

MAX_ATTEMPTS = 8
MAX_BACKOFF = dt.timedelta(hours=6)
#: seconds an SMTP conversation may take before it counts as a failure
SMTP_TIMEOUT = 20


def backoff(attempts: int) -> dt.timedelta:
    """The wait after the ``attempts``-th failure: 1, 2, 4 … minutes, never more than 6 hours."""
    return min(dt.timedelta(minutes=2 ** max(0, attempts - 1)), MAX_BACKOFF)


def email_of(message: OutboxMessage, sender: str) -> EmailMessage:
    email = EmailMessage()
    email["From"], email["To"], email["Subject"] = sender, message.to_address, message.subject
    email["Date"] = formatdate(localtime=False)
    email["Message-ID"] = make_msgid(idstring=f"outbox-{message.id}")
    email.set_content(message.body)
    email["Content-Language"] = message.language  # after set_content, which replaces every Content-* header
    return email


def send_email(settings: SmtpSettings, email: EmailMessage) -> None:
    """One SMTP conversation; raises ``smtplib.SMTPException`` or ``OSError`` on failure."""
    context = ssl.create_default_context()
    if settings.security == "tls":
        client: smtplib.SMTP = smtplib.SMTP_SSL(settings.host, settings.port, timeout=SMTP_TIMEOUT, context=context)
    else:
        client = smtplib.SMTP(settings.host, settings.port, timeout=SMTP_TIMEOUT)
    with client:
        if settings.security == "starttls":
            client.starttls(context=context)
        if settings.username:
            client.login(settings.username, settings.password or "")
        client.send_message(email)


def due(now: dt.datetime | None = None):
    return select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.PENDING,
                                       OutboxMessage.next_attempt_at <= (now or utcnow()))


def count_due(now: dt.datetime | None = None) -> int:
    return db.session.scalar(select(func.count()).select_from(due(now).subquery())) or 0


def deliver_next(now: dt.datetime | None = None, *, send=send_email) -> OutboxMessage | None:
    """Send the oldest due message (None when nothing is due or SMTP is not configured)."""
    settings = current_app.config.get("ESG_SMTP")
    if settings is None:
        return None
    now = now or utcnow()
    stmt = due(now).order_by(OutboxMessage.next_attempt_at, OutboxMessage.id).limit(1)
    if db.session.get_bind().dialect.name != "sqlite":
        stmt = stmt.with_for_update(skip_locked=True)  # two senders never take the same message
    message = db.session.scalar(stmt)
    if message is None:
        return None
    message.attempts += 1
    try:
        send(settings, email_of(message, current_app.config["ESG_MAIL_FROM"]))
    except (smtplib.SMTPException, OSError) as error:
        message.last_error = f"{type(error).__name__}: {error}"[:1000]
        if message.attempts >= MAX_ATTEMPTS:
            message.status = OutboxStatus.FAILED
        else:
            message.next_attempt_at = now + backoff(message.attempts)
    else:
        message.status, message.sent_at, message.last_error = OutboxStatus.SENT, now, None
    db.session.flush()
    return message
