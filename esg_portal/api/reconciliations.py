"""Secretariat endpoints: run a period's reconciliation, read a run's lines (INTERFACES.md §4).

``POST /reconciliations/{year}`` runs the engine and answers the stored run's summary;
``GET /reconciliations/{year}/lines`` answers the line table of the latest run (``?run=N`` for
run N). Amounts are 2-decimal strings in the run's currency, null where a side has none;
percentages likewise. Only the EITI secretariat may call them (403 for every other role).
"""
from __future__ import annotations

from typing import Any

from flask import jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.models import User
from ..accounts.permissions import can_reconcile
from ..disclosure.document import iso_utc
from ..eiti import reconciliation as engine
from ..eiti import runs
from ..eiti.models import ReconciliationRun
from ..errors import NotFound, PermissionDenied
from ..extensions import db
from ..validation import whole_number
from . import bp
from .bodies import BadRequest

#: line fields of the answer, in order: the key, the amounts, the percentages, status and explanation
AMOUNT_FIELDS = ["company_initial", "government_initial", "initial_gap", "company_adjustment",
                 "government_adjustment", "company_final", "government_final", "final_gap"]
PERCENT_FIELDS = ["gap_pct", "pct_of_government_total"]


def _secretariat(actor: User) -> None:
    """403 with a message that says who may call, for every role but the secretariat."""
    if not can_reconcile(actor):
        raise PermissionDenied(_("Reconciliations are run and read by the EITI secretariat only, and this token "
                                 "belongs to an account of another role."))


def _money(minor: int | None, currency: str) -> str | None:
    return None if minor is None else engine.format_amount(minor, currency)


def _pct(bp: int | None) -> str | None:
    return None if bp is None else engine.format_pct(bp)


def summary_object(run: ReconciliationRun) -> dict[str, Any]:
    """The answer of POST /reconciliations/{year}: the stored run's summary, money as strings."""
    summary, currency = run.summary, run.currency
    return {
        "year": run.period.year,
        "run": run.number,
        "run_at": iso_utc(run.run_at),
        "currency": currency,
        "totals": {name: _money(summary["totals"][name], currency) for name in engine.SUMMARY_AMOUNTS},
        "lines": summary["lines"],
        "counts": {status: int(summary["counts"].get(status, 0)) for status in engine.STATUSES},
        "coverage_pct": _pct(summary["coverage_bp"]),
        "non_reporting": [{"company_inn": row["company_inn"], "company_name": row["company_name"],
                           "status": row["status"], "reason": row["reason"],
                           "government_amount": _money(row["government_amount"], currency), "lines": row["lines"]}
                          for row in summary["non_reporting"]],
    }


def line_objects(run: ReconciliationRun) -> list[dict[str, Any]]:
    """The run's line table as JSON objects, in the engine's order."""
    frame = runs.lines_frame(run)
    columns: dict[str, list] = {name: frame[name].astype(object).tolist() for name in engine.KEY}
    for name in AMOUNT_FIELDS + PERCENT_FIELDS:
        text = engine.format_pcts(frame[name]) if name in PERCENT_FIELDS else engine.format_amounts(frame[name],
                                                                                                 run.currency)
        columns[name] = text.where(frame[name].notna().to_numpy(), None).astype(object).tolist()
    columns["status"] = frame["status"].astype(object).tolist()
    columns["explanation"] = frame["explanation"].astype(object).tolist()
    names = list(columns)
    return [dict(zip(names, values)) for values in zip(*(columns[name] for name in names))]


def run_for_lines(actor: User, year: int, number: str | None) -> ReconciliationRun:
    """The latest run of the period, or run ``number``; 404 ``no_run`` when there is none."""
    _secretariat(actor)
    if number is not None:
        # ASCII digits only (int() reads "٣" and fails on "²"), and few enough for the database
        value = whole_number(number, max_digits=9)
        if value is None or value < 1:
            raise BadRequest(_("The parameter “run” must be a run number: 1, 2, 3 …"))
        run = runs.run_by_number(actor, year, value)
        if run is None:
            raise NotFound(_("There is no reconciliation run %(number)s for %(year)s.", number=number, year=year),
                           code="no_run")
        return run
    run = runs.latest_run(actor, year)
    if run is None:
        raise NotFound(_("No reconciliation has been run for %(year)s yet: run one with POST "
                         "/api/v1/reconciliations/%(year)s.", year=year), code="no_run")
    return run


@bp.post("/reconciliations/<int:year>")
def run_reconciliation(year: int):
    _secretariat(current_user)
    run = runs.run_reconciliation(current_user, year)
    db.session.commit()
    return jsonify(summary_object(run))


@bp.get("/reconciliations/<int:year>/lines")
def reconciliation_lines(year: int):
    run = run_for_lines(current_user, year, request.args.get("run"))
    return jsonify(run=run.number, data=line_objects(run))
