"""Public hearings and consultations (issue 4 §3): every rule and its message path, the form, the period."""
from __future__ import annotations

import copy
import dataclasses
import datetime as dt

import pytest
from flask import Flask
from werkzeug.datastructures import MultiDict

from esg_portal.disclosure.sections import dump_section, load_section, spec_for
from esg_portal.disclosure.sections.fields import LoadContext
from esg_portal.errors import ValidationError
from esg_portal.forms.esg_public_hearings import PublicHearingForm

KNOWN_SHA = "ab" * 32
CONTEXT = LoadContext(locale="en", attachment_exists=lambda sha: sha == KNOWN_SHA,
                      licences=frozenset({"KG-0001-AP", "KG-0002-AP"}),
                      codes={"region": frozenset({"ISSYK_KUL", "NARYN", "CHUY"})},
                      period_start=dt.date(2025, 1, 1), period_end=dt.date(2025, 12, 31))

HEARING = {
    "reference": "H-2025-01", "project": "KG-0001-AP", "date": "2025-03-12", "settlement": "Кызыл-Суу",
    "aiyl_aimak": "Ак-Суу айыл аймагы", "district": "Жети-Өгүз району", "region": "ISSYK_KUL",
    "stage": "expansion", "organiser": "joint", "announced_via": ["aiyl_okmotu", "notice_board"],
    "announced_other": "", "notice_days": 14, "languages": ["ky", "ru"], "language_other": "",
    "participants_total": 86, "participants_women": 31, "topics": "Социалдык пакет, суу сактоо",
    "concerns": [
        {"concern": "Ичүүчү суу булганат", "answer": "Суу мониторинги ар чейрек сайын жүргүзүлөт",
         "commitment": "Анализдин жыйынтыктарын айыл өкмөтүнө жарыялоо", "commitment_due_date": "2025-06-30"},
        {"concern": "Жумушка алуу", "answer": "", "commitment": "", "commitment_due_date": None},
    ],
    "outcome": "Коомдук угуу социалдык пакеттин долбоорун жактырды", "minutes_attachment": KNOWN_SHA,
}


@pytest.fixture
def spec(app_ctx: Flask):
    return spec_for("public_hearings")


def load(spec, items: list[dict], context: LoadContext = CONTEXT) -> list[dict]:
    data, private = load_section(spec, items, context)
    assert private is None
    return data


def errors_of(spec, items: list[dict], context: LoadContext = CONTEXT) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        load_section(spec, items, context)
    return caught.value.errors


def changed(**values) -> dict:
    item = copy.deepcopy(HEARING)
    item.update(values)
    return item


# --- the schema ------------------------------------------------------------------------

def test_a_complete_hearing_dumps_back_exactly(spec) -> None:
    assert dump_section(spec, load(spec, [HEARING])) == [HEARING]


def test_a_minimal_hearing_fills_blanks(spec) -> None:
    item = {"reference": "H-2", "date": "2025-11-05", "settlement": "Балыкчы", "region": "ISSYK_KUL",
            "stage": "operation", "organiser": "company", "announced_via": ["local_newspaper"], "notice_days": 0,
            "languages": ["ky"], "participants_total": 40, "topics": "Annual report"}
    dumped = dump_section(spec, load(spec, [item]))[0]
    assert dumped["project"] == "" and dumped["aiyl_aimak"] == "" and dumped["concerns"] == []
    assert dumped["participants_women"] is None and dumped["minutes_attachment"] is None


def test_required_fields_are_named(spec) -> None:
    errors = errors_of(spec, [{"aiyl_aimak": "Ак-Суу айыл аймагы"}])
    assert set(errors) == {f"0.{name}" for name in (
        "reference", "date", "settlement", "region", "stage", "organiser", "announced_via", "notice_days",
        "languages", "participants_total", "topics")}
    errors = errors_of(spec, [changed(announced_via=[], languages=[])])
    assert errors == {"0.announced_via": ["Choose at least one."], "0.languages": ["Choose at least one."]}


def test_values_of_the_wrong_kind_are_refused_on_their_field(spec) -> None:
    errors = errors_of(spec, [changed(project="KG-9999-AP", region="Issyk-Kul", stage="mining",
                                      organiser="ngo", announced_via=["tv"], languages=["uz"],
                                      participants_total="many", date="12.03.2025",
                                      minutes_attachment="cd" * 32, reference="H" * 41)])
    assert set(errors) == {"0.project", "0.region", "0.stage", "0.organiser", "0.announced_via", "0.languages",
                           "0.participants_total", "0.date", "0.minutes_attachment", "0.reference"}
    assert "KG-0001-AP, KG-0002-AP" in errors["0.project"][0]


