"""disclosure.document: the canonical filing document of INTERFACES.md §4 and its sha256."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from decimal import Decimal

import pytest
from sqlalchemy import select

from esg_portal.companies.models import Company, License
from esg_portal.disclosure.document import (
    canonical_json, document_sha256, filing_document, filing_sha256, iso_utc,
)
from esg_portal.disclosure.models import Disclosure, DisclosureStatus, PaymentLine
from esg_portal.extensions import db
from esg_portal.money import rate_to_scaled, to_minor
from esg_portal.reference.models import GovernmentEntity, PeriodStatus, Region, ReportingPeriod, RevenueStream, Site

#: (stream, project?, amount, currency, in-kind volume, unit, locality, comment)
LINES = [
    ("ROYALTY", True, "1000.5", "KGS", None, None, None, None),
    ("CIT", False, "250000.00", "KGS", None, None, None, None),
    ("VAT", False, "-500", "KGS", None, None, None, "VAT refund on exports"),
    ("BONUS", True, "120000.00", "USD", None, None, None, None),
    ("LOCAL_DEV", True, "7", "KGS", None, None, "Kemin town", None),
    ("DIVIDENDS_STATE", False, "9000.00", "KGS", "1.250", "kg Ag", None, "Paid in silver"),
]


def _code(model, code):
    return db.session.scalar(select(model).where(model.code == code))


def _line(spec, licence: License) -> PaymentLine:
    stream_code, per_project, amount, currency, volume, unit, locality, comment = spec
    stream = _code(RevenueStream, stream_code)
    return PaymentLine(revenue_stream=stream, government_entity=stream.default_entity,
                       license=licence if per_project else None,
                       amount_minor=to_minor(Decimal(amount), currency), currency=currency,
                       is_paid_in_kind=volume is not None, in_kind_volume=volume, in_kind_unit=unit,
                       recipient_locality=locality, comment=comment)


@pytest.fixture
def disclosure(app_ctx) -> Disclosure:
    period = ReportingPeriod(year=2025, start_date=dt.date(2025, 1, 1), end_date=dt.date(2025, 12, 31),
                             status=PeriodStatus.OPEN, usd_rate_scaled=rate_to_scaled(Decimal("87.45")))
    company = Company(inn="00123456789012", legal_name="Demo Ала-Тоо Mining LLC (ң, ө, ү)", legal_form="LLC",
                      region=_code(Region, "CHUY"), state_share_bp=3000, is_state_share_free_carried=True,
                      website="https://ala-too.example.kg")
    site = _code(Site, "T1-01")
    licence = License(company=company, number="KG-DEMO-9001-AP", kind="extraction", project_name="Kutessay",
                      site=site, region=site.region, minerals=list(site.minerals),
                      issued_on=dt.date(2019, 3, 15), expires_on=dt.date(2039, 3, 14))
    License(company=company, number="KG-DEMO-0001-AE", kind="exploration", project_name="Second")
    disclosure = Disclosure(company=company, period=period, version=1, status=DisclosureStatus.DRAFT,
                            payment_lines=[_line(spec, licence) for spec in LINES])
    db.session.add(disclosure)
    db.session.flush()
    return disclosure


def test_the_document_has_exactly_the_shape_of_the_get_body(disclosure):
    document = filing_document(disclosure)
    # INTERFACES.md §4, plus the optional "declarations" (explicit nil / not-applicable answers)
    assert set(document) == {"year", "company", "version", "status", "submitted_at", "sha256", "sections",
                             "declarations"}
    assert document["declarations"] == {}
    assert document["year"] == 2025
    assert document["company"] == {"inn": "00123456789012", "name": "Demo Ала-Тоо Mining LLC (ң, ө, ү)"}
    assert (document["version"], document["status"], document["submitted_at"], document["sha256"]) == (
        1, "draft", None, None)
    sections = document["sections"]
    assert set(sections) == {"payments", "eia", "social_agreements", "public_hearings", "workforce",
                             "production", "beneficial_owners", "profile"}
    assert sections["workforce"] == {} and sections["eia"] == []
    payment = next(p for p in sections["payments"] if p["revenue_stream"] == "VAT")
    assert payment == {"revenue_stream": "VAT", "government_entity": "STS", "project": "", "amount": "-500.00",
                       "currency": "KGS", "paid_in_kind": "no", "in_kind_volume": "", "in_kind_unit": "",
                       "recipient_locality": "", "comment": "VAT refund on exports"}
    in_kind = next(p for p in sections["payments"] if p["paid_in_kind"] == "yes")
    assert (in_kind["in_kind_volume"], in_kind["in_kind_unit"]) == ("1.250", "kg Ag")
    assert in_kind["comment"] == "Paid in silver"
    royalty = next(p for p in sections["payments"] if p["revenue_stream"] == "ROYALTY")
    assert (royalty["project"], royalty["comment"]) == ("KG-DEMO-9001-AP", "")

    profile = sections["profile"]
    assert profile["inn"] == "00123456789012" and profile["region"] == "CHUY"
    assert profile["state_share_pct"] == "30.00" and profile["is_state_share_free_carried"] is True
    assert profile["is_soe"] is False and profile["listing"] is None
    assert [lic["number"] for lic in profile["licences"]] == ["KG-DEMO-0001-AE", "KG-DEMO-9001-AP"]
    assert profile["licences"][1] == {
        "number": "KG-DEMO-9001-AP", "kind": "extraction", "project_name": "Kutessay", "site": "T1-01",
        "minerals": ["PB", "REE"], "issued_on": "2019-03-15", "expires_on": "2039-03-14", "status": "active"}
    assert profile["licences"][0]["site"] is None and profile["licences"][0]["issued_on"] is None


def test_amounts_are_strings_with_exactly_two_decimals(disclosure):
    amounts = {p["revenue_stream"]: p["amount"] for p in filing_document(disclosure)["sections"]["payments"]}
    assert amounts == {"ROYALTY": "1000.50", "CIT": "250000.00", "VAT": "-500.00", "BONUS": "120000.00",
                       "LOCAL_DEV": "7.00", "DIVIDENDS_STATE": "9000.00"}
    assert all(re.fullmatch(r"-?[0-9]+\.[0-9]{2}", a) for a in amounts.values())
    assert '"amount":"1000.50"' in canonical_json(filing_document(disclosure)).decode()


def test_the_hash_is_stable_and_matches_the_stored_document(disclosure):
    first = filing_sha256(disclosure)
    assert re.fullmatch(r"[0-9a-f]{64}", first)
    assert filing_sha256(disclosure) == first
    assert document_sha256(filing_document(disclosure)) == first
    disclosure_id = disclosure.id
    db.session.commit()
    db.session.expunge_all()  # read everything back from the database
    assert filing_sha256(db.session.get(Disclosure, disclosure_id)) == first


def test_the_hash_is_sha256_of_the_canonical_json_without_the_excluded_keys(disclosure):
    document = filing_document(disclosure)
    rest = {k: v for k, v in document.items() if k not in ("status", "submitted_at", "sha256")}
    text = json.dumps(rest, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    assert filing_sha256(disclosure) == hashlib.sha256(text).hexdigest()


def test_status_submission_time_and_stored_hash_do_not_change_the_hash(disclosure):
    before = filing_sha256(disclosure)
    disclosure.status = DisclosureStatus.ACCEPTED
    disclosure.submitted_at = dt.datetime(2026, 3, 31, 9, 15, 2, 123456, tzinfo=dt.timezone.utc)
    disclosure.sha256 = before
    disclosure.attested_by_name = "Someone Else"
    document = filing_document(disclosure)
    assert (document["status"], document["submitted_at"], document["sha256"]) == (
        "accepted", "2026-03-31T09:15:02Z", before)
    assert filing_sha256(disclosure) == before
    disclosure.version = 2  # the version is part of the content
    assert filing_sha256(disclosure) != before


def test_the_hash_changes_when_an_amount_changes(disclosure):
    before = filing_sha256(disclosure)
    disclosure.payment_lines[0].amount_minor += 1
    changed = filing_sha256(disclosure)
    assert changed != before
    disclosure.payment_lines[0].amount_minor -= 1
    assert filing_sha256(disclosure) == before
    disclosure.company.licenses[0].status = "suspended"  # the profile is covered too
    assert filing_sha256(disclosure) != before


def test_order_is_stable_regardless_of_insertion_order(disclosure):
    before = filing_document(disclosure)
    licence = db.session.scalar(select(License).where(License.number == "KG-DEMO-9001-AP"))
    disclosure.payment_lines = [_line(spec, licence) for spec in reversed(LINES)]
    db.session.flush()
    after = filing_document(disclosure)
    assert after == before
    assert canonical_json(after) == canonical_json(before)
    keys = [(p["revenue_stream"], p["government_entity"], p["project"]) for p in after["sections"]["payments"]]
    assert keys == sorted(keys)


def test_canonical_json_is_compact_sorted_and_utf8():
    assert canonical_json({"b": 1, "a": {"y": [1, 2], "x": "ң ө ү"}}) == (
        '{"a":{"x":"ң ө ү","y":[1,2]},"b":1}'.encode("utf-8"))


def test_times_are_iso_utc_with_z():
    bishkek = dt.timezone(dt.timedelta(hours=6))
    assert iso_utc(dt.datetime(2026, 3, 31, 15, 15, 2, 999, tzinfo=bishkek)) == "2026-03-31T09:15:02Z"
    assert iso_utc(dt.datetime(2026, 3, 31, 9, 15, 2)) == "2026-03-31T09:15:02Z"  # SQLite: naive UTC
    assert iso_utc(None) is None


def test_the_entity_comes_from_the_line_not_the_stream(disclosure):
    line = disclosure.payment_lines[1]
    line.government_entity = _code(GovernmentEntity, "MOF")
    payments = filing_document(disclosure)["sections"]["payments"]
    assert {p["government_entity"] for p in payments if p["revenue_stream"] == "CIT"} == {"MOF"}
