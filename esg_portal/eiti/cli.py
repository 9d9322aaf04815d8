"""``esg-portal reconcile``: the reconciliation on CSV files of INTERFACES.md §5, for administrators' spreadsheets.

Touches no database and needs no application: also runs as ``python -m esg_portal.eiti.cli``.

How the files are read (where §5 leaves it open):

- UTF-8 (a BOM is ignored); the delimiter is ``,``, or ``;``/tab when the header uses that one
  more; headers by name, case-insensitive, any order; other columns are ignored; blank rows are
  skipped. Cells are stripped of surrounding spaces.
- ``company_inn``, ``revenue_stream`` and ``government_entity`` take any non-empty text (an
  administrator's own codes; an INN is not checked for 14 digits, only compared as text).
- ``project`` may be blank or absent. It is part of the key only where both files report every
  row of that (company_inn, revenue_stream, government_entity) by project (EITI.md Part A §4);
  elsewhere both sides are summed to company level and the line's project is left empty.
- Amounts: digits, an optional leading ``-``, ``.`` and at most 2 decimals (``1234567.89``,
  ``-500.00``); no grouping, no comma, below 10^15. ``margin_pct`` is a percentage with at most
  2 decimals (a trailing ``%`` is allowed); blank margin cells are 0; neither may be negative.
- ``currency`` (optional, KGS or USD): blank cells take the run's currency; a second currency in
  either file is an error. The run's currency is named in ``summary.json``.
- A file with a header and no rows is valid (that side reported nothing); an empty file is not.
- ``summary.json`` gives amounts as §2 strings, ``coverage_pct`` as a string with 2 decimals
  (``null`` when the government total is 0) and ``gap`` = government_amount − company_amount
  (one-sided lines included), as in the summary CSVs.
"""
from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path

import click
import numpy as np
import pandas as pd

from .. import money
from . import reconciliation as engine

#: Outside the CLI the engine knows more statuses; the file contract has these four only.
CLI_STATUSES = ["reconciled", "discrepancy", "company_only", "government_only"]
LINE_HEADER = ["company_inn", "revenue_stream", "government_entity", "project", "company_amount",
               "government_amount", "gap", "gap_pct", "status"]
SUMMARY_HEADER = ["company_amount", "government_amount", "gap", "lines"] + CLI_STATUSES
SIDE_REQUIRED = ["company_inn", "revenue_stream", "government_entity", "amount"]
SIDE_OPTIONAL = ["project", "currency"]
MARGIN_REQUIRED = ["revenue_stream", "margin_pct", "margin_floor"]
DELIMITERS = (",", ";", "\t")
_DECIMAL = re.compile(r"(-?)([0-9]+)(?:\.([0-9]{1,2}))?")
_TOO_PRECISE = re.compile(r"-?[0-9]+\.[0-9]{3,}")
_MAX_DIGITS = 15  # |amount| < 10^15, as for uploads (INTERFACES.md §3)


class InputError(Exception):
    """A file the command cannot use; the message names the file, the row and what to fix."""


@dataclass
class _Csv:
    """A CSV file as text cells: the column names and, per non-blank data row, (row number, cells)."""

    name: str
    rows: list[tuple[int, dict[str, str]]]
    columns: list[str]


def _read_csv(path: str, required: list[str], optional: list[str]) -> _Csv:
    """Read one input file strictly; raise ``InputError`` on anything it cannot be sure of."""
    name = Path(path).name
    file = Path(path)
    if not file.is_file():
        raise InputError(f"{path}: no such file")
    try:
        data = file.read_bytes()
    except OSError as error:
        raise InputError(f"{path}: cannot be read ({error.strerror})") from None
    if b"\x00" in data:
        raise InputError(f"{name}: not a CSV text file; save it as CSV UTF-8")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{name}: not UTF-8 text; save it as CSV UTF-8") from None
    if not text.strip():
        raise InputError(f"{name}: the file is empty; the first row must hold the column names")
    first_line = text.partition("\n")[0]
    counts = {d: re.sub(r'"[^"]*"', "", first_line).count(d) for d in DELIMITERS}
    delimiter = max(DELIMITERS, key=lambda d: counts[d]) if any(counts.values()) else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        header = [cell.replace("\ufeff", "").strip().lower() for cell in next(reader)]
        duplicated = sorted({column for column in header if column and header.count(column) > 1})
        if duplicated:
            raise InputError(f"{name}: column {duplicated[0]} appears more than once")
        missing = [column for column in required if column not in header]
        if missing:
            raise InputError(f"{name}: missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
                             f"(the columns are {', '.join(required + optional)})")
        wanted = [(position, column) for position, column in enumerate(header) if column in required + optional]
        for number, cells in enumerate(reader, start=1):
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) > len(header) and any(cell.strip() for cell in cells[len(header):]):
                raise InputError(f"{name}, row {number}: more cells than the header has columns")
            rows.append((number, {column: cells[position].strip() if position < len(cells) else ""
                                  for position, column in wanted}))
    except csv.Error as error:
        raise InputError(f"{name}, line {reader.line_num}: unreadable CSV ({error}); put quotes around whole "
                         "cells only") from None
    return _Csv(name, rows, header)


