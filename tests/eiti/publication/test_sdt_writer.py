"""The SDT v2.0 workbook and the EITI Part CSVs written from ``Parts`` (EITI.md B §1.3, §1.6)."""
from __future__ import annotations

import csv
import io
import json
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from esg_portal.eiti.publication import sdt
from esg_portal.eiti.publication.sdt.model import (
    ABOUT_LABELS, COMPANY_COLUMNS, COMPANY_DATA_COLUMNS, GOVERNMENT_ENTITY_COLUMNS, GOVERNMENT_REVENUE_COLUMNS,
    LISTS, PROJECT_COLUMNS, SHEETS, Parts,
)
from esg_portal.tabular.safe import new_workbook, put_cell, put_formula, workbook_bytes

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "eiti" / "sdt_sample_parts.json"
PLANTED = ('=HYPERLINK("http://x","y")', "+cmd", "@SUM(A1)")


def sample_parts() -> Parts:
    return Parts.from_dict(json.loads(SAMPLE.read_text(encoding="utf-8")))


def open_book(data: bytes, *, values: bool):
    return load_workbook(io.BytesIO(data), data_only=values)


def sheet_xml(data: bytes, index: int) -> bytes:
    return zipfile.ZipFile(io.BytesIO(data)).read(f"xl/worksheets/sheet{index}.xml")


@pytest.fixture(scope="module")
def parts() -> Parts:
    return sample_parts()


@pytest.fixture(scope="module")
def workbook_data(parts: Parts) -> bytes:
    return sdt.write_sdt(parts)


@pytest.fixture(scope="module")
def values(workbook_data: bytes):
    return open_book(workbook_data, values=True)


@pytest.fixture(scope="module")
def formulas(workbook_data: bytes):
    return open_book(workbook_data, values=False)


# --- structure -----------------------------------------------------------------------------------------
def test_the_seven_sheets_in_the_template_order(values):
    assert values.sheetnames == ["Introduction", "Part 1 - About", "Part 2 - Disclosure checklist",
                                 "Part 3 - Reporting entities", "Part 4 - Government revenues",
                                 "Part 5 - Company data", "Lists"]
    assert tuple(values.sheetnames) == SHEETS


def test_part_1_labels_in_column_c_values_in_column_e_from_row_14(values, parts):
    ws = values["Part 1 - About"]
    assert len(ABOUT_LABELS) == 39
    for offset, label in enumerate(ABOUT_LABELS):
        assert ws.cell(14 + offset, 3).value == label
    assert ws["C40"].value == "Exchange rate used: 1 USD = "  # the template's trailing space
    assert ws["E14"].value == "Kyrgyz Republic"
    assert ws["E15"].value == "KGZ"
    assert ws["E18"].value.date().isoformat() == "2025-01-01"
    assert ws["E19"].value.date().isoformat() == "2025-12-31"
    assert ws["E37"].value == 3 and ws["E38"].value == 3
    assert ws["E28"].value is None  # blank stays blank
    assert ws["E35"].value == "Not applicable"


def test_the_exchange_rate_keeps_its_precision(workbook_data, values):
    assert values["Part 1 - About"]["E40"].value == pytest.approx(87.9985)
    assert b'<c r="E40"' in sheet_xml(workbook_data, 2)
    assert b"<v>87.9985</v>" in sheet_xml(workbook_data, 2)


def test_headers_of_parts_3_4_and_5(values):
    entities = values["Part 3 - Reporting entities"]
    assert entities["B5"].value == "Reporting government entities list"
    assert [entities.cell(6, 2 + i).value for i in range(4)] == list(GOVERNMENT_ENTITY_COLUMNS)
    assert entities["B12"].value == "Reporting companies' list"
    assert [entities.cell(13, 2 + i).value for i in range(8)] == list(COMPANY_COLUMNS)
    assert "Commodities (comma-seperated)" in COMPANY_COLUMNS  # sic, as in the template
    assert entities["B20"].value == "Reporting projects' list"
    assert [entities.cell(21, 2 + i).value for i in range(9)] == list(PROJECT_COLUMNS)
    revenues = values["Part 4 - Government revenues"]
    assert [revenues.cell(21, 6 + i).value for i in range(6)] == list(GOVERNMENT_REVENUE_COLUMNS)
    company = values["Part 5 - Company data"]
    headers = [company.cell(14, 3 + i).value for i in range(13)]
    assert headers == ["Company", "Sector"] + list(COMPANY_DATA_COLUMNS[1:])


