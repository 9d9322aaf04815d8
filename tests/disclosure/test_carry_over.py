"""Carry-over (issue 4 §8): the first draft of 2025 starts from the 2024 filing in force — the
beneficial owners with their private data, the agreements still running, a profile reminder —
each marked until the filer confirms or saves it; the 2024 version never changes."""
from __future__ import annotations

import copy
import json

import pytest
from flask import Flask
from sqlalchemy import select

from esg_portal.accounts.models import Role, User
from esg_portal.companies.models import Company
from esg_portal.disclosure import services
from esg_portal.disclosure.carry_over import carry_over, previous_filing
from esg_portal.disclosure.models import Disclosure, DisclosureSection, DisclosureStatus
from esg_portal.disclosure.sections import load_section, spec_for
from esg_portal.disclosure.sections import services as section_services
from esg_portal.extensions import db
from esg_portal.reference.models import PeriodStatus, ReportingPeriod

OWNER = {"surname": "Асанов", "given_name": "Бакыт", "patronymic": "Төлөгөнович", "nationality": "KG",
         "country_of_residence": "KG", "ownership_pct": "60", "voting_pct": "60.00", "direct_or_indirect": "direct",
         "means_of_control": ["shares", "voting_rights"], "control_details": "", "is_pep": False,
         "pep_position": ""}
PRIVATE = {"date_of_birth": "1971-05-04", "id_document": "Паспорт ID1234567"}


def agreement(number: str, end_date: str | None, **values) -> dict:
    item = {"counterparty_kind": "aiyl_okmotu", "counterparty_name": "Ак-Суу айыл өкмөтү",
            "district": "Жети-Өгүз району", "region": "ISSYK_KUL", "agreement_number": number,
            "signed_date": "2023-12-20", "start_date": "2024-01-01", "end_date": end_date, "legal_basis": "licence",
            "committed_cash_kgs": "15000000.00", "committed_in_kind": [
                {"description": "Мектепке көмүр (120 т)", "estimated_value_kgs": "720000.00"}],
            "disbursed_cash_kgs": "5000000.50", "disbursed_in_kind_kgs": "720000.00", "purposes": ["water"],
            "purpose_other": "", "beneficiaries": "Ак-Суу айылынын тургундары", "beneficiaries_count": 4200,
            "hearing_reference": "H-2023-01", "agreement_attachment": None}
    item.update(values)
    return item


RUNNING = agreement("СП-14/2023", "2027-12-31")
OPEN_ENDED = agreement("СП-15/2023", None, counterparty_name="Балыкчы шаарынын мэриясы", counterparty_kind="town")
ENDED = agreement("СП-9/2023", "2024-12-31")


@pytest.fixture
def setup(factory) -> dict[str, int]:
    company = factory.company("Own Mining LLC", legal_form="LLC", address="Bishkek")
    factory.licence(company, "KG-0001-AP")
    other = factory.company("Other Mining LLC")
    return {"company": company, "other": other,
            "period_2024": factory.period(2024, PeriodStatus.CLOSED), "period": factory.period(2025),
            "filer": factory.user(Role.COMPANY_FILER, "filer@test.kg", company_id=company, is_signatory=True),
            "other_filer": factory.user(Role.COMPANY_FILER, "other@test.kg", company_id=other)}


def _filed(app: Flask, setup, status=DisclosureStatus.ACCEPTED, version: int = 1, *, owners=(OWNER,),
           agreements=(RUNNING, ENDED, OPEN_ENDED), company: str = "company") -> int:
    """A 2024 version holding the sections as the codec stores them."""
    with app.app_context():
        disclosure = Disclosure(company_id=setup[company], period_id=setup["period_2024"], version=version,
                                status=status)
        db.session.add(disclosure)
        db.session.flush()
        context = section_services.load_context(disclosure, "en")
        for key, raw in (("beneficial_owners", [{**owner, **PRIVATE} for owner in owners]),
                         ("social_agreements", list(agreements))):
            if raw:
                data, private = load_section(spec_for(key), raw, context)
                disclosure.sections.append(DisclosureSection(section=key, data=data, restricted=private))
        if status is not DisclosureStatus.DRAFT:
            services.seal_version(disclosure)
        db.session.commit()
        return disclosure.id


def _open(setup, who: str = "filer") -> Disclosure:
    user = db.session.get(User, setup[who])
    company = db.session.get(Company, user.company_id)
    return services.open_draft(user, company, db.session.get(ReportingPeriod, setup["period"]))


