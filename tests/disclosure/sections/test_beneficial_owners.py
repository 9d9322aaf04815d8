"""The beneficial owners section: names, countries, percentages, means of control, politically
exposed persons, the private fields kept apart, the list rule on direct holdings, and the form."""
from __future__ import annotations

import pytest
from flask_babel import force_locale
from werkzeug.datastructures import MultiDict

from esg_portal.disclosure.sections import dump_section, dump_with_private, load_section, spec_for
from esg_portal.disclosure.sections import beneficial_owners
from esg_portal.disclosure.sections.countries import ISO_3166_ALPHA2, country_choices, country_name
from esg_portal.disclosure.sections.fields import Choice, ChoiceList, LoadContext
from esg_portal.errors import ValidationError
from esg_portal.forms.esg_beneficial_owners import BeneficialOwnerForm

SPEC = beneficial_owners.SPEC
PRIVATE = {"date_of_birth": "1971-05-04", "id_document": "Паспорт ID1234567"}


def owner(**values) -> dict:
    """A complete, valid owner in the interchange form as GET gives it back (no private fields)."""
    base = {"surname": "Асанов", "given_name": "Бакыт", "patronymic": "Төлөгөнович", "nationality": "KG",
            "country_of_residence": "KG", "ownership_pct": "60", "voting_pct": "60.00",
            "direct_or_indirect": "direct", "means_of_control": ["shares", "voting_rights", "board_appointment"],
            "control_details": "", "is_pep": True, "pep_position": "Жогорку Кеңештин депутаты (2015–2020)"}
    base.update(values)
    return base


def second(**values) -> dict:
    base = {"surname": "Smith", "given_name": "John", "patronymic": "", "nationality": "GB",
            "country_of_residence": "CY", "ownership_pct": "25.5", "voting_pct": None,
            "direct_or_indirect": "indirect", "means_of_control": ["shares", "other_influence"],
            "control_details": "Through Alatoo Holdings Ltd (Cyprus)", "is_pep": False, "pep_position": ""}
    base.update(values)
    return base


def load(items: list[dict]):
    return load_section(SPEC, items, LoadContext())


def errors_of(items: list[dict]) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        load(items)
    return caught.value.errors


def test_owners_round_trip_and_private_fields_are_kept_apart(app_ctx) -> None:
    data, private = load([{**owner(), **PRIVATE}, second()])
    assert all("date_of_birth" not in item and "id_document" not in item for item in data)
    assert private == [PRIVATE, {"date_of_birth": None, "id_document": ""}]
    assert dump_section(SPEC, data) == [owner(), second()]
    full = dump_with_private(SPEC, data, private)
    assert full[0] == {**owner(), **PRIVATE}
    assert full[1]["date_of_birth"] is None and full[1]["id_document"] == ""
    assert SPEC.private_fields == ("date_of_birth", "id_document")


def test_country_codes_are_iso_3166_alpha2(app_ctx) -> None:
    data, _private = load([owner(nationality="kz", country_of_residence=" tr ")])
    assert data[0]["nationality"] == "KZ" and data[0]["country_of_residence"] == "TR"
    errors = errors_of([owner(nationality="KGZ", country_of_residence="XK")])
    assert "KG" in errors["0.nationality"][0] and "0.country_of_residence" in errors
    assert errors_of([owner(nationality=417)])["0.nationality"]
    assert len(ISO_3166_ALPHA2) == 249 and {"KG", "RU", "KZ", "CN", "TR", "GB", "US"} <= ISO_3166_ALPHA2


def test_names_are_required_but_the_patronymic(app_ctx) -> None:
    errors = errors_of([owner(surname=" ", given_name=None)])
    assert {"0.surname", "0.given_name"} <= set(errors)
    data, _private = load([owner(patronymic=None)])
    assert data[0]["patronymic"] == ""


@pytest.mark.parametrize(("value", "ok"), [("100", True), ("0", True), ("33.33", True), ("100.01", False),
                                           ("12.345", False), ("-1", False)])
