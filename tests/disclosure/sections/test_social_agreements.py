"""Social-package agreements (issue 4 §2): every rule and its message path, the form, carry-over."""
from __future__ import annotations

import copy
import datetime as dt

import pytest
from flask import Flask
from werkzeug.datastructures import MultiDict

from esg_portal.disclosure.sections import dump_section, load_section, spec_for
from esg_portal.disclosure.sections.fields import LoadContext
from esg_portal.disclosure.sections.social_agreements import is_running
from esg_portal.errors import ValidationError
from esg_portal.forms.esg_social_agreements import SocialAgreementForm

KNOWN_SHA = "ab" * 32
CONTEXT = LoadContext(locale="en", attachment_exists=lambda sha: sha == KNOWN_SHA,
                      licences=frozenset({"KG-0001-AP"}),
                      codes={"region": frozenset({"ISSYK_KUL", "NARYN", "CHUY"})},
                      period_start=dt.date(2025, 1, 1), period_end=dt.date(2025, 12, 31))

AGREEMENT = {
    "counterparty_kind": "aiyl_okmotu", "counterparty_name": "Ак-Суу айыл өкмөтү", "district": "Жети-Өгүз району",
    "region": "ISSYK_KUL", "agreement_number": "СП-14/2024", "signed_date": "2024-12-20",
    "start_date": "2025-01-01", "end_date": "2027-12-31", "legal_basis": "licence",
    "committed_cash_kgs": "15000000.00",
    "committed_in_kind": [{"description": "Мектепке көмүр (120 т)", "estimated_value_kgs": "720000.00"}],
    "disbursed_cash_kgs": "5000000.50", "disbursed_in_kind_kgs": "720000.00",
    "purposes": ["water", "education"], "purpose_other": "",
    "beneficiaries": "Кызыл-Суу айылынын тургундары", "beneficiaries_count": 4200,
    "hearing_reference": "H-2025-01", "agreement_attachment": KNOWN_SHA,
}


@pytest.fixture
def spec(app_ctx: Flask):
    return spec_for("social_agreements")


def load(spec, items: list[dict]) -> list[dict]:
    data, private = load_section(spec, items, CONTEXT)
    assert private is None
    return data


def errors_of(spec, items: list[dict]) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        load_section(spec, items, CONTEXT)
    return caught.value.errors


def changed(**values) -> dict:
    item = copy.deepcopy(AGREEMENT)
    item.update(values)
    return item


# --- the schema ------------------------------------------------------------------------

def test_a_complete_agreement_is_stored_in_minor_units_and_dumps_back_exactly(spec) -> None:
    data = load(spec, [AGREEMENT])
    assert data[0]["committed_cash_kgs"] == 1_500_000_000
    assert data[0]["disbursed_cash_kgs"] == 500_000_050
    assert data[0]["committed_in_kind"][0]["estimated_value_kgs"] == 72_000_000
    assert dump_section(spec, data) == [AGREEMENT]


def test_a_minimal_open_ended_agreement_fills_blanks(spec) -> None:
    item = {"counterparty_kind": "town", "counterparty_name": "Балыкчы шаарынын мэриясы", "region": "ISSYK_KUL",
            "agreement_number": "7", "signed_date": "2025-03-15", "start_date": "2025-01-01",
            "legal_basis": "voluntary", "purposes": ["jobs_training"]}
    dumped = dump_section(spec, load(spec, [item]))[0]
    assert dumped["end_date"] is None and dumped["committed_cash_kgs"] is None
    assert dumped["district"] == "" and dumped["hearing_reference"] == "" and dumped["committed_in_kind"] == []
    assert dumped["agreement_attachment"] is None and dumped["beneficiaries_count"] is None


def test_required_fields_are_named(spec) -> None:
    errors = errors_of(spec, [{"district": "Жети-Өгүз району"}])
    assert set(errors) == {f"0.{name}" for name in (
        "counterparty_kind", "counterparty_name", "region", "agreement_number", "signed_date", "start_date",
        "legal_basis", "purposes")}
    errors = errors_of(spec, [changed(purposes=[], counterparty_name="  ")])
    assert errors["0.purposes"] == ["Choose at least one."]
    assert errors["0.counterparty_name"] == ["This field is required."]


