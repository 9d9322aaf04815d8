"""Speed of the reconciliation engine against the same full outer join written in DuckDB SQL.

Run with ``python bench/reconcile.py --rows N`` (``make bench`` runs it at 1,000,000 rows).
Generates payment and receipt frames of about N rows each over realistic keys (seeded), times
the engine and DuckDB on the same in-memory frames (best of 3, generation excluded), checks
that both give the same keys, minor-unit amounts, statuses and gap % text, and ends with the
line ``reconcile: rows=N engine_s=X duckdb_s=Y ratio=R peak_mb=M identical=yes|no``.
``peak_mb`` is the process's peak resident memory while the engine runs (its input frames
included, DuckDB's later run not), read from the kernel's high-water mark after resetting it.
Targets: ratio ≤ 0.5 and peak ≤ 1024 MB; like bench/run.py the exit status is 1 when a target
is missed or the results differ.
"""
from __future__ import annotations

import argparse
import csv
import gc
import resource
import sys
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from esg_portal.eiti import reconciliation as engine

REFERENCE = Path(engine.__file__).resolve().parent.parent / "data" / "reference"
SEED = 20250101
TARGET_RATIO = 0.5
TARGET_PEAK_MB = 1024
#: (margin in basis points of a percent, floor in tyiyn) per stream, cycled over the streams
MARGINS = [(100, 10_000_000), (200, 5_000_000), (300, 5_000_000), (100, 100_000), (0, 0), (50, 1_000_000)]

DUCKDB_SQL = """
WITH
-- rows with the same key summed first: the later steps then work on fewer rows
p0 AS (SELECT company_inn, revenue_stream, government_entity, project, sum(amount_minor) AS amount_minor
       FROM payments GROUP BY ALL),
r0 AS (SELECT company_inn, revenue_stream, government_entity, project, sum(amount_minor) AS amount_minor
       FROM receipts GROUP BY ALL),
pg AS (SELECT company_inn, revenue_stream, government_entity, bool_and(project <> '') AS by_project
       FROM p0 GROUP BY ALL),
rg AS (SELECT company_inn, revenue_stream, government_entity, bool_and(project <> '') AS by_project
       FROM r0 GROUP BY ALL),
-- project is part of the key only where both sides report every row by project
both_by_project AS (
    SELECT company_inn, revenue_stream, government_entity
    FROM pg JOIN rg USING (company_inn, revenue_stream, government_entity)
    WHERE pg.by_project AND rg.by_project),
pa AS (SELECT p.company_inn, p.revenue_stream, p.government_entity,
              CASE WHEN b.company_inn IS NULL THEN '' ELSE p.project END AS project,
              sum(p.amount_minor)::BIGINT AS amount
       FROM p0 p LEFT JOIN both_by_project b USING (company_inn, revenue_stream, government_entity)
       GROUP BY ALL),
ra AS (SELECT r.company_inn, r.revenue_stream, r.government_entity,
              CASE WHEN b.company_inn IS NULL THEN '' ELSE r.project END AS project,
              sum(r.amount_minor)::BIGINT AS amount
       FROM r0 r LEFT JOIN both_by_project b USING (company_inn, revenue_stream, government_entity)
       GROUP BY ALL),
j AS (SELECT company_inn, revenue_stream, government_entity, project,
             pa.amount AS company, ra.amount AS government, ra.amount - pa.amount AS gap
      FROM pa FULL OUTER JOIN ra USING (company_inn, revenue_stream, government_entity, project)),
k AS (SELECT j.*, coalesce(m.margin_bp, 0) AS margin_bp, coalesce(m.floor_minor, 0) AS floor_minor,
             abs(gap)::HUGEINT * 10000 AS n,
             abs(CASE WHEN government <> 0 THEN government ELSE company END)::HUGEINT AS d,
             sign(gap) * sign(CASE WHEN government <> 0 THEN government ELSE company END) AS s
      FROM j LEFT JOIN margins m USING (revenue_stream))
SELECT company_inn, revenue_stream, government_entity, project, company, government, gap,
       -- n/d half-even without a float: 2n//d and whether 2n is a multiple of d locate n/d
       -- between two quarters that round like it, and round_even rounds that exact decimal
       CASE WHEN gap IS NULL THEN NULL
            WHEN d = 0 THEN 0
            ELSE (s * round_even(((2 * n // d) * 2 + CASE WHEN (2 * n) % d = 0 THEN 0 ELSE 1 END)
                                 ::DECIMAL(38, 0) * 0.25, 0))::BIGINT
       END AS gap_pct_bp,
       CASE WHEN company IS NULL THEN 'government_only'
            WHEN government IS NULL THEN 'company_only'
            WHEN abs(gap) <= floor_minor OR abs(gap)::HUGEINT * 10000 <= abs(government)::HUGEINT * margin_bp
                 THEN 'reconciled'
            ELSE 'discrepancy'
       END AS status
FROM k
ORDER BY company_inn, revenue_stream, government_entity, project
"""