@pytest.mark.parametrize("value", [-1, "-3", " -10 "])
def test_a_hearing_cannot_be_announced_fewer_than_0_days_ahead(spec, value) -> None:
    errors = errors_of(spec, [changed(notice_days=value)])
    assert set(errors) == {"0.notice_days"}
    assert "cannot be announced fewer than 0 days ahead" in errors["0.notice_days"][0]


def test_notice_days_are_a_whole_number(spec) -> None:
    assert errors_of(spec, [changed(notice_days="two weeks")])["0.notice_days"] == [
        "A whole number is expected here, for example 12."]
    assert errors_of(spec, [changed(notice_days=True)])["0.notice_days"] == [
        "A whole number is expected here, for example 12."]
    assert load(spec, [changed(notice_days="0")])[0]["notice_days"] == 0


@pytest.mark.parametrize("date", ["2024-12-31", "2026-01-01", "2019-05-05"])
def test_a_hearing_outside_the_reporting_period_is_refused_naming_the_period(spec, date: str) -> None:
    errors = errors_of(spec, [changed(date=date, concerns=[])])
    assert set(errors) == {"0.date"}
    assert errors["0.date"] == [f"The hearing on {date} is outside the reporting period 2025-01-01 – 2025-12-31. "
                                "Report here only the hearings held in this period."]


@pytest.mark.parametrize("date", ["2025-01-01", "2025-12-31"])
def test_the_first_and_last_day_of_the_period_are_within_it(spec, date: str) -> None:
    assert load(spec, [changed(date=date, concerns=[])])


def test_without_a_known_period_the_date_is_not_checked(spec) -> None:
    unknown = dataclasses.replace(CONTEXT, period_start=None, period_end=None)
    assert load(spec, [changed(date="2019-05-05", concerns=[])], unknown)


def test_women_cannot_outnumber_the_participants(spec) -> None:
    errors = errors_of(spec, [changed(participants_total=30, participants_women=31)])
    assert set(errors) == {"0.participants_women"} and "More women than participants" in errors[
        "0.participants_women"][0]
    assert load(spec, [changed(participants_total=31, participants_women=31)])


@pytest.mark.parametrize(("choices", "other", "text"), [("announced_via", "announced_other", "WhatsApp тобу"),
                                                        ("languages", "language_other", "Өзбек тили")])
def test_other_needs_its_text_and_only_then(spec, choices: str, other: str, text: str) -> None:
    with_other = [*HEARING[choices], "other"]
    errors = errors_of(spec, [changed(**{choices: with_other})])
    assert set(errors) == {f"0.{other}"}
    errors = errors_of(spec, [changed(**{other: text})])
    assert errors == {f"0.{other}": ["Leave this blank unless “other” is chosen."]}
    assert load(spec, [changed(**{choices: with_other, other: text})])


def test_a_concern_row_needs_its_text_on_the_row(spec) -> None:
    rows = [HEARING["concerns"][0], {"concern": " ", "answer": "Жооп", "commitment": "", "commitment_due_date": None}]
    errors = errors_of(spec, [changed(concerns=rows)])
    assert errors == {"0.concerns.1.concern": ["This field is required."]}


def test_a_due_date_needs_a_commitment(spec) -> None:
    rows = [{"concern": "Чаң", "answer": "", "commitment": "", "commitment_due_date": "2025-05-01"}]
    errors = errors_of(spec, [changed(concerns=rows)])
    assert set(errors) == {"0.concerns.0.commitment_due_date"}
    assert "Describe the commitment" in errors["0.concerns.0.commitment_due_date"][0]


def test_a_commitment_cannot_be_due_before_the_hearing(spec) -> None:
    rows = [HEARING["concerns"][0],
            {"concern": "Чаң", "answer": "", "commitment": "Жолду суулоо", "commitment_due_date": "2025-03-11"}]
    errors = errors_of(spec, [changed(concerns=rows)])
    assert set(errors) == {"0.concerns.1.commitment_due_date"}
    assert "cannot be due before the hearing (2025-03-12)" in errors["0.concerns.1.commitment_due_date"][0]
    # due on the day of the hearing, or after the period, is fine
    rows[1]["commitment_due_date"] = "2025-03-12"
    rows[0] = {**rows[0], "commitment_due_date": "2027-01-01"}
    assert load(spec, [changed(concerns=rows)])