def parse_minor(text: str, where: str, column: str) -> int:
    """A plain decimal with at most 2 decimals → integer hundredths (minor units or basis points)."""
    match = _DECIMAL.fullmatch(text)
    if not text:
        raise InputError(f"{where}: {column} is empty")
    if match is None:
        if _TOO_PRECISE.fullmatch(text):
            raise InputError(f"{where}: {column} \"{text}\" has more than 2 decimals")
        raise InputError(f"{where}: {column} \"{text}\" is not a plain decimal number; write it like "
                         "1234567.89 or -500.00 (digits, an optional minus, '.' and at most 2 decimals)")
    sign, whole, fraction = match.groups()
    if len(whole.lstrip("0")) > _MAX_DIGITS:
        raise InputError(f"{where}: {column} \"{text}\" is too large (it must be below 10^15)")
    value = int(whole) * 100 + int((fraction or "").ljust(2, "0"))
    return -value if sign else value


def _side(table: _Csv) -> tuple[pd.DataFrame, dict[str, str]]:
    """A payments or receipts file as an engine frame, and its currencies → the first row naming each."""
    keys: dict[str, list[str]] = {column: [] for column in engine.KEY}
    amounts: list[int] = []
    currencies: dict[str, str] = {}
    for number, row in table.rows:
        where = f"{table.name}, row {number}"
        for column in engine.KEY[:3]:
            if not row[column]:
                raise InputError(f"{where}: {column} is empty")
        for column in engine.KEY:
            keys[column].append(row.get(column, ""))
        amounts.append(parse_minor(row["amount"], where, "amount"))
        currency = row.get("currency", "").upper()
        if currency:
            if currency not in money.CURRENCY_EXPONENT:
                raise InputError(f"{where}: currency \"{row['currency']}\" is not supported (KGS or USD)")
            currencies.setdefault(currency, where)
    frame = pd.DataFrame({column: np.array(values, dtype=object) for column, values in keys.items()})
    frame["amount_minor"] = np.array(amounts, dtype=np.int64)
    return frame, currencies


def _margins(table: _Csv) -> pd.DataFrame:
    """The margins file as an engine frame (margin_bp, floor_minor)."""
    streams: dict[str, int] = {}
    bp: list[int] = []
    floor: list[int] = []
    for number, row in table.rows:
        where = f"{table.name}, row {number}"
        stream = row["revenue_stream"]
        if not stream:
            raise InputError(f"{where}: revenue_stream is empty")
        if stream in streams:
            raise InputError(f"{where}: revenue_stream {stream} already has a margin (row {streams[stream]})")
        streams[stream] = number
        pct = row["margin_pct"].removesuffix("%").strip()
        bp.append(parse_minor(pct, where, "margin_pct") if pct else 0)
        floor.append(parse_minor(row["margin_floor"], where, "margin_floor") if row["margin_floor"] else 0)
        if bp[-1] < 0 or floor[-1] < 0:
            raise InputError(f"{where}: a margin cannot be negative")
    return pd.DataFrame({"revenue_stream": np.array(list(streams), dtype=object),
                         "margin_bp": np.array(bp, dtype=np.int64), "floor_minor": np.array(floor, dtype=np.int64)})


