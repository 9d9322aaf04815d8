"""Every workflow event tells the right people, in their language, with a link to where it happened;
nobody else is told; the deadline reminders are idempotent."""
from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask
from sqlalchemy import select

from discrepancy_support import make_line, make_run
from esg_portal.accounts.models import Role, User
from esg_portal.disclosure import review
from esg_portal.disclosure.models import Disclosure, DisclosureStatus
from esg_portal.disclosure.reminders import remind_deadlines
from esg_portal.eiti import discrepancies
from esg_portal.eiti.models import ReconciliationRun
from esg_portal.extensions import db
from esg_portal.notifications.models import Notification, OutboxMessage
from esg_portal.receipts import services as receipts

OWN_INN, OTHER_INN = "00000000000101", "00000000000202"


@pytest.fixture
def people(app: Flask, factory) -> dict[str, int]:
    """2025 open (deadline 30 June 2026, 12:00 UTC); two companies with two filers each (one reads Kyrgyz,
    one Russian), officers of STS and SCS, two secretariat members (Russian, English), an admin."""
    period = factory.period(2025)
    own = factory.company("Own Mining LLC", inn=OWN_INN)
    other = factory.company("Other Mining LLC", inn=OTHER_INN)
    ids = {
        "period": period, "own": own, "other": other,
        "filer": factory.user(Role.COMPANY_FILER, "filer@test.kg", company_id=own, is_signatory=True, language="ky"),
        "assistant": factory.user(Role.COMPANY_FILER, "assistant@test.kg", company_id=own, language="ru"),
        "other_filer": factory.user(Role.COMPANY_FILER, "other@test.kg", company_id=other, language="en"),
        "officer": factory.user(Role.AGENCY_OFFICER, "officer@test.kg", agency_code="STS", language="ru"),
        "other_officer": factory.user(Role.AGENCY_OFFICER, "customs@test.kg", agency_code="SCS", language="en"),
        "secretariat": factory.user(Role.SECRETARIAT, "secretariat@test.kg", language="ru"),
        "secretariat2": factory.user(Role.SECRETARIAT, "secretariat2@test.kg", language="en"),
        "admin": factory.user(Role.ADMIN, "admin@test.kg", language="en"),
    }
    ids["submitted"] = factory.disclosure(own, period, DisclosureStatus.SUBMITTED)
    return ids


def _told(event: str) -> dict[str, tuple[str, str]]:
    """e-mail address → (language, subject) of every outbox message of ``event``; and the inbox agrees."""
    rows = db.session.execute(select(User.email, OutboxMessage.language, OutboxMessage.subject, Notification.path)
                              .join(Notification, Notification.user_id == User.id)
                              .join(OutboxMessage, OutboxMessage.notification_id == Notification.id)
                              .where(Notification.event == event)).all()
    return {email: (language, subject) for email, language, subject, _path in rows}


def _paths(event: str) -> set[str]:
    return set(db.session.scalars(select(Notification.path).where(Notification.event == event)))


def _user(ids, who: str) -> User:
    return db.session.get(User, ids[who])


def test_a_question_on_a_filing_tells_its_companys_filers_in_their_language(app_ctx, people) -> None:
    disclosure = db.session.get(Disclosure, people["submitted"])
    review.raise_query(_user(people, "secretariat"), disclosure, "Why is the Q4 royalty missing?")
    db.session.commit()
    told = _told("filing_query")
    assert set(told) == {"filer@test.kg", "assistant@test.kg"}
    assert told["filer@test.kg"][0] == "ky" and told["assistant@test.kg"][0] == "ru"
    assert told["assistant@test.kg"][1] == "Вопрос по вашей отчётности за 2025 год"
    assert told["filer@test.kg"][1] == "2025-жылдагы отчетуңуз боюнча суроо"
    assert _paths("filing_query") == {"/disclosures/filing/2025#queries"}
    body = db.session.scalar(select(OutboxMessage.body).where(OutboxMessage.to_address == "assistant@test.kg"))
    assert "Why is the Q4 royalty missing?" in body and "http://127.0.0.1:5000/disclosures/filing/2025#queries" in body


def test_an_answer_tells_the_secretariat_and_acceptance_tells_the_company(app_ctx, people) -> None:
    disclosure = db.session.get(Disclosure, people["submitted"])
    query = review.raise_query(_user(people, "secretariat"), disclosure, "Why?")
    review.answer_query(_user(people, "assistant"), query, "The payment order is attached.")
    db.session.commit()
    assert set(_told("filing_answer")) == {"secretariat@test.kg", "secretariat2@test.kg"}
    assert _paths("filing_answer") == {f"/review/filings/{disclosure.id}"}
    review.accept_disclosure(_user(people, "secretariat2"), disclosure)
    db.session.commit()
    told = _told("filing_accepted")
    assert set(told) == {"filer@test.kg", "assistant@test.kg"}
    assert told["assistant@test.kg"][1] == "Ваша отчётность за 2025 год принята"
    assert _paths("filing_accepted") == {f"/disclosures/{disclosure.id}"}