def test_percentages_are_at_most_100_with_two_decimals(app_ctx, value: str, ok: bool) -> None:
    item = owner(ownership_pct=value, voting_pct=None, means_of_control=["shares"])
    if ok:
        assert load([item])[0][0]["ownership_pct"] == value
    else:
        assert "0.ownership_pct" in errors_of([item])


def test_a_politically_exposed_person_names_the_position(app_ctx) -> None:
    errors = errors_of([owner(pep_position="")])
    assert list(errors) == ["0.pep_position"]
    errors = errors_of([owner(is_pep=False)])
    assert list(errors) == ["0.pep_position"]
    assert "0.is_pep" in errors_of([owner(is_pep=None)])
    assert "0.is_pep" in errors_of([owner(is_pep="yes")])


def test_percentages_go_with_their_means_of_control(app_ctx) -> None:
    errors = errors_of([owner(voting_pct=None)])
    assert list(errors) == ["0.voting_pct"]
    errors = errors_of([owner(means_of_control=["board_appointment"])])
    assert set(errors) == {"0.ownership_pct", "0.voting_pct"}
    # a senior managing official holding nothing
    data, _private = load([owner(ownership_pct=None, voting_pct="0", means_of_control=["senior_management"])])
    assert data[0]["means_of_control"] == ["senior_management"]


def test_means_of_control_and_holding_are_required_codes(app_ctx) -> None:
    errors = errors_of([owner(means_of_control=[], direct_or_indirect="both")])
    assert {"0.means_of_control", "0.direct_or_indirect"} <= set(errors)
    assert "0.means_of_control" in errors_of([owner(means_of_control=["shares", "shares"])])


def test_direct_holdings_add_up_to_at_most_100_with_the_total_in_the_message(app_ctx) -> None:
    third = owner(surname="Бекова", given_name="Айгүл", patronymic="", is_pep=False, pep_position="",
                  ownership_pct="40.01", voting_pct="30")
    errors = errors_of([owner(), second(), third])
    assert list(errors) == ["2.ownership_pct"]
    assert "100.01" in errors["2.ownership_pct"][0]
    # indirect holdings overlap direct ones and are not added up
    load([owner(), second(ownership_pct="90"), {**third, "ownership_pct": "40"}])
    # voting rights likewise
    errors = errors_of([owner(), {**third, "ownership_pct": "10", "voting_pct": "40.5"}])
    assert list(errors) == ["1.voting_pct"] and "100.50" in errors["1.voting_pct"][0]


def test_every_field_and_choice_has_a_label(app_ctx) -> None:
    spec = spec_for("beneficial_owners")
    assert spec is SPEC and spec.form_class() is BeneficialOwnerForm and spec.many
    for name, kind in SPEC.schema().fields.items():
        assert name in SPEC.labels, name
        if isinstance(kind, (Choice, ChoiceList)):
            assert set(kind.choices) == set(SPEC.choice_labels[name]), name
    assert set(SPEC.private_fields) <= set(SPEC.schema().fields)
    assert SPEC.item_title(owner()) == "Асанов Бакыт Төлөгөнович"
    assert SPEC.item_title(second()) == "Smith John"


def test_country_names_follow_the_readers_language(app) -> None:
    with app.test_request_context():
        assert str(SPEC.choice_labels["nationality"]["KG"]) == "Kyrgyzstan"
        with force_locale("ru"):
            assert str(SPEC.choice_labels["nationality"]["KG"]) == "Кыргызстан"
            assert str(SPEC.choice_labels["nationality"]["KZ"]) == "Казахстан"
        with force_locale("ky"):
            assert country_name("CN") == "Кытай"
        choices = country_choices("en")
        assert [code for code, _name in choices[:3]] == ["KG", "RU", "KZ"]
        assert len(choices) == 249 and len({code for code, _name in choices}) == 249
    assert country_name("GB", "en") == "United Kingdom"


# --- the form -------------------------------------------------------------------------

