"""``esg-portal notify send`` (drain the outbox by SMTP) and ``esg-portal notify deadlines`` (reminders),
both meant for cron; each commits after every unit of work."""
from __future__ import annotations

import datetime as dt

import click
from flask import current_app
from flask.cli import with_appcontext

from ..extensions import db
from ..i18n import display_timezone


@click.group("notify")
def notify_group() -> None:
    """Notifications by e-mail: the outbox and the deadline reminders."""


@notify_group.command("send")
@click.option("--limit", type=click.IntRange(min=1), default=500, show_default=True,
              help="Send at most this many messages in this run.")
@with_appcontext
def send_command(limit: int) -> None:
    """Send the messages that are due; a failure is retried later with backoff."""
    from .mail import count_due, deliver_next

    if current_app.config.get("ESG_SMTP") is None:
        click.echo(f"ESG_SMTP_URL is not set: {count_due()} message(s) wait in the outbox (/admin/outbox).")
        return
    sent = failed = 0
    for _ in range(limit):
        message = deliver_next()
        db.session.commit()
        if message is None:
            break
        if message.sent_at is not None:
            sent += 1
        else:
            failed += 1
            click.echo(f"message {message.id} to {message.to_address}: {message.last_error} "
                       f"(attempt {message.attempts})", err=True)
    click.echo(f"{sent} message(s) sent, {failed} failed and kept for a later attempt.")


@notify_group.command("deadlines")
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="The day to remind for (YYYY-MM-DD, Bishkek); default today. Catches up a missed day.")
@with_appcontext
def deadlines_command(as_of: dt.datetime | None) -> None:
    """Remind companies in scope that have not submitted (14, 3 and 1 days before the deadline, and after it),
    and flag residents' cases past their deadline to their handlers."""
    from ..disclosure.reminders import remind_deadlines
    from ..feedback.services import flag_overdue

    day = as_of.date() if as_of else dt.datetime.now(display_timezone()).date()
    run = remind_deadlines(day)
    db.session.commit()
    for year, which, company, told in run.sent:
        click.echo(f"{year} {which}: {company} ({told} user(s))")
    click.echo(f"{len(run.sent)} reminder(s) sent for {day.isoformat()}.")
    # residents' cases past their deadline: now, or at the end of the day caught up (Bishkek)
    end_of_day = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=display_timezone())
    overdue = flag_overdue(end_of_day if as_of else None)
    db.session.commit()
    click.echo(f"{overdue} overdue resident case(s) flagged to their handlers.")
