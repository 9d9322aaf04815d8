"""PUT /api/v1/filings/{year}/{section} for the ESG sections: exact round trip, field paths, no partial writes.

Each section module registers itself; these tests run over every registered section with the
sample bodies of ``SAMPLES`` (a section without a sample fails the completeness test below).
"""
from __future__ import annotations

import copy

import pytest

from esg_portal.disclosure.sections import all_specs

#: a valid, canonical body per section: every key present, as GET gives it back
SAMPLES: dict[str, object] = {
    "eia": [
        {"project": "KG-0001-AP", "assessment_type": "eia", "reference_number": "12/2024",
         "decision_date": "2024-11-15",
         "approving_authority": "Кыргыз Республикасынын Жаратылыш ресурстары, экология жана техникалык көзөмөл "
                                "министрлиги",
         "outcome": "approved_with_conditions",
         "commitments": [
             {"description": "Кара-Балта суусун коргоо: агынды сууларды тазалоочу курулма куруу",
              "due_date": "2025-09-30", "status": "completed", "comment": ""},
             {"description": "Dust suppression on the haul road", "due_date": "2025-06-30", "status": "overdue",
              "comment": "Суу себүүчү машина кечигип келди"},
             {"description": "Бузулган жерлерди рекультивациялоо", "due_date": None, "status": "in_progress",
              "comment": ""},
         ],
         "water_withdrawn_m3": "125000.5", "water_discharged_m3": "0", "energy_mwh": "4200.250",
         "ghg_t_co2e": "3150", "waste_rock_t": None, "tailings_t": "480000", "land_disturbed_ha": "12.5",
         "land_reclaimed_ha": "15.75",
         "incidents": [
             {"date": "2025-04-12", "kind": "spill", "description": "Дизель отунунун төгүлүшү",
              "fine_kgs": "150000.00", "authority": "Экологиялык жана техникалык көзөмөл кызматы",
              "status": "resolved"},
             {"date": "2025-08-03", "kind": "air", "description": "Dust above the limit at the crusher",
              "fine_kgs": None, "authority": "", "status": "open"},
         ],
         "tailings_facilities": [
             {"name": "№1 калдык сактагыч", "status": "active", "capacity_m3": "2500000",
              "stored_volume_m3": "1830000.5", "last_review_date": "2024-10-01",
              "reviewer": "Independent Engineering LLC"},
             {"name": "TSF-2", "status": "under_construction", "capacity_m3": "1200000", "stored_volume_m3": None,
              "last_review_date": None, "reviewer": ""},
         ],
         "assurances": [
             {"kind": "state_bank_fund", "amount": "12500000.00", "currency": "KGS", "provider": "Айыл Банк",
              "valid_until": None},
             {"kind": "bank_guarantee", "amount": "250000.00", "currency": "USD", "provider": "Demir Bank",
              "valid_until": "2026-12-31"},
         ],
         "conclusion_attachment": None, "comment": ""},
        {"project": "KG-0001-AP", "assessment_type": "sia", "reference_number": "СВ-7", "decision_date": "2025-03-03",
         "approving_authority": "Жаратылыш ресурстары, экология жана техникалык көзөмөл министрлиги",
         "outcome": "pending", "commitments": [],
         "water_withdrawn_m3": None, "water_discharged_m3": None, "energy_mwh": None, "ghg_t_co2e": None,
         "waste_rock_t": None, "tailings_t": None, "land_disturbed_ha": None, "land_reclaimed_ha": None,
         "incidents": [], "tailings_facilities": [], "assurances": [], "conclusion_attachment": None,
         "comment": "Коомдук угуу 2025-жылдын апрелинде өттү"},
    ],
    "social_agreements": [
        {"counterparty_kind": "aiyl_okmotu", "counterparty_name": "Ак-Суу айыл өкмөтү",
         "district": "Жети-Өгүз району", "region": "ISSYK_KUL", "agreement_number": "СП-14/2024",
         "signed_date": "2024-12-20", "start_date": "2025-01-01", "end_date": "2027-12-31", "legal_basis": "licence",
         "committed_cash_kgs": "15000000.00",
         "committed_in_kind": [
             {"description": "Мектепке көмүр (120 т)", "estimated_value_kgs": "720000.00"},
             {"description": "Грейдер менен жол оңдоо", "estimated_value_kgs": None},
         ],
         "disbursed_cash_kgs": "5000000.50", "disbursed_in_kind_kgs": "720000.00",
         "purposes": ["water", "education", "other"], "purpose_other": "Көчө жарыгы",
         "beneficiaries": "Кызыл-Суу жана Ак-Суу айылдарынын тургундары", "beneficiaries_count": 4200,
         "hearing_reference": "H-2025-01", "agreement_attachment": None},
        {"counterparty_kind": "town", "counterparty_name": "Балыкчы шаарынын мэриясы", "district": "",
         "region": "ISSYK_KUL", "agreement_number": "7", "signed_date": "2025-03-15", "start_date": "2025-01-01",
         "end_date": None, "legal_basis": "voluntary", "committed_cash_kgs": None, "committed_in_kind": [],
         "disbursed_cash_kgs": None, "disbursed_in_kind_kgs": None, "purposes": ["jobs_training"],
         "purpose_other": "", "beneficiaries": "", "beneficiaries_count": None, "hearing_reference": "",
         "agreement_attachment": None},
    ],
    "public_hearings": [
        {"reference": "H-2025-01", "project": "KG-0001-AP", "date": "2025-03-12", "settlement": "Кызыл-Суу",
         "aiyl_aimak": "Ак-Суу айыл аймагы", "district": "Жети-Өгүз району", "region": "ISSYK_KUL",
         "stage": "expansion", "organiser": "joint", "announced_via": ["aiyl_okmotu", "notice_board", "other"],
         "announced_other": "WhatsApp тобу", "notice_days": 14, "languages": ["ky", "ru"], "language_other": "",
         "participants_total": 86, "participants_women": 31,
         "topics": "Социалдык пакет, суу сактоо, жергиликтүү тургундарды жумушка алуу",
         "concerns": [
             {"concern": "Айылдын ичүүчү суусу булганат деп кооптонушат",
              "answer": "Суу мониторинги ар чейрек сайын жүргүзүлөт",
              "commitment": "Суунун анализинин жыйынтыктарын айыл өкмөтүнө жарыялоо",
              "commitment_due_date": "2025-06-30"},
             {"concern": "Жумушка алуу", "answer": "", "commitment": "", "commitment_due_date": None},
         ],
         "outcome": "Коомдук угуу социалдык пакеттин долбоорун жактырды", "minutes_attachment": None},
        {"reference": "H-2025-02", "project": "", "date": "2025-11-05", "settlement": "Балыкчы", "aiyl_aimak": "",
         "district": "", "region": "ISSYK_KUL", "stage": "operation", "organiser": "company",
         "announced_via": ["local_newspaper"], "announced_other": "", "notice_days": 0, "languages": ["ky"],
         "language_other": "", "participants_total": 40, "participants_women": None, "topics": "Annual report",
         "concerns": [], "outcome": "", "minutes_attachment": None},
    ],
    "production": [
        {"mineral": "SB", "mineral_name": "", "project": "KG-0001-AP", "unit": "t", "produced_volume": "1250.500",
         "produced_value_kgs": "98000000.00", "exported_volume": "1200", "exported_value_kgs": "95500000.50",
         "comment": ""},
        {"mineral": "other", "mineral_name": "Алтын (gold)", "project": "", "unit": "troy_oz",
         "produced_volume": "3200.25", "produced_value_kgs": None, "exported_volume": None,
         "exported_value_kgs": None, "comment": "Доре эритмеси"},
    ],
    "workforce": {
        "employees_total": 1200, "citizens": 1104, "foreign_nationals": 96, "women": 168, "women_in_management": 9,
        "local_residents": 610, "contractors": None,
        "by_level": [
            {"level": "management", "total": 60, "women": 9, "citizens": 48},
            {"level": "specialists", "total": 240, "women": 62, "citizens": 214},
            {"level": "skilled_workers", "total": 620, "women": 55, "citizens": 582},
            {"level": "unskilled_workers", "total": 280, "women": 42, "citizens": None},
        ],
        "training_spend_kgs": "4500000.50", "training_hours": 18400,
        "comment": "Жергиликтүү тургундар үчүн кесиптик окуу борбору ачылды"},
    # dates of birth and identity documents are never returned by GET (tests/disclosure/test_private_fields.py)
    "beneficial_owners": [
        {"surname": "Асанов", "given_name": "Бакыт", "patronymic": "Төлөгөнович", "nationality": "KG",
         "country_of_residence": "KG", "ownership_pct": "60", "voting_pct": "60.00", "direct_or_indirect": "direct",
         "means_of_control": ["shares", "voting_rights", "board_appointment"], "control_details": "",
         "is_pep": True, "pep_position": "Жогорку Кеңештин депутаты (2015–2020)"},
        {"surname": "Smith", "given_name": "John", "patronymic": "", "nationality": "GB",
         "country_of_residence": "CY", "ownership_pct": "25.5", "voting_pct": None, "direct_or_indirect": "indirect",
         "means_of_control": ["shares", "other_influence"],
         "control_details": "Through Alatoo Holdings Ltd (Cyprus), 51 per cent of the shares", "is_pep": False,
         "pep_position": ""},
    ],
}


