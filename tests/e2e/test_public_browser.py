"""Acceptance tests of the public pages (issue 10), on the demo data with 2024 reconciled and published.

1. A visitor, in Russian, at 1366×800 and at 360×740: home → regions → a region → a company working
   there whose comparison with the government shows a difference (or an explanation), sees the charts
   and the comparison explained, downloads the CSV behind the company's chart (its rows are the rows of
   the table shown under the chart), and opens the glossary from a revenue stream's label. No page
   scrolls sideways; each page is kept as a full-page screenshot in ``test-results/public/``.
2. axe-core (vendored from the npm registry by ``make axe-core``, injected by Playwright) finds no
   serious or critical violation on the home, region, site, company, glossary and downloads pages, in
   Kyrgyz, Russian and English, at both widths.

A server of its own (not the session's ``live_server``): it publishes 2024 as ``make run`` does. The
language is the visitor's choice in the header (a cookie), so the pages reached by links stay in Russian.
Behaviour is checked through ids, the language of the page and the published data, not through texts
the catalogs may still be translating.
"""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

import axe
from conftest import serve_demo
from esg_portal import create_app
from esg_portal.demo.loader import PUBLISHED_YEAR, publish_demo
from esg_portal.extensions import db

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-results" / "public"
VIEWPORTS = {"1366": {"width": 1366, "height": 800}, "360": {"width": 360, "height": 740}}
#: the pages axe checks: the demo's richest region, site and company (agreements, hearings, ESG sections)
AXE_PAGES = {"home": "/", "region": "/regions/CHUY", "site": "/sites/T1-01",
             "company": "/companies/01234567890123", "glossary": "/glossary", "downloads": "/downloads"}


@pytest.fixture(scope="module")
def public_server(tmp_path_factory) -> Iterator[str]:
    """The demo portal with 2024 reconciled and published (as ``esg-portal setup-demo`` leaves it)."""
    path = tmp_path_factory.mktemp("e2e-public") / "public.db"
    with serve_demo(path) as url:
        app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
                          "SECRET_KEY": "e2e-secret-not-for-production",
                          "ESG_ATTACHMENTS_DIR": str(path.parent / "attachments")})
        with app.app_context():
            publish_demo(url)
            db.session.commit()
            db.engine.dispose()
        yield url


def _amount(text: str) -> Decimal:
    """An amount as the Russian page prints it ("-1 250 000,00", grouped with no-break spaces)."""
    return Decimal(re.sub(r"\s", "", text).replace("\u2212", "-").replace(",", "."))


def _no_sideways_scroll(page: Page) -> None:
    width = page.viewport_size["width"]
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{page.url} scrolls sideways at {width} px: scrollWidth {scroll}"


def _keep(page: Page, name: str, width: str) -> None:
    """Checks the page fits the screen's width and keeps its full-page screenshot."""
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    _no_sideways_scroll(page)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"), full_page=True)


def _chart_shown(page: Page, chart: str) -> None:
    """The chart's picture is drawn, with its title for screen readers."""
    picture = page.locator(f"#{chart} .chart-picture svg[role='img']")
    expect(picture).to_be_visible()
    expect(picture.locator("title")).not_to_be_empty()


def _visited_company(page: Page, server: str) -> tuple[str, str, dict[str, Any], dict[str, Any]]:
    """From the published data: a company whose comparison has an explanation or a difference, in a region
    whose page draws its chart and lists the company; returns (inn, region, that line, the release's data)."""
    response = page.request.get(f"{server}/open-data/{PUBLISHED_YEAR}/latest/data.json")
    assert response.ok
    data = response.json()
    regions = {c["inn"]: c.get("region") for c in data["companies"]}
    lines = [line for line in data["reconciliation"]["lines"]
             if line.get("explanation") or Decimal(line.get("final_gap") or "0") != 0]
    lines.sort(key=lambda line: (not line.get("explanation"), line["company_inn"], line["revenue_stream"]))
    for line in lines:
        inn, region = line["company_inn"], regions.get(line["company_inn"])
        html = page.request.get(f"{server}/regions/{region}").text() if region else ""
        if f'href="/companies/{inn}"' in html and 'id="local-budgets-csv"' in html:
            return inn, region, line, data
    raise AssertionError("no published company with a difference or an explanation is listed on the page of "
                         "its region with the region's chart")


