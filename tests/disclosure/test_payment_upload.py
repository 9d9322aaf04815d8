"""disclosure.schemas.read_payment_upload: CSV and XLSX payment files of INTERFACES.md §3."""
from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest

from esg_portal.disclosure.schemas import PAYMENT_COLUMNS, load_payment_lookups, read_payment_upload
from esg_portal.tabular import TooLarge, UploadRejected

HEADER = ",".join(PAYMENT_COLUMNS)
SHEET = "xl/worksheets/sheet1.xml"


@pytest.fixture
def ids(factory) -> dict[str, int]:
    own, other = factory.company("Own Mining LLC"), factory.company("Other Mining LLC")
    return {"own": own, "licence": factory.licence(own, "KG-0001-AP"),
            "other_licence": factory.licence(other, "KG-9999-AP")}


@pytest.fixture
def upload(app, ids):
    """read_payment_upload for the own company; messages and numbers in ``lang``."""
    def run(data: bytes, filename: str = "payments.csv", lang: str = "en"):
        with app.test_request_context(f"/?lang={lang}"):
            return read_payment_upload(data, filename, locale=lang, lookups=load_payment_lookups(ids["own"]))
    return run


@pytest.fixture
def rejected(upload):
    def run(data: bytes, filename: str = "payments.csv", lang: str = "en") -> list[dict]:
        with pytest.raises(UploadRejected) as caught:
            upload(data, filename, lang)
        assert caught.value.status == 422
        return caught.value.as_dicts()
    return run


def csv(*lines: str, header: str = HEADER, encoding: str = "utf-8") -> bytes:
    return "\r\n".join([header, *lines, ""]).encode(encoding)


def xlsx(*rows) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for values in rows:
        sheet.append(list(values))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def patch_sheet(data: bytes, old: str, new: str) -> bytes:
    """Rewrite the sheet XML, to store the cached formula results openpyxl cannot write."""
    source = zipfile.ZipFile(io.BytesIO(data))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == SHEET:
                text = content.decode()
                assert old in text, text
                content = text.replace(old, new).encode()
            target.writestr(info, content)
    return output.getvalue()


# -- CSV -------------------------------------------------------------------------------------------

def test_csv_in_russian_notation_with_semicolons(upload, ids):
    data = csv('ROYALTY;STS;KG-0001-AP;1 234 567,89;KGS;no;;;;',
               'VAT;STS;;-1 000,5;KGS;no;;;;"Возврат НДС; экспорт"', header=HEADER.replace(",", ";"))
    [royalty, vat] = upload(data, lang="ru")
    assert (royalty.license_id, royalty.amount_minor) == (ids["licence"], 123456789)
    assert (vat.amount_minor, vat.comment) == (-100050, "Возврат НДС; экспорт")


def test_csv_in_english_notation(upload):
    [payment] = upload(csv('CIT,STS,,"1,234,567.89",USD,no,,,,'), lang="en")
    assert (payment.amount_minor, payment.currency) == (123456789, "USD")


def test_ambiguous_amount_follows_the_users_language(upload):
    data = csv("CIT,STS,,\"1,234\",KGS,no,,,,")
    assert upload(data, lang="en")[0].amount_minor == 123400
    with pytest.raises(UploadRejected) as caught:
        upload(data, lang="ru")
    [error] = caught.value.errors
    assert (error.row, error.column, error.value) == (1, "amount", "1,234")
    assert "больше двух знаков после запятой" in error.message  # in ru the comma is the decimal mark


def test_windows_1251_csv(upload):
    data = csv("CIT,STS,,100,KGS,no,,,Бишкек,Платёж за 2025 год", encoding="cp1251")
    [payment] = upload(data, lang="ru")
    assert (payment.recipient_locality, payment.comment) == ("Бишкек", "Платёж за 2025 год")


def test_utf8_bom_and_header_case_are_ignored(upload):
    data = b"\xef\xbb\xbf" + csv("CIT,STS,,100,KGS,no,,,Кемин,Кыргызча ңөү",
                                 header=HEADER.upper().replace("REVENUE_STREAM", " Revenue_Stream "))
    [payment] = upload(data)
    assert (payment.recipient_locality, payment.comment) == ("Кемин", "Кыргызча ңөү")


def test_optional_columns_may_be_left_out(upload):
    [payment] = upload(csv("LOCAL_DEV,LSG,KG-0001-AP,5,KGS,no",
                           header="revenue_stream,government_entity,project,amount,currency,paid_in_kind"))
    assert payment.amount_minor == 500 and payment.comment is None


