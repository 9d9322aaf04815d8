"""Stored reconciliation runs: run the engine over a period's live data, keep the result, read it back.

A run stores the rules and the input versions it used, a summary and every line of the
engine's table in the engine's order; it never changes afterwards. ``lines_frame`` gives a
stored run back as the engine's line table, so the engine's summary functions
(``summary_by_stream`` …, ``totals``, ``coverage_bp``) apply to a stored run as to a fresh one.

The summary (``ReconciliationRun.summary``) holds, amounts in minor units of the run's currency:
``totals`` {company_amount, government_amount, gap} and ``lines`` (as ``reconciliation.totals``),
``counts`` per status, ``coverage_bp`` — coverage of total government extractive revenue
(EITI.md Part A §6: the denominator adds ``government_not_included``, what the government received
under streams marked Not included, which are not in the line table), ``line_coverage_bp`` — the
engine's ``coverage_bp`` of the lines alone, ``government_not_included``, ``in_scope`` (number of
in-scope companies) and ``non_reporting`` [{company_inn, company_name, status, reason,
government_amount, lines}]. Every figure but ``government_not_included`` is recomputable from the lines.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json

import numpy as np
import pandas as pd
from flask_babel import gettext as _
from sqlalchemy import func, insert, select

from ..accounts.models import User
from ..accounts.permissions import can_reconcile, require
from ..audit import utcnow
from ..cache import BoundedCache
from ..errors import NotFound, ValidationError
from ..extensions import db
from ..lifecycle import lock_row
from ..reference.models import ReportingPeriod
from ..reference.periods import get_period
from . import reconciliation as engine
from .loaders import EngineInputs, load_inputs
from .models import ReconciliationLine, ReconciliationRun

#: engine column → stored column, for the amount and percentage columns of a line
STORED_COLUMNS = {
    "company_initial": "company_initial_minor", "government_initial": "government_initial_minor",
    "initial_gap": "initial_gap_minor", "company_adjustment": "company_adjustment_minor",
    "government_adjustment": "government_adjustment_minor", "company_final": "company_final_minor",
    "government_final": "government_final_minor", "final_gap": "final_gap_minor",
    "gap_pct": "gap_pct_bp", "pct_of_government_total": "pct_of_government_total_bp",
}
TEXT_COLUMNS = ["company_inn", "revenue_stream", "government_entity", "project", "status", "explanation"]
_INT64_MAX = np.iinfo(np.int64).max
#: line tables of runs by their fingerprint, per worker process: a run never changes, so an entry is never
#: stale; a 20,000-line table is about 5 MB
_FRAMES: BoundedCache[pd.DataFrame] = BoundedCache(16, max_bytes=256 * 2**20,
                                                   size_of=lambda frame: int(frame.memory_usage(deep=False).sum()))
#: the names each run recorded, likewise (``recorded_names``)
_NAMES: BoundedCache[dict] = BoundedCache(16)


def _require(actor: User) -> None:
    require(can_reconcile(actor))


# --- running ----------------------------------------------------------------------------

def run_reconciliation(actor: User, year: int, *, now: dt.datetime | None = None) -> ReconciliationRun:
    """Reconcile the period's latest submitted filings and receipt batches and store the run as number n + 1.

    Refused (``ValidationError``) when nothing was submitted yet, or when USD amounts meet a period
    without a USD rate.
    """
    _require(actor)
    period = get_period(year)
    # one run of a period at a time (the period row is locked on PostgreSQL, the database on SQLite),
    # so that two clicks cannot both take number n + 1
    lock_row(ReportingPeriod, period.id)
    db.session.refresh(period)
    inputs = load_inputs(period)
    if inputs.is_empty:
        message = _("Nothing has been submitted for %(year)s yet: a reconciliation needs at least one submitted "
                    "filing or receipt batch.", year=year)
        raise ValidationError({"year": [message]}, message)
    try:
        lines = inputs.reconcile()
    except engine.ReconciliationInputError as error:
        message = _("The data of %(year)s cannot be reconciled: %(reason)s", year=year, reason=str(error))
        raise ValidationError({"year": [message]}, message) from None
    number = (db.session.scalar(select(func.max(ReconciliationRun.number))
                                .where(ReconciliationRun.period_id == period.id)) or 0) + 1
    run = ReconciliationRun(period_id=period.id, number=number, run_at=now or utcnow(), run_by_id=actor.id,
                            currency=inputs.rules["currency"], rules=inputs.rules, inputs=inputs.inputs,
                            summary=build_summary(lines, inputs))
    db.session.add(run)
    db.session.flush()
    rows = _line_rows(run.id, lines)
    run.lines_sha256 = lines_sha256(rows, run.inputs.get("names"))
    if rows:
        db.session.execute(insert(ReconciliationLine), rows)
    db.session.expire(run, ["lines"])
    db.session.flush()
    return run


def build_summary(lines: pd.DataFrame, inputs: EngineInputs) -> dict:
    """The stored summary of a line table (see the module doc)."""
    figures = engine.totals(lines)
    whole = figures["government_amount"] + inputs.government_not_included
    two_sided = lines["company_final"].notna() & lines["government_final"].notna()
    reconciled_government = int(lines.loc[two_sided, "government_final"].fillna(0).astype("int64").sum())
    silent = engine.non_reporting(lines, inputs.scope)
    return {
        "currency": inputs.rules["currency"],
        "totals": {name: int(figures[name]) for name in engine.SUMMARY_AMOUNTS},
        "lines": int(figures["lines"]),
        "counts": figures["counts"],
        "coverage_bp": engine.percent_bp(reconciled_government, whole) if whole else None,
        "line_coverage_bp": figures["coverage_bp"],
        "government_not_included": inputs.government_not_included,
        "in_scope": len(inputs.scope.in_scope),
        "non_reporting": [
            {"company_inn": row.company_inn, "company_name": inputs.company_names.get(row.company_inn, ""),
             "status": row.status, "reason": row.reason, "government_amount": int(row.government_amount),
             "lines": int(row.lines)}
            for row in silent.itertuples(index=False)],
    }


def _stored_int(value) -> int | None:
    if value is None or value is pd.NA:
        return None
    value = int(value)
    # a percentage beyond int64 (a gap ~10^14 times its base) cannot be stored: kept as missing
    return value if abs(value) <= _INT64_MAX else None


def _line_rows(run_id: int, lines: pd.DataFrame) -> list[dict]:
    columns = {column: lines[column].astype(object).tolist() for column in lines.columns}
    rows = []
    for position in range(len(lines)):
        row = {"run_id": run_id, "position": position + 1}
        for column in TEXT_COLUMNS:
            row[column] = str(columns[column][position] or "")
        for column, stored in STORED_COLUMNS.items():
            row[stored] = _stored_int(columns[column][position])
        rows.append(row)
    return rows


def lines_sha256(rows: list[dict], names: dict | None = None) -> str:
    """SHA-256 of a run's stored line rows (position, key, figures, status, explanation; run id left out)
    and of the names the run recorded: what the report of the run shows of its lines."""
    digest = hashlib.sha256(json.dumps(names or {}, ensure_ascii=False, sort_keys=True).encode())
    for row in rows:
        digest.update(json.dumps([row[name] for name in sorted(row) if name != "run_id"],
                                 ensure_ascii=False, separators=(",", ":")).encode())
        digest.update(b"\n")
    return digest.hexdigest()


# --- reading ----------------------------------------------------------------------------

def list_runs(actor: User, year: int) -> list[ReconciliationRun]:
    """The period's runs, newest first."""
    _require(actor)
    period = get_period(year)
    return list(db.session.scalars(select(ReconciliationRun).where(ReconciliationRun.period_id == period.id)
                                   .order_by(ReconciliationRun.number.desc())))


