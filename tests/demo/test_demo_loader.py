"""The demo data of INTERFACES.md §1: complete, deterministic, clearly fictional."""
from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from decimal import Decimal

import pytest
from flask import Flask
from sqlalchemy import select

from esg_portal.accounts.models import Role, User
from esg_portal.companies.models import Company
from esg_portal.demo.loader import DEMO_ACCOUNTS, DEMO_PASSWORD, database_is_empty, load_demo
from esg_portal.disclosure.document import filing_sha256, iso_utc
from esg_portal.disclosure.models import Disclosure, DisclosureStatus
from esg_portal.extensions import db
from esg_portal.money import from_minor, usd_minor_to_kgs_minor
from esg_portal.receipts.models import BatchStatus, ReceiptBatch
from esg_portal.reference.models import PeriodStatus, ReportingPeriod, RevenueStream
from support import login

INN = {"ompol": "01503201910042", "alay": "01106201410101", "talas": "02204201510068",
       "tossor": "01710201210079", "sary_jaz": "00719202200144"}


@pytest.fixture
def demo(app: Flask) -> Flask:
    with app.app_context():
        load_demo()
        db.session.commit()
    return app


def _period(year: int) -> ReportingPeriod:
    return db.session.scalar(select(ReportingPeriod).where(ReportingPeriod.year == year))


def _disclosures(year: int) -> list[Disclosure]:
    return list(db.session.scalars(select(Disclosure).where(Disclosure.period == _period(year))))


def _user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def test_2025_is_open_and_2024_closed_with_rates_deadlines_and_settings(demo, app_ctx):
    p2024, p2025 = _period(2024), _period(2025)
    assert (p2024.status, p2025.status) == (PeriodStatus.CLOSED, PeriodStatus.OPEN)
    assert (p2024.usd_rate_scaled, p2025.usd_rate_scaled) == (871500, 874500)
    utc = dt.timezone.utc
    assert p2024.filing_deadline_at.replace(tzinfo=utc) == dt.datetime(2025, 6, 30, 12, 0, tzinfo=utc)
    assert p2025.filing_deadline_at.replace(tzinfo=utc) == dt.datetime(2027, 3, 31, 12, 0, tzinfo=utc)
    for period in (p2024, p2025):
        assert period.company_threshold_minor > 0
        assert period.independent_administrator == "Demo Audit Partners LLC (fictional)"


def test_filers_sign_in_with_the_demo_password_and_belong_to_different_companies(demo):
    for email in ("filer1@demo.kg", "filer2@demo.kg", "admin@demo.kg", "secretariat@demo.kg", "sts@demo.kg"):
        client = demo.test_client()
        login(client, email, DEMO_PASSWORD)
    with demo.app_context():
        filer1, filer2 = _user("filer1@demo.kg"), _user("filer2@demo.kg")
        assert filer1.role is filer2.role is Role.COMPANY_FILER
        assert filer1.is_signatory and filer2.is_signatory
        assert filer1.company_id != filer2.company_id
        assert "Demo" in filer1.company.legal_name and "Demo" in filer2.company.legal_name
        assert _user("sts@demo.kg").agency.code == "STS"
        assert (_user("admin@demo.kg").role, _user("secretariat@demo.kg").role) == (Role.ADMIN, Role.SECRETARIAT)
        assistant = _user("filer1-assistant@demo.kg")
        assert assistant.company_id == filer1.company_id and not assistant.is_signatory
        emails = {u.email for u in db.session.scalars(select(User))}
        assert emails == {email for email, _ in DEMO_ACCOUNTS}


def test_the_filers_2025_filings_are_drafts_with_some_lines(demo, app_ctx):
    for email in ("filer1@demo.kg", "filer2@demo.kg"):
        company_id = _user(email).company_id
        [draft] = [d for d in _disclosures(2025) if d.company_id == company_id]
        assert draft.status is DisclosureStatus.DRAFT
        assert draft.submitted_at is None and draft.sha256 is None and draft.submitted_by_id is None
        assert draft.payment_lines


def test_the_filers_2025_drafts_show_what_carried_over_from_2024(demo, app_ctx):
    """filer1's and filer2's 2024 filings list owners and agreements; their 2025 drafts start from them."""
    from esg_portal.disclosure.sections import services as section_services
    for email, running, ended in (("filer1@demo.kg", ["СП-03/2023"], "СП-01/2022"),
                                  ("filer2@demo.kg", ["СП-11/2024"], None)):
        company_id = _user(email).company_id
        [filed] = [d for d in _disclosures(2024) if d.company_id == company_id]
        [draft] = [d for d in _disclosures(2025) if d.company_id == company_id]
        owners = section_services.restricted_view(filed, "beneficial_owners")
        assert len(owners) == 2 and all(o["date_of_birth"] and o["id_document"] for o in owners)
        # the private fields stay out of the filed document and its hash
        assert "date_of_birth" not in str(section_services.section_items(filed, "beneficial_owners"))
        assert draft.carried_over == ["profile", "social_agreements", "beneficial_owners"]
        assert section_services.restricted_view(draft, "beneficial_owners") == owners
        agreements = section_services.section_items(draft, "social_agreements")
        assert [a["agreement_number"] for a in agreements] == running
        assert all(a["disbursed_cash_kgs"] is None for a in agreements)
        filed_numbers = [a["agreement_number"] for a in section_services.section_items(filed, "social_agreements")]
        assert ended is None or ended in filed_numbers
    # other companies file no ESG sections in the demo and carry nothing
    others = [d for d in _disclosures(2025) if d.company_id not in {_user("filer1@demo.kg").company_id,
                                                                      _user("filer2@demo.kg").company_id}]
    assert all(not d.sections and not d.carried_over for d in others)


