"""The reconciliation report pages: the HTML report with its filters and order, the three downloads, access."""
from __future__ import annotations

import csv
import io
import re
from decimal import Decimal

import pytest
from flask import Flask
from openpyxl import load_workbook
from sqlalchemy import select

from reconciliation_sample import A, B, C, COMPANIES, D, GOVERNMENT_NOT_INCLUDED, NOT_PARTICIPATING_REASON, RULES, \
    sample_lines
from support import login
from esg_portal.accounts.models import Role, User
from esg_portal.disclosure.models import DisclosureStatus
from esg_portal.eiti import reconciliation as engine
from esg_portal.eiti import runs
from esg_portal.eiti.models import ReconciliationLine, ReconciliationRun
from esg_portal.eiti.report_data import ordered_lines
from esg_portal.extensions import db

PATHS = ["/eiti/runs/{run}/report", "/eiti/runs/{run}/report.xlsx", "/eiti/runs/{run}/report.csv",
         "/eiti/runs/{run}/report.pdf"]


def _stored(value):
    return None if value is None or value is engine.pd.NA else int(value)


@pytest.fixture
def stored(app: Flask, factory) -> dict[str, int]:
    """The sample run stored as run 3 of 2025, its companies registered, and a user of every role."""
    period = factory.period(2025)
    companies = {inn: factory.company(name, inn=inn) for inn, name in COMPANIES.items()}
    ids = {"period": period, **companies,
           "secretariat": factory.user(Role.SECRETARIAT, "sec@test.kg"),
           "admin": factory.user(Role.ADMIN, "adm@test.kg"),
           "officer": factory.user(Role.AGENCY_OFFICER, "off@test.kg", agency_code="STS"),
           "filer": factory.user(Role.COMPANY_FILER, "fil@test.kg", company_id=companies[A], is_signatory=True)}
    lines = sample_lines()
    with app.app_context():
        run = ReconciliationRun(period_id=period, number=3, currency="KGS", rules=RULES, inputs={},
                                run_by_id=ids["secretariat"], summary={
                                    "government_not_included": GOVERNMENT_NOT_INCLUDED,
                                    "non_reporting": [
                                        {"company_inn": C, "company_name": COMPANIES[C], "status": "not_reported",
                                         "reason": "", "government_amount": 80_000_000, "lines": 1},
                                        {"company_inn": D, "company_name": COMPANIES[D],
                                         "status": "not_participating", "reason": NOT_PARTICIPATING_REASON,
                                         "government_amount": 1_000_000, "lines": 1}]})
        for position, row in zip(lines.index, lines.to_dict("records")):
            run.lines.append(ReconciliationLine(
                position=int(position), company_inn=row["company_inn"], revenue_stream=row["revenue_stream"],
                government_entity=row["government_entity"], project=row["project"], status=row["status"],
                explanation=row["explanation"],
                **{stored: _stored(row[column]) for column, stored in runs.STORED_COLUMNS.items()}))
        db.session.add(run)
        db.session.commit()
        ids["run"] = run.id
    return ids


def client_as(app: Flask, email: str | None):
    client = app.test_client()
    if email:
        login(client, email)
    return client


def positions_in(page: str) -> list[int]:
    return [int(p) for p in re.findall(r'<tr id="line-(\d+)"', page)]


def test_the_report_shows_summaries_non_reporting_and_every_line_discrepancies_first(app, stored) -> None:
    page = client_as(app, "sec@test.kg").get(f"/eiti/runs/{stored['run']}/report?lang=en")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    expected = list(ordered_lines(sample_lines()).index)
    assert positions_in(html) == expected
    statuses = re.findall(r'<tr id="line-\d+" data-status="(\w+)"', html)
    assert statuses[:3] == ["discrepancy"] * 3 and statuses[3:5] == ["company_only", "government_only"]
    assert "Discrepancies come first" in html
    # totals agree with the lines; names come from the register and the reference data
    assert 'id="total-company">2,420,000.00<' in html and 'id="total-government">3,174,445.67<' in html
    assert 'id="count-discrepancy">3<' in html
    stream_row = re.search(r'<tr id="summary-stream-LOCAL_DEV">(.*?)</tr>', html, re.S).group(1)
    assert re.findall(r'<td class="num">([^<]*)</td>', stream_row)[:4] == ["200,000.00", "260,000.00", "60,000.00",
                                                                          "1.89\u00a0%"]
    company_row = re.search(rf'<tr id="summary-company-{A}">(.*?)</tr>', html, re.S).group(1)
    assert "1,950,000.00" in company_row and "1,960,000.00" in company_row
    assert "Not applicable</th>" not in html.split('id="summary-stream"')[1].split("</thead>")[0]  # none occur
    for name in COMPANIES.values():
        assert name in html
    assert "Contribution to local infrastructure development" in html and "1415E4" in html
    silent = html[html.index('id="non-reporting-table"'):html.index('id="lines"')]
    assert COMPANIES[C] in silent and "800,000.00" in silent
    assert NOT_PARTICIPATING_REASON in silent and "Did not participate (DNP)" in silent
    # explanations as labels beside the figures
    assert "Classification difference, Data-entry error" in html
    # every line links to its discrepancy page
    for position in expected:
        assert f'href="/discrepancies/runs/{stored["run"]}/lines/{position}"' in html
    for kind in ("xlsx", "pdf", "csv"):
        assert f'href="/eiti/runs/{stored["run"]}/report.{kind}?lang=en"' in html


