"""The BODS 0.4 export of a filing's beneficial owners: valid against the standard's JSON schema
(tests/data/bods, see its README), the record checks of the standard, deterministic identifiers,
interests and political exposure, amendments as updated and closed records, and access."""
from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from esg_portal.accounts.models import Role, User
from esg_portal.disclosure import bods
from esg_portal.disclosure.models import Disclosure, DisclosureSection, DisclosureStatus
from esg_portal.disclosure.sections import load_section, spec_for
from esg_portal.disclosure.sections.fields import LoadContext
from esg_portal.errors import NotFound, PermissionDenied
from esg_portal.extensions import db

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "data" / "bods"
INN = "01234567890123"
PUBLISHED = dt.date(2026, 4, 1)
PRIVATE = ({"date_of_birth": "1971-05-04", "id_document": "Паспорт ID1234567"},
           {"date_of_birth": "1980-12-31", "id_document": "Passport GB 533380006"})


def owners() -> list[dict]:
    return [
        {"surname": "Асанов", "given_name": "Бакыт", "patronymic": "Төлөгөнович", "nationality": "KG",
         "country_of_residence": "KG", "ownership_pct": "60", "voting_pct": "60.00", "direct_or_indirect": "direct",
         "means_of_control": ["shares", "voting_rights", "board_appointment"], "control_details": "",
         "is_pep": True, "pep_position": "Жогорку Кеңештин депутаты (2015–2020)", **PRIVATE[0]},
        {"surname": "Smith", "given_name": "John", "patronymic": "", "nationality": "GB",
         "country_of_residence": "CY", "ownership_pct": "25.5", "voting_pct": None, "direct_or_indirect": "indirect",
         "means_of_control": ["shares", "other_influence", "senior_management"],
         "control_details": "Through Alatoo Holdings Ltd (Cyprus)", "is_pep": False, "pep_position": "",
         **PRIVATE[1]},
    ]


