"""Properties of the reconciliation engine on generated frames, against a slow reference written from EITI.md §4."""
from __future__ import annotations

import re
from collections import defaultdict
from fractions import Fraction

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from esg_portal import money
from esg_portal.eiti import reconciliation as engine

COMPANIES = ["01234567890123", "12345678901234", "20000000000017"]
STREAMS = ["CIT", "ROYALTY", "VAT"]
ENTITIES = ["SCS", "STS"]
PROJECTS = ["", "", "LIC-1", "LIC-2", "ЛИЦ-3"]
PCT_TEXT = re.compile(r"-?[0-9]+\.[0-9]{2}")

# small and huge amounts, and pairs whose gap % falls exactly half-way (1.00 of 4,000.00 is 0.025 %)
amounts = st.one_of(st.integers(-10**6, 10**6), st.integers(-10**15, 10**15),
                    st.sampled_from([0, 1, -1, 100, 3_999_00, 4_000_00, 4_001_00, 19_993_00, 20_000_00, 20_000]))
keys = st.tuples(st.sampled_from(COMPANIES), st.sampled_from(STREAMS), st.sampled_from(ENTITIES),
                 st.sampled_from(PROJECTS))
rows = st.lists(st.tuples(keys, amounts), max_size=25)
# the same key on both sides, so that most lines are two-sided and the margin test and gap % are exercised
pairs = st.lists(st.tuples(keys, amounts, amounts), max_size=15)
adjustment_rows = st.lists(st.tuples(keys, st.sampled_from(engine.SIDES), amounts,
                                     st.sampled_from(engine.REASON_CODES)), max_size=6)
margin_rows = st.dictionaries(st.sampled_from(STREAMS),
                              st.tuples(st.integers(0, 20_000), st.integers(0, 10**6)), max_size=3)
SETTINGS = settings(max_examples=150, deadline=None)


def side(records) -> pd.DataFrame:
    frame = pd.DataFrame([key for key, _ in records], columns=engine.KEY) if records \
        else pd.DataFrame({column: pd.Series(dtype=object) for column in engine.KEY})
    frame["amount_minor"] = np.array([amount for _, amount in records], dtype=np.int64)
    return frame


def adjustment_frame(records) -> pd.DataFrame:
    frame = side([(key, amount) for key, _, amount, _ in records])
    frame["side"] = [s for _, s, _, _ in records]
    frame["reason"] = [reason for _, _, _, reason in records]
    return frame


def margin_frame(margins: dict) -> pd.DataFrame:
    return pd.DataFrame({"revenue_stream": list(margins),
                         "margin_bp": np.array([bp for bp, _ in margins.values()], dtype=np.int64),
                         "floor_minor": np.array([floor for _, floor in margins.values()], dtype=np.int64)})


def half_even(value: Fraction) -> int:
    floor = value.numerator // value.denominator
    rest = value - floor
    return floor + (rest > Fraction(1, 2) or (rest == Fraction(1, 2) and floor % 2 == 1))


def reference(payments, receipts, adjustments, margins) -> list[tuple]:
    """EITI.md Part A §4–§5 written plainly with dicts and Fractions: (key, company, government, gap, pct, status)."""
    groups: dict[tuple, dict[str, set]] = defaultdict(lambda: {"company": set(), "government": set()})
    for name, records in (("company", payments), ("government", receipts)):
        for key, _ in records:
            groups[key[:3]][name].add(key[3])
    by_project = {group for group, seen in groups.items()
                  if seen["company"] and seen["government"] and "" not in seen["company"] | seen["government"]}

    def line_key(key):
        return key if key[:3] in by_project else (*key[:3], "")

    sums = defaultdict(lambda: {"company": None, "government": None})
    for name, records in (("company", payments), ("government", receipts)):
        for key, amount in records:
            sums[line_key(key)][name] = (sums[line_key(key)][name] or 0) + amount
    for key, side_name, amount, _ in adjustments:
        sums[line_key(key)][side_name] = (sums[line_key(key)][side_name] or 0) + amount
    result = []
    for key in sorted(sums):
        company, government = sums[key]["company"], sums[key]["government"]
        if company is None:
            result.append((key, None, government, None, None, "government_only"))
            continue
        if government is None:
            result.append((key, company, None, None, None, "company_only"))
            continue
        gap = government - company
        base = government or company
        pct = half_even(Fraction(gap * 100 * 100, base)) if base else 0
        bp, floor = margins.get(key[1], (0, 0))
        within = abs(gap) <= max(Fraction(floor), Fraction(abs(government) * bp, 100 * 100))
        result.append((key, company, government, gap, pct, "reconciled" if within else "discrepancy"))
    return result


def as_tuples(lines: pd.DataFrame) -> list[tuple]:
    def value(v):
        return None if pd.isna(v) else int(v)
    return [((r.company_inn, r.revenue_stream, r.government_entity, r.project), value(r.company_final),
             value(r.government_final), value(r.final_gap), value(r.gap_pct), r.status)
            for r in lines.itertuples()]


