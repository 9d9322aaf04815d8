"""tabular: every reader is bounded (DESIGN rule 19) — hostile files are refused fast, in little memory.

The hostile files are built here: a CSV header of a million columns, records spread over
lines, blank lines by the million, and XLSX workbooks written by hand with zipfile whose sheet
or shared strings expand into millions of cells, strings or elements. Each must be refused with
the upload error (413 ``too_large`` or 422) within about a second and a few tens of MB, however
small the file is.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import time
import tracemalloc
import zipfile

import openpyxl
import pytest

from esg_portal.tabular import limits
from esg_portal.tabular._xlsx import _cell_text, xlsx_rows
from esg_portal.tabular.errors import TooLarge, UploadRejected
from esg_portal.tabular.reader import read_table

#: what "fast" and "little memory" mean for one refusal (tracemalloc slows the read down)
SECONDS = 2.0
MEGABYTES = 64

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE = "http://schemas.openxmlformats.org/package/2006/relationships"
HEADER_ROW = b'<row r="1"><c r="A1" t="inlineStr"><is><t>amount</t></is></c></row>'
COLUMN_MESSAGE = ("The file has more than 256 columns, the most one upload may hold. Delete the columns that are not "
                  "in the template.")
CELL_MESSAGE = ("The file has more than 1 000 000 cells, the most one upload may hold. Delete empty rows and columns "
                "that carry formatting, or split the file.")
UNPACKED_MESSAGE = ("The workbook is too large once unpacked. Remove formatting, images and other sheets, or upload "
                    "CSV.")


_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml"
CONTENT_TYPES = (
    '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{_TYPE}.sheet.main+xml"/>'
    f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_TYPE}.worksheet+xml"/>{{strings}}</Types>')


def workbook(sheet_data: bytes, shared_strings: bytes | None = None, *, sst_attributes: str = "",
             before_sheet_data: bytes = b"", extra_members: int = 0) -> bytes:
    """A minimal XLSX written by hand: ``sheet_data`` is the XML inside ``<sheetData>``."""
    strings_rel = (f'<Relationship Id="rId2" Type="{RELATIONSHIPS}/sharedStrings" Target="sharedStrings.xml"/>'
                   if shared_strings is not None else "")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES.format(strings=(
            f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_TYPE}.sharedStrings+xml"/>'
            if shared_strings is not None else "")))
        archive.writestr("_rels/.rels", f'<Relationships xmlns="{PACKAGE}"><Relationship Id="rId1" '
                         f'Type="{RELATIONSHIPS}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        archive.writestr("xl/workbook.xml", f'<workbook xmlns="{MAIN}" xmlns:r="{RELATIONSHIPS}"><sheets>'
                         '<sheet name="data" sheetId="1" r:id="rId1"/></sheets></workbook>')
        archive.writestr("xl/_rels/workbook.xml.rels", f'<Relationships xmlns="{PACKAGE}"><Relationship Id="rId1" '
                         f'Type="{RELATIONSHIPS}/worksheet" Target="worksheets/sheet1.xml"/>{strings_rel}'
                         '</Relationships>')
        archive.writestr("xl/worksheets/sheet1.xml", before_sheet_data
                         + f'<worksheet xmlns="{MAIN}"><sheetData>'.encode() + sheet_data + b"</sheetData></worksheet>")
        if shared_strings is not None:
            archive.writestr("xl/sharedStrings.xml", f'<sst xmlns="{MAIN}"{sst_attributes}>'.encode() + shared_strings
                             + b"</sst>")
        for number in range(extra_members):
            archive.writestr(f"xl/media/part{number}.bin", b"")
    return out.getvalue()


def refusal(data: bytes, filename: str = "upload.xlsx", **kwargs) -> tuple[Exception, float, float]:
    """(the error, seconds, peak MB) of a read that must be refused."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises((TooLarge, UploadRejected)) as caught:
            read_table(data, filename, **kwargs)
    finally:
        seconds = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1] / 1024 / 1024
        tracemalloc.stop()
    return caught.value, seconds, peak


def assert_refused_fast(data: bytes, filename: str, message: str, **kwargs) -> Exception:
    error, seconds, peak = refusal(data, filename, **kwargs)
    assert error.message == message
    assert seconds < SECONDS, f"refused after {seconds:.2f} s"
    assert peak < MEGABYTES, f"peak memory {peak:.1f} MB"
    return error


# -- CSV -------------------------------------------------------------------------------------------

def test_a_csv_header_of_a_million_columns_is_refused_at_once():
    # 40,000 columns took 21 s (the duplicate check was quadratic); a million hung a worker
    data = b",".join(b"c%d" % n for n in range(1_000_000)) + b"\n1\n"
    error = assert_refused_fast(data, "payments.csv", COLUMN_MESSAGE)
    assert error.status == 413 and error.code == "too_large"


def test_a_csv_row_wider_than_the_column_limit_is_refused():
    header = ",".join(f"c{n}" for n in range(limits.MAX_COLUMNS)).encode()
    assert len(read_table(header + b"\n1\n", "x.csv").columns) == limits.MAX_COLUMNS
    assert_refused_fast(header + b",one_more\n1\n", "x.csv", COLUMN_MESSAGE)
    assert_refused_fast(header + b"\n1" + b",x" * limits.MAX_COLUMNS + b"\n", "x.csv", COLUMN_MESSAGE)


