"""Historic EITI data as "imported" releases: export → import → export is identical, EITI's own Armenia
CSVs import (Part 4 alone and all parts), the same file twice gives the same release, a blocked file
stores nothing; through the service, the command line and the publication page."""
from __future__ import annotations

import csv
import io
import json
import shutil
import zipfile
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from publication_support import YEAR, as_kyrgyz, publish, secretariat
from support import empty_domain_tables, login, post_form
from esg_portal.eiti.publication import services
from esg_portal.eiti.publication.models import Release, ReleaseFile, ReleaseKind
from esg_portal.eiti.publication.sdt import read_source, read_upload
from esg_portal.eiti.publication.sdt.model import CSV_NAMES
from esg_portal.extensions import db
from esg_portal.reference.models import ReportingPeriod

ARMENIA = Path(__file__).resolve().parents[2] / "data" / "eiti" / "armenia_2019"
PART_FILES = sorted(CSV_NAMES.values())


def _files(release_id: int) -> dict[str, bytes]:
    return {f.name: f.content for f in db.session.scalars(select(ReleaseFile).where(ReleaseFile.release_id == release_id))}


def _kyrgyz_copy(tmp_path: Path) -> Path:
    return as_kyrgyz(ARMENIA, tmp_path / "armenia-as-kgz")


def test_export_import_export_is_identical_file_for_file(demo: Flask) -> None:
    assert publish(demo).status_code == 201
    with demo.app_context():
        exported = _files(db.session.scalar(select(Release.id)))
        empty_domain_tables()  # a new, empty instance
    workbook = exported[f"summary-data-{YEAR}.xlsx"]
    with demo.app_context():
        result = read_upload(workbook, f"summary-data-{YEAR}.xlsx", year=YEAR)
        assert result.grade != "blocked", [f.as_dict() for f in result.findings]
        release = services.import_release(None, YEAR, result)
        db.session.commit()
        assert release.kind is ReleaseKind.IMPORTED and release.version == 1
        again = _files(release.id)
        sources = json.loads(again["manifest.json"])["sources"]
        assert sources[0]["sha256"] == __import__("hashlib").sha256(workbook).hexdigest()
        # the same file twice: the same release, no doubled rows
        repeated = services.import_release(None, YEAR, read_upload(workbook, f"summary-data-{YEAR}.xlsx", year=YEAR))
        assert repeated.id == release.id
        assert db.session.scalar(select(func.count(Release.id))) == 1
    for name in [f"summary-data-{YEAR}.xlsx", *PART_FILES]:
        assert again[name] == exported[name], f"{name} differs after export → import → export"
    # and an imported release round-trips in every file but the manifest's times
    with demo.app_context():
        empty_domain_tables()
        second = services.import_release(None, YEAR, read_upload(again[f"summary-data-{YEAR}.xlsx"],
                                                                 "summary.xlsx", year=YEAR))
        db.session.commit()
        third = _files(second.id)
    differing = {name for name in set(again) | set(third) if again.get(name) != third.get(name)}
    assert differing <= {"manifest.json", "data.json", "datapackage.json", f"report-{YEAR}-ky.pdf",
                         f"report-{YEAR}-ru.pdf", f"report-{YEAR}-en.pdf"}
    assert json.loads(third["data.json"])["sdt"] == json.loads(again["data.json"])["sdt"]


def test_the_same_file_twice_gives_the_same_release(app: Flask, tmp_path: Path) -> None:
    folder = _kyrgyz_copy(tmp_path)
    part4 = folder / "sdt_v2_armenia_2019_part4_government_revenues.csv"
    with app.app_context():
        first = services.import_release(None, 2019, read_source(part4, year=2019))
        db.session.commit()
        second = services.import_release(None, 2019, read_source(part4, year=2019))
        db.session.commit()
        assert second.id == first.id
        assert db.session.scalar(select(func.count(Release.id))) == 1
        files = _files(first.id)
    rows = list(csv.DictReader(io.StringIO(files["Part 4 - Government revenues.csv"].decode("utf-8"))))
    source_rows = list(csv.DictReader(io.StringIO(part4.read_text(encoding="utf-8"))))
    assert len(rows) == len(source_rows) > 10
    assert {r["Country"] for r in rows} == {"Kyrgyz Republic"} and {r["Year"] for r in rows} == {"2019"}