@SETTINGS
@given(rows, rows, pairs, adjustment_rows, margin_rows)
def test_the_engine_agrees_with_the_plain_reference(payments, receipts, matched, adjustments, margins):
    payments = payments + [(key, company) for key, company, _ in matched]
    receipts = receipts + [(key, government) for key, _, government in matched]
    lines = engine.reconcile(side(payments), side(receipts), margin_frame(margins),
                             adjustments=adjustment_frame(adjustments))
    assert as_tuples(lines) == reference(payments, receipts, adjustments, margins)


@SETTINGS
@given(rows, rows, adjustment_rows)
def test_final_is_initial_plus_adjustments_and_totals_are_preserved(payments, receipts, adjustments):
    lines = engine.reconcile(side(payments), side(receipts), adjustments=adjustment_frame(adjustments))
    for who in engine.SIDES:
        initial, adjustment, final = (lines[f"{who}_{part}"] for part in ("initial", "adjustment", "final"))
        assert (final.fillna(0) == initial.fillna(0) + adjustment.fillna(0)).all()
        assert (final.isna() == (initial.isna() & adjustment.isna())).all()
    assert int(lines["company_initial"].sum()) == sum(amount for _, amount in payments)
    assert int(lines["government_initial"].sum()) == sum(amount for _, amount in receipts)
    for who in engine.SIDES:
        assert int(lines[f"{who}_adjustment"].sum()) == sum(a for _, s, a, _ in adjustments if s == who)
    two_sided = lines["company_final"].notna() & lines["government_final"].notna()
    assert (lines["final_gap"].notna() == two_sided).all()
    assert (lines.loc[two_sided, "final_gap"] == lines.loc[two_sided, "government_final"]
            - lines.loc[two_sided, "company_final"]).all()
    totals = engine.totals(lines)
    for by in ("revenue_stream", "government_entity", "company_inn"):
        summary = engine.summarise(lines, by)
        assert int(summary["company_amount"].sum()) == totals["company_amount"]
        assert int(summary["government_amount"].sum()) == totals["government_amount"]
        assert int(summary["lines"].sum()) == len(lines)
        assert (summary[engine.STATUSES].sum(axis=1) == summary["lines"]).all()


@SETTINGS
@given(rows, rows, adjustment_rows, st.randoms(use_true_random=False))
def test_results_do_not_depend_on_row_order(payments, receipts, adjustments, random):
    first = engine.reconcile(side(payments), side(receipts), adjustments=adjustment_frame(adjustments))
    for records in (payments, receipts, adjustments):
        random.shuffle(records)
    second = engine.reconcile(side(payments), side(receipts), adjustments=adjustment_frame(adjustments))
    pd.testing.assert_frame_equal(first, second)


@SETTINGS
@given(rows, rows)
def test_gap_pct_text_always_has_two_decimals(payments, receipts):
    lines = engine.reconcile(side(payments), side(receipts))
    texts = engine.format_pcts(lines["gap_pct"])
    assert all(PCT_TEXT.fullmatch(text) for text, gap in zip(texts, lines["final_gap"]) if not pd.isna(gap))
    assert all(text == "" for text, gap in zip(texts, lines["final_gap"]) if pd.isna(gap))
    assert list(texts) == [engine.format_pct(None if pd.isna(v) else int(v)) for v in lines["gap_pct"]]


@SETTINGS
@given(st.lists(st.one_of(st.none(), st.integers(-10**17, 10**17)), max_size=30))
def test_vectorised_formats_match_money(values):
    series = pd.Series(values, dtype="Int64")
    assert list(engine.format_amounts(series)) == ["" if v is None else money.format_plain(v, "KGS") for v in values]
    assert all(PCT_TEXT.fullmatch(text) for text, v in zip(engine.format_pcts(series), values) if v is not None)


@SETTINGS
@given(st.integers(-10**18, 10**18), st.integers(-10**18, 10**18).filter(bool))
def test_half_even_division_is_exact(numerator, denominator):
    assert engine.div_half_even(numerator, denominator) == half_even(Fraction(numerator, denominator))
    array = engine._div_half_even_array(np.array([numerator], dtype=np.int64), np.array([denominator], dtype=np.int64))
    assert int(array[0]) == half_even(Fraction(numerator, denominator))


@SETTINGS
@given(st.lists(st.integers(-10**16, 10**16), min_size=1, max_size=10), st.integers(1, 2_000_000))
def test_usd_conversion_matches_money(usd, rate):
    frame = side([((COMPANIES[0], "CIT", "STS", ""), amount) for amount in usd])
    frame["currency"] = "USD"
    converted = engine.convert_currency(frame, "KGS", rate)
    assert converted["amount_minor"].tolist() == [money.usd_minor_to_kgs_minor(amount, rate) for amount in usd]
    assert converted["original_amount_minor"].tolist() == usd
