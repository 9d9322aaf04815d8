"""``esg-portal reconcile`` (INTERFACES.md §5): a hand-computed example byte for byte, and exit 2 on bad files."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask

from esg_portal.cli import register_commands
from esg_portal.eiti.cli import reconcile_command

A, B, C = "01234567890123", "12345678901234", "20000000000017"

# ROYALTY: 1 % with a floor of 1,000.00; CIT: 2 % and no floor; FINES, VAT, LICENCE_FEE: none (0 and 0).
MARGINS = """revenue_stream,margin_pct,margin_floor
ROYALTY,1,1000.00
CIT,2.00,0
"""

# Unsorted, with two rows for A/ROYALTY/LIC-2 (summed), B reporting royalty by licence (the
# government does not: project fallback), a zero line, refunds and a company-only row.
PAYMENTS = f"""company_inn,revenue_stream,government_entity,project,amount,currency
{C},VAT,STS,,19993.00,KGS
{A},ROYALTY,STS,LIC-1,10000.00,KGS
{A},ROYALTY,STS,LIC-2,200000.00,KGS
{A},ROYALTY,STS,LIC-3,296999.99,KGS
{A},CIT,STS,,50000,KGS
{B},ROYALTY,STS,LIC-7,40000.00,KGS
{B},ROYALTY,STS,LIC-8,10000.00,KGS
{A},ROYALTY,STS,LIC-2,97000.00,KGS
{B},VAT,STS,,12000.00,KGS
{B},VAT,SCS,,0.00,KGS
{B},FINES,STS,,3999.00,KGS
{C},FINES,STS,,-500.00,KGS
{C},CIT,STS,,-1000.00,KGS
{C},ROYALTY,STS,,3000.00,KGS
"""

# A BOM, headers in another order and case, no currency column; a licence-fee receipt for
# which the company reported nothing (government_only, at company level: one side only).
RECEIPTS = f"""\ufeffRevenue_Stream,COMPANY_INN,government_entity,project,amount
ROYALTY,{A},STS,LIC-1,11000.00
ROYALTY,{A},STS,LIC-2,300000
ROYALTY,{A},STS,LIC-3,300000.00
CIT,{A},STS,,51100.00
ROYALTY,{B},STS,,50000.00
VAT,{B},STS,,0
VAT,{B},SCS,,0.00
FINES,{B},STS,,4000.00
FINES,{C},STS,,-500.00

