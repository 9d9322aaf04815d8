"""Opening a planned period for filing (the filers of the companies in scope are told) and closing it."""
from __future__ import annotations

from sqlalchemy import select

from esg_portal.accounts.models import Role
from esg_portal.extensions import db
from esg_portal.notifications.models import Notification, OutboxMessage
from esg_portal.reference.models import PeriodStatus, ReportingPeriod, ScopeOverride

from support import login, post_form

URL = "/eiti/2026/settings"


def _status(app) -> PeriodStatus:
    with app.app_context():
        return db.session.scalar(select(ReportingPeriod.status).where(ReportingPeriod.year == 2026))


def test_opening_tells_every_filer_in_scope_in_their_language_once(app, factory, client) -> None:
    period = factory.period(2026, PeriodStatus.PLANNED)
    in_scope, out_of_scope = factory.company("In Scope LLC"), factory.company("Out Of Scope LLC")
    kyrgyz = factory.user(Role.COMPANY_FILER, "ky@test.kg", company_id=in_scope, language="ky")
    russian = factory.user(Role.COMPANY_FILER, "ru@test.kg", company_id=in_scope, language="ru")
    excluded = factory.user(Role.COMPANY_FILER, "out@test.kg", company_id=out_of_scope)
    factory.user(Role.SECRETARIAT, "sec@test.kg")
    with app.app_context():
        db.session.add(ScopeOverride(period_id=period, company_id=out_of_scope, is_in_scope=False, reason="Below"))
        db.session.commit()
    login(client, "sec@test.kg")
    assert 'id="open-period"' in client.get(URL).get_data(as_text=True)
    response = post_form(client, f"{URL}/open", {}, form_page=URL)
    assert response.status_code == 302 and response.headers["Location"].endswith("#period-status")
    assert _status(app) is PeriodStatus.OPEN
    with app.app_context():
        told = {n.user_id: n for n in db.session.scalars(select(Notification).where(
            Notification.event == "period_opened"))}
        assert set(told) == {kyrgyz, russian} and excluded not in told
        assert told[kyrgyz].params == {"year": 2026, "deadline": "2027-06-30"}
        mails = {m.to_address: m for m in db.session.scalars(select(OutboxMessage))}
        assert mails["ky@test.kg"].language == "ky" and "2026" in mails["ky@test.kg"].subject
        assert mails["ru@test.kg"].language == "ru" and "2026" in mails["ru@test.kg"].subject
        assert mails["ky@test.kg"].subject != mails["ru@test.kg"].subject
    # a second press finds the period open: refused, nobody is told twice
    again = post_form(client, f"{URL}/open", {}, form_page=URL)
    assert again.status_code == 409
    with app.app_context():
        assert len(db.session.scalars(select(Notification)).all()) == 2


def test_a_period_without_a_deadline_is_not_opened_and_an_open_one_closes(app, factory, client) -> None:
    period = factory.period(2026, PeriodStatus.PLANNED)
    with app.app_context():
        db.session.get(ReportingPeriod, period).filing_deadline_at = None
        db.session.commit()
    factory.user(Role.SECRETARIAT, "sec@test.kg")
    login(client, "sec@test.kg")
    refused = post_form(client, f"{URL}/open", {}, form_page=URL, follow_redirects=True)
    assert "Set the filing deadline before opening the period." in refused.get_data(as_text=True)
    assert _status(app) is PeriodStatus.PLANNED
    with app.app_context():
        db.session.get(ReportingPeriod, period).status = PeriodStatus.OPEN
        db.session.commit()
    assert 'id="close-period"' in client.get(URL).get_data(as_text=True)
    assert post_form(client, f"{URL}/close", {}, form_page=URL).status_code == 302
    assert _status(app) is PeriodStatus.CLOSED


def test_only_the_secretariat_opens_a_period(app, factory, client) -> None:
    company = factory.company()
    factory.period(2026, PeriodStatus.PLANNED)
    factory.user(Role.COMPANY_FILER, "filer@test.kg", company_id=company)
    factory.user(Role.ADMIN, "admin@test.kg")
    for email in ("filer@test.kg", "admin@test.kg"):
        someone = app.test_client()
        login(someone, email)
        assert post_form(someone, f"{URL}/open", {}, form_page="/").status_code == 403
    assert _status(app) is PeriodStatus.PLANNED
