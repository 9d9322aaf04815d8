"""Releases on the demo data: publish through the API, every file of INTERFACES §6 served immutably, versions,
personal data and unpublished figures never in any file, formulas neutralised, the data package valid."""
from __future__ import annotations

import hashlib
import io
import json
import re
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest
from flask import Flask
from sqlalchemy import select

from support import login, post_form
from publication_support import FORMULAS, YEAR, publish as _publish, token as _token
from esg_portal.accounts.models import Role, User
from esg_portal.demo.loader import DEMO_PASSWORD
from esg_portal.disclosure.models import Disclosure, DisclosureSection, DisclosureStatus
from esg_portal.eiti.publication.models import Release, ReleaseFile
from esg_portal.extensions import db
from esg_portal.reference.models import ReportingPeriod

EXPECTED_FILES = {f"summary-data-{YEAR}.xlsx", "Part 1 - About.csv", "Part 3 - Reporting companies' list.csv",
                  "Part 3 - Reporting government entities list.csv", "Part 3 - Reporting projects' list.csv",
                  "Part 4 - Government revenues.csv", "Part 5 - Company data.csv", "reconciliation.csv",
                  "reconciliation.xlsx", "eia.csv", "social_agreements.csv", "public_hearings.csv", "workforce.csv",
                  "production.csv", "beneficial_owners.json", "data.json", "datapackage.json",
                  f"report-{YEAR}-ky.pdf", f"report-{YEAR}-ru.pdf", f"report-{YEAR}-en.pdf", "changes.json",
                  "manifest.json"}


def _files(app: Flask, version: int) -> dict[str, bytes]:
    with app.app_context():
        release = db.session.scalar(select(Release).where(Release.version == version).join(ReportingPeriod)
                                    .where(ReportingPeriod.year == YEAR))
        return {f.name: f.content for f in db.session.scalars(select(ReleaseFile)
                                                              .where(ReleaseFile.release_id == release.id))}


def _texts(files: dict[str, bytes], tmp_path: Path) -> dict[str, str]:
    """Every file as searchable text: XLSX unzipped, PDFs through pdftotext, the rest decoded."""
    out = {}
    for name, content in files.items():
        if name.endswith(".xlsx"):
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                out[name] = "\n".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())
        elif name.endswith(".pdf"):
            path = tmp_path / "f.pdf"
            path.write_bytes(content)
            out[name] = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                                       check=True).stdout
        else:
            out[name] = content.decode("utf-8", "replace")
    return out


