"""Import of EITI data (SDT v2.0 workbook, Part CSVs, folders and zips of them) and the round trip."""
from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask_babel import refresh
from openpyxl import Workbook, load_workbook
from support import make_app
from publication_support import as_kyrgyz

from esg_portal.eiti.publication import sdt
from esg_portal.eiti.publication.sdt import (
    BLOCKED, NEEDS_REVIEW, OK, Finding, ImportResult, Limits, read_source, read_upload,
)
from esg_portal.eiti.publication.sdt.model import APPENDED_COLUMNS, GOVERNMENT_REVENUE_COLUMNS, Parts

DATA = Path(__file__).resolve().parents[2] / "data" / "eiti"
ARMENIA = DATA / "armenia_2019"
ARMENIA_PART4 = "sdt_v2_armenia_2019_part4_government_revenues.csv"
KGZ = ["Kyrgyz Republic", "KGZ", "2025", "2025-01-01", "2025-12-31"]


@pytest.fixture(scope="module")
def portal():
    return make_app("sqlite://")


@pytest.fixture(autouse=True)
def request_context(portal) -> Iterator[None]:
    with portal.test_request_context():
        yield


def sample_parts() -> Parts:
    return Parts.from_dict(json.loads((DATA / "sdt_sample_parts.json").read_text(encoding="utf-8")))


