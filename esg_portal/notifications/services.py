"""Telling people: who is told of what, their inbox, and the outbox message each notification makes.

``notify`` is called by the domain services inside their unit of work (it adds and flushes, never
commits). Inactive accounts are never told. Every recipient gets the text in their own language
(their saved language, else the portal's default).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import bindparam, func, select, update

from ..accounts.models import Role, User
from ..audit import utcnow
from ..errors import NotFound
from ..extensions import db
from .events import Event, render
from .models import Notification, OutboxMessage

#: most inbox lines shown on one page
PAGE_SIZE = 50


# --- who is told -------------------------------------------------------------------------

def _active(*where) -> list[User]:
    return list(db.session.scalars(select(User).where(User.is_active.is_(True), *where).order_by(User.id)))


def company_filers(company_id: int) -> list[User]:
    return _active(User.role == Role.COMPANY_FILER, User.company_id == company_id)


def agency_officers(agency_id: int) -> list[User]:
    return _active(User.role == Role.AGENCY_OFFICER, User.agency_id == agency_id)


def secretariat() -> list[User]:
    return _active(User.role == Role.SECRETARIAT)


def every_officer() -> list[User]:
    return _active(User.role == Role.AGENCY_OFFICER)


def path_for(endpoint: str, **values: Any) -> str:
    """The portal path of an endpoint, without a request (a CLI command notifies too)."""
    anchor = values.pop("_anchor", None)
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return f"{path}#{anchor}" if anchor else path


def three_names(record: Any) -> dict[str, str]:
    """A reference record's three names, so that each reader reads theirs (``events.render``)."""
    return {"en": record.name_en, "ru": record.name_ru, "ky": record.name_ky}


def language_of(user: User) -> str:
    return user.language or current_app.config["ESG_DEFAULT_LOCALE"]


# --- telling -----------------------------------------------------------------------------

def _email_body(user: User, sentence: str, path: str) -> str:
    base = current_app.config["ESG_PUBLIC_URL"]
    with force_locale(language_of(user)):
        return "\n\n".join([
            _("Hello, %(name)s.", name=user.full_name),
            sentence,
            _("Open it on the portal: %(url)s", url=f"{base}{path}"),
            _("You receive this message because you have an account on the EITI disclosure portal. "
              "These messages come in the language you choose at the top of the portal's pages: %(url)s",
              url=f"{base}/"),
        ])


def notify(event: Event, recipients: Iterable[User], params: Mapping[str, Any], path: str, *,
           dedupe_key: str | None = None) -> list[Notification]:
    """Tell ``recipients`` (each once): an inbox line and an e-mail in the outbox, in their language.

    With ``dedupe_key`` a recipient who was already told the same thing is skipped (reminders).
    """
    made: list[Notification] = []
    seen: set[int] = set()
    for user in recipients:
        if user.id in seen or not user.is_active:
            continue
        seen.add(user.id)
        if dedupe_key is not None and db.session.scalar(select(Notification.id).where(
                Notification.user_id == user.id, Notification.dedupe_key == dedupe_key)) is not None:
            continue
        notification = Notification(user_id=user.id, event=event.value, params=dict(params), path=path,
                                    dedupe_key=dedupe_key, created_at=utcnow())
        db.session.add(notification)
        db.session.flush()
        language = language_of(user)
        subject, sentence = render(event.value, params, language)
        db.session.add(OutboxMessage(notification_id=notification.id, to_address=user.email, language=language,
                                     subject=subject[:255], body=_email_body(user, sentence, path)))
        made.append(notification)
    db.session.flush()
    return made


def mail_to(address: str, language: str, event: Event, params: Mapping[str, Any], path: str) -> OutboxMessage:
    """An e-mail to someone without an account (a resident who left an address): the outbox only."""
    subject, sentence = render(event.value, params, language)
    base = current_app.config["ESG_PUBLIC_URL"]
    with force_locale(language):
        body = "\n\n".join([
            _("Hello."), sentence,
            _("You receive this message because you left this address with your case on the EITI disclosure "
              "portal: %(url)s", url=f"{base}{path}")])
    message = OutboxMessage(to_address=address, language=language, subject=subject[:255], body=body)
    db.session.add(message)
    db.session.flush()
    return message


def in_every_language(text: Any) -> dict[str, str]:
    """A translatable word as a mapping of languages, for ``params`` that each reader reads in theirs."""
    out = {}
    for locale in ("en", "ru", "ky"):
        with force_locale(locale):
            out[locale] = str(text)
    return out


# --- the inbox ---------------------------------------------------------------------------

@dataclass(frozen=True)
class InboxLine:
    id: int
    event: str
    created_at: Any
    is_read: bool
    subject: str
    text: str
    path: str


def _line(notification: Notification, locale: str) -> InboxLine:
    subject, text = render(notification.event, notification.params or {}, locale)
    return InboxLine(notification.id, notification.event, notification.created_at, notification.read_at is not None,
                     subject, text, notification.path)


def inbox(actor: User, locale: str, *, unread_only: bool = False, limit: int = PAGE_SIZE,
          offset: int = 0) -> list[InboxLine]:
    """The actor's notifications, newest first, in ``locale``."""
    stmt = select(Notification).where(Notification.user_id == actor.id)
    if unread_only:
        stmt = stmt.where(Notification.read_at.is_(None))
    stmt = stmt.order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit).offset(offset)
    return [_line(n, locale) for n in db.session.scalars(stmt)]


def inbox_size(actor: User) -> int:
    return db.session.scalar(select(func.count(Notification.id)).where(Notification.user_id == actor.id)) or 0


#: built once: the header asks on every signed-in page (see accounts.sessions._SIGNED_IN)
_UNREAD = select(func.count(Notification.id)).where(Notification.user_id == bindparam("user_id"),
                                                    Notification.read_at.is_(None))


def unread_count(actor: User) -> int:
    return db.session.scalar(_UNREAD, {"user_id": actor.id}) or 0


def mark_read(actor: User, notification_id: int) -> Notification:
    """Mark one of the actor's notifications read (someone else's does not exist for them: 404)."""
    notification = db.session.get(Notification, notification_id)
    if notification is None or notification.user_id != actor.id:
        raise NotFound()
    if notification.read_at is None:
        notification.read_at = utcnow()
        db.session.flush()
    return notification


def mark_all_read(actor: User) -> int:
    result = db.session.execute(update(Notification).where(
        Notification.user_id == actor.id, Notification.read_at.is_(None)).values(read_at=utcnow()))
    return result.rowcount or 0