def test_publish_writes_every_file_with_its_manifest_and_serves_them_immutably(demo: Flask) -> None:
    client = demo.test_client()
    response = _publish(demo, client)
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert body["year"] == YEAR and body["version"] == 1
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", body["published_at"])
    names = {f["name"] for f in body["files"]}
    assert EXPECTED_FILES - {"manifest.json"} <= names
    files = _files(demo, 1)
    assert EXPECTED_FILES <= set(files)
    manifest = json.loads(files["manifest.json"])
    assert manifest["files"] == body["files"]
    for entry in manifest["files"]:
        assert hashlib.sha256(files[entry["name"]]).hexdigest() == entry["sha256"]
        assert len(files[entry["name"]]) == entry["bytes"]

    name = "Part 4 - Government revenues.csv"
    served = client.get(f"/open-data/{YEAR}/v1/{name}")
    assert served.status_code == 200 and served.data == files[name]
    assert served.headers["ETag"] == f'"{hashlib.sha256(files[name]).hexdigest()}"'
    assert served.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    again = client.get(f"/open-data/{YEAR}/v1/{name}", headers={"If-None-Match": served.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    latest = client.get(f"/open-data/{YEAR}/latest/{name}")
    assert latest.status_code == 302 and latest.headers["Location"].endswith(f"/open-data/{YEAR}/v1/{name}".replace(
        " ", "%20").replace("'", "%27")) or latest.headers["Location"].endswith(f"/open-data/{YEAR}/v1/Part%204%20-%20Government%20revenues.csv")
    assert client.get(f"/open-data/{YEAR}/v2/{name}").status_code == 404
    assert client.get(f"/open-data/{YEAR}/v1/no-such-file.csv").status_code == 404
    assert client.get(f"/open-data/{YEAR}/v1/attachments/../data.json").status_code == 404


def test_unchanged_and_nothing_to_publish_are_refused(demo: Flask, factory) -> None:
    assert _publish(demo).status_code == 201
    second = _publish(demo)
    assert second.status_code == 409
    assert second.get_json()["error"]["code"] == "unchanged" and second.get_json()["error"]["version"] == 1
    with demo.app_context():
        empty = ReportingPeriod(year=2019, start_date=__import__("datetime").date(2019, 1, 1),
                                end_date=__import__("datetime").date(2019, 12, 31))
        db.session.add(empty)
        db.session.commit()
    token = _token(demo, Role.SECRETARIAT)
    refused = demo.test_client().post("/api/v1/releases/2019", headers={"Authorization": f"Bearer {token}"})
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "nothing_to_publish"
    filer = _token(demo, Role.COMPANY_FILER)
    assert demo.test_client().post(f"/api/v1/releases/{YEAR}",
                                   headers={"Authorization": f"Bearer {filer}"}).status_code == 403


def test_v1_never_changes_after_v2_and_after_amendments_are_accepted(demo: Flask) -> None:
    assert _publish(demo).status_code == 201
    v1 = _files(demo, 1)
    with demo.app_context():
        # the secretariat accepts a filing that was under review: v2 publishes it
        pending = db.session.scalar(select(Disclosure).where(Disclosure.status == DisclosureStatus.SUBMITTED)
                                    .join(ReportingPeriod).where(ReportingPeriod.year == YEAR).limit(1))
        pending.status = DisclosureStatus.ACCEPTED
        inn = pending.company.inn
        db.session.commit()
    response = _publish(demo)
    assert response.status_code == 201 and response.get_json()["version"] == 2
    v2 = _files(demo, 2)
    assert _files(demo, 1) == v1
    changes = json.loads(v2["changes.json"])
    assert inn in {c["inn"] for c in changes["companies"]["refiled"]} | {c["inn"] for c in changes["companies"]["added"]}
    assert changes["company_payments"]["added"], "the newly accepted filing's lines are listed as added"
    with demo.app_context():
        stored = db.session.scalar(select(ReleaseFile).where(ReleaseFile.name == "data.json").limit(1))
        stored.content = b"tampered"
        with pytest.raises(Exception):
            db.session.flush()
        db.session.rollback()
    assert _files(demo, 1) == v1
    client = demo.test_client()
    assert client.get(f"/open-data/{YEAR}/latest/data.json").headers["Location"].endswith("/v2/data.json")
    assert client.get(f"/open-data/{YEAR}/v1/data.json").data == v1["data.json"]


def test_no_personal_data_draft_or_unaccepted_figure_reaches_any_file(demo: Flask, tmp_path: Path) -> None:
    assert _publish(demo).status_code == 201
    files = _files(demo, 1)
    texts = _texts(files, tmp_path)
    with demo.app_context():
        emails = [u.email for u in db.session.scalars(select(User))]
        owner_rows = list(db.session.scalars(select(DisclosureSection).where(
            DisclosureSection.section == "beneficial_owners")))
        private = {value for row in owner_rows for item in (row.restricted or []) for value in item.values() if value}
    assert "PLANTEDID-77" in private
    markers = ["Planted Attester Name", "planted-attester@mail.example", "PLANTED-UNDER-REVIEW", "PLANTED-DRAFT",
               "987654321.01", "98765432101", "1959-07-13", "13.07.1959", "PLANTEDID-77", *emails, *private]
    for name, text in texts.items():
        for marker in markers:
            assert marker not in text, f"{marker!r} found in {name}"
        for marker in markers:
            assert marker.encode() not in files[name], f"{marker!r} found in the bytes of {name}"
    data = json.loads(files["data.json"])
    under_review = {c["inn"] for c in data["under_review"]}
    assert under_review
    withheld = [line for line in data["reconciliation"]["lines"] if line["company_inn"] in under_review]
    assert withheld and all(line["status"] == "withheld" and line["company_initial"] is None
                            and line["final_gap"] is None for line in withheld)
    assert not under_review & {p["company_inn"] for p in data["company_payments"]}


def test_formulas_typed_by_users_are_neutralised_in_every_csv_and_xlsx(demo: Flask) -> None:
    assert _publish(demo).status_code == 201
    files = _files(demo, 1)
    seen = set()
    for name, content in files.items():
        if name.endswith(".csv"):
            text = content.decode("utf-8")
            for formula in FORMULAS:
                for cell in re.findall(r'(?:^|,)"?(' + re.escape(formula[:6]) + ')', text, flags=re.M):
                    raise AssertionError(f"a live formula {cell!r} in {name}")
                if "'" + formula in text or "'" + formula.replace('"', '""') in text:
                    seen.add(formula)
        elif name.endswith(".xlsx"):
            workbook = openpyxl.load_workbook(io.BytesIO(content))
            for ws in workbook.worksheets:
                for row in ws.iter_rows():
                    for cell in row:
                        if isinstance(cell.value, str) and cell.value in FORMULAS:
                            assert cell.data_type == "s" and cell.quotePrefix, f"{name}!{cell.coordinate}"
                            seen.add(cell.value)
    assert set(FORMULAS) <= seen, "every planted formula was published, neutralised"


def test_the_data_package_validates_with_frictionless(demo: Flask, tmp_path: Path) -> None:
    from frictionless import Package

    assert _publish(demo).status_code == 201
    for name, content in _files(demo, 1).items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    package = json.loads((tmp_path / "datapackage.json").read_text())
    assert package["licenses"][0]["name"] == "CC-BY-4.0" and package["version"] == "1.0.0"
    money = next(f for r in package["resources"] if r["path"] == "reconciliation.csv" for f in r["schema"]["fields"]
                 if f["name"] == "final_gap")
    assert money["type"] == "number" and money["decimalChar"] == "."
    report = Package(str(tmp_path / "datapackage.json")).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:20]
    # the validation can fail: a money cell with grouping is an error
    broken = tmp_path / "reconciliation.csv"
    lines = broken.read_text().splitlines()
    cells = lines[1].split(",")
    cells[6] = '"1,234.00"'
    broken.write_text("\n".join([lines[0], ",".join(cells), *lines[2:]]) + "\n")
    package_json = json.loads((tmp_path / "datapackage.json").read_text())
    for resource in package_json["resources"]:
        resource.pop("hash", None)
        resource.pop("bytes", None)
    (tmp_path / "datapackage.json").write_text(json.dumps(package_json))
    assert not Package(str(tmp_path / "datapackage.json")).validate().valid


def test_the_publish_page_previews_and_publishes(demo: Flask) -> None:
    client = demo.test_client()
    login(client, "secretariat@demo.kg", DEMO_PASSWORD)
    page = client.get(f"/eiti/{YEAR}/publish")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="under-review-' in html and 'id="publish-now"' in html and 'id="withheld-lines"' in html
    response = post_form(client, f"/eiti/{YEAR}/publish", {}, form_page=f"/eiti/{YEAR}/publish")
    assert response.status_code == 302
    html = client.get(f"/eiti/{YEAR}/publish").get_data(as_text=True)
    assert 'id="release-1"' in html and 'id="unchanged"' in html
    index = demo.test_client().get(f"/open-data/{YEAR}/v1/")
    assert index.status_code == 200 and "summary-data-2024.xlsx" in index.get_data(as_text=True)
    for email in ("filer1@demo.kg", "sts@demo.kg", "admin@demo.kg"):
        other = demo.test_client()
        login(other, email, DEMO_PASSWORD)
        assert other.get(f"/eiti/{YEAR}/publish").status_code == 403
        assert post_form(other, f"/eiti/{YEAR}/publish", {}, form_page="/").status_code == 403
    assert demo.test_client().get(f"/eiti/{YEAR}/publish").status_code == 302


def test_the_reports_render_with_the_kyrgyz_and_russian_names_and_the_totals(demo: Flask, tmp_path: Path) -> None:
    from decimal import Decimal

    from babel.numbers import format_decimal

    assert _publish(demo).status_code == 201
    files = _files(demo, 1)
    data = json.loads(files["data.json"])
    regional = sorted(name for name in files if re.fullmatch(rf"report-{YEAR}-[a-z_]+-(ky|ru|en)\.pdf", name))
    assert regional, "a report per region with data"
    manifest = {f["name"] for f in json.loads(files["manifest.json"])["files"]}
    assert set(regional) <= manifest
    total = sum(Decimal(r["amount"]) for r in data["government_revenues"] if r["currency"] == "KGS")
    streams = {s["code"]: s for s in data["revenue_streams"]}
    for locale in ("ky", "ru"):
        path = tmp_path / f"report-{locale}.pdf"
        path.write_bytes(files[f"report-{YEAR}-{locale}.pdf"])
        subprocess.run(["pdftoppm", "-r", "40", "-png", str(path), str(tmp_path / f"page-{locale}")], check=True)
        assert list(tmp_path.glob(f"page-{locale}*.png")), "the report renders"
        text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
        flat = " ".join(text.split())
        assert streams["ROYALTY"]["name"][locale] in flat
        assert streams["LOCAL_DEV"]["name"][locale].split()[0] in flat
        figure = format_decimal(total, format="#,##0.00", locale=locale)
        assert figure.replace("\u00a0", " ") in flat.replace("\u00a0", " "), f"the total {figure} in {locale}"
    fonts = subprocess.run(["pdffonts", str(tmp_path / "report-ky.pdf")], capture_output=True, text=True,
                           check=True).stdout
    assert "DejaVu" in fonts


def test_the_files_the_sections_name_are_published_and_no_other(demo: Flask, tmp_path: Path) -> None:
    from attachment_files import pdf_bytes, temporary_attachments_dir

    temporary_attachments_dir(demo, tmp_path)
    from esg_portal.disclosure.attachments import storage_root
    from esg_portal.disclosure.models import Attachment

    named, unnamed = pdf_bytes("Signed agreement SP-03"), pdf_bytes("An internal memo")
    with demo.app_context():
        rows = {}
        agreements = db.session.scalar(select(DisclosureSection).where(DisclosureSection.section == "social_agreements")
                                       .join(Disclosure).where(Disclosure.status == DisclosureStatus.ACCEPTED))
        disclosure = agreements.disclosure
        for key, content in (("named", named), ("unnamed", unnamed)):
            sha = hashlib.sha256(content).hexdigest()
            folder = storage_root() / str(disclosure.company_id)
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{key:x<32}").write_bytes(content)
            db.session.add(Attachment(company_id=disclosure.company_id, period_id=disclosure.period_id,
                                      disclosure_id=disclosure.id, original_name=f"{key}.pdf",
                                      stored_name=f"{key:x<32}", sha256=sha, media_type="application/pdf",
                                      size_bytes=len(content)))
            rows[key] = sha
        agreements.data = [{**agreements.data[0], "agreement_attachment": rows["named"]}, *agreements.data[1:]]
        db.session.commit()
    assert _publish(demo).status_code == 201
    files = _files(demo, 1)
    assert files[f"attachments/{rows['named']}.pdf"] == named
    assert f"attachments/{rows['unnamed']}.pdf" not in files
    assert not any(unnamed == content for content in files.values())
    served = demo.test_client().get(f"/open-data/{YEAR}/v1/attachments/{rows['named']}.pdf")
    assert served.status_code == 200 and served.data == named and served.mimetype == "application/pdf"
