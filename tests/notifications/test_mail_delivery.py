"""The outbox is delivered to a real SMTP server (aiosmtpd on 127.0.0.1): recipients, language, links;
a failing server never breaks the action, and the message is retried with backoff until it goes."""
from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask
from sqlalchemy import select

from mail_support import free_port, smtp_server
from support import login, post_form
from esg_portal.accounts.models import Role
from esg_portal.audit import utcnow
from esg_portal.config import SmtpSettings
from esg_portal.disclosure.models import DisclosureStatus
from esg_portal.extensions import db
from esg_portal.notifications.mail import MAX_ATTEMPTS, backoff, deliver_next
from esg_portal.notifications.models import OutboxMessage, OutboxStatus


@pytest.fixture
def filing(app: Flask, factory) -> dict[str, int]:
    period = factory.period(2025)
    own = factory.company("Own Mining LLC")
    return {
        "disclosure": factory.disclosure(own, period, DisclosureStatus.SUBMITTED),
        "filer": factory.user(Role.COMPANY_FILER, "filer@test.kg", company_id=own, language="ky"),
        "assistant": factory.user(Role.COMPANY_FILER, "assistant@test.kg", company_id=own, language="en"),
        "secretariat": factory.user(Role.SECRETARIAT, "secretariat@test.kg", language="ru"),
    }


def _ask(app: Flask, disclosure_id: int, question: str = "Where is the Q4 royalty?") -> None:
    """The secretariat asks on the review page, as a person would."""
    client = app.test_client()
    login(client, "secretariat@test.kg")
    answer = post_form(client, f"/review/filings/{disclosure_id}/queries", {"question": question},
                       form_page=f"/review/filings/{disclosure_id}")
    assert answer.status_code == 302, answer.get_data(as_text=True)[:500]


def _messages(app: Flask) -> list[OutboxMessage]:
    with app.app_context():
        rows = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        db.session.expunge_all()
        return rows


def test_the_outbox_reaches_the_smtp_server_in_each_recipients_language(app: Flask, filing) -> None:
    app.config.update(ESG_PUBLIC_URL="https://eiti.example.kg")  # the links are written when the message is made
    _ask(app, filing["disclosure"])
    with smtp_server() as (mailbox, settings):
        app.config.update(ESG_SMTP=settings)
        result = app.test_cli_runner().invoke(args=["notify", "send"])
        assert result.exit_code == 0, result.output
        assert "2 message(s) sent" in result.output
    assert sorted(m["To"] for m in mailbox.messages) == ["assistant@test.kg", "filer@test.kg"]
    [kyrgyz] = mailbox.to("filer@test.kg")
    [english] = mailbox.to("assistant@test.kg")
    assert kyrgyz["Subject"] == "2025-жылдагы отчетуңуз боюнча суроо" and kyrgyz["Content-Language"] == "ky"
    assert english["Subject"] == "A question on your 2025 filing"
    body = english.get_content()
    assert "Where is the Q4 royalty?" in body
    assert "https://eiti.example.kg/disclosures/filing/2025#queries" in body
    assert "Саламатсызбы" in kyrgyz.get_content()
    assert {m.status for m in _messages(app)} == {OutboxStatus.SENT}
    # a second run sends nothing again
    with smtp_server() as (mailbox, settings):
        app.config.update(ESG_SMTP=settings)
        assert "0 message(s) sent" in app.test_cli_runner().invoke(args=["notify", "send"]).output
        assert mailbox.messages == []


def test_a_failing_server_never_breaks_the_action_and_the_message_is_retried(app: Flask, filing) -> None:
    app.config.update(ESG_SMTP=SmtpSettings("127.0.0.1", free_port(), "plain", None, None))  # nobody listens
    _ask(app, filing["disclosure"])  # the question is stored even though no mail can go
    result = app.test_cli_runner().invoke(args=["notify", "send"])
    assert result.exit_code == 0 and "0 message(s) sent, 2 failed" in result.output
    failed = _messages(app)
    assert all(m.status is OutboxStatus.PENDING and m.attempts == 1 and m.last_error for m in failed)
    assert all(m.next_attempt_at > utcnow() for m in failed)
    # not due yet: nothing is tried; once due, a refusing server (451) counts another attempt
    with smtp_server() as (mailbox, settings):
        app.config.update(ESG_SMTP=settings)
        with app.app_context():
            assert deliver_next() is None
            mailbox.fail = True
            later = utcnow() + backoff(1) + dt.timedelta(seconds=1)
            refused = deliver_next(later)
            assert refused.attempts == 2 and "451" in refused.last_error
            db.session.commit()
            mailbox.fail = False
            delivered = []
            while (message := deliver_next(later + backoff(2) + dt.timedelta(seconds=1))) is not None:
                delivered.append(message.status)
                db.session.commit()
        assert delivered == [OutboxStatus.SENT, OutboxStatus.SENT]
        assert len(mailbox.messages) == 2


def test_after_the_last_attempt_the_message_is_given_up(app: Flask, filing) -> None:
    app.config.update(ESG_SMTP=SmtpSettings("127.0.0.1", free_port(), "plain", None, None))
    _ask(app, filing["disclosure"])
    with app.app_context():
        when = utcnow()
        for _attempt in range(MAX_ATTEMPTS * 2):
            message = deliver_next(when)
            if message is None:
                break
            db.session.commit()
            when += dt.timedelta(days=1)
    statuses = {(m.status, m.attempts) for m in _messages(app)}
    assert statuses == {(OutboxStatus.FAILED, MAX_ATTEMPTS)}


def test_backoff_doubles_and_is_capped() -> None:
    assert [backoff(n).total_seconds() / 60 for n in (1, 2, 3, 4)] == [1, 2, 4, 8]
    assert backoff(20) == dt.timedelta(hours=6)


def test_without_smtp_the_messages_wait_for_the_admin(app: Flask, filing, factory) -> None:
    factory.user(Role.ADMIN, "admin@test.kg")
    app.config.update(ESG_SMTP=None)
    _ask(app, filing["disclosure"])
    result = app.test_cli_runner().invoke(args=["notify", "send"])
    assert "ESG_SMTP_URL is not set: 2 message(s) wait in the outbox" in result.output
    admin = app.test_client()
    login(admin, "admin@test.kg")
    page = admin.get("/admin/outbox")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "filer@test.kg" in html and "A question on your 2025 filing" in html
    filer = app.test_client()
    login(filer, "assistant@test.kg")
    assert filer.get("/admin/outbox").status_code == 403
