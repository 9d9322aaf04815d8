"""Where people look (issue 12 §4), in the browser: a refused form comes back landed on its error summary
(the form's action ends in ``#errors``), a saved payment line is confirmed in the line itself, and on a
360 px phone the dashboards, the filing, the review and the difference of two versions keep their main
actions and figures on the screen without sideways scrolling (wide tables become cards or scroll inside
their own box); the header stays narrow and short. At 1366 px the discrepancy line page fits the width.

A server of its own (the demo data with the 2024 period reconciled once), so that the lines added here and
the run read here touch no other browser test's data.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, expect
from sqlalchemy import select

import axe
from conftest import serve_demo
from esg_portal import create_app
from esg_portal.accounts.models import Role, User
from esg_portal.demo.loader import DEMO_PASSWORD, PUBLISHED_YEAR
from esg_portal.eiti.models import ReconciliationLine
from esg_portal.eiti.runs import run_reconciliation
from esg_portal.extensions import db

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1366, "height": 800}
VIEWPORTS = {"1366": DESKTOP, "360": PHONE}
YEAR = 2025  #: the open period: filer2's draft, the STS receipts draft, submitted filings to review
KALESAY = "Demo Kalesay Beryllium LLC"  #: a submitted 2025 filing the secretariat may query
TOSSOR = "Demo Tossor Manganese LLC"  #: a 2025 filing with two versions
#: axe's rules about tables, scrolling boxes, ids and contrast: what reflowed tables and the header may break
AXE_RULES = {"td-headers-attr", "th-has-data-cells", "td-has-header", "table-duplicate-name", "scope-attr-valid",
             "scrollable-region-focusable", "duplicate-id", "duplicate-id-aria", "duplicate-id-active",
             "color-contrast", "target-size", "list", "listitem", "nested-interactive"}


@dataclass(frozen=True)
class Server:
    url: str
    run_id: int
    position: int  #: a line of that run


@pytest.fixture(scope="module")
def layout_server(tmp_path_factory) -> Iterator[Server]:
    path = tmp_path_factory.mktemp("e2e-layout") / "layout.db"
    with serve_demo(path) as url:
        app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
                          "SECRET_KEY": "e2e-secret-not-for-production",
                          "ESG_ATTACHMENTS_DIR": str(path.parent / "attachments")})
        with app.app_context():
            secretariat = db.session.scalar(select(User).where(User.role == Role.SECRETARIAT).order_by(User.id))
            run = run_reconciliation(secretariat, PUBLISHED_YEAR)
            db.session.commit()
            position = db.session.scalar(select(ReconciliationLine.position).where(
                ReconciliationLine.run_id == run.id).order_by(ReconciliationLine.position))
            server = Server(url, run.id, position)
            db.engine.dispose()
        yield server


def sign_in(page: Page, url: str, email: str) -> None:
    page.goto(f"{url}/login?lang=en")
    page.fill("#email", email)
    page.fill("#password", DEMO_PASSWORD)
    page.click("#sign-in")
    expect(page).to_have_url(f"{url}/")
    page.wait_for_load_state()


def bad_csv(tmp_path: Path) -> Path:
    path = tmp_path / "not-the-template.csv"
    path.write_text("what,ever\n1,2\n", encoding="utf-8")
    return path


def in_first_screen(locator: Locator) -> None:
    """The element is wholly inside the viewport as the page is now (after the load, no scrolling by the test)."""
    locator.page.wait_for_load_state()  # the style sheet is applied and the page has gone to its fragment
    box = locator.evaluate("e => { const r = e.getBoundingClientRect();"
                           " return {top: r.top, bottom: r.bottom, left: r.left, right: r.right,"
                           " width: innerWidth, height: innerHeight}; }")
    assert 0 <= box["top"] and box["bottom"] <= box["height"], f"not in the first screen vertically: {box}"
    assert 0 <= box["left"] and box["right"] <= box["width"], f"not in the first screen sideways: {box}"


def landed_on_errors(page: Page) -> Locator:
    """The page came back on its error summary: its title is in the first screen, and the focus is on it, so that a
    screen reader reads it and the keyboard goes on from there."""
    summary = page.locator(".error-summary")
    expect(summary).to_have_count(1)
    page.wait_for_load_state()
    in_first_screen(summary.locator("h2, h3").first)
    focused = summary.evaluate("e => document.activeElement !== document.body"
                               " && (e.contains(document.activeElement) || document.activeElement.contains(e))")
    assert focused, "the focus is not on the error summary"
    return summary


def no_sideways_scroll(page: Page) -> None:
    page.wait_for_load_state()
    scroll, width, wide = page.evaluate("""() => [document.documentElement.scrollWidth, window.innerWidth,
        [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > innerWidth + .5
                                                        && !e.parentElement.closest('.table-scroll, table'))
          .slice(0, 5).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className ? '.' + e.className : ''))]""")
    assert scroll <= width, f"{page.url} scrolls sideways at {width} px: scrollWidth {scroll}, beyond the edge: {wide}"


def on_screen(locator: Locator) -> None:
    """Once the page is scrolled down to it (never sideways), the element is seen and can be clicked: inside the
    viewport's width and not hidden by a box that scrolls."""
    locator.page.wait_for_load_state()
    seen = locator.evaluate("""e => {
        window.scrollTo(0, window.scrollY + e.getBoundingClientRect().top - innerHeight / 3);
        const r = e.getBoundingClientRect(), x = (r.left + r.right) / 2, y = (r.top + r.bottom) / 2;
        const hit = document.elementFromPoint(x, y);
        return {left: r.left, right: r.right, width: innerWidth, scrollX: window.scrollX,
                hit: !!hit && (hit === e || e.contains(hit))}; }""")
    assert seen["scrollX"] == 0 and 0 <= seen["left"] and seen["right"] <= seen["width"] and seen["hit"], seen


