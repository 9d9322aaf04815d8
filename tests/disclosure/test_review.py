"""Secretariat review: queries, answers, acceptance, lateness and the overdue list."""
from __future__ import annotations

import datetime as dt

import pytest

from esg_portal.accounts.models import Role, User
from esg_portal.disclosure import review, services
from esg_portal.disclosure.models import Disclosure, DisclosureStatus, QueryStatus
from esg_portal.errors import InvalidTransition, NotFound, PermissionDenied, ValidationError
from esg_portal.extensions import db
from esg_portal.reference.models import ReportingPeriod

DEADLINE = dt.datetime(2026, 6, 30, 12, 0, tzinfo=dt.timezone.utc)


@pytest.fixture
def people(app_ctx, factory):
    period = factory.period(2025, deadline=DEADLINE)
    on_time, late, silent = (factory.company(n) for n in ("A On Time LLC", "B Late LLC", "C Silent LLC"))
    made = {
        "period": period,
        "filer": factory.user(Role.COMPANY_FILER, "a@test.kg", company_id=on_time, is_signatory=True),
        "other_filer": factory.user(Role.COMPANY_FILER, "b@test.kg", company_id=late, is_signatory=True),
        "secretariat": factory.user(Role.SECRETARIAT, "sec@test.kg"),
        "admin": factory.user(Role.ADMIN, "adm@test.kg"),
        "submitted": factory.disclosure(on_time, period, DisclosureStatus.SUBMITTED,
                                        payments=[("CIT", "STS", "10.00")]),
        "late": factory.disclosure(late, period, DisclosureStatus.SUBMITTED),
        "silent": silent,
    }
    db.session.get(Disclosure, made["late"]).submitted_at = DEADLINE + dt.timedelta(days=1)
    db.session.commit()
    return made


def _user(people, key) -> User:
    return db.session.get(User, people[key])


def test_query_answer_accept_cycle(people):
    secretariat, filer = _user(people, "secretariat"), _user(people, "filer")
    disclosure = db.session.get(Disclosure, people["submitted"])
    line = disclosure.payment_lines[0]
    query = review.raise_query(secretariat, disclosure, "Why is CIT so low?", payment_line_id=line.id)
    assert disclosure.status is DisclosureStatus.QUERIED and query.payment_line is line
    with pytest.raises(InvalidTransition):
        review.accept_disclosure(secretariat, disclosure)
    with pytest.raises(NotFound):
        review.answer_query(_user(people, "other_filer"), query, "not mine")
    with pytest.raises(ValidationError):
        review.answer_query(filer, query, " ")
    review.answer_query(filer, query, "A loss carried forward.")
    assert disclosure.status is DisclosureStatus.ANSWERED and query.status is QueryStatus.ANSWERED
    review.accept_disclosure(secretariat, disclosure)
    db.session.commit()
    assert disclosure.status is DisclosureStatus.ACCEPTED and query.status is QueryStatus.CLOSED
    with pytest.raises(InvalidTransition):
        review.raise_query(secretariat, disclosure, "one more?")


def test_only_the_secretariat_reviews(people):
    disclosure = db.session.get(Disclosure, people["submitted"])
    for who in ("admin", "filer"):
        with pytest.raises(PermissionDenied):
            review.raise_query(_user(people, who), disclosure, "?")
        with pytest.raises(PermissionDenied):
            review.accept_disclosure(_user(people, who), disclosure)


def test_a_query_on_a_line_of_another_filing_is_refused(people):
    disclosure = db.session.get(Disclosure, people["late"])
    other_line = db.session.get(Disclosure, people["submitted"]).payment_lines[0]
    with pytest.raises(ValidationError):
        review.raise_query(_user(people, "secretariat"), disclosure, "?", payment_line_id=other_line.id)


def test_lateness_and_the_overdue_list(people):
    period = db.session.get(ReportingPeriod, people["period"])
    secretariat = _user(people, "secretariat")
    after = DEADLINE + dt.timedelta(days=2)
    rows = {row.company.legal_name: row for row in review.filing_rows(secretariat, period, now=after)}
    assert (rows["A On Time LLC"].is_late, rows["B Late LLC"].is_late, rows["C Silent LLC"].is_late) == (
        False, True, True)
    assert [r.company.legal_name for r in review.overdue_rows(secretariat, period, now=after)] == ["C Silent LLC"]
    assert review.overdue_rows(secretariat, period, now=DEADLINE - dt.timedelta(days=1)) == []
    assert "payments" not in rows["A On Time LLC"].missing_sections
    assert "payments" in rows["B Late LLC"].missing_sections


def test_drafts_stay_invisible_to_the_secretariat(people):
    period = db.session.get(ReportingPeriod, people["period"])
    filer = _user(people, "filer")
    services.start_amendment(filer, db.session.get(Disclosure, people["submitted"]).company, period, "fix")
    rows = {row.company.legal_name: row for row in review.filing_rows(_user(people, "secretariat"), period)}
    row = rows["A On Time LLC"]
    assert row.disclosure.version == 1 and row.has_draft
