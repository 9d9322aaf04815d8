"""No lost update on the filer's pages: items are addressed by stable ids, and a form made from an older
state of the draft is refused (409) with the user's input kept, never written over somebody's work."""
from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from support import form_fields, item_paths, login, post_form
from esg_portal.companies.models import License
from esg_portal.disclosure.models import Disclosure, DisclosureSection, PaymentLine
from esg_portal.extensions import db

PAGE = "/disclosures/filing/2025/sections/production"


def _signed_in(app: Flask, email: str = "filer@test.kg"):
    client = app.test_client()
    login(client, email)
    return client


def _item(**values) -> dict:
    return {"mineral": "SB", "mineral_name": "", "project": "", "unit": "t", "produced_volume": "1",
            "produced_value_kgs": "", "exported_volume": "", "exported_value_kgs": "", "comment": "", **values}


def _stored(app: Flask, disclosure_id: int) -> tuple[list, list]:
    with app.app_context():
        row = db.session.scalar(select(DisclosureSection).where(DisclosureSection.disclosure_id == disclosure_id,
                                                                DisclosureSection.section == "production"))
        return (row.data, row.item_ids) if row is not None else ([], [])


def test_two_people_editing_one_item_the_second_gets_409_and_keeps_their_input(app: Flask, world) -> None:
    alice, bob = _signed_in(app), _signed_in(app)
    assert post_form(alice, f"{PAGE}/items/new", _item(comment="first")).status_code == 302
    [item] = item_paths(alice, PAGE)
    alice_form, bob_form = form_fields(alice, item), form_fields(bob, item)
    assert alice_form["revision"] == bob_form["revision"]
    assert alice.post(item, data={**alice_form, **_item(comment="Alice's correction")}).status_code == 302
    late = bob.post(item, data={**bob_form, **_item(comment="Bob's correction")})
    assert late.status_code == 409
    html = late.get_data(as_text=True)
    assert 'id="stale-notice"' in html
    assert "Alice&#39;s correction" in html or "Alice's correction" in html  # what is saved now
    assert "Bob&#39;s correction" in html or "Bob's correction" in html  # the kept input
    data, _ids = _stored(app, world["own_disclosure"])
    assert [d["comment"] for d in data] == ["Alice's correction"]
    # the page now carries the current revision: saving again replaces knowingly
    again = bob.post(item, data={**form_fields(bob, item), **_item(comment="Bob's correction")})
    assert again.status_code == 302
    assert [d["comment"] for d in _stored(app, world["own_disclosure"])[0]] == ["Bob's correction"]


def test_a_stale_form_after_a_deletion_never_overwrites_another_item(app: Flask, world) -> None:
    filer = _signed_in(app)
    for comment, mineral in (("first", "SB"), ("second", "AL")):
        assert post_form(filer, f"{PAGE}/items/new", _item(comment=comment, mineral=mineral)).status_code == 302
    first, second = item_paths(filer, PAGE)
    stale_second = form_fields(filer, second)
    assert post_form(filer, f"{first}/delete", {"confirmed": "1"}, form_page=PAGE).status_code == 302
    # the second item keeps its address after the first one is gone
    assert filer.get(second).status_code == 200 and item_paths(filer, PAGE) == [second]
    refused = filer.post(second, data={**stale_second, **_item(comment="edited")})
    assert refused.status_code == 409
    assert [d["comment"] for d in _stored(app, world["own_disclosure"])[0]] == ["second"]
    # the deleted item's address is gone, not taken by another item
    assert filer.get(first).status_code == 404


def test_two_stale_delete_clicks_delete_one_item(app: Flask, world) -> None:
    filer = _signed_in(app)
    for comment, mineral in (("first", "SB"), ("second", "AL"), ("third", "BE")):
        assert post_form(filer, f"{PAGE}/items/new", _item(comment=comment, mineral=mineral)).status_code == 302
    first = item_paths(filer, PAGE)[0]
    fields = form_fields(filer, PAGE)  # the section page, as shown once
    assert filer.post(f"{first}/delete", data={**fields, "confirmed": "1"}).status_code == 302
    assert filer.post(f"{first}/delete", data={**fields, "confirmed": "1"}).status_code == 409
    data, ids = _stored(app, world["own_disclosure"])
    assert [d["comment"] for d in data] == ["second", "third"] and len(ids) == 2


def test_item_ids_survive_an_amendment_and_an_identical_api_replacement(app: Flask, world) -> None:
    from esg_portal.accounts.models import User
    from esg_portal.disclosure.sections import services as section_services
    filer = _signed_in(app)
    post_form(filer, f"{PAGE}/items/new", _item(comment="kept"))
    _data, ids = _stored(app, world["own_disclosure"])
    with app.app_context():
        disclosure = db.session.get(Disclosure, world["own_disclosure"])
        actor = db.session.get(User, world["filer"])
        items = section_services.section_items(disclosure, "production")
        section_services.replace_section(actor, disclosure, "production", items, locale="en")
        db.session.commit()
    assert _stored(app, world["own_disclosure"])[1] == ids


def test_a_stale_payment_line_form_is_refused_and_the_saved_line_stays(app: Flask, world) -> None:
    alice, bob = _signed_in(app), _signed_in(app)
    with app.app_context():
        line_id = db.session.scalar(select(PaymentLine.id).where(PaymentLine.disclosure_id == world["own_disclosure"]))
        licence = db.session.get(License, world["own_licence"]).number
    path = f"/disclosures/lines/{line_id}/edit"
    bob_form = form_fields(bob, path)
    line = {"revenue_stream": "ROYALTY", "government_entity": "STS", "project": licence, "amount": "2000.00",
            "currency": "KGS", "paid_in_kind": "no", "in_kind_volume": "", "in_kind_unit": "",
            "recipient_locality": "", "comment": ""}
    assert post_form(alice, path, line).status_code == 302
    late = bob.post(path, data={**bob_form, **line, "amount": "3000.00"})
    assert late.status_code == 409
    assert 'value="3000.00"' in late.get_data(as_text=True)  # the input is kept
    with app.app_context():
        assert db.session.get(PaymentLine, line_id).amount_minor == 200000
