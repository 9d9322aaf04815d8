"""A case's life through the pages and the API: intake without an account, the resident's private page,
the secretariat's registration and routing, the addressee's answer, the resident's word, reopening once;
who sees what (isolation, the contact only with consent), stale forms, abuse limits, notifications."""
from __future__ import annotations

import datetime as dt
import io
import re
import time

import pytest
from PIL import Image
from sqlalchemy import select

from esg_portal.accounts.models import Role
from esg_portal.extensions import db
from esg_portal.feedback import services
from esg_portal.feedback.models import CaseState, FeedbackCase, FeedbackEntry
from esg_portal.notifications.models import Notification, OutboxMessage
from esg_portal.reference.models import Site

from support import form_fields, login, logout, post_form

NAME, CONTACT, TEXT = "Marker Name Zq81", "marker.zq81@example.kg", "Dust from trucks at the village school Zq81 marker"


def _site(app) -> str:
    with app.app_context():
        return db.session.scalar(select(Site.code).order_by(Site.code))


def _body(app, **overrides):
    body = {"kind": "appeal", "subject": {"site": _site(app)}, "category": "air_dust", "text": TEXT,
            "language": "ru", "aiyl_okmotu": "Kemin", "name": NAME, "contact": CONTACT}
    body.update(overrides)
    return body


def _submit(app, **overrides) -> services.Created:
    with app.app_context():
        created = services.submit_case(_body(app, **overrides), client_address="10.0.0.1")
        db.session.commit()
        created.case.id  # noqa: B018  (loaded before the context closes)
        return created


@pytest.fixture
def people(factory):
    own, other = factory.company("Own Mining LLC", inn="01234567890123"), factory.company("Other Mining LLC")
    return {
        "own": own, "other": other,
        "filer": factory.user(Role.COMPANY_FILER, "filer@test.kg", company_id=own, language="ky"),
        "other_filer": factory.user(Role.COMPANY_FILER, "other@test.kg", company_id=other),
        "officer": factory.user(Role.AGENCY_OFFICER, "officer@test.kg", agency_code="STS"),
        "other_officer": factory.user(Role.AGENCY_OFFICER, "customs@test.kg", agency_code="SCS"),
        "secretariat": factory.user(Role.SECRETARIAT, "secretariat@test.kg", language="ru"),
        "admin": factory.user(Role.ADMIN, "admin@test.kg"),
    }


def _case(app, code: str) -> FeedbackCase:
    with app.app_context():
        case = db.session.scalar(select(FeedbackCase).where(FeedbackCase.code == code))
        db.session.expunge(case)
        return case


def _register(client, code: str, **data):
    path = f"/feedback/handle/{code}"
    return post_form(client, f"{path}/register", {"public_text": "Dust from trucks near a school.", "is_public": "y",
                                                  "addressee": "company", "company": "01234567890123", **data},
                     form_page=path)


# --- intake -----------------------------------------------------------------------------------------

