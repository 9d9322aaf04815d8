"""The report's data and files: line order, filters, summaries, XLSX (exact numbers) and CSV, on a sample run."""
from __future__ import annotations

import csv
import io
import re
import zipfile
from decimal import Decimal

import pandas as pd
import pytest
from flask import Flask
from openpyxl import load_workbook

from reconciliation_sample import A, B, C, COMPANIES, D, GOVERNMENT_NOT_INCLUDED, HUGE, NOT_PARTICIPATING_REASON, \
    sample_lines, sample_report
from esg_portal.eiti import reconciliation as engine
from esg_portal.eiti.report_data import LineFilter, non_reporting, ordered_lines, run_totals, summary_table
from esg_portal.eiti.report_files import (AMOUNT_COLUMNS, AMOUNT_FORMAT, FRACTION_FORMAT, LINE_SHEET_COLUMNS,
                                          PCT_COLUMNS, build_csv, build_xlsx, sheet_title)
from esg_portal.money import from_minor

SHEETS = ["About", "Lines", "By revenue stream", "By government entity", "By company", "Did not report"]


def minor_to_decimal(value) -> Decimal | None:
    return None if value is pd.NA or value is None else from_minor(int(value), "KGS")


def cell_decimal(value) -> Decimal | None:
    """A numeric cell as read back (openpyxl gives floats) → the Decimal it was written as."""
    return None if value is None else Decimal(str(value))


