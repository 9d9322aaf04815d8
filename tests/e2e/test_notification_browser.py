"""In the browser: the secretariat's question reaches the filer — the header's unread count, the dashboard,
the inbox that leads to the question — and the e-mail arrives at a real SMTP server (aiosmtpd)."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from conftest import SERVED, serve_demo
from mail_support import smtp_server
from esg_portal.accounts.models import Role, User
from esg_portal.demo.loader import DEMO_PASSWORD
from esg_portal.disclosure import review
from esg_portal.disclosure.models import Disclosure, DisclosureStatus
from esg_portal.extensions import db
from esg_portal.notifications.mail import deliver_next

QUESTION = "Where is the Q4 royalty payment order?"


@pytest.fixture(scope="module")
def portal(tmp_path_factory) -> Iterator[tuple[str, object]]:
    """A demo portal of its own whose e-mail goes to a running SMTP server; (url, mailbox)."""
    with smtp_server() as (mailbox, settings):
        with serve_demo(tmp_path_factory.mktemp("mail") / "mail.db", ESG_SMTP=settings) as url:
            yield url, mailbox


def _ask_a_filer(app) -> tuple[str, int]:
    """filer1 submits the 2025 draft; the secretariat asks about it. The filer's e-mail (English) and the year."""
    from esg_portal.disclosure import services as filings
    with app.app_context():
        filer = db.session.scalar(select(User).where(User.email == "filer1@demo.kg"))
        filer.language = "en"
        draft = db.session.scalars(select(Disclosure).where(Disclosure.company_id == filer.company_id,
                                                            Disclosure.status == DisclosureStatus.DRAFT)
                                   .order_by(Disclosure.version.desc())).first()
        assert draft is not None, "filer1 has no draft in the demo"
        signatory = db.session.scalars(select(User).where(User.company_id == filer.company_id,
                                                          User.is_signatory.is_(True))).first()
        filings.submit_disclosure(signatory, draft, attested_by_name="Aibek Demo", attested_by_position="Director",
                                  attestation_text="I attest.",
                                  confirm_carried_over=filings.unconfirmed_carried_over(draft))
        secretariat = db.session.scalars(select(User).where(User.role == Role.SECRETARIAT)).first()
        review.raise_query(secretariat, draft, QUESTION)
        db.session.commit()
        return filer.email, draft.period.year


def test_the_filer_sees_the_question_and_receives_the_email(page: Page, portal) -> None:
    url, mailbox = portal
    app = SERVED[url]
    email, year = _ask_a_filer(app)
    page.goto(f"{url}/login?lang=en")
    page.fill("#email", email)
    page.fill("#password", DEMO_PASSWORD)
    page.click("#sign-in")
    expect(page.locator("#unread-count")).to_have_text("1")
    expect(page.locator("#dashboard-inbox")).to_contain_text(f"A question on your {year} filing")
    expect(page.locator("#tasks")).to_contain_text(QUESTION)
    page.click("#notifications-link")
    expect(page.locator("#inbox")).to_contain_text(QUESTION)
    page.locator("#inbox button[id^='open-']").first.click()
    expect(page).to_have_url(f"{url}/disclosures/filing/{year}#queries")
    expect(page.locator("#unread-count")).to_have_count(0)
    with app.app_context():
        while deliver_next() is not None:
            db.session.commit()
    [message] = mailbox.to(email)
    assert message["Subject"] == f"A question on your {year} filing"
    body = message.get_content()
    assert QUESTION in body and f"/disclosures/filing/{year}#queries" in body
