"""The one bridge from live data to the engine: a period's filings, receipts, settings and adjustments as frames.

No request code here and no permission checks (``eiti.runs`` checks who asks). What is read:

- **payments** — of each company, the latest version whose status is submitted, queried,
  answered or accepted (never a draft, never a superseded version); one row per payment line;
- **receipts** — of each agency, the latest submitted batch; the batch's agency is the
  government entity of every receipt in it;
- amounts in minor units with their currency; USD rows are converted by the engine at the
  period's rate, and a period with USD rows but no rate is refused (``ValidationError``);
- **margins** — per stream from ``PeriodStreamSetting`` (a stream never set: 0 % and 0);
- **scope** — in scope are the companies whose government total over *Included* streams
  reaches the period's threshold (no threshold set: every company the government reports a
  payment from over those streams), then the secretariat's overrides put companies in or out;
  a company with a usable filing has reported, even a nil one; streams marked *Not applicable*
  are not applicable to everyone;
- streams marked **Not included** are left out of the line table (neither side's rows, nor
  adjustments), but what the government received under them still counts in the denominator of
  coverage, which EITI.md Part A §6 defines over *total* government extractive revenue: see
  ``EngineInputs.government_not_included``;
- **adjustments** — the period's accepted ones only, keyed by company INN, stream, entity and
  project.

``load_inputs`` also returns the two records stored with a run: ``inputs`` (every filing and
batch version used, with its sha256, the adjustments, and ``names``: the register's names the
run was made with, see ``register_names``) and ``rules`` (rate, threshold, inclusion and margins
per stream, scope overrides with their reasons).
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..companies.models import Company, License
from ..disclosure.models import Disclosure, DisclosureStatus, PaymentLine
from ..errors import ValidationError
from ..extensions import db
from ..money import format_plain, rate_from_scaled
from ..receipts.models import BatchStatus, GovernmentReceipt, ReceiptBatch
from ..reference.models import (GfsCode, GovernmentEntity, PeriodStreamSetting, ReportingPeriod, RevenueStream,
                                ScopeOverride, StreamInclusion)
from . import reconciliation as engine
from .models import Adjustment, AdjustmentStatus

#: filing statuses whose latest version enters a run
USABLE_FILING_STATUSES = (DisclosureStatus.SUBMITTED, DisclosureStatus.QUERIED, DisclosureStatus.ANSWERED,
                          DisclosureStatus.ACCEPTED)
RUN_CURRENCY = "KGS"
ROW_COLUMNS = ["company_inn", "revenue_stream", "government_entity", "project", "amount_minor", "currency"]
ADJUSTMENT_COLUMNS = ["company_inn", "revenue_stream", "government_entity", "project", "side", "amount_minor",
                      "currency", "reason"]


@dataclass
class EngineInputs:
    """Everything ``reconciliation.reconcile`` needs for one period, plus what a run stores about it."""

    period: ReportingPeriod
    payments: pd.DataFrame
    receipts: pd.DataFrame
    margins: pd.DataFrame
    adjustments: pd.DataFrame
    scope: engine.Scope
    usd_rate_scaled: int | None
    #: KGS minor units the government received under Not included streams (every company);
    #: outside the line table, inside the denominator of coverage
    government_not_included: int
    #: INN → legal name of every company that appears in the inputs
    company_names: dict[str, str]
    rules: dict
    inputs: dict

    @property
    def is_empty(self) -> bool:
        """No usable filing and no submitted receipt batch: nothing to reconcile."""
        return not self.inputs["filings"] and not self.inputs["batches"]

    def reconcile(self) -> pd.DataFrame:
        """The engine's line table for these inputs."""
        return engine.reconcile(self.payments, self.receipts, self.margins, adjustments=self.adjustments,
                                scope=self.scope, usd_rate=self.usd_rate_scaled, currency=RUN_CURRENCY)


# --- the versions used ------------------------------------------------------------------

