"""Issue 12 §3: a company answers the secretariat's question on its filing with a file (a payment order),
checked like an attachment (disclosure.review.answer_query, disclosure.evidence)."""
from __future__ import annotations

import io

import pytest
from flask import Flask
from sqlalchemy import func, select

from attachment_files import ELF, WINDOWS_EXE, pdf_bytes, png_bytes, sha256, stored_files, temporary_attachments_dir
from support import csrf_token, login
from esg_portal.accounts.models import Role, User
from esg_portal.audit import AuditEvent
from esg_portal.disclosure import review
from esg_portal.disclosure.attachments import AttachmentTooLarge, check_file, store_attachment
from esg_portal.disclosure.evidence import keep_evidence
from esg_portal.disclosure.models import (Attachment, Disclosure, DisclosureStatus, FilingQuery, FilingQueryEvidence,
                                         QueryStatus)
from esg_portal.errors import NotFound, ValidationError
from esg_portal.extensions import db
from esg_portal.notifications.models import Notification

EMAILS = {"filer": "alpha@test.kg", "assistant": "alpha2@test.kg", "other_filer": "beta@test.kg",
          "officer": "officer@test.kg", "secretariat": "sec@test.kg", "admin": "admin@test.kg"}


@pytest.fixture
def folder(app: Flask, tmp_path):
    return temporary_attachments_dir(app, tmp_path)


@pytest.fixture
def ids(app: Flask, factory, folder) -> dict[str, int]:
    """Alpha's submitted 2025 filing with a question of the secretariat; Beta, an officer, an administrator."""
    period = factory.period(2025)
    alpha, beta = factory.company("Alpha Gold LLC"), factory.company("Beta Copper LLC")
    made = {
        "alpha": alpha, "period": period,
        "filer": factory.user(Role.COMPANY_FILER, EMAILS["filer"], company_id=alpha, is_signatory=True),
        "assistant": factory.user(Role.COMPANY_FILER, EMAILS["assistant"], company_id=alpha),
        "other_filer": factory.user(Role.COMPANY_FILER, EMAILS["other_filer"], company_id=beta, is_signatory=True),
        "officer": factory.user(Role.AGENCY_OFFICER, EMAILS["officer"], agency_code="STS"),
        "secretariat": factory.user(Role.SECRETARIAT, EMAILS["secretariat"]),
        "admin": factory.user(Role.ADMIN, EMAILS["admin"]),
        "filing": factory.disclosure(alpha, period, DisclosureStatus.SUBMITTED, payments=[("CIT", "STS", "250.25")]),
    }
    with app.app_context():
        query = review.raise_query(db.session.get(User, made["secretariat"]),
                                   db.session.get(Disclosure, made["filing"]), "Where is the CIT payment order?")
        db.session.commit()
        made["query"] = query.id
    return made


def client_for(app: Flask, who: str | None):
    client = app.test_client()
    if who:
        login(client, EMAILS[who])
    return client


def post_answer(client, query_id: int, answer: str = "Paid on 2 April, order 17.",
                file: tuple[bytes, str] | None = None):
    prefix = f"query-{query_id}"
    form = {"csrf_token": csrf_token(client, "/disclosures/filing/2025"), f"{prefix}-answer": answer}
    if file is not None:
        form[f"{prefix}-evidence_file"] = (io.BytesIO(file[0]), file[1])
    return client.post(f"/disclosures/queries/{query_id}/answer", data=form, content_type="multipart/form-data")


def test_the_filing_page_offers_a_file_with_the_answer(app: Flask, ids) -> None:
    page = client_for(app, "filer").get("/disclosures/filing/2025").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page and f'name="query-{ids["query"]}-evidence_file"' in page


