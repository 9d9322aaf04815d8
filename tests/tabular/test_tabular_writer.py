"""tabular.writer: templates that open in Excel as intended and read back through read_table."""
import io

import openpyxl
import pytest

from esg_portal.tabular.errors import UploadRejected
from esg_portal.tabular.reader import read_table
from esg_portal.tabular.writer import CODES_SHEET, DATA_SHEET, HELP_SHEET, csv_template, xlsx_template

COLUMNS = ["company_inn", "revenue_stream", "amount", "currency", "comment"]
HELP = {
    "company_inn": {"en": "14-digit INN", "ru": "ИНН из 14 цифр", "ky": "14 сандан турган ИНН"},
    "amount": {"en": "Period total", "ru": "Итого за период", "ky": "Мезгилдин жыйынтыгы"},
}
LISTS = {
    "revenue_stream": [("ROYALTY", "Royalty"), ("0101", "Leading zero code"), ("BONUS", "Signature bonus")],
    "currency": [("KGS", "Kyrgyz som"), ("USD", "US dollar")],
}


def template(**kwargs) -> bytes:
    return xlsx_template(COLUMNS, help_rows=HELP, lists=LISTS, text_columns={"company_inn"}, **kwargs)


def load(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def header_only_error(data: bytes, filename: str) -> str:
    with pytest.raises(UploadRejected) as caught:
        read_table(data, filename)
    return caught.value.errors[0].message


def test_csv_template_is_a_utf8_bom_header_line():
    data = csv_template(["company_inn", "amount", "comment, free text", "аты-жөнү"])
    assert data == b"\xef\xbb\xbf" + 'company_inn,amount,"comment, free text",аты-жөнү\r\n'.encode()
    assert header_only_error(data, "template.csv") == "The file has column names but no data rows."


def test_csv_template_filled_in_reads_back():
    data = csv_template(COLUMNS) + "01234567890123,ROYALTY,1 234,KGS,Кыргызча ңөү\r\n".encode()
    table = read_table(data, "template.csv")
    assert table.columns == COLUMNS
    assert table.rows[0]["comment"] == "Кыргызча ңөү" and table.rows[0]["amount"] == "1 234"


def test_xlsx_template_sheets_data_first_codes_hidden():
    workbook = load(template())
    assert workbook.sheetnames == [DATA_SHEET, HELP_SHEET, CODES_SHEET]
    assert workbook[DATA_SHEET].sheet_state == "visible"
    assert workbook[HELP_SHEET].sheet_state == "visible"
    assert workbook[CODES_SHEET].sheet_state == "hidden"


def test_xlsx_template_header_is_bold_and_frozen_with_text_columns():
    sheet = load(template())[DATA_SHEET]
    assert [cell.value for cell in sheet[1]] == COLUMNS
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    formats = {name: sheet.column_dimensions[chr(ord("A") + i)].number_format for i, name in enumerate(COLUMNS)}
    # list columns are text too, so a code such as 0101 keeps its zero
    assert formats == {"company_inn": "@", "revenue_stream": "@", "amount": "General", "currency": "@",
                       "comment": "General"}


def test_xlsx_template_drop_downs_point_at_the_hidden_codes_sheet():
    workbook = load(template())
    codes = workbook[CODES_SHEET]
    assert [cell.value for cell in codes["A"]] == ["revenue_stream", "ROYALTY", "0101", "BONUS"]
    assert [cell.value for cell in codes["B"]] == ["currency", "KGS", "USD", None]  # column A is longer
    validations = {str(v.sqref): v for v in workbook[DATA_SHEET].data_validations.dataValidation}
    assert set(validations) == {"B2:B50001", "D2:D50001"}
    assert validations["B2:B50001"].type == "list"
    assert validations["B2:B50001"].formula1 == "codes!$A$2:$A$4"
    assert validations["D2:D50001"].formula1 == "codes!$B$2:$B$3"
    assert all(v.allow_blank and v.showErrorMessage for v in validations.values())


def test_xlsx_template_help_sheet_has_a_row_per_column_in_three_languages():
    rows = [[cell.value for cell in row] for row in load(template())[HELP_SHEET].iter_rows()]
    assert rows[0] == ["column", "English", "Русский", "Кыргызча"]
    assert rows[1] == ["company_inn", "14-digit INN", "ИНН из 14 цифр", "14 сандан турган ИНН"]
    assert rows[2] == ["revenue_stream", None, None, None]
    assert [row[0] for row in rows[1:6]] == COLUMNS
    assert rows[7][:3] == ["column", "code", "label"]
    assert rows[8][:3] == ["revenue_stream", "ROYALTY", "Royalty"]
    assert ["currency", "USD", "US dollar"] in [row[:3] for row in rows]


def test_xlsx_template_alone_is_header_only_for_the_reader():
    assert header_only_error(template(), "template.xlsx") == "The file has column names but no data rows."


def test_xlsx_template_filled_in_round_trips_through_read_table():
    workbook = load(template())
    sheet = workbook[DATA_SHEET]
    sheet.append(["01234567890123", "0101", 1234.5, "KGS", "Кыргызча ңөү"])
    sheet.append([])
    sheet.append(["12345678901234", "ROYALTY", "1 234,50", "USD", None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    table = read_table(buffer.getvalue(), "filled.xlsx")
    assert table.columns == COLUMNS
    assert table.rows == [
        {"company_inn": "01234567890123", "revenue_stream": "0101", "amount": "1234.5", "currency": "KGS",
         "comment": "Кыргызча ңөү"},
        {"company_inn": "12345678901234", "revenue_stream": "ROYALTY", "amount": "1 234,50", "currency": "USD",
         "comment": ""},
    ]
    assert table.row_numbers == [1, 3]
    assert table.numeric_cells == {(0, "amount")}


def test_xlsx_template_without_help_or_lists():
    workbook = load(xlsx_template(["a", "b"]))
    assert workbook.sheetnames == [DATA_SHEET, HELP_SHEET, CODES_SHEET]
    assert workbook[DATA_SHEET].data_validations.dataValidation == []
    assert [[c.value for c in row] for row in workbook[HELP_SHEET].iter_rows()][1:] == [
        ["a", None, None, None], ["b", None, None, None]]


def test_xlsx_template_empty_list_gets_no_drop_down():
    workbook = load(xlsx_template(["a"], lists={"a": []}))
    assert workbook[DATA_SHEET].data_validations.dataValidation == []


def test_xlsx_template_refuses_options_for_unknown_columns():
    with pytest.raises(ValueError):
        xlsx_template(["a"], text_columns={"b"})
    with pytest.raises(ValueError):
        xlsx_template(["a"], lists={"b": [("X", "x")]})
    with pytest.raises(ValueError):
        xlsx_template(["a"], help_rows={"b": {"en": "?"}})