def latest_filings(period: ReportingPeriod) -> list[Disclosure]:
    """Of each company, the latest version in a usable status (drafts and superseded versions never)."""
    usable = (select(Disclosure.company_id, func.max(Disclosure.version).label("version"))
              .where(Disclosure.period_id == period.id, Disclosure.status.in_(USABLE_FILING_STATUSES))
              .group_by(Disclosure.company_id).subquery())
    stmt = (select(Disclosure)
            .join(usable, (Disclosure.company_id == usable.c.company_id) & (Disclosure.version == usable.c.version))
            .where(Disclosure.period_id == period.id)
            .options(selectinload(Disclosure.company))
            .order_by(Disclosure.company_id))
    return list(db.session.scalars(stmt))


def latest_batches(period: ReportingPeriod) -> list[ReceiptBatch]:
    """Of each agency, the latest submitted receipt batch (drafts and superseded batches never)."""
    submitted = (select(ReceiptBatch.agency_id, func.max(ReceiptBatch.version).label("version"))
                 .where(ReceiptBatch.period_id == period.id, ReceiptBatch.status == BatchStatus.SUBMITTED)
                 .group_by(ReceiptBatch.agency_id).subquery())
    stmt = (select(ReceiptBatch)
            .join(submitted, (ReceiptBatch.agency_id == submitted.c.agency_id)
                  & (ReceiptBatch.version == submitted.c.version))
            .where(ReceiptBatch.period_id == period.id)
            .options(selectinload(ReceiptBatch.agency))
            .order_by(ReceiptBatch.agency_id))
    return list(db.session.scalars(stmt))


# --- rows -------------------------------------------------------------------------------

