"""The inbox (/notifications) of every signed-in user, and the outbox the admin reads (/admin/outbox)."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select

from ..accounts.permissions import is_admin, require
from ..extensions import db
from ..i18n import current_locale
from . import services
from .models import OutboxMessage, OutboxStatus

bp = Blueprint("notifications", __name__)

OUTBOX_STATUS_LABELS = {OutboxStatus.PENDING: _l("Waiting"), OutboxStatus.SENT: _l("Sent"),
                        OutboxStatus.FAILED: _l("Given up")}


@bp.app_context_processor
def unread_notifications():
    """The header's unread count (one COUNT query, only for a signed-in user)."""
    def count() -> int:
        return services.unread_count(current_user) if getattr(current_user, "is_authenticated", False) else 0

    def unread(limit: int = 5) -> list[services.InboxLine]:
        if not getattr(current_user, "is_authenticated", False):
            return []
        return services.inbox(current_user, current_locale(), unread_only=True, limit=limit)
    return {"unread_notifications": count, "latest_unread_notifications": unread}


def _page() -> int:
    text = request.args.get("page", "1")
    return int(text) if text.isascii() and text.isdigit() and 0 < len(text) < 6 and int(text) > 0 else 1


@bp.route("/notifications")
@login_required
def inbox():
    page = _page()
    lines = services.inbox(current_user, current_locale(), limit=services.PAGE_SIZE,
                           offset=(page - 1) * services.PAGE_SIZE)
    total = services.inbox_size(current_user)
    return render_template("notifications/inbox.html", lines=lines, page=page, total=total,
                           has_next=page * services.PAGE_SIZE < total, form=FlaskForm())


@bp.route("/notifications/<int:notification_id>/read", methods=["POST"])
@login_required
def read(notification_id: int):
    """Mark read and go where the notification points (the inbox when asked to stay)."""
    if FlaskForm().validate_on_submit():
        notification = services.mark_read(current_user, notification_id)
        db.session.commit()
        if request.form.get("stay") != "1":
            return redirect(notification.path)
    return redirect(url_for(".inbox"))


@bp.route("/notifications/read-all", methods=["POST"])
@login_required
def read_all():
    if FlaskForm().validate_on_submit():
        services.mark_all_read(current_user)
        db.session.commit()
        flash(_("Every notification is marked as read."), "success")
    return redirect(url_for(".inbox"))


@bp.route("/admin/outbox")
@login_required
def outbox():
    """The e-mail messages the portal made, newest first: what the demo shows instead of sending."""
    require(is_admin(current_user))
    messages = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(200)).all()
    return render_template("notifications/outbox.html", messages=messages, status_labels=OUTBOX_STATUS_LABELS)
