"""A small reconciliation run as a ``RunReport``, built by the engine without a database (report tests).

Companies: A and B filed; C is in scope and filed nothing (DNR); D does not participate (DNP).
Every status of the report's order appears and adjusted lines carry explanations; ``huge=True``
adds an amount (~988 trillion som) beyond a float's exact range, so only exact arithmetic gets it right.
"""
from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pandas as pd

from esg_portal.eiti import reconciliation as engine
from esg_portal.eiti.report_data import Names, RunReport

REFERENCE = Path(__file__).resolve().parent.parent / "esg_portal" / "data" / "reference"
A, B, C, D = "01111111111111", "02222222222222", "03333333333333", "04444444444444"
COMPANIES = {A: "Кумтөр Демо Голд ЖАК", B: "Актүз Сейрек Металлдар ЖЧК", C: "Жерүй Демо ЖЧК", D: "Тоо-Кен Демо ААК"}
NOT_PARTICIPATING_REASON = "Жоюлуу процессинде"
HUGE = 98_765_432_109_876_543  # minor units: 987 654 321 098 765.43, not exact as a float

PAYMENTS = [  # company, stream, entity, amount (minor)
    (A, "ROYALTY", "STS", 100_000_000), (A, "CIT", "STS", 50_000_000), (A, "LOCAL_DEV", "LSG", 20_000_000),
    (A, "BONUS", "STS", 25_000_000),
    (B, "ROYALTY", "STS", 30_000_000), (B, "CUSTOMS", "SCS", 7_500_000), (B, "CIT", "STS", 10_000_000),
]
RECEIPTS = [
    (A, "ROYALTY", "STS", 100_000_000), (A, "CIT", "STS", 45_000_000), (A, "LOCAL_DEV", "LSG", 26_000_000),
    (A, "BONUS", "STS", 24_000_000),
    (B, "ROYALTY", "STS", 30_010_000), (B, "VAT", "STS", 1_234_567), (B, "CIT", "STS", 9_000_000),
    (C, "ROYALTY", "STS", 80_000_000), (D, "EXPORT_DUTY", "SCS", 1_000_000),
]
ADJUSTMENTS = [  # company, stream, entity, side, amount, reason
    (A, "BONUS", "STS", "government", 1_000_000, "timing"),
    (B, "CIT", "STS", "company", -500_000, "entry_error"),
    (B, "CIT", "STS", "government", 200_000, "classification"),
]
MARGINS = {"ROYALTY": (100, 0)}  # 1 %, no floor
RULES = {
    "currency": "KGS", "usd_rate": "87.4500", "usd_rate_scaled": 874_500, "usd_rate_source": "NBKR",
    "threshold_minor": 10_000_000, "threshold": "100000.00",
    "streams": [{"revenue_stream": code, "inclusion": "included", "margin_bp": MARGINS.get(code, (0, 0))[0],
                 "floor_minor": MARGINS.get(code, (0, 0))[1]} for code in ("ROYALTY", "CIT", "LOCAL_DEV")]
    + [{"revenue_stream": "FINES", "inclusion": "not_included", "margin_bp": 0, "floor_minor": 0}],
    "in_scope": [A, B, C], "not_participating": {D: NOT_PARTICIPATING_REASON},
}
GOVERNMENT_NOT_INCLUDED = 5_000_000


def _side(rows) -> pd.DataFrame:
    return pd.DataFrame({"company_inn": [r[0] for r in rows], "revenue_stream": [r[1] for r in rows],
                         "government_entity": [r[2] for r in rows], "project": [""] * len(rows),
                         "amount_minor": pd.array([r[3] for r in rows], dtype="int64")})


#: with ``huge=True``: a dividend line of ~988 trillion som, off by one tyiyn (a discrepancy)
HUGE_ROWS = ([(A, "DIVIDENDS_STATE", "SPMF", HUGE)], [(A, "DIVIDENDS_STATE", "SPMF", HUGE + 1)])


def sample_lines(huge: bool = False) -> pd.DataFrame:
    """The engine's line table of the sample, indexed by line position (1, 2, …) as a stored run is."""
    adjustments = pd.DataFrame({
        "company_inn": [r[0] for r in ADJUSTMENTS], "revenue_stream": [r[1] for r in ADJUSTMENTS],
        "government_entity": [r[2] for r in ADJUSTMENTS], "project": [""] * len(ADJUSTMENTS),
        "side": [r[3] for r in ADJUSTMENTS], "amount_minor": pd.array([r[4] for r in ADJUSTMENTS], dtype="int64"),
        "reason": [r[5] for r in ADJUSTMENTS]})
    margins = pd.DataFrame({"revenue_stream": list(MARGINS),
                            "margin_bp": pd.array([m[0] for m in MARGINS.values()], dtype="int64"),
                            "floor_minor": pd.array([m[1] for m in MARGINS.values()], dtype="int64")})
    scope = engine.Scope.of(in_scope=[A, B, C], not_participating={D: NOT_PARTICIPATING_REASON})
    payments, receipts = (PAYMENTS + HUGE_ROWS[0], RECEIPTS + HUGE_ROWS[1]) if huge else (PAYMENTS, RECEIPTS)
    lines = engine.reconcile(_side(payments), _side(receipts), margins, adjustments=adjustments, scope=scope)
    lines.index = pd.RangeIndex(1, len(lines) + 1, name="position")
    return lines


def reference_names(file: str, locale: str) -> dict[str, str]:
    with open(REFERENCE / file, encoding="utf-8") as handle:
        return {row["code"]: row[f"name_{locale}"] for row in csv.DictReader(handle)}


def gfs_codes() -> dict[str, str]:
    with open(REFERENCE / "revenue_streams.csv", encoding="utf-8") as handle:
        return {row["code"]: row["gfs_code"] for row in csv.DictReader(handle)}


def sample_report(locale: str = "en", lines: pd.DataFrame | None = None, huge: bool = False) -> RunReport:
    names = Names(streams=reference_names("revenue_streams.csv", locale), gfs_codes=gfs_codes(),
                  entities=reference_names("government_entities.csv", locale), companies=COMPANIES)
    return RunReport(run_id=7, number=3, year=2025, start_date=dt.date(2025, 1, 1), end_date=dt.date(2025, 12, 31),
                     run_at=dt.datetime(2026, 4, 1, 9, 30, tzinfo=dt.timezone.utc), currency="KGS",
                     lines=sample_lines(huge) if lines is None else lines, names=names, locale=locale, rules=RULES,
                     not_participating={D: NOT_PARTICIPATING_REASON}, not_reported=frozenset({C}),
                     government_not_included=GOVERNMENT_NOT_INCLUDED, run_by="Test Secretary")
