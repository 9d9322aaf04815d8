"""tabular.reader: CSV and XLSX uploads read as §3 says, and every way a file is refused."""
import csv
import datetime as dt
import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from esg_portal.tabular import _xlsx
from esg_portal.tabular.errors import RowError, TooLarge, UploadRejected
from esg_portal.tabular.numbers import NumberError
from esg_portal.tabular.reader import Table, check_columns, read_table

SHEET = "xl/worksheets/sheet1.xml"


def rejected(data: bytes, filename: str = "upload.csv", **kwargs) -> list[dict]:
    """The error list of a refused upload."""
    with pytest.raises(UploadRejected) as caught:
        read_table(data, filename, **kwargs)
    assert caught.value.status == 422 and caught.value.code == "invalid_rows"
    return caught.value.as_dicts()


def xlsx(*rows, sheet_title: str | None = None, extra_sheet_first: bool = False) -> bytes:
    """A workbook whose first sheet holds ``rows`` (a None row stays empty)."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    if extra_sheet_first:
        sheet.title = "first"
        sheet.append(["not", "this", "one"])
        sheet.append(["x", "y", "z"])
        sheet = workbook.create_sheet("second")
        workbook.active = 1  # the active sheet is not what counts: the first one is
    for number, row in enumerate(rows, start=1):
        for column, value in enumerate(row or (), start=1):
            if value is not None:
                sheet.cell(row=number, column=column, value=value)
    if sheet_title:
        sheet.title = sheet_title
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def patch_sheet(data: bytes, old: str, new: str, member: str = SHEET) -> bytes:
    """Rewrite a zip member, for the XML openpyxl cannot be asked to write (cached results, bad dimensions)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == member:
                text = content.decode()
                assert old in text, text
                content = text.replace(old, new).encode()
            target.writestr(info, content)
    return output.getvalue()


# -- CSV -------------------------------------------------------------------------------------------

def test_csv_utf8_headers_normalised_and_cells_kept_as_written():
    data = " Company_INN ,AMOUNT,Comment\n01234567890123, 1 234,50 ,\"Кыргыз, өңүү\"\n".encode()
    data = data.replace(b" 1 234,50 ", b"\" 1 234,50 \"")
    table = read_table(data, "payments.csv")
    assert table.columns == ["company_inn", "amount", "comment"]
    assert table.rows == [{"company_inn": "01234567890123", "amount": " 1 234,50 ", "comment": "Кыргыз, өңүү"}]
    assert table.row_numbers == [1]
    assert table.numeric_cells == set() and table.source_format == "csv"
    assert list(table.records()) == [(1, table.rows[0])]


def test_csv_utf8_bom_is_ignored():
    table = read_table("\ufeffamount,comment\r\n10,ң\r\n".encode(), "x.csv")
    assert table.columns == ["amount", "comment"]
    assert table.rows == [{"amount": "10", "comment": "ң"}]


def test_csv_windows_1251_with_russian_text():
    data = "amount;comment\r\n1 234,50;Возврат НДС за март\r\n".encode("cp1251")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    table = read_table(data, "receipts.csv")
    assert table.rows == [{"amount": "1 234,50", "comment": "Возврат НДС за март"}]


def test_csv_neither_utf8_nor_1251_is_refused():
    # 0x98 is the one byte Windows-1251 leaves undefined
    errors = rejected(b"amount\r\n\x98\xff\r\n")
    assert errors == [{"row": None, "column": None, "value": None,
                       "message": "The file is neither UTF-8 nor Windows-1251 text. Save it as CSV UTF-8 or as "
                                  "an Excel workbook (.xlsx)."}]


def test_csv_bom_with_invalid_utf8_is_refused():
    assert "UTF-8 mark" in rejected(b"\xef\xbb\xbfamount\r\n\xc0\xc1\r\n")[0]["message"]


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_csv_delimiter_is_sniffed_from_the_header(delimiter):
    text = delimiter.join(["revenue_stream", "amount", "comment"]) + "\n"
    text += delimiter.join(["ROYALTY", '"1,5"' if delimiter == "," else "1,5", "a;b, c"
                            if delimiter == "\t" else '"a;b, c"']) + "\n"
    table = read_table(text.encode(), "x.csv")
    assert table.columns == ["revenue_stream", "amount", "comment"]
    assert table.rows == [{"revenue_stream": "ROYALTY", "amount": "1,5", "comment": "a;b, c"}]