def test_values_of_the_wrong_kind_are_refused_on_their_field(spec) -> None:
    errors = errors_of(spec, [changed(counterparty_kind="rayon", region="KEMIN", committed_cash_kgs=12.5,
                                      end_date="31.12.2027", purposes=["roads"], beneficiaries_count=-1,
                                      agreement_attachment="cd" * 32)])
    assert set(errors) == {"0.counterparty_kind", "0.region", "0.committed_cash_kgs", "0.end_date", "0.purposes",
                           "0.beneficiaries_count", "0.agreement_attachment"}
    assert "aiyl_okmotu, town" in errors["0.counterparty_kind"][0]
    assert "Upload the file first" in errors["0.agreement_attachment"][0]


def test_the_end_cannot_come_before_the_start(spec) -> None:
    errors = errors_of(spec, [changed(end_date="2024-12-31")])
    assert set(errors) == {"0.end_date"}
    assert "ends before it starts" in errors["0.end_date"][0]
    # ending on the day it starts is a one-day agreement, accepted
    assert load(spec, [changed(end_date="2025-01-01", signed_date="2025-01-01")])


def test_an_agreement_cannot_be_signed_after_it_ended(spec) -> None:
    errors = errors_of(spec, [changed(signed_date="2028-01-10")])
    assert set(errors) == {"0.signed_date"}
    assert "signed after its end date" in errors["0.signed_date"][0]


def test_an_agreement_may_start_before_it_was_signed(spec) -> None:
    # signed in March for the whole calendar year: common, and accepted
    assert load(spec, [changed(signed_date="2025-03-15", start_date="2025-01-01", end_date=None)])


def test_other_purpose_needs_its_description_and_only_then(spec) -> None:
    errors = errors_of(spec, [changed(purposes=["other"], purpose_other="")])
    assert set(errors) == {"0.purpose_other"} and "Describe the other purpose" in errors["0.purpose_other"][0]
    errors = errors_of(spec, [changed(purposes=["water"], purpose_other="Көчө жарыгы")])
    assert set(errors) == {"0.purpose_other"} and "Leave this blank" in errors["0.purpose_other"][0]
    assert load(spec, [changed(purposes=["water", "other"], purpose_other="Көчө жарыгы")])


def test_a_disbursement_without_any_commitment_gets_a_message(spec) -> None:
    for paid in ({"disbursed_cash_kgs": "100.00"}, {"disbursed_in_kind_kgs": "5.00"}):
        errors = errors_of(spec, [changed(committed_cash_kgs=None, committed_in_kind=[], **paid)])
        assert set(errors) == {"0.committed_cash_kgs"}
        assert "nothing committed is given" in errors["0.committed_cash_kgs"][0]
    # a zero commitment is no commitment
    assert "0.committed_cash_kgs" in errors_of(spec, [changed(committed_cash_kgs="0", committed_in_kind=[])])
    # an in-kind commitment alone is enough; nothing paid needs no commitment
    assert load(spec, [changed(committed_cash_kgs=None)])
    assert load(spec, [changed(committed_cash_kgs=None, committed_in_kind=[], disbursed_cash_kgs="0.00",
                               disbursed_in_kind_kgs=None)])


def test_paying_more_in_the_year_than_committed_is_not_refused(spec) -> None:
    # multi-year agreements: commitments and disbursements are not compared
    assert load(spec, [changed(committed_cash_kgs="100.00", disbursed_cash_kgs="5000.00")])


def test_an_in_kind_row_needs_its_description_on_the_row(spec) -> None:
    rows = [{"description": "Көмүр", "estimated_value_kgs": "1.00"}, {"description": "", "estimated_value_kgs": "2"}]
    errors = errors_of(spec, [changed(committed_in_kind=rows)])
    assert set(errors) == {"0.committed_in_kind.1.description"}
    errors = errors_of(spec, [changed(committed_in_kind=[{"description": "x", "value": "1"}])])
    assert set(errors) == {"0.committed_in_kind.0.value"}