def test_the_form_takes_an_anonymous_case_with_a_photo_and_shows_its_link_and_pin_once(app, client):
    page = client.get("/feedback/new")
    assert page.status_code == 200
    fields = form_fields(client, "/feedback/new")
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(buffer, "JPEG")
    response = client.post("/feedback/new", data={
        **fields, "kind": "anonymous", "subject_kind": "site", "site": _site(app), "category": "water",
        "text": "The river is brown below the tailings dam.", "aiyl_okmotu": "Kara-Suu",
        "shown_at": str(int(time.time()) - 60), "photos": [(io.BytesIO(buffer.getvalue()), "river.jpg")]},
        content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    private = response.headers["Location"]
    first = client.get(private)
    html = first.get_data(as_text=True)
    assert first.headers["Cache-Control"] == "no-store" and first.headers["Referrer-Policy"] == "no-referrer"
    pin = re.search(r'id="created-pin">(\d{6})<', html).group(1)
    code = re.search(r'id="created-code">([A-Z0-9-]+)<', html).group(1)
    assert "The river is brown below the tailings dam." in html
    assert 'id="created-pin"' not in client.get(private).get_data(as_text=True)  # shown once
    with app.app_context():
        case = db.session.scalar(select(FeedbackCase).where(FeedbackCase.code == code))
        assert case.kind.value == "anonymous" and case.name is None and case.contact is None
        assert case.state is CaseState.RECEIVED and len(case.photos) == 1 and not case.suspicious
    # the code and PIN open the case too, with a new private link (the old one stops working)
    opened = post_form(client, "/feedback/track", {"code": code.lower().replace("-", " "), "pin": pin})
    assert opened.status_code == 302 and opened.headers["Location"] != private
    assert client.get(private).status_code == 404
    assert client.get(opened.headers["Location"]).status_code == 200


def test_the_form_refuses_with_every_problem_at_once_and_keeps_the_input(client):
    response = post_form(client, "/feedback/new", {"kind": "anonymous", "subject_kind": "place", "place": "",
                                                    "category": "", "text": "short", "name": "Somebody",
                                                    "shown_at": str(int(time.time()) - 60)})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="errors"' in html and 'action="/feedback/new#errors"' in html
    for message in ("Say what it is about", "Choose what it is about", "at least 10 characters",
                    "Anonymous feedback has no name"):
        assert message in html
    assert 'value="Somebody"' in html
    with client.application.app_context():
        assert db.session.scalar(select(FeedbackCase.id)) is None


def test_the_api_takes_a_case_and_refuses_a_contact_on_anonymous_feedback(app, client):
    created = client.post("/api/v1/public/feedback", json=_body(app))
    assert created.status_code == 201
    body = created.get_json()
    assert set(body) == {"code", "pin", "private_url"} and body["private_url"].startswith("http")
    path = body["private_url"].split("://", 1)[1].split("/", 1)[1]
    assert client.get("/" + path).status_code == 200
    refused = client.post("/api/v1/public/feedback", json=_body(app, kind="anonymous"))
    assert refused.status_code == 422
    errors = refused.get_json()["errors"]
    assert set(errors) >= {"name", "contact"}
    unknown = client.post("/api/v1/public/feedback", json=_body(app, subject={"site": "NO-SUCH"}, extra=1))
    assert set(unknown.get_json()["errors"]) == {"extra"}
    missing = client.post("/api/v1/public/feedback", json=_body(app, subject={"site": "NO-SUCH"}))
    assert "not in the published register" in missing.get_json()["errors"]["subject"][0]


def test_an_appeal_is_registered_within_one_working_day_and_answered_within_fourteen(app):
    # Friday 6 March 2026, 15:00 in Bishkek; Monday 9 March is the observed Women's Day holiday
    received = dt.datetime(2026, 3, 6, 9, 0, tzinfo=dt.timezone.utc)
    with app.app_context():
        created = services.submit_case(_body(app), client_address="10.0.0.9", now=received)
        case = created.case
        assert case.register_due.astimezone(dt.timezone(dt.timedelta(hours=6))).date() > dt.date(2026, 3, 9)
        anonymous = services.submit_case(_body(app, kind="anonymous", name=None, contact=None), now=received)
        assert anonymous.case.register_due > case.register_due  # the indicative frame is 2 working days
        db.session.rollback()


def test_too_many_cases_from_one_address_are_refused_and_a_honeypot_goes_to_the_suspicious_queue(app, client):
    app.config["ESG_FEEDBACK_PER_HOUR"] = 2
    for _ in range(2):
        assert client.post("/api/v1/public/feedback", json=_body(app)).status_code == 201
    third = client.post("/api/v1/public/feedback", json=_body(app))
    assert third.status_code == 429 and third.get_json()["error"]["code"] == "too_many_requests"
    app.config["ESG_FEEDBACK_PER_HOUR"] = 50
    response = post_form(client, "/feedback/new", {
        "kind": "anonymous", "subject_kind": "place", "place": "Ak-Suu", "category": "other",
        "text": "Buy cheap watches at this address now", "website": "http://spam.example",
        "shown_at": str(int(time.time()) - 60)})
    assert response.status_code == 302
    with app.app_context():
        spam = db.session.scalars(select(FeedbackCase).where(FeedbackCase.suspicious.is_(True))).all()
        assert len(spam) == 1
        # nobody is told of it
        assert db.session.scalar(select(Notification.id).where(
            Notification.params["code"].as_string() == spam[0].code)) is None


# --- handling ---------------------------------------------------------------------------------------

def test_a_case_goes_from_intake_to_an_answer_the_resident_rejects_and_reopens_once(app, client, people):
    created = _submit(app)
    private = created.private_path
    login(client, "secretariat@test.kg")
    assert created.case.code in client.get("/feedback/handle").get_data(as_text=True)
    assert _register(client, created.case.code).status_code == 302
    case = _case(app, created.case.code)
    assert case.state is CaseState.REGISTERED and case.answer_due is not None
    logout(client)

    login(client, "filer@test.kg")
    page = client.get(f"/feedback/handle/{case.code}").get_data(as_text=True)
    assert TEXT in page
    assert NAME not in page and CONTACT not in page and 'id="contact-withheld"' in page
    path = f"/feedback/handle/{case.code}"
    answered = post_form(client, f"{path}/answer", {"text": "We water the road twice a day from Monday.",
                                                    "final": "1"}, form_page=path)
    assert answered.status_code == 302
    assert _case(app, case.code).state is CaseState.ANSWERED
    logout(client)

    resident = app.test_client()
    page = resident.get(private).get_data(as_text=True)
    assert "We water the road twice a day from Monday." in page and 'id="verdict"' in page
    assert post_form(resident, f"{private}/verdict", {"verdict": "not_resolved", "comment": "Still dusty."},
                     form_page=private).status_code == 302
    assert _case(app, case.code).state is CaseState.CLOSED_NOT_RESOLVED
    assert post_form(resident, f"{private}/reopen", {"reason": "The trucks still run dry."},
                     form_page=private).status_code == 302
    reopened = _case(app, case.code)
    assert reopened.state is CaseState.IN_PROGRESS and reopened.reopened_at is not None
    again = post_form(resident, f"{private}/reopen", {"reason": "Again."}, form_page=private)
    assert again.status_code in (409, 422) or 'id="reopen"' not in resident.get(private).get_data(as_text=True)
    with app.app_context():
        kinds = [e.kind.value for e in db.session.scalars(select(FeedbackEntry).where(
            FeedbackEntry.case_id == reopened.id).order_by(FeedbackEntry.id))]
        assert kinds == ["registered", "routed", "answer", "verdict", "reopened"]
        # the resident (e-mail contact) was told of each step in the language of the case
        mails = db.session.scalars(select(OutboxMessage).where(OutboxMessage.to_address == CONTACT)).all()
        assert len(mails) >= 3 and all(m.language == "ru" for m in mails)
        assert any(reopened.code in m.subject for m in mails)
        # the filer was told in Kyrgyz that a case was sent, the secretariat in Russian of the answer
        filer_note = db.session.scalar(select(Notification).where(
            Notification.user_id == people["filer"], Notification.event == "feedback_routed"))
        assert filer_note is not None and filer_note.path == f"/feedback/handle/{reopened.code}"
        filer_mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.notification_id == filer_note.id))
        assert filer_mail.language == "ky"
        assert db.session.scalar(select(Notification.id).where(
            Notification.user_id == people["secretariat"], Notification.event == "feedback_answered")) is not None
        assert NAME not in filer_mail.body and CONTACT not in filer_mail.body