def _write_csv(path: Path, header: list[str], columns: list[pd.Series | np.ndarray]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(zip(*(np.asarray(column, dtype=object) for column in columns)))


def _write_summary(path: Path, summary: pd.DataFrame, key: str, currency: str) -> None:
    amounts = [engine.format_amounts(summary[column], currency) for column in engine.SUMMARY_AMOUNTS]
    counts = [summary[column].astype(str) for column in ["lines"] + CLI_STATUSES]
    _write_csv(path, [key] + SUMMARY_HEADER, [summary[key]] + amounts + counts)


def reconcile_files(payments_path: str, receipts_path: str, margins_path: str | None, out_dir: str) -> dict:
    """Read the files, reconcile, write lines.csv, the two summaries and summary.json; return the summary."""
    payments, paid_in = _side(_read_csv(payments_path, SIDE_REQUIRED, SIDE_OPTIONAL))
    receipts, received_in = _side(_read_csv(receipts_path, SIDE_REQUIRED, SIDE_OPTIONAL))
    currencies = dict(paid_in)
    for code, where in received_in.items():
        currencies.setdefault(code, where)
    if len(currencies) > 1:
        (first, first_where), (second, second_where) = list(currencies.items())[:2]
        raise InputError(f"mixed currencies: {first} ({first_where}) and {second} ({second_where}); "
                         "one currency per run")
    currency = next(iter(currencies), "KGS")
    margins = _margins(_read_csv(margins_path, MARGIN_REQUIRED, [])) if margins_path else None
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise InputError(f"{out_dir}: exists and is not a directory")
    try:
        lines = engine.reconcile(payments, receipts, margins, currency=currency)
    except engine.ReconciliationInputError as error:
        raise InputError(str(error)) from None
    out.mkdir(parents=True, exist_ok=True)

    _write_csv(out / "lines.csv", LINE_HEADER, [
        lines["company_inn"], lines["revenue_stream"], lines["government_entity"], lines["project"],
        engine.format_amounts(lines["company_final"], currency),
        engine.format_amounts(lines["government_final"], currency),
        engine.format_amounts(lines["final_gap"], currency),
        engine.format_pcts(lines["gap_pct"]), lines["status"]])
    _write_summary(out / "summary_by_stream.csv", engine.summary_by_stream(lines), "revenue_stream", currency)
    _write_summary(out / "summary_by_company.csv", engine.summary_by_company(lines), "company_inn", currency)
    totals = engine.totals(lines)
    summary = {
        "totals": {name: engine.format_amount(totals[name], currency) for name in engine.SUMMARY_AMOUNTS},
        "coverage_pct": None if totals["coverage_bp"] is None else engine.format_pct(totals["coverage_bp"]),
        "counts": {"lines": totals["lines"], **{name: totals["counts"][name] for name in CLI_STATUSES}},
        "currency": currency,
    }
    (out / "summary.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return summary


@click.command("reconcile")
@click.option("--payments", "payments_path", required=True, metavar="P.csv",
              help="Company payments: company_inn, revenue_stream, government_entity, project, amount[, currency].")
@click.option("--receipts", "receipts_path", required=True, metavar="R.csv",
              help="Government receipts, same columns.")
@click.option("--margins", "margins_path", default=None, metavar="M.csv",
              help="Margins of variance: revenue_stream, margin_pct, margin_floor (none: 0 and 0).")
@click.option("--out", "out_dir", required=True, metavar="DIR",
              help="Directory for lines.csv, summary_by_stream.csv, summary_by_company.csv, summary.json.")
@click.pass_context
def reconcile_command(ctx: click.Context, payments_path: str, receipts_path: str, margins_path: str | None,
                      out_dir: str) -> None:
    """Reconcile company payments against government receipts from CSV files (INTERFACES.md §5)."""
    try:
        summary = reconcile_files(payments_path, receipts_path, margins_path, out_dir)
    except InputError as error:
        click.echo(f"Error: {error}", err=True)
        ctx.exit(2)
    counts = summary["counts"]
    click.echo(f"{counts['lines']} lines: " + ", ".join(f"{counts[name]} {name}" for name in CLI_STATUSES)
               + f"; coverage {summary['coverage_pct'] or '-'} %; written to {out_dir}")


if __name__ == "__main__":
    reconcile_command()