def test_the_page_is_in_the_readers_language(app, stored) -> None:
    html = client_as(app, "sec@test.kg").get(f"/eiti/runs/{stored['run']}/report?lang=ky").get_data(as_text=True)
    assert "Жергиликтүү маанидеги инфраструктураны өнүктүрүүгө чегерүүлөр" in html
    assert "Мамлекеттик салык кызматы" in html
    assert 'id="total-company">2\u00a0420\u00a0000,00<' in html
    assert f'href="/eiti/runs/{stored["run"]}/report.pdf?lang=ky"' in html


@pytest.mark.parametrize(("query", "expected"), [
    ("status=discrepancy", lambda l: l["status"] == "discrepancy"),
    ("status=government_only", lambda l: l["status"] == "government_only"),
    ("stream=ROYALTY", lambda l: l["revenue_stream"] == "ROYALTY"),
    ("entity=SCS", lambda l: l["government_entity"] == "SCS"),
    (f"company={B}", lambda l: l["company_inn"] == B),
    (f"company={A}&status=reconciled", lambda l: l["company_inn"] == A and l["status"] == "reconciled"),
    ("status=no_such_status", lambda l: False),
])
def test_filters_show_only_the_matching_lines_in_the_same_order(app, stored, query, expected) -> None:
    html = client_as(app, "sec@test.kg").get(f"/eiti/runs/{stored['run']}/report?{query}").get_data(as_text=True)
    ordered = ordered_lines(sample_lines())
    wanted = [int(p) for p, line in zip(ordered.index, ordered.to_dict("records")) if expected(line)]
    assert positions_in(html) == wanted
    assert f"Lines shown: {len(wanted)} of {len(ordered)}." in html
    if not wanted:
        assert "No line matches these filters." in html
    # the form keeps the choice and the summaries still cover the whole run
    _name, value = query.split("&")[0].split("=")
    if value != "no_such_status":
        assert re.search(rf'<option value="{value}" selected>', html)
    assert 'id="total-company">2,420,000.00<' in html


def test_the_downloads_are_the_run_in_the_readers_language(app, stored) -> None:
    client = client_as(app, "sec@test.kg")
    run = stored["run"]
    xlsx = client.get(f"/eiti/runs/{run}/report.xlsx?lang=ru")
    assert xlsx.status_code == 200 and xlsx.mimetype.endswith("spreadsheetml.sheet")
    assert 'filename=reconciliation-2025-run-3-ru.xlsx' in xlsx.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(xlsx.data))
    names = {row[3] for row in book.worksheets[1].iter_rows(min_row=2, values_only=True)}
    assert "Отчисления на развитие и содержание инфраструктуры местного значения" in names
    data = client.get(f"/eiti/runs/{run}/report.csv").data
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
    assert [r["company_inn"] for r in rows] == list(sample_lines()["company_inn"])
    by_key = {(r["company_inn"], r["revenue_stream"]): r for r in rows}
    assert by_key[(A, "CIT")]["final_gap"] == "-50000.00"
    assert by_key[(B, "CIT")]["explanation"] == "classification,entry_error"
    pdf = client.get(f"/eiti/runs/{run}/report.pdf?lang=ky")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF-")
    assert "reconciliation-2025-run-3-ky.pdf" in pdf.headers["Content-Disposition"]


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("email", ["adm@test.kg", "off@test.kg", "fil@test.kg"])
def test_only_the_secretariat_reads_the_report(app, stored, path, email) -> None:
    response = client_as(app, email).get(path.format(run=stored["run"]))
    assert response.status_code in (403, 404)


@pytest.mark.parametrize("path", PATHS)
def test_visitors_are_sent_to_sign_in(app, stored, path) -> None:
    url = path.format(run=stored["run"])
    response = client_as(app, None).get(url)
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("path", PATHS)
def test_an_unknown_run_is_404(app, stored, path) -> None:
    assert client_as(app, "sec@test.kg").get(path.format(run=stored["run"] + 100)).status_code == 404


