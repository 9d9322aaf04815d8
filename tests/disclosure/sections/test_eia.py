"""The EIA results section: its rules and their message paths, null versus "0", the form."""
from __future__ import annotations

import copy
import datetime as dt

import pytest
from werkzeug.datastructures import MultiDict

from esg_portal.accounts.models import User
from esg_portal.companies.models import License
from esg_portal.disclosure.models import Attachment, Disclosure
from esg_portal.disclosure.sections import dump_section, load_section, spec_for
from esg_portal.disclosure.sections import eia
from esg_portal.disclosure.sections.fields import Choice, LoadContext, Rows
from esg_portal.disclosure.sections.services import replace_section, save_item, section_items
from esg_portal.errors import ValidationError
from esg_portal.extensions import db
from esg_portal.forms.esg_eia import EIAForm

LICENCE = "KG-0001-AP"
SHA = "ab" * 32
CONTEXT = LoadContext(licences=frozenset({LICENCE, "KG-0002-AP"}), period_start=dt.date(2025, 1, 1),
                      attachment_exists=lambda sha256: sha256 == SHA)
MONITORING_NULL = {name: None for name in eia.MONITORING_FIELDS}


def item(**values) -> dict:
    """A complete, valid item in the interchange form (as GET gives it back)."""
    base = {
        "project": LICENCE, "assessment_type": "eia", "reference_number": "12/2024", "decision_date": "2024-11-15",
        "approving_authority": "Жаратылыш ресурстары, экология жана техникалык көзөмөл министрлиги",
        "outcome": "approved_with_conditions",
        "commitments": [
            {"description": "Кара-Балта суусун коргоо", "due_date": "2025-09-30", "status": "completed",
             "comment": ""},
            {"description": "Dust suppression", "due_date": "2025-06-30", "status": "overdue",
             "comment": "Суу себүүчү машина кечикти"},
        ],
        **MONITORING_NULL,
        "water_withdrawn_m3": "125000.5", "water_discharged_m3": "0", "land_disturbed_ha": "12.5",
        "land_reclaimed_ha": "15.75",
        "incidents": [{"date": "2025-04-12", "kind": "spill", "description": "Дизель отунунун төгүлүшү",
                       "fine_kgs": "150000.50", "authority": "Экологиялык көзөмөл кызматы", "status": "resolved"}],
        "tailings_facilities": [{"name": "№1 калдык сактагыч", "status": "active", "capacity_m3": "2500000",
                                 "stored_volume_m3": None, "last_review_date": "2024-10-01",
                                 "reviewer": "Independent Engineering LLC"}],
        "assurances": [{"kind": "state_bank_fund", "amount": "12500000.00", "currency": "KGS",
                        "provider": "Айыл Банк", "valid_until": None},
                       {"kind": "bank_guarantee", "amount": "250000.00", "currency": "USD",
                        "provider": "Demir Bank", "valid_until": "2026-12-31"}],
        "conclusion_attachment": SHA, "comment": "",
    }
    base.update(values)
    return base


def load(items: list[dict], context: LoadContext = CONTEXT) -> list[dict]:
    data, private = load_section(eia.SPEC, items, context)
    assert private is None
    return data


def errors_of(items: list[dict], context: LoadContext = CONTEXT) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        load(items, context)
    return caught.value.errors


# --- the schema -----------------------------------------------------------------------

def test_a_complete_item_round_trips_exactly(app_ctx) -> None:
    body = [item(), item(assessment_type="sia", reference_number="СВ-7", outcome="pending", commitments=[],
                         incidents=[], tailings_facilities=[], assurances=[], conclusion_attachment=None,
                         **MONITORING_NULL)]
    data = load(body)
    assert data[0]["incidents"][0]["fine_kgs"] == 15000050          # integer minor units, never a float
    assert data[0]["assurances"][0]["amount"] == 1250000000
    assert dump_section(eia.SPEC, data) == body


def test_null_and_zero_are_kept_distinct(app_ctx) -> None:
    data = load([item(water_discharged_m3="0", energy_mwh=None, waste_rock_t="0.000")])
    stored = data[0]
    assert stored["water_discharged_m3"] == "0" and stored["energy_mwh"] is None
    assert stored["waste_rock_t"] == "0.000"                        # exact text as written
    dumped = dump_section(eia.SPEC, data)[0]
    assert dumped["water_discharged_m3"] == "0" and dumped["energy_mwh"] is None
    # an omitted monitoring result is "not reported" (null), not 0
    omitted = item()
    del omitted["ghg_t_co2e"]
    assert load([omitted])[0]["ghg_t_co2e"] is None


def test_approved_with_conditions_requires_a_commitment(app_ctx) -> None:
    errors = errors_of([item(), item(reference_number="13/2024", commitments=[])])
    assert list(errors) == ["1.commitments"]
    assert "at least one condition" in errors["1.commitments"][0]


