"""Payment uploads on the filing page: all or nothing, every error listed, templates to download."""
from __future__ import annotations

import html
import io
import re

import pytest
from flask import Flask
from openpyxl import load_workbook

from support import csrf_token, login
from esg_portal.companies.models import License
from esg_portal.disclosure.models import Disclosure
from esg_portal.extensions import db

FILING = "/disclosures/filing/2025"
UPLOAD = f"{FILING}/upload"
HEADER = "revenue_stream,government_entity,project,amount,currency,paid_in_kind,comment\n"


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True)).replace("\u00a0", " ")


@pytest.fixture
def licence(app: Flask, world) -> str:
    with app.app_context():
        return db.session.get(License, world["own_licence"]).number


@pytest.fixture
def filer(app: Flask, world):
    client = app.test_client()
    login(client, "filer@test.kg")
    return client


def lines_of(app: Flask, disclosure_id: int) -> list[tuple[str, str, int]]:
    with app.app_context():
        return sorted((line.revenue_stream.code, line.license.number if line.license else "", line.amount_minor)
                      for line in db.session.get(Disclosure, disclosure_id).payment_lines)


def upload(client, content: bytes, filename: str = "payments.csv", lang: str = "en"):
    token = csrf_token(client, FILING)
    return client.post(f"{UPLOAD}?lang={lang}", data={"csrf_token": token, "file": (io.BytesIO(content), filename)},
                       content_type="multipart/form-data")


def error_rows(page: str) -> list[tuple[str, str, str, str]]:
    table = re.search(r'<table class="data errors" id="upload-errors".*?</table>', page, re.S).group(0)
    rows = re.findall(r'<tr><th scope="row" class="num">(.*?)</th>\s*<td class="mono">(.*?)</td>'
                      r'<td class="mono value">(.*?)</td>\s*<td>(.*?)</td></tr>', table, re.S)
    return [tuple(cell.strip() for cell in row) for row in rows]


def test_a_file_with_errors_is_refused_whole_and_every_error_is_listed(app, filer, world, licence):
    before = lines_of(app, world["own_disclosure"])
    content = (HEADER + f"ROYALTY,STS,{licence},1000.00,KGS,no,\n"
               "CIT,STS,,12.345,KGS,no,\n"
               "ROYALTY,STS,,50.00,KGS,no,\n"
               "CIT,NOPE,,-5,KGS,no,\n").encode()
    response = upload(filer, content)
    assert response.status_code == 422
    page = text(response)
    assert "The file was not accepted: 4 errors. Nothing was saved." in page
    assert "Nothing was saved: the payment lines of the draft are unchanged." in page
    rows = error_rows(page)
    assert [(row, column) for row, column, _value, _message in rows] == [
        ("2", "amount"), ("3", "project"), ("4", "government_entity"), ("4", "comment")]
    assert rows[0][2] == "12.345" and "more than 2 decimals" in rows[0][3]
    assert "levied per project" in rows[1][3]
    assert "NOPE" in rows[2][2] and "is not a government entity code" in rows[2][3]
    assert "refund" in rows[3][3]
    assert 'scope="col"' in page and "Row" in page and "Column" in page
    assert lines_of(app, world["own_disclosure"]) == before


def test_a_corrected_file_replaces_the_lines(app, filer, world, licence):
    assert upload(filer, (HEADER + "CIT,STS,,12.345,KGS,no,\n").encode()).status_code == 422
    content = (HEADER + f"ROYALTY,STS,{licence},\"1 000,50\",KGS,no,\n"
               "CIT,STS,,-5.00,KGS,no,Refund of an overpayment\n"
               "CIT,STS,,100,USD,no,\n").encode()
    response = upload(filer, content, lang="ru")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"{FILING}#payments")
    assert lines_of(app, world["own_disclosure"]) == [("CIT", "", -500), ("CIT", "", 10000),
                                                      ("ROYALTY", licence, 100050)]
    page = text(filer.get(f"{FILING}?lang=en"))
    # the confirmation was written in the language of the upload request (ru): 3 → "строки"
    assert re.search(r"3 [^<]*строк", page), "the confirmation is missing or not in Russian"
    # USD converted at 87.4500 half-even to the tyiyn: 100 USD = 8,745.00 KGS
    assert re.search(r'id="totals-kgs">9,740.50<', page)
    assert "87.4500 KGS per USD" in page


def test_errors_are_listed_in_the_users_language(filer, world):
    page = text(upload(filer, (HEADER + "CIT,STS,,abc,KGS,no,\n").encode(), lang="ru"))
    [(_row, column, _value, message)] = error_rows(page)
    assert column == "amount"
    assert re.search(r"[а-яА-Я]", message), message
    assert '<html lang="ru">' in page


def test_a_header_error_is_reported_for_the_file(filer, world):
    page = text(upload(filer, b"stream,amount\nCIT,5\n"))
    rows = error_rows(page)
    assert rows and all(row == "file" for row, *_rest in rows)


def test_an_upload_needs_a_file(filer, world):
    token = csrf_token(filer, FILING)
    response = filer.post(UPLOAD, data={"csrf_token": token}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Choose the CSV or XLSX file" in text(response)


def test_the_upload_page_offers_the_templates(filer, world):
    page = text(filer.get(UPLOAD))
    assert 'id="upload-form"' in page and 'enctype="multipart/form-data"' in page
    assert f'action="{FILING}/payments-template.xlsx"' in page and f'action="{FILING}/payments-template.csv"' in page


def test_the_templates_download_and_a_filled_xlsx_template_is_accepted(app, filer, world, licence):
    csv = filer.get(f"{FILING}/payments-template.csv")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    assert csv.headers["Content-Disposition"] == "attachment; filename=payments-template-2025.csv"
    assert csv.data.decode("utf-8-sig").startswith("revenue_stream,government_entity,project,amount")

    xlsx = filer.get(f"{FILING}/payments-template.xlsx?lang=ky")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    assert "payments-template-2025.xlsx" in xlsx.headers["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(xlsx.data))
    sheet = workbook.worksheets[0]
    header = [cell.value for cell in sheet[1]]
    values = {"revenue_stream": "LOCAL_DEV", "government_entity": "LSG", "project": licence, "amount": "2500.00",
              "currency": "KGS", "paid_in_kind": "no", "recipient_locality": "Чоң-Алай"}
    for column, value in values.items():
        sheet.cell(row=2, column=header.index(column) + 1, value=value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = upload(filer, buffer.getvalue(), "payments.xlsx")
    assert response.status_code == 302, text(response)[:2000]
    assert lines_of(app, world["own_disclosure"]) == [("LOCAL_DEV", licence, 250000)]
    with app.app_context():
        [line] = db.session.get(Disclosure, world["own_disclosure"]).payment_lines
        assert line.recipient_locality == "Чоң-Алай"


def test_only_filers_get_the_templates_and_the_upload(app, world):
    client = app.test_client()
    login(client, "secretariat@test.kg")
    for path in (UPLOAD, f"{FILING}/payments-template.csv", f"{FILING}/payments-template.xlsx"):
        assert client.get(path).status_code == 403, path