def registered() -> list[str]:
    return [spec.key for spec in all_specs()]


def test_every_registered_section_has_a_sample() -> None:
    assert set(registered()) <= set(SAMPLES), set(registered()) - set(SAMPLES)


@pytest.mark.parametrize("section", registered())
def test_a_valid_body_round_trips_through_get_exactly(api_world, api_as, section: str) -> None:
    api = api_as("filer")
    body = SAMPLES[section]
    response = api.put_json(f"/filings/2025/{section}", body)
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"lines": len(body) if isinstance(body, list) else 1}
    document = api.get("/filings/2025").get_json()
    assert document["sections"][section] == body
    # the same body twice gives the same state
    assert api.put_json(f"/filings/2025/{section}", body).status_code == 200
    assert api.get("/filings/2025").get_json() == document


@pytest.mark.parametrize("section", registered())
def test_an_invalid_body_is_422_with_field_paths_and_changes_nothing(api_world, api_as, section: str) -> None:
    api = api_as("filer")
    good = SAMPLES[section]
    assert api.put_json(f"/filings/2025/{section}", good).status_code == 200
    before = api.get("/filings/2025").get_json()
    bad = copy.deepcopy(good)
    target = bad[-1] if isinstance(bad, list) else bad
    target["no_such_field"] = "x"
    response = api.put_json(f"/filings/2025/{section}", bad)
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    expected = f"{len(bad) - 1}.no_such_field" if isinstance(bad, list) else "no_such_field"
    assert expected in errors, errors
    assert api.get("/filings/2025").get_json() == before