def header_fits(page: Page, share: float | None = None) -> None:
    """No part of the header is wider than the screen; on a phone it takes at most ``share`` of the first screen."""
    page.wait_for_load_state()
    header = page.evaluate("""() => { const h = document.querySelector('header.site-header'); let right = 0;
        for (const e of h.querySelectorAll('*')) right = Math.max(right, e.getBoundingClientRect().right);
        return {right, height: h.getBoundingClientRect().height, width: innerWidth, screen: innerHeight}; }""")
    assert header["right"] <= header["width"], f"{page.url}: the header is {header['right']} px wide"
    if share is not None:
        assert header["height"] <= share * header["screen"], f"{page.url}: the header is {header['height']} px high"


def open_review(page: Page, url: str, company: str) -> None:
    page.goto(f"{url}/review/{YEAR}?lang=en")
    page.locator("#filings tbody tr", has_text=company).get_by_role("link", name=company).click()
    expect(page.locator("main h1")).to_contain_text(company)


# --- errors and confirmations where the user looks -------------------------------------------------------

@pytest.mark.parametrize("width", list(VIEWPORTS))
def test_a_refused_receipts_upload_comes_back_on_its_error(page: Page, layout_server: Server, tmp_path: Path,
                                                           width: str) -> None:
    page.set_viewport_size(VIEWPORTS[width])
    sign_in(page, layout_server.url, "sts@demo.kg")
    page.goto(f"{layout_server.url}/receipts/{YEAR}?lang=en")
    rows = page.locator("#receipts tbody tr").count()
    page.set_input_files("#upload-form input[type=file]", str(bad_csv(tmp_path)))
    page.click("#upload-button")
    summary = landed_on_errors(page)
    expect(summary).to_have_id("upload-rejected")
    expect(summary).to_contain_text("Nothing was saved")
    no_sideways_scroll(page)
    expect(page.locator("#receipts tbody tr")).to_have_count(rows)

    page.goto(f"{layout_server.url}/receipts/{YEAR}?lang=en")  # no file at all: the form's own summary
    page.click("#upload-button")
    landed_on_errors(page).locator("a[href='#file']").click()
    expect(page.locator("#file")).to_be_focused()


@pytest.mark.parametrize("width", list(VIEWPORTS))
def test_a_refused_payments_upload_comes_back_on_its_error(page: Page, layout_server: Server, tmp_path: Path,
                                                           width: str) -> None:
    page.set_viewport_size(VIEWPORTS[width])
    sign_in(page, layout_server.url, "filer2@demo.kg")
    page.goto(f"{layout_server.url}/disclosures/filing/{YEAR}?lang=en")
    page.set_input_files("#file", str(bad_csv(tmp_path)))
    page.click("#upload-button")
    expect(landed_on_errors(page)).to_have_id("upload-rejected")
    no_sideways_scroll(page)


