"""Issue 12 §3: the secretariat records an explanation given outside the portal, with an adjustment and a
file (eiti.discrepancies.record_explanation), and files sent with the answers to discrepancy queries."""
from __future__ import annotations

import io

import pytest
from flask import Flask
from sqlalchemy import func, select

from attachment_files import ELF, WINDOWS_EXE, jpeg_bytes, pdf_bytes, png_bytes, sha256, stored_files, \
    temporary_attachments_dir
from discrepancy_support import make_line, make_run
from support import csrf_token, login
from esg_portal.accounts.models import Role, User
from esg_portal.audit import AuditEvent
from esg_portal.eiti import discrepancies, runs
from esg_portal.eiti.discrepancies import RecordedAdjustment
from esg_portal.eiti.models import (AddressedTo, Adjustment, AdjustmentStatus, DiscrepancyEvidence, DiscrepancyQuery,
                                    DiscrepancyQueryStatus, ReconciliationRun)
from esg_portal.errors import PermissionDenied, ValidationError
from esg_portal.extensions import db
from esg_portal.notifications.models import Notification

OWN_INN, GHOST_INN = "00000000000101", "00000000000303"
EMAILS = {"filer": "filer@test.kg", "other_filer": "other@test.kg", "officer": "officer@test.kg",
          "other_officer": "customs@test.kg", "secretariat": "secretariat@test.kg", "admin": "admin@test.kg"}


@pytest.fixture
def folder(app: Flask, tmp_path):
    return temporary_attachments_dir(app, tmp_path)


@pytest.fixture
def data(app: Flask, factory, folder) -> dict[str, int]:
    """2025; Own Mining with a filer, Other Mining with a filer, Ghost Sand with no account; officers of the
    STS and the SCS; a run with Own's royalty line to the STS (1) and Ghost's customs line to the NSC, an
    entity with no officer (2): the line that can be asked of nobody."""
    period = factory.period(2025)
    own = factory.company("Own Mining LLC", inn=OWN_INN)
    other = factory.company("Other Mining LLC", inn="00000000000202")
    ghost = factory.company("Ghost Sand LLC", inn=GHOST_INN, is_registered=False)
    ids = {
        "period": period, "own": own, "ghost": ghost,
        "filer": factory.user(Role.COMPANY_FILER, EMAILS["filer"], company_id=own),
        "other_filer": factory.user(Role.COMPANY_FILER, EMAILS["other_filer"], company_id=other),
        "officer": factory.user(Role.AGENCY_OFFICER, EMAILS["officer"], agency_code="STS"),
        "other_officer": factory.user(Role.AGENCY_OFFICER, EMAILS["other_officer"], agency_code="SCS"),
        "secretariat": factory.user(Role.SECRETARIAT, EMAILS["secretariat"]),
        "admin": factory.user(Role.ADMIN, EMAILS["admin"]),
    }
    with app.app_context():
        ids["run"] = make_run(period, 1, [
            make_line(1, OWN_INN, "ROYALTY", "STS", "1234.50", "1500.00"),
            make_line(2, GHOST_INN, "ROYALTY", _entity_without_officer(), "70.00", "91.00"),
        ], ids["secretariat"])
    return ids


def _entity_without_officer() -> str:
    from esg_portal.reference.models import GovernmentEntity
    return db.session.scalars(select(GovernmentEntity.code).where(
        GovernmentEntity.code.not_in(["STS", "SCS"])).order_by(GovernmentEntity.code)).first()


def user(user_id: int) -> User:
    return db.session.get(User, user_id)


def client_for(app: Flask, who: str | None):
    client = app.test_client()
    if who:
        login(client, EMAILS[who])
    return client


def line_path(data, position: int = 2) -> str:
    return f"/discrepancies/runs/{data['run']}/lines/{position}"


def record_fields(client, data, position: int = 2, **fields) -> dict:
    values = {"party": "company", "informant": "A. Asanov, chief accountant", "channel": "letter",
              "question": "", "explanation": "The December payment was made on 3 January.",
              "side": "company", "amount": "21", "reason": "timing", "comment": "Paid in January.",
              "evidence": "Letter No. 12 of 15 March", "decision": "accept", **fields}
    form = {"csrf_token": csrf_token(client, line_path(data, position))}
    for name, value in values.items():
        form[f"record-{name}"] = value
    return form


