"""In the browser, in Kyrgyz, on a 360 px phone: a resident files anonymous feedback with a photo about a
site and gets the private link; the secretariat registers it and sends it to the company; the company
answers; the resident says it is not resolved and reopens it; the public page shows the case without any
personal data, and the company's statistics change accordingly."""
from __future__ import annotations

import io
import re
from collections.abc import Iterator

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from conftest import SERVED, serve_demo
from esg_portal.demo.loader import DEMO_PASSWORD, publish_demo
from esg_portal.extensions import db
from esg_portal.feedback.models import FeedbackCase, FeedbackPhoto

PHONE = {"width": 360, "height": 740}
TEXT = "Жардыруудан кийин айылдын үстүнө кызыл чаң түшөт, балдар жөтөлүп жатат. Белги Qx47."
ANSWER = "Жардыруу шамал айылды көздөй соккондо токтотулат; чаңды басуу үчүн суу себилет."
KUTESSAY = "01234567890123"


@pytest.fixture(scope="module")
def portal(tmp_path_factory) -> Iterator[str]:
    with serve_demo(tmp_path_factory.mktemp("feedback") / "feedback.db") as url:
        with SERVED[url].app_context():
            publish_demo(url)
            db.session.commit()
        yield url


def _photo_with_gps(path) -> None:
    image = Image.new("RGB", (64, 48), (120, 90, 60))
    exif = Image.Exif()
    exif[0x010F] = "MarkerCam Qx47"  # Make
    gps = {1: "N", 2: (42.0, 48.0, 30.0), 3: "E", 4: (75.0, 58.0, 12.0)}
    exif[0x8825] = gps
    image.save(path, "JPEG", exif=exif.tobytes())


def _no_sideways_scroll(page: Page) -> None:
    page.wait_for_load_state()
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= PHONE["width"], f"{page.url} scrolls sideways on a phone: {scroll} px"


def _staff(browser: Browser, url: str, email: str) -> Page:
    page = browser.new_page(viewport=PHONE)
    page.goto(f"{url}/login?lang=ky")
    page.fill("#email", email)
    page.fill("#password", DEMO_PASSWORD)
    page.click("#sign-in")
    expect(page).to_have_url(f"{url}/")
    return page


def _statistics(page: Page, url: str) -> tuple[int, str, int]:
    """The company's figures on the statistics page (cases, by state) and on its own public page (cases)."""
    page.goto(f"{url}/feedback/statistics?lang=ky")
    section = page.locator(f'section[data-key="{KUTESSAY}"]')
    count, by_state = 0, ""
    if section.count():
        count, by_state = int(section.locator(".case-count").inner_text().split()[0]), section.locator(".by-state").inner_text()
    page.goto(f"{url}/companies/{KUTESSAY}?lang=ky")
    figures = page.locator("#feedback-figures .case-count")
    return count, by_state, int(figures.inner_text().split()[0]) if figures.count() else 0


def test_a_resident_case_from_the_phone_to_the_public_record(browser: Browser, portal: str, tmp_path) -> None:
    url, app = portal, SERVED[portal]
    resident = browser.new_page(viewport=PHONE)
    before = _statistics(resident, url)

    resident.goto(f"{url}/feedback/new?lang=ky")
    _no_sideways_scroll(resident)
    resident.check("#kind-0")  # anonymous
    resident.check("#subject_kind-0")  # a site
    resident.select_option("#site", "T1-01")
    resident.select_option("#category", "air_dust")
    resident.fill("#text", TEXT)
    resident.fill("#aiyl_okmotu", "Кемин")
    photo = tmp_path / "dust.jpg"
    _photo_with_gps(photo)
    resident.set_input_files("#photos", str(photo))
    resident.wait_for_timeout(3100)  # a person takes longer than the automated-sender threshold
    resident.click("#send-feedback")
    expect(resident.locator("#keep-this")).to_be_visible()
    private = resident.url.split("#")[0]  # the form lands on its error summary: the fragment stays
    code = resident.locator("#created-code").inner_text()
    assert re.fullmatch(r"\d{6}", resident.locator("#created-pin").inner_text())
    expect(resident.locator("#original-text")).to_have_text(TEXT)
    _no_sideways_scroll(resident)

    with app.app_context():
        case = db.session.scalar(select(FeedbackCase).where(FeedbackCase.code == code))
        stored = db.session.scalar(select(FeedbackPhoto).where(FeedbackPhoto.case_id == case.id))
        assert case.language == "ky" and case.site_code == "T1-01"
        assert b"MarkerCam" not in stored.content and not Image.open(io.BytesIO(stored.content)).getexif()

    secretariat = _staff(browser, url, "secretariat@demo.kg")
    secretariat.goto(f"{url}/feedback/handle/{code}")
    _no_sideways_scroll(secretariat)
    secretariat.fill("#public_text", TEXT.replace(" Белги Qx47.", ""))
    secretariat.check("#addressee-0")  # the company
    secretariat.select_option("#company", KUTESSAY)
    secretariat.click("#register-case")
    expect(secretariat.locator("#case-state")).to_contain_text("Катталды")

    company = _staff(browser, url, "filer1@demo.kg")
    company.goto(f"{url}/feedback/handle/{code}")
    expect(company.locator("#original-text")).to_have_text(TEXT)
    company.fill("#text", ANSWER)
    company.click("#send-answer")
    expect(company.locator("#case-steps")).to_contain_text(ANSWER)

    resident.goto(private)
    expect(resident.locator("#case-steps")).to_contain_text(ANSWER)
    resident.check("#verdict-1")  # not solved
    resident.click("#send-verdict")
    expect(resident.locator("#case-verdict")).to_be_visible()
    resident.fill("#reason", "Кечээ дагы жардырышты, чаң ошол бойдон.")
    resident.click("#send-reopen")
    expect(resident.locator("#case-reopened")).to_be_visible()
    expect(resident.locator("#reopen")).to_have_count(0)  # once only
    _no_sideways_scroll(resident)

    visitor = browser.new_page(viewport=PHONE)
    visitor.goto(f"{url}/feedback/{code}?lang=ky")
    _no_sideways_scroll(visitor)
    public = visitor.content()
    assert ANSWER in public and TEXT.replace(" Белги Qx47.", "") in public
    assert "Qx47" not in public
    after = _statistics(visitor, url)
    assert after[0] == before[0] + 1 and after[2] == before[2] + 1
    # the reopened case is being handled again: one more case in progress than before
    in_progress = "Каралууда"
    assert after[1] != before[1] and in_progress in after[1]
