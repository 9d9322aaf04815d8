"""disclosure.templates: the payments templates open as intended and read back through the upload."""
from __future__ import annotations

import io
import re

import openpyxl
import pytest

from esg_portal.disclosure.schemas import PAYMENT_COLUMNS, load_payment_lookups, read_payment_upload
from esg_portal.disclosure.templates import payments_template_csv, payments_template_xlsx
from esg_portal.tabular import UploadRejected

CYRILLIC = re.compile(r"[А-Яа-яЁё]")
KYRGYZ_LETTERS = re.compile(r"[ӨөҮүҢң]")


@pytest.fixture
def ids(factory) -> dict[str, int]:
    own, other, empty = (factory.company("Own Mining LLC"), factory.company("Other Mining LLC"),
                         factory.company("No Licence LLC"))
    factory.licence(own, "KG-0001-AP", project_name="Kutessay")
    factory.licence(own, "0002-AE", project_name="Second")  # a leading zero must survive
    factory.licence(other, "KG-9999-AP")
    return {"own": own, "other": other, "empty": empty}


@pytest.fixture
def template(app, ids):
    def run(company: str = "own", lang: str = "en") -> bytes:
        with app.test_request_context(f"/?lang={lang}"):
            return payments_template_xlsx(load_payment_lookups(ids[company]), lang)
    return run


@pytest.fixture
def upload(app, ids):
    def run(data: bytes, lang: str = "en"):
        with app.test_request_context(f"/?lang={lang}"):
            return read_payment_upload(data, "payments.xlsx", locale=lang, lookups=load_payment_lookups(ids["own"]))
    return run