def _posted(**overrides) -> MultiDict:
    values = [("surname", "Асанов"), ("given_name", "Бакыт"), ("patronymic", "Төлөгөнович"), ("nationality", "KG"),
              ("country_of_residence", "KG"), ("ownership_pct", "60"), ("voting_pct", "60,00"),
              ("direct_or_indirect", "direct"), ("means_of_control", "shares"), ("means_of_control", "voting_rights"),
              ("means_of_control", "board_appointment"), ("control_details", ""), ("is_pep", "y"),
              ("pep_position", "Жогорку Кеңештин депутаты (2015–2020)"), ("date_of_birth", "1971-05-04"),
              ("id_document", "Паспорт ID1234567")]
    values = [(key, overrides.get(key, value)) for key, value in values if overrides.get(key, value) is not None]
    return MultiDict(values)


def test_the_forms_item_is_what_the_schema_accepts_with_the_private_fields(app) -> None:
    with app.test_request_context(method="POST"):
        form = BeneficialOwnerForm(formdata=_posted(), meta={"csrf": False})
        assert len(form.nationality.choices) == 250
        item = form.to_item()
        data, private = load_section(SPEC, [item], LoadContext(locale="ru"))
        assert dump_section(SPEC, data) == [owner(voting_pct="60.00")]
        assert private == [PRIVATE]


def test_the_form_shows_a_stored_owner_and_its_errors(app) -> None:
    with app.test_request_context():
        form = BeneficialOwnerForm(data=BeneficialOwnerForm.form_data({**second(), **PRIVATE}), meta={"csrf": False})
        assert form.means_of_control.data == ["shares", "other_influence"]
        assert form.is_pep.data is False and form.voting_pct.data == "" and form.nationality.data == "GB"
        assert form.date_of_birth.data == "1971-05-04"
    with app.test_request_context(method="POST"):
        form = BeneficialOwnerForm(formdata=_posted(is_pep="", nationality="", ownership_pct="101"),
                                   meta={"csrf": False})
        item = form.to_item()
        assert item["is_pep"] is False and item["nationality"] is None
        with pytest.raises(ValidationError) as caught:
            load_section(SPEC, [item], LoadContext())
        errors = {path.partition(".")[2]: messages for path, messages in caught.value.errors.items()}
        form.apply_errors(errors)
        assert form.nationality.errors and form.ownership_pct.errors


def test_an_untouched_form_sends_no_owner_data(app) -> None:
    with app.test_request_context(method="POST"):
        item = BeneficialOwnerForm(formdata=MultiDict(), meta={"csrf": False}).to_item()
        assert item["means_of_control"] == [] and item["nationality"] is None and item["is_pep"] is False
        with pytest.raises(ValidationError):
            load_section(SPEC, [item], LoadContext())


# --- through the section pages ----------------------------------------------------------

def test_a_filer_adds_an_owner_through_the_page_and_the_private_fields_stay_apart(app, world) -> None:
    from sqlalchemy import select

    from support import csrf_token, item_paths, login
    from esg_portal.disclosure.models import DisclosureSection
    from esg_portal.extensions import db

    def post_form(client, path: str, data: MultiDict):
        # a MultiDict keeps the several ticked means of control (support.post_form takes a dict)
        data.add("csrf_token", csrf_token(client, path))
        return client.post(path, data=data)

    client = app.test_client()
    login(client, "filer@test.kg")
    path = "/disclosures/filing/2025/sections/beneficial_owners/items/new"
    page = client.get(path)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'value="KG"' in html and "Kyrgyzstan" in html and 'name="means_of_control"' in html
    refused = post_form(client, path, _posted(pep_position=""))
    assert refused.status_code == 422 and "public position" in refused.get_data(as_text=True)
    saved = post_form(client, path, _posted())
    assert saved.status_code == 302
    with app.app_context():
        row = db.session.scalar(select(DisclosureSection).where(DisclosureSection.section == "beneficial_owners"))
        assert dump_section(SPEC, row.data) == [owner(voting_pct="60.00")]
        assert row.restricted == [PRIVATE]
    listing = client.get("/disclosures/filing/2025/sections/beneficial_owners").get_data(as_text=True)
    assert "Асанов" in listing and "ID1234567" not in listing
    # the filer's own edit form shows the private fields again, to correct them
    edit = client.get(item_paths(client, "/disclosures/filing/2025/sections/beneficial_owners")[0]).get_data(as_text=True)
    assert "1971-05-04" in edit and "ID1234567" in edit
