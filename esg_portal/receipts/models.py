"""ReceiptBatch and GovernmentReceipt: what an agency says it received."""
from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import BigInteger, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..audit import Audited, utcnow
from ..companies.models import Company, License
from ..extensions import UtcDateTime, db, value_enum
from ..lifecycle import VersionedDocument
from ..reference.models import GovernmentEntity, ReportingPeriod, RevenueStream


class BatchStatus(str, enum.Enum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    SUPERSEDED = "superseded"


class ReceiptBatch(VersionedDocument, Audited, db.Model):
    """One version of one agency's receipts for one period (version, revision, submission and
    attestation columns from ``lifecycle``)."""

    __tablename__ = "receipt_batch"
    __table_args__ = (UniqueConstraint("agency_id", "period_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("government_entity.id"), index=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("reporting_period.id"), index=True)
    status: Mapped[BatchStatus] = mapped_column(
        value_enum(BatchStatus),
        default=BatchStatus.DRAFT,
    )
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    #: why this version corrects the previous one
    correction_reason: Mapped[str | None] = mapped_column(Text)

    agency: Mapped[GovernmentEntity] = relationship()
    period: Mapped[ReportingPeriod] = relationship()
    receipts: Mapped[list["GovernmentReceipt"]] = relationship(
        back_populates="batch", cascade="all, delete-orphan", order_by="GovernmentReceipt.id"
    )


class GovernmentReceipt(Audited, db.Model):
    """A period total received from one company for one revenue stream."""

    __tablename__ = "government_receipt"
    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("receipt_batch.id", ondelete="CASCADE"), index=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    revenue_stream_id: Mapped[int] = mapped_column(ForeignKey("revenue_stream.id"))
    license_id: Mapped[int | None] = mapped_column(ForeignKey("license.id"))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    comment: Mapped[str | None] = mapped_column(Text)

    batch: Mapped[ReceiptBatch] = relationship(back_populates="receipts")
    company: Mapped[Company] = relationship()
    revenue_stream: Mapped[RevenueStream] = relationship()
    license: Mapped[License | None] = relationship()