@pytest.mark.parametrize("outcome", ["approved", "rejected", "pending"])
def test_other_outcomes_need_no_commitments(app_ctx, outcome: str) -> None:
    assert load([item(outcome=outcome, commitments=[])])[0]["commitments"] == []


def test_a_pending_assessment_may_list_voluntary_commitments(app_ctx) -> None:
    assert len(load([item(outcome="pending")])[0]["commitments"]) == 2


def test_an_overdue_commitment_needs_its_due_date(app_ctx) -> None:
    body = item()
    body["commitments"][1]["due_date"] = None
    errors = errors_of([body])
    assert list(errors) == ["0.commitments.1.due_date"]
    assert "overdue" in errors["0.commitments.1.due_date"][0]
    # any other status may go without a date
    body["commitments"][1]["status"] = "in_progress"
    assert load([body])[0]["commitments"][1]["due_date"] is None


def test_row_fields_are_checked_with_their_paths(app_ctx) -> None:
    body = item()
    body["commitments"][0]["status"] = "done"
    body["commitments"][1]["description"] = "  "
    body["incidents"][0]["fine_kgs"] = 1500.5                       # a JSON float
    body["incidents"][0]["kind"] = "noise"
    body["tailings_facilities"][0]["capacity_m3"] = "-1"
    body["assurances"][1]["currency"] = "EUR"
    errors = errors_of([body])
    assert set(errors) == {"0.commitments.0.status", "0.commitments.1.description", "0.incidents.0.fine_kgs",
                           "0.incidents.0.kind", "0.tailings_facilities.0.capacity_m3", "0.assurances.1.currency"}
    assert "in quotes" in errors["0.incidents.0.fine_kgs"][0]


def test_a_fine_names_the_authority_that_imposed_it(app_ctx) -> None:
    body = item()
    body["incidents"][0]["authority"] = ""
    assert list(errors_of([body])) == ["0.incidents.0.authority"]
    body["incidents"][0]["fine_kgs"] = None                         # no fine: no authority needed
    assert load([body])[0]["incidents"][0]["authority"] == ""


def test_the_last_review_has_a_date_and_a_reviewer(app_ctx) -> None:
    body = item()
    body["tailings_facilities"][0]["reviewer"] = ""
    assert list(errors_of([body])) == ["0.tailings_facilities.0.reviewer"]
    body["tailings_facilities"][0].update(reviewer="Independent Engineering LLC", last_review_date=None)
    assert list(errors_of([body])) == ["0.tailings_facilities.0.last_review_date"]
    body["tailings_facilities"][0]["reviewer"] = ""                 # never reviewed: both blank
    assert load([body])


def test_assurance_that_expired_before_the_period_is_refused_with_the_dates(app_ctx) -> None:
    body = item()
    body["assurances"][1]["valid_until"] = "2024-12-31"
    errors = errors_of([body])
    assert list(errors) == ["0.assurances.1.valid_until"]
    message = errors["0.assurances.1.valid_until"][0]
    assert "2024-12-31" in message and "2025-01-01" in message
    body["assurances"][1]["valid_until"] = "2025-01-01"              # valid on the first day: fine
    assert load([body])
    body["assurances"][1]["valid_until"] = "2024-12-31"              # no period known: no rule
    assert load([body], LoadContext(licences=CONTEXT.licences, attachment_exists=CONTEXT.attachment_exists))


def test_land_reclaimed_may_exceed_land_disturbed(app_ctx) -> None:
    stored = load([item(land_disturbed_ha="2", land_reclaimed_ha="40.5")])[0]
    assert (stored["land_disturbed_ha"], stored["land_reclaimed_ha"]) == ("2", "40.5")


def test_an_assessment_is_listed_once(app_ctx) -> None:
    errors = errors_of([item(), item(reference_number="13/2024"), item(reference_number=" 12/2024 ")])
    assert list(errors) == ["2.reference_number"]
    assert "item 1" in errors["2.reference_number"][0]
    # the same number for another type or another project is another assessment
    assert len(load([item(), item(assessment_type="environmental_audit"), item(project="KG-0002-AP")])) == 3


def test_project_and_conclusion_must_be_the_companys(app_ctx) -> None:
    errors = errors_of([item(project="KG-9999-AP", conclusion_attachment="cd" * 32)])
    assert set(errors) == {"0.project", "0.conclusion_attachment"}
    assert LICENCE in errors["0.project"][0]
    assert load([item(conclusion_attachment=SHA.upper())])[0]["conclusion_attachment"] == SHA


def test_required_fields_and_unknown_fields(app_ctx) -> None:
    body = item(reference_number="", outcome=None, extra="x")
    del body["decision_date"]
    errors = errors_of([body])
    assert set(errors) == {"0.reference_number", "0.outcome", "0.decision_date", "0.extra"}