def test_csv_quoted_delimiters_in_the_header_do_not_fool_the_sniffer():
    table = read_table(b'"a;b",c\n1,2\n', "x.csv")
    assert table.columns == ["a;b", "c"]


def test_csv_excel_sep_line_names_the_delimiter():
    table = read_table(b"sep=;\r\na;b\r\n1,5;2\r\n", "x.csv")
    assert table.columns == ["a", "b"] and table.rows == [{"a": "1,5", "b": "2"}]
    assert table.row_numbers == [1]


def test_csv_single_column():
    assert read_table(b"amount\n5\n", "x.csv").rows == [{"amount": "5"}]


def test_csv_empty_rows_are_skipped_but_counted():
    data = b"a,b\n1,2\n\n,\n  ,\t\n3,4\n\n"
    table = read_table(data, "x.csv")
    assert table.rows == [{"a": "1", "b": "2"}, {"a": "3", "b": "4"}]
    assert table.row_numbers == [1, 5]


def test_csv_multi_line_cell_is_one_row():
    table = read_table(b'a,b\n"line 1\nline 2",x\ny,z\n', "x.csv")
    assert table.rows[0] == {"a": "line 1\nline 2", "b": "x"}
    assert table.row_numbers == [1, 2]


def test_csv_short_rows_are_padded_and_trailing_empty_cells_ignored():
    table = read_table(b"a,b,c,\n1\n2,3,4,,,\n", "x.csv")
    assert table.columns == ["a", "b", "c"]
    assert table.rows == [{"a": "1", "b": "", "c": ""}, {"a": "2", "b": "3", "c": "4"}]


def test_csv_values_outside_named_columns_are_refused():
    errors = rejected(b"a,,c\n1,x,3\n4,,6,extra\n")
    # an unnamed column of the header is a column's error; a row longer than the header names the row
    # and the likely cause, a decimal comma split by the comma separator (issue 12 §5)
    assert [(e["row"], e["column"], e["value"]) for e in errors] == [(None, None, "x"), (2, None, "extra")]
    assert errors[0]["message"] == ("Column 2 has values but no name in the first row. Give it the name of a "
                                    "template column, or delete it.")
    assert errors[1]["message"].startswith("Row 2 has more values than the first row has column names (from "
                                           "column 4 on).")
    assert "decimal comma" in errors[1]["message"] and "“;”" in errors[1]["message"]


def test_an_unquoted_decimal_comma_is_explained_with_its_row():
    errors = rejected("revenue_stream,amount,currency\nROYALTY,840 000,00,KGS\n".encode())
    [error] = [e for e in errors if e["column"] is None]
    assert error["row"] == 1 and "840 000,00" in error["message"]


def test_csv_broken_quotes_are_reported_with_the_row():
    errors = rejected(b'a,b\n1,2\n"3" x,4\n')
    assert errors[0]["row"] == 2 and "quote" in errors[0]["message"]


def test_duplicate_columns_are_refused_case_insensitively():
    errors = rejected(b"amount,AMOUNT,Amount,b\n1,2,3,4\n")
    assert errors == [{"row": None, "column": "amount", "value": None,
                       "message": "The column “amount” appears more than once."}]


# -- empty files and limits ------------------------------------------------------------------------

@pytest.mark.parametrize("data", [b"", b"\xef\xbb\xbf", b"   \r\n", b"\n\n\n", b",,\n"])
def test_empty_file_is_refused(data):
    assert rejected(data) == [{"row": None, "column": None, "value": None, "message": "The file is empty."}]


def test_empty_xlsx_is_refused():
    assert rejected(xlsx(), "x.xlsx")[0]["message"] == "The file is empty."


@pytest.mark.parametrize("data", [b"a,b\n", b"a,b\r\n\r\n,\r\n", b"\xef\xbb\xbfa;b"])
def test_header_only_csv_is_refused(data):
    assert rejected(data) == [{"row": None, "column": None, "value": None,
                               "message": "The file has column names but no data rows."}]


def test_header_only_xlsx_is_refused():
    assert rejected(xlsx(["a", "b"], None, [None, " "]), "x.xlsx")[0]["message"] == (
        "The file has column names but no data rows.")