def test_production_rules_name_the_field_in_the_users_language(api_world, api_as) -> None:
    api = api_as("filer")
    bad = copy.deepcopy(SAMPLES["production"])
    bad[0]["produced_volume"] = 12.5            # a JSON float
    bad[0]["project"] = "KG-9999-AP"            # another company's licence
    bad[1]["mineral"] = "GOLD"                  # not a code
    response = api.put_json("/filings/2025/production", bad, headers={"Accept-Language": "ru"})
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert set(errors) >= {"0.produced_volume", "0.project", "1.mineral"}, errors
    assert any("KG-0001-AP" in m for m in errors["0.project"])        # names the company's own licences
    assert all(any("\u0400" <= ch <= "\u04ff" for ch in m) for m in errors["1.mineral"])  # Russian


def test_exports_above_production_and_duplicates_are_refused(api_world, api_as) -> None:
    api = api_as("filer")
    bad = copy.deepcopy(SAMPLES["production"])
    bad[0]["exported_volume"] = "99999"
    bad.append(copy.deepcopy(SAMPLES["production"][1]))
    errors = api.put_json("/filings/2025/production", bad).get_json()["errors"]
    assert "0.exported_volume" in errors and "2.mineral" in errors


def test_a_section_is_not_writable_after_submission(api_world, api_as) -> None:
    api = api_as("filer")
    assert api.put_json("/filings/2025/production", SAMPLES["production"]).status_code == 200
    submitted = api.post_json("/filings/2025/submit", {"attested_by_name": "A", "attested_by_position": "B"})
    assert submitted.status_code == 200
    document = api.get("/filings/2025").get_json()
    assert api.put_json("/filings/2025/production", []).status_code == 409
    assert api.post_json("/filings/2025/amendments", {"reason": "volumes"}).status_code == 201
    amended = api.get("/filings/2025").get_json()
    assert amended["sections"]["production"] == document["sections"]["production"]
    # emptying the amendment's section leaves the submitted version as it was
    assert api.put_json("/filings/2025/production", []).get_json() == {"lines": 0}
    assert api.get("/filings/2025").get_json()["sections"]["production"] == []


def test_the_submitted_hash_covers_the_esg_sections(api_world, api_as) -> None:
    from esg_portal.disclosure.document import document_sha256
    api = api_as("filer")
    api.put_json("/filings/2025/production", SAMPLES["production"])
    sha = api.post_json("/filings/2025/submit", {"attested_by_name": "A", "attested_by_position": "B"}).get_json()
    document = api.get("/filings/2025").get_json()
    assert document_sha256(document) == sha["sha256"] == document["sha256"]
    changed = copy.deepcopy(document)
    changed["sections"]["production"][0]["produced_volume"] = "1250.501"
    assert document_sha256(changed) != sha["sha256"]


def test_json_is_required_for_esg_sections(api_world, api_as) -> None:
    api = api_as("filer")
    assert api.put_csv("/filings/2025/production", b"mineral\nSB\n").status_code == 415


def _json_schema(node):
    """OpenAPI 3.0 ``nullable`` → JSON Schema (type or null), recursively."""
    if isinstance(node, dict):
        node = {key: _json_schema(value) for key, value in node.items() if key != "writeOnly"}
        if node.pop("nullable", False):
            if "type" in node:
                node["type"] = [node["type"], "null"]
            if "enum" in node:
                node["enum"] = [*node["enum"], None]
        return node
    if isinstance(node, list):
        return [_json_schema(value) for value in node]
    return node


@pytest.mark.parametrize("section", registered())
def test_the_openapi_document_describes_each_section_as_its_rules_accept_it(section: str) -> None:
    import jsonschema
    from esg_portal.api.openapi import openapi_document
    schema = _json_schema(openapi_document()["components"]["schemas"][f"Section_{section}"])
    jsonschema.validate(SAMPLES[section], schema)
    bad = copy.deepcopy(SAMPLES[section])
    (bad[0] if isinstance(bad, list) else bad)["no_such_field"] = 1
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)