def _reference(name: str) -> list[dict[str, str]]:
    with open(REFERENCE / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def generate(rows: int, seed: int = SEED) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Payments, receipts and margins frames of about ``rows`` rows each, with planted differences."""
    rng = np.random.default_rng(seed)
    streams = _reference("revenue_streams.csv")
    entities = np.array([row["code"] for row in _reference("government_entities.csv")], dtype=object)
    stream_codes = np.array([row["code"] for row in streams], dtype=object)
    per_project = np.array([row["levied_per_project"] == "yes" for row in streams])
    default_entity = np.array([int(np.flatnonzero(entities == row["default_entity"])[0]) for row in streams])

    n_companies = max(20, rows // 50)
    # 14-digit INNs, text with leading zeros kept (a first digit of 0, 1 or 2 as in the register)
    inn_numbers = rng.choice(3 * 10**13, size=n_companies, replace=False)
    inns = np.array([f"{number:014d}" for number in inn_numbers], dtype=object)
    # 1–8 licences per company; licence numbers in the Kyrgyz register style, Cyrillic included
    licences_per_company = rng.integers(1, 9, size=n_companies)
    first_licence = np.concatenate([[0], np.cumsum(licences_per_company)[:-1]])
    licence_names = np.array([f"{10000 + i} АП" if i % 3 else f"{10000 + i}-МВ" for i in range(int(licences_per_company.sum()))],
                             dtype=object)
    projects = np.concatenate([np.array([""], dtype=object), licence_names])

    company = rng.integers(0, n_companies, size=rows)
    stream = rng.integers(0, len(stream_codes), size=rows)
    entity = np.where(rng.random(rows) < 0.5, default_entity[stream], rng.integers(0, len(entities), size=rows))
    licence = first_licence[company] + (rng.integers(0, 1 << 30, size=rows) % licences_per_company[company])
    project = np.where(per_project[stream], licence + 1, 0)  # 0 is "" (no project)
    # amounts in tyiyn: three significant digits times a power of ten, up to ~10^9 som; some refunds
    amount = rng.integers(100, 1000, size=rows, dtype=np.int64) * 10 ** rng.integers(0, 9, size=rows, dtype=np.int64)
    amount[rng.random(rows) < 0.005] *= -1

    # receipts: the same payments, then planted differences
    outcome = rng.random(rows)
    government = amount.copy()
    small = (outcome >= 0.88) & (outcome < 0.93)  # within most margins
    government[small] += amount[small] // 1000 * rng.integers(-5, 6, size=int(small.sum()))
    large = (outcome >= 0.93) & (outcome < 0.96)  # discrepancies of 10–50 %
    government[large] += amount[large] // 100 * rng.integers(10, 51, size=int(large.sum()))
    kept = outcome < 0.985  # the rest: paid but never booked (company_only)
    r_company, r_stream, r_entity, r_project, r_amount = (
        company[kept], stream[kept], entity[kept], project[kept].copy(), government[kept])
    # some companies' receipts are booked without the licence: project fallback for their groups
    no_project = rng.random(n_companies) < 0.02
    r_project[no_project[r_company]] = 0
    # government-only receipts over fresh random keys
    extra = rows // 60
    e_stream = rng.integers(0, len(stream_codes), size=extra)
    e_company = rng.integers(0, n_companies, size=extra)
    e_licence = first_licence[e_company] + rng.integers(0, 1 << 30, size=extra) % licences_per_company[e_company]
    r_company = np.concatenate([r_company, e_company])
    r_stream = np.concatenate([r_stream, e_stream])
    r_entity = np.concatenate([r_entity, rng.integers(0, len(entities), size=extra)])
    r_project = np.concatenate([r_project, np.where(per_project[e_stream], e_licence + 1, 0)])
    r_amount = np.concatenate([r_amount, rng.integers(100, 10**9, size=extra, dtype=np.int64)])
    order = rng.permutation(len(r_amount))

    def frame(c, s, e, p, a) -> pd.DataFrame:
        return pd.DataFrame({"company_inn": inns[c], "revenue_stream": stream_codes[s],
                             "government_entity": entities[e], "project": projects[p],
                             "amount_minor": a.astype(np.int64), "currency": np.full(len(a), "KGS", dtype=object)})

    payments = frame(company, stream, entity, project, amount)
    receipts = frame(r_company[order], r_stream[order], r_entity[order], r_project[order], r_amount[order])
    margins = pd.DataFrame({"revenue_stream": stream_codes,
                            "margin_bp": np.array([MARGINS[i % len(MARGINS)][0] for i in range(len(stream_codes))],
                                                  dtype=np.int64),
                            "floor_minor": np.array([MARGINS[i % len(MARGINS)][1] for i in range(len(stream_codes))],
                                                    dtype=np.int64)})
    return payments, receipts, margins


def run_engine(payments: pd.DataFrame, receipts: pd.DataFrame, margins: pd.DataFrame) -> pd.DataFrame:
    """The engine's sorted line table."""
    return engine.reconcile(payments, receipts, margins)


def run_duckdb(payments: pd.DataFrame, receipts: pd.DataFrame, margins: pd.DataFrame) -> pd.DataFrame:
    """The same lines from DuckDB SQL over the same frames (default threads)."""
    con = duckdb.connect()
    try:
        con.register("payments", payments)
        con.register("receipts", receipts)
        con.register("margins", margins)
        return con.sql(DUCKDB_SQL).df()
    finally:
        con.close()


def best_of(n: int, fn, *args) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(n):
        result = None
        gc.collect()
        start = time.perf_counter()
        result = fn(*args)
        best = min(best, time.perf_counter() - start)
    return best, result


def reset_peak() -> None:
    """Reset the kernel's record of this process's peak resident memory (Linux, clear_refs 5)."""
    with open("/proc/self/clear_refs", "w") as handle:
        handle.write("5")


def peak_mb() -> int:
    """This process's peak resident memory since the last ``reset_peak``, MiB."""
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) // 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024  # KiB on Linux


