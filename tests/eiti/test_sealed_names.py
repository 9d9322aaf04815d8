"""Past documents keep the names of their day: a stored run's report and a sealed filing version show the
company, government entity and revenue stream names they were made with, whatever the register says today.

The demo data; the 2024 reconciliation is run, a filing of 2025 is submitted, then a company, an agency,
a revenue stream and a licence are renamed in the register (through the admin services where they exist).
"""
from __future__ import annotations

import io
import subprocess
from pathlib import Path

import openpyxl
import pytest
from flask import Flask
from sqlalchemy import select

from support import login
from esg_portal.accounts.models import User
from esg_portal.companies import services as companies
from esg_portal.companies.models import Company, License
from esg_portal.admin import services as admin
from esg_portal.demo.loader import DEMO_PASSWORD, load_demo
from esg_portal.disclosure import services as filings
from esg_portal.disclosure.document import filing_document, filing_sha256
from esg_portal.disclosure.models import Disclosure, DisclosureStatus
from esg_portal.eiti import runs
from esg_portal.eiti.models import ReconciliationLine, ReconciliationRun
from esg_portal.extensions import db
from esg_portal.money import percent_from_basis_points
from esg_portal.reference.models import GovernmentEntity, ReportingPeriod, RevenueStream

KUTESSAY = "01234567890123"
OLD = {"company": "Demo Kutessay Rare Metals LLC", "entity": "State Tax Service", "stream": "Royalty",
       "project": "Kutessay-II rare earths (demo)"}
NEW = {"company": "Newnamecompanyxq", "entity": "Newnameagencyxq", "stream": "Newnamestreamxq",
       "project": "Newnameprojectxq"}


@pytest.fixture
def demo_data(app: Flask, reference_mutable) -> Flask:
    """The demo data (``reference_mutable`` restores the shipped streams and agencies afterwards)."""
    with app.app_context():
        load_demo()
        db.session.commit()
    return app


def _user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def rename_in_register(app: Flask) -> None:
    """Rename the Kutessay company and one of its licences, the State Tax Service and the royalty stream."""
    with app.app_context():
        _rename()


def _rename() -> None:
    admin_user = _user("admin@demo.kg")
    company = db.session.scalar(select(Company).where(Company.inn == KUTESSAY))
    share = company.state_share_bp
    companies.update_company(
        admin_user, company, inn=company.inn, legal_name=NEW["company"], legal_form=company.legal_form,
        address=company.address, region_id=company.region_id,
        state_share_percent=percent_from_basis_points(share) if share is not None else None,
        is_state_share_free_carried=company.is_state_share_free_carried, is_soe=company.is_soe,
        website=company.website, listing=company.listing, audited_statements_url=company.audited_statements_url,
        is_registered=company.is_registered)
    licence = db.session.scalar(select(License).where(License.project_name == OLD["project"]))
    companies.update_licence(
        admin_user, licence, number=licence.number, kind=licence.kind, project_name=NEW["project"],
        site_id=licence.site_id, region_id=licence.region_id, mineral_ids=[m.id for m in licence.minerals],
        issued_on=licence.issued_on, expires_on=licence.expires_on, status=licence.status)
    agency = db.session.scalar(select(GovernmentEntity).where(GovernmentEntity.code == "STS"))
    admin.update_agency(admin_user, agency, name_ky=NEW["entity"], name_ru=NEW["entity"], name_en=NEW["entity"],
                        agency_type=agency.agency_type, level=agency.level, is_active=agency.is_active)
    # revenue streams come from the reference files only: no service renames one
    stream = db.session.scalar(select(RevenueStream).where(RevenueStream.code == "ROYALTY"))
    stream.name_en = stream.name_ru = stream.name_ky = NEW["stream"]
    db.session.commit()


def client_of(app: Flask, email: str):
    client = app.test_client()
    login(client, email, DEMO_PASSWORD)
    return client


def pdf_text(data: bytes, tmp_path: Path) -> str:
    """The PDF's text with every run of white space made one space (names may wrap inside a cell)."""
    assert data.startswith(b"%PDF")
    path = tmp_path / "document.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(text.split())


def xlsx_text(data: bytes) -> str:
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    return "\n".join(str(value) for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True)
                     for value in row if value is not None)


def assert_old_names(text: str, keys=("company", "entity", "stream")) -> None:
    for key in keys:
        assert OLD[key] in text, f"the old {key} name is missing"
        assert NEW[key] not in text, f"the new {key} name is shown"


# --- a stored run ------------------------------------------------------------------------

def run_2024(app: Flask) -> int:
    with app.app_context():
        run = runs.run_reconciliation(_user("secretariat@demo.kg"), 2024)
        db.session.commit()
        lines = db.session.scalars(select(ReconciliationLine).where(ReconciliationLine.run_id == run.id)).all()
        assert {(line.company_inn, line.government_entity, line.revenue_stream) for line in lines} >= {
            (KUTESSAY, "STS", "ROYALTY")}, "the run has a Kutessay royalty line of the State Tax Service"
        return run.id


def test_a_run_records_the_names_it_was_made_with(demo_data: Flask) -> None:
    run_id = run_2024(demo_data)
    rename_in_register(demo_data)
    with demo_data.app_context():
        names = db.session.get(ReconciliationRun, run_id).inputs["names"]
    assert names["companies"][KUTESSAY] == OLD["company"]
    assert names["government_entities"]["STS"]["name_en"] == OLD["entity"]
    assert names["revenue_streams"]["ROYALTY"]["name_en"] == OLD["stream"]
    assert names["revenue_streams"]["ROYALTY"]["gfs_code"] == "1415E1"
    assert names["gfs_codes"]["1415E1"]["name_en"]