CIT,{C},STS,,-1030.00
VAT,{C},STS,,20000.00
LICENCE_FEE,{A},MNR,LIC-1,700.00
"""

# By hand (gap = government − company; gap % = gap ÷ government, half-even to 2 places):
# A CIT:          51100.00 − 50000.00 = 1100.00; 1100/51100 = 2.1526 % → 2.15; 2 % of 51100 = 1022 < 1100 → discrepancy
# A LICENCE_FEE:  government only (700.00); one side only, so summed to company level: project empty
# A ROYALTY LIC-1: 11000 − 10000 = 1000.00 = the floor (1 % is only 110) → reconciled; 1000/11000 = 9.0909 → 9.09
# A ROYALTY LIC-2: 300000 − (200000 + 97000) = 3000.00 = exactly 1 % of 300000 → reconciled; 1.00
# A ROYALTY LIC-3: 300000 − 296999.99 = 3000.01 > 3000.00 and > 1000.00 → discrepancy; 1.0000033 → 1.00
# B FINES:        4000 − 3999 = 1.00; 1/4000 = 0.025 % → half-even 0.02; no margin → discrepancy
# B ROYALTY:      government has no project → both summed: 40000 + 10000 = 50000 vs 50000 → 0.00, reconciled
# B VAT SCS:      0.00 vs 0.00 → gap 0.00, gap % 0.00 (both zero), |0| ≤ 0 → reconciled
# B VAT STS:      0 − 12000 = −12000.00; government 0 → ÷ company: −100.00; discrepancy
# C CIT:          −1030 − (−1000) = −30.00; −30/−1030 = 2.9126 → 2.91; 2 % of |−1030| = 20.60 < 30 → discrepancy
# C FINES:        −500 vs −500 → 0.00, reconciled
# C ROYALTY:      company only (3000.00)
# C VAT:          20000 − 19993 = 7.00; 7/20000 = 0.035 % → half-even 0.04; discrepancy
LINES = f"""company_inn,revenue_stream,government_entity,project,company_amount,government_amount,gap,gap_pct,status
{A},CIT,STS,,50000.00,51100.00,1100.00,2.15,discrepancy
{A},LICENCE_FEE,MNR,,,700.00,,,government_only
{A},ROYALTY,STS,LIC-1,10000.00,11000.00,1000.00,9.09,reconciled
{A},ROYALTY,STS,LIC-2,297000.00,300000.00,3000.00,1.00,reconciled
{A},ROYALTY,STS,LIC-3,296999.99,300000.00,3000.01,1.00,discrepancy
{B},FINES,STS,,3999.00,4000.00,1.00,0.02,discrepancy
{B},ROYALTY,STS,,50000.00,50000.00,0.00,0.00,reconciled
{B},VAT,SCS,,0.00,0.00,0.00,0.00,reconciled
{B},VAT,STS,,12000.00,0.00,-12000.00,-100.00,discrepancy
{C},CIT,STS,,-1000.00,-1030.00,-30.00,2.91,discrepancy
{C},FINES,STS,,-500.00,-500.00,0.00,0.00,reconciled
{C},ROYALTY,STS,,3000.00,,,,company_only
{C},VAT,STS,,19993.00,20000.00,7.00,0.04,discrepancy
"""

# Per stream: sums of each side over all lines (a missing side adds nothing), gap = government − company.
# CIT:         company 50000 − 1000 = 49000.00; government 51100 − 1030 = 50070.00; gap 1070.00
# FINES:       3999 − 500 = 3499.00; 4000 − 500 = 3500.00; 1.00
# LICENCE_FEE: 0.00; 700.00; 700.00
# ROYALTY:     10000 + 297000 + 296999.99 + 50000 + 3000 = 656999.99; 11000 + 300000 + 300000 + 50000 = 661000.00; 4000.01
# VAT:         0 + 12000 + 19993 = 31993.00; 0 + 0 + 20000 = 20000.00; −11993.00
BY_STREAM = """revenue_stream,company_amount,government_amount,gap,lines,reconciled,discrepancy,company_only,government_only
CIT,49000.00,50070.00,1070.00,2,0,2,0,0
FINES,3499.00,3500.00,1.00,2,1,1,0,0
LICENCE_FEE,0.00,700.00,700.00,1,0,0,0,1
ROYALTY,656999.99,661000.00,4000.01,5,3,1,1,0
VAT,31993.00,20000.00,-11993.00,3,1,2,0,0
"""

# A: 50000 + 10000 + 297000 + 296999.99 = 653999.99; 51100 + 700 + 11000 + 300000 + 300000 = 662800.00; 8800.01
# B: 3999 + 50000 + 0 + 12000 = 65999.00; 4000 + 50000 + 0 + 0 = 54000.00; −11999.00
# C: −1000 − 500 + 3000 + 19993 = 21493.00; −1030 − 500 + 20000 = 18470.00; −3023.00
BY_COMPANY = f"""company_inn,company_amount,government_amount,gap,lines,reconciled,discrepancy,company_only,government_only
{A},653999.99,662800.00,8800.01,5,2,2,0,1
{B},65999.00,54000.00,-11999.00,4,2,2,0,0
{C},21493.00,18470.00,-3023.00,4,1,2,1,0
"""

# Totals: company 653999.99 + 65999 + 21493 = 741491.99; government 662800 + 54000 + 18470 = 735270.00;
# gap −6221.99. Coverage: the only one-sided government amount is A's 700.00, so two-sided
# government = 734570.00; 734570 / 735270 = 99.90480 % → 99.90.
SUMMARY = """{
  "totals": {
    "company_amount": "741491.99",
    "government_amount": "735270.00",
    "gap": "-6221.99"
  },
  "coverage_pct": "99.90",
  "counts": {
    "lines": 13,
    "reconciled": 5,
    "discrepancy": 6,
    "company_only": 1,
    "government_only": 1
  },
  "currency": "KGS"
}
"""


def write(folder: Path, name: str, text: str, encoding: str = "utf-8") -> str:
    path = folder / name
    path.write_bytes(text.encode(encoding))
    return str(path)


def run(tmp_path: Path, payments: str = PAYMENTS, receipts: str = RECEIPTS, margins: str | None = MARGINS):
    args = ["--payments", write(tmp_path, "P.csv", payments), "--receipts", write(tmp_path, "R.csv", receipts),
            "--out", str(tmp_path / "out")]
    if margins is not None:
        args += ["--margins", write(tmp_path, "M.csv", margins)]
    return CliRunner().invoke(reconcile_command, args)


def test_hand_computed_example_byte_for_byte(tmp_path):
    result = run(tmp_path)
    assert result.exit_code == 0, result.output
    out = tmp_path / "out"
    assert (out / "lines.csv").read_bytes() == LINES.encode()
    assert (out / "summary_by_stream.csv").read_bytes() == BY_STREAM.encode()
    assert (out / "summary_by_company.csv").read_bytes() == BY_COMPANY.encode()
    assert (out / "summary.json").read_bytes() == SUMMARY.encode()
    assert sorted(p.name for p in out.iterdir()) == ["lines.csv", "summary.json", "summary_by_company.csv",
                                                     "summary_by_stream.csv"]
    assert "13 lines" in result.stdout


def test_without_margins_any_difference_is_a_discrepancy(tmp_path):
    result = run(tmp_path, margins=None)
    assert result.exit_code == 0, result.output
    lines = (tmp_path / "out" / "lines.csv").read_text().splitlines()
    # the three royalty lines within the margins and A/CIT lose their margin
    assert f"{A},ROYALTY,STS,LIC-1,10000.00,11000.00,1000.00,9.09,discrepancy" in lines
    assert f"{A},ROYALTY,STS,LIC-2,297000.00,300000.00,3000.00,1.00,discrepancy" in lines
    assert f"{B},ROYALTY,STS,,50000.00,50000.00,0.00,0.00,reconciled" in lines
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["counts"] == {"lines": 13, "reconciled": 3, "discrepancy": 8, "company_only": 1,
                                 "government_only": 1}


def test_usd_files_semicolons_and_percent_sign(tmp_path):
    payments = f"company_inn;revenue_stream;government_entity;project;amount;currency\n{A};CIT;STS;;100.00;USD\n"
    receipts = f"company_inn;revenue_stream;government_entity;amount;currency\n{A};CIT;STS;101.50;usd\n"
    result = run(tmp_path, payments, receipts, "revenue_stream,margin_pct,margin_floor\nCIT,1.5%,\n")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "lines.csv").read_text().splitlines()[1] == \
        f"{A},CIT,STS,,100.00,101.50,1.50,1.48,reconciled"
    assert json.loads((tmp_path / "out" / "summary.json").read_text())["currency"] == "USD"


def test_header_only_files_are_valid(tmp_path):
    result = run(tmp_path, receipts="company_inn,revenue_stream,government_entity,project,amount\n", margins=None)
    assert result.exit_code == 0, result.output
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    # one side only everywhere, so every group is summed to company level: A/ROYALTY's licences make one line
    assert summary["coverage_pct"] is None and summary["counts"]["company_only"] == summary["counts"]["lines"] == 10
    assert summary["totals"]["government_amount"] == "0.00"


HEADER = "company_inn,revenue_stream,government_entity,project,amount\n"


@pytest.mark.parametrize(("payments", "message"), [
    ("company_inn,revenue_stream,project,amount\n1,CIT,,1.00\n", "P.csv: missing column government_entity"),
    ("company_inn,revenue_stream\n", "P.csv: missing columns government_entity, amount"),
    (HEADER + f"{A},CIT,STS,,1.00\n{A},CIT,STS,,12,5\n", "P.csv, row 2: more cells than the header"),
    (HEADER + f"{A},CIT,STS,,1.00\n{A},VAT,STS,,1,5\n", "P.csv, row 2: more cells"),
    (HEADER + f"{A},CIT,STS,,1.00\n\n{A},VAT,STS,,\"1,5\"\n", 'P.csv, row 3: amount "1,5" is not a plain decimal'),
    (HEADER + f"{A},CIT,STS,,1.005\n", 'P.csv, row 1: amount "1.005" has more than 2 decimals'),
    (HEADER + f"{A},CIT,STS,,1e5\n", 'P.csv, row 1: amount "1e5" is not a plain decimal'),
    (HEADER + f"{A},CIT,STS,,NaN\n", 'P.csv, row 1: amount "NaN" is not a plain decimal'),
    (HEADER + f"{A},CIT,STS,,\n", "P.csv, row 1: amount is empty"),
    (HEADER + f"{A},CIT,STS,,1000000000000000\n", "too large"),
    (HEADER + f"{A},,STS,,1.00\n", "P.csv, row 1: revenue_stream is empty"),
    ("", "P.csv: the file is empty"),
    ("\n  \n", "P.csv: the file is empty"),
    ("company_inn,amount,amount\n", "P.csv: column amount appears more than once"),
    (HEADER.replace("\n", ",currency\n") + f"{A},CIT,STS,,1.00,EUR\n", 'currency "EUR" is not supported'),
    (HEADER + f'{A},CIT,STS,"LIC"x,1.00\n', "P.csv, line 2: unreadable CSV"),
])
def test_malformed_payments_exit_2_with_one_line(tmp_path, payments, message):
    result = run(tmp_path, payments=payments)
    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and result.stderr.startswith("Error: ")
    assert not (tmp_path / "out").exists()


def test_mixed_currencies_exit_2(tmp_path):
    payments = HEADER.replace("\n", ",currency\n") + f"{A},CIT,STS,,1.00,KGS\n"
    receipts = HEADER.replace("\n", ",currency\n") + f"{A},CIT,STS,,1.00,\n{A},VAT,STS,,1.00,USD\n"
    result = run(tmp_path, payments, receipts)
    assert result.exit_code == 2
    assert result.stderr == "Error: mixed currencies: KGS (P.csv, row 1) and USD (R.csv, row 2); one currency per run\n"


def test_bad_encoding_binary_and_missing_files_exit_2(tmp_path):
    payments = write(tmp_path, "P.csv", PAYMENTS)
    for content, encoding, message in ((HEADER + f"{A},CIT,STS,Лицензия,1.00\n", "cp1251", "R.csv: not UTF-8 text"),
                                       ("PK\x03\x04\x00\x00binary", "utf-8", "R.csv: not a CSV text file")):
        receipts = write(tmp_path, "R.csv", content, encoding)
        result = CliRunner().invoke(reconcile_command, ["--payments", payments, "--receipts", receipts,
                                                        "--out", str(tmp_path / "out")])
        assert result.exit_code == 2 and message in result.stderr, result.stderr
    result = CliRunner().invoke(reconcile_command, ["--payments", str(tmp_path / "nope.csv"), "--receipts",
                                                    write(tmp_path, "R.csv", RECEIPTS), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and result.stderr == f"Error: {tmp_path / 'nope.csv'}: no such file\n"


@pytest.mark.parametrize(("margins", "message"), [
    ("revenue_stream,margin_pct\nCIT,1\n", "M.csv: missing column margin_floor"),
    ("revenue_stream,margin_pct,margin_floor\nCIT,1,0\nCIT,2,0\n", "M.csv, row 2: revenue_stream CIT already has a margin (row 1)"),
    ("revenue_stream,margin_pct,margin_floor\nCIT,-1,0\n", "M.csv, row 1: a margin cannot be negative"),
    ("revenue_stream,margin_pct,margin_floor\nCIT,0.125,0\n", 'margin_pct "0.125" has more than 2 decimals'),
])
def test_malformed_margins_exit_2(tmp_path, margins, message):
    result = run(tmp_path, margins=margins)
    assert result.exit_code == 2 and message in result.stderr, result.stderr


def test_out_must_be_a_directory(tmp_path):
    (tmp_path / "out").write_text("a file")
    result = run(tmp_path)
    assert result.exit_code == 2 and "is not a directory" in result.stderr


def test_registered_on_the_esg_portal_command():
    app = Flask("probe")
    register_commands(app)
    assert app.cli.commands["reconcile"] is reconcile_command


def test_esg_portal_reconcile_runs_from_the_installed_script(tmp_path):
    """The real entry point, as an administrator runs it; no database is configured or touched."""
    script = Path(sys.executable).parent / "esg-portal"
    if not script.exists():
        pytest.skip("the esg-portal script is not installed in this environment")
    env = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "FLASK_APP"}}
    env["DATABASE_URL"] = "postgresql+psycopg://nobody@127.0.0.1:1/none"  # unreachable: must not be needed
    args = [str(script), "reconcile", "--payments", write(tmp_path, "P.csv", PAYMENTS),
            "--receipts", write(tmp_path, "R.csv", RECEIPTS), "--margins", write(tmp_path, "M.csv", MARGINS),
            "--out", str(tmp_path / "out")]
    done = subprocess.run(args, check=False, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out" / "lines.csv").read_text() == LINES
    bad = subprocess.run(args[:3] + [write(tmp_path, "bad.csv", HEADER + f"{A},CIT,STS,,x\n")] + args[4:],
                         check=False, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert bad.returncode == 2 and bad.stderr.strip().splitlines() == [
        ('Error: bad.csv, row 1: amount "x" is not a plain decimal number; write it like 1234567.89 or -500.00 '
         "(digits, an optional minus, '.' and at most 2 decimals)")]