def post_record(client, data, position: int = 2, file: tuple[bytes, str] | None = None, **fields):
    form = record_fields(client, data, position, **fields)
    if file is not None:
        form["record-evidence_file"] = (io.BytesIO(file[0]), file[1])
    return client.post(f"{line_path(data, position)}/explanations", data=form, content_type="multipart/form-data")


# --- recording an explanation --------------------------------------------------------

def test_a_line_nobody_can_be_asked_about_offers_the_recorded_explanation(app: Flask, data) -> None:
    page = client_for(app, "secretariat").get(line_path(data)).get_data(as_text=True)
    assert 'id="no-addressee"' in page and 'id="raise-query"' not in page
    assert 'id="record-explanation"' in page and 'href="#record-heading"' in page
    assert 'enctype="multipart/form-data"' in page and 'name="record-evidence_file"' in page
    # a line whose company can be asked also offers it (the company may have phoned)
    page = client_for(app, "secretariat").get(line_path(data, 1)).get_data(as_text=True)
    assert 'id="raise-query"' in page and 'id="record-explanation"' in page


def test_the_secretariat_records_an_explanation_with_an_accepted_adjustment_and_a_file(app: Flask, data,
                                                                                       folder) -> None:
    order = pdf_bytes("Payment order 17")
    secretariat = client_for(app, "secretariat")
    response = post_record(secretariat, data, file=(order, "payment-order-17.pdf"))
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        query = db.session.scalar(select(DiscrepancyQuery))
        assert response.headers["Location"].endswith(f"{line_path(data)}#query-{query.id}")
        assert query.recorded_by_secretariat and query.status is DiscrepancyQueryStatus.ANSWERED
        assert (query.addressed_to, query.company_id, query.agency_id) == (AddressedTo.COMPANY, data["ghost"], None)
        assert (query.answered_by_id, query.raised_by_id) == (data["secretariat"], data["secretariat"])
        assert (query.informant, query.channel, query.question) == ("A. Asanov, chief accountant", "letter", "")
        assert query.answer == "The December payment was made on 3 January."
        assert query.line_key == (GHOST_INN, "ROYALTY", _entity_without_officer(), "")
        [adjustment] = query.adjustments
        assert (adjustment.status, adjustment.side, adjustment.amount_minor, adjustment.reason) == (
            AdjustmentStatus.ACCEPTED, "company", 2100, "timing")
        assert (adjustment.decided_by_id, adjustment.proposed_by_id) == (data["secretariat"], data["secretariat"])
        assert adjustment.evidence == "Letter No. 12 of 15 March" and adjustment.line_key == query.line_key
        [evidence] = query.evidence
        assert (evidence.original_name, evidence.media_type, evidence.sha256, evidence.size_bytes) == (
            "payment-order-17.pdf", "application/pdf", sha256(order), len(order))
        assert [p.name for p in stored_files(folder)] == [evidence.stored_name]
        assert stored_files(folder)[0].parent == folder / "evidence"
        evidence_id, query_id = evidence.id, query.id
        audited = db.session.execute(select(AuditEvent.table_name, AuditEvent.action, AuditEvent.actor_id).where(
            AuditEvent.table_name.in_(["discrepancy_query", "adjustment", "discrepancy_evidence"]))).all()
        assert sorted(audited) == sorted([("discrepancy_query", "create", data["secretariat"]),
                                          ("adjustment", "create", data["secretariat"]),
                                          ("discrepancy_evidence", "create", data["secretariat"])])
        assert db.session.scalar(select(func.count(Notification.id))) == 0  # nobody to tell: no notification
    page = secretariat.get(line_path(data)).get_data(as_text=True)
    assert f'id="recorded-{query_id}"' in page and "A. Asanov, chief accountant" in page and "By letter" in page
    assert f'href="/discrepancies/evidence/{evidence_id}"' in page
    page = secretariat.get(f"/discrepancies/queries/{query_id}").get_data(as_text=True)
    assert "Explanation recorded by the EITI secretariat" in page and "payment-order-17.pdf" in page
    download = secretariat.get(f"/discrepancies/evidence/{evidence_id}")
    assert download.status_code == 200 and download.data == order
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    download.close()
    assert "recorded by the secretariat" in secretariat.get("/discrepancies/2025").get_data(as_text=True)


