"""The reconciliation engine on hand-made frames: every status and its precedence, margins, projects, USD, adjustments."""
from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from esg_portal import money
from esg_portal.eiti import reconciliation as engine
from esg_portal.eiti.reconciliation import Scope

A, B, C = "01234567890123", "12345678901234", "20000000000017"


def side(*rows) -> pd.DataFrame:
    """A payments or receipts frame from (inn, stream, entity, project, amount_minor[, currency]) tuples."""
    records = [row if len(row) == 6 else (*row, "KGS") for row in rows]
    frame = pd.DataFrame(records, columns=engine.KEY + ["amount_minor", "currency"])
    frame["amount_minor"] = frame["amount_minor"].astype("int64")
    return frame


def margins(*rows) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["revenue_stream", "margin_bp", "floor_minor"])
    return frame.astype({"margin_bp": "int64", "floor_minor": "int64"})


def adjustments(*rows) -> pd.DataFrame:
    """Adjustments from (inn, stream, entity, project, side, amount_minor, reason) tuples."""
    frame = pd.DataFrame(rows, columns=engine.KEY + ["side", "amount_minor", "reason"])
    frame["amount_minor"] = frame["amount_minor"].astype("int64")
    frame["comment"] = "checked with the treasury"
    return frame


def one_line(company: int | None, government: int | None, margin=(0, 0), **kwargs) -> dict:
    """The single line of a company and a government amount (None = that side reported nothing)."""
    payments = side(*([(A, "ROYALTY", "STS", "", company)] if company is not None else []))
    receipts = side(*([(A, "ROYALTY", "STS", "", government)] if government is not None else []))
    lines = engine.reconcile(payments, receipts, margins(("ROYALTY", *margin)), **kwargs)
    assert len(lines) == 1
    return lines.iloc[0].to_dict()


# --- the margin test ---

@pytest.mark.parametrize(("company", "government", "margin", "status"), [
    (100_000_00, 100_000_00, (0, 0), "reconciled"),                 # no gap, no margin
    (100_000_00, 100_000_01, (0, 0), "discrepancy"),                # any gap without a margin
    (90_000_00, 100_000_00, (100, 10_000_00), "reconciled"),        # gap exactly at the floor
    (89_999_99, 100_000_00, (100, 10_000_00), "discrepancy"),       # one tyiyn above the floor (pct is 1,000.00)
    (99_000_00, 100_000_00, (100, 0), "reconciled"),                # gap exactly at 1 % of government
    (98_999_99, 100_000_00, (100, 0), "discrepancy"),               # one tyiyn above the percentage
    (98_999_99, 100_000_00, (100, 1_000_00), "discrepancy"),        # just above both
    (98_000_00, 100_000_00, (100, 2_000_00), "reconciled"),         # floor larger than pct: floor decides
    (95_000_00, 100_000_00, (500, 1_000_00), "reconciled"),         # pct larger than floor: pct decides
    (94_999_99, 100_000_00, (500, 1_000_00), "discrepancy"),
    (100_000_00, 99_500_00, (50, 0), "discrepancy"),                # −500.00 > 0.5 % of the government's 99,500
    (100_500_00, 100_000_00, (50, 0), "reconciled"),                # −500.00: exactly 0.5 % of 100,000
    (100_500_01, 100_000_00, (50, 0), "discrepancy"),
    (1_00, 0, (100, 0), "discrepancy"),                              # government 0: the percentage allows nothing
    (1_00, 0, (100, 1_00), "reconciled"),                            # … but the floor does
    (0, 0, (0, 0), "reconciled"),                                    # both zero
    (-50_000_00, -50_000_00, (0, 0), "reconciled"),                  # refunds on both sides
    (-50_000_00, -50_500_00, (100, 0), "reconciled"),                # |gap| 500 ≤ 1 % of |-50,500|
    (-50_000_00, -50_600_00, (100, 0), "discrepancy"),
    (10_000_00, -10_000_00, (100, 25_000_00), "reconciled"),         # a refund against a payment, within the floor
])
def test_margin_edges(company, government, margin, status):
    line = one_line(company, government, margin)
    assert line["status"] == status
    assert line["final_gap"] == government - company
    assert line["initial_gap"] == government - company