def _minor(values: pd.Series) -> np.ndarray:
    """Nullable minor units as int64 with a sentinel for empty, for an exact comparison."""
    return values.astype("Int64").fillna(np.iinfo(np.int64).min).to_numpy(dtype=np.int64)


def compare(lines: pd.DataFrame, reference: pd.DataFrame) -> list[str]:
    """Names of the columns where the engine and DuckDB differ (empty when identical)."""
    if len(lines) != len(reference):
        return [f"line count {len(lines)} != {len(reference)}"]
    differ = []
    for column in engine.KEY:
        if not np.array_equal(lines[column].astype(object).to_numpy(), reference[column].astype(object).to_numpy()):
            differ.append(column)
    for ours, theirs in (("company_final", "company"), ("government_final", "government"), ("final_gap", "gap")):
        if not np.array_equal(_minor(lines[ours]), _minor(reference[theirs])):
            differ.append(ours)
    if not np.array_equal(lines["status"].astype(object).to_numpy(), reference["status"].astype(object).to_numpy()):
        differ.append("status")
    ours_pct = engine.format_pcts(lines["gap_pct"]).to_numpy()
    theirs_pct = duckdb.sql("SELECT CASE WHEN gap_pct_bp IS NULL THEN '' "
                            "ELSE (gap_pct_bp::DECIMAL(38, 0) * 0.01)::VARCHAR END AS t FROM reference"
                            ).df()["t"].to_numpy()
    if not np.array_equal(ours_pct.astype(object), theirs_pct.astype(object)):
        differ.append("gap_pct text")
    return differ


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    payments, receipts, margins = generate(args.rows)
    print(f"payments {len(payments):,} rows, receipts {len(receipts):,} rows", flush=True)
    gc.collect()
    reset_peak()
    engine_s, lines = best_of(args.repeat, run_engine, payments, receipts, margins)
    engine_peak_mb = peak_mb()
    duckdb_s, reference = best_of(args.repeat, run_duckdb, payments, receipts, margins)
    differ = compare(lines, reference)
    counts = lines["status"].value_counts().to_dict()
    print(f"lines {len(lines):,}: " + ", ".join(f"{k} {v:,}" for k, v in sorted(counts.items())))
    if differ:
        print("differences in: " + ", ".join(differ))
    ratio = engine_s / duckdb_s
    print(f"reconcile: rows={args.rows} engine_s={engine_s:.3f} duckdb_s={duckdb_s:.3f} ratio={ratio:.2f} "
          f"peak_mb={engine_peak_mb} identical={'no' if differ else 'yes'}")
    return 1 if differ or ratio > TARGET_RATIO or engine_peak_mb > TARGET_PEAK_MB else 0


if __name__ == "__main__":
    sys.exit(main())
