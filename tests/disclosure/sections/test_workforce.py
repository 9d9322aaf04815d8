"""The workforce section: its rules with both numbers in the message, null versus 0, the shares
against the programme targets, and the form."""
from __future__ import annotations

import copy
from decimal import Decimal

import pytest
from werkzeug.datastructures import MultiDict

from esg_portal.disclosure.sections import dump_section, load_section, spec_for
from esg_portal.disclosure.sections import workforce
from esg_portal.disclosure.sections.fields import Choice, LoadContext, Rows
from esg_portal.disclosure.sections.workforce import share_percent, target_shares
from esg_portal.errors import ValidationError
from esg_portal.forms.esg_workforce import WorkforceForm

SPEC = workforce.SPEC


def sample(**values) -> dict:
    """A complete, consistent object in the interchange form (as GET gives it back)."""
    base = {
        "employees_total": 1200, "citizens": 1104, "foreign_nationals": 96, "women": 168, "women_in_management": 9,
        "local_residents": 610, "contractors": 340,
        "by_level": [
            {"level": "management", "total": 60, "women": 9, "citizens": 48},
            {"level": "specialists", "total": 240, "women": 62, "citizens": 214},
            {"level": "skilled_workers", "total": 620, "women": 55, "citizens": 582},
            {"level": "unskilled_workers", "total": 280, "women": 42, "citizens": 260},
        ],
        "training_spend_kgs": "4500000.50", "training_hours": 18400, "comment": "",
    }
    base.update(values)
    return base


def load(raw) -> dict:
    data, private = load_section(SPEC, raw, LoadContext())
    assert private is None
    return data


def errors_of(raw) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        load(raw)
    return caught.value.errors


def test_the_object_round_trips_exactly_and_money_is_stored_in_minor_units(app_ctx) -> None:
    stored = load(sample())
    assert stored["training_spend_kgs"] == 450000050
    assert dump_section(SPEC, stored) == sample()


def test_null_is_not_reported_and_zero_is_kept(app_ctx) -> None:
    raw = {"employees_total": 35, "foreign_nationals": 0}
    stored = load(raw)
    assert stored["foreign_nationals"] == 0 and stored["citizens"] is None and stored["contractors"] is None
    dumped = dump_section(SPEC, stored)
    assert dumped["foreign_nationals"] == 0 and dumped["citizens"] is None
    assert dumped["by_level"] == [] and dumped["comment"] == "" and dumped["training_spend_kgs"] is None


def test_an_empty_object_is_no_section(app_ctx) -> None:
    assert load({}) == {}
    assert load({"employees_total": None, "comment": "  ", "by_level": []}) == {}
    assert dump_section(SPEC, {}) == {}


def test_the_total_is_needed_once_anything_is_reported(app_ctx) -> None:
    errors = errors_of({"women": 12})
    assert list(errors) == ["employees_total"]


def test_citizens_and_foreign_nationals_add_up_to_the_total_with_both_numbers(app_ctx) -> None:
    errors = errors_of(sample(foreign_nationals=90))
    message = " ".join(errors["foreign_nationals"])
    assert "1104" in message and "90" in message and "1194" in message and "1200" in message
    # with one of the three not reported there is nothing to add up
    assert load(sample(foreign_nationals=None, by_level=[]))["citizens"] == 1104


@pytest.mark.parametrize("key", ["citizens", "women", "local_residents"])
def test_parts_cannot_exceed_the_total(app_ctx, key: str) -> None:
    raw = sample(**{key: 1201}, by_level=[])
    if key == "citizens":
        raw["foreign_nationals"] = None
    errors = errors_of(raw)
    assert key in errors and "1200" in " ".join(errors[key])


def test_women_in_management_within_women_and_the_management_level(app_ctx) -> None:
    errors = errors_of(sample(women=8, by_level=[]))
    assert "women_in_management" in errors and "8" in errors["women_in_management"][0]
    rows = copy.deepcopy(sample()["by_level"])
    rows[0]["total"], rows[0]["women"], rows[0]["citizens"] = 5, 5, 5
    errors = errors_of(sample(by_level=rows[:1]))
    assert any("5" in m and "9" in m for m in errors["women_in_management"]), errors