def test_each_hearing_has_its_own_reference(spec) -> None:
    errors = errors_of(spec, [HEARING, changed(reference="H-2025-02"), changed(reference=" h-2025-01 ")])
    assert set(errors) == {"2.reference"}
    assert "already used by item 1" in errors["2.reference"][0]


def test_labels_cover_every_field_and_every_choice(spec) -> None:
    from esg_portal.disclosure.sections.public_hearings import ConcernRowSchema
    names = set(spec.schema().fields) | set(ConcernRowSchema().fields)
    assert names <= set(spec.labels)
    for field, labels in spec.choice_labels.items():
        assert set(spec.schema().fields[field].choices) == set(labels)
    assert spec.item_title(load(spec, [HEARING])[0]) == "H-2025-01 — 2025-03-12 — Кызыл-Суу"


def test_the_load_context_of_a_filing_knows_its_period(app_ctx: Flask, world) -> None:
    from esg_portal.disclosure.models import Disclosure
    from esg_portal.disclosure.sections.services import load_context
    from esg_portal.extensions import db
    context = load_context(db.session.get(Disclosure, world["own_disclosure"]), "en")
    assert (context.period_start, context.period_end) == (dt.date(2025, 1, 1), dt.date(2025, 12, 31))


# --- the form ---------------------------------------------------------------------------

POSTED = [
    ("reference", "H-2025-01"), ("project", "KG-0001-AP"), ("date", "2025-03-12"), ("settlement", "Кызыл-Суу"),
    ("aiyl_aimak", "Ак-Суу айыл аймагы"), ("district", "Жети-Өгүз району"), ("region", "ISSYK_KUL"),
    ("stage", "expansion"), ("organiser", "joint"), ("announced_via", "aiyl_okmotu"),
    ("announced_via", "notice_board"), ("announced_other", ""), ("notice_days", "14"), ("languages", "ky"),
    ("languages", "ru"), ("language_other", ""), ("participants_total", "86"), ("participants_women", "31"),
    ("topics", "Социалдык пакет"),
    ("concerns-0-concern", "Ичүүчү суу булганат"), ("concerns-0-answer", "Мониторинг"),
    ("concerns-0-commitment", "Жыйынтыктарды жарыялоо"), ("concerns-0-commitment_due_date", "2025-06-30"),
    ("concerns-1-concern", ""), ("concerns-1-answer", ""), ("concerns-1-commitment", ""),
    ("concerns-1-commitment_due_date", ""),
    ("concerns-2-concern", "Жумушка алуу"), ("concerns-2-answer", ""), ("concerns-2-commitment", ""),
    ("concerns-2-commitment_due_date", ""),
    ("outcome", ""), ("minutes_attachment", ""),
]


def posted_form(pairs: list[tuple[str, str]]) -> PublicHearingForm:
    return PublicHearingForm(formdata=MultiDict(pairs), meta={"csrf": False})


def form_errors(form: PublicHearingForm) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        load_section(spec_for("public_hearings"), [form.to_item()], CONTEXT)
    return {path.partition(".")[2]: messages for path, messages in caught.value.errors.items()}


def test_the_posted_form_gives_an_item_the_schema_accepts(app: Flask) -> None:
    with app.test_request_context("/", method="POST"):
        spec = spec_for("public_hearings")
        item = posted_form(POSTED).to_item()
        assert set(item) == set(spec.schema().fields)
        assert item["announced_via"] == ["aiyl_okmotu", "notice_board"] and item["notice_days"] == "14"
        assert [row["concern"] for row in item["concerns"]] == ["Ичүүчү суу булганат", "Жумушка алуу"]
        stored = load_section(spec, [item], CONTEXT)[0][0]
        assert stored["notice_days"] == 14 and stored["participants_women"] == 31
        assert stored["concerns"][1] == {"concern": "Жумушка алуу", "answer": "", "commitment": "",
                                         "commitment_due_date": None}
        assert stored["outcome"] == "" and stored["minutes_attachment"] is None