def _snapshot(disclosure: Disclosure) -> str:
    return json.dumps({"sha256": disclosure.sha256, "status": disclosure.status.value,
                       "carried_over": disclosure.carried_over,
                       "sections": [(s.section, s.data, s.restricted) for s in disclosure.sections]},
                      sort_keys=True, ensure_ascii=False)


def test_the_first_draft_of_2025_starts_from_the_2024_filing(app: Flask, setup) -> None:
    filed = _filed(app, setup)
    with app.app_context():
        before = _snapshot(db.session.get(Disclosure, filed))
        draft = _open(setup)
        db.session.commit()
        assert draft.version == 1
        assert draft.carried_over == ["profile", "social_agreements", "beneficial_owners"]
        # the owners as filed, the private fields included (kept apart, for the secretariat)
        assert section_services.section_items(draft, "beneficial_owners") == [OWNER]
        assert section_services.restricted_view(draft, "beneficial_owners") == [{**OWNER, **PRIVATE}]
        assert draft.section_row("beneficial_owners").restricted == [PRIVATE]
        # the agreements still in force on 1 January 2025, without last year's disbursements
        carried = section_services.section_items(draft, "social_agreements")
        expected = [{**item, "disbursed_cash_kgs": None, "disbursed_in_kind_kgs": None}
                    for item in (RUNNING, OPEN_ENDED)]
        assert carried == expected
        # nothing else: no payments, no other sections, no declarations
        assert {row.section for row in draft.sections} == {"social_agreements", "beneficial_owners"}
        assert not draft.payment_lines and not draft.declarations
        # the 2024 version is untouched, and shares no object with the draft
        source = db.session.get(Disclosure, filed)
        assert _snapshot(source) == before
        draft.section_row("beneficial_owners").restricted[0]["id_document"] = "changed"
        assert source.section_row("beneficial_owners").restricted[0]["id_document"] == PRIVATE["id_document"]
        db.session.rollback()
    with app.app_context():
        assert _snapshot(db.session.get(Disclosure, filed)) == before


def test_confirming_or_saving_takes_the_mark_away(app: Flask, setup) -> None:
    _filed(app, setup)
    with app.app_context():
        filer = db.session.get(User, setup["filer"])
        draft = _open(setup)
        # saving a section is looking at it
        section_services.replace_section(filer, draft, "beneficial_owners", [{**OWNER, **PRIVATE}], locale="en")
        assert draft.carried_over == ["profile", "social_agreements"]
        section_services.confirm_carried_over(filer, draft, "social_agreements")
        section_services.confirm_carried_over(filer, draft, "profile")
        db.session.commit()
        assert draft.carried_over is None
        # the carried agreements stay in the draft once confirmed
        assert len(section_services.section_items(draft, "social_agreements")) == 2
        # saving one item of a list section clears its mark too
    with app.app_context():
        draft = db.session.get(Disclosure, draft.id)
        draft.carried_over = ["social_agreements"]
        filer = db.session.get(User, setup["filer"])
        section_services.save_item(filer, draft, "social_agreements", section_services.stored_item_ids(draft.section_row("social_agreements"))[0], RUNNING, locale="en")
        assert draft.carried_over is None


def test_an_agreement_ending_on_the_first_day_is_still_running(app: Flask, setup) -> None:
    _filed(app, setup, agreements=(agreement("A", "2025-01-01"), agreement("B", "2024-12-31")), owners=())
    with app.app_context():
        draft = _open(setup)
        assert [a["agreement_number"] for a in section_services.section_items(draft, "social_agreements")] == ["A"]
        assert draft.carried_over == ["profile", "social_agreements"]


def test_only_ended_agreements_and_no_owners_carry_only_the_profile_reminder(app: Flask, setup) -> None:
    _filed(app, setup, owners=(), agreements=(ENDED,))
    with app.app_context():
        draft = _open(setup)
        assert draft.sections == [] and draft.carried_over == ["profile"]


@pytest.mark.parametrize("statuses", [[DisclosureStatus.DRAFT], [DisclosureStatus.SUPERSEDED]])
def test_nothing_is_carried_from_a_draft_or_a_superseded_version(app: Flask, setup, statuses) -> None:
    for version, status in enumerate(statuses, start=1):
        _filed(app, setup, status, version)
    with app.app_context():
        draft = _open(setup)
        assert draft.sections == [] and draft.carried_over is None


