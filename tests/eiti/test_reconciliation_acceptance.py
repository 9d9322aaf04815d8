"""Acceptance test of issue 5, through the portal's pages with the demo data: the secretariat runs the 2024
reconciliation, asks the State Tax Service about a discrepancy, the officer answers and proposes an
adjustment, the secretariat accepts it, runs again, and the XLSX and PDF reports of the new run open
(openpyxl, pdftoppm/pdftotext) and agree with the stored line table.
"""
from __future__ import annotations

import io
import re
import subprocess
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from flask import Flask
from sqlalchemy import select

from support import login, post_form
from esg_portal.demo.loader import DEMO_PASSWORD, load_demo
from esg_portal.eiti.models import Adjustment, DiscrepancyQuery, ReconciliationLine, ReconciliationRun
from esg_portal.extensions import db
from esg_portal.money import from_minor

YEAR = 2024


@pytest.fixture
def demo(app: Flask) -> Flask:
    with app.app_context():
        load_demo()
        db.session.commit()
    return app


def _client(app: Flask, email: str):
    client = app.test_client()
    login(client, email, DEMO_PASSWORD)
    return client


def _latest_run(app: Flask) -> tuple[int, int, list[ReconciliationLine]]:
    with app.app_context():
        run = db.session.scalar(select(ReconciliationRun).order_by(ReconciliationRun.id.desc()).limit(1))
        lines = list(run.lines)
        db.session.expunge_all()
        return run.id, run.number, lines


def _run(app: Flask, secretariat) -> tuple[int, int, list[ReconciliationLine]]:
    response = post_form(secretariat, f"/eiti/{YEAR}/reconciliation/run", {},
                         form_page=f"/eiti/{YEAR}/reconciliation")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return _latest_run(app)


def _pdf_text(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    subprocess.run(["pdftoppm", "-r", "30", "-png", str(path), str(tmp_path / "page")], check=True)
    assert list(tmp_path.glob("page*.png")), "the PDF renders"
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def test_run_query_adjust_rerun_and_the_reports_agree(demo: Flask, tmp_path: Path) -> None:
    secretariat = _client(demo, "secretariat@demo.kg")
    run_id, number, lines = _run(demo, secretariat)
    assert number == 1
    discrepancies = [line for line in lines if line.status == "discrepancy" and line.government_entity == "STS"]
    assert discrepancies, "the demo data plants discrepancies on State Tax Service lines"
    line = discrepancies[0]
    gap = line.final_gap_minor
    assert gap not in (None, 0)

    # the secretariat asks the agency about the line
    page = f"/discrepancies/runs/{run_id}/lines/{line.position}"
    assert secretariat.get(page).status_code == 200
    response = post_form(secretariat, f"{page}/queries", {"addressed_to": "agency",
                                                          "question": "Please check the date of this receipt."},
                         form_page=page)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    with demo.app_context():
        query_id = db.session.scalar(select(DiscrepancyQuery.id))

    # the officer answers and proposes to take the gap off the government figure
    officer = _client(demo, "sts@demo.kg")
    query_page = f"/discrepancies/queries/{query_id}"
    assert officer.get(query_page).status_code == 200
    correction = from_minor(-gap, "KGS")
    assert post_form(officer, f"{query_page}/answer", {"answer": "Booked in January of the next year."},
                     form_page=query_page).status_code == 302
    response = post_form(officer, f"{query_page}/adjustments", {
        "side": "government", "amount": f"{correction:f}", "reason": "timing",
        "comment": "Received on 2025-01-09, booked in 2025.", "evidence": "Payment order 118"}, form_page=query_page)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]

    # the secretariat accepts it
    with demo.app_context():
        adjustment = db.session.scalar(select(Adjustment))
        assert (adjustment.status.value, adjustment.amount_minor, adjustment.side) == ("proposed", -gap, "government")
        adjustment_id = adjustment.id
    response = post_form(secretariat, f"/discrepancies/adjustments/{adjustment_id}/decision",
                         {"decision": "accept", "comment": "", "run_id": str(run_id),
                          "position": str(line.position)}, form_page=page)
    assert response.status_code == 302
    with demo.app_context():
        adjustment = db.session.get(Adjustment, adjustment_id)
        assert adjustment.status.value == "accepted" and adjustment.decided_by.email == "secretariat@demo.kg"

    # the re-run shows the final state; the submitted figures are untouched
    new_run_id, number, new_lines = _run(demo, secretariat)
    assert number == 2
    key = (line.company_inn, line.revenue_stream, line.government_entity, line.project)
    after = next(n for n in new_lines if (n.company_inn, n.revenue_stream, n.government_entity, n.project) == key)
    assert after.government_initial_minor == line.government_initial_minor
    assert after.government_adjustment_minor == -gap
    assert after.government_final_minor == line.government_initial_minor - gap
    assert after.final_gap_minor == 0 and after.status == "reconciled" and after.explanation == "timing"
    assert [n.status for n in new_lines if n is not after] == [o.status for o in lines
                                                              if (o.company_inn, o.revenue_stream,
                                                                  o.government_entity, o.project) != key]

    # XLSX: the lines sheet holds exactly the stored line table, numbers as numbers
    xlsx = secretariat.get(f"/eiti/runs/{new_run_id}/report.xlsx?lang=en")
    assert xlsx.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx.data))
    sheet = next(ws for ws in workbook.worksheets if ws.title.lower().startswith("line"))
    rows = [row for row in sheet.iter_rows(values_only=True) if row and isinstance(row[0], int)]
    assert len(rows) == len(new_lines)
    header_row = next(r for r in sheet.iter_rows(values_only=True) if r and r[0] and "INN" in " ".join(map(str, r)))
    final_column = header_row.index("Final unreconciled difference")
    inn_column = header_row.index(next(h for h in header_row if h and "INN" in str(h)))
    by_position = {row[0]: row for row in rows}
    for stored in new_lines:
        row = by_position[stored.position]
        assert row[inn_column] == stored.company_inn
        expected = None if stored.final_gap_minor is None else from_minor(stored.final_gap_minor, "KGS")
        value = row[final_column]
        assert (value is None and expected is None) or Decimal(str(value)) == expected, (stored.position, value)

    # PDF: renders, and shows the run, the adjusted line's figures and every line's status count
    pdf = secretariat.get(f"/eiti/runs/{new_run_id}/report.pdf?lang=en")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = _pdf_text(pdf.data, tmp_path)
    flat = re.sub(r"\s+", " ", text)
    assert line.company_inn in flat
    initial = f"{from_minor(line.government_initial_minor, 'KGS'):,.2f}"
    assert initial in flat, initial
    assert f"{from_minor(-gap, 'KGS'):,.2f}" in flat