def test_every_submitted_filing_carries_its_recomputed_hash_and_attestation(demo, app_ctx):
    submitted = [d for d in db.session.scalars(select(Disclosure)) if d.status is not DisclosureStatus.DRAFT]
    assert len(submitted) == 23
    for disclosure in submitted:
        assert disclosure.sha256 == filing_sha256(disclosure), disclosure.company.legal_name
        assert disclosure.submitted_at is not None
        assert disclosure.attested_by_name and disclosure.attested_by_position and disclosure.attestation_text
    filer1 = _user("filer1@demo.kg")
    [own_2024] = [d for d in _disclosures(2024) if d.company_id == filer1.company_id]
    assert own_2024.submitted_by_id == filer1.id and own_2024.attested_by_name == filer1.full_name


def test_2025_spreads_the_companies_over_every_status(demo, app_ctx):
    filings = _disclosures(2025)
    statuses = {d.status for d in filings}
    assert statuses == set(DisclosureStatus)
    [superseded] = [d for d in filings if d.status is DisclosureStatus.SUPERSEDED]
    [amendment] = [d for d in filings if d.company_id == superseded.company_id and d.version == 2]
    assert amendment.status is DisclosureStatus.SUBMITTED and amendment.amendment_reason
    assert superseded.version == 1 and superseded.amendment_reason is None
    assert superseded.sha256 != amendment.sha256
    [nil] = [d for d in filings if d.declaration("payments") is not None]
    assert nil.declaration("payments").reason and not nil.payment_lines and nil.status is DisclosureStatus.SUBMITTED


def test_companies_are_fictional_with_text_inns_and_licences_at_programme_sites(demo, app_ctx):
    companies = list(db.session.scalars(select(Company)))
    assert len(companies) == 13
    assert all(re.fullmatch(r"[0-9]{14}", c.inn) and "Demo" in c.legal_name for c in companies)
    assert sum(c.inn.startswith("0") for c in companies) >= 5
    registered = [c for c in companies if c.is_registered]
    assert len(registered) == 12
    [unregistered] = [c for c in companies if not c.is_registered]
    assert unregistered.inn == INN["sary_jaz"] and not unregistered.users and not unregistered.licenses
    assert all(c.website.startswith("https://") and c.website.endswith(".example.kg") for c in registered)
    assert any(c.is_soe and c.state_share_bp == 10000 for c in registered)
    assert sum(c.state_share_bp == 3000 and c.is_state_share_free_carried for c in registered) == 2
    licences = [lic for c in registered for lic in c.licenses]
    assert len({lic.site.code for lic in licences}) == 25
    for licence in licences:
        assert re.fullmatch(r"KG-DEMO-[0-9]{4}-A[PE]", licence.number)
        assert licence.region_id == licence.site.region_id and licence.minerals == licence.site.minerals
        assert licence.issued_on < licence.expires_on


def test_2024_filings_cover_the_streams_and_special_lines(demo, app_ctx):
    filings = _disclosures(2024)
    assert len(filings) == 12 and {d.status for d in filings} == {DisclosureStatus.ACCEPTED, DisclosureStatus.SUBMITTED}
    assert sum(d.status is DisclosureStatus.ACCEPTED for d in filings) == 10
    lines = [line for d in filings for line in d.payment_lines]
    assert {line.revenue_stream.code for line in lines} >= {
        "ROYALTY", "BONUS", "LICENCE_FEE", "REVENUE_TAX", "LOCAL_DEV", "CIT", "VAT", "CUSTOMS", "EXPORT_DUTY",
        "PROPERTY_TAX", "SOCIAL_FUND", "POLLUTION_FEE", "DIVIDENDS_STATE"}
    for line in lines:
        assert line.government_entity_id == line.revenue_stream.default_entity_id
        assert (line.license_id is not None) == line.revenue_stream.is_levied_per_project
        if line.revenue_stream.code == "LOCAL_DEV":
            assert line.recipient_locality
        if line.amount_minor < 0:
            assert line.comment
    assert sum(line.currency == "USD" for line in lines) == 2
    [in_kind] = [line for line in lines if line.is_paid_in_kind]
    assert in_kind.in_kind_volume == "850.000" and in_kind.in_kind_unit == "kg Ag"
    [refund] = [line for line in lines if line.amount_minor < 0]
    assert refund.revenue_stream.code == "VAT" and refund.disclosure.company.inn == INN["ompol"]
    dividends = {line.disclosure.company_id for line in lines if line.revenue_stream.code == "DIVIDENDS_STATE"}
    assert dividends == {c.id for c in db.session.scalars(select(Company)) if c.state_share_bp}


