"""A draft receipt correction can be thrown away (asked first): the submitted version stays in force, the
deletion is audited; version 1 and other agencies cannot."""
from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from support import login, post_form
from esg_portal.audit import AuditEvent
from esg_portal.extensions import db
from esg_portal.receipts.models import ReceiptBatch


def _batches(app: Flask, batch_id: int) -> list[tuple[int, str]]:
    with app.app_context():
        agency = db.session.get(ReceiptBatch, batch_id).agency_id
        return [(b.version, b.status.value) for b in db.session.scalars(
            select(ReceiptBatch).where(ReceiptBatch.agency_id == agency).order_by(ReceiptBatch.version))]


def test_a_draft_correction_is_discarded_after_asking(app: Flask, world) -> None:
    officer = app.test_client()
    login(officer, "officer@test.kg")
    assert post_form(officer, "/receipts/2025/correction", {"reason": "A refund was left out"},
                     form_page="/receipts/2025").status_code == 302
    assert _batches(app, world["sts_batch"]) == [(1, "submitted"), (2, "draft")]
    assert 'id="discard-correction"' in officer.get("/receipts/2025").get_data(as_text=True)
    ask = officer.get("/receipts/2025/correction/discard")
    assert ask.status_code == 200 and 'id="confirm-discard"' in ask.get_data(as_text=True)
    assert post_form(officer, "/receipts/2025/correction/discard", {}).status_code == 302
    assert _batches(app, world["sts_batch"]) == [(1, "submitted")]
    with app.app_context():
        assert db.session.scalars(select(AuditEvent).where(AuditEvent.table_name == "receipt_batch",
                                                           AuditEvent.action == "delete")).all()
    # nothing left to discard; other roles are refused
    assert post_form(officer, "/receipts/2025/correction/discard", {},
                     form_page="/receipts/2025").status_code == 409
    filer = app.test_client()
    login(filer, "filer@test.kg")
    assert filer.get("/receipts/2025/correction/discard").status_code == 403
    assert _batches(app, world["sts_batch"]) == [(1, "submitted")]