def test_each_handler_sees_only_the_cases_sent_to_it(app, client, people):
    to_company = _submit(app)
    to_agency = _submit(app, text="The tax office never answered our letter about the 2 per cent.")
    kept = _submit(app, text="A case still waiting for registration, not sent anywhere.")
    login(client, "secretariat@test.kg")
    _register(client, to_company.case.code)
    _register(client, to_agency.case.code, addressee="agency", entity="STS", company="")
    logout(client)
    expectations = {
        "filer@test.kg": {to_company.case.code},
        "other@test.kg": set(),
        "officer@test.kg": {to_agency.case.code},
        "customs@test.kg": set(),
    }
    every = {to_company.case.code, to_agency.case.code, kept.case.code}
    for email, visible in expectations.items():
        login(client, email)
        listing = client.get("/feedback/handle").get_data(as_text=True)
        for code in every:
            assert (code in listing) == (code in visible), (email, code)
            assert client.get(f"/feedback/handle/{code}").status_code == (200 if code in visible else 404)
        logout(client)
    login(client, "admin@test.kg")
    assert client.get("/feedback/handle").status_code == 403
    assert client.get(f"/feedback/handle/{kept.case.code}").status_code == 404


def test_the_addressee_sees_the_contact_only_when_the_resident_agreed(app, client, people):
    shared = _submit(app, share_contact=True)
    login(client, "secretariat@test.kg")
    _register(client, shared.case.code)
    logout(client)
    login(client, "filer@test.kg")
    page = client.get(f"/feedback/handle/{shared.case.code}").get_data(as_text=True)
    assert NAME in page and CONTACT in page