def test_the_company_answers_with_a_payment_order_that_the_secretariat_downloads(app: Flask, ids, folder) -> None:
    order = pdf_bytes("Payment order 17")
    response = post_answer(client_for(app, "assistant"), ids["query"], file=(order, "order 17.pdf"))
    assert response.status_code == 302, response.get_data(as_text=True)
    assert response.headers["Location"].endswith("/disclosures/filing/2025#queries")
    with app.app_context():
        query = db.session.get(FilingQuery, ids["query"])
        assert query.status is QueryStatus.ANSWERED and query.disclosure.status is DisclosureStatus.ANSWERED
        [evidence] = query.evidence
        assert (evidence.original_name, evidence.sha256, evidence.media_type, evidence.uploaded_by_id) == (
            "order 17.pdf", sha256(order), "application/pdf", ids["assistant"])
        assert [p.name for p in stored_files(folder)] == [evidence.stored_name]
        # a file of the answer, not of the filing: the version's attachments are unchanged
        assert db.session.scalar(select(func.count(Attachment.id))) == 0
        told = db.session.execute(select(Notification.user_id, Notification.event)).all()
        assert (ids["secretariat"], "filing_answer") in told  # the secretariat is still told
        assert db.session.scalar(select(AuditEvent.actor_id).where(
            AuditEvent.table_name == "filing_query_evidence", AuditEvent.action == "create")) == ids["assistant"]
        evidence_id = evidence.id
    url = f"/disclosures/queries/answer-files/{evidence_id}"
    secretariat = client_for(app, "secretariat")
    assert f'href="{url}"' in secretariat.get(f"/review/filings/{ids['filing']}").get_data(as_text=True)
    assert f'href="{url}"' in client_for(app, "filer").get("/disclosures/filing/2025").get_data(as_text=True)
    for who in ("secretariat", "filer", "assistant"):
        download = client_for(app, who).get(url)
        assert download.status_code == 200 and download.data == order, who
        assert download.headers["Content-Disposition"].startswith("attachment")
        assert download.headers["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in download.headers["Content-Security-Policy"]
        download.close()
    for who in ("other_filer", "officer", "admin"):
        assert client_for(app, who).get(url).status_code == 404, who
    anonymous = app.test_client().get(url)
    assert anonymous.status_code == 302 and anonymous.headers["Location"].startswith("/login")
    assert secretariat.get("/disclosures/queries/answer-files/999").status_code == 404


@pytest.mark.parametrize(("file", "words"), [
    ((WINDOWS_EXE, "payment-order.pdf"), "not a PDF, JPEG or PNG"),
    ((ELF, "payment-order.jpg"), "not a PDF, JPEG or PNG"),
    ((png_bytes(), "order.pdf"), "its content is a PNG image"),
    ((pdf_bytes(), "C:order.pdf"), "contains a folder or a drive"),
])
def test_a_refused_file_leaves_the_question_open(app: Flask, ids, folder, file, words: str) -> None:
    response = post_answer(client_for(app, "filer"), ids["query"], file=file)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert words in page and f'id="query-{ids["query"]}-evidence_file-error"' in page
    with app.app_context():
        query = db.session.get(FilingQuery, ids["query"])
        assert query.status is QueryStatus.OPEN and query.answer is None
        assert query.disclosure.status is DisclosureStatus.QUERIED
        assert db.session.scalar(select(func.count(FilingQueryEvidence.id))) == 0
    assert stored_files(folder) == []


def test_a_file_over_the_limit_is_refused_with_413(app: Flask, ids, folder) -> None:
    app.config["ESG_MAX_ATTACHMENT_BYTES"] = 1024
    big = pdf_bytes("y" * 40) + b"%" * 3000 + b"\n%%EOF\n"
    response = post_answer(client_for(app, "filer"), ids["query"], file=(big, "order.pdf"))
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "The file is larger than" in page and f'id="query-{ids["query"]}-evidence_file-error"' in page
    with app.app_context():
        assert db.session.get(FilingQuery, ids["query"]).status is QueryStatus.OPEN
    assert stored_files(folder) == []


def test_the_text_and_the_file_are_judged_together(app_ctx, ids, folder) -> None:
    query = db.session.get(FilingQuery, ids["query"])
    with pytest.raises(ValidationError) as caught:
        review.answer_query(db.session.get(User, ids["filer"]), query, "  ", (WINDOWS_EXE, "order.pdf"))
    assert set(caught.value.errors) == {"answer", "evidence_file"}
    with pytest.raises(AttachmentTooLarge):
        app_ctx.config["ESG_MAX_ATTACHMENT_BYTES"] = 10
        review.answer_query(db.session.get(User, ids["filer"]), query, "Paid.", (pdf_bytes(), "order.pdf"))
    with pytest.raises(NotFound):  # another company's filer: the question does not exist for them
        review.answer_query(db.session.get(User, ids["other_filer"]), query, "Paid.", (pdf_bytes(), "order.pdf"))
    assert stored_files(folder) == []


def test_an_answer_without_a_file_still_works(app: Flask, ids, folder) -> None:
    assert post_answer(client_for(app, "filer"), ids["query"]).status_code == 302
    with app.app_context():
        query = db.session.get(FilingQuery, ids["query"])
        assert query.status is QueryStatus.ANSWERED and query.evidence == []
    assert stored_files(folder) == []


def test_a_file_already_attached_to_the_filing_may_be_sent_with_the_answer(app_ctx, ids, folder) -> None:
    """The evidence is the answer's own copy: a filing attachment of the same bytes is no obstacle (a draft's
    attachment may be deleted later; the answer's file must stay), and within one question a file is kept once."""
    filer = db.session.get(User, ids["filer"])
    order = pdf_bytes("Payment order 17")
    draft = Disclosure(company_id=ids["alpha"], period_id=ids["period"], status=DisclosureStatus.DRAFT, version=2)
    db.session.add(draft)
    db.session.flush()
    store_attachment(filer, draft, order, "order.pdf")
    query = review.answer_query(filer, db.session.get(FilingQuery, ids["query"]), "Paid.", (order, "order.pdf"))
    again = keep_evidence(filer, FilingQueryEvidence, check_file(order, "copy.pdf"), query=query)
    assert again is query.evidence[0] and len(query.evidence) == 1
    assert len(stored_files(folder)) == 2  # the filing's attachment and the answer's file
    db.session.rollback()
    assert stored_files(folder) == []  # files follow the transaction