def test_trailing_empty_csv_cells_are_not_columns():
    # spreadsheet programs export rows padded with empty cells up to the widest row
    table = read_table(b"a,b" + b"," * 5000 + b"\n1,2" + b"," * 5000 + b"\n", "x.csv")
    assert table.columns == ["a", "b"] and table.rows == [{"a": "1", "b": "2"}]


def test_a_record_spread_over_lines_is_counted_before_it_is_split():
    # each line holds fewer delimiters than the limit, the record (one header of 12,003 cells) more
    buffer = io.StringIO()
    csv.writer(buffer).writerow(["x"] * 4000 + ["two\nlines"] + ["y"] * 4000 + ["two\nlines"] + ["z"] * 4000)
    data = buffer.getvalue().encode() + b"1\n"
    assert max(line.count(b",") for line in data.splitlines()) < limits.MAX_RECORD_DELIMITERS
    assert_refused_fast(data, "x.csv", COLUMN_MESSAGE)


def test_blank_lines_count_against_the_rows_read():
    data = b"a\n1\n" + b"\n" * 2_000
    assert read_table(data, "x.csv", max_rows=1_000).rows == [{"a": "1"}]
    assert_refused_fast(data, "x.csv", "The file has more than 1 020 rows, empty ones included, the most one "
                                       "upload may hold. Delete the empty rows.", max_rows=10)


def test_the_cell_budget_counts_every_csv_field(monkeypatch):
    monkeypatch.setattr(limits, "MAX_CELLS", 10)
    assert len(read_table(b"a,b\n1,2\n3,4\n5,6\n7,8\n", "x.csv").rows) == 4
    error = assert_refused_fast(b"a,b\n1,2\n3,4\n5,6\n7,8\n9,10\n", "x.csv",
                                CELL_MESSAGE.replace("1 000 000", "10"))
    assert error.status == 413


# -- XLSX ------------------------------------------------------------------------------------------

def test_an_xlsx_padding_bomb_is_refused_before_it_expands():
    # a row holding one styled empty cell in column XFD is 16,384 cells wide once padded:
    # a million of them, a few hundred KB zipped, were billions of cells
    data = workbook(HEADER_ROW + b'<row><c r="XFD2" s="1"/></row>' * 1_048_000)
    assert len(data) < 1_000_000
    assert_refused_fast(data, "payments.xlsx", CELL_MESSAGE)


def test_an_xlsx_value_beyond_the_column_limit_is_refused():
    assert_refused_fast(workbook(HEADER_ROW + b'<row r="2"><c r="XFD2"><v>1</v></c></row>'), "x.xlsx",
                        COLUMN_MESSAGE)


def test_styled_empty_cells_far_right_are_not_columns():
    data = workbook(HEADER_ROW + b'<row r="2"><c r="A2"><v>5</v></c><c r="XFD2" s="1"/></row>')
    table = read_table(data, "x.xlsx")
    assert table.rows == [{"amount": "5"}] and table.row_numbers == [1]


def test_an_xlsx_shared_string_table_of_millions_is_refused():
    data = workbook(HEADER_ROW + b'<row r="2"><c r="A2" t="s"><v>0</v></c></row>',
                    b"<si><t>x</t></si>" * 1_000_000, sst_attributes=' count="4000000000" uniqueCount="4000000000"')
    assert_refused_fast(data, "x.xlsx", UNPACKED_MESSAGE)


def test_a_declared_count_alone_changes_nothing():
    data = workbook(HEADER_ROW + b'<row r="2"><c r="A2" t="s"><v>0</v></c></row>', b"<si><t>7</t></si>",
                    sst_attributes=' count="4000000000" uniqueCount="4000000000"')
    assert read_table(data, "x.xlsx").rows == [{"amount": "7"}]


@pytest.mark.parametrize("sheet_data", [
    b"<x/>" * 5_000_000,  # elements the old reader kept in memory until the end of the sheet
    b'<row r="2">' + b"<c/>" * 2_000_000 + b"</row>",  # one row holding millions of cells
    b"<row/>" * 1_100_000,  # more rows than Excel has
], ids=["elements", "cells_in_one_row", "rows"])
def test_an_xlsx_sheet_of_millions_of_elements_is_refused(sheet_data):
    error, seconds, peak = refusal(workbook(HEADER_ROW + sheet_data), "x.xlsx")
    assert error.message in (UNPACKED_MESSAGE, CELL_MESSAGE) and error.status == 413
    assert seconds < SECONDS and peak < MEGABYTES, (seconds, peak)


def test_an_xlsx_cell_longer_than_excel_allows_is_refused():
    text = b"y" * 60_000_000
    data = workbook(HEADER_ROW + b'<row r="2"><c r="A2" t="inlineStr"><is><t>' + text + b"</t></is></c></row>")
    del text
    assert_refused_fast(data, "x.xlsx", UNPACKED_MESSAGE)


