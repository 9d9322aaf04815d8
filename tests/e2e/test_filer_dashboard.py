"""A filer signs in, switches to Kyrgyz and sees the company dashboard."""
from pathlib import Path

from babel.support import Translations
from playwright.sync_api import Page, expect

import esg_portal
from esg_portal.demo.loader import DEMO_PASSWORD

CATALOGS = Path(esg_portal.__file__).parent / "translations"


def ky(message: str) -> str:
    return Translations.load(str(CATALOGS), ["ky"]).gettext(message)


def test_filer_signs_in_switches_to_kyrgyz_and_sees_the_dashboard(page: Page, live_server: str):
    page.goto(f"{live_server}/login?lang=en")
    page.fill("#email", "filer1@demo.kg")
    page.fill("#password", DEMO_PASSWORD)
    page.click("#sign-in")
    expect(page).to_have_url(f"{live_server}/")
    expect(page.locator("#filings")).to_be_visible()
    company_name = page.locator("main h1").inner_text()
    assert "Demo" in company_name

    page.click("#lang-ky")
    expect(page.locator("html")).to_have_attribute("lang", "ky")
    heading = ky("Annual disclosures")
    assert heading != "Annual disclosures", "the Kyrgyz catalog has no translation for the heading"
    expect(page.locator("#filings-heading")).to_have_text(heading)
    expect(page.locator("main h1")).to_have_text(company_name)
    expect(page.locator("#filings tbody th").first).to_have_text("2025")

    # the choice is remembered on the account: a new page load stays in Kyrgyz
    page.goto(f"{live_server}/")
    expect(page.locator("html")).to_have_attribute("lang", "ky")
    expect(page.locator("#logout")).to_have_text(ky("Sign out"))
