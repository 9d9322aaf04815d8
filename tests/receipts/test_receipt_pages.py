"""Receipt pages: the officer's period page, entry, upload, submit, correction and isolation."""
from __future__ import annotations

import io

from sqlalchemy import select

from esg_portal.companies.models import Company
from esg_portal.extensions import db
from esg_portal.receipts.models import BatchStatus, ReceiptBatch
from esg_portal.reference.models import GovernmentEntity
from tests.support import login, post_form

PAGE = "/receipts/2025"


def _sts_batches(app):
    with app.app_context():
        sts = db.session.scalar(select(GovernmentEntity.id).where(GovernmentEntity.code == "STS"))
        return [(b.version, b.status, len(b.receipts)) for b in db.session.scalars(
            select(ReceiptBatch).where(ReceiptBatch.agency_id == sts).order_by(ReceiptBatch.version))]


def test_anonymous_and_other_roles_are_kept_out(client, world):
    assert client.get(PAGE).status_code == 302
    login(client, "filer@test.kg")
    assert client.get(PAGE).status_code == 403


def test_officer_page_upload_submit_and_correct(app, client, world):
    login(client, "officer@test.kg")
    page = client.get(PAGE)
    assert page.status_code == 200
    # the world's STS batch is already submitted: a correction first
    assert post_form(client, f"{PAGE}/correction", {"reason": ""}, form_page=PAGE).status_code == 422
    assert post_form(client, f"{PAGE}/correction", {"reason": "a refund was missing"},
                     form_page=PAGE).status_code == 302
    assert _sts_batches(app)[-1] == (2, BatchStatus.DRAFT, 1)
    bad = "company_inn,revenue_stream,government_entity,amount,currency\n99999999999999,ROYALTY,SCS,-5,KGS\n"
    response = post_form(client, f"{PAGE}/upload", {"file": (io.BytesIO(bad.encode()), "r.csv")}, form_page=PAGE,
                         content_type="multipart/form-data")
    assert response.status_code == 422 and 'id="upload-errors"' in response.get_data(as_text=True)
    good = ("company_inn,company_name,revenue_stream,government_entity,amount,currency\n"
            "77777777777777,Small Quarry LLC,ROYALTY,STS,\"1 000,50\",KGS\n")
    response = post_form(client, f"{PAGE}/upload", {"file": (io.BytesIO(good.encode()), "r.csv")},
                         form_page=PAGE, content_type="multipart/form-data")
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Company.is_registered).where(Company.inn == "77777777777777")) is False
    response = post_form(client, f"{PAGE}/receipts", {"company_inn": "77777777777777", "revenue_stream": "CIT",
                                                      "amount": "10", "currency": "KGS"}, form_page=PAGE)
    assert response.status_code == 302
    assert post_form(client, f"{PAGE}/submit", {"attested_by_name": "A", "attested_by_position": "B"},
                     form_page=PAGE).status_code == 422
    response = post_form(client, f"{PAGE}/submit", {"attested_by_name": "A. Officer", "attested_by_position": "Head",
                                                    "confirm": "y", "language": "en"}, form_page=PAGE)
    assert response.status_code == 302
    assert _sts_batches(app) == [(1, BatchStatus.SUPERSEDED, 1), (2, BatchStatus.SUBMITTED, 2)]
    assert "Small Quarry LLC" in client.get(PAGE).get_data(as_text=True)


def test_officer_sees_only_own_agency(client, world):
    login(client, "officer@test.kg")
    assert client.get(f"/receipts/batches/{world['scs_batch']}").status_code == 403
    assert client.get(f"/filings/{world['own_disclosure']}").status_code in (403, 404)
    page = client.get(PAGE).get_data(as_text=True)
    assert "10.00" not in page and "Other Mining LLC" not in page


def test_dashboard_links_to_the_period_page(client, world):
    login(client, "officer@test.kg")
    assert 'href="/receipts/2025"' in client.get("/").get_data(as_text=True)


def test_a_period_without_a_batch_and_in_russian(client, world, factory):
    factory.period(2026)
    login(client, "officer@test.kg")
    page = client.get("/receipts/2026?lang=ru")
    assert page.status_code == 200 and "Добавить поступление" in page.get_data(as_text=True)
    assert client.get("/receipts/1999").status_code == 404


def test_the_receipts_template_lists_the_upload_columns(app, client, world):
    from esg_portal.receipts.schemas import RECEIPT_COLUMNS
    assert client.get(f"{PAGE}/receipts-template.csv").status_code == 302
    filer = app.test_client()
    login(filer, "filer@test.kg")
    assert filer.get(f"{PAGE}/receipts-template.csv").status_code == 403
    login(client, "officer@test.kg")
    response = client.get(f"{PAGE}/receipts-template.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.get_data(as_text=True).lstrip("\ufeff").strip().split(",") == list(RECEIPT_COLUMNS)