@pytest.mark.parametrize("width", list(VIEWPORTS))
def test_a_refused_line_comes_back_on_the_summary_and_a_saved_line_is_confirmed_in_it(
        page: Page, layout_server: Server, width: str) -> None:
    page.set_viewport_size(VIEWPORTS[width])
    sign_in(page, layout_server.url, "filer2@demo.kg")
    filing = f"{layout_server.url}/disclosures/filing/{YEAR}"
    page.goto(f"{filing}?lang=en")
    page.click("#add-line-button")  # no amount
    landed_on_errors(page).locator("a[href='#amount']").click()
    expect(page.locator("#amount")).to_be_focused()

    taken = {text.strip() for text in page.locator("#payment-lines tbody th .mono").all_inner_texts()}
    stream = next(value for value in page.locator("#revenue_stream option").evaluate_all("os => os.map(o => o.value)")
                  if value and value not in taken)
    page.select_option("#revenue_stream", stream)
    page.select_option("#government_entity", "STS")
    project = page.locator("#project option").nth(1).get_attribute("value")
    page.select_option("#project", project)  # a project is accepted by every stream
    page.fill("#amount", "1234.56")
    page.click("#add-line-button")
    row = page.locator("#payment-lines tbody tr").filter(has=page.locator("th .mono", has_text=re.compile(rf"^{stream}$")))
    expect(row).to_contain_text("1,234.56")
    line_id = row.get_attribute("id").removeprefix("line-")
    note = row.locator(".saved-note")
    expect(note).to_contain_text("The payment line was added and saved.")
    in_first_screen(note)
    in_first_screen(row.locator("td.num").nth(1))
    expect(page).to_have_url(re.compile(rf"/disclosures/filing/{YEAR}\?saved={line_id}#line-{line_id}$"))
    expect(page.locator(".flash-success")).to_have_count(1)  # the message on top stays, for who scrolls up
    no_sideways_scroll(page)

    page.reload()  # the confirmation was for that moment only
    expect(page.locator(".saved-note")).to_have_count(0)

    page.click(f"#edit-line-{line_id}")
    page.fill("#amount", "2345.67")
    page.click("#save-line")
    expect(page).to_have_url(re.compile(rf"\?saved={line_id}#line-{line_id}$"))
    note = page.locator(f"#line-{line_id} .saved-note")
    expect(note).to_contain_text("The payment line was changed and saved.")
    in_first_screen(note)


@pytest.mark.parametrize("width", list(VIEWPORTS))
def test_a_refused_empty_question_of_the_review_comes_back_on_a_summary(page: Page, layout_server: Server,
                                                                       width: str) -> None:
    page.set_viewport_size(VIEWPORTS[width])
    sign_in(page, layout_server.url, "secretariat@demo.kg")
    open_review(page, layout_server.url, KALESAY)
    page.click("#send-filing")  # the question about the whole filing, left empty
    summary = landed_on_errors(page)
    expect(summary).to_contain_text("Write the question for the company.")
    summary.locator("a[href='#question-filing']").click()
    expect(page.locator("#question-filing")).to_be_focused()
    expect(page.locator("#question-filing")).to_have_attribute("aria-invalid", "true")

    open_review(page, layout_server.url, KALESAY)  # the question about one line, left empty
    row = page.locator("#payments tbody tr").first
    line_id = row.get_attribute("id").removeprefix("line-")
    row.locator("details.line-query summary").click()
    row.locator(f"#send-line-{line_id}").click()
    summary = landed_on_errors(page)
    summary.locator(f"a[href='#question-line-{line_id}']").click()
    expect(page.locator(f"#question-line-{line_id}")).to_be_focused()
    no_sideways_scroll(page)


# --- a 360 px phone ----------------------------------------------------------------------------------------

def test_on_a_phone_the_filer_sees_the_dashboard_and_the_filing_without_sideways_scrolling(
        page: Page, layout_server: Server) -> None:
    page.set_viewport_size(PHONE)
    sign_in(page, layout_server.url, "filer2@demo.kg")
    header_fits(page, share=.25)
    no_sideways_scroll(page)
    on_screen(page.locator(f"#continue-{YEAR}"))
    page.click(f"#continue-{YEAR}")
    expect(page).to_have_url(re.compile(rf"/disclosures/filing/{YEAR}$"))
    header_fits(page, share=.25)
    no_sideways_scroll(page)
    first = page.locator("#payment-lines tbody tr").first
    on_screen(first.locator("td.num").nth(1))  # the amount
    on_screen(first.locator("a[id^='edit-line-']"))
    on_screen(first.locator("button[id^='delete-line-']"))
    on_screen(page.locator("#add-line-button"))
    on_screen(page.locator("#go-submit"))
    on_screen(page.locator("#versions-table tbody tr").first.locator("th a"))
    for lang in ("ru", "ky"):
        page.goto(f"{layout_server.url}/disclosures/filing/{YEAR}?lang={lang}")
        expect(page.locator("html")).to_have_attribute("lang", lang)
        header_fits(page, share=.25)
        no_sideways_scroll(page)


