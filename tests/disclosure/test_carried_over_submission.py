"""What was copied from last year is never submitted unchecked: the submit page lists the sections nobody
confirmed or edited and asks for each; the reviewer sees how each was checked; a sealed version shows
no "check, then confirm" prompt."""
from __future__ import annotations

import pytest
from flask import Flask

from support import login, post_form
from test_carry_over import RUNNING, _filed, setup  # noqa: F401  (the carry-over world)
from esg_portal.accounts.models import Role, User
from esg_portal.companies.models import Company
from esg_portal.disclosure import services
from esg_portal.disclosure.models import Disclosure, DisclosureStatus
from esg_portal.disclosure.sections import services as section_services
from esg_portal.errors import ValidationError
from esg_portal.extensions import db

ATTEST = {"attested_by_name": "Aibek Toktogulov", "attested_by_position": "Director", "confirm": "y"}


@pytest.fixture
def draft(app: Flask, setup) -> int:  # noqa: F811
    _filed(app, setup)
    with app.app_context():
        disclosure = services.open_draft(db.session.get(User, setup["filer"]), db.session.get(Company, setup["company"]),
                                         services.get_period(2025))
        db.session.commit()
        assert set(disclosure.carried_over) == {"profile", "beneficial_owners", "social_agreements"}
        return disclosure.id


def _filer(app: Flask):
    client = app.test_client()
    login(client, "filer@test.kg")
    return client


def test_the_service_refuses_unchecked_carried_over_sections(app_ctx, setup, draft) -> None:  # noqa: F811
    disclosure = db.session.get(Disclosure, draft)
    actor = db.session.get(User, setup["filer"])
    with pytest.raises(ValidationError) as refused:
        services.submit_disclosure(actor, disclosure, attested_by_name="A", attested_by_position="B",
                                   attestation_text="I attest.", confirm_carried_over=["profile"])
    [message] = refused.value.errors["confirm_carried_over"]
    assert "Beneficial owners" in message and "Social agreements" in message and "Company profile" not in message
    db.session.rollback()
    assert db.session.get(Disclosure, draft).status is DisclosureStatus.DRAFT


def test_the_submit_page_asks_and_the_reviewer_sees_how_each_was_checked(app: Flask, setup, draft,  # noqa: F811
                                                                          factory) -> None:
    factory.user(Role.SECRETARIAT, "secretariat@test.kg")
    filer = _filer(app)
    # the owners are confirmed as they are, the agreements are edited; the profile stays unchecked
    assert post_form(filer, "/disclosures/filing/2025/sections/beneficial_owners/confirm", {},
                     form_page="/disclosures/filing/2025/sections/beneficial_owners").status_code == 302
    with app.app_context():
        disclosure = db.session.get(Disclosure, draft)
        section_services.save_item(db.session.get(User, setup["filer"]), disclosure, "social_agreements",
                                   section_services.stored_item_ids(disclosure.section_row("social_agreements"))[0],
                                   RUNNING, locale="en")
        db.session.commit()
    page = filer.get("/disclosures/filing/2025/submit").get_data(as_text=True)
    assert 'id="confirm-carried-over"' in page and 'id="confirm-profile"' in page
    assert 'id="confirm-beneficial_owners"' not in page and 'id="confirm-social_agreements"' not in page
    refused = post_form(filer, "/disclosures/filing/2025/submit", ATTEST)
    assert refused.status_code == 422
    assert "Company profile" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Disclosure, draft).status is DisclosureStatus.DRAFT
    accepted = post_form(filer, "/disclosures/filing/2025/submit", {**ATTEST, "confirm_carried_over": "profile"})
    assert accepted.status_code == 302, accepted.get_data(as_text=True)[:2000]
    with app.app_context():
        sealed = db.session.get(Disclosure, draft)
        assert sealed.status is DisclosureStatus.SUBMITTED and sealed.carried_over is None
        assert sealed.carried_over_review == {"beneficial_owners": "confirmed", "social_agreements": "edited",
                                              "profile": "at_submission"}
    # the sealed version asks nothing any more
    for path in ("/disclosures/filing/2025", "/disclosures/filing/2025/sections/beneficial_owners"):
        html = filer.get(path).get_data(as_text=True)
        assert "carried-over" not in html and "Confirm: still true" not in html, path
    reviewer = app.test_client()
    login(reviewer, "secretariat@test.kg")
    review = reviewer.get(f"/review/filings/{draft}").get_data(as_text=True)
    assert 'id="carried-over-review"' in review
    assert "confirmed as still true on the submit page" in review and "checked and edited by the company" in review


def test_the_api_names_the_sections_to_confirm(app: Flask, setup, draft) -> None:  # noqa: F811
    from esg_portal.accounts.tokens import create_token
    with app.app_context():
        _row, token = create_token(db.session.get(User, setup["filer"]), "tests")
        db.session.commit()
    headers = {"Authorization": f"Bearer {token}", "Accept-Language": "en"}
    body = {"attested_by_name": "Aibek Toktogulov", "attested_by_position": "Director"}
    refused = app.test_client().post("/api/v1/filings/2025/submit", json=body, headers=headers)
    assert refused.status_code == 422
    assert "confirm_carried_over" in refused.get_json()["errors"]
    accepted = app.test_client().post("/api/v1/filings/2025/submit", headers=headers, json={
        **body, "confirm_carried_over": "profile, beneficial_owners,social_agreements"})
    assert accepted.status_code == 200, accepted.get_json()
    with app.app_context():
        assert set(db.session.get(Disclosure, draft).carried_over_review.values()) == {"at_submission"}