def test_an_xlsx_of_thousands_of_zip_members_is_refused():
    data = workbook(HEADER_ROW + b'<row r="2"><c r="A2"><v>1</v></c></row>', extra_members=2_000)
    assert_refused_fast(data, "x.xlsx", UNPACKED_MESSAGE)


def test_an_xlsx_with_a_dtd_is_refused_as_damaged():
    dtd = (b'<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
           b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>')
    data = workbook(HEADER_ROW + b'<row r="2"><c r="A2" t="inlineStr"><is><t>&c;</t></is></c></row>',
                    before_sheet_data=dtd)
    error, _seconds, _peak = refusal(data, "x.xlsx")
    assert "damaged" in error.as_dicts()[0]["message"]


def test_the_wall_clock_guard_refuses_a_slow_read(monkeypatch):
    monkeypatch.setattr(limits, "MAX_SECONDS", 0.0)
    message = ("Reading the file took more than 0 seconds, the most one upload may take. Split it into smaller "
               "files, or upload it as CSV.")
    rows = b"".join(b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (n, n, n) for n in range(2, 3000))
    assert_refused_fast(workbook(HEADER_ROW + rows), "x.xlsx", message)
    assert_refused_fast(b"amount\n" + b"1\n" * 3000, "x.csv", message)


def test_the_limits_leave_room_for_the_largest_honest_upload():
    # 50,000 rows of the widest template (20 columns) fit every budget
    assert 50_000 * 20 <= limits.MAX_CELLS and 20 <= limits.MAX_COLUMNS
    assert limits.read_rows_limit(50_000) > 50_000


# -- the values are those openpyxl reads ----------------------------------------------------------

def _openpyxl_rows(data: bytes) -> list[tuple[int, list[str]]]:
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    sheet = book.worksheets[0]
    sheet.reset_dimensions()
    found = []
    for number, cells in enumerate(sheet.iter_rows(), start=1):
        texts = [_cell_text(cell.value, cell.data_type == "e")[0] for cell in cells]
        while texts and not texts[-1]:
            texts.pop()
        if texts:
            found.append((number - 1, texts))
    book.close()
    return found


def _our_rows(data: bytes) -> list[tuple[int, list[str]]]:
    found = []
    for raw in xlsx_rows(data, "x.xlsx"):
        texts = list(raw.cells)
        while texts and not texts[-1]:
            texts.pop()
        if texts:
            found.append((raw.number, texts))
    return found


@pytest.mark.parametrize("epoch", ["1900", "1904"])
def test_xlsx_dates_times_and_durations_are_read_as_openpyxl_reads_them(epoch):
    book = openpyxl.Workbook()
    if epoch == "1904":
        book.epoch = openpyxl.utils.datetime.CALENDAR_MAC_1904
    sheet = book.active
    sheet.append(["date", "time", "duration", "custom", "flag", "number", "text"])
    sheet.append([dt.date(2025, 3, 1), dt.time(9, 15), dt.timedelta(hours=30, minutes=5),
                  dt.datetime(2025, 1, 2, 3, 4, 5), True, 1.5, "x"])
    sheet.append([45000, 0.5, 1.25, 45000.75, False, -0.0, "  y "])
    sheet["C2"].number_format = "[h]:mm:ss"
    sheet["D2"].number_format = "dd.mm.yyyy hh:mm"
    for column, number_format in zip("ABCD", ["yyyy-mm-dd", "h:mm", "[h]:mm:ss", "dd.mm.yyyy"], strict=True):
        sheet[f"{column}3"].number_format = number_format
    buffer = io.BytesIO()
    book.save(buffer)
    assert _our_rows(buffer.getvalue()) == _openpyxl_rows(buffer.getvalue())


def test_xlsx_shared_strings_and_odd_rows_are_read_as_openpyxl_reads_them():
    strings = (b"<si><t>plain</t></si>"
               b'<si><r><rPr><b/></rPr><t>ri</t></r><r><t xml:space="preserve">ch </t></r></si>'
               b'<si><t>kanji</t><rPh sb="0" eb="1"><t>KANA</t></rPh></si>'
               b"<si><t>a_x005F_x000D_b</t></si>")
    rows = (b'<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c t="s"><v>2</v></c>'
            b'<c t="s"><v>3</v></c></row>'
            b'<row r="3"><c r="B3" t="d"><v>2025-03-01T10:00:00</v></c><c r="C3" t="str"><f>A1</f><v>txt</v></c>'
            b'<c r="D3" t="e"><v>#N/A</v></c></row>'
            b'<row r="2"><c r="A2"><v>5</v></c></row>'  # out of order: skipped, as openpyxl does
            b'<row><c r="A4" t="b"><v>1</v></c><c r="E4"><v>1.0E3</v></c></row>'
            b'<row r="6"><c r="a6"><v>9</v></c><c r="C6"><v>-2</v></c></row>')
    data = workbook(rows, strings)
    assert _our_rows(data) == _openpyxl_rows(data)
    assert _our_rows(data)[0] == (0, ["plain", "rich ", "kanji", "a_x000D_b"])