def get_run(actor: User, run_id: int) -> ReconciliationRun:
    """One run by id; 404 when there is none."""
    _require(actor)
    run = db.session.get(ReconciliationRun, run_id)
    if run is None:
        raise NotFound()
    return run


def latest_run(actor: User, year: int) -> ReconciliationRun | None:
    """The period's newest run, or None."""
    _require(actor)
    period = get_period(year)
    return db.session.scalar(select(ReconciliationRun).where(ReconciliationRun.period_id == period.id)
                             .order_by(ReconciliationRun.number.desc()).limit(1))


def run_by_number(actor: User, year: int, number: int) -> ReconciliationRun | None:
    """Run ``number`` of the period, or None."""
    _require(actor)
    period = get_period(year)
    return db.session.scalar(select(ReconciliationRun).where(ReconciliationRun.period_id == period.id,
                                                             ReconciliationRun.number == number))


def lines_frame(run: ReconciliationRun) -> pd.DataFrame:
    """A stored run's line table with exactly ``reconciliation.LINE_COLUMNS``, in the engine's order (line
    ``position`` n is row n − 1).

    Amounts and percentages are nullable Int64 (minor units and basis points); the key, status
    and explanation are text (project "" at company level). A run with a fingerprint is read
    from the database once per worker process; callers get a copy they may change.
    """
    if run.lines_sha256:
        return _FRAMES.get_or_build(_run_key(run), lambda: _read_lines(run)).copy()
    return _read_lines(run)