def test_named_tables_of_v2_0_with_their_ranges(formulas):
    tables = {}
    for ws in formulas.worksheets:
        for name, ref in ws.tables.items():
            tables[name] = (ws.title, ref)
    assert tables == {
        "Government_agencies": ("Part 3 - Reporting entities", "B6:E9"),
        "Companies": ("Part 3 - Reporting entities", "B13:I17"),
        "Companies15": ("Part 3 - Reporting entities", "B21:J23"),
        "Government_revenues_table": ("Part 4 - Government revenues", "F21:K27"),
        "Table10": ("Part 5 - Company data", "C14:O18"),
    }


def test_an_empty_table_keeps_one_blank_row(parts):
    empty = parts.copy()
    empty.projects = []
    book = open_book(sdt.write_sdt(empty), values=False)
    assert dict(book["Part 3 - Reporting entities"].tables.items())["Companies15"] == "B21:J22"


def test_lists_hold_the_template_value_lists(values):
    ws = values["Lists"]
    columns = {ws.cell(1, c).value: [ws.cell(r, c).value for r in range(2, ws.max_row + 1) if ws.cell(r, c).value]
               for c in range(1, ws.max_column + 1)}
    assert "Central goverment" in columns["Agency type"]  # the template's spelling, kept for compatibility
    assert columns["Inclusion"] == ["Systematically disclosed", "Through EITI Reporting", "Not applicable",
                                    "Not available"]
    for name, entries in LISTS.items():
        assert columns[name] == list(entries)
    assert "Royalties (1415E1)" in columns["GFS classification"]
    assert "Rent (1415E)" not in columns["GFS classification"]  # headings are no choice


# --- values ---------------------------------------------------------------------------------------------
def test_gfs_is_written_name_and_code(values, parts):
    ws = values["Part 4 - Government revenues"]
    assert ws["F22"].value == "Royalties (1415E1)"
    bare = parts.copy()
    bare.government_revenues[0]["GFS Classification"] = "1415E1"
    assert open_book(sdt.write_sdt(bare), values=True)["Part 4 - Government revenues"]["F22"].value == \
        "Royalties (1415E1)"


def test_money_is_numeric_and_exact(workbook_data, values):
    ws = values["Part 4 - Government revenues"]
    assert ws["J22"].data_type == "n" and ws["J22"].value == pytest.approx(1234567.89)
    xml = sheet_xml(workbook_data, 5)
    assert b"<v>1234567.89</v>" in xml and b"<v>-500.00</v>" in xml and b"<v>0.00</v>" in xml
    assert ws["J22"].number_format == "#,##0.00"


def test_sentinels_blank_and_zero_stay_distinct(values):
    ws = values["Part 4 - Government revenues"]
    zero, not_applicable, not_available, blank = ws["J24"], ws["J25"], ws["J26"], ws["J27"]
    assert zero.value == 0 and zero.data_type == "n"
    assert not_applicable.value == "Not applicable" and not_applicable.data_type == "s"
    assert not_available.value == "Not available" and not_available.data_type == "s"
    assert blank.value is None
    projects = values["Part 3 - Reporting entities"]
    assert projects["G23"].value == "Not available" and projects["I23"].value is None