def test_armenia_imports_as_part_4_alone_and_as_a_zip_of_every_part(app: Flask, tmp_path: Path) -> None:
    folder = _kyrgyz_copy(tmp_path)
    archive = tmp_path / "bulk.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for path in folder.glob("*.csv"):
            zipped.write(path, f"eiti/{path.name}")
    with app.app_context():
        result = read_source(archive, year=2019)
        assert result.grade == "needs_review"  # amounts in AMD, not KGS
        release = services.import_release(None, 2019, result)
        db.session.commit()
        files = _files(release.id)
        period = db.session.scalar(select(ReportingPeriod).where(ReportingPeriod.year == 2019))
        assert period is not None and period.start_date.isoformat() == "2019-01-01"
    for name in PART_FILES:
        assert name in files
    companies = list(csv.DictReader(io.StringIO(files["Part 3 - Reporting companies' list.csv"].decode())))
    assert len(companies) == len(list(csv.DictReader(io.StringIO(
        (ARMENIA / "sdt_v2_armenia_2019_part3a_reporting_companies.csv").read_text(encoding="utf-8")))))
    data = json.loads(files["data.json"])
    assert data["kind"] == "imported" and all(c["historic"] for c in data["companies"])
    public = app.test_client().get("/api/v1/public/government-revenues?year=2019&limit=1000").get_json()
    assert public["total"] == len(data["sdt"]["government_revenues"]) > 10


def test_a_blocked_file_stores_nothing(app: Flask) -> None:
    part4 = ARMENIA / "sdt_v2_armenia_2019_part4_government_revenues.csv"
    with app.app_context():
        result = read_source(part4, year=2019)
        assert result.grade == "blocked"
        assert any(f.column in ("ISO Code", "Country") for f in result.findings if f.grade == "blocked")
        with pytest.raises(services.ImportBlocked):
            services.import_release(None, 2019, result)
        db.session.rollback()
        assert db.session.scalar(select(func.count(Release.id))) == 0
        assert db.session.scalar(select(ReportingPeriod).where(ReportingPeriod.year == 2019)) is None


def test_a_period_with_filings_takes_no_import(demo: Flask, tmp_path: Path) -> None:
    assert publish(demo).status_code == 201
    with demo.app_context():
        workbook = _files(db.session.scalar(select(Release.id)))[f"summary-data-{YEAR}.xlsx"]
        result = read_upload(workbook, "summary.xlsx", year=YEAR)
        with pytest.raises(services.ImportBlocked):
            services.import_release(secretariat(demo), YEAR, result)


def test_the_command_line_imports_and_refuses_with_exit_2(app: Flask, tmp_path: Path) -> None:
    folder = _kyrgyz_copy(tmp_path)
    runner = app.test_cli_runner()
    done = runner.invoke(args=["eiti", "import-sdt", str(folder), "--year", "2019"])
    assert done.exit_code == 0, done.output
    assert "Imported 2019 as version 1" in done.output
    blocked = runner.invoke(args=["eiti", "import-sdt", str(ARMENIA), "--year", "2018"])
    assert blocked.exit_code == 2
    shutil.rmtree(folder)


def test_the_publication_page_takes_an_upload_and_lists_the_findings(demo: Flask, tmp_path: Path) -> None:
    from esg_portal.demo.loader import DEMO_PASSWORD

    folder = _kyrgyz_copy(tmp_path)
    client = demo.test_client()
    login(client, "secretariat@demo.kg", DEMO_PASSWORD)
    with demo.app_context():
        db.session.add(ReportingPeriod(year=2019, start_date=__import__("datetime").date(2019, 1, 1),
                                       end_date=__import__("datetime").date(2019, 12, 31)))
        db.session.commit()
    part4 = (folder / "sdt_v2_armenia_2019_part4_government_revenues.csv").read_bytes()
    response = post_form(client, "/eiti/2019/import", {"file": (io.BytesIO(part4), "Part 4.csv")},
                         form_page="/eiti/2019/publish", content_type="multipart/form-data")
    assert response.status_code == 200, response.get_data(as_text=True)[:1000]
    html = response.get_data(as_text=True)
    assert 'id="findings"' in html and "finding-needs_review" in html
    assert 'id="release-1"' in html
    armenian = (ARMENIA / "sdt_v2_armenia_2019_part4_government_revenues.csv").read_bytes()
    refused = post_form(client, "/eiti/2019/import", {"file": (io.BytesIO(armenian), "Part 4.csv")},
                        form_page="/eiti/2019/publish", content_type="multipart/form-data")
    assert refused.status_code == 422 and "finding-blocked" in refused.get_data(as_text=True)