def test_the_recorded_adjustment_enters_the_next_run(app_ctx, factory, folder) -> None:
    """End to end: a company without an account and an agency without an officer; the explanation the
    secretariat records closes the gap in the next run, like an adjustment accepted on a question."""
    period = factory.period(2025)
    company = factory.company("Alpha Mining LLC", inn="00000000000011")
    secretariat = user(factory.user(Role.SECRETARIAT, "sec@test.kg"))
    from esg_portal.disclosure.models import DisclosureStatus
    factory.disclosure(company, period, DisclosureStatus.SUBMITTED, payments=[("CIT", "STS", "450.00")])
    factory.receipt_batch("STS", period, [(company, "CIT", "500.00")])
    first = runs.run_reconciliation(secretariat, 2025)
    db.session.commit()
    line = next(line for line in first.lines if line.revenue_stream == "CIT")
    assert (line.status, line.final_gap_minor) == ("discrepancy", 5000)
    page = discrepancies.line_page(secretariat, first.id, line.position)
    assert page.company_refusal and page.agency_refusal  # nobody can be asked on the portal
    query = discrepancies.record_explanation(
        secretariat, first, line.position, "company", "B. Bekov, director", "phone",
        "A late payment of 50 was left out of the filing.",
        adjustment=RecordedAdjustment("company", "50", "omission", "A late payment was left out."),
        evidence=(png_bytes(), "order.png"), locale="en")
    db.session.commit()
    second = runs.run_reconciliation(secretariat, 2025)
    db.session.commit()
    line = next(line for line in second.lines if line.revenue_stream == "CIT")
    assert (line.company_adjustment_minor, line.company_final_minor, line.final_gap_minor, line.status,
            line.explanation) == (5000, 50000, 0, "reconciled", "omission")
    history = discrepancies.line_history(secretariat, 2025, discrepancies.line_key(line))
    assert [q.id for q in history.queries] == [query.id] and [item.line.final_gap_minor for item in history.runs] == [
        5000, 0]


def test_a_recorded_adjustment_left_proposed_waits_for_a_decision(app_ctx, data) -> None:
    secretariat = user(data["secretariat"])
    run = db.session.get(ReconciliationRun, data["run"])
    query = discrepancies.record_explanation(
        secretariat, run, 2, "agency", "C. Chynybaev, head of division", "meeting", "Booked under another stream.",
        adjustment=RecordedAdjustment("government", "-21", "classification", "Booked as a fee.", accept=False),
        locale="en")
    [adjustment] = query.adjustments
    assert adjustment.status is AdjustmentStatus.PROPOSED and adjustment.decided_by_id is None
    assert adjustment.amount_minor == -2100 and query.company_id is None
    assert query.agency.code == _entity_without_officer()  # known to the register, though nobody there has an account
    discrepancies.decide_adjustment(secretariat, adjustment, True)
    assert adjustment.status is AdjustmentStatus.ACCEPTED


def test_no_adjustment_is_recorded_when_none_is_written(app_ctx, data) -> None:
    query = discrepancies.record_explanation(
        user(data["secretariat"]), db.session.get(ReconciliationRun, data["run"]), 2, "company", "A. Asanov",
        "email", "The figures are right: the difference is the agency's.",
        adjustment=RecordedAdjustment("company", "", "timing", "  ", ""))
    assert query.adjustments == [] and query.evidence == []
    assert db.session.scalar(select(func.count(Adjustment.id))) == 0


def test_every_problem_of_a_recorded_explanation_is_reported_at_once(app_ctx, data) -> None:
    run = db.session.get(ReconciliationRun, data["run"])
    with pytest.raises(ValidationError) as caught:
        discrepancies.record_explanation(
            user(data["secretariat"]), run, 2, "somebody", " ", "pigeon", "",
            adjustment=RecordedAdjustment("company", "12,3,4", "timing", ""), evidence=(ELF, "order.pdf"),
            locale="en")
    errors = caught.value.errors
    assert set(errors) == {"party", "channel", "informant", "explanation", "amount", "comment", "evidence_file"}
    assert "who gave the explanation" in errors["party"][0] and "by letter" in errors["channel"][0]
    assert "not a PDF, JPEG or PNG" in errors["evidence_file"][0]
    assert db.session.scalar(select(func.count(DiscrepancyQuery.id))) == 0


@pytest.mark.parametrize("who", ["filer", "officer", "admin"])
def test_only_the_secretariat_records_explanations(app_ctx, data, who: str) -> None:
    with pytest.raises(PermissionDenied):
        discrepancies.record_explanation(user(data[who]), db.session.get(ReconciliationRun, data["run"]), 1,
                                         "company", "A. Asanov", "phone", "Paid late.")


