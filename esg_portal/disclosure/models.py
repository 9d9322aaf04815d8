"""Disclosure (one version of a company's annual filing) and its payment lines."""
from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import BigInteger, Boolean, Enum, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..audit import Audited, utcnow
from ..companies.models import Company, License
from ..extensions import UtcDateTime, db
from ..reference.models import GovernmentEntity, ReportingPeriod, RevenueStream


class DisclosureStatus(str, enum.Enum):
    """Filing statuses of INTERFACES.md §4."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    QUERIED = "queried"
    ANSWERED = "answered"
    ACCEPTED = "accepted"
    SUPERSEDED = "superseded"


class Disclosure(Audited, db.Model):
    """One version of a company's filing for one period; submitted versions never change."""

    __tablename__ = "disclosure"
    __table_args__ = (UniqueConstraint("company_id", "period_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("reporting_period.id"), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[DisclosureStatus] = mapped_column(
        Enum(DisclosureStatus, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e]),
        default=DisclosureStatus.DRAFT,
    )
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    #: hash of the canonical filing document (INTERFACES.md §4), fixed at submission
    sha256: Mapped[str | None] = mapped_column(String(64))
    attested_by_name: Mapped[str | None] = mapped_column(String(255))
    attested_by_position: Mapped[str | None] = mapped_column(String(255))
    #: the attestation text exactly as shown to the signatory, in their language
    attestation_text: Mapped[str | None] = mapped_column(Text)
    #: why this version amends the previous one (None for version 1)
    amendment_reason: Mapped[str | None] = mapped_column(Text)
    #: "no payments in this period" answered explicitly (distinct from not provided)
    is_nil_payments: Mapped[bool] = mapped_column(Boolean, default=False)
    nil_payments_reason: Mapped[str | None] = mapped_column(Text)

    company: Mapped[Company] = relationship()
    period: Mapped[ReportingPeriod] = relationship()
    payment_lines: Mapped[list["PaymentLine"]] = relationship(
        back_populates="disclosure", cascade="all, delete-orphan", order_by="PaymentLine.id"
    )


class PaymentLine(Audited, db.Model):
    """A period total paid to one government entity for one revenue stream (INTERFACES.md §3)."""

    __tablename__ = "payment_line"
    id: Mapped[int] = mapped_column(primary_key=True)
    disclosure_id: Mapped[int] = mapped_column(ForeignKey("disclosure.id", ondelete="CASCADE"), index=True)
    revenue_stream_id: Mapped[int] = mapped_column(ForeignKey("revenue_stream.id"))
    government_entity_id: Mapped[int] = mapped_column(ForeignKey("government_entity.id"))
    #: the project (licence); required for streams levied per project
    license_id: Mapped[int | None] = mapped_column(ForeignKey("license.id"))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    is_paid_in_kind: Mapped[bool] = mapped_column(Boolean, default=False)
    #: exact decimal text, never a float (e.g. "1250.500")
    in_kind_volume: Mapped[str | None] = mapped_column(String(32))
    in_kind_unit: Mapped[str | None] = mapped_column(String(32))
    #: aiyl okmotu or town receiving a subnational payment
    recipient_locality: Mapped[str | None] = mapped_column(String(255))
    comment: Mapped[str | None] = mapped_column(Text)

    disclosure: Mapped[Disclosure] = relationship(back_populates="payment_lines")
    revenue_stream: Mapped[RevenueStream] = relationship()
    government_entity: Mapped[GovernmentEntity] = relationship()
    license: Mapped[License | None] = relationship()