def _frame(rows: list[tuple], columns: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(rows, columns=columns)
    # the engine takes int64 amounts; an empty frame would otherwise be object
    return frame.astype({"amount_minor": "int64"})


def _payment_rows(disclosure_ids: list[int]) -> list[tuple]:
    if not disclosure_ids:
        return []
    stmt = (select(Company.inn, RevenueStream.code, GovernmentEntity.code, License.number,
                   PaymentLine.amount_minor, PaymentLine.currency)
            .join(Disclosure, PaymentLine.disclosure_id == Disclosure.id)
            .join(Company, Disclosure.company_id == Company.id)
            .join(RevenueStream, PaymentLine.revenue_stream_id == RevenueStream.id)
            .join(GovernmentEntity, PaymentLine.government_entity_id == GovernmentEntity.id)
            .outerjoin(License, PaymentLine.license_id == License.id)
            .where(PaymentLine.disclosure_id.in_(disclosure_ids))
            .order_by(PaymentLine.id))
    return [(inn, stream, entity, project or "", int(amount), currency)
            for inn, stream, entity, project, amount, currency in db.session.execute(stmt)]


def _receipt_rows(batch_ids: list[int]) -> list[tuple]:
    if not batch_ids:
        return []
    stmt = (select(Company.inn, RevenueStream.code, GovernmentEntity.code, License.number,
                   GovernmentReceipt.amount_minor, GovernmentReceipt.currency, Company.legal_name)
            .join(ReceiptBatch, GovernmentReceipt.batch_id == ReceiptBatch.id)
            .join(GovernmentEntity, ReceiptBatch.agency_id == GovernmentEntity.id)
            .join(Company, GovernmentReceipt.company_id == Company.id)
            .join(RevenueStream, GovernmentReceipt.revenue_stream_id == RevenueStream.id)
            .outerjoin(License, GovernmentReceipt.license_id == License.id)
            .where(GovernmentReceipt.batch_id.in_(batch_ids))
            .order_by(GovernmentReceipt.id))
    return [(inn, stream, entity, project or "", int(amount), currency, name)
            for inn, stream, entity, project, amount, currency, name in db.session.execute(stmt)]


def _accepted_adjustments(period: ReportingPeriod) -> list[Adjustment]:
    return list(db.session.scalars(select(Adjustment).where(
        Adjustment.period_id == period.id, Adjustment.status == AdjustmentStatus.ACCEPTED).order_by(Adjustment.id)))


# --- settings ---------------------------------------------------------------------------

def stream_settings(period: ReportingPeriod) -> list[dict]:
    """Every revenue stream with its inclusion and margin for the period (defaults when never set)."""
    stored = {s.revenue_stream_id: s for s in db.session.scalars(
        select(PeriodStreamSetting).where(PeriodStreamSetting.period_id == period.id))}
    result = []
    for stream in db.session.scalars(select(RevenueStream).order_by(RevenueStream.sort_order, RevenueStream.code)):
        setting = stored.get(stream.id)
        result.append({
            "revenue_stream": stream.code,
            "inclusion": (setting.inclusion if setting else StreamInclusion.INCLUDED).value,
            "margin_bp": int(setting.margin_bp) if setting else 0,
            "floor_minor": int(setting.floor_minor) if setting else 0,
        })
    return result


def _refuse_usd_without_rate(period: ReportingPeriod, frames: dict[str, pd.DataFrame]) -> None:
    if period.usd_rate_scaled:
        return
    with_usd = [name for name, frame in frames.items() if len(frame) and (frame["currency"] == "USD").any()]
    if with_usd:
        message = _("Some amounts of %(year)s are in USD, but the period has no USD rate. Enter the National Bank's "
                    "rate in the period settings, then run the reconciliation again.", year=period.year)
        raise ValidationError({"usd_rate": [message]}, message)


def _government_totals(receipts: pd.DataFrame, streams: set[str], rate: int | None) -> pd.Series:
    """Per INN, the government's KGS total over ``streams`` (USD converted at the period rate)."""
    chosen = receipts[receipts["revenue_stream"].isin(streams)]
    if chosen.empty:
        return pd.Series(dtype="int64")
    converted = engine.convert_currency(chosen[ROW_COLUMNS], RUN_CURRENCY, rate, name="receipts")
    return converted.groupby("company_inn")["amount_minor"].sum().astype("int64")


# --- the names of the register --------------------------------------------------------

#: the languages of reference names (``NamedMixin``)
NAME_LANGUAGES = ("en", "ru", "ky")


def _named(record) -> dict[str, str]:
    return {f"name_{language}": getattr(record, f"name_{language}", "") or "" for language in NAME_LANGUAGES}


def register_names(company_inns) -> dict:
    """The register's names as they stand, for a run to keep: what its report shows however the register changes.

    ``companies`` INN → legal name (the INNs given that the register knows); ``revenue_streams``
    code → {name_en, name_ru, name_ky, gfs_code}; ``gfs_codes`` code → {name_en, name_ru, name_ky}
    (those of the streams); ``government_entities`` code → {name_en, name_ru, name_ky}. Every
    stream and entity is kept (the register holds a few dozen), since the rules list every stream.
    """
    inns = sorted({str(inn) for inn in company_inns if inn})
    companies = dict(db.session.execute(select(Company.inn, Company.legal_name)
                                        .where(Company.inn.in_(inns))).all()) if inns else {}
    streams = list(db.session.scalars(select(RevenueStream).options(selectinload(RevenueStream.gfs_code))
                                      .order_by(RevenueStream.code)))
    gfs: dict[str, GfsCode] = {s.gfs_code.code: s.gfs_code for s in streams if s.gfs_code is not None}
    return {
        "companies": {inn: companies[inn] for inn in inns if inn in companies},
        "revenue_streams": {s.code: {**_named(s), "gfs_code": s.gfs_code.code if s.gfs_code is not None else None}
                            for s in streams},
        "gfs_codes": {code: _named(record) for code, record in sorted(gfs.items())},
        "government_entities": {e.code: _named(e) for e in db.session.scalars(
            select(GovernmentEntity).order_by(GovernmentEntity.code))},
    }


# --- the whole set ----------------------------------------------------------------------

def load_inputs(period: ReportingPeriod) -> EngineInputs:
    """The engine's inputs for ``period`` with the ``rules`` and ``inputs`` records of a run (see the module doc)."""
    filings = latest_filings(period)
    batches = latest_batches(period)
    streams = stream_settings(period)
    inclusion = {s["revenue_stream"]: s["inclusion"] for s in streams}
    included = {code for code, kind in inclusion.items() if kind == StreamInclusion.INCLUDED.value}
    not_included = {code for code, kind in inclusion.items() if kind == StreamInclusion.NOT_INCLUDED.value}
    not_applicable = sorted(code for code, kind in inclusion.items() if kind == StreamInclusion.NOT_APPLICABLE.value)

    payments = _frame(_payment_rows([d.id for d in filings]), ROW_COLUMNS)
    receipt_rows = _receipt_rows([b.id for b in batches])
    receipts = _frame([row[:6] for row in receipt_rows], ROW_COLUMNS)
    adjustments_used = [a for a in _accepted_adjustments(period) if a.revenue_stream not in not_included]
    adjustments = _frame([(a.company_inn, a.revenue_stream, a.government_entity, a.project or "", a.side,
                           int(a.amount_minor), a.currency, a.reason) for a in adjustments_used], ADJUSTMENT_COLUMNS)
    _refuse_usd_without_rate(period, {"payments": payments, "receipts": receipts, "adjustments": adjustments})
    rate = period.usd_rate_scaled or None

    # scope: the government's totals over Included streams against the threshold, then the overrides
    threshold = period.company_threshold_minor
    totals = _government_totals(receipts, included, rate)
    in_scope = {str(inn) for inn, total in totals.items() if total >= (threshold or 0)}
    overrides = list(db.session.execute(
        select(ScopeOverride, Company.inn, Company.legal_name).join(Company, ScopeOverride.company_id == Company.id)
        .where(ScopeOverride.period_id == period.id).order_by(Company.inn)))
    for override, inn, _name in overrides:
        (in_scope.add if override.is_in_scope else in_scope.discard)(inn)
    reported = {d.company.inn for d in filings}
    not_participating = {inn: override.reason for override, inn, _name in overrides
                         if override.is_in_scope and not override.is_participating}
    scope = engine.Scope.of(in_scope=in_scope, reported=reported, not_participating=not_participating,
                            not_applicable=[("", code) for code in not_applicable])

    government_not_included = int(_government_totals(receipts, not_included, rate).sum())
    keep = ~payments["revenue_stream"].isin(not_included)
    payments = payments[keep].reset_index(drop=True)
    receipts = receipts[~receipts["revenue_stream"].isin(not_included)].reset_index(drop=True)
    margins = pd.DataFrame({"revenue_stream": [s["revenue_stream"] for s in streams],
                            "margin_bp": pd.array([s["margin_bp"] for s in streams], dtype="int64"),
                            "floor_minor": pd.array([s["floor_minor"] for s in streams], dtype="int64")})

    names = {d.company.inn: d.company.legal_name for d in filings}
    names.update({row[0]: row[6] for row in receipt_rows})
    names.update({inn: name for _override, inn, name in overrides})
    rules = {
        "currency": RUN_CURRENCY,
        "usd_rate": f"{rate_from_scaled(rate):f}" if rate else None,
        "usd_rate_scaled": rate,
        "usd_rate_source": period.usd_rate_source,
        "threshold_minor": threshold,
        "threshold": format_plain(threshold, RUN_CURRENCY) if threshold is not None else None,
        "streams": streams,
        "scope_overrides": [{"company_inn": inn, "company_name": name, "is_in_scope": override.is_in_scope,
                             "is_participating": override.is_participating, "reason": override.reason}
                            for override, inn, name in overrides],
        "in_scope": sorted(in_scope),
        "not_participating": not_participating,
    }
    inputs = {
        "filings": [{"company_inn": d.company.inn, "disclosure_id": d.id, "version": d.version,
                     "status": d.status.value, "sha256": d.sha256} for d in sorted(filings, key=lambda d: d.company.inn)],
        "batches": [{"agency": b.agency.code, "batch_id": b.id, "version": b.version, "sha256": b.sha256}
                    for b in sorted(batches, key=lambda b: b.agency.code)],
        "adjustments": [{"adjustment_id": a.id, "company_inn": a.company_inn, "revenue_stream": a.revenue_stream,
                         "government_entity": a.government_entity, "project": a.project or "", "side": a.side,
                         "amount_minor": int(a.amount_minor), "currency": a.currency, "reason": a.reason}
                        for a in adjustments_used],
    }
    inputs["names"] = register_names(set(payments["company_inn"]) | set(receipts["company_inn"])
                                     | set(adjustments["company_inn"]) | set(names))
    return EngineInputs(period=period, payments=payments, receipts=receipts, margins=margins,
                        adjustments=adjustments, scope=scope, usd_rate_scaled=rate,
                        government_not_included=government_not_included, company_names=names,
                        rules=rules, inputs=inputs)