def test_discrepancy_questions_answers_and_adjustments_go_to_the_other_side(app_ctx, people) -> None:
    run_id = make_run(people["period"], 1, [make_line(1, OWN_INN, "ROYALTY", "STS", "1234.50", "1500.00")],
                      people["secretariat"])
    run = db.session.get(ReconciliationRun, run_id)
    to_company = discrepancies.raise_query(_user(people, "secretariat"), run, 1, "company", "Paid late?")
    to_agency = discrepancies.raise_query(_user(people, "secretariat"), run, 1, "agency", "Received twice?")
    db.session.commit()
    told = _told("discrepancy_query")
    assert set(told) == {"filer@test.kg", "assistant@test.kg", "officer@test.kg"}
    assert _paths("discrepancy_query") == {f"/discrepancies/queries/{to_company.id}",
                                           f"/discrepancies/queries/{to_agency.id}"}
    discrepancies.answer_query(_user(people, "officer"), to_agency, "Received once, on 3 January.")
    proposal = discrepancies.propose_adjustment(_user(people, "officer"), to_agency, "government", "-265.50",
                                                "timing", "Paid on 2 January", locale="en")
    db.session.commit()
    assert set(_told("discrepancy_answer")) == {"secretariat@test.kg", "secretariat2@test.kg"}
    proposed = _told("adjustment_proposed")
    assert set(proposed) == {"secretariat@test.kg", "secretariat2@test.kg"}
    message = db.session.scalar(select(OutboxMessage.body).where(OutboxMessage.to_address == "secretariat2@test.kg",
                                                                OutboxMessage.subject.like("An adjustment%")))
    assert "-265.50 KGS" in message and "State Tax Service" in message
    discrepancies.decide_adjustment(_user(people, "secretariat"), proposal, False, "No evidence")
    db.session.commit()
    decided = _told("adjustment_decided")
    assert set(decided) == {"officer@test.kg"}
    body = db.session.scalar(select(OutboxMessage.body).where(OutboxMessage.to_address == "officer@test.kg",
                                                             OutboxMessage.subject.like("%решен%")))
    assert body is not None and "отклонена" in body


def test_a_submitted_receipt_batch_tells_the_secretariat(app_ctx, people) -> None:
    agency = _user(people, "officer").agency
    batch = receipts.open_batch(_user(people, "officer"), agency, _period(people))
    receipts.submit_batch(_user(people, "officer"), batch, "Nurlan Asanov", "Head of revenue", "I attest.")
    db.session.commit()
    told = _told("receipts_submitted")
    assert set(told) == {"secretariat@test.kg", "secretariat2@test.kg"}
    assert "Государственная налоговая служба" in told["secretariat@test.kg"][1]
    assert _paths("receipts_submitted") == {f"/receipts/batches/{batch.id}"}


def _period(people):
    from esg_portal.reference.models import ReportingPeriod
    return db.session.get(ReportingPeriod, people["period"])


def test_deadline_reminders_go_once_to_companies_yet_to_file(app_ctx, people) -> None:
    # the deadline is 30 June 2026 (Bishkek); the own company has submitted, the other has not
    first = remind_deadlines(dt.date(2026, 6, 16))
    db.session.commit()
    assert [(year, which, company) for year, which, company, _n in first.sent] == [(2025, "14d", "Other Mining LLC")]
    assert set(_told("deadline_approaching")) == {"other@test.kg"}
    again = remind_deadlines(dt.date(2026, 6, 16))
    db.session.commit()
    assert again.sent == [] and db.session.query(Notification).count() == 1
    assert remind_deadlines(dt.date(2026, 6, 17)).sent == []  # 13 days: no reminder
    assert [w for _y, w, _c, _n in remind_deadlines(dt.date(2026, 6, 27)).sent] == ["3d"]
    assert [w for _y, w, _c, _n in remind_deadlines(dt.date(2026, 6, 29)).sent] == ["1d"]
    assert [w for _y, w, _c, _n in remind_deadlines(dt.date(2026, 7, 1)).sent] == ["passed"]
    assert remind_deadlines(dt.date(2026, 7, 2)).sent == []  # "passed" is said once
    db.session.commit()
    subjects = [s for s, in db.session.execute(select(OutboxMessage.subject).order_by(OutboxMessage.id))]
    assert subjects[0] == "14 days left to file for 2025" and subjects[-1] == "The 2025 filing deadline has passed"


def test_an_inactive_account_is_never_told(app_ctx, people) -> None:
    _user(people, "assistant").is_active = False
    db.session.commit()
    review.raise_query(_user(people, "secretariat"), db.session.get(Disclosure, people["submitted"]), "Why?")
    db.session.commit()
    assert set(_told("filing_query")) == {"filer@test.kg"}