def test_a_stale_handler_form_is_refused_and_nothing_is_lost(app, client, people):
    created = _submit(app)
    path = f"/feedback/handle/{created.case.code}"
    login(client, "secretariat@test.kg")
    stale = form_fields(client, path)
    _register(client, created.case.code)
    refused = client.post(f"{path}/reject", data={**stale, "reason": "Spam"})
    assert refused.status_code in (409, 422)
    assert _case(app, created.case.code).state is CaseState.REGISTERED
    second = client.post(f"{path}/register", data={**stale, "public_text": "x" * 20, "is_public": "y",
                                                   "addressee": "secretariat"})
    assert second.status_code in (409, 422)


def test_the_secretariat_rejects_with_a_reason_the_resident_reads(app, client, people):
    created = _submit(app)
    login(client, "secretariat@test.kg")
    path = f"/feedback/handle/{created.case.code}"
    empty = post_form(client, f"{path}/reject", {"reason": ""}, form_page=path)
    assert empty.status_code == 422 and "Укажите, почему обращение отклонено" in empty.get_data(as_text=True)  # the secretariat reads Russian
    assert post_form(client, f"{path}/reject", {"reason": "Not about mining: a neighbours' dispute."},
                     form_page=path).status_code == 302
    page = app.test_client().get(created.private_path).get_data(as_text=True)
    assert "Not about mining: a neighbours&#39; dispute." in page


def test_wrong_pins_close_the_code_and_pin_way_in(app, client):
    created = _submit(app)
    for _ in range(services.MAX_PIN_FAILURES):
        assert post_form(client, "/feedback/track", {"code": created.case.code, "pin": "000000" if created.pin
                                                     != "000000" else "111111"}).status_code == 422
    locked = post_form(client, "/feedback/track", {"code": created.case.code, "pin": created.pin})
    assert locked.status_code == 422 and "private link" in locked.get_data(as_text=True)
    assert client.get(created.private_path).status_code == 200


def test_overdue_cases_are_flagged_to_their_handlers_once(app, people):
    received = dt.datetime(2026, 4, 1, 4, 0, tzinfo=dt.timezone.utc)
    with app.app_context():
        created = services.submit_case(_body(app), now=received)
        db.session.commit()
        later = received + dt.timedelta(days=10)
        assert services.overdue_stage(created.case, later) == "register"
        assert services.flag_overdue(later) == 1
        assert services.flag_overdue(later) == 0
        db.session.commit()
        notes = db.session.scalars(select(Notification).where(Notification.event == "feedback_overdue")).all()
        assert {n.user_id for n in notes} == {people["secretariat"]}