@pytest.mark.parametrize(("company", "government", "text"), [
    (100_000_00, 100_900_00, "0.89"),     # 900 ÷ 100,900 = 0.8919…
    (50_000_00, 51_100_00, "2.15"),       # 1,100 ÷ 51,100 = 2.1526…
    (3_999_00, 4_000_00, "0.02"),         # 0.025 exactly: half-even keeps the even 0.02
    (19_993_00, 20_000_00, "0.04"),       # 0.035 exactly: half-even goes to the even 0.04
    (4_001_00, 4_000_00, "-0.02"),        # −0.025 → −0.02
    (20_007_00, 20_000_00, "-0.04"),
    (100_000_00, 100_000_01, "0.00"),     # 0.00000999… rounds to zero, without a sign
    (99_999_99, 100_000_00, "0.00"),
    (12_000_00, 0, "-100.00"),            # government 0: divided by the company amount
    (0, 5_00, "100.00"),
    (0, 0, "0.00"),                       # both 0
    (-1_000_00, -1_030_00, "2.91"),       # −30 ÷ −1,030: refunds keep the sign rule
    (1_00, 100_000_000_00, "100.00"),     # 99.999999 %
    (100_000_000_00, 1_00, "-9999999900.00"),
])
def test_gap_pct_half_even(company, government, text):
    assert engine.format_pct(one_line(company, government)["gap_pct"]) == text