def raw_numbers(data: bytes, sheet: int) -> dict[str, Decimal]:
    """Coordinate → the exact number text written in sheet ``sheet`` (1-based) of an XLSX file."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = archive.read(f"xl/worksheets/sheet{sheet}.xml").decode()
    return {ref: Decimal(value) for ref, value in re.findall(r'<c r="([A-Z]+[0-9]+)"[^>]*t="n"[^>]*><v>([^<]*)</v>', xml)}


@pytest.fixture
def ctx(app: Flask):
    with app.test_request_context("/"):
        yield


def workbook(locale: str = "en", huge: bool = False):
    data = build_xlsx(sample_report(locale, huge=huge))
    return load_workbook(io.BytesIO(data)), data


# --- order, filters, summaries -----------------------------------------------------------------

def test_discrepancies_first_then_one_sided_then_the_rest_largest_first() -> None:
    lines = ordered_lines(sample_lines())
    assert list(lines["status"]) == ["discrepancy"] * 3 + ["company_only", "government_only", "not_reported",
                                                           "not_participating"] + ["reconciled"] * 3
    assert [int(g) for g in lines["final_gap"].iloc[:3]] == [6_000_000, -5_000_000, -300_000]
    # one-sided lines by the amount of the side that reported; ties keep the engine's order
    assert list(lines["revenue_stream"].iloc[3:5]) == ["CUSTOMS", "VAT"]
    assert list(lines.index[-2:]) == sorted(lines.index[-2:])


def test_line_filter_combines_and_reads_get_arguments() -> None:
    lines = sample_lines()
    picked = LineFilter.from_args({"status": "reconciled", "company": A, "other": "x"}).apply(lines)
    assert set(picked["company_inn"]) == {A} and set(picked["status"]) == {"reconciled"} and len(picked) == 2
    assert len(LineFilter.from_args({}).apply(lines)) == len(lines)
    assert LineFilter.from_args({"entity": "SCS"}).apply(lines)["government_entity"].tolist() == ["SCS", "SCS"]
    assert LineFilter.from_args({"stream": "NOPE"}).apply(lines).empty


def test_summaries_agree_with_the_lines() -> None:
    report = sample_report()
    lines = report.lines
    for by, column in (("stream", "revenue_stream"), ("entity", "government_entity"), ("company", "company_inn")):
        table = summary_table(report, by)
        assert set(table["key"]) == set(lines[column])
        for row in table.to_dict("records"):
            mine = lines[lines[column] == row["key"]]
            assert row["company_amount"] == int(mine["company_final"].fillna(0).sum())
            assert row["government_amount"] == int(mine["government_final"].fillna(0).sum())
            assert row["gap"] == row["government_amount"] - row["company_amount"]
            assert row["lines"] == len(mine) == sum(row[s] for s in engine.STATUSES)
        assert table["lines"].sum() == len(lines)
    totals = run_totals(report)
    assert totals["company_amount"] == 242_000_000 and totals["government_amount"] == 317_444_567
    # coverage over all government revenue, the streams not included counted in the denominator
    two_sided = lines["company_final"].notna() & lines["government_final"].notna()
    matched = int(lines.loc[two_sided, "government_final"].sum())
    assert totals["coverage_bp"] == engine.percent_bp(matched, 317_444_567 + GOVERNMENT_NOT_INCLUDED)
    assert totals["line_coverage_bp"] == engine.coverage_bp(lines)


def test_non_reporting_companies_with_the_government_amount_they_represent() -> None:
    table = non_reporting(sample_report())
    assert table.to_dict("records") == [
        {"company_inn": C, "name": COMPANIES[C], "status": "not_reported", "reason": "",
         "government_amount": 80_000_000, "lines": 1},
        {"company_inn": D, "name": COMPANIES[D], "status": "not_participating", "reason": NOT_PARTICIPATING_REASON,
         "government_amount": 1_000_000, "lines": 1},
    ]


# --- XLSX ---------------------------------------------------------------------------------------

def test_xlsx_sheets_headers_frozen_and_widths(ctx) -> None:
    book, _ = workbook()
    assert book.sheetnames == SHEETS
    lines = book["Lines"]
    header = [c.value for c in lines[1]]
    assert header[:4] == ["No.", "Company", "INN", "Revenue stream"] and header[-1] == "Explanation"
    assert len(header) == len(LINE_SHEET_COLUMNS)
    for name in SHEETS[1:]:
        assert book[name].freeze_panes == "A2"
        assert book[name].column_dimensions["B"].width >= 10
    assert lines.max_row == 1 + len(sample_lines())


def test_xlsx_line_amounts_are_exact_numbers_in_the_reports_order(ctx) -> None:
    book, raw = workbook(huge=True)
    lines = sample_lines(huge=True)
    sheet = book["Lines"]
    exact = raw_numbers(raw, 2)  # openpyxl reads numbers back as floats; the file holds exact text
    order = [row[0].value for row in sheet.iter_rows(min_row=2)]
    assert order == list(ordered_lines(lines).index)
    first_amount = LINE_SHEET_COLUMNS.index(AMOUNT_COLUMNS[0])
    first_pct = LINE_SHEET_COLUMNS.index(PCT_COLUMNS[0])
    for row in sheet.iter_rows(min_row=2):
        line = lines.loc[row[0].value]
        assert row[2].value == line["company_inn"] and row[1].value == COMPANIES[line["company_inn"]]
        for i, column in enumerate(AMOUNT_COLUMNS):
            cell = row[first_amount + i]
            assert exact.get(cell.coordinate) == minor_to_decimal(line[column]), column
            if cell.value is not None:
                assert cell.data_type == "n" and cell.number_format == AMOUNT_FORMAT
        for i, column in enumerate(PCT_COLUMNS):
            cell = row[first_pct + i]
            expected = None if line[column] is pd.NA else Decimal(int(line[column])) / 10_000
            assert exact.get(cell.coordinate) == expected
            assert cell.value is None or cell.number_format == FRACTION_FORMAT
    # the huge line: written as exact decimal text, never through a float (whose nearest value ends in .4375)
    huge = next(r for r in sheet.iter_rows(min_row=2) if r[3].value == "Dividends on the state's equity share")
    assert exact[huge[first_amount].coordinate] == Decimal("987654321098765.43")
    assert exact[huge[LINE_SHEET_COLUMNS.index("final_gap")].coordinate] == Decimal("0.01")


def test_amounts_that_a_float_would_spoil_are_written_exactly(ctx) -> None:
    """openpyxl alone writes Decimal("72255167.07") as 72255167.06999999 (through "%.16g")."""
    lines = sample_lines()
    lines.loc[lines.index[0], "company_initial"] = 7_225_516_707
    data = build_xlsx(sample_report(lines=lines))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = archive.read("xl/worksheets/sheet2.xml").decode()
    assert "<v>72255167.07</v>" in xml and "72255167.06999" not in xml
    values = [cell_decimal(row[8]) for row in load_workbook(io.BytesIO(data))["Lines"].iter_rows(min_row=2,
                                                                                                  values_only=True)]
    assert Decimal("72255167.07") in values


def test_xlsx_explanations_and_statuses_are_labels(ctx) -> None:
    book, _ = workbook()
    rows = {row[0]: row for row in book["Lines"].iter_rows(min_row=2, values_only=True)}
    lines = sample_lines()
    b_cit = int(lines[(lines["company_inn"] == B) & (lines["revenue_stream"] == "CIT")].index[0])
    assert rows[b_cit][-1] == "Classification difference; Data-entry error"
    assert rows[b_cit][7] == "Discrepancy"


@pytest.mark.parametrize(("sheet", "by"), [("By revenue stream", "stream"), ("By government entity", "entity"),
                                           ("By company", "company")])
def test_xlsx_summaries_agree_with_the_lines(ctx, sheet, by) -> None:
    book, _ = workbook()
    report = sample_report()
    rows = list(book[sheet].iter_rows(min_row=2, values_only=True))
    body, total = rows[:-1], rows[-1]
    table = summary_table(report, by)
    offset = 3 if by == "stream" else 2
    assert [r[0] for r in body] == list(table["key"])
    for row, expected in zip(body, table.to_dict("records")):
        figures = [cell_decimal(v) for v in row[offset:offset + 3]]
        assert figures == [from_minor(int(expected[c]), "KGS") for c in engine.SUMMARY_AMOUNTS]
        assert row[offset + 4] == expected["lines"]
    lines = report.lines
    assert total[0] == "Total"
    assert cell_decimal(total[offset]) == from_minor(int(lines["company_final"].fillna(0).sum()), "KGS")
    assert cell_decimal(total[offset + 1]) == from_minor(int(lines["government_final"].fillna(0).sum()), "KGS")
    assert sum(cell_decimal(r[offset + 2]) for r in body) == cell_decimal(total[offset + 2])
    assert total[offset + 4] == len(lines)


def test_xlsx_about_and_non_reporting(ctx) -> None:
    book, _ = workbook()
    about = {row[0]: row[1] for row in book["About"].iter_rows(values_only=True) if row[0]}
    assert about["Run number"] == 3 and about["Run by"] == "Test Secretary"
    assert cell_decimal(about["USD rate: 1 USD = … KGS"]) == Decimal("87.45")
    assert cell_decimal(about["Company threshold"]) == Decimal("100000")
    assert about["Run on (Bishkek time)"].endswith("15:30 (UTC+6)")
    assert cell_decimal(about["Received under streams not included"]) == Decimal("50000")
    margins = {row[0]: row for row in book["About"].iter_rows(values_only=True) if row[0] == "Royalty"}
    assert cell_decimal(margins["Royalty"][3]) == Decimal("0.01") and margins["Royalty"][2] == "Included"
    silent = list(book["Did not report"].iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[2], cell_decimal(r[4])) for r in silent] == [
        (C, "Did not report (DNR)", Decimal("800000")), (D, "Did not participate (DNP)", Decimal("10000"))]


def test_xlsx_names_in_the_readers_language(ctx) -> None:
    book, _ = workbook("ky")
    streams = [row[1] for row in book.worksheets[2].iter_rows(min_row=2, values_only=True)]
    assert "Жергиликтүү маанидеги инфраструктураны өнүктүрүүгө чегерүүлөр" in streams
    entities = [row[1] for row in book.worksheets[3].iter_rows(min_row=2, values_only=True)]
    assert "Мамлекеттик салык кызматы" in entities


def test_an_empty_run_gives_a_valid_workbook(ctx) -> None:
    report = sample_report(lines=sample_lines().iloc[0:0])
    book = load_workbook(io.BytesIO(build_xlsx(report)))
    assert book["Lines"].max_row == 1
    assert list(book["By company"].iter_rows(min_row=2, values_only=True))[-1][0] == "Total"


def test_sheet_titles_are_valid() -> None:
    assert sheet_title("Суммы: [по компаниям]/итог?") == "Суммы   по компаниям  итог"
    assert len(sheet_title("x" * 40)) == 31 and sheet_title("***") == "Sheet"


# --- CSV ----------------------------------------------------------------------------------------

def test_csv_is_the_line_table_with_machine_names_and_plain_numbers() -> None:
    lines = sample_lines(huge=True)
    data = build_csv(sample_report("ky", huge=True))
    assert not data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
    assert list(rows[0]) == engine.LINE_COLUMNS
    assert len(rows) == len(lines)
    for row, line in zip(rows, lines.to_dict("records")):
        for column in engine.LINE_COLUMNS[:4] + ["status", "explanation"]:
            assert row[column] == line[column]
        for column in AMOUNT_COLUMNS:
            expected = minor_to_decimal(line[column])
            assert row[column] == ("" if expected is None else str(expected))
            assert re.fullmatch(r"(-?\d+\.\d\d)?", row[column])
        for column in PCT_COLUMNS:
            assert row[column] == engine.format_pct(None if line[column] is pd.NA else line[column])
    assert any(row["final_gap"] == "0.01" and row["company_final"] == str(from_minor(HUGE, "KGS")) for row in rows)
    # pandas reads it back exactly when told to keep text
    frame = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)
    assert list(frame["gap_pct"]) == [row["gap_pct"] for row in rows]