@pytest.mark.parametrize("who", ["filer", "other_filer", "officer", "other_officer", "admin"])
def test_the_record_page_action_is_refused_to_everyone_but_the_secretariat(app: Flask, data, who: str) -> None:
    client = client_for(app, who)
    token = csrf_token(client, "/")
    response = client.post(f"{line_path(data)}/explanations", data={"csrf_token": token, "record-party": "company",
                                                                    "record-informant": "X", "record-channel": "phone",
                                                                    "record-explanation": "Y"})
    assert response.status_code == 403
    with app.app_context():
        assert db.session.scalar(select(func.count(DiscrepancyQuery.id))) == 0
    anonymous = app.test_client().post(f"{line_path(data)}/explanations", data={})
    assert anonymous.status_code == 302 and anonymous.headers["Location"].startswith("/login")


def test_the_record_form_comes_back_with_the_messages(app: Flask, data, folder) -> None:
    secretariat = client_for(app, "secretariat")
    response = post_record(secretariat, data, informant="", explanation="", amount="5", comment="",
                           file=(WINDOWS_EXE, "order.pdf"))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="record-errors"' in page
    assert "Say who gave the explanation" in page and "Write the explanation that was given" in page
    assert "Explain the adjustment" in page and "not a PDF, JPEG or PNG" in page
    assert 'id="record-informant-error"' in page
    with app.app_context():
        assert db.session.scalar(select(func.count(DiscrepancyQuery.id))) == 0
    assert stored_files(folder) == []


def test_a_recorded_explanation_is_seen_by_the_party_when_it_has_an_account(app: Flask, data) -> None:
    response = post_record(client_for(app, "secretariat"), data, position=1, amount="", comment="", evidence="")
    assert response.status_code == 302
    with app.app_context():
        query = db.session.scalar(select(DiscrepancyQuery))
        assert query.company_id == data["own"] and not query.adjustments
    filer = client_for(app, "filer")
    assert f'/discrepancies/queries/{query.id}"' in filer.get("/discrepancies/2025").get_data(as_text=True)
    page = filer.get(f"/discrepancies/queries/{query.id}").get_data(as_text=True)
    assert "Recorded by the EITI secretariat on behalf of the company or agency" in page
    assert 'id="answer-form"' not in page  # answered already
    for stranger in ("other_filer", "officer", "admin"):
        assert client_for(app, stranger).get(f"/discrepancies/queries/{query.id}").status_code == 404


# --- files with the answers to discrepancy queries -------------------------------------

def _ask(data, addressed_to: str = "company") -> int:
    query = discrepancies.raise_query(user(data["secretariat"]), db.session.get(ReconciliationRun, data["run"]), 1,
                                      addressed_to, "Why is the royalty short?")
    db.session.commit()
    return query.id


def post_answer(client, query_id: int, answer: str = "Paid on 2 January.", file: tuple[bytes, str] | None = None):
    path = f"/discrepancies/queries/{query_id}"
    form = {"csrf_token": csrf_token(client, path), "answer": answer}
    if file is not None:
        form["evidence_file"] = (io.BytesIO(file[0]), file[1])
    return client.post(f"{path}/answer", data=form, content_type="multipart/form-data")


def test_the_company_answers_with_a_payment_order_and_who_may_download_it(app: Flask, data, folder) -> None:
    with app.app_context():
        query_id = _ask(data)
    order = pdf_bytes("Payment order 17 of 2 January")
    filer = client_for(app, "filer")
    form_page = filer.get(f"/discrepancies/queries/{query_id}").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in form_page and 'name="evidence_file"' in form_page
    response = post_answer(filer, query_id, file=(order, "Платёжка 17.pdf"))
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        query = db.session.get(DiscrepancyQuery, query_id)
        assert query.status is DiscrepancyQueryStatus.ANSWERED and not query.recorded_by_secretariat
        [evidence] = query.evidence
        assert (evidence.original_name, evidence.uploaded_by_id) == ("Платёжка 17.pdf", data["filer"])
        told = db.session.execute(select(Notification.user_id, Notification.event)).all()
        assert (data["secretariat"], "discrepancy_answer") in told  # the secretariat is still told
        evidence_id = evidence.id
    url = f"/discrepancies/evidence/{evidence_id}"
    for who in ("filer", "secretariat"):
        client = client_for(app, who)
        assert f'href="{url}"' in client.get(f"/discrepancies/queries/{query_id}").get_data(as_text=True)
        download = client.get(url)
        assert download.status_code == 200 and download.data == order, who
        assert download.mimetype == "application/pdf"
        assert "filename*=UTF-8''" in download.headers["Content-Disposition"]
        download.close()
    for who in ("other_filer", "officer", "other_officer", "admin"):
        assert client_for(app, who).get(url).status_code == 404, who
    anonymous = app.test_client().get(url)
    assert anonymous.status_code == 302 and anonymous.headers["Location"].startswith("/login")


