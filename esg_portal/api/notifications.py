"""``GET /api/v1/notifications`` and ``POST /api/v1/notifications/{id}/read`` (INTERFACES.md §4), every role."""
from __future__ import annotations

from flask import current_app, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from ..disclosure.document import iso_utc
from ..errors import ValidationError
from ..extensions import db
from ..i18n import current_locale
from ..notifications import services
from . import bp

#: most notifications one answer holds (newest first); ?limit= and ?offset= page through the rest
MAX_LIMIT = 200


def _bounded(name: str, default: int, maximum: int) -> int:
    text = request.args.get(name, "")
    if not text:
        return default
    if not (text.isascii() and text.isdigit() and len(text) <= 7):
        raise ValidationError({name: [_("Write a whole number from 0 to %(max)d.", max=maximum)]})
    return min(int(text), maximum)


def _object(line: services.InboxLine) -> dict:
    return {"id": line.id, "event": line.event, "created_at": iso_utc(line.created_at), "read": line.is_read,
            "text": line.text, "subject": line.subject,
            "url": current_app.config["ESG_PUBLIC_URL"] + line.path}


@bp.get("/notifications")
def list_notifications():
    lines = services.inbox(current_user, current_locale(), limit=_bounded("limit", 50, MAX_LIMIT) or 1,
                           offset=_bounded("offset", 0, 10**6))
    return jsonify(data=[_object(line) for line in lines], unread=services.unread_count(current_user))


@bp.post("/notifications/<int:notification_id>/read")
def read_notification(notification_id: int):
    notification = services.mark_read(current_user, notification_id)
    db.session.commit()
    return jsonify(id=notification.id, read=True)