def test_totals_below_part_4_equal_the_column_sums(values, formulas, parts):
    ws = values["Part 4 - Government revenues"]
    amounts = [Decimal(str(ws.cell(r, 10).value)) for r in range(22, 28) if isinstance(ws.cell(r, 10).value, float)]
    assert ws["I29"].value == "Total in KGS" and ws["I30"].value == "Total in USD"
    assert Decimal(str(ws["J29"].value)) == sum(amounts) == Decimal("1234067.89")
    # 1234067.89 / 87.9985 = 14023.7377… → 14023.74
    assert Decimal(str(ws["J30"].value)) == Decimal("14023.74")
    assert formulas["Part 4 - Government revenues"]["J29"].value == "=SUM(J22:J27)"
    assert formulas["Part 4 - Government revenues"]["J30"].data_type == "f"
    assert "'Part 1 - About'!$E$40" in formulas["Part 4 - Government revenues"]["J30"].value


def test_usd_total_is_half_even_and_not_available_without_a_rate(parts):
    tie = parts.copy()
    tie.government_revenues = [dict(tie.government_revenues[0], **{"Revenue value": "1.00"})]
    tie.about["Exchange rate used: 1 USD = "] = "8"  # 0.125 → 0.12, not 0.13
    tie.government_entities[0]["Total reported"] = None
    ws = open_book(sdt.write_sdt(tie), values=True)["Part 4 - Government revenues"]
    assert ws["J24"].value == 1 and ws["J25"].value == pytest.approx(0.12)
    for rate in (None, "0", "Not available"):
        no_rate = parts.copy()
        no_rate.about["Exchange rate used: 1 USD = "] = rate
        ws = open_book(sdt.write_sdt(no_rate), values=False)["Part 4 - Government revenues"]
        assert ws["J30"].value == "Not available" and ws["J30"].data_type == "s"
        assert ws["J29"].data_type == "f"


def test_a_row_in_another_currency_makes_the_total_not_available(parts):
    mixed = parts.copy()
    mixed.government_revenues[1]["Currency"] = "USD"
    mixed.government_entities[1]["Total reported"] = "-500.00"
    ws = open_book(sdt.write_sdt(mixed), values=True)["Part 4 - Government revenues"]
    assert ws["J29"].value == "Not available" and ws["J30"].value == "Not available"


def test_part_3_totals_are_formulas_with_cached_sums(values, formulas):
    shown, written = values["Part 3 - Reporting entities"], formulas["Part 3 - Reporting entities"]
    # State Tax Service: royalty 1234567.89 + "Not applicable" + "Not available" + blank
    assert shown["E7"].value == pytest.approx(1234567.89)
    assert written["E7"].value.startswith("=SUMPRODUCT(EXACT('Part 4 - Government revenues'!$I$22:$I$27,$B7)*1,")
    assert shown["E8"].value == -500 and shown["E9"].value == 0
    assert shown["I14"].value == pytest.approx(1234567.89) and written["I14"].data_type == "f"
    assert "'Part 5 - Company data'!$K$15:$K$18" in written["I14"].value
    # nothing to add up (the only Part 5 amount is "Not available"): the given text is kept
    assert shown["I17"].value == "Not available" and written["I17"].data_type == "s"


def test_a_given_total_that_differs_from_the_sum_is_kept_as_a_plain_value(parts):
    historic = parts.copy()
    historic.government_entities[0]["Total reported"] = "999.00"
    written = open_book(sdt.write_sdt(historic), values=False)["Part 3 - Reporting entities"]
    assert written["E7"].value == 999 and written["E7"].data_type == "n"


def test_part_1_percentages_summarise_part_2(values, formulas):
    shown, written = values["Part 1 - About"], formulas["Part 1 - About"]
    assert [shown.cell(r, 5).value for r in range(46, 50)] == [0.5, 0.25, 0.125, 0.125]
    assert written["E46"].data_type == "f" and "COUNTIF('Part 2 - Disclosure checklist'!$D$17:$D$31," in \
        written["E46"].value
    assert written["E46"].number_format == "0.00%"