def _run_key(run: ReconciliationRun) -> str:
    """What a run's caches are kept under: its id and the fingerprint of its lines and names."""
    return f"{run.id}:{run.lines_sha256}"


def _nullable_int64(values) -> pd.arrays.IntegerArray:
    """Stored integers (None for missing) as a nullable Int64 array, without pandas' per-value inference."""
    objects = np.array(values, dtype=object)
    missing = pd.isna(objects)
    return pd.arrays.IntegerArray(np.where(missing, 0, objects).astype(np.int64), missing)


def recorded_names(run: ReconciliationRun) -> dict:
    """The names the run was made with (``inputs["names"]``, see ``loaders.register_names``), read once per
    worker process for a run with a fingerprint; {} on a run made before runs kept them."""
    def read() -> dict:
        return (run.inputs or {}).get("names") or {}

    return _NAMES.get_or_build(_run_key(run), read) if run.lines_sha256 else read()


def _read_lines(run: ReconciliationRun) -> pd.DataFrame:
    stored = [getattr(ReconciliationLine, STORED_COLUMNS.get(column, column)) for column in engine.LINE_COLUMNS]
    rows = db.session.execute(select(*stored).where(ReconciliationLine.run_id == run.id)
                              .order_by(ReconciliationLine.position)).all()
    columns = list(zip(*rows)) if rows else [()] * len(engine.LINE_COLUMNS)
    data = {}
    for column, values in zip(engine.LINE_COLUMNS, columns):
        if column in STORED_COLUMNS:
            data[column] = _nullable_int64(values)
        else:
            data[column] = pd.Series(values, dtype=object)
    return pd.DataFrame(data, columns=engine.LINE_COLUMNS)


def run_scope(run: ReconciliationRun) -> engine.Scope:
    """The scope a run used, rebuilt from its rules (for ``reconciliation.non_reporting`` on a stored run)."""
    rules = run.rules or {}
    not_applicable = [("", s["revenue_stream"]) for s in rules.get("streams", []) if s["inclusion"] == "not_applicable"]
    reported = [f["company_inn"] for f in (run.inputs or {}).get("filings", [])]
    return engine.Scope.of(in_scope=rules.get("in_scope", []), reported=reported,
                           not_participating=rules.get("not_participating") or {}, not_applicable=not_applicable)
