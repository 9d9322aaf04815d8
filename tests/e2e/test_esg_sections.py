"""Acceptance test of the ESG sections, in Kyrgyz: filer1@demo.kg attaches the EIA conclusion (a PDF),
fills every ESG section through its form (production through a CSV upload), submits, and finds every
section with its Kyrgyz place names in the filing receipt PDF.

A server of its own (not the session's ``live_server``): the filing test there submits the same
company's 2025 filing. Translated texts are checked against the compiled Kyrgyz catalog, as in
``test_filing_flow``; behaviour is checked through ids, values and the receipt's text.
"""
from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from reportlab.pdfgen import canvas

from conftest import serve_demo
from test_filing_flow import Kyrgyz, attest_and_submit, sign_in_in_kyrgyz

YEAR = 2025
PROJECT = "KG-DEMO-0001-AP"
#: Kyrgyz place names typed into the forms; each must come back in the receipt
VILLAGE, AIYL_AIMAK, DISTRICT = "Ак-Түз", "Орловка айыл аймагы", "Кемин району"
AIYL_OKMOTU = "Ак-Түз айыл өкмөтү"


@pytest.fixture(scope="module")
def esg_server(tmp_path_factory) -> Iterator[str]:
    with serve_demo(tmp_path_factory.mktemp("e2e-esg") / "esg.db") as url:
        yield url


def _pdf(path: Path) -> Path:
    pdf = canvas.Canvas(str(path))
    pdf.drawString(72, 720, "EIA conclusion No. 12/2024 (demo)")
    pdf.save()
    return path


def _section_url(server: str, section: str, suffix: str = "") -> str:
    return f"{server}/disclosures/filing/{YEAR}/sections/{section}{suffix}"


def _save(page: Page, section: str) -> None:
    page.click("#save-item")
    expect(page.locator(f"[id^='{section}-item-']").first).to_be_visible()


def _receipt_text(page: Page, server: str, tmp: Path) -> str:
    action = page.locator("form:has(#receipt-download)").get_attribute("action")
    response = page.request.get(f"{server}{action}?lang=ky")
    assert response.ok and response.headers["content-type"] == "application/pdf"
    pdf = tmp / "receipt.pdf"
    pdf.write_bytes(response.body())
    # every page renders, and the text layer holds what was filed
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf), str(tmp / "page")], check=True)
    assert list(tmp.glob("page*.png"))
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout


