"""An attestation is shown as signed (authoritative) and, for a reader of another language, the same
standard text in the reader's language beside it."""
from __future__ import annotations

from flask import Flask

from support import login
from esg_portal.accounts.models import User
from esg_portal.disclosure.attestation import ATTESTATION_TEXTS, reader_version, signed_language
from esg_portal.disclosure.models import Disclosure
from esg_portal.disclosure.services import submit_disclosure
from esg_portal.extensions import db


def test_the_signed_language_is_recognised() -> None:
    assert signed_language(ATTESTATION_TEXTS["ky"]) == "ky"
    assert signed_language("something else") is None
    assert reader_version(ATTESTATION_TEXTS["ky"], "ru") == ATTESTATION_TEXTS["ru"]
    assert reader_version(ATTESTATION_TEXTS["ky"], "ky") is None
    assert reader_version("a text that is not the standard one", "en") is None


def test_a_reader_of_another_language_sees_the_standard_text_beside_the_signed_one(app: Flask, world) -> None:
    with app.app_context():
        disclosure = db.session.get(Disclosure, world["own_disclosure"])
        submit_disclosure(db.session.get(User, world["filer"]), disclosure, attested_by_name="Айбек",
                          attested_by_position="Директор", attestation_text=ATTESTATION_TEXTS["ky"])
        db.session.commit()
    client = app.test_client()
    login(client, "secretariat@test.kg")
    english = client.get(f"/review/filings/{world['own_disclosure']}", headers={"Accept-Language": "en"})
    html = english.get_data(as_text=True)
    assert ATTESTATION_TEXTS["ky"][:40] in html  # the signed text
    assert 'id="attestation-translation"' in html and ATTESTATION_TEXTS["en"][:40] in html
    filer = app.test_client()
    login(filer, "filer@test.kg")
    own = filer.get(f"/disclosures/{world['own_disclosure']}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'id="attestation-translation"' in own
    kyrgyz = filer.get(f"/disclosures/{world['own_disclosure']}", headers={"Accept-Language": "ky"})
    assert 'id="attestation-translation"' not in kyrgyz.get_data(as_text=True)