@pytest.mark.parametrize("width", list(VIEWPORTS))
def test_visitor_in_russian_goes_from_home_to_a_region_a_company_the_glossary_and_a_csv(
        page: Page, public_server: str, width: str) -> None:
    server = public_server
    page.set_viewport_size(VIEWPORTS[width])
    inn, region, line, data = _visited_company(page, server)
    russian = {s["code"]: s["name"]["ru"] for s in data["revenue_streams"]}

    # home, switched to Russian with the header's button
    page.goto(f"{server}/")
    page.click("#lang-ru")
    expect(page.locator("#lang-ru")).to_have_attribute("aria-current", "true")
    expect(page.locator("#total-received")).to_be_visible()
    for chart in ("by-stream", "by-level", "trend"):
        _chart_shown(page, chart)
    _keep(page, "home", width)

    # the regions, then the region
    page.locator("main a[href='/regions']").click()
    expect(page).to_have_url(f"{server}/regions")
    expect(page.locator("#regions")).to_be_visible()
    _keep(page, "regions", width)
    page.click(f"#region-{region}")
    expect(page).to_have_url(f"{server}/regions/{region}")
    _chart_shown(page, "local-budgets")
    _keep(page, "region", width)

    # the company working there
    page.locator(f"#place-companies a[href='/companies/{inn}']").click()
    expect(page).to_have_url(f"{server}/companies/{inn}")
    company = next(c for c in data["companies"] if c["inn"] == inn)
    expect(page.locator("h1")).to_contain_text(company["name"])
    _chart_shown(page, "by-stream")
    expect(page.locator("#by-stream .chart-picture svg title")).to_have_text(
        page.locator("#payments-heading").inner_text())

    # the comparison with the government, explained, and the line that differs
    section = page.locator("section[aria-labelledby='reconciliation-heading']")
    expect(section.locator("p").first).to_be_visible()
    row = page.locator(f"#reconciliation tbody tr.status-{line['status']}").filter(
        has=page.locator(f"a[href='/glossary#term-{line['revenue_stream']}']"))
    expect(row).to_have_count(1)
    label = row.locator(f"a[href='/glossary#term-{line['revenue_stream']}']")
    expect(label).to_have_text(russian[line["revenue_stream"]])
    cells = row.locator("td")
    assert _amount(cells.nth(0).inner_text()) == Decimal(line["company_final"])
    assert _amount(cells.nth(1).inner_text()) == Decimal(line["government_final"])
    assert _amount(cells.nth(2).inner_text()) == Decimal(line["final_gap"])
    expect(cells.nth(3)).not_to_be_empty()
    if line.get("explanation"):
        expect(cells.nth(3).locator(".explanation").first).to_be_visible()
    _keep(page, "company", width)

    # the table behind the chart, and the CSV behind it: the same rows
    page.locator("#by-stream summary").click()
    table = page.locator("#by-stream table")
    expect(table).to_be_visible()
    header = [text.strip() for text in table.locator("thead th").all_inner_texts()]
    shown = [(tr.locator("th").inner_text().strip(), _amount(tr.locator("td").inner_text()))
             for tr in table.locator("tbody tr").all()]
    assert shown
    with page.expect_download() as info:
        page.click("#by-stream-csv")
    download = info.value
    assert download.suggested_filename == "company-by-stream.csv"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    download.save_as(ARTIFACTS / f"company-by-stream-{width}.csv")
    rows = list(csv.reader(io.StringIO(Path(download.path()).read_bytes().decode("utf-8-sig"), newline="")))
    assert rows[0] == header
    assert [(label_, Decimal(value)) for label_, value in rows[1:]] == shown
    _no_sideways_scroll(page)

    # the glossary, from the differing line's revenue stream
    label.click()
    expect(page).to_have_url(f"{server}/glossary#term-{line['revenue_stream']}")
    term = page.locator(f"#term-{line['revenue_stream']}")
    expect(term).to_contain_text(russian[line["revenue_stream"]])
    expect(term).to_be_in_viewport()
    _keep(page, "glossary", width)


@pytest.mark.parametrize("lang", ["ky", "ru", "en"])
def test_axe_finds_no_serious_or_critical_violation(browser: Browser, public_server: str, lang: str) -> None:
    reason = axe.missing_reason()
    if reason:
        pytest.skip(reason)
    found: list[str] = []
    for width, viewport in VIEWPORTS.items():
        # the portal's CSP (script-src 'self') would block the injected axe script
        context = browser.new_context(bypass_csp=True, viewport=viewport)
        try:
            page = context.new_page()
            for name, path in AXE_PAGES.items():
                page.goto(f"{public_server}{path}?lang={lang}")
                expect(page.locator("html")).to_have_attribute("lang", lang)
                # the tables behind the charts and the older releases are checked too
                page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
                for violation in axe.blocking(axe.run(page)):
                    found += [f"{name} ({path}, {lang}, {width} px): {text}" for text in axe.describe(violation)]
        finally:
            context.close()
    assert not found, f"axe-core {axe.version()}: serious or critical violations:\n" + "\n".join(found)