def test_missing_and_unknown_columns_are_reported_together_and_alone(rejected):
    data = csv("NOPE,XX,,abc,EUR,no,x,y",
               header="revenue_stream,government_entity,project,Amount_KGS,paid_in_kind,note,comment,Extra")
    errors = rejected(data)
    assert [(e["row"], e["column"]) for e in errors] == [
        (None, "amount"), (None, "currency"), (None, "amount_kgs"), (None, "note"), (None, "extra")]
    assert errors[0]["message"] == ("The column “amount” is missing. Download the template to see the expected "
                                    "columns.")
    assert errors[2]["message"].startswith("The column “amount_kgs” is not expected here.")


def test_row_errors_carry_the_data_row_number(rejected):
    data = csv("CIT,STS,,100,KGS,no,,,,", "", "ROYALTY,STS,,100,KGS,no,,,,", "CIT,STS,,50,KGS,no,,,,")
    errors = rejected(data)
    # blank line 2 keeps its number: row 3 is the per-project stream, row 4 repeats row 1
    assert [(e["row"], e["column"]) for e in errors] == [(3, "project"), (4, "revenue_stream")]
    assert "duplicate of row 1" in errors[1]["message"]


def test_a_licence_of_another_company_is_refused(rejected):
    [error] = rejected(csv("ROYALTY,STS,KG-9999-AP,100,KGS,no,,,,"))
    assert (error["row"], error["column"], error["value"]) == (1, "project", "KG-9999-AP")
    assert "is not a licence of your company" in error["message"] and "KG-0001-AP" in error["message"]


def test_empty_file(rejected):
    assert rejected(b"") == [{"row": None, "column": None, "value": None, "message": "The file is empty."}]


def test_header_only_file(rejected):
    [error] = rejected(csv())
    assert error["message"] == "The file has column names but no data rows."


def test_oversized_file_is_too_large(upload):
    with pytest.raises(TooLarge) as caught:
        upload(HEADER.encode() + b"\r\n" + b"x" * (10 * 1024 * 1024))
    assert caught.value.status == 413 and caught.value.code == "too_large"


# -- XLSX ------------------------------------------------------------------------------------------

def test_xlsx_numeric_amounts_are_plain_numbers_in_every_language(upload):
    data = xlsx(PAYMENT_COLUMNS, ["CIT", "STS", None, 1.25, "KGS", "no"],
                ["VAT", "STS", None, "1.250.000", "KGS", "no"],
                ["DIVIDENDS_STATE", "SPMF", None, 10, "USD", "yes", 12.345, "t"])
    [numeric, typed, in_kind] = upload(data, "payments.xlsx", lang="ru")
    assert numeric.amount_minor == 125  # not 125 000: a number cell has no grouping to guess
    assert typed.amount_minor == 125000000  # typed text follows the ru notation (repeated point = grouping)
    assert in_kind.in_kind_volume == "12.345"


def test_xlsx_numeric_amount_with_too_many_decimals(rejected):
    [error] = rejected(xlsx(PAYMENT_COLUMNS, ["CIT", "STS", None, 1.234, "KGS", "no"]), "p.xlsx", "ru")
    assert (error["row"], error["column"], error["value"]) == (1, "amount", "1.234")


def test_xlsx_formulas_are_read_by_their_cached_values(upload):
    data = xlsx(PAYMENT_COLUMNS, ["CIT", "STS", None, "=1000*2", "KGS", "no"])
    data = patch_sheet(data, "<f>1000*2</f><v /></c>", "<f>1000*2</f><v>2000.5</v></c>")
    [payment] = upload(data, "payments.xlsx", lang="ru")
    assert payment.amount_minor == 200050


def test_xlsx_formula_without_cached_value_asks_to_paste_values(rejected):
    data = xlsx(PAYMENT_COLUMNS, ["CIT", "STS", None, 5, "KGS", "no"],
                ["VAT", "STS", None, "=D2*2", "KGS", "no"])
    [error] = rejected(data, "payments.xlsx")
    assert (error["row"], error["column"], error["value"]) == (2, "amount", None)
    assert "paste them as values" in error["message"]


def test_xlsx_row_numbers_are_sheet_rows_minus_one(rejected):
    data = xlsx(PAYMENT_COLUMNS, ["CIT", "STS", None, 5, "KGS", "no"], [None], ["CIT", "STS", None, "x", "USD", "no"])
    [error] = rejected(data, "payments.xlsx")
    assert (error["row"], error["column"], error["value"]) == (3, "amount", "x")


def test_header_errors_in_russian(rejected):
    [error] = rejected(csv("CIT,STS,,100,KGS", header="revenue_stream,government_entity,project,amount,currency"),
                       lang="ru")
    assert error["message"] == "Нет столбца «paid_in_kind». Скачайте шаблон, чтобы увидеть, какие столбцы нужны."
