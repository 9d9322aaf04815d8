"""Reconciliation runs and lines stored directly, for the tests of discrepancy queries and what they notify."""
from __future__ import annotations

from decimal import Decimal

from esg_portal.eiti.models import ReconciliationLine, ReconciliationRun
from esg_portal.extensions import db
from esg_portal.money import to_minor


def minor(amount: str) -> int:
    return to_minor(Decimal(amount), "KGS")


def make_line(position: int, inn: str, stream: str, entity: str, company: str | None, government: str | None,
              status: str = "discrepancy", project: str = "") -> ReconciliationLine:
    c = minor(company) if company is not None else None
    g = minor(government) if government is not None else None
    gap = g - c if c is not None and g is not None else None
    return ReconciliationLine(position=position, company_inn=inn, revenue_stream=stream, government_entity=entity,
                              project=project, company_initial_minor=c, government_initial_minor=g,
                              initial_gap_minor=gap, company_adjustment_minor=0 if c is not None else None,
                              government_adjustment_minor=0 if g is not None else None, company_final_minor=c,
                              government_final_minor=g, final_gap_minor=gap, status=status)


def make_run(period_id: int, number: int, lines: list[ReconciliationLine], run_by: int | None = None) -> int:
    run = ReconciliationRun(period_id=period_id, number=number, run_by_id=run_by, currency="KGS", rules={},
                            inputs={}, summary={}, lines=lines)
    db.session.add(run)
    db.session.commit()
    return run.id