def test_levels_add_up_to_the_total_when_every_level_is_given(app_ctx) -> None:
    rows = copy.deepcopy(sample()["by_level"])
    rows[3]["total"] = 260
    errors = errors_of(sample(by_level=rows))
    assert list(errors) == ["by_level"]
    message = errors["by_level"][0]
    assert "1180" in message and "1200" in message
    # women and citizens are added up the same way
    rows = copy.deepcopy(sample()["by_level"])
    rows[1]["women"], rows[2]["citizens"] = 60, 580
    messages = errors_of(sample(by_level=rows))["by_level"]
    assert any("166" in m and "168" in m for m in messages) and any("1102" in m and "1104" in m for m in messages)
    # a level not reported: the rows are only part of the picture
    assert load(sample(by_level=sample()["by_level"][:3]))["employees_total"] == 1200
    # a level's part not reported: that part is not added up
    rows = copy.deepcopy(sample()["by_level"])
    rows[0]["citizens"] = None
    assert load(sample(by_level=rows))["by_level"][0]["citizens"] is None


def test_row_rules_have_their_paths(app_ctx) -> None:
    rows = copy.deepcopy(sample()["by_level"])
    rows[1]["women"] = 241
    rows[2]["level"] = "specialists"
    rows[3]["total"] = None
    errors = errors_of(sample(by_level=rows))
    assert "by_level.1.women" in errors and "240" in errors["by_level.1.women"][0]
    assert "by_level.3.total" in errors
    rows[1]["women"], rows[3]["total"] = 62, 280   # the list rules wait until the rows are valid
    errors = errors_of(sample(by_level=rows))
    assert "by_level.2.level" in errors and "2" in errors["by_level.2.level"][0]


def test_counts_and_money_are_checked(app_ctx) -> None:
    errors = errors_of(sample(employees_total=-1, women="many", training_spend_kgs=12.5, training_hours=1.5))
    assert {"employees_total", "women", "training_spend_kgs", "training_hours"} <= set(errors)
    errors = errors_of({**sample(), "headcount": 3})
    assert "headcount" in errors


# --- shares against the programme targets ---------------------------------------------

def test_share_percent_is_exact_and_rounds_half_even() -> None:
    assert share_percent(1104, 1200) == Decimal("92.0")
    assert share_percent(1, 3) == Decimal("33.3")
    assert share_percent(2, 3) == Decimal("66.7")
    # 1/16 = 6.25 per cent, 3/16 = 18.75 per cent: exactly half a tenth, to the even tenth
    assert share_percent(1, 16) == Decimal("6.2") and share_percent(3, 16) == Decimal("18.8")
    assert share_percent(0, 5) == Decimal("0.0")
    assert share_percent(None, 5) is None and share_percent(5, 0) is None and share_percent(5, None) is None
    assert str(share_percent(1, 8)) == "12.5"


def test_target_shares_against_the_programme_targets() -> None:
    shares = target_shares(sample())
    assert shares["citizens"] == {"share": Decimal("92.0"), "target": Decimal("80"), "meets": True}
    assert shares["women"] == {"share": Decimal("14.0"), "target": Decimal("15"), "meets": False}
    # exactly on the target meets it
    assert target_shares({"employees_total": 200, "citizens": 160, "women": 30}) == {
        "citizens": {"share": Decimal("80.0"), "target": Decimal("80"), "meets": True},
        "women": {"share": Decimal("15.0"), "target": Decimal("15"), "meets": True}}
    # 79.96 per cent is shown as 80.0 but does not meet the target
    near = target_shares({"employees_total": 2500, "citizens": 1999, "women": None})
    assert near["citizens"] == {"share": Decimal("80.0"), "target": Decimal("80"), "meets": False}
    assert near["women"] == {"share": None, "target": Decimal("15"), "meets": None}
    empty = target_shares({})
    assert empty["citizens"]["share"] is None and empty["women"]["meets"] is None
    assert target_shares(None)["women"]["share"] is None
    assert target_shares({"employees_total": 0, "citizens": 0, "women": 0})["citizens"]["share"] is None


# --- spec and form --------------------------------------------------------------------

def test_every_field_and_choice_has_a_label(app_ctx) -> None:
    spec = spec_for("workforce")
    assert spec is SPEC and spec.form_class() is WorkforceForm and spec.many is False
    schema = SPEC.schema()
    for name, kind in schema.fields.items():
        assert name in SPEC.labels, name
        if isinstance(kind, Rows):
            for row_name, row_kind in kind.inner.schema.fields.items():
                assert row_name in SPEC.labels, row_name
                if isinstance(row_kind, Choice):
                    assert set(row_kind.choices) == set(SPEC.choice_labels[row_name])
    assert set(workforce.TARGET_LABELS) == set(workforce.TARGETS)
    assert SPEC.item_title is None  # one object: the pages show no item heading