def load(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def validations(sheet) -> dict[str, str]:
    """Data-sheet column letter → the list formula of its drop-down."""
    found = {}
    for validation in sheet.data_validations.dataValidation:
        assert validation.type == "list"
        for cell_range in validation.sqref.ranges:
            found[re.match(r"[A-Z]+", cell_range.coord).group()] = validation.formula1
    return found


def test_csv_template_is_the_header_in_section_3_order():
    data = payments_template_csv()
    assert data == ("\ufeff" + ",".join(PAYMENT_COLUMNS) + "\r\n").encode("utf-8")
    assert PAYMENT_COLUMNS == ("revenue_stream", "government_entity", "project", "amount", "currency",
                               "paid_in_kind", "in_kind_volume", "in_kind_unit", "recipient_locality", "comment")


def test_csv_template_filled_in_reads_back(upload):
    data = payments_template_csv() + "ROYALTY,STS,KG-0001-AP,100,KGS,no,,,,Кыргызча ңөү\r\n".encode()
    [payment] = upload(data)
    assert payment.comment == "Кыргызча ңөү"


def test_xlsx_template_sheets(template):
    workbook = load(template())
    assert workbook.sheetnames == ["data", "help", "code_names", "codes"]
    assert [sheet.sheet_state for sheet in workbook] == ["visible", "visible", "visible", "hidden"]
    assert [cell.value for cell in workbook["data"][1]] == list(PAYMENT_COLUMNS)


def test_xlsx_template_has_the_drop_downs(template):
    workbook = load(template())
    lists = validations(workbook["data"])
    # revenue_stream, government_entity, project, currency, paid_in_kind
    assert set(lists) == {"A", "B", "C", "E", "F"}
    codes = workbook["codes"]
    columns = {codes.cell(row=1, column=c).value: c for c in range(1, codes.max_column + 1)}

    def listed(name: str) -> list[str]:
        column = columns[name]
        return [codes.cell(row=r, column=column).value for r in range(2, codes.max_row + 1)
                if codes.cell(row=r, column=column).value]

    assert {"ROYALTY", "CIT", "LOCAL_DEV"} <= set(listed("revenue_stream"))
    assert {"STS", "LSG", "SCS"} <= set(listed("government_entity"))
    assert listed("project") == ["0002-AE", "KG-0001-AP"]  # the own company's licences only
    assert listed("currency") == ["KGS", "USD"]
    assert listed("paid_in_kind") == ["yes", "no"]
    assert all(formula.startswith("codes!$") for formula in lists.values())
    assert workbook["data"].column_dimensions["C"].number_format == "@"  # project numbers stay text


def test_xlsx_template_without_licences_has_no_project_list(template):
    workbook = load(template("empty"))
    assert "C" not in validations(workbook["data"])
    assert "KG-9999-AP" not in str([row for row in workbook["code_names"].iter_rows(values_only=True)])


def test_help_sheet_explains_every_column_in_three_languages(template):
    sheet = load(template("own", "ky"))["help"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("column", "English", "Русский", "Кыргызча")
    described = {}
    for row in rows:
        if row[0] in PAYMENT_COLUMNS:
            described.setdefault(row[0], row[1:4])  # the code list below repeats the column names
    assert set(described) == set(PAYMENT_COLUMNS)
    for name, (en, ru, ky) in described.items():
        assert en and ru and ky and len({en, ru, ky}) == 3, name
        assert not CYRILLIC.search(en) and CYRILLIC.search(ru) and CYRILLIC.search(ky), name
        assert "%(" not in en + ru + ky
    assert "levied per project" in described["project"][0]
    assert "KGS" in described["currency"][1] and "USD" in described["currency"][2]
    # the notes above the columns say why Kyrgyz needs UTF-8 or XLSX, in every language
    notes = [row for row in rows[1:rows.index(next(r for r in rows if r[0] == "revenue_stream"))] if row[1]]
    encoding = next(row for row in notes if "1251" in row[1])
    assert all("UTF-8" in text and "ң, ө" in text for text in encoding[1:4])
    assert KYRGYZ_LETTERS.search(encoding[3].replace("ң, ө", ""))


def test_code_names_sheet_names_every_code_in_three_languages(template):
    rows = list(load(template("own", "ru"))["code_names"].iter_rows(values_only=True))
    assert rows[0][:5] == ("column", "code", "English", "Русский", "Кыргызча")
    assert all(CYRILLIC.search(title) for title in rows[0][5:])  # the remarks' headings in the user's language
    by_code = {(row[0], row[1]): row[2:] for row in rows[1:]}
    assert by_code[("revenue_stream", "ROYALTY")] == ("Royalty", "Роялти", "Роялти", "да", "STS")
    assert by_code[("revenue_stream", "CIT")][:3] == ("Corporate income tax", "Налог на прибыль", "Пайдага салык")
    assert by_code[("revenue_stream", "CIT")][3] == "нет"
    assert by_code[("government_entity", "STS")][:3] == (
        "State Tax Service", "Государственная налоговая служба", "Мамлекеттик салык кызматы")
    assert by_code[("currency", "KGS")][:3] == ("Kyrgyz som", "Кыргызский сом", "Кыргыз сому")
    assert by_code[("project", "KG-0001-AP")][0] == "Kutessay"
    assert ("paid_in_kind", "yes") in by_code and ("paid_in_kind", "no") in by_code


def test_filled_xlsx_template_reads_back(template, upload):
    workbook = load(template("own", "ru"))
    sheet = workbook["data"]
    sheet.append(["ROYALTY", "STS", "KG-0001-AP", 1234567.89, "KGS", "no"])
    sheet.append(["LOCAL_DEV", "LSG", "0002-AE", "1 000,50", "KGS", "no", None, None, "Кемин шаары"])
    sheet.append(["DIVIDENDS_STATE", "SPMF", None, 9000, "USD", "yes", 1.25, "kg Ag", None, "Күмүш менен төлөндү"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    payments = upload(buffer.getvalue(), "ru")
    assert [(p.amount_minor, p.currency, p.is_paid_in_kind) for p in payments] == [
        (123456789, "KGS", False), (100050, "KGS", False), (900000, "USD", True)]
    assert payments[1].recipient_locality == "Кемин шаары" and payments[2].in_kind_volume == "1.25"


def test_empty_xlsx_template_is_refused_as_having_no_rows(template, upload):
    with pytest.raises(UploadRejected) as caught:
        upload(template())
    assert [e.message for e in caught.value.errors] == ["The file has column names but no data rows."]