def test_part_2_rows_from_row_17(values, parts):
    ws = values["Part 2 - Disclosure checklist"]
    assert ws["B17"].value == "EITI Requirement 2.1: Legal framework and fiscal regime"
    assert (ws["B18"].value, ws["D18"].value, ws["F18"].value) == (
        "Legal framework and fiscal regime", "Systematically disclosed", "https://cbd.minjust.gov.kg/")
    assert (ws["B19"].value, ws["D19"].value, ws["F19"].value) == ("Fiscal regime", "Systematically disclosed", None)
    labels = [ws.cell(r, 2).value for r in range(17, ws.max_row + 1)]
    assert labels.count("EITI Requirement 2.1: Legal framework and fiscal regime") == 1
    assert len([v for v in labels if v and not v.startswith("EITI Requirement")]) == len(parts.checklist)


def test_part_5_sector_comes_from_part_3_not_from_the_wrong_column(values, parts):
    ws = values["Part 5 - Company data"]
    by_company = {ws.cell(r, 3).value: ws.cell(r, 4).value for r in range(15, 19)}
    assert by_company["Kumtor Gold Company CJSC"] == "Mining"
    assert by_company["+cmd"] == "Other"  # not its company type ("Private") nor its ID
    unknown = parts.copy()
    unknown.company_data[0]["Company"] = "Not in Part 3 LLC"
    assert open_book(sdt.write_sdt(unknown), values=True)["Part 5 - Company data"]["D15"].value is None


def test_formula_looking_text_is_never_a_formula(values, formulas, parts):
    for book in (values, formulas):
        cells = [cell for ws in book.worksheets for row in ws.iter_rows() for cell in row
                 if isinstance(cell.value, str) and cell.value in PLANTED]
        assert {cell.value for cell in cells} == set(PLANTED)
        assert len(cells) == 2 * len(PLANTED)  # Part 3 and Part 5
        for cell in cells:
            assert cell.data_type == "s" and cell.quotePrefix
    assert formulas["Part 5 - Company data"]["O17"].value == "-- note"
    assert formulas["Part 5 - Company data"]["O17"].data_type == "s"


def test_formula_looking_text_gets_an_apostrophe_in_the_csvs(parts):
    files = sdt.part_csvs(parts)
    for name in ("Part 3 - Reporting companies' list.csv", "Part 5 - Company data.csv"):
        first_column = [row[0] for row in csv.reader(io.StringIO(files[name].decode("utf-8")))][1:]
        assert {"'" + text for text in PLANTED} <= set(first_column)
        assert not set(PLANTED) & set(first_column)
    revenue_values = [row[4] for row in csv.reader(io.StringIO(files["Part 4 - Government revenues.csv"].decode()))]
    assert revenue_values[1:] == ["1234567.89", "-500.00", "0.00", "Not applicable", "Not available", ""]


# --- CSVs ------------------------------------------------------------------------------------------------
def test_the_six_part_csvs_with_the_appended_columns(parts):
    files = sdt.part_csvs(parts)
    assert list(files) == ["Part 1 - About.csv", "Part 3 - Reporting companies' list.csv",
                           "Part 3 - Reporting government entities list.csv", "Part 3 - Reporting projects' list.csv",
                           "Part 4 - Government revenues.csv", "Part 5 - Company data.csv"]
    for name, data in files.items():
        assert not data.startswith(b"\xef\xbb\xbf") and b"\r" not in data
        data.decode("utf-8")
        rows = list(csv.reader(io.StringIO(data.decode("utf-8"))))
        if name == "Part 1 - About.csv":
            assert rows[0] == list(ABOUT_LABELS) + ["Year"]
            assert len(rows) == 2 and rows[1][-1] == "2025"
            assert rows[1][ABOUT_LABELS.index("Exchange rate used: 1 USD = ")] == "87.9985"
            assert rows[1][ABOUT_LABELS.index("Systematically disclosed")] == "50.00%"
            continue
        assert rows[0][-5:] == ["Country", "ISO Code", "Year", "Start Date", "End Date"]
        for row in rows[1:]:
            assert row[-5:] == ["Kyrgyz Republic", "KGZ", "2025", "2025-01-01", "2025-12-31"]
    part5 = list(csv.reader(io.StringIO(files["Part 5 - Company data.csv"].decode())))
    assert part5[0][:-5] == list(COMPANY_DATA_COLUMNS) and "Sector" not in part5[0]