def test_a_run_made_by_the_service_reports_its_stored_figures(app, factory) -> None:
    """End to end: filings and batches → runs.run_reconciliation → the report's CSV is the stored line table."""
    period = factory.period(2025)
    a, b = factory.company("Alpha Mining LLC", inn="00000000000011"), factory.company("Beta Gold LLC",
                                                                                      inn="00000000000022")
    factory.user(Role.SECRETARIAT, "sec@test.kg")
    factory.disclosure(a, period, DisclosureStatus.SUBMITTED, payments=[("ROYALTY", "STS", "1000.00"),
                                                                         ("CIT", "STS", "500.00")])
    factory.disclosure(b, period, DisclosureStatus.ACCEPTED, payments=[("ROYALTY", "STS", "300.00")])
    factory.receipt_batch("STS", period, [(a, "ROYALTY", "1000.00"), (a, "CIT", "450.00"), (b, "ROYALTY", "300.00")])
    factory.receipt_batch("SCS", period, [(b, "CUSTOMS", "70.00")])
    with app.app_context():
        actor = db.session.scalar(select(User).where(User.email == "sec@test.kg"))
        run = runs.run_reconciliation(actor, 2025)
        db.session.commit()
        run_id, frame = run.id, runs.lines_frame(run)
    client = client_as(app, "sec@test.kg")
    html = client.get(f"/eiti/runs/{run_id}/report").get_data(as_text=True)
    discrepancy = [i + 1 for i, status in enumerate(frame["status"]) if status == "discrepancy"]
    assert discrepancy == [1] and positions_in(html)[0] == 1  # A's CIT comes first
    rows = list(csv.DictReader(io.StringIO(client.get(f"/eiti/runs/{run_id}/report.csv").data.decode())))
    assert [r["final_gap"] for r in rows] == [engine.format_amount(v) for v in frame["final_gap"]]
    assert [r["status"] for r in rows] == list(frame["status"])
    book = load_workbook(io.BytesIO(client.get(f"/eiti/runs/{run_id}/report.xlsx").data))
    gaps = {row[0]: row[15] for row in book.worksheets[1].iter_rows(min_row=2, values_only=True)}
    assert Decimal(str(gaps[1])) == Decimal("-50.00")


# --- pages of a long report -------------------------------------------------------------------

def _walk(client, first: str, pattern: str) -> tuple[list[int], list[str]]:
    """Follow the pager's "next" links from ``first``: (the numbers ``pattern`` finds on every page, in
    order, the pages visited)."""
    found, visited, path = [], [], first
    while path:
        assert path not in visited, f"the pager loops back to {path}"
        visited.append(path)
        html = client.get(path).get_data(as_text=True)
        found += [int(n) if n.isdigit() else n for n in re.findall(pattern, html)]
        following = re.findall(r'<a href="([^"]+)" rel="next">', html)
        path = following[0].replace("&amp;", "&") if following else None
    return found, visited


@pytest.mark.parametrize("query", ["", "status=reconciled", "company=ДЕМО"])
def test_the_pages_of_the_line_table_list_every_line_exactly_once(app, stored, monkeypatch, query) -> None:
    from esg_portal.eiti import report_pages
    monkeypatch.setattr(report_pages, "LINES_PER_PAGE", 3)
    client = client_as(app, "sec@test.kg")
    path = f"/eiti/runs/{stored['run']}/report" + (f"?{query}" if query else "")
    shown, visited = _walk(client, path, r'<tr id="line-(\d+)"')
    ordered = ordered_lines(sample_lines())
    names = {inn.casefold(): name.casefold() for inn, name in COMPANIES.items()}
    wanted = [int(p) for p, line in zip(ordered.index, ordered.to_dict("records"))
              if (not query.startswith("status=") or line["status"] == "reconciled")
              and (not query.startswith("company=") or "демо" in names[line["company_inn"].casefold()])]
    assert wanted, "the filter keeps some lines"
    assert shown == wanted  # every line once, none twice, in the report's order, across the pages
    assert len(visited) == -(-len(wanted) // 3)


def test_the_pages_of_the_summary_by_company_list_every_company_exactly_once(app, stored, monkeypatch) -> None:
    from esg_portal.eiti import report_pages
    monkeypatch.setattr(report_pages, "COMPANIES_PER_PAGE", 1)
    monkeypatch.setattr(report_pages, "LINES_PER_PAGE", 100)
    client = client_as(app, "sec@test.kg")
    rows, visited = _walk(client, f"/eiti/runs/{stored['run']}/report", r'<tr id="summary-company-(\d+)"')
    assert sorted(rows) == sorted(int(inn) for inn in sample_lines()["company_inn"].unique())
    assert len(rows) == len(set(rows)) == len(visited)


def test_a_page_past_the_last_shows_the_last_page(app, stored, monkeypatch) -> None:
    from esg_portal.eiti import report_pages
    monkeypatch.setattr(report_pages, "LINES_PER_PAGE", 4)
    html = client_as(app, "sec@test.kg").get(f"/eiti/runs/{stored['run']}/report?page=99").get_data(as_text=True)
    assert positions_in(html) == list(ordered_lines(sample_lines()).index)[8:]
    assert "Page 3 of 3" in html
    html = client_as(app, "sec@test.kg").get(f"/eiti/runs/{stored['run']}/report?page=x").get_data(as_text=True)
    assert positions_in(html) == list(ordered_lines(sample_lines()).index)[:4]
