"""In the browser (issue 12 §3): the STS officer edits one receipt of the 2025 draft and deletes another after
confirming; the secretariat's streams table keeps every row's edits after a refused save and saves all rows
at once once the bad row is corrected. Every control of the settings page is labelled (axe, when vendored).

The live server's demo data are shared by the session: the officer changes the STS 2025 draft and the
secretariat the 2025 stream settings; no other browser test reads either.
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

import axe
from esg_portal.demo.loader import DEMO_PASSWORD

#: axe's rules about labels and repeated ids: what the settings page got wrong
LABEL_RULES = {"label", "select-name", "duplicate-id", "duplicate-id-aria", "duplicate-id-active",
               "label-title-only", "form-field-multiple-labels"}


def sign_in(page: Page, live_server: str, email: str) -> None:
    page.goto(f"{live_server}/login?lang=en")
    page.fill("#email", email)
    page.fill("#password", DEMO_PASSWORD)
    page.click("#sign-in")
    expect(page).to_have_url(f"{live_server}/")
    # the account may keep another language from an earlier test (the live server's data is shared):
    # choose English as a user does, with the header's switch (saved to the account)
    page.click("#lang-en")
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_an_officer_edits_one_receipt_and_deletes_another(page: Page, live_server: str) -> None:
    sign_in(page, live_server, "sts@demo.kg")
    page.goto(f"{live_server}/receipts/2025?lang=en")
    edit_links = page.locator("#receipts a[id^='edit-receipt-']")
    assert edit_links.count() >= 2, "the demo STS draft has fewer than two receipts"
    first_id = edit_links.first.get_attribute("id").removeprefix("edit-receipt-")
    second_id = edit_links.nth(1).get_attribute("id").removeprefix("edit-receipt-")
    rows_before = page.locator("#receipts tbody tr").count()

    edit_links.first.click()
    expect(page).to_have_url(re.compile(rf"/receipts/lines/{first_id}/edit$"))
    amount = page.locator("#amount")
    assert re.fullmatch(r"-?\d+\.\d{2}", amount.input_value()), amount.input_value()  # English: a plain decimal
    amount.fill("1 234 567.89")
    page.fill("#comment", "Corrected in the browser")
    page.click("#save-receipt")

    expect(page).to_have_url(re.compile(rf"/receipts/2025#receipt-{first_id}$"))
    expect(page.locator(".flash-success")).to_contain_text("The receipt was changed and saved.")
    row = page.locator(f"#receipt-{first_id}")
    expect(row).to_contain_text("1,234,567.89")
    expect(row).to_contain_text("Corrected in the browser")
    # the edit page shows what was saved
    page.goto(f"{live_server}/receipts/lines/{first_id}/edit?lang=en")
    expect(page.locator("#amount")).to_have_value("1234567.89")

    page.goto(f"{live_server}/receipts/2025?lang=en")
    page.click(f"#delete-receipt-{second_id}")
    expect(page.locator("h1")).to_have_text("Delete this receipt?")
    expect(page.locator("#receipt-facts")).to_be_visible()
    page.click("#confirm-delete")
    expect(page.locator(".flash-success")).to_contain_text("The receipt was deleted.")
    expect(page.locator(f"#receipt-{second_id}")).to_have_count(0)
    expect(page.locator("#receipts tbody tr")).to_have_count(rows_before - 1)
    expect(page.locator(f"#receipt-{first_id}")).to_contain_text("1,234,567.89")


def _row(page: Page, code: str):
    return page.locator(f"#stream-{code}")


def test_the_streams_table_keeps_every_edit_after_a_refused_save_then_saves_all(page: Page, live_server: str) -> None:
    sign_in(page, live_server, "secretariat@demo.kg")
    page.goto(f"{live_server}/eiti/2025/settings?lang=en")
    edits = {"ROYALTY": ("included", "1.5", "100000"), "CIT": ("not_included", "2", "5000"),
             "EXPORT_DUTY": ("not_applicable", "101", "0")}  # 101 %: refused
    for code, (inclusion, margin, floor) in edits.items():
        row = _row(page, code)
        row.locator("select").select_option(inclusion)
        row.locator("input[name$='-margin_pct']").fill(margin)
        row.locator("input[name$='-floor']").fill(floor)
    page.click("#save-streams")

    expect(page.locator("#streams-errors")).to_be_visible()
    bad = _row(page, "EXPORT_DUTY").locator("input[name$='-margin_pct']")
    expect(bad).to_have_attribute("aria-invalid", "true")
    expect(_row(page, "EXPORT_DUTY").locator(".error")).to_contain_text("cannot exceed 100")
    for code, (inclusion, margin, floor) in edits.items():  # nothing typed is lost
        row = _row(page, code)
        expect(row.locator("select")).to_have_value(inclusion)
        expect(row.locator("input[name$='-margin_pct']")).to_have_value(margin)
        expect(row.locator("input[name$='-floor']")).to_have_value(floor)
    # and nothing was saved
    page.goto(f"{live_server}/eiti/2025/settings?lang=en")
    expect(_row(page, "ROYALTY").locator("input[name$='-margin_pct']")).not_to_have_value("1.5")
    expect(_row(page, "CIT").locator("select")).to_have_value("included")

    for code, (inclusion, margin, floor) in {**edits, "EXPORT_DUTY": ("not_applicable", "10", "0")}.items():
        row = _row(page, code)
        row.locator("select").select_option(inclusion)
        row.locator("input[name$='-margin_pct']").fill(margin)
        row.locator("input[name$='-floor']").fill(floor)
    page.click("#save-streams")
    expect(page.locator(".flash-success")).to_contain_text("The settings were saved.")
    expect(page).to_have_url(re.compile(r"/eiti/2025/settings#streams$"))
    page.goto(f"{live_server}/eiti/2025/settings?lang=en")
    for code, (inclusion, margin, floor) in {"ROYALTY": ("included", "1.50", "100000.00"),
                                             "CIT": ("not_included", "2.00", "5000.00"),
                                             "EXPORT_DUTY": ("not_applicable", "10.00", "0.00")}.items():
        row = _row(page, code)
        expect(row.locator("select")).to_have_value(inclusion)
        expect(row.locator("input[name$='-margin_pct']")).to_have_value(margin)
        expect(row.locator("input[name$='-floor']")).to_have_value(floor)


def test_every_control_of_the_settings_page_has_a_label_and_no_id_repeats(browser: Browser, live_server: str) -> None:
    reason = axe.missing_reason()
    if reason:
        pytest.skip(reason)
    context = browser.new_context(bypass_csp=True)  # the portal's CSP would block the injected axe script
    try:
        page = context.new_page()
        sign_in(page, live_server, "secretariat@demo.kg")
        page.goto(f"{live_server}/eiti/2025/settings?lang=en")
        # the labels are linked: a click on one focuses its own row's control
        label = page.locator("label[for]").filter(has_text="Margin percentage").first
        target = label.get_attribute("for")
        assert page.locator(f"[id='{target}']").count() == 1
        found = [line for violation in axe.run(page)["violations"] if violation["id"] in LABEL_RULES
                 for line in axe.describe(violation)]
        assert not found, f"axe-core {axe.version()}:\n" + "\n".join(found)
    finally:
        context.close()