def test_same_parts_same_bytes(parts, workbook_data):
    assert sdt.write_sdt(sample_parts()) == workbook_data
    assert sdt.part_csvs(sample_parts()) == sdt.part_csvs(parts)
    changed = parts.copy()
    changed.government_revenues[0]["Revenue value"] = "1234567.88"
    assert sdt.write_sdt(changed) != workbook_data


# --- Parts ------------------------------------------------------------------------------------------------
def test_parts_to_dict_is_json_and_round_trips(parts):
    data = json.loads(json.dumps(parts.to_dict()))
    assert data["about"]["Exchange rate used: 1 USD = "] == "87.9985"
    assert Parts.from_dict(data) == parts
    with pytest.raises(ValueError):
        Parts.from_dict({**data, "companies": [{"Full company name": 5}]})
    with pytest.raises(ValueError):
        Parts.from_dict({**data, "companies": [{"Company name": "x"}]})


def test_complete_fills_derived_values_and_keeps_numbers_exact(parts):
    bare = parts.copy()
    bare.about = {"Exchange rate used: 1 USD = ": "87.45000"}
    for row in bare.government_entities + bare.companies:
        row.pop("Total reported", None)
        row.pop("Payments to Governments Report", None)
    bare.government_revenues[0]["Revenue value"] = "1234567.9"
    done = sdt.complete(bare)
    assert done.about["Country or area name"] == "Kyrgyz Republic" and done.about["Start Date"] == "2025-01-01"
    assert done.about["Reporting currency (ISO-4217 currency codes)"] == "KGS"
    assert done.about["Exchange rate used: 1 USD = "] == "87.45"
    assert done.about["Systematically disclosed"] == "50.00%" and done.about["Not available"] == "12.50%"
    assert done.government_revenues[0]["Revenue value"] == "1234567.90"
    assert [row["Total reported"] for row in done.government_entities] == ["1234567.90", "-500.00", "0.00"]
    assert [row["Payments to Governments Report"] for row in done.companies] == [
        "1234567.89", "-500.00", "0.00", None]
    assert sdt.complete(done) == done


def test_unknown_keys_and_contradicting_dates_are_refused(parts):
    wrong = parts.copy()
    wrong.about["Exchange rate"] = "1"
    with pytest.raises(ValueError):
        sdt.write_sdt(wrong)
    dates = parts.copy()
    dates.about["Start Date"] = "2024-01-01"
    with pytest.raises(ValueError):
        sdt.part_csvs(dates)


# --- safe.py: formulas with cached values --------------------------------------------------------------------
def test_put_formula_stores_the_cached_value_and_stays_reproducible():
    def build() -> bytes:
        workbook = new_workbook()
        ws = workbook.active
        put_cell(ws, 1, 1, Decimal("72255167.07"))
        put_cell(ws, 2, 1, Decimal("-0.07"))
        put_formula(ws, 3, 1, "=SUM(A1:A2)", "#,##0.00", cached=Decimal("72255167.00"))
        put_formula(ws, 4, 1, '=IF(A3>0,"yes","no")', cached="yes & <more>")
        put_formula(ws, 5, 1, "=A1*0")
        return workbook_bytes(workbook)

    data = build()
    assert data == build()
    shown = open_book(data, values=True).active
    assert shown["A3"].value == 72255167.0 and shown["A4"].value == "yes & <more>" and shown["A5"].value is None
    assert open_book(data, values=False).active["A3"].value == "=SUM(A1:A2)"
    assert b"<v>72255167.00</v>" in sheet_xml(data, 1)
    with pytest.raises(ValueError):
        put_formula(new_workbook().active, 1, 1, "SUM(A1)")