def test_the_same_agreement_twice_is_refused_and_names_the_first(spec) -> None:
    twin = changed(counterparty_name="  ак-суу   АЙЫЛ өкмөтү ", agreement_number="сп-14/2024")
    errors = errors_of(spec, [AGREEMENT, changed(agreement_number="СП-15/2025"), twin])
    assert set(errors) == {"2.agreement_number"}
    assert "already listed in item 1" in errors["2.agreement_number"][0]
    # the same number with another local government is another agreement
    assert len(load(spec, [AGREEMENT, changed(counterparty_name="Кызыл-Суу айыл өкмөтү")])) == 2


def test_labels_cover_every_field_and_every_choice(spec) -> None:
    from esg_portal.disclosure.sections.social_agreements import InKindRowSchema
    names = set(spec.schema().fields) | set(InKindRowSchema().fields)
    assert names <= set(spec.labels)
    for field, labels in spec.choice_labels.items():
        assert set(spec.schema().fields[field].choices) == set(labels)
    assert spec.item_title(load(spec, [AGREEMENT])[0]) == "Ак-Суу айыл өкмөтү — № СП-14/2024"


# --- carry-over -------------------------------------------------------------------------

@pytest.mark.parametrize(("end_date", "running"), [
    (None, True), ("", True), ("2027-12-31", True), ("2026-01-01", True), ("2025-12-31", False),
    ("2024-06-30", False), (dt.date(2026, 1, 1), True), (dt.date(2025, 12, 31), False)])
def test_is_running_on_the_first_day_of_the_next_period(end_date, running: bool) -> None:
    item = {**AGREEMENT, "end_date": end_date}
    assert is_running(item, dt.date(2026, 1, 1)) is running


def test_is_running_without_an_end_date_key() -> None:
    assert is_running({"counterparty_name": "x"}, dt.date(2026, 1, 1)) is True


# --- the form ---------------------------------------------------------------------------

POSTED = [
    ("counterparty_kind", "aiyl_okmotu"), ("counterparty_name", " Ак-Суу айыл өкмөтү "),
    ("district", "Жети-Өгүз району"), ("region", "ISSYK_KUL"), ("agreement_number", "СП-14/2024"),
    ("signed_date", "2024-12-20"), ("start_date", "2025-01-01"), ("end_date", ""), ("legal_basis", "licence"),
    ("committed_cash_kgs", "15 000 000,00"),
    ("committed_in_kind-0-description", ""), ("committed_in_kind-0-estimated_value_kgs", ""),
    ("committed_in_kind-1-description", "Мектепке көмүр"), ("committed_in_kind-1-estimated_value_kgs", "720000"),
    ("disbursed_cash_kgs", "5000000.50"), ("disbursed_in_kind_kgs", ""),
    ("purposes", "water"), ("purposes", "other"), ("purpose_other", "Көчө жарыгы"),
    ("beneficiaries", ""), ("beneficiaries_count", "4200"), ("hearing_reference", "H-2025-01"),
    ("agreement_attachment", ""),
]


def posted_form(app: Flask, pairs: list[tuple[str, str]]) -> SocialAgreementForm:
    return SocialAgreementForm(formdata=MultiDict(pairs), meta={"csrf": False})


def test_the_posted_form_gives_an_item_the_schema_accepts(app: Flask) -> None:
    with app.test_request_context("/", method="POST"):
        spec = spec_for("social_agreements")
        item = posted_form(app, POSTED).to_item()
        assert item["committed_in_kind"] == [{"description": "Мектепке көмүр", "estimated_value_kgs": "720000"}]
        assert item["purposes"] == ["water", "other"] and item["end_date"] is None
        assert item["beneficiaries_count"] == "4200" and item["agreement_attachment"] is None
        stored = load_section(spec, [item], LoadContext(locale="ru", codes=CONTEXT.codes))[0][0]
        assert stored["committed_cash_kgs"] == 1_500_000_000      # "15 000 000,00" read with the ru decimal mark
        assert stored["beneficiaries_count"] == 4200 and stored["counterparty_name"] == "Ак-Суу айыл өкмөтү"
        assert set(item) == set(spec.schema().fields)