def test_the_report_of_a_run_shows_its_names_after_a_rename(demo_data: Flask, tmp_path: Path) -> None:
    run_id = run_2024(demo_data)
    rename_in_register(demo_data)
    secretariat = client_of(demo_data, "secretariat@demo.kg")

    page = secretariat.get(f"/eiti/runs/{run_id}/report?lang=en")
    assert page.status_code == 200
    assert_old_names(page.get_data(as_text=True))

    workbook = secretariat.get(f"/eiti/runs/{run_id}/report.xlsx?lang=en")
    assert workbook.status_code == 200
    assert_old_names(xlsx_text(workbook.data))

    pdf = secretariat.get(f"/eiti/runs/{run_id}/report.pdf?lang=en")
    assert pdf.status_code == 200
    assert_old_names(pdf_text(pdf.data, tmp_path))

    russian = secretariat.get(f"/eiti/runs/{run_id}/report?lang=ru").get_data(as_text=True)
    assert "Государственная налоговая служба" in russian and NEW["entity"] not in russian


def test_a_run_stored_without_names_shows_the_register(demo_data: Flask) -> None:
    run_id = run_2024(demo_data)
    with demo_data.app_context():
        run = db.session.get(ReconciliationRun, run_id)
        run.inputs = {key: value for key, value in run.inputs.items() if key != "names"}
        run.lines_sha256 = None  # such a run also predates the lines' fingerprint
        db.session.commit()
    rename_in_register(demo_data)
    html = client_of(demo_data, "secretariat@demo.kg").get(f"/eiti/runs/{run_id}/report?lang=en").get_data(
        as_text=True)
    assert NEW["company"] in html and NEW["entity"] in html and NEW["stream"] in html


# --- a sealed filing version --------------------------------------------------------------

def submit_kutessay_2025(app: Flask) -> tuple[int, str, dict]:
    """The Kutessay draft of 2025 submitted by its signatory: (id, sha256, filing document)."""
    with app.app_context():
        period = db.session.scalar(select(ReportingPeriod).where(ReportingPeriod.year == 2025))
        company = db.session.scalar(select(Company).where(Company.inn == KUTESSAY))
        draft = filings.latest_version(company.id, period.id)
        assert draft.status is DisclosureStatus.DRAFT
        assert any(line.revenue_stream.code == "ROYALTY" and line.government_entity.code == "STS"
                   and line.license is not None and line.license.project_name == OLD["project"]
                   for line in draft.payment_lines), "a royalty line of the State Tax Service on the licence"
        filings.submit_disclosure(_user("filer1@demo.kg"), draft, attested_by_name="Aibek Demo-Filer",
                                  attested_by_position="Chief accountant", attestation_text="I attest.",
                                  confirm_carried_over=filings.unconfirmed_carried_over(draft))
        db.session.commit()
        return draft.id, draft.sha256, filing_document(draft)


def test_a_submitted_version_shows_the_names_as_filed_after_a_rename(demo_data: Flask, tmp_path: Path) -> None:
    disclosure_id, sha256, document = submit_kutessay_2025(demo_data)
    rename_in_register(demo_data)

    filer = client_of(demo_data, "filer1@demo.kg")
    receipt = filer.get(f"/disclosures/{disclosure_id}/receipt.pdf?lang=en")
    assert receipt.status_code == 200
    assert_old_names(pdf_text(receipt.data, tmp_path))

    page = filer.get(f"/disclosures/{disclosure_id}?lang=en")
    assert page.status_code == 200
    assert_old_names(page.get_data(as_text=True), keys=("company", "entity", "stream", "project"))

    review = client_of(demo_data, "secretariat@demo.kg").get(f"/review/filings/{disclosure_id}?lang=en")
    assert review.status_code == 200
    assert_old_names(review.get_data(as_text=True), keys=("company", "entity", "stream", "project"))

    # the names are kept beside the filed document, which is the same and hashes the same
    with demo_data.app_context():
        disclosure = db.session.get(Disclosure, disclosure_id)
        assert disclosure.sha256 == sha256 == filing_sha256(disclosure)
        assert filing_document(disclosure) == document
        assert "register_snapshot" not in str(document) and OLD["stream"] not in str(document["sections"]["payments"])
        recorded = disclosure.register_snapshot
        assert recorded["revenue_streams"]["ROYALTY"]["name_en"] == OLD["stream"]
        assert recorded["government_entities"]["STS"]["name_en"] == OLD["entity"]
        assert OLD["project"] in [licence["project_name"] for licence in recorded["licences"].values()]


def test_a_draft_shows_the_register_as_it_stands(demo_data: Flask) -> None:
    disclosure_id, _sha256, _document = submit_kutessay_2025(demo_data)
    rename_in_register(demo_data)
    with demo_data.app_context():
        submitted = db.session.get(Disclosure, disclosure_id)
        draft = filings.start_amendment(_user("filer1@demo.kg"), submitted.company, submitted.period,
                                        "The royalty was misstated.")
        db.session.commit()
        assert getattr(draft, "register_snapshot", None) is None
        draft_id = draft.id
    html = client_of(demo_data, "filer1@demo.kg").get(f"/disclosures/{draft_id}?lang=en").get_data(as_text=True)
    assert NEW["company"] in html and NEW["entity"] in html and NEW["stream"] in html and NEW["project"] in html