def csv_text(header: list[str], rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([header] + rows)
    return out.getvalue().encode("utf-8")


def part4(*rows: list[str], appended: list[str] = KGZ) -> bytes:
    """A Part 4 CSV: each row is GFS, stream, entity, value (Sector Mining, Currency KGS)."""
    return csv_text(list(GOVERNMENT_REVENUE_COLUMNS) + list(APPENDED_COLUMNS),
                    [[gfs, "Mining", stream, entity, value, "KGS"] + appended for gfs, stream, entity, value in rows])


def zip_of(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


def graded(result: ImportResult, grade: str) -> list[Finding]:
    return [f for f in result.findings if f.grade == grade]




# --- round trip -----------------------------------------------------------------------------------------
def test_workbook_round_trip_is_lossless_and_byte_identical():
    parts = sample_parts()
    data = sdt.write_sdt(parts)
    result = read_upload(data, "summary-data-2025.xlsx", year=2025)
    assert result.grade == OK and result.findings == []
    assert result.parts == parts
    assert sdt.write_sdt(result.parts) == data
    assert result.sources == [{"name": "summary-data-2025.xlsx", "sha256": hashlib.sha256(data).hexdigest(),
                               "bytes": len(data)}]


def test_csv_zip_round_trip_is_byte_identical():
    parts = sample_parts()
    files = sdt.part_csvs(parts)
    result = read_upload(zip_of(files), "eiti-2025.zip", year=2025)
    assert result.grade == OK, result.findings
    expected = parts.copy()
    expected.checklist = []  # Part 2 has no CSV
    assert result.parts == expected
    assert sdt.part_csvs(result.parts) == files
    assert [s["name"] for s in result.sources] == ["eiti-2025.zip"] + [f"eiti-2025.zip/{n}" for n in files]
    assert all(len(s["sha256"]) == 64 for s in result.sources)


def test_export_import_export_of_real_data_is_identical(tmp_path):
    folder = as_kyrgyz(ARMENIA, tmp_path / "kgz")
    parts = read_source(folder, year=2019).parts
    assert parts is not None
    workbook = sdt.write_sdt(parts)
    again = read_upload(workbook, "summary-data-2019.xlsx", year=2019)
    assert again.parts == parts and sdt.write_sdt(again.parts) == workbook
    files = sdt.part_csvs(parts)
    for name, data in files.items():
        (tmp_path / "out").mkdir(exist_ok=True)
        (tmp_path / "out" / name).write_bytes(data)
    assert sdt.part_csvs(read_source(tmp_path / "out", year=2019).parts) == files


# --- Armenia 2019, real EITI files --------------------------------------------------------------------------
def test_armenia_as_published_is_blocked_as_another_country():
    result = read_source(ARMENIA / ARMENIA_PART4, year=2019)
    assert result.grade == BLOCKED and result.parts is None
    finding = graded(result, BLOCKED)[0]
    assert (finding.sheet, finding.row, finding.column, finding.value) == (ARMENIA_PART4, 2, "ISO Code", "ARM")
    assert "Kyrgyz Republic" in finding.message
    assert result.sources[0]["name"] == ARMENIA_PART4 and result.sources[0]["bytes"] == 3760
    everything = read_source(ARMENIA, year=2019)
    assert everything.grade == BLOCKED and everything.parts is None
    assert {f.sheet for f in graded(everything, BLOCKED)} == {p.name for p in ARMENIA.glob("*.csv")}


def test_armenia_part_4_alone_imports_once_it_says_kgz(tmp_path):
    folder = as_kyrgyz(ARMENIA, tmp_path)
    result = read_source(folder / ARMENIA_PART4, year=2019)
    assert result.grade == NEEDS_REVIEW  # AMD, not KGS: reviewed, not blocked
    [currency] = graded(result, NEEDS_REVIEW)
    assert currency.value == "AMD" and "KGS" in currency.message
    parts = result.parts
    assert parts.currency == "AMD" and (parts.start_date, parts.end_date) == ("2019-01-01", "2019-12-31")
    assert len(parts.government_revenues) == 23
    assert parts.companies == parts.projects == parts.government_entities == parts.company_data == []
    first = parts.government_revenues[0]
    assert first == {"GFS Classification": "Compulsory transfers to government (infrastructure and other) (1415E4)",
                     "Sector": "Mining", "Revenue stream name": "Contribution payment to the Environmental protection "
                     "fund", "Government entity": "Ministry of Environment", "Revenue value": "307671700.60",
                     "Currency": "AMD"}
    assert [row["Revenue value"] for row in parts.government_revenues].count(None) == 3  # blank stays blank
    assert parts.about["Country or area name"] == "Kyrgyz Republic" and parts.about["ISO Alpha-3 Code"] == "KGZ"
    assert parts.about["Start Date"] == "2019-01-01" and parts.about["Name"] is None


def test_all_armenia_parts_import_from_a_folder_and_a_zip(tmp_path):
    folder = as_kyrgyz(ARMENIA, tmp_path / "kgz")
    from_folder = read_source(folder, year=2019)
    assert from_folder.grade == NEEDS_REVIEW and not graded(from_folder, BLOCKED)
    parts = from_folder.parts
    assert (len(parts.companies), len(parts.government_entities), len(parts.projects),
            len(parts.government_revenues), len(parts.company_data)) == (26, 3, 23, 23, 134)
    assert parts.about["Exchange rate used: 1 USD = "] == "479.7"
    assert parts.about["What is the name of the company?"] == "Grant Thornton CJSC"
    assert parts.about["Systematically disclosed"] == "46.43%"
    # the agencies' placeholder ID is dropped, and said so; "2019/01/01" dates are read as ISO
    assert {row["ID number (if applicable)"] for row in parts.government_entities} == {None}
    placeholders = [f for f in graded(from_folder, OK) if f.value == "<Use Legal Entity Identifier if available>"]
    assert len(placeholders) == 3 and placeholders[0].row == 2
    assert parts.government_entities[2] == {"Full name of agency": "Tax Revenue Authority",
                                            "Agency type": "Central goverment", "ID number (if applicable)": None,
                                            "Total reported": "84654217529.00"}
    assert parts.companies[1]["Full company name"] == "\u201cAT-Metals\u201d LLC"
    assert parts.companies[1]["Audited financial statement (or balance sheet, cash flows, profit/loss statement if "
                              "unavailable)"] == "Not available"
    assert parts.projects[12]["Commodities (one commodity/row)"] == "Zinc (2608)"
    assert parts.projects[13]["Production (volume)"] == "4.8"
    archive = tmp_path / "armenia.zip"
    archive.write_bytes(zip_of({f"declarations/{p.name}": p.read_bytes() for p in sorted(folder.iterdir())}))
    from_zip = read_source(archive, year=2019)
    assert from_zip.parts == parts
    assert read_source(folder, year=2019).parts == parts  # re-reading gives the same Parts


def test_mongolia_us_dates_are_normalised(tmp_path):
    source = (DATA / "sdt_v2_mongolia_2019_part4_government_revenues.csv").read_text(encoding="utf-8")
    path = tmp_path / "mongolia.csv"
    path.write_text(source.replace(",Mongolia,MNG,", ",Kyrgyz Republic,KGZ,"), encoding="utf-8")
    result = read_source(path, year=2019)
    assert result.parts is not None and (result.parts.start_date, result.parts.end_date) == ("2019-01-01",
                                                                                           "2019-12-31")
    assert result.parts.government_revenues[2]["Revenue value"] == "1466557207.74"
    assert read_source(DATA / "sdt_v2_mongolia_2019_part4_government_revenues.csv", year=2019).grade == BLOCKED


def test_a_file_of_many_countries_is_blocked():
    result = read_source(DATA / "sdt_v2_consolidated_part1_about.csv", year=2019)
    assert result.grade == BLOCKED and result.parts is None


# --- amounts --------------------------------------------------------------------------------------------------
def test_each_amount_form_is_read_exactly_with_its_sign():
    data = part4(["Royalties (1415E1)", "Royalty", "State Tax Service", "-500"],
                 ["Bonuses (1415E2)", "Bonus", "State Tax Service", "(500)"],
                 ["Licence fees (114521E)", "Licence fee", "State Tax Service", "1,234.50"],
                 ["Taxes on property (113E)", "Land tax", "State Tax Service", "1 234,50"],
                 ["Excise taxes (1142E)", "Excise", "State Tax Service", "1\u00a0234\u00a0567,5"],
                 ["Fines, penalties, and forfeits (143E)", "Fines", "State Tax Service", "(1,234.50)"])
    result = read_upload(data, "Part 4 - Government revenues.csv", year=2025)
    assert result.grade == OK, result.findings
    assert [row["Revenue value"] for row in result.parts.government_revenues] == [
        "-500.00", "-500.00", "1234.50", "1234.50", "1234567.50", "-1234.50"]


def test_numeric_workbook_cells_are_read_exactly():
    parts = sample_parts()
    book = load_workbook(io.BytesIO(sdt.write_sdt(parts)))
    ws = book["Part 4 - Government revenues"]
    ws["J22"] = 1234.5
    ws["J23"] = 1234.567  # more than 2 decimals: kept exactly, for review
    book["Part 1 - About"]["E40"] = 87.99854321
    out = io.BytesIO()
    book.save(out)
    result = read_upload(out.getvalue(), "edited.xlsx", year=2025)
    rows = result.parts.government_revenues
    assert rows[0]["Revenue value"] == "1234.50"
    assert rows[1]["Revenue value"] == "1234.567"
    assert result.parts.about["Exchange rate used: 1 USD = "] == "87.99854321"
    decimals = [f for f in graded(result, NEEDS_REVIEW) if f.column == "Revenue value" and f.row == 23]
    assert decimals and decimals[0].sheet == "Part 4 - Government revenues"


def test_the_exchange_rate_keeps_full_precision():
    parts = sample_parts()
    parts.about["Exchange rate used: 1 USD = "] = "87.99854321"
    files = sdt.part_csvs(parts)
    result = read_upload(files["Part 1 - About.csv"], "about.csv", year=2025)
    assert result.parts.about["Exchange rate used: 1 USD = "] == "87.99854321"
    result = read_upload(sdt.write_sdt(parts), "sdt.xlsx", year=2025)
    assert result.parts.about["Exchange rate used: 1 USD = "] == "87.99854321"


def test_more_than_two_decimals_and_text_are_kept_for_review():
    data = part4(["Royalties (1415E1)", "Royalty", "State Tax Service", "10.125"],
                 ["Bonuses (1415E2)", "Bonus", "State Tax Service", "about 5 million"],
                 ["Licence fees (114521E)", "Fee", "State Tax Service", "1.5E+5"])
    result = read_upload(data, "p4.csv", year=2025)
    assert result.grade == NEEDS_REVIEW and result.parts is not None
    assert [row["Revenue value"] for row in result.parts.government_revenues] == [
        "10.125", "about 5 million", "1.5E+5"]
    assert {(f.row, f.column) for f in graded(result, NEEDS_REVIEW)} == {
        (2, "Revenue value"), (3, "Revenue value"), (4, "Revenue value")}


def test_an_ambiguous_thousands_mark_is_shown_with_both_readings():
    result = read_upload(part4(["Royalties (1415E1)", "Royalty", "State Tax Service", "1,234"]), "p4.csv", year=2025)
    [finding] = graded(result, NEEDS_REVIEW)
    assert finding.value == "1,234" and "1234" in finding.message and "1.234" in finding.message
    # the file's other amounts prove "." is its decimal mark: nothing is ambiguous then
    proven = read_upload(part4(["Royalties (1415E1)", "Royalty", "State Tax Service", "1,234"],
                               ["Bonuses (1415E2)", "Bonus", "State Tax Service", "12.50"]), "p4.csv", year=2025)
    assert proven.grade == OK and proven.parts.government_revenues[0]["Revenue value"] == "1234.00"


# --- sentinels, placeholders, duplicates ---------------------------------------------------------------------
def test_sentinels_blank_and_zero_are_kept_apart():
    data = part4(["Royalties (1415E1)", "Royalty", "State Tax Service", "Not applicable"],
                 ["Bonuses (1415E2)", "Bonus", "State Tax Service", "not available"],
                 ["Licence fees (114521E)", "Fee", "State Tax Service", ""],
                 ["Taxes on property (113E)", "Land tax", "State Tax Service", "0"],
                 ["Excise taxes (1142E)", "Excise", "State Tax Service", "-0"])
    result = read_upload(data, "p4.csv", year=2025)
    assert result.grade == OK
    assert [row["Revenue value"] for row in result.parts.government_revenues] == [
        "Not applicable", "Not available", None, "0.00", "0.00"]


def test_placeholder_text_is_dropped():
    data = csv_text(["Full name of agency", "Agency type", "ID number (if applicable)", "Total reported"]
                    + list(APPENDED_COLUMNS),
                    [["State Tax Service", "Central goverment", "<Use Legal Entity Identifier if available>", ""] + KGZ])
    result = read_upload(data, "agencies.csv", year=2025)
    assert result.grade == OK
    assert result.parts.government_entities[0]["ID number (if applicable)"] is None
    [note] = result.findings
    assert (note.grade, note.row, note.column) == (OK, 2, "ID number (if applicable)")


def test_a_duplicate_row_is_refused_not_appended():
    row = ["Royalties (1415E1)", "Royalty", "State Tax Service", "100.00"]
    result = read_upload(part4(row, ["Bonuses (1415E2)", "Bonus", "State Tax Service", "5"], row), "p4.csv",
                         year=2025)
    assert result.grade == BLOCKED and result.parts is None
    [duplicate] = graded(result, BLOCKED)
    assert duplicate.row == 4 and duplicate.sheet == "p4.csv" and "2" in duplicate.message


def test_a_part_given_twice_is_refused():
    files = {"a.csv": part4(["Royalties (1415E1)", "Royalty", "State Tax Service", "1"]),
             "b.csv": part4(["Bonuses (1415E2)", "Bonus", "State Tax Service", "2"])}
    assert read_upload(zip_of(files), "two.zip", year=2025).grade == BLOCKED


def test_a_row_without_its_name_is_refused():
    data = csv_text(["Full name of agency", "Agency type", "ID number (if applicable)", "Total reported"],
                    [["", "Central goverment", "1", "5"]])
    result = read_upload(data, "agencies.csv", year=2025)
    assert result.grade == BLOCKED and graded(result, BLOCKED)[0].column == "Full name of agency"


# --- country, period ----------------------------------------------------------------------------------------------
def test_another_country_is_blocked_and_nothing_is_stored():
    data = part4(["Royalties (1415E1)", "Royalty", "State Tax Service", "1"],
                 appended=["Kazakhstan", "KAZ", "2025", "2025-01-01", "2025-12-31"])
    result = read_upload(data, "p4.csv", year=2025)
    assert result.grade == BLOCKED and result.parts is None
    assert {f.value for f in graded(result, BLOCKED)} >= {"KAZ", "Kazakhstan"}


def test_another_year_is_blocked():
    for appended in (["Kyrgyz Republic", "KGZ", "2024", "2024-01-01", "2024-12-31"],
                     ["Kyrgyz Republic", "KGZ", "2025", "2024-01-01", "2024-12-31"]):
        result = read_upload(part4(["Royalties (1415E1)", "Royalty", "State Tax Service", "1"], appended=appended),
                             "p4.csv", year=2025)
        assert result.grade == BLOCKED and result.parts is None
    workbook = sdt.write_sdt(sample_parts())
    assert read_upload(workbook, "sdt.xlsx", year=2024).grade == BLOCKED


def test_date_forms_are_normalised_to_iso():
    for start, end in (("2025/01/01", "2025/12/31"), ("1/1/2025", "12/31/2025"), ("01.01.2025", "31.12.2025")):
        result = read_upload(part4(["Royalties (1415E1)", "Royalty", "State Tax Service", "1"],
                                   appended=["Kyrgyz Republic", "KGZ", "2025", start, end]), "p4.csv", year=2025)
        assert result.grade == OK, result.findings
        assert (result.parts.start_date, result.parts.end_date) == ("2025-01-01", "2025-12-31")


def test_files_of_two_periods_are_blocked():
    files = {"a.csv": part4(["Royalties (1415E1)", "Royalty", "State Tax Service", "1"]),
             "b.csv": csv_text(["Full name of agency", "Agency type", "ID number (if applicable)", "Total reported"]
                               + list(APPENDED_COLUMNS),
                               [["State Tax Service", "Central goverment", "", ""]
                                + ["Kyrgyz Republic", "KGZ", "2025", "2024-07-01", "2025-06-30"]])}
    assert read_upload(zip_of(files), "x.zip", year=2025).grade == BLOCKED


# --- workbook checks ---------------------------------------------------------------------------------------------------
def test_a_wrong_total_below_part_4_needs_review():
    book = load_workbook(io.BytesIO(sdt.write_sdt(sample_parts())))
    book["Part 4 - Government revenues"]["J29"] = 1.0
    out = io.BytesIO()
    book.save(out)
    result = read_upload(out.getvalue(), "edited.xlsx", year=2025)
    totals = [f for f in graded(result, NEEDS_REVIEW) if f.column == "Total in KGS"]
    assert totals and totals[0].row == 29 and "1234067.89" in totals[0].message
    # openpyxl saved the other formulas without results: their values are unknown, and said so
    assert any(f.row == 7 and f.column == "Total reported" for f in graded(result, NEEDS_REVIEW))


def test_part_5_sector_is_taken_from_part_3():
    book = load_workbook(io.BytesIO(sdt.write_sdt(sample_parts())))
    ws = book["Part 5 - Company data"]
    for row in range(15, 19):
        ws.cell(row, 4).value = "Private"  # what the template's VLOOKUP puts there
    out = io.BytesIO()
    book.save(out)
    result = read_upload(out.getvalue(), "edited.xlsx", year=2025)
    assert result.parts.company_data == sample_parts().company_data
    assert any(f.grade == OK and f.column == "Sector" for f in result.findings)


def test_an_identifier_typed_as_a_number_needs_review():
    book = load_workbook(io.BytesIO(sdt.write_sdt(sample_parts())))
    book["Part 3 - Reporting entities"]["D14"] = 1234567890123
    out = io.BytesIO()
    book.save(out)
    result = read_upload(out.getvalue(), "edited.xlsx", year=2025)
    assert result.parts.companies[0]["Company ID number"] == "1234567890123"
    assert any(f.column == "Company ID number" and f.row == 14 for f in graded(result, NEEDS_REVIEW))


def test_a_workbook_without_the_sdt_sheets_is_blocked():
    book = Workbook()
    book.active["A1"] = "hello"
    out = io.BytesIO()
    book.save(out)
    result = read_upload(out.getvalue(), "other.xlsx", year=2025)
    assert result.grade == BLOCKED and result.parts is None


# --- files that are not Parts ---------------------------------------------------------------------------------------------
def test_a_csv_is_recognised_by_its_header_not_its_name():
    data = part4(["Royalties (1415E1)", "Royalty", "State Tax Service", "1"])
    assert read_upload(data, "Part 1 - About.csv", year=2025).parts.government_revenues[0]["Revenue value"] == "1.00"
    alone = read_upload(b"a,b\n1,2\n", "Part 4 - Government revenues.csv", year=2025)
    assert alone.grade == BLOCKED
    beside = read_upload(zip_of({"p4.csv": data, "notes.csv": b"a,b\n1,2\n", "README.md": b"x"}), "x.zip", year=2025)
    assert beside.grade == OK and len(beside.parts.government_revenues) == 1
    assert {f.sheet for f in beside.findings} == {"notes.csv", "README.md"}
    partial = csv_text(list(GOVERNMENT_REVENUE_COLUMNS[:-1]), [["Royalties (1415E1)", "Mining", "R", "STS", "1"]])
    result = read_upload(partial, "p4.csv", year=2025)
    assert result.grade == BLOCKED and "Currency" in result.findings[0].message


def test_our_own_neutralised_text_is_restored():
    parts = sample_parts()
    files = sdt.part_csvs(parts)
    result = read_upload(files["Part 3 - Reporting companies' list.csv"], "companies.csv", year=2025)
    names = [row["Full company name"] for row in result.parts.companies]
    assert names == ["Kumtor Gold Company CJSC", '=HYPERLINK("http://x","y")', "+cmd", "@SUM(A1)"]


# --- bounds ----------------------------------------------------------------------------------------------------------------------
def test_a_zip_member_outside_the_archive_is_refused():
    for name in ("../evil.csv", "/etc/evil.csv", "a/../../evil.csv", "C:/evil.csv", "a\\..\\evil.csv"):
        result = read_upload(zip_of({name: b"x"}), "x.zip", year=2025)
        assert result.grade == BLOCKED and result.parts is None, name


def test_too_many_members_are_refused_before_reading():
    files = {f"part{n}.csv": b"a,b\n" for n in range(51)}
    started = time.monotonic()
    result = read_upload(zip_of(files), "many.zip", year=2025)
    assert result.grade == BLOCKED and "51" in result.findings[0].message
    assert time.monotonic() - started < 2


def test_oversized_input_is_refused_quickly(tmp_path):
    started = time.monotonic()
    big = b"a" * (50 * 1024 * 1024 + 1)
    result = read_upload(big, "big.csv", year=2025)
    assert result.grade == BLOCKED and "50 MB" in result.findings[0].message
    path = tmp_path / "big.csv"
    with path.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024 + 1)
    assert read_source(path, year=2025).grade == BLOCKED
    bomb = zip_of({"p4.csv": b"0" * 5_000_000})
    result = read_upload(bomb, "bomb.zip", year=2025, limits=Limits(max_unpacked_bytes=1_000_000))
    assert result.grade == BLOCKED
    assert time.monotonic() - started < 5


def test_rows_and_columns_are_bounded():
    rows = [["Royalties (1415E1)", f"Stream {n}", "State Tax Service", "1"] for n in range(11)]
    result = read_upload(part4(*rows), "p4.csv", year=2025, limits=Limits(max_rows=10))
    assert result.grade == BLOCKED
    wide = csv_text([f"c{n}" for n in range(201)], [["1"] * 201])
    assert read_upload(wide, "wide.csv", year=2025).grade == BLOCKED


def test_a_folder_in_eiti_bulk_layout(tmp_path):
    folder = as_kyrgyz(ARMENIA, tmp_path / "src")
    bulk = tmp_path / "bulk"
    for number, path in enumerate(sorted(folder.iterdir())):
        (bulk / f"part{number}").mkdir(parents=True)
        shutil.copy(path, bulk / f"part{number}" / path.name)
    (bulk / ".DS_Store").write_bytes(b"\x00\x01")
    result = read_source(bulk, year=2019)
    assert result.parts == read_source(folder, year=2019).parts
    assert len(result.sources) == 6


# --- language, odd files --------------------------------------------------------------------------------------------------
def test_messages_and_the_ambiguous_mark_follow_the_user_language(portal):
    data = part4(["Royalties (1415E1)", "Royalty", "State Tax Service", "1,234"],
                 ["Bonuses (1415E2)", "Bonus", "State Tax Service", "abc"])
    with portal.test_request_context("/?lang=ru"):
        refresh()  # flask-babel keeps the locale of the surrounding context otherwise
        result = read_upload(data, "p4.csv", year=2025)
    values = [row["Revenue value"] for row in result.parts.government_revenues]
    assert values == ["1.234", "abc"]  # in ru the comma is the decimal mark; never rounded, never dropped
    not_a_number = next(f for f in result.findings if f.value == "abc")
    assert "не является числом" in not_a_number.message
    with portal.test_request_context("/?lang=en"):
        refresh()
        assert read_upload(data, "p4.csv", year=2025).parts.government_revenues[0]["Revenue value"] == "1234.00"


def test_text_that_starts_with_an_apostrophe_survives_the_csv_round_trip():
    parts = sample_parts()
    parts.companies[0]["Full company name"] = "'+cmd"
    parts.company_data[0]["Company"] = "'+cmd"
    parts.companies[0]["Company type"] = "'ordinary"
    files = sdt.part_csvs(parts)
    result = read_upload(zip_of(files), "x.zip", year=2025)
    assert result.parts.companies[0]["Full company name"] == "'+cmd"
    assert result.parts.companies[0]["Company type"] == "'ordinary"
    assert sdt.part_csvs(result.parts) == files


def test_excel_sep_line_and_semicolons_are_read():
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\r\n").writerows([
        list(GOVERNMENT_REVENUE_COLUMNS) + list(APPENDED_COLUMNS),
        ["Royalties (1415E1)", "Mining", "Royalty", "State Tax Service", "1 234,50", "KGS"] + KGZ])
    result = read_upload(("sep=;\r\n" + out.getvalue()).encode("cp1251"), "p4.csv", year=2025)
    assert result.grade == OK and result.parts.government_revenues[0]["Revenue value"] == "1234.50"


def test_a_damaged_zip_member_is_refused():
    data = bytearray(zip_of({"p4.csv": part4(["Royalties (1415E1)", "Royalty", "State Tax Service", "1"]) * 20}))
    data[60:70] = b"\x00" * 10  # inside the compressed data: the CRC check fails
    result = read_upload(bytes(data), "x.zip", year=2025)
    assert result.grade == BLOCKED and result.parts is None
    assert read_upload(b"PK\x03\x04 not really", "y.xlsx", year=2025).grade == BLOCKED