def test_the_edit_form_is_filled_from_a_stored_item_and_gives_it_back(app: Flask) -> None:
    with app.test_request_context("/"):
        spec = spec_for("social_agreements")
        stored = load_section(spec, [AGREEMENT], CONTEXT)[0]
        form = SocialAgreementForm(data=SocialAgreementForm.form_data(dump_section(spec, stored)[0]),
                                   meta={"csrf": False})
        assert load_section(spec, [form.to_item()], CONTEXT)[0] == stored


def form_errors(form: SocialAgreementForm) -> dict[str, list[str]]:
    """The schema's errors of the form's item, with paths inside the item (as save_item gives them)."""
    with pytest.raises(ValidationError) as caught:
        load_section(spec_for("social_agreements"), [form.to_item()], CONTEXT)
    return {path.partition(".")[2]: messages for path, messages in caught.value.errors.items()}


def test_a_row_error_goes_on_the_rows_field(app: Flask) -> None:
    pairs = [(k, v) for k, v in POSTED if k != "committed_in_kind-1-description"]
    pairs += [("committed_in_kind-1-description", ""), ("committed_in_kind-2-description", "Грейдер")]
    with app.test_request_context("/", method="POST"):
        form = posted_form(app, pairs)
        errors = form_errors(form)
        assert set(errors) == {"committed_in_kind.0.description"}
        form.apply_errors(errors)
        rows = form.committed_in_kind.entries
        # the blank first row was dropped by to_item: kept row 0 is the second posted row
        assert rows[1].form.description.errors == ["This field is required."]
        assert not rows[0].form.description.errors and not rows[2].form.description.errors
        assert not form.form_errors
        assert form.add_row("committed_in_kind") and len(form.committed_in_kind.entries) == 4


def test_a_rule_error_goes_on_its_field(app: Flask) -> None:
    pairs = [(k, "2024-12-31" if k == "end_date" else v) for k, v in POSTED]
    pairs = [(k, "" if k == "purpose_other" else v) for k, v in pairs]
    with app.test_request_context("/", method="POST"):
        form = posted_form(app, pairs)
        errors = form_errors(form)
        assert set(errors) == {"end_date", "purpose_other"}
        form.apply_errors(errors)
        assert "ends before it starts" in form.end_date.errors[0]
        assert "Describe the other purpose" in form.purpose_other.errors[0]


# --- through the section pages ------------------------------------------------------------

def test_a_filer_adds_an_agreement_through_the_page_and_errors_come_back_on_the_rows(app: Flask, world) -> None:
    from support import item_paths, login, post_form
    page = "/disclosures/filing/2025/sections/social_agreements"
    filer = app.test_client()
    login(filer, "filer@test.kg")
    new = filer.get(f"{page}/items/new")
    assert new.status_code == 200 and 'name="committed_in_kind-0-description"' in new.get_data(as_text=True)
    bad = {**dict(POSTED), "purposes": "water", "purpose_other": "", "committed_in_kind-1-description": ""}
    response = post_form(filer, f"{page}/items/new", bad, form_page=f"{page}/items/new")
    assert response.status_code == 422
    assert 'id="committed_in_kind-1-description-error"' in response.get_data(as_text=True)
    good = {**dict(POSTED), "purposes": ["water", "other"]}
    response = post_form(filer, f"{page}/items/new", good, form_page=f"{page}/items/new")
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    shown = filer.get(page).get_data(as_text=True)
    assert "Ак-Суу айыл өкмөтү — № СП-14/2024" in shown
    edit = filer.get(item_paths(filer, page)[0]).get_data(as_text=True)
    assert 'value="Мектепке көмүр"' in edit and 'value="2024-12-20"' in edit
