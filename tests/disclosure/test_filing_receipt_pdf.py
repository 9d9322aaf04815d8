"""The filing receipt PDF of a submitted version: built, rendered by poppler, and fetched only by its readers."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from flask import Flask

from support import login, post_form
from esg_portal.accounts.models import Role
from esg_portal.disclosure import pages
from esg_portal.disclosure.models import Disclosure
from esg_portal.extensions import db
from esg_portal.reports import LABELS_EN

COMPANY = "ОсОО «Кумтөр Тест Голд»"
INN = "01234567890123"
ATTEST = {"attested_by_name": "Айбек Тестов", "attested_by_position": "Башкы директор", "confirm": "y"}


@pytest.fixture
def receipt(app: Flask, factory) -> dict:
    period = factory.period(2025)
    company = factory.company(COMPANY, inn=INN, address="Бишкек ш., Чүй пр. 1", legal_form="ОсОО")
    other = factory.company("Other Mining LLC")
    ids = {
        "licence": factory.licence(company, "KG-0101-AP", project_name="Кумтөр"),
        "filer": factory.user(Role.COMPANY_FILER, "filer@test.kg", company_id=company, is_signatory=True),
        "other_filer": factory.user(Role.COMPANY_FILER, "other@test.kg", company_id=other, is_signatory=True),
        "secretariat": factory.user(Role.SECRETARIAT, "secretariat@test.kg"),
        "disclosure": factory.disclosure(company, period, payments=[("CIT", "STS", "1234567.89"),
                                                                    ("VAT", "STS", "100000.00")]),
    }
    return ids


def client_of(app: Flask, email: str):
    client = app.test_client()
    login(client, email)
    return client


def pdf_text(tmp_path: Path, data: bytes) -> str:
    path = tmp_path / "receipt.pdf"
    path.write_bytes(data)
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(path), str(tmp_path / "page")], check=True, timeout=60)
    assert list(tmp_path.glob("page*.png")), "pdftoppm rendered no page"
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, timeout=60)
    return re.sub(r"[\u00a0\u202f]", " ", out.stdout.decode("utf-8"))


def test_the_receipt_labels_translate_every_label_of_the_builder():
    assert set(pages.RECEIPT_LABELS) == set(LABELS_EN)


def test_a_draft_has_no_receipt(app, receipt):
    assert client_of(app, "filer@test.kg").get(f"/disclosures/{receipt['disclosure']}/receipt.pdf").status_code == 404


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_the_receipt_of_a_submitted_version_renders_with_the_company_and_totals(app, receipt, tmp_path, lang):
    filer = client_of(app, "filer@test.kg")
    response = post_form(filer, f"/disclosures/filing/2025/submit?lang={lang}", {**ATTEST, "language": lang})
    assert response.status_code == 302
    with app.app_context():
        sha256 = db.session.get(Disclosure, receipt["disclosure"]).sha256

    response = filer.get(f"/disclosures/{receipt['disclosure']}/receipt.pdf?lang={lang}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == f"attachment; filename=filing-receipt-{INN}-2025-v1.pdf"
    assert response.data.startswith(b"%PDF")

    text = pdf_text(tmp_path, response.data)
    flat = " ".join(text.split())
    assert "Кумтөр Тест Голд" in flat  # the Cyrillic name, Kyrgyz letters included
    assert INN in flat and sha256[:16] in flat
    if lang == "ru":
        assert "1 234 567,89" in flat and "1 334 567,89" in flat and "100 000,00" in flat
        assert "Пайдага салык" not in flat and "Налог на прибыль" in flat  # stream names in Russian
    else:
        assert "1,234,567.89" in flat and "1,334,567.89" in flat and "100,000.00" in flat
        assert "Corporate income tax" in flat and "Filing receipt" in flat
    assert "Айбек Тестов" in flat


def test_the_secretariat_fetches_the_receipt_and_another_company_does_not(app, receipt):
    filer = client_of(app, "filer@test.kg")
    post_form(filer, "/disclosures/filing/2025/submit", {**ATTEST, "language": "en"})
    path = f"/disclosures/{receipt['disclosure']}/receipt.pdf"
    assert client_of(app, "secretariat@test.kg").get(path).status_code == 200
    assert client_of(app, "other@test.kg").get(path).status_code in (403, 404)
    assert app.test_client().get(path).status_code == 302  # visitors are sent to sign in