@pytest.mark.filterwarnings("default:Kyrgyz catalog has no translation yet:UserWarning")
def test_filer_fills_every_esg_section_in_kyrgyz_and_the_receipt_shows_them(
        page: Page, esg_server: str, tmp_path: Path) -> None:
    ky = Kyrgyz()
    server = esg_server
    sign_in_in_kyrgyz(page, server, "filer1@demo.kg")

    # the EIA conclusion as an attachment (checked by content, listed with its SHA-256)
    page.goto(f"{server}/attachments/filing/{YEAR}")
    page.set_input_files("#file", str(_pdf(tmp_path / "eia-conclusion.pdf")))
    page.fill("#title", "АЧТБ корутундусу")
    page.click("#attach-button")
    expect(page.locator("#attachments")).to_contain_text("eia-conclusion.pdf")

    # EIA: one assessment with a commitment, monitoring figures and the conclusion
    page.goto(_section_url(server, "eia", "/items/new"))
    expect(page.locator("html")).to_have_attribute("lang", "ky")
    page.select_option("#project", PROJECT)
    page.select_option("#assessment_type", "eia")
    page.fill("#reference_number", "12/2024")
    page.fill("#decision_date", "2024-11-15")
    page.fill("#approving_authority", "Жаратылыш ресурстары, экология жана техникалык көзөмөл министрлиги")
    page.select_option("#outcome", "approved_with_conditions")
    page.select_option("#conclusion_attachment", index=1)
    page.fill("#commitments-0-description", f"{VILLAGE} айылынын суу булагын коргоо")
    page.fill("#commitments-0-due_date", "2025-09-30")
    page.select_option("#commitments-0-status", "in_progress")
    page.fill("#water_withdrawn_m3", "12 500,5")
    page.fill("#land_disturbed_ha", "14,2")
    _save(page, "eia")
    expect(page.locator("#eia-item-0")).to_contain_text("12 500,5")

    # a public hearing where the social package was agreed, with a concern and the answer
    page.goto(_section_url(server, "public_hearings", "/items/new"))
    page.fill("#reference", "H-2025-01")
    page.select_option("#project", PROJECT)
    page.fill("#date", "2025-04-12")
    page.fill("#settlement", VILLAGE)
    page.fill("#aiyl_aimak", AIYL_AIMAK)
    page.fill("#district", DISTRICT)
    page.select_option("#region", "CHUY")
    page.select_option("#stage", "operation")
    page.select_option("#organiser", "joint")
    page.check("#announced_via-0")
    page.fill("#notice_days", "14")
    page.check("#languages-0")
    page.fill("#participants_total", "86")
    page.fill("#participants_women", "31")
    page.fill("#topics", "Суу, жол жана жумуш орундары")
    page.fill("#concerns-0-concern", "Жайкы мезгилде суу жетишсиз")
    page.fill("#concerns-0-answer", "Компания жаңы скважина казат")
    page.fill("#outcome", "Социалдык пакет макулдашылды")
    _save(page, "public_hearings")

    # the social package agreed at that hearing, with an in-kind commitment (a second row added)
    page.goto(_section_url(server, "social_agreements", "/items/new"))
    page.select_option("#counterparty_kind", "aiyl_okmotu")
    page.fill("#counterparty_name", AIYL_OKMOTU)
    page.fill("#district", DISTRICT)
    page.select_option("#region", "CHUY")
    page.fill("#agreement_number", "СП-7/2025")
    page.fill("#signed_date", "2025-04-20")
    page.fill("#start_date", "2025-05-01")
    page.fill("#end_date", "2027-12-31")
    page.select_option("#legal_basis", "licence")
    page.fill("#committed_cash_kgs", "15 000 000")
    page.fill("#committed_in_kind-0-description", "Мектепке көмүр")
    page.click("#add-row-committed_in_kind")
    page.fill("#committed_in_kind-1-description", "Жол оңдоо")
    page.fill("#committed_in_kind-1-estimated_value_kgs", "350 000,50")
    page.fill("#disbursed_cash_kgs", "5 000 000")
    page.check("#purposes-1")
    page.check("#purposes-2")
    page.fill("#beneficiaries", f"{VILLAGE} айылынын тургундары")
    page.fill("#hearing_reference", "H-2025-01")
    _save(page, "social_agreements")
    # after the agreement carried over from 2024 (demo data): the new item comes last
    expect(page.locator("[id^='social_agreements-item-']").last).to_contain_text("Жол оңдоо")

    # workforce: one object, with a wrong sum first (the error is shown next to the field)
    page.goto(_section_url(server, "workforce", "/items/new"))
    page.fill("#employees_total", "420")
    page.fill("#citizens", "400")
    page.fill("#foreign_nationals", "30")
    page.fill("#women", "70")
    page.fill("#women_in_management", "6")
    page.fill("#local_residents", "260")
    page.fill("#contractors", "90")
    page.fill("#training_spend_kgs", "1 200 000")
    page.click("#save-item")
    expect(page.locator(".error-summary")).to_be_visible()
    page.fill("#foreign_nationals", "20")
    _save(page, "workforce")

    # production through a CSV upload (all or nothing; Kyrgyz text needs UTF-8)
    page.goto(_section_url(server, "production"))
    page.click("#upload-section")
    expect(page.locator("#upload-form")).to_be_visible()
    template = page.request.get(_section_url(server, "production", "/template.csv"))
    header = template.text().splitlines()[0].lstrip("\ufeff").split(",")
    values = {"mineral": "REE", "unit": "t", "produced_volume": "1 250,5", "project": PROJECT,
              "produced_value_kgs": "98 000 000", "comment": "Сейрек жер металлдарынын концентраты"}
    csv = tmp_path / "production.csv"
    csv.write_text(",".join(header) + "\n" + ",".join(f'"{values.get(c, "")}"' for c in header) + "\n",
                   encoding="utf-8")
    page.set_input_files("#file", str(csv))
    page.click("#upload-button")
    expect(page.locator("#production-item-0")).to_contain_text("1 250,5")

    # beneficial owners: the date of birth and the document stay with the secretariat
    page.goto(_section_url(server, "beneficial_owners", "/items/new"))
    page.fill("#surname", "Токтогулов")
    page.fill("#given_name", "Бакыт")
    page.fill("#patronymic", "Асанович")
    page.select_option("#nationality", "KG")
    page.select_option("#country_of_residence", "KG")
    # with the owners carried over from 2024 (55 per cent direct), the direct shares stay within 100
    page.fill("#ownership_pct", "40")
    page.fill("#voting_pct", "40")
    page.select_option("#direct_or_indirect", "direct")
    page.check("#means_of_control-0")   # shares
    page.check("#means_of_control-1")   # voting rights (a voting share needs them)
    page.fill("#date_of_birth", "1971-03-08")
    page.fill("#id_document", "ID AN1234567")
    _save(page, "beneficial_owners")
    expect(page.locator("[id^='beneficial_owners-item-']").last).to_contain_text("Токтогулов")

    # every section is provided on the filing page; then submit
    page.goto(f"{server}/disclosures/filing/{YEAR}")
    for section in ("eia", "social_agreements", "public_hearings", "workforce", "production",
                    "beneficial_owners"):
        expect(page.locator(f"#section-{section} .state-provided")).to_be_visible()
    attest_and_submit(page, ky, 1)

    page.goto(f"{server}/disclosures/filing/{YEAR}")
    text = _receipt_text(page, server, tmp_path)
    for place in (VILLAGE, AIYL_AIMAK, DISTRICT, AIYL_OKMOTU, "Жол оңдоо", "Токтогулов",
                  "eia-conclusion.pdf", "Сейрек жер металлдарынын концентраты"):
        assert place in text, place
    assert "1971-03-08" not in text and "AN1234567" not in text
    for title in ("Environmental impact assessments", "Social agreements", "Public hearings", "Workforce",
                  "Production and exports", "Beneficial owners"):
        kyrgyz = ky(title)
        if kyrgyz is not None:
            assert kyrgyz in text, title
