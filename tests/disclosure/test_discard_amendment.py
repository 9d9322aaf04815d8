"""A draft amendment can be thrown away (asked first): the submitted version stays in force unchanged,
the deletion is in the audit trail, and version 1 or a submitted version cannot be discarded."""
from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from support import login, post_form
from esg_portal.audit import AuditEvent
from esg_portal.disclosure.models import Disclosure, DisclosureStatus
from esg_portal.extensions import db


def _versions(app: Flask, company_id: int) -> list[tuple[int, str]]:
    with app.app_context():
        return [(d.version, d.status.value) for d in db.session.scalars(
            select(Disclosure).where(Disclosure.company_id == company_id).order_by(Disclosure.period_id,
                                                                                   Disclosure.version))]


def test_a_draft_amendment_is_discarded_after_asking(app: Flask, world, factory) -> None:
    own = world["own_company"]
    with app.app_context():
        first = db.session.get(Disclosure, world["own_disclosure"])
        first.status = DisclosureStatus.ACCEPTED
        db.session.commit()
    filer = app.test_client()
    login(filer, "filer@test.kg")
    assert post_form(filer, "/disclosures/filing/2025/amend", {"reason": "CIT refund left out"}).status_code == 302
    assert _versions(app, own) == [(1, "accepted"), (2, "draft")]
    page = filer.get("/disclosures/filing/2025").get_data(as_text=True)
    assert 'id="amendment-note"' in page and 'id="discard-amendment"' in page
    ask = filer.get("/disclosures/filing/2025/discard")
    assert ask.status_code == 200 and 'id="confirm-discard"' in ask.get_data(as_text=True)
    assert _versions(app, own) == [(1, "accepted"), (2, "draft")]  # asking changes nothing
    done = post_form(filer, "/disclosures/filing/2025/discard", {})
    assert done.status_code == 302
    assert _versions(app, own) == [(1, "accepted")]
    assert "Version 1 stays in force" in filer.get("/disclosures/filing/2025").get_data(as_text=True)
    with app.app_context():
        deleted = db.session.scalars(select(AuditEvent).where(AuditEvent.table_name == "disclosure",
                                                              AuditEvent.action == "delete")).all()
        assert len(deleted) == 1 and deleted[0].changes["version"] == [2, None]
    # nothing left to discard: version 1 is the filing itself
    assert post_form(filer, "/disclosures/filing/2025/discard", {},
                     form_page="/disclosures/filing/2025").status_code == 409
    assert _versions(app, own) == [(1, "accepted")]


def test_version_one_and_other_companies_cannot_be_discarded(app: Flask, world) -> None:
    filer = app.test_client()
    login(filer, "filer@test.kg")
    assert post_form(filer, "/disclosures/filing/2025/discard", {},
                     form_page="/disclosures/filing/2025").status_code == 409
    assert _versions(app, world["own_company"]) == [(1, "draft")]
    officer = app.test_client()
    login(officer, "officer@test.kg")
    assert officer.get("/disclosures/filing/2025/discard").status_code == 403