def test_header_must_be_the_first_row():
    assert rejected(b"\na,b\n1,2\n")[0]["message"] == "The first row must hold the column names."
    assert rejected(xlsx(None, ["a", "b"], [1, 2]), "x.xlsx")[0]["message"] == (
        "The first row must hold the column names.")


def test_oversized_bytes_are_413():
    data = b"a\n" + b"1\n" * 100
    with pytest.raises(TooLarge) as caught:
        read_table(data, "x.csv", max_bytes=len(data) - 1)
    assert caught.value.status == 413 and caught.value.code == "too_large"
    assert caught.value.message == "The file is larger than 201 bytes, the most one upload may hold."
    assert len(read_table(data, "x.csv", max_bytes=len(data)).rows) == 100


def test_default_byte_limit_is_10_mb():
    with pytest.raises(TooLarge) as caught:
        read_table(b"a\n" + b"1" * (10 * 1024 * 1024), "x.csv")
    assert "10 MB" in caught.value.message


def test_too_many_rows_are_413_and_empty_rows_do_not_count():
    data = b"a\n" + b"1\n\n" * 5
    assert read_table(data, "x.csv", max_rows=5).row_numbers == [1, 3, 5, 7, 9]
    with pytest.raises(TooLarge) as caught:
        read_table(data, "x.csv", max_rows=4)
    assert caught.value.message == "The file has more than 4 data rows, the most one upload may hold."
    with pytest.raises(TooLarge):
        read_table(xlsx(["a"], [1], [2], [3]), "x.xlsx", max_rows=2)


def test_default_row_limit_is_50_000():
    assert len(read_table(b"a\n" + b"1\n" * 50_000, "x.csv").rows) == 50_000
    with pytest.raises(TooLarge):
        read_table(b"a\n" + b"1\n" * 50_001, "x.csv")


# -- what is not a table ---------------------------------------------------------------------------