def _sums_2024() -> tuple[dict, dict]:
    """(company INN, stream) → KGS, for the companies' filings and the agencies' receipts."""
    rate = _period(2024).usd_rate_scaled
    paid: dict[tuple[str, str], int] = defaultdict(int)
    for disclosure in _disclosures(2024):
        for line in disclosure.payment_lines:
            minor = line.amount_minor if line.currency == "KGS" else usd_minor_to_kgs_minor(line.amount_minor, rate)
            paid[(disclosure.company.inn, line.revenue_stream.code)] += minor
    received: dict[tuple[str, str], int] = defaultdict(int)
    for batch in db.session.scalars(select(ReceiptBatch).where(ReceiptBatch.period == _period(2024))):
        for receipt in batch.receipts:
            assert receipt.currency == "KGS"
            received[(receipt.company.inn, receipt.revenue_stream.code)] += receipt.amount_minor
    return paid, received


def test_receipts_mirror_the_payments_except_for_the_designed_discrepancies(demo, app_ctx):
    paid, received = _sums_2024()
    gaps = {key: from_minor(received.get(key, 0) - paid.get(key, 0), "KGS") for key in set(paid) | set(received)}
    gaps = {key: gap for key, gap in gaps.items() if gap}
    unreported = (INN["talas"], "POLLUTION_FEE")
    assert (INN["talas"], "POLLUTION_FEE") not in paid and received[unreported] > 0
    assert gaps.pop(unreported) == from_minor(received[unreported], "KGS")
    assert {key: gap for key, gap in gaps.items() if key[0] != INN["sary_jaz"]} == {
        (INN["ompol"], "CIT"): Decimal("-1850000.00"),  # timing: booked by the tax service in 2025
        (INN["alay"], "ROYALTY"): Decimal("-450000.00"),  # classification: part of the royalty ...
        (INN["alay"], "REVENUE_TAX"): Decimal("450000.00"),  # ... booked as revenue tax
        (INN["tossor"], "PROPERTY_TAX"): Decimal("0.40"),  # rounding, inside any margin
    }
    assert {key[1] for key in gaps if key[0] == INN["sary_jaz"]} == {"CIT", "VAT", "PROPERTY_TAX"}


def test_receipt_batches_2024_from_every_agency_and_a_2025_draft(demo, app_ctx):
    batches = list(db.session.scalars(select(ReceiptBatch)))
    submitted = {b.agency.code for b in batches if b.period.year == 2024 and b.status is BatchStatus.SUBMITTED}
    assert submitted == {"STS", "SCS", "MNR", "SF", "SPMF", "LSG"}
    for batch in (b for b in batches if b.period.year == 2024):
        assert batch.submitted_at is not None and batch.receipts
        streams = {r.revenue_stream for r in batch.receipts}
        assert all(s.default_entity_id == batch.agency_id for s in streams)
    [draft] = [b for b in batches if b.period.year == 2025]
    assert (draft.agency.code, draft.status, draft.submitted_at) == ("STS", BatchStatus.DRAFT, None)
    assert len(draft.receipts) >= 3
    sts = _user("sts@demo.kg")
    assert [b.submitted_by_id for b in batches if b.agency.code == "STS" and b.period.year == 2024] == [sts.id]


def _fingerprint() -> list[tuple]:
    """Everything that matters, without database ids."""
    filings = sorted((d.period.year, d.company.inn, d.version, d.status.value, d.sha256, iso_utc(d.submitted_at))
                     for d in db.session.scalars(select(Disclosure)))
    receipts = sorted((r.batch.period.year, r.batch.agency.code, r.company.inn, r.revenue_stream.code,
                       r.license.number if r.license else "", r.amount_minor)
                      for b in db.session.scalars(select(ReceiptBatch)) for r in b.receipts)
    return filings + receipts


def test_loading_is_deterministic(app_ctx):
    load_demo()
    first = _fingerprint()
    db.session.rollback()
    assert database_is_empty()
    load_demo()
    assert _fingerprint() == first


def test_loading_twice_is_refused(demo, runner):
    with demo.app_context():
        assert not database_is_empty()
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code != 0 and "empty" in result.output
    result = runner.invoke(args=["setup-demo"])
    assert result.exit_code == 0 and "left as it is" in result.output
    with demo.app_context():
        assert len(list(db.session.scalars(select(Company)))) == 13


def test_setup_demo_loads_an_empty_database(runner, app):
    result = runner.invoke(args=["setup-demo"])
    assert result.exit_code == 0, result.output
    assert "Demo data loaded; 2024 reconciled and published as version 1" in result.output
    with app.app_context():
        assert _period(2025).status is PeriodStatus.OPEN
        # a published year (README): the open data of 2024 are served
        from esg_portal.eiti.publication.models import Release
        release = db.session.scalar(select(Release))
        assert release is not None and release.period.year == 2024 and release.version == 1
        assert db.session.scalar(select(RevenueStream).where(RevenueStream.code == "ROYALTY")) is not None