def test_the_agency_answers_with_a_scan_kept_with_the_query(app: Flask, data, folder) -> None:
    with app.app_context():
        query_id = _ask(data, "agency")
    scan = jpeg_bytes()
    response = post_answer(client_for(app, "officer"), query_id, "Booked on 3 January.", (scan, "receipt.jpg"))
    assert response.status_code == 302
    with app.app_context():
        [evidence] = db.session.get(DiscrepancyQuery, query_id).evidence
        assert evidence.media_type == "image/jpeg"
        evidence_id = evidence.id
    url = f"/discrepancies/evidence/{evidence_id}"
    for who in ("officer", "secretariat"):
        download = client_for(app, who).get(url)
        assert download.status_code == 200 and download.data == scan, who
        download.close()
    for who in ("filer", "other_filer", "other_officer", "admin"):
        assert client_for(app, who).get(url).status_code == 404, who


@pytest.mark.parametrize(("file", "words"), [
    ((WINDOWS_EXE, "payment-order.pdf"), "not a PDF, JPEG or PNG"),
    ((ELF, "order.png"), "not a PDF, JPEG or PNG"),
    ((png_bytes(), "order.pdf"), "its content is a PNG image"),
    ((pdf_bytes(), "../order.pdf"), "contains a folder"),
    ((b"", "order.pdf"), "The file is empty"),
])
def test_a_refused_file_leaves_the_question_open_and_nothing_stored(app: Flask, data, folder, file,
                                                                    words: str) -> None:
    with app.app_context():
        query_id = _ask(data)
    response = post_answer(client_for(app, "filer"), query_id, file=file)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert words in page and 'id="evidence_file-error"' in page
    with app.app_context():
        query = db.session.get(DiscrepancyQuery, query_id)
        assert query.status is DiscrepancyQueryStatus.OPEN and query.answer is None
        assert db.session.scalar(select(func.count(DiscrepancyEvidence.id))) == 0
    assert stored_files(folder) == []


def test_a_file_over_the_limit_is_refused_with_413(app: Flask, data, folder) -> None:
    with app.app_context():
        query_id = _ask(data)
    app.config["ESG_MAX_ATTACHMENT_BYTES"] = 1024
    big = pdf_bytes("x" * 50) + b"%" * 2000 + b"\n%%EOF\n"
    response = post_answer(client_for(app, "filer"), query_id, file=(big, "order.pdf"))
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "The file is larger than" in page and 'id="evidence_file-error"' in page
    with app.app_context():
        assert db.session.get(DiscrepancyQuery, query_id).status is DiscrepancyQueryStatus.OPEN
    assert stored_files(folder) == []
    # a record form over the limit too
    response = post_record(client_for(app, "secretariat"), data, file=(big, "order.pdf"))
    assert response.status_code == 413 and 'id="record-evidence_file-error"' in response.get_data(as_text=True)


def test_a_rolled_back_answer_leaves_no_file(app_ctx, data, folder) -> None:
    query_id = _ask(data)
    discrepancies.answer_query(user(data["filer"]), db.session.get(DiscrepancyQuery, query_id), "Paid.",
                               (pdf_bytes(), "order.pdf"))
    assert len(stored_files(folder)) == 1
    db.session.rollback()
    assert stored_files(folder) == []


def test_a_missing_file_is_404_and_logged(app: Flask, data, folder) -> None:
    with app.app_context():
        query_id = _ask(data)
    assert post_answer(client_for(app, "filer"), query_id, file=(pdf_bytes(), "order.pdf")).status_code == 302
    for path in stored_files(folder):
        path.unlink()
    with app.app_context():
        evidence_id = db.session.scalar(select(DiscrepancyEvidence.id))
    assert client_for(app, "secretariat").get(f"/discrepancies/evidence/{evidence_id}").status_code == 404
    assert client_for(app, "secretariat").get("/discrepancies/evidence/999").status_code == 404