@pytest.mark.parametrize("status", [DisclosureStatus.SUBMITTED, DisclosureStatus.QUERIED,
                                    DisclosureStatus.ANSWERED, DisclosureStatus.ACCEPTED])
def test_every_filed_status_is_carried_from(app: Flask, setup, status) -> None:
    _filed(app, setup, status)
    with app.app_context():
        assert _open(setup).carried_over == ["profile", "social_agreements", "beneficial_owners"]


def test_the_version_in_force_is_the_one_carried(app: Flask, setup) -> None:
    """v1 superseded by an accepted v2, and a v3 amendment still a draft: v2 is carried."""
    new_owner = {**OWNER, "surname": "Токтогулов"}
    _filed(app, setup, DisclosureStatus.SUPERSEDED, 1)
    _filed(app, setup, DisclosureStatus.ACCEPTED, 2, owners=(new_owner,))
    _filed(app, setup, DisclosureStatus.DRAFT, 3, owners=(OWNER, {**OWNER, "surname": "Draft", "ownership_pct": "1",
                                                                   "voting_pct": "1"}))
    with app.app_context():
        draft = _open(setup)
        assert previous_filing(draft).version == 2
        assert section_services.section_items(draft, "beneficial_owners") == [new_owner]


def test_nothing_is_carried_without_a_previous_period_or_filing(app: Flask, setup, factory) -> None:
    with app.app_context():  # 2024 exists but the company filed nothing
        draft = _open(setup)
        assert draft.sections == [] and draft.carried_over is None
        db.session.rollback()
    # another company's 2024 filing is never carried
    _filed(app, setup, company="other")
    with app.app_context():
        assert _open(setup).carried_over is None
        db.session.rollback()
    # a period without a period before it
    period_2031 = factory.period(2031)
    with app.app_context():
        user = db.session.get(User, setup["filer"])
        draft = services.open_draft(user, db.session.get(Company, setup["company"]),
                                    db.session.get(ReportingPeriod, period_2031))
        assert draft.carried_over is None


def test_an_existing_draft_is_returned_as_it_is_and_amendments_copy_their_own_version(app: Flask, setup) -> None:
    _filed(app, setup)
    with app.app_context():
        filer = db.session.get(User, setup["filer"])
        draft = _open(setup)
        section_services.confirm_carried_over(filer, draft, "profile")
        db.session.commit()
        again = _open(setup)
        assert again.id == draft.id and again.carried_over == ["social_agreements", "beneficial_owners"]
        assert carry_over(again) == []  # a started draft is never pre-filled again
        assert again.carried_over == ["social_agreements", "beneficial_owners"]
        assert len(section_services.section_items(again, "social_agreements")) == 2
        db.session.rollback()
        draft = db.session.get(Disclosure, draft.id)
        draft.status = DisclosureStatus.SUBMITTED
        db.session.commit()
        amendment = services.start_amendment(filer, draft.company, draft.period, "Owner changed")
        assert amendment.version == 2 and amendment.carried_over is None
        assert carry_over(amendment) == []
        assert len(section_services.section_items(amendment, "beneficial_owners")) == 1


def test_the_api_draft_carries_over_without_showing_private_fields(app: Flask, setup) -> None:
    _filed(app, setup)
    client = app.test_client()
    token = client.post("/api/v1/auth/token", json={"email": "filer@test.kg", "password": "correct-horse-battery"})
    headers = {"Authorization": f"Bearer {token.get_json()['token']}"}
    # asking stores nothing and carries nothing
    assert client.get("/api/v1/filings/2025", headers=headers).get_json()["sections"]["beneficial_owners"] == []
    assert client.put("/api/v1/filings/2025/payments", json=[], headers=headers).status_code == 200
    document = client.get("/api/v1/filings/2025", headers=headers).get_json()
    assert document["sections"]["beneficial_owners"] == [OWNER]
    assert len(document["sections"]["social_agreements"]) == 2
    assert "Паспорт" not in json.dumps(document, ensure_ascii=False)


def test_a_second_call_adds_nothing(app: Flask, setup) -> None:
    _filed(app, setup)
    with app.app_context():
        draft = _open(setup)
        sections = copy.deepcopy([(s.section, s.data, s.restricted) for s in draft.sections])
        assert carry_over(draft) == []
        assert [(s.section, s.data, s.restricted) for s in draft.sections] == sections
        assert draft.carried_over == ["profile", "social_agreements", "beneficial_owners"]
        stored = db.session.scalars(select(DisclosureSection).where(DisclosureSection.disclosure_id == draft.id))
        assert len(stored.all()) == 2