# --- the spec -------------------------------------------------------------------------

def _all_fields(schema) -> list[tuple[str, object]]:
    found = []
    for name, kind in schema.fields.items():
        found.append((name, kind))
        if isinstance(kind, Rows):
            found.extend(_all_fields(kind.inner.schema))
    return found


def test_every_field_and_choice_has_a_label(app_ctx) -> None:
    spec = spec_for("eia")
    assert spec is eia.SPEC and spec.form_class() is EIAForm
    for name, kind in _all_fields(spec.schema()):
        assert name in spec.labels, name
        if isinstance(kind, Choice):
            assert set(kind.choices) <= set(spec.choice_labels[name]), name
    # the rows' "status" and "kind" share one mapping: their codes must not collide
    statuses = [eia.COMMITMENT_STATUSES, eia.INCIDENT_STATUSES, eia.TAILINGS_STATUSES]
    assert sum(len(codes) for codes in statuses) == len(spec.choice_labels["status"])
    assert len(eia.INCIDENT_KINDS) + len(eia.ASSURANCE_KINDS) == len(spec.choice_labels["kind"])


def test_item_title(app_ctx) -> None:
    assert eia.SPEC.item_title(item()) == "KG-0001-AP · EIA № 12/2024"
    assert eia.SPEC.item_title(item(assessment_type="environmental_audit", reference_number="A-3")) == \
        "KG-0001-AP · Environmental audit № A-3"


# --- the form -------------------------------------------------------------------------

def _posted(**overrides: str) -> MultiDict:
    values = {
        "project": LICENCE, "assessment_type": "eia", "reference_number": "12/2024", "decision_date": "2024-11-15",
        "approving_authority": "Жаратылыш ресурстары, экология жана техникалык көзөмөл министрлиги",
        "outcome": "approved_with_conditions", "conclusion_attachment": "",
        "commitments-0-description": "Кара-Балта суусун коргоо", "commitments-0-due_date": "2025-09-30",
        "commitments-0-status": "completed", "commitments-0-comment": "",
        # a row left blank between two filled ones
        "commitments-1-description": "", "commitments-1-due_date": "", "commitments-1-status": "",
        "commitments-1-comment": "",
        "commitments-2-description": "Dust suppression", "commitments-2-due_date": "2025-06-30",
        "commitments-2-status": "overdue", "commitments-2-comment": "",
        "water_withdrawn_m3": "125000,5", "water_discharged_m3": "0", "energy_mwh": "", "ghg_t_co2e": "",
        "waste_rock_t": "", "tailings_t": "", "land_disturbed_ha": "", "land_reclaimed_ha": "3",
        "incidents-0-date": "2025-04-12", "incidents-0-kind": "spill", "incidents-0-description": "Төгүлүү",
        "incidents-0-fine_kgs": "150 000,50", "incidents-0-authority": "Экологиялык көзөмөл кызматы",
        "incidents-0-status": "resolved",
        "tailings_facilities-0-name": "", "tailings_facilities-0-status": "", "tailings_facilities-0-capacity_m3": "",
        "tailings_facilities-0-stored_volume_m3": "", "tailings_facilities-0-last_review_date": "",
        "tailings_facilities-0-reviewer": "",
        "assurances-0-kind": "deposit", "assurances-0-amount": "1000", "assurances-0-currency": "USD",
        "assurances-0-provider": "Айыл Банк", "assurances-0-valid_until": "2026-01-31",
        "comment": "",
    }
    values.update(overrides)
    return MultiDict(values)


def _form(app, formdata: MultiDict) -> EIAForm:
    return EIAForm(formdata=formdata, meta={"csrf": False})


def test_the_forms_item_is_what_the_schema_accepts(app) -> None:
    with app.test_request_context(method="POST"):
        posted = _form(app, _posted()).to_item()
        assert posted["energy_mwh"] is None and posted["water_discharged_m3"] == "0"
        assert len(posted["commitments"]) == 2 and posted["tailings_facilities"] == []
        ru = LoadContext(locale="ru", licences=CONTEXT.licences, period_start=CONTEXT.period_start)
        stored = dump_section(eia.SPEC, load([posted], ru))[0]
    assert stored["water_withdrawn_m3"] == "125000.5"
    assert stored["water_discharged_m3"] == "0" and stored["energy_mwh"] is None
    assert stored["incidents"][0]["fine_kgs"] == "150000.50"
    assert [c["description"] for c in stored["commitments"]] == ["Кара-Балта суусун коргоо", "Dust suppression"]
    assert stored["assurances"] == [{"kind": "deposit", "amount": "1000.00", "currency": "USD",
                                     "provider": "Айыл Банк", "valid_until": "2026-01-31"}]
    assert stored["conclusion_attachment"] is None and stored["comment"] == ""