def _posted(**overrides: str) -> MultiDict:
    values = {
        "employees_total": "1200", "citizens": "1104", "foreign_nationals": "96", "women": "168",
        "women_in_management": "9", "local_residents": "610", "contractors": "", "training_spend_kgs": "4 500 000,50",
        "training_hours": "18400", "comment": "",
        "by_level-0-level": "management", "by_level-0-total": "60", "by_level-0-women": "9",
        "by_level-0-citizens": "48",
        "by_level-1-level": "specialists", "by_level-1-total": "240", "by_level-1-women": "62",
        "by_level-1-citizens": "214",
        "by_level-2-level": "skilled_workers", "by_level-2-total": "620", "by_level-2-women": "55",
        "by_level-2-citizens": "582",
        "by_level-3-level": "unskilled_workers", "by_level-3-total": "280", "by_level-3-women": "42",
        "by_level-3-citizens": "260",
        # an untouched fifth row is left out
        "by_level-4-level": "", "by_level-4-total": "", "by_level-4-women": "", "by_level-4-citizens": "",
    }
    values.update(overrides)
    return MultiDict(values)


def test_the_forms_object_is_what_the_schema_accepts(app) -> None:
    with app.test_request_context(method="POST"):
        item = WorkforceForm(formdata=_posted(), meta={"csrf": False}).to_item()
        assert len(item["by_level"]) == 4 and item["contractors"] is None
        data, _private = load_section(SPEC, item, LoadContext(locale="ru"))
        assert data["training_spend_kgs"] == 450000050 and data["contractors"] is None
        assert dump_section(SPEC, data) == sample(contractors=None)


def test_a_new_form_shows_a_row_per_level_and_a_stored_object(app) -> None:
    with app.test_request_context():
        blank = WorkforceForm(meta={"csrf": False})
        assert len(blank.by_level.entries) == len(workforce.LEVELS)
        assert WorkforceForm(formdata=MultiDict(), meta={"csrf": False}).to_item()["by_level"] == []
        form = WorkforceForm(data=WorkforceForm.form_data(sample(contractors=None)), meta={"csrf": False})
        assert form.contractors.data == "" and form.employees_total.data == 1200
        assert form.by_level.entries[3].form.level.data == "unskilled_workers"


def test_errors_go_next_to_their_inputs(app) -> None:
    with app.test_request_context(method="POST"):
        form = WorkforceForm(formdata=_posted(**{"foreign_nationals": "90", "by_level-1-women": "241"}),
                             meta={"csrf": False})
        with pytest.raises(ValidationError) as caught:
            load_section(SPEC, form.to_item(), LoadContext())
        form.apply_errors(caught.value.errors)
        assert form.by_level.entries[1].form.women.errors
        # the cross-field rule waits until the rows are valid
        form = WorkforceForm(formdata=_posted(foreign_nationals="90"), meta={"csrf": False})
        with pytest.raises(ValidationError) as caught:
            load_section(SPEC, form.to_item(), LoadContext())
        form.apply_errors(caught.value.errors)
        assert form.foreign_nationals.errors and "1194" in form.foreign_nationals.errors[0]


# --- through the section pages ----------------------------------------------------------

def test_a_filer_fills_the_workforce_through_the_page(app, world) -> None:
    from sqlalchemy import select

    from support import login, post_form
    from esg_portal.disclosure.models import DisclosureSection
    from esg_portal.extensions import db

    client = app.test_client()
    login(client, "filer@test.kg")
    path = "/disclosures/filing/2025/sections/workforce/items/new"
    page = client.get(path)
    assert page.status_code == 200 and page.get_data(as_text=True).count('name="by_level-') >= 16
    refused = post_form(client, path, _posted(foreign_nationals="90"))
    assert refused.status_code == 422 and "1194" in refused.get_data(as_text=True)
    assert post_form(client, path, _posted()).status_code == 302
    with app.app_context():
        row = db.session.scalar(select(DisclosureSection).where(DisclosureSection.section == "workforce"))
        assert dump_section(SPEC, row.data) == sample(contractors=None)
    assert "Skilled workers" in client.get("/disclosures/filing/2025/sections/workforce").get_data(as_text=True)


def test_readers_see_the_shares_against_the_programme_targets(app) -> None:
    """The section's view (pages, receipt) ends with the two shares and whether each target is met."""
    from esg_portal.disclosure.sections import spec_for
    from esg_portal.disclosure.sections.display import section_view
    spec = spec_for("workforce")
    with app.test_request_context("/?lang=en"):
        view = section_view(spec, {"employees_total": 400, "citizens": 319, "foreign_nationals": 81, "women": 60})
        facts = dict(view.items[0].facts)
        assert facts["Share of citizens of the Kyrgyz Republic (target: at least 80 per cent)"] == \
            "79.8 % · below the target"
        assert facts["Share of women (target: 15 per cent by 2030)"] == "15.0 % · target met"
        view = section_view(spec, {"employees_total": 400})
        assert dict(view.items[0].facts)["Share of women (target: 15 per cent by 2030)"] == "—"