def test_on_a_phone_the_officer_and_the_secretariat_see_amounts_actions_and_new_values(
        page: Page, layout_server: Server) -> None:
    page.set_viewport_size(PHONE)
    sign_in(page, layout_server.url, "sts@demo.kg")
    no_sideways_scroll(page)
    page.goto(f"{layout_server.url}/receipts/{YEAR}?lang=en")
    no_sideways_scroll(page)
    first = page.locator("#receipts tbody tr").first
    on_screen(first.locator("td.num"))
    on_screen(first.locator("a[id^='edit-receipt-']"))
    page.click("#logout")

    sign_in(page, layout_server.url, "secretariat@demo.kg")
    header_fits(page, share=.25)
    open_review(page, layout_server.url, TOSSOR)
    no_sideways_scroll(page)
    first = page.locator("#payments tbody tr").first
    on_screen(first.locator("td.num"))
    on_screen(first.locator("details.line-query summary"))
    page.click("#diff-2")
    expect(page.locator("main h1")).to_contain_text(TOSSOR)
    no_sideways_scroll(page)
    on_screen(page.locator("table.diff td.after ins").first)
    on_screen(page.locator("table.diff td.before del").first)


@pytest.mark.parametrize("lang", ["en", "ru", "ky"])
def test_on_a_phone_the_admin_header_is_no_wider_than_the_screen(page: Page, layout_server: Server,
                                                                 lang: str) -> None:
    page.set_viewport_size(PHONE)
    sign_in(page, layout_server.url, "admin@demo.kg")
    for path in ("/", "/admin/users", "/admin/companies"):
        page.goto(f"{layout_server.url}{path}?lang={lang}")
        expect(page.locator("html")).to_have_attribute("lang", lang)
        header_fits(page, share=.35)
        no_sideways_scroll(page)
        on_screen(page.locator("#logout"))


# --- 1366 px --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("width", list(VIEWPORTS))
def test_the_discrepancy_line_page_fits_the_width(page: Page, layout_server: Server, width: str) -> None:
    page.set_viewport_size(VIEWPORTS[width])
    sign_in(page, layout_server.url, "secretariat@demo.kg")
    page.goto(f"{layout_server.url}/discrepancies/runs/{layout_server.run_id}/lines/{layout_server.position}?lang=en")
    expect(page.locator("#runs")).to_be_visible()
    no_sideways_scroll(page)
    # the table of every run scrolls inside its own box, which the keyboard can reach
    box = page.locator(".table-scroll:has(> #runs)")
    expect(box).to_have_attribute("tabindex", "0")
    page.click("#send-query")  # an empty question: back on the summary above the form
    landed_on_errors(page)
    no_sideways_scroll(page)


# --- the reflowed tables keep their meaning -------------------------------------------------------------------

def test_the_phone_layout_passes_axe_on_the_pages_with_cards(browser: Browser, layout_server: Server) -> None:
    reason = axe.missing_reason()
    if reason:
        pytest.skip(reason)
    context = browser.new_context(bypass_csp=True, viewport=PHONE)  # the CSP would block the injected axe script
    try:
        page = context.new_page()
        found: list[str] = []

        def check(name: str) -> None:
            found.extend(f"{name}: {line}" for violation in axe.run(page)["violations"]
                         if violation["id"] in AXE_RULES for line in axe.describe(violation))

        sign_in(page, layout_server.url, "filer2@demo.kg")
        check("filer dashboard")
        page.goto(f"{layout_server.url}/disclosures/filing/{YEAR}?lang=en")
        check("filing")
        # a card repeats its column headings as labels that are not read out: the table keeps its headers
        amount = page.locator("#payment-lines tbody tr").first.locator("td.num").nth(1)
        assert re.fullmatch(r'- cell "[\d,.]+"', amount.aria_snapshot()), amount.aria_snapshot()
        page.click("#logout")
        sign_in(page, layout_server.url, "secretariat@demo.kg")
        open_review(page, layout_server.url, TOSSOR)
        check("review")
        page.click("#diff-2")
        check("difference")
        page.goto(f"{layout_server.url}/discrepancies/runs/{layout_server.run_id}/lines/{layout_server.position}")
        check("discrepancy line")
        assert not found, f"axe-core {axe.version()}:\n" + "\n".join(found)
    finally:
        context.close()
