"""Stored reconciliation runs, their line tables, discrepancy queries and adjustments.

A run is a snapshot: the rules and the input versions it used are stored with it, and its
lines never change afterwards. Queries and adjustments are keyed to a line's key (company
INN, stream, entity, project) and to the period, not to a run's line, so they survive
re-runs (EITI.md Part A §5).
"""
from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..audit import Audited, utcnow
from ..companies.models import Company
from ..disclosure.models import EvidenceFileMixin
from ..extensions import UtcDateTime, db, value_enum
from ..reference.models import GovernmentEntity, ReportingPeriod


class ReconciliationRun(Audited, db.Model):
    """One run of the engine over a period's latest submitted filings and receipt batches."""

    __tablename__ = "reconciliation_run"
    __table_args__ = (UniqueConstraint("period_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("reporting_period.id"), index=True)
    #: 1, 2, 3 … within the period
    number: Mapped[int] = mapped_column(Integer)
    run_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    run_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    #: currency of every amount of the run (KGS; USD converted at the period rate)
    currency: Mapped[str] = mapped_column(String(3), default="KGS")
    #: the rules used: rate, threshold, margins and inclusion per stream, scope overrides
    rules: Mapped[dict] = mapped_column(JSON)
    #: the inputs used: filing versions (id, version, sha256) and receipt batch versions
    #: (deferred: thousands of filings and names at national scale, read only where needed)
    inputs: Mapped[dict] = mapped_column(JSON, deferred=True)
    #: totals, counts, coverage and the non-reporting list, as computed by the engine
    summary: Mapped[dict] = mapped_column(JSON)
    #: SHA-256 of the stored lines and recorded names (``runs.lines_sha256``); None on runs made before
    lines_sha256: Mapped[str | None] = mapped_column(String(64))

    period: Mapped[ReportingPeriod] = relationship()
    run_by: Mapped["User | None"] = relationship()  # noqa: F821
    lines: Mapped[list["ReconciliationLine"]] = relationship(
        back_populates="run", cascade="all, delete-orphan", order_by="ReconciliationLine.position"
    )


class ReconciliationLine(db.Model):
    """One line of a run's table, in the engine's order; amounts in minor units of the run's currency.

    Not audited: lines are written once with their run and never change.
    """

    __tablename__ = "reconciliation_line"
    __table_args__ = (UniqueConstraint("run_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("reconciliation_run.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    company_inn: Mapped[str] = mapped_column(String(14))
    revenue_stream: Mapped[str] = mapped_column(String(32))
    government_entity: Mapped[str] = mapped_column(String(32))
    #: licence number, "" when the line is at company level
    project: Mapped[str] = mapped_column(String(64), default="")
    company_initial_minor: Mapped[int | None] = mapped_column(BigInteger)
    government_initial_minor: Mapped[int | None] = mapped_column(BigInteger)
    initial_gap_minor: Mapped[int | None] = mapped_column(BigInteger)
    company_adjustment_minor: Mapped[int | None] = mapped_column(BigInteger)
    government_adjustment_minor: Mapped[int | None] = mapped_column(BigInteger)
    company_final_minor: Mapped[int | None] = mapped_column(BigInteger)
    government_final_minor: Mapped[int | None] = mapped_column(BigInteger)
    final_gap_minor: Mapped[int | None] = mapped_column(BigInteger)
    #: final gap ÷ government (company when government is 0) in basis points of a percent
    gap_pct_bp: Mapped[int | None] = mapped_column(BigInteger)
    pct_of_government_total_bp: Mapped[int | None] = mapped_column(BigInteger)
    #: one of reconciliation.STATUSES
    status: Mapped[str] = mapped_column(String(20))
    #: the distinct reason codes of the accepted adjustments, comma-separated
    explanation: Mapped[str] = mapped_column(String(255), default="")

    run: Mapped[ReconciliationRun] = relationship(back_populates="lines")


class AddressedTo(str, enum.Enum):
    COMPANY = "company"
    AGENCY = "agency"


class DiscrepancyQueryStatus(str, enum.Enum):
    OPEN = "open"
    ANSWERED = "answered"
    CLOSED = "closed"


class LineKeyMixin:
    """The key of a reconciliation line within a period, which outlives any one run."""

    company_inn: Mapped[str] = mapped_column(String(14))
    revenue_stream: Mapped[str] = mapped_column(String(32))
    government_entity: Mapped[str] = mapped_column(String(32))
    project: Mapped[str] = mapped_column(String(64), default="")

    @property
    def line_key(self) -> tuple[str, str, str, str]:
        return (self.company_inn, self.revenue_stream, self.government_entity, self.project)


class DiscrepancyQuery(LineKeyMixin, Audited, db.Model):
    """The secretariat's question about one reconciliation line, to the company or to the agency."""

    __tablename__ = "discrepancy_query"

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("reporting_period.id"), index=True)
    #: the run whose line prompted the question
    run_id: Mapped[int | None] = mapped_column(ForeignKey("reconciliation_run.id", ondelete="SET NULL"))
    addressed_to: Mapped[AddressedTo] = mapped_column(value_enum(AddressedTo))
    #: the company asked (addressed_to company) — None for an agency question
    company_id: Mapped[int | None] = mapped_column(ForeignKey("company.id"), index=True)
    #: the agency asked (addressed_to agency) — None for a company question
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("government_entity.id"), index=True)
    status: Mapped[DiscrepancyQueryStatus] = mapped_column(value_enum(DiscrepancyQueryStatus),
                                                           default=DiscrepancyQueryStatus.OPEN)
    question: Mapped[str] = mapped_column(Text)
    raised_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    raised_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    answered_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    #: the secretariat recorded an explanation the company or agency gave outside the portal (by letter,
    #: phone, at a meeting…): the answer is theirs, written down by ``answered_by``
    recorded_by_secretariat: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    #: for a recorded explanation: who gave it (name and position) and how (``EXPLANATION_CHANNELS``)
    informant: Mapped[str | None] = mapped_column(String(255))
    channel: Mapped[str | None] = mapped_column(String(16))

    period: Mapped[ReportingPeriod] = relationship()
    company: Mapped[Company | None] = relationship()
    agency: Mapped[GovernmentEntity | None] = relationship()
    raised_by: Mapped["User | None"] = relationship(foreign_keys=[raised_by_id])  # noqa: F821
    answered_by: Mapped["User | None"] = relationship(foreign_keys=[answered_by_id])  # noqa: F821
    adjustments: Mapped[list["Adjustment"]] = relationship(back_populates="query", order_by="Adjustment.id")
    #: the files sent with the answer (or attached to a recorded explanation)
    evidence: Mapped[list["DiscrepancyEvidence"]] = relationship(
        back_populates="query", cascade="all, delete-orphan", order_by="DiscrepancyEvidence.id")


#: how an explanation recorded by the secretariat was given
EXPLANATION_CHANNELS = ("letter", "email", "phone", "meeting", "other")


class DiscrepancyEvidence(EvidenceFileMixin, Audited, db.Model):
    """A file sent with the answer to a discrepancy query, or attached to an explanation the secretariat
    recorded; it belongs to the query (an agency officer has no company to file it under)."""

    __tablename__ = "discrepancy_evidence"
    #: one copy of a file per question
    __table_args__ = (UniqueConstraint("query_id", "sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    query_id: Mapped[int] = mapped_column(ForeignKey("discrepancy_query.id", ondelete="CASCADE"), index=True)

    query: Mapped[DiscrepancyQuery] = relationship(back_populates="evidence")


class AdjustmentStatus(str, enum.Enum):
    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class Adjustment(LineKeyMixin, Audited, db.Model):
    """A proposed correction of one side of a line; only accepted ones enter the final figures."""

    __tablename__ = "adjustment"

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("reporting_period.id"), index=True)
    query_id: Mapped[int | None] = mapped_column(ForeignKey("discrepancy_query.id", ondelete="SET NULL"))
    #: "company" or "government" (reconciliation.SIDES)
    side: Mapped[str] = mapped_column(String(16))
    #: signed, in minor units of ``currency`` (KGS: the currency of the runs)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3), default="KGS")
    #: one of reconciliation.REASON_CODES
    reason: Mapped[str] = mapped_column(String(20))
    comment: Mapped[str] = mapped_column(Text)
    #: what supports it: a document reference, payment order number, etc.
    evidence: Mapped[str | None] = mapped_column(Text)
    status: Mapped[AdjustmentStatus] = mapped_column(value_enum(AdjustmentStatus), default=AdjustmentStatus.PROPOSED)
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    proposed_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    decision_comment: Mapped[str | None] = mapped_column(Text)

    period: Mapped[ReportingPeriod] = relationship()
    query: Mapped[DiscrepancyQuery | None] = relationship(back_populates="adjustments")
    proposed_by: Mapped["User | None"] = relationship(foreign_keys=[proposed_by_id])  # noqa: F821
    decided_by: Mapped["User | None"] = relationship(foreign_keys=[decided_by_id])  # noqa: F821