def test_margin_compared_exactly_for_huge_amounts():
    """Beyond the int64 fast path (|gap|·10⁴ > 2⁶³) the exact Python-int path decides the same way."""
    government = 10**17  # 10^15 som: |gap|·10⁴ and |government|·bp leave int64
    line = one_line(government - government // 100, government, (100, 0))
    assert line["status"] == "reconciled" and engine.format_pct(line["gap_pct"]) == "1.00"
    line = one_line(government - government // 100 - 1, government, (100, 0))
    assert line["status"] == "discrepancy"


def test_a_percentage_beyond_int64_stays_exact():
    """0.01 som booked by the government against 10 trillion som paid: the percentage leaves int64."""
    payments = side((A, "CIT", "STS", "", 10**15), (B, "CIT", "STS", "", 5))
    receipts = side((A, "CIT", "STS", "", 1), (B, "CIT", "STS", "", 4))
    lines = engine.reconcile(payments, receipts)
    assert lines["gap_pct"].tolist() == [(1 - 10**15) * 10_000, -2500]
    assert engine.format_pcts(lines["gap_pct"]).tolist() == ["-99999999999999900.00", "-25.00"]
    assert lines["status"].tolist() == ["discrepancy", "discrepancy"]


def test_amounts_too_large_for_exact_sums_are_refused():
    with pytest.raises(engine.ReconciliationInputError, match="too large"):
        engine.reconcile(side((A, "CIT", "STS", "", 3 * 10**18), (A, "CIT", "STS", "", 3 * 10**18)), side())


# --- statuses and precedence ---

def test_one_sided_lines_leave_the_missing_side_empty():
    company_only = one_line(5_00, None)
    assert company_only["status"] == "company_only"
    assert company_only["company_final"] == 5_00
    for column in ("government_initial", "government_final", "initial_gap", "final_gap", "gap_pct",
                   "pct_of_government_total"):
        assert pd.isna(company_only[column]), column
    government_only = one_line(None, 7_00)
    assert government_only["status"] == "government_only"
    assert pd.isna(government_only["company_final"]) and pd.isna(government_only["final_gap"])
    assert government_only["government_final"] == 7_00


def test_a_one_sided_line_is_one_sided_even_with_a_zero_amount():
    assert one_line(0, None)["status"] == "company_only"


def test_in_scope_company_that_filed_nothing_is_not_reported():
    payments = side((A, "CIT", "STS", "", 100_00))
    receipts = side((A, "CIT", "STS", "", 100_00), (B, "CIT", "STS", "", 250_00), (B, "VAT", "STS", "", 50_00),
                    (C, "CIT", "STS", "", 999_00))
    scope = Scope.of(in_scope=[A, B, "00000000000042"])
    lines = engine.reconcile(payments, receipts, scope=scope)
    assert dict(zip(lines["company_inn"] + "/" + lines["revenue_stream"], lines["status"])) == {
        f"{A}/CIT": "reconciled", f"{B}/CIT": "not_reported", f"{B}/VAT": "not_reported",
        f"{C}/CIT": "government_only"}  # C is out of scope: an ordinary one-sided line
    listing = engine.non_reporting(lines, scope)
    assert listing.to_dict("records") == [
        {"company_inn": "00000000000042", "status": "not_reported", "reason": "", "government_amount": 0, "lines": 0},
        {"company_inn": B, "status": "not_reported", "reason": "", "government_amount": 300_00, "lines": 2}]


def test_reported_companies_can_be_given_explicitly():
    """A company whose filing had no payment lines filed nonetheless: its receipts stay government_only."""
    receipts = side((B, "CIT", "STS", "", 250_00))
    scope = Scope.of(in_scope=[B], reported=[B])
    lines = engine.reconcile(side(), receipts, scope=scope)
    assert list(lines["status"]) == ["government_only"]
    assert engine.non_reporting(lines, scope).empty


def test_not_participating_and_not_applicable():
    payments = side((A, "CIT", "STS", "", 100_00), (A, "VAT", "STS", "", 10_00), (B, "CIT", "STS", "", 5_00),
                    (C, "DIVIDENDS_STATE", "SPMF", "", 1_00), (C, "CIT", "STS", "", 1_00))
    receipts = side((A, "CIT", "STS", "", 100_00), (A, "VAT", "STS", "", 99_00), (B, "CIT", "STS", "", 9_00),
                    (C, "DIVIDENDS_STATE", "SPMF", "", 2_00), (C, "CIT", "STS", "", 3_00))
    scope = Scope.of(not_participating={B: "refused to sign the attestation"},
                     not_applicable=[(A, "VAT"), ("", "DIVIDENDS_STATE")])
    lines = engine.reconcile(payments, receipts, scope=scope)
    assert list(lines["status"]) == ["reconciled", "not_applicable", "not_participating", "discrepancy",
                                     "not_applicable"]
    # the figures are still shown; only the status changes
    assert lines["final_gap"].tolist() == [0, 89_00, 4_00, 2_00, 1_00]
    listing = engine.non_reporting(lines, scope)
    assert listing.to_dict("records") == [{"company_inn": B, "status": "not_participating",
                                           "reason": "refused to sign the attestation",
                                           "government_amount": 9_00, "lines": 1}]


def test_precedence_not_applicable_over_not_participating_over_not_reported_over_one_sided():
    receipts = side((A, "CIT", "STS", "", 1_00), (A, "VAT", "STS", "", 1_00), (A, "FINES", "STS", "", 1_00),
                    (B, "CIT", "STS", "", 1_00))
    payments = side((C, "CIT", "STS", "", 1_00))
    everything = Scope.of(in_scope=[A, B, C], not_participating={A: "dissolved"}, not_applicable=[(A, "VAT")])
    lines = engine.reconcile(payments, receipts, scope=everything).set_index(["company_inn", "revenue_stream"])
    assert lines.loc[(A, "VAT"), "status"] == "not_applicable"        # over not_participating
    assert lines.loc[(A, "CIT"), "status"] == "not_participating"     # over not_reported
    assert lines.loc[(A, "FINES"), "status"] == "not_participating"
    assert lines.loc[(B, "CIT"), "status"] == "not_reported"          # over government_only
    assert lines.loc[(C, "CIT"), "status"] == "company_only"          # in scope and filed: one-sided
    # the order of the statuses is their precedence
    assert engine.STATUSES.index("not_applicable") > engine.STATUSES.index("not_participating") \
        > engine.STATUSES.index("not_reported") > engine.STATUSES.index("government_only")


# --- keys, projects and order ---

def test_rows_with_the_same_key_are_summed_and_output_is_sorted():
    payments = side((B, "VAT", "STS", "", 1_00), (A, "VAT", "STS", "", 2_00), (A, "CIT", "STS", "", 3_00),
                    (A, "VAT", "STS", "", 4_00), (A, "CIT", "SCS", "", 5_00))
    receipts = side((A, "VAT", "STS", "", 6_00))
    lines = engine.reconcile(payments, receipts)
    assert lines[["company_inn", "revenue_stream", "government_entity"]].values.tolist() == [
        [A, "CIT", "SCS"], [A, "CIT", "STS"], [A, "VAT", "STS"], [B, "VAT", "STS"]]
    assert lines["company_initial"].tolist() == [5_00, 3_00, 6_00, 1_00]
    assert lines.columns.tolist() == engine.LINE_COLUMNS


def test_keys_sort_by_code_point_including_cyrillic():
    payments = side((A, "ROYALTY", "STS", "Я-1", 1), (A, "ROYALTY", "STS", "Б-2", 1), (A, "ROYALTY", "STS", "Z-3", 1))
    receipts = side((A, "ROYALTY", "STS", "Я-1", 1), (A, "ROYALTY", "STS", "Б-2", 1), (A, "ROYALTY", "STS", "Z-3", 1))
    assert engine.reconcile(payments, receipts)["project"].tolist() == ["Z-3", "Б-2", "Я-1"]


def test_project_is_part_of_the_key_where_both_sides_report_by_project():
    payments = side((A, "ROYALTY", "STS", "LIC-1", 100_00), (A, "ROYALTY", "STS", "LIC-2", 50_00))
    receipts = side((A, "ROYALTY", "STS", "LIC-1", 100_00), (A, "ROYALTY", "STS", "LIC-2", 40_00),
                    (A, "ROYALTY", "STS", "LIC-3", 7_00))
    lines = engine.reconcile(payments, receipts)
    assert lines[["project", "status"]].values.tolist() == [
        ["LIC-1", "reconciled"], ["LIC-2", "discrepancy"], ["LIC-3", "government_only"]]


@pytest.mark.parametrize("receipts_rows", [
    [("", 150_00)],                              # the government books at company level
    [("LIC-1", 100_00), ("", 50_00)],            # partly: one row without a project is enough
])
def test_project_fallback_sums_both_sides_to_company_level(receipts_rows):
    payments = side((A, "ROYALTY", "STS", "LIC-1", 100_00), (A, "ROYALTY", "STS", "LIC-2", 50_00),
                    (A, "CIT", "STS", "LIC-9", 1_00))
    receipts = side(*[(A, "ROYALTY", "STS", project, amount) for project, amount in receipts_rows],
                    (A, "CIT", "STS", "LIC-9", 1_00))
    lines = engine.reconcile(payments, receipts)
    assert lines[["revenue_stream", "project", "company_final", "government_final", "status"]].values.tolist() == [
        ["CIT", "LIC-9", 1_00, 1_00, "reconciled"],           # another group keeps its projects
        ["ROYALTY", "", 150_00, 150_00, "reconciled"]]


def test_a_group_reported_by_one_side_only_is_at_company_level():
    payments = side((A, "ROYALTY", "STS", "LIC-1", 100_00), (A, "ROYALTY", "STS", "LIC-2", 50_00))
    lines = engine.reconcile(payments, side())
    assert lines[["project", "company_final", "status"]].values.tolist() == [["", 150_00, "company_only"]]


def test_missing_project_column_and_missing_values_mean_no_project():
    payments = side((A, "CIT", "STS", None, 1_00)).drop(columns=["project"])
    receipts = side((A, "CIT", "STS", None, 1_00))
    lines = engine.reconcile(payments, receipts)
    assert lines["project"].tolist() == [""] and lines["status"].tolist() == ["reconciled"]


# --- currency ---

@pytest.mark.parametrize(("usd_minor", "rate", "kgs_minor"), [
    (100, 895_000, 8950),        # 1.00 USD at 89.5 = 89.50 KGS
    (1, 895_000, 90),            # 0.895 som = 89.5 tyiyn: a tie, half-even to 90
    (1, 885_000, 88),            # 88.5 tyiyn: a tie, half-even to 88
    (-1, 885_000, -88),
    (3, 875_050, 263),           # 262.515 tyiyn → 263
    (12_345_678_90, 874_321, 1_079_408_632_15),   # 12,345,678.90 × 87.4321 = 1,079,408,632.1508…
])
def test_usd_rows_are_converted_half_even_to_the_tyiyn(usd_minor, rate, kgs_minor):
    assert money.usd_minor_to_kgs_minor(usd_minor, rate) == kgs_minor
    payments = side((A, "CIT", "STS", "", usd_minor, "USD"))
    receipts = side((A, "CIT", "STS", "", kgs_minor, "KGS"))
    line = engine.reconcile(payments, receipts, usd_rate=rate).iloc[0]
    assert line["company_final"] == kgs_minor and line["status"] == "reconciled"
    converted = engine.convert_currency(payments, "KGS", rate)
    assert converted[["amount_minor", "currency", "original_amount_minor", "original_currency"]].values.tolist() == [
        [kgs_minor, "KGS", usd_minor, "USD"]]


def test_usd_conversion_matches_money_beyond_the_fast_path():
    big = [10**15 + 1, -(10**15) - 3, 7]
    converted = engine.convert_currency(side(*[(A, "CIT", "STS", "", amount, "USD") for amount in big]), "KGS",
                                        876_543)
    assert converted["amount_minor"].tolist() == [money.usd_minor_to_kgs_minor(a, 876_543) for a in big]


def test_currency_errors():
    usd = side((A, "CIT", "STS", "", 1_00, "USD"))
    with pytest.raises(engine.ReconciliationInputError, match="USD rate"):
        engine.reconcile(usd, side())
    with pytest.raises(engine.ReconciliationInputError, match="cannot convert"):
        engine.reconcile(side((A, "CIT", "STS", "", 1_00, "KGS")), side(), currency="USD")
    with pytest.raises(ValueError):
        engine.reconcile(side((A, "CIT", "STS", "", 1_00, "EUR")), side(), usd_rate=890_000)


# --- adjustments ---

def test_adjustments_on_both_sides_make_the_final_figures():
    payments = side((A, "ROYALTY", "STS", "", 1_000_00), (A, "CIT", "STS", "", 500_00))
    receipts = side((A, "ROYALTY", "STS", "", 1_300_00), (A, "CIT", "STS", "", 500_00))
    accepted = adjustments(
        (A, "ROYALTY", "STS", "", "company", 200_00, "timing"),        # paid in January, booked in December
        (A, "ROYALTY", "STS", "", "government", -100_00, "classification"),
        (A, "ROYALTY", "STS", "", "government", 1_00, "classification"),
        (A, "CIT", "STS", "", "company", 10_00, "entry_error"))
    lines = engine.reconcile(payments, receipts, adjustments=accepted).set_index("revenue_stream")
    royalty, cit = lines.loc["ROYALTY"], lines.loc["CIT"]
    assert (royalty["company_initial"], royalty["government_initial"], royalty["initial_gap"]) == (1_000_00, 1_300_00, 300_00)
    assert (royalty["company_adjustment"], royalty["government_adjustment"]) == (200_00, -99_00)
    assert (royalty["company_final"], royalty["government_final"], royalty["final_gap"]) == (1_200_00, 1_201_00, 1_00)
    assert royalty["status"] == "discrepancy"                            # the final 1.00 is still reported
    assert royalty["explanation"] == "classification,timing"
    assert cit["company_adjustment"] == 10_00 and pd.isna(cit["government_adjustment"])
    assert cit["initial_gap"] == 0 and cit["final_gap"] == -10_00 and cit["status"] == "discrepancy"
    # with a margin covering the final gap the royalty line reconciles on its final figures
    lines = engine.reconcile(payments, receipts, margins(("ROYALTY", 0, 1_00)), adjustments=accepted)
    assert lines.set_index("revenue_stream").loc["ROYALTY", "status"] == "reconciled"


def test_an_omission_adjustment_makes_a_one_sided_line_two_sided():
    receipts = side((A, "FINES", "STS", "", 40_00))
    accepted = adjustments((A, "FINES", "STS", "", "company", 40_00, "omission"))
    line = engine.reconcile(side(), receipts, adjustments=accepted).iloc[0]
    assert pd.isna(line["company_initial"]) and line["company_final"] == 40_00
    assert pd.isna(line["initial_gap"]) and line["final_gap"] == 0 and line["status"] == "reconciled"


def test_adjustments_follow_the_project_fallback():
    payments = side((A, "ROYALTY", "STS", "LIC-1", 100_00))
    receipts = side((A, "ROYALTY", "STS", "", 90_00))
    accepted = adjustments((A, "ROYALTY", "STS", "LIC-1", "government", 10_00, "other"))
    lines = engine.reconcile(payments, receipts, adjustments=accepted)
    assert lines[["project", "government_final", "status"]].values.tolist() == [["", 100_00, "reconciled"]]


@pytest.mark.parametrize(("column", "value", "message"), [
    ("side", "agency", "side must be company or government"),
    ("reason", "typo", "unknown reason"),
])
def test_adjustment_errors(column, value, message):
    accepted = adjustments((A, "CIT", "STS", "", "company", 1_00, "timing"))
    accepted[column] = value
    with pytest.raises(engine.ReconciliationInputError, match=message):
        engine.reconcile(side(), side(), adjustments=accepted)


# --- input errors ---

def test_input_errors():
    with pytest.raises(engine.ReconciliationInputError, match="missing column"):
        engine.reconcile(side().drop(columns=["government_entity"]), side())
    floats = side((A, "CIT", "STS", "", 1_00))
    floats["amount_minor"] = floats["amount_minor"].astype("float64")
    with pytest.raises(engine.ReconciliationInputError, match="integers"):
        engine.reconcile(floats, side())
    with pytest.raises(engine.ReconciliationInputError, match=r"receipts: company_inn is empty \(row 2\)"):
        engine.reconcile(side((A, "CIT", "STS", "", 1)), side((A, "CIT", "STS", "", 1), ("", "CIT", "STS", "", 1)))
    with pytest.raises(engine.ReconciliationInputError, match="revenue_stream is empty"):
        engine.reconcile(side((A, None, "STS", "", 1)), side())
    numbers = side((A, "CIT", "STS", "", 1))
    numbers["company_inn"] = [1234567890123]  # an INN read as a number has lost its leading zero
    with pytest.raises(engine.ReconciliationInputError, match="company_inn must be text"):
        engine.reconcile(numbers, side())
    with pytest.raises(engine.ReconciliationInputError, match="appears twice"):
        engine.reconcile(side(), side(), margins(("CIT", 1, 1), ("CIT", 2, 2)))
    with pytest.raises(engine.ReconciliationInputError, match="negative"):
        engine.reconcile(side(), side(), margins(("CIT", -1, 0)))


def test_empty_inputs_give_an_empty_table():
    lines = engine.reconcile(side(), side())
    assert lines.empty and lines.columns.tolist() == engine.LINE_COLUMNS
    assert engine.totals(lines)["coverage_bp"] is None
    assert engine.summary_by_stream(lines).empty


# --- summaries, coverage and formatting ---

def test_summaries_totals_and_coverage():
    payments = side((A, "CIT", "STS", "", 100_00), (A, "VAT", "STS", "", 50_00), (B, "CIT", "STS", "", 30_00),
                    (B, "FINES", "STS", "", 1_00))
    receipts = side((A, "CIT", "STS", "", 100_00), (A, "VAT", "SCS", "", 60_00), (B, "CIT", "STS", "", 33_00),
                    (C, "CIT", "STS", "", 7_00))
    lines = engine.reconcile(payments, receipts)
    by_stream = engine.summary_by_stream(lines)
    assert by_stream.columns.tolist()[:9] == ["revenue_stream", "company_amount", "government_amount", "gap",
                                              "lines", "reconciled", "discrepancy", "company_only",
                                              "government_only"]
    assert by_stream[["revenue_stream", "company_amount", "government_amount", "gap", "lines", "reconciled",
                      "discrepancy", "company_only", "government_only"]].values.tolist() == [
        ["CIT", 130_00, 140_00, 10_00, 3, 1, 1, 0, 1],
        ["FINES", 1_00, 0, -1_00, 1, 0, 0, 1, 0],
        ["VAT", 50_00, 60_00, 10_00, 2, 0, 0, 1, 1]]
    by_entity = engine.summary_by_entity(lines)
    assert by_entity[["government_entity", "company_amount", "government_amount", "lines"]].values.tolist() == [
        ["SCS", 0, 60_00, 1], ["STS", 181_00, 140_00, 5]]
    by_company = engine.summary_by_company(lines)
    assert by_company[["company_inn", "gap", "lines"]].values.tolist() == [[A, 10_00, 3], [B, 2_00, 2], [C, 7_00, 1]]
    totals = engine.totals(lines)
    assert (totals["company_amount"], totals["government_amount"], totals["gap"]) == (181_00, 200_00, 19_00)
    assert totals["counts"] == {"reconciled": 1, "discrepancy": 1, "company_only": 2, "government_only": 2,
                                "not_reported": 0, "not_participating": 0, "not_applicable": 0}
    # two-sided government: 100 + 33 = 133 of 200 → 66.50 %
    assert totals["coverage_bp"] == 6650
    # % of the government total: B/CIT's gap of 3.00 of 200.00 → 1.50 %
    assert lines.set_index(["company_inn", "revenue_stream"]).loc[(B, "CIT"), "pct_of_government_total"] == 150


def test_format_helpers():
    assert engine.format_amount(123456789) == "1234567.89" == money.format_plain(123456789, "KGS")
    assert engine.format_amount(-50000) == "-500.00"
    assert engine.format_amount(5) == "0.05"
    assert engine.format_amount(None) == "" and engine.format_amount(pd.NA) == ""
    assert [engine.format_pct(v) for v in (0, 5, -5, 1234, -10000, None)] == [
        "0.00", "0.05", "-0.05", "12.34", "-100.00", ""]
    values = pd.Series([0, 5, -5, 123456789, -50000, None, -100], dtype="Int64")
    assert engine.format_amounts(values).tolist() == ["0.00", "0.05", "-0.05", "1234567.89", "-500.00", "", "-1.00"]
    assert engine.format_pcts(values).tolist() == [engine.format_pct(v) for v in values]
    assert engine.percent_bp(1, 3) == 3333 and engine.percent_bp(2, 3) == 6667
    assert engine.div_half_even(5, 2) == 2 and engine.div_half_even(7, 2) == 4 and engine.div_half_even(-5, 2) == -2
    assert engine.div_half_even(5, -2) == -2 and engine.div_half_even(-7, -2) == 4


def test_no_float_money_columns():
    lines = engine.reconcile(side((A, "CIT", "STS", "", 1_00)), side((A, "CIT", "STS", "", 2_00), (B, "CIT", "STS", "", 1)))
    for column in engine.LINE_COLUMNS[4:-2]:
        assert str(lines[column].dtype) == "Int64", column
    summary = engine.summary_by_company(lines)
    assert all(np.issubdtype(dtype, np.integer) for dtype in summary.dtypes.iloc[1:])


def test_the_engine_imports_nothing_of_the_application_but_money():
    """DESIGN.md: frames in, frames out; ``eiti/reconciliation.py`` imports only ``money`` of the application."""
    tree = ast.parse(Path(engine.__file__).read_text(encoding="utf-8"))
    ours = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").startswith("esg_portal")):
            ours.append((node.level, node.module, [alias.name for alias in node.names]))
        elif isinstance(node, ast.Import):
            assert not any(alias.name.startswith("esg_portal") for alias in node.names)
    assert ours == [(2, None, ["money"])]