def test_the_form_shows_a_stored_item(app) -> None:
    with app.test_request_context():
        form = EIAForm(data=EIAForm.form_data(item()), meta={"csrf": False})
        assert form.water_discharged_m3.data == "0" and form.energy_mwh.data == ""
        assert form.commitments.entries[1].form.status.data == "overdue"
        assert len(form.assurances.entries) == 2


def test_errors_go_next_to_their_inputs_inside_rows(app) -> None:
    with app.test_request_context(method="POST"):
        form = _form(app, _posted(**{"commitments-2-due_date": "", "assurances-0-valid_until": "2024-06-30"}))
        with pytest.raises(ValidationError) as caught:
            load([form.to_item()])
        # the item's own paths, as save_item gives them to the form
        errors = {path.partition(".")[2]: messages for path, messages in caught.value.errors.items()}
        assert set(errors) == {"commitments.1.due_date", "assurances.0.valid_until"}
        form.apply_errors(errors)
        # the second kept row is the third entry (the blank one in between was left out)
        assert form.commitments.entries[2].form.due_date.errors == errors["commitments.1.due_date"]
        assert not form.commitments.entries[1].form.due_date.errors
        assert form.assurances.entries[0].form.valid_until.errors == errors["assurances.0.valid_until"]
        assert not form.form_errors


def test_a_list_error_goes_on_the_list(app) -> None:
    empty = {f"commitments-{n}-{name}": "" for n in range(3) for name in ("description", "due_date", "status",
                                                                           "comment")}
    with app.test_request_context(method="POST"):
        form = _form(app, _posted(**empty))
        with pytest.raises(ValidationError) as caught:
            load([form.to_item()])
        errors = {path.partition(".")[2]: messages for path, messages in caught.value.errors.items()}
        assert list(errors) == ["commitments"]
        form.apply_errors(errors)
        assert form.commitments.errors == errors["commitments"]


# --- through the section service (the company's licences, attachments and period) ----------

@pytest.fixture
def filing(app, world) -> dict:
    with app.app_context():
        number = db.session.get(License, world["own_licence"]).number
        db.session.add(Attachment(company_id=world["own_company"], period_id=world["period"],
                                  disclosure_id=world["own_disclosure"], original_name="conclusion.pdf",
                                  stored_name="a" * 32, sha256=SHA, media_type="application/pdf", size_bytes=1024,
                                  title="EIA conclusion"))
        db.session.add(Attachment(company_id=world["other_company"], period_id=world["period"],
                                  original_name="other.pdf", stored_name="b" * 32, sha256="cd" * 32,
                                  media_type="application/pdf", size_bytes=1024))
        db.session.commit()
    return {**world, "number": number}


def test_the_service_checks_attachments_and_the_period_of_the_filing(app, filing) -> None:
    with app.app_context():
        actor = db.session.get(User, filing["filer"])
        disclosure = db.session.get(Disclosure, filing["own_disclosure"])
        good = item(project=filing["number"])
        assert replace_section(actor, disclosure, "eia", [good], locale="en") == 1
        db.session.commit()
        assert section_items(disclosure, "eia") == [good]

        expired = copy.deepcopy(good)
        expired["assurances"][1]["valid_until"] = "2024-12-31"
        another = item(project=filing["number"], reference_number="13/2024", conclusion_attachment="cd" * 32)
        with pytest.raises(ValidationError) as caught:
            replace_section(actor, disclosure, "eia", [expired, another], locale="en")
        assert set(caught.value.errors) == {"0.assurances.1.valid_until", "1.conclusion_attachment"}
        db.session.rollback()


def test_save_item_gives_the_items_own_paths_and_names_a_duplicate(app, filing) -> None:
    with app.app_context():
        actor = db.session.get(User, filing["filer"])
        disclosure = db.session.get(Disclosure, filing["own_disclosure"])
        first = item(project=filing["number"])
        first_id = save_item(actor, disclosure, "eia", None, first, locale="en")
        db.session.commit()
        assert disclosure.section_row("eia").item_ids == [first_id]
        broken = copy.deepcopy(first)
        broken["reference_number"] = "14/2024"
        broken["commitments"][1]["due_date"] = None
        with pytest.raises(ValidationError) as caught:
            save_item(actor, disclosure, "eia", None, broken, locale="en")
        assert list(caught.value.errors) == ["commitments.1.due_date"]
        db.session.rollback()
        with pytest.raises(ValidationError) as caught:
            save_item(actor, disclosure, "eia", None, copy.deepcopy(first), locale="en")
        assert list(caught.value.errors) == ["reference_number"]
        db.session.rollback()
        # nothing was changed by the refused saves
        assert section_items(db.session.get(Disclosure, filing["own_disclosure"]), "eia") == [first]