def validator() -> Draft202012Validator:
    resources = []
    for path in sorted(SCHEMA_DIR.glob("*.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        resources.append((schema["$id"], Resource(contents=schema, specification=DRAFT202012)))
    registry = Registry().with_resources(resources)
    return Draft202012Validator(registry.contents("urn:statement"), registry=registry,
                                format_checker=FormatChecker())


def schema_errors(statements: list[dict]) -> list[str]:
    return [f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
            for error in validator().iter_errors(statements)]


def record_errors(statements: list[dict]) -> list[str]:
    """The record-based checks of BODS 0.4 (as lib-cove-bods makes them) that apply to one declaration."""
    problems = []
    ids = [s["statementId"] for s in statements]
    if len(ids) != len(set(ids)):
        problems.append("duplicate statementId")
    if len({s["declarationSubject"] for s in statements}) != 1:
        problems.append("more than one declaration subject")
    if {s["publicationDetails"]["bodsVersion"] for s in statements} != {"0.4"}:
        problems.append("bodsVersion is not 0.4 everywhere")
    records = {s["recordId"]: s["recordType"] for s in statements}
    for statement in statements:
        details = statement["recordDetails"]
        if details.get("isComponent") is not False:
            problems.append(f"{statement['statementId']}: isComponent is not false")
        if statement["recordType"] == "relationship":
            if records.get(details["subject"]) != "entity":
                problems.append(f"{statement['statementId']}: the subject is not an entity record")
            if records.get(details["interestedParty"]) not in ("entity", "person"):
                problems.append(f"{statement['statementId']}: the interested party is not a record")
            for interest in details.get("interests", []):
                share = interest.get("share", {})
                if "exact" in share and set(share) != {"exact"}:
                    problems.append("an exact share with bounds")
    for record_id in records:
        statuses = [s.get("recordStatus") for s in statements if s["recordId"] == record_id]
        if statuses.count("new") > 1 or statuses.count("closed") > 1 or ("new" in statuses and statuses[0] != "new"):
            problems.append(f"{record_id}: statuses {statuses}")
    if statements and statements[0]["recordId"] != statements[0]["declarationSubject"]:
        problems.append("the declaration subject is not the first record")
    return problems


@pytest.fixture
def filing(app, factory) -> dict[str, int]:
    period = factory.period(2025)
    company = factory.company("ОсОО «Ала-Тоо Тест Майнинг»", inn=INN, address="Бишкек ш., Чүй пр. 1")
    other = factory.company("Other Mining LLC")
    ids = {
        "company": company, "period": period,
        "filer": factory.user(Role.COMPANY_FILER, "filer@test.kg", company_id=company, is_signatory=True),
        "other_filer": factory.user(Role.COMPANY_FILER, "other@test.kg", company_id=other),
        "secretariat": factory.user(Role.SECRETARIAT, "secretariat@test.kg"),
        "v1": factory.disclosure(company, period, DisclosureStatus.SUBMITTED),
    }
    with app.app_context():
        put_owners(db.session.get(Disclosure, ids["v1"]), owners())
        db.session.commit()
    return ids


def put_owners(disclosure: Disclosure, items: list[dict]) -> None:
    spec = spec_for("beneficial_owners")
    data, private = load_section(spec, items, LoadContext())
    row = disclosure.section_row("beneficial_owners")
    if row is None:
        disclosure.sections.append(DisclosureSection(section="beneficial_owners", data=data, restricted=private))
    else:
        row.data, row.restricted = data, private


def export(disclosure_id: int) -> list[dict]:
    return bods.bods_statements(db.session.get(Disclosure, disclosure_id), published_on=PUBLISHED)


def test_the_vendored_schema_is_bods_0_4() -> None:
    for name in ("statement", "entity-record", "person-record", "relationship-record", "components"):
        assert json.loads((SCHEMA_DIR / f"{name}.json").read_text(encoding="utf-8"))["version"] == "0.4"
    # the validator does judge: a record without its required fields is refused
    assert schema_errors([{"statementId": "x" * 32, "recordType": "person", "recordDetails": {}}])


def test_the_export_is_valid_bods_0_4(app_ctx, filing) -> None:
    statements = export(filing["v1"])
    assert schema_errors(statements) == []
    assert record_errors(statements) == []
    assert [s["recordType"] for s in statements] == ["entity", "person", "relationship", "person", "relationship"]
    # a JSON file of them reads back the same
    assert json.loads(bods.bods_json(statements)) == statements


def test_the_company_is_the_declaration_subject_with_its_inn(app_ctx, filing) -> None:
    entity = export(filing["v1"])[0]
    assert entity["recordId"] == entity["declarationSubject"] == f"KG-INN-{INN}"
    assert entity["declaration"] == f"{INN}-2025-v1"
    details = entity["recordDetails"]
    assert details["entityType"] == {"type": "registeredEntity"}
    assert details["name"] == "ОсОО «Ала-Тоо Тест Майнинг»"
    assert details["identifiers"] == [{"id": INN, "scheme": "KG-INN", "schemeName": bods.INN_SCHEME_NAME}]
    assert details["jurisdiction"] == {"name": "Kyrgyzstan", "code": "KG"}
    assert details["addresses"][0]["type"] == "registered"
    assert entity["publicationDetails"] == {"publicationDate": "2026-04-01", "bodsVersion": "0.4",
                                            "publisher": {"name": "esg_portal"}}
    assert entity["statementDate"] == "2026-03-31"  # the day the version was submitted
    assert entity["source"]["type"] == ["selfDeclaration"]
    assert entity["recordStatus"] == "new"


def test_persons_with_names_countries_and_political_exposure(app_ctx, filing) -> None:
    statements = export(filing["v1"])
    kg, gb = statements[1]["recordDetails"], statements[3]["recordDetails"]
    assert kg["personType"] == "knownPerson"
    assert kg["names"] == [{"type": "legal", "fullName": "Асанов Бакыт Төлөгөнович", "familyName": "Асанов",
                            "givenName": "Бакыт", "patronymicName": "Төлөгөнович"}]
    assert "patronymicName" not in gb["names"][0]
    assert kg["nationalities"] == [{"name": "Kyrgyzstan", "code": "KG"}]
    assert gb["nationalities"] == [{"name": "United Kingdom", "code": "GB"}]
    assert gb["addresses"] == [{"type": "residence", "country": {"name": "Cyprus", "code": "CY"}}]
    assert kg["politicalExposure"] == {"status": "isPep",
                                       "details": [{"reason": "Жогорку Кеңештин депутаты (2015–2020)"}]}
    assert gb["politicalExposure"] == {"status": "isNotPep"}
    for person in (kg, gb):
        assert "birthDate" not in person and "identifiers" not in person


def test_relationships_carry_one_interest_per_means_of_control(app_ctx, filing) -> None:
    statements = export(filing["v1"])
    entity_id = statements[0]["recordId"]
    first, second = statements[2]["recordDetails"], statements[4]["recordDetails"]
    assert first["subject"] == entity_id and first["interestedParty"] == statements[1]["recordId"]
    assert second["interestedParty"] == statements[3]["recordId"]
    assert first["interests"] == [
        {"type": "shareholding", "directOrIndirect": "direct", "beneficialOwnershipOrControl": True,
         "share": {"exact": 60}},
        {"type": "votingRights", "directOrIndirect": "direct", "beneficialOwnershipOrControl": True,
         "share": {"exact": 60}},
        {"type": "appointmentOfBoard", "directOrIndirect": "direct", "beneficialOwnershipOrControl": True},
    ]
    details = "Through Alatoo Holdings Ltd (Cyprus)"
    assert second["interests"] == [
        {"type": "shareholding", "directOrIndirect": "indirect", "beneficialOwnershipOrControl": True,
         "details": details, "share": {"exact": 25.5}},
        {"type": "otherInfluenceOrControl", "directOrIndirect": "indirect", "beneficialOwnershipOrControl": True,
         "details": details},
        {"type": "seniorManagingOfficial", "directOrIndirect": "indirect", "beneficialOwnershipOrControl": True,
         "details": details},
    ]
    assert set(bods.INTEREST_TYPES.values()) <= set(
        json.loads((SCHEMA_DIR / "relationship-record.json").read_text())["$defs"]["Interest"]["properties"]
        ["type"]["enum"])


def test_shares_are_exact_json_numbers() -> None:
    assert bods._number("60") == 60 and isinstance(bods._number("60.00"), int)
    assert bods._number("25.5") == 25.5 and json.dumps(bods._number("33.33")) == "33.33"
    assert json.dumps(bods._number("0.01")) == "0.01" and json.dumps(bods._number("99.99")) == "99.99"


def test_identifiers_are_deterministic_uuid5(app_ctx, filing) -> None:
    first, again = export(filing["v1"]), export(filing["v1"])
    assert first == again
    for statement in first:
        parsed = uuid.UUID(statement["statementId"])
        assert parsed.version == 5 and 32 <= len(statement["statementId"]) <= 64
    assert first[1]["statementId"] == str(uuid.uuid5(bods.NAMESPACE, f"{INN}/2025/1/person/0"))


def test_no_private_data_is_ever_exported(app_ctx, filing) -> None:
    text = bods.bods_json(export(filing["v1"])).decode("utf-8")
    for values in PRIVATE:
        for value in values.values():
            assert value not in text
    assert "1971" not in text and "ID1234567" not in text and "533380006" not in text


def test_an_amendment_updates_adds_and_closes_records(app, factory, filing) -> None:
    with app.app_context():
        v1 = db.session.get(Disclosure, filing["v1"])
        v1.status = DisclosureStatus.SUPERSEDED
        v2 = Disclosure(company_id=v1.company_id, period_id=v1.period_id, version=2,
                        status=DisclosureStatus.SUBMITTED, submitted_at=dt.datetime(2026, 5, 2, 8, tzinfo=dt.timezone.utc))
        db.session.add(v2)
        kept, _gone = owners()
        newcomer = {**kept, "surname": "Бекова", "given_name": "Айгүл", "patronymic": "Асановна", "is_pep": False,
                    "pep_position": "", "ownership_pct": "10", "voting_pct": "10"}
        put_owners(v2, [{**kept, "ownership_pct": "65", "voting_pct": "65"}, newcomer])
        db.session.commit()
        old, new = export(filing["v1"]), export(v2.id)
    assert schema_errors(new) == [] and record_errors(new) == []
    by_status = [(s["recordType"], s["recordStatus"]) for s in new]
    assert by_status == [("entity", "updated"), ("person", "updated"), ("relationship", "updated"),
                         ("person", "new"), ("relationship", "new"), ("relationship", "closed"),
                         ("person", "closed")]
    # the same person keeps the record, never the statement
    assert new[1]["recordId"] == old[1]["recordId"] and new[1]["statementId"] != old[1]["statementId"]
    assert new[5]["recordId"] == old[4]["recordId"] and new[6]["recordId"] == old[3]["recordId"]
    assert new[0]["declaration"] == f"{INN}-2025-v2" and new[0]["statementDate"] == "2026-05-02"
    assert not {s["statementId"] for s in old} & {s["statementId"] for s in new}


def test_a_filing_without_owners_has_the_company_only(app, factory, filing) -> None:
    with app.app_context():
        company = factory.company("Empty LLC", inn="11111111111111")
        draft_id = factory.disclosure(company, filing["period"])
        statements = export(draft_id)
    assert [s["recordType"] for s in statements] == ["entity"] and schema_errors(statements) == []


def test_the_export_is_for_readers_of_submitted_versions(app, factory, filing) -> None:
    with app.app_context():
        filer, other, secretariat = (db.session.get(User, filing[k]) for k in ("filer", "other_filer", "secretariat"))
        filename, body = bods.bods_export(filer, filing["v1"], published_on=PUBLISHED)
        assert filename == f"beneficial-owners-bods-{INN}-2025-v1.json"
        assert json.loads(body) == export(filing["v1"])
        assert bods.bods_export(secretariat, filing["v1"])[0] == filename
        with pytest.raises((PermissionDenied, NotFound)):
            bods.bods_export(other, filing["v1"])
        v1 = db.session.get(Disclosure, filing["v1"])
        v1.status, v1.submitted_at = DisclosureStatus.DRAFT, None
        db.session.flush()
        with pytest.raises(NotFound):
            bods.bods_export(filer, filing["v1"])
        db.session.rollback()


def test_the_bods_file_is_served_to_the_company_and_the_secretariat_only(app, world) -> None:
    """GET /disclosures/<id>/bods.json: the company's own submitted versions and the secretariat; 404 for drafts."""
    import json
    from support import login
    from esg_portal.audit import utcnow
    from esg_portal.disclosure.models import Disclosure, DisclosureSection, DisclosureStatus
    from esg_portal.disclosure.services import seal_version
    from esg_portal.extensions import db
    with app.app_context():
        disclosure = db.session.get(Disclosure, world["own_disclosure"])
        disclosure.sections.append(DisclosureSection(section="beneficial_owners", data=[{
            "surname": "Токтогулов", "given_name": "Бакыт", "patronymic": "", "nationality": "KG",
            "country_of_residence": "KG", "ownership_pct": "60", "voting_pct": None, "direct_or_indirect": "direct",
            "means_of_control": ["shares"], "control_details": "", "is_pep": False, "pep_position": ""}],
            restricted=[{"date_of_birth": "1971-03-08", "id_document": "AN1234567"}]))
        db.session.flush()
        url = f"/disclosures/{disclosure.id}/bods.json"
        draft_client = app.test_client()
        login(draft_client, "filer@test.kg")
        assert draft_client.get(url).status_code == 404          # a draft has no declaration yet
        disclosure.status, disclosure.submitted_at = DisclosureStatus.SUBMITTED, utcnow().replace(microsecond=0)
        seal_version(disclosure)
        db.session.commit()
    for email, status in (("filer@test.kg", 200), ("secretariat@test.kg", 200), ("other@test.kg", 404),
                          ("officer@test.kg", 404)):
        client = app.test_client()
        login(client, email)
        response = client.get(url)
        assert response.status_code in ((status,) if status == 200 else (403, 404)), email
        if status == 200:
            body = response.get_data(as_text=True)
            assert "Токтогулов" in body and "1971" not in body and "AN1234567" not in body
            assert any(s.get("recordType") == "person" for s in json.loads(body))
