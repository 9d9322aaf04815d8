"""A smoke run of bench/reconcile.py: small, but the engine and the DuckDB SQL must give identical lines."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "reconcile.py"


def test_bench_smoke_run_is_identical_to_duckdb():
    pytest.importorskip("duckdb")
    done = subprocess.run([sys.executable, str(BENCH), "--rows", "2000", "--repeat", "1"],
                          check=False, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    last = done.stdout.strip().splitlines()[-1]
    assert re.fullmatch(r"reconcile: rows=2000 engine_s=[0-9.]+ duckdb_s=[0-9.]+ ratio=[0-9.]+ peak_mb=[0-9]+ "
                        r"identical=yes", last), last
    # every status of the file contract is planted
    assert all(status in done.stdout for status in ("reconciled", "discrepancy", "company_only", "government_only"))