@pytest.mark.parametrize("data, kind", [
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n", "a PDF document"),
    (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00", "a program"),
    (b"\x7fELF\x02\x01\x01\x00", "a program"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00", "an old Excel 97-2003 (.xls) file or a password-protected workbook"),
    ("amount\tcomment\r\n1\tx\r\n".encode("utf-16"), "a UTF-16 (“Unicode text”) file"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "an image"),
    (b"\x1f\x8b\x08\x00", "a compressed archive"),
    (b"PK\x05\x06" + b"\x00" * 18, "an empty ZIP archive"),
    (b"a,b\n1,\x002\n", "a binary file"),
    (b"<html><body><table><tr><td>a</td></tr></table></body></html>", "an HTML or XML page"),
    (b"\xef\xbb\xbf  <?xml version=\"1.0\"?><Workbook/>", "an HTML or XML page"),
])
def test_binaries_and_disguised_files_are_refused_whatever_their_name(data, kind):
    errors = rejected(data, "payments.csv")
    assert errors == [{"row": None, "column": None, "value": None, "message": (
        f"“payments.csv” is not a CSV or XLSX table (it looks like {kind}). Open it in Excel or LibreOffice and "
        "save it as Excel workbook (.xlsx) or as CSV UTF-8.")}]


def test_xlsx_is_detected_by_content_not_name():
    table = read_table(xlsx(["a"], ["x"]), "payments.csv")
    assert table.source_format == "xlsx" and table.rows == [{"a": "x"}]
    assert read_table(b"a\nx\n", "payments.xlsx").source_format == "csv"


def test_zip_that_is_not_a_workbook_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("payments.csv", "a,b\n1,2\n")
    assert "not an Excel workbook" in rejected(buffer.getvalue(), "payments.zip")[0]["message"]


def test_opendocument_is_refused_with_advice():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content/>")
    assert "OpenDocument" in rejected(buffer.getvalue(), "p.ods")[0]["message"]


@pytest.mark.parametrize("damage", [
    lambda data: data[: len(data) // 2],
    lambda data: b"PK\x03\x04" + b"\x01" * 200,
    lambda data: patch_sheet(data, "<sheetData>", "<sheetData><row><c r="),
])
def test_damaged_workbooks_are_refused(damage):
    assert "damaged" in rejected(damage(xlsx(["a"], [1])), "x.xlsx")[0]["message"]


def test_zip_bombs_are_413(monkeypatch):
    monkeypatch.setattr(_xlsx, "MAX_UNPACKED_BYTES", 1000)
    with pytest.raises(TooLarge):
        read_table(xlsx(["a"], [1]), "x.xlsx")


# -- XLSX ------------------------------------------------------------------------------------------

def test_xlsx_values_become_text_without_float_artefacts():
    table = read_table(xlsx(
        ["Company_INN", "amount", "date", "flag", "note"],
        [12345678901234, 0.1, dt.date(2025, 3, 1), True, "  as written "],
        ["01234567890123", 1234.0, dt.datetime(2025, 3, 1, 9, 15, 2), False, "Кыргызча: ңөү"],
        [None, 1234567.89, dt.datetime(2025, 12, 31), None, 7],
        [None, 0.25, None, None, None],
        [None, 1e20, None, None, None],
        [None, 1.5e-07, None, None, None],
        [None, -0.0, None, None, None],
        [None, -500, None, None, None],
    ), "x.xlsx")
    assert table.columns == ["company_inn", "amount", "date", "flag", "note"]
    assert [row["amount"] for row in table.rows] == [
        "0.1", "1234", "1234567.89", "0.25", "100000000000000000000", "0.00000015", "0", "-500"]
    assert [row["date"] for row in table.rows[:3]] == ["2025-03-01", "2025-03-01T09:15:02", "2025-12-31"]
    assert [row["flag"] for row in table.rows[:2]] == ["TRUE", "FALSE"]
    assert [row["note"] for row in table.rows[:3]] == ["  as written ", "Кыргызча: ңөү", "7"]
    assert table.row_numbers == [1, 2, 3, 4, 5, 6, 7, 8]


def test_xlsx_seventeen_digit_floats_are_kept_exactly_as_stored():
    # Excel stores a formula's binary result with 17 significant digits; nothing is rounded
    data = xlsx(["amount", "b"], [0.5, 1.0], [3.0, 4.0])
    data = patch_sheet(data, "<v>0.5</v>", "<v>1234.5600000000002</v>")
    data = patch_sheet(data, "<v>1</v>", "<v>1.0E3</v>")
    data = patch_sheet(data, "<v>3</v>", "<v>0.30000000000000004</v>")
    table = read_table(data, "x.xlsx")
    assert table.rows == [{"amount": "1234.5600000000002", "b": "1000"}, {"amount": "0.30000000000000004", "b": "4"}]


def test_xlsx_numeric_cells_are_known_so_an_inn_can_be_refused():
    table = read_table(xlsx(["company_inn", "amount"], [1234567890123, "10"], ["01234567890123", 10.5]),
                       "x.xlsx")
    # the leading zero of 01234567890123 is lost in a numeric cell: the schema must say "format as text"
    assert table.rows[0]["company_inn"] == "1234567890123"
    assert table.numeric_cells == {(0, "company_inn"), (1, "amount")}
    assert table.is_numeric(0, "company_inn") and not table.is_numeric(1, "company_inn")


def test_numeric_cells_are_read_as_plain_numbers_whatever_the_language():
    table = read_table(xlsx(["amount"], [12.345], ["12.345"], [1234.5], ["1 234,5"], [1.25]), "x.xlsx")
    assert [row["amount"] for row in table.rows] == ["12.345", "12.345", "1234.5", "1 234,5", "1.25"]
    # a number stays a number: 12.345 is never taken for 12 345 in ru/ky
    with pytest.raises(NumberError) as caught:
        table.decimal(0, "amount", "ru")
    assert caught.value.code == "too_many_decimals"
    assert table.decimal(0, "amount", "ru", max_decimals=3) == Decimal("12.345")
    # typed text follows the user's language (§3): in ru a lone point before three digits is ambiguous
    with pytest.raises(NumberError) as caught:
        table.decimal(1, "amount", "ru")
    assert caught.value.code == "ambiguous_point"
    assert table.decimal(2, "amount", "ky") == Decimal("1234.5")
    assert table.decimal(3, "amount", "en") == Decimal("1234.5")
    assert table.decimal(4, "amount", "ru") == Decimal("1.25")


def test_xlsx_row_numbers_are_sheet_row_minus_one_with_empty_rows_skipped():
    table = read_table(xlsx(["a", "b"], ["r2", 1], None, [None, "  "], ["r5", 2], None, None, ["r8", 3]),
                       "x.xlsx")
    assert [row["a"] for row in table.rows] == ["r2", "r5", "r8"]
    assert table.row_numbers == [1, 4, 7]


def test_xlsx_first_sheet_is_read_not_the_active_one():
    table = read_table(xlsx(["a"], [1], extra_sheet_first=True), "x.xlsx")
    assert table.columns == ["not", "this", "one"]


def test_xlsx_wrong_stored_dimension_is_ignored():
    data = xlsx(["a", "b"], [1, 2], [3, 4])
    table = read_table(patch_sheet(data, '<dimension ref="A1:B3" />', '<dimension ref="A1:A1" />'), "x.xlsx")
    assert table.rows == [{"a": "1", "b": "2"}, {"a": "3", "b": "4"}]


def test_xlsx_headers_any_case_and_order_and_cells_outside_named_columns():
    errors = rejected(xlsx([" AMOUNT ", None, "Stream"], [1, "x", "R"], [2, None, "R", "far"]), "x.xlsx")
    assert [(e["row"], e["column"], e["value"]) for e in errors] == [(None, None, "x"), (None, None, "far")]
    assert errors[0]["message"].startswith("Column B has values")
    assert errors[1]["message"].startswith("Column D has values")


def test_xlsx_formula_with_cached_value_is_read_by_its_value():
    data = xlsx(["amount", "total", "label"], [1234.5, "=A2*2", '=IF(A2>0,"yes","")'])
    data = patch_sheet(data, "<f>A2*2</f><v /></c>", "<f>A2*2</f><v>2469</v></c>")
    data = patch_sheet(data, '<f>IF(A2&gt;0,"yes","")</f><v /></c>',
                       '<f>IF(A2&gt;0,"yes","")</f><v>yes</v></c>')
    data = patch_sheet(data, '<c r="C2">', '<c r="C2" t="str">')
    table = read_table(data, "x.xlsx")
    assert table.rows == [{"amount": "1234.5", "total": "2469", "label": "yes"}]
    assert table.numeric_cells == {(0, "amount"), (0, "total")}


def test_xlsx_formula_with_an_empty_string_result_is_an_empty_cell():
    # what Excel saves for =IF(A3="";"";…) filled down below the data
    data = xlsx(["amount", "label"], [1, '=IF(A2="","","x")'], [None, '=IF(A3="","","x")'])
    data = patch_sheet(data, '<c r="B2"><f>IF(A2="","","x")</f><v /></c>',
                       '<c r="B2" t="str"><f>IF(A2="","","x")</f><v>x</v></c>')
    data = patch_sheet(data, '<c r="B3"><f>IF(A3="","","x")</f><v /></c>',
                       '<c r="B3" t="str"><f>IF(A3="","","x")</f><v></v></c>')
    table = read_table(data, "x.xlsx")
    assert table.rows == [{"amount": "1", "label": "x"}]


def test_xlsx_formula_without_cached_value_asks_to_paste_values():
    # openpyxl (like other generators) saves formulas with an empty <v/>; another variant has none
    data = xlsx(["amount", "total"], [5, "=A2*2"], [6, "=A3*2"], [7, 14])
    data = patch_sheet(data, "<f>A3*2</f><v /></c>", "<f>A3*2</f></c>")
    errors = rejected(data, "x.xlsx")
    message = ("The formula in this cell has no saved result. Copy the cells and paste them as values "
               "(Paste Special → Values), then upload again.")
    assert errors == [{"row": 1, "column": "total", "value": None, "message": message},
                      {"row": 2, "column": "total", "value": None, "message": message}]


def test_xlsx_formula_without_value_in_a_header_or_an_empty_row_is_reported():
    data = xlsx(["amount", "=UPPER(\"x\")"], [5, None], [None, None, "=1+1"])
    errors = rejected(data, "x.xlsx")
    assert [(e["row"], e["column"]) for e in errors] == [(None, None), (2, None)]


def test_xlsx_shared_and_namespaced_formulas_are_found():
    data = xlsx(["amount"], [1], [2])
    data = patch_sheet(data, '<c r="A3" t="n"><v>2</v></c>', '<c r="A3"><f t="shared" si="0"/></c>')
    assert rejected(data, "x.xlsx")[0]["row"] == 2


def test_xlsx_excel_error_values_are_refused():
    data = xlsx(["amount", "note"], ["=1/0", "ok"])
    data = patch_sheet(data, "<c r=\"A2\"><f>1/0</f><v /></c>", '<c r="A2" t="e"><f>1/0</f><v>#DIV/0!</v></c>')
    assert rejected(data, "x.xlsx") == [{
        "row": 1, "column": "amount", "value": "#DIV/0!",
        "message": "The cell shows the Excel error #DIV/0!. Correct the formula or type the value."}]


# -- check_columns ---------------------------------------------------------------------------------

def test_check_columns_reports_missing_then_unknown():
    table = read_table(b"AMOUNT,Colour,revenue_stream,size\n1,2,3,4\n", "x.csv")
    errors = check_columns(table, required={"amount", "revenue_stream", "government_entity", "currency"},
                           optional={"comment"})
    assert [(e.row, e.column, e.value) for e in errors] == [
        (None, "currency", None), (None, "government_entity", None), (None, "colour", None), (None, "size", None)]
    assert errors[0].message == ("The column “currency” is missing. Download the template to see the expected "
                                 "columns.")
    assert errors[2].message == ("The column “colour” is not expected here. Rename or delete it; the columns are: "
                                 "amount, comment, currency, government_entity, revenue_stream.")


def test_check_columns_accepts_any_order_and_case_and_missing_optionals():
    table = read_table(b"Revenue_Stream;AMOUNT\nROYALTY;1\n", "x.csv")
    assert check_columns(table, {"amount", "revenue_stream"}, {"comment"}) == []


# -- errors and their JSON -------------------------------------------------------------------------

def test_upload_rejected_sorts_header_errors_first_and_counts():
    error = UploadRejected([RowError(3, "b", "x", "m1"), RowError(None, "a", None, "m0"),
                            RowError(1, "b", "y", "m2"), RowError(3, "a", "z", "m3")])
    assert [e.message for e in error.errors] == ["m0", "m2", "m1", "m3"]
    assert error.message == "The file was not accepted: 4 errors. Nothing was saved."
    assert UploadRejected([RowError(1, None, None, "m")]).message == (
        "The file was not accepted: 1 error. Nothing was saved.")
    assert error.errors[0].as_dict() == {"row": None, "column": "a", "value": None, "message": "m0"}
    with pytest.raises(ValueError):
        UploadRejected([])


def test_the_app_answers_422_and_413_in_the_section_3_shape(app):
    @app.get("/api/test-upload-rejected")
    def _rejected():
        read_table(b"amount,amount\n1,2\n,,x\n", "x.csv")

    @app.get("/api/test-upload-too-large")
    def _too_large():
        read_table(b"a\n1\n", "x.csv", max_bytes=1)

    response = app.test_client().get("/api/test-upload-rejected")
    assert response.status_code == 422
    assert response.get_json() == {
        "error": {"code": "invalid_rows", "message": "The file was not accepted: 2 errors. Nothing was saved."},
        "errors": [
            {"row": None, "column": "amount", "value": None, "message": "The column “amount” appears more than once."},
            {"row": 2, "column": None, "value": "x", "message": (
                "Row 2 has more values than the first row has column names (from column 3 on). If a number in "
                "this row has a decimal comma, such as 840 000,00, put it in quotes (\"840 000,00\") or save the "
                "file with “;” as the separator.")},
        ]}
    response = app.test_client().get("/api/test-upload-too-large")
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "too_large"


def test_messages_in_an_app_context_without_request(app_ctx):
    # the app's locale selector needs a request; messages then stay in English, never crash
    assert rejected(b"") == [{"row": None, "column": None, "value": None, "message": "The file is empty."}]


# -- property: what csv.writer writes, read_table reads back ----------------------------------------

_cell = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(_cell, _cell, _cell), max_size=8), st.sampled_from([",", ";"]),
       st.booleans())
def test_csv_round_trip(rows, delimiter, bom):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(["a", "b", "c"])
    writer.writerows(rows)
    data = (b"\xef\xbb\xbf" if bom else b"") + buffer.getvalue().encode()
    expected = [(n, dict(zip("abc", row))) for n, row in enumerate(rows, start=1)
                if any(cell.strip() for cell in row)]
    if not expected:
        rejected(data)
        return
    table = read_table(data, "x.csv")
    assert isinstance(table, Table)
    assert list(table.records()) == expected