def test_the_edit_form_is_filled_from_a_stored_item_and_gives_it_back(app: Flask) -> None:
    with app.test_request_context("/"):
        spec = spec_for("public_hearings")
        stored = load_section(spec, [HEARING], CONTEXT)[0]
        form = PublicHearingForm(data=PublicHearingForm.form_data(dump_section(spec, stored)[0]), meta={"csrf": False})
        assert load_section(spec, [form.to_item()], CONTEXT)[0] == stored


def with_values(pairs: list[tuple[str, str]], **values: str) -> list[tuple[str, str]]:
    return [(k, values.get(k.replace("-", "_"), v)) for k, v in pairs]


def test_row_errors_go_on_the_rows_fields(app: Flask) -> None:
    # a rule of the hearing about its rows: the commitments are due before the hearing
    pairs = with_values(POSTED, concerns_0_commitment_due_date="2025-03-01", concerns_2_commitment="Жыйын",
                        concerns_2_commitment_due_date="2025-03-10")
    with app.test_request_context("/", method="POST"):
        form = posted_form(pairs)
        errors = form_errors(form)
        assert set(errors) == {"concerns.0.commitment_due_date", "concerns.1.commitment_due_date"}
        form.apply_errors(errors)
        rows = form.concerns.entries
        assert "cannot be due before the hearing" in rows[0].form.commitment_due_date.errors[0]
        # the blank second row was dropped by to_item: kept row 1 is the third posted row
        assert not rows[1].form.commitment_due_date.errors
        assert "cannot be due before the hearing" in rows[2].form.commitment_due_date.errors[0]
    # a rule of the row itself: a due date without a commitment
    with app.test_request_context("/", method="POST"):
        form = posted_form(with_values(POSTED, concerns_2_commitment_due_date="2025-05-01"))
        errors = form_errors(form)
        assert set(errors) == {"concerns.1.commitment_due_date"}
        form.apply_errors(errors)
        assert "Describe the commitment" in form.concerns.entries[2].form.commitment_due_date.errors[0]
        assert not form.form_errors


def test_a_rule_error_goes_on_its_field(app: Flask) -> None:
    pairs = with_values(POSTED, notice_days="-2")
    with app.test_request_context("/", method="POST"):
        form = posted_form(pairs)
        errors = form_errors(form)
        assert set(errors) == {"notice_days"}
        form.apply_errors(errors)
        assert "fewer than 0 days ahead" in form.notice_days.errors[0]
    pairs = with_values(POSTED, date="2026-02-01", participants_women="90")
    with app.test_request_context("/", method="POST"):
        form = posted_form(pairs)
        form.apply_errors(form_errors(form))
        assert "outside the reporting period 2025-01-01 – 2025-12-31" in form.date.errors[0]
        assert "More women" in form.participants_women.errors[0]
        assert not form.form_errors


# --- through the section pages ------------------------------------------------------------

def test_a_filer_adds_a_hearing_through_the_page_and_errors_come_back_on_the_rows(app: Flask, world) -> None:
    from support import item_paths, login, post_form
    page = "/disclosures/filing/2025/sections/public_hearings"
    filer = app.test_client()
    login(filer, "filer@test.kg")
    new = filer.get(f"{page}/items/new")
    assert new.status_code == 200 and 'name="concerns-0-commitment_due_date"' in new.get_data(as_text=True)
    posted = {**dict(POSTED), "project": "", "announced_via": ["aiyl_okmotu", "notice_board"],
              "languages": ["ky", "ru"]}
    bad = {**posted, "concerns-0-commitment_due_date": "2025-01-05"}
    response = post_form(filer, f"{page}/items/new", bad, form_page=f"{page}/items/new")
    assert response.status_code == 422
    assert 'id="concerns-0-commitment_due_date-error"' in response.get_data(as_text=True)
    response = post_form(filer, f"{page}/items/new", posted, form_page=f"{page}/items/new")
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    assert "H-2025-01 — 2025-03-12 — Кызыл-Суу" in filer.get(page).get_data(as_text=True)
    edit = filer.get(item_paths(filer, page)[0]).get_data(as_text=True)
    assert 'value="Ак-Суу айыл аймагы"' in edit and "Жумушка алуу" in edit
    # a second hearing with the same reference: the list rule answers on the form
    response = post_form(filer, f"{page}/items/new", {**posted, "reference": "h-2025-01"},
                         form_page=f"{page}/items/new")
    assert response.status_code == 422 and "already used by item 1" in response.get_data(as_text=True)
