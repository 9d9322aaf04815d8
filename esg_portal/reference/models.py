"""Reference tables: codes shared by every other domain, with names in ky/ru/en."""
from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import BigInteger, Boolean, Column, Date, ForeignKey, Integer, String, Table, Text, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..audit import Audited
from ..extensions import UtcDateTime, db, value_enum


class NamedMixin:
    """Three names per record, one per interface language."""

    name_en: Mapped[str] = mapped_column(String(255))
    name_ru: Mapped[str] = mapped_column(String(255))
    name_ky: Mapped[str] = mapped_column(String(255))


class Mineral(Audited, NamedMixin, db.Model):
    """One of the 22 critical minerals of the government programme (table in the seed)."""

    __tablename__ = "mineral"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    symbol: Mapped[str] = mapped_column(String(16))


class Region(Audited, NamedMixin, db.Model):
    """An oblast or a city of republican significance."""

    __tablename__ = "region"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    kind: Mapped[str] = mapped_column(String(16))  # oblast | city


site_mineral = Table(
    "site_mineral",
    db.metadata,
    Column("site_id", ForeignKey("site.id", ondelete="CASCADE"), primary_key=True),
    Column("mineral_id", ForeignKey("mineral.id", ondelete="CASCADE"), primary_key=True),
)


class Site(Audited, NamedMixin, db.Model):
    """A deposit or prospective area from tables 1–3 of the programme."""

    __tablename__ = "site"
    id: Mapped[int] = mapped_column(primary_key=True)
    #: "T1-01" = table 1, row 1 of the programme
    code: Mapped[str] = mapped_column(String(16), unique=True)
    category: Mapped[str] = mapped_column(String(32))  # priority_project | prospective_deposit | prospective_area
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"))
    district_en: Mapped[str | None] = mapped_column(String(128))
    #: all associated commodity codes as printed in the programme, including non-critical ones (AU, MO…)
    commodity_codes: Mapped[str] = mapped_column(String(128))
    #: reserves (thousand tonnes) and grade, kept verbatim from the programme
    reserves_kt: Mapped[str | None] = mapped_column(String(255))
    grade: Mapped[str | None] = mapped_column(String(255))

    region: Mapped[Region] = relationship()
    minerals: Mapped[list[Mineral]] = relationship(secondary=site_mineral, order_by="Mineral.code")


class GfsCode(Audited, NamedMixin, db.Model):
    """EITI's GFS revenue classification (E codes), with the known slips corrected."""

    __tablename__ = "gfs_code"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    parent_code: Mapped[str | None] = mapped_column(String(16))
    #: headings group codes and take no data entry
    is_heading: Mapped[bool] = mapped_column(Boolean, default=False)


class GovernmentEntity(Audited, NamedMixin, db.Model):
    """A government body that receives payments (an 'agency' in the UI)."""

    __tablename__ = "government_entity"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    agency_type: Mapped[str] = mapped_column(String(64))
    level: Mapped[str] = mapped_column(String(16))  # national | subnational
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)


class RevenueStream(Audited, NamedMixin, db.Model):
    """A kind of payment to the state, classified by exactly one GFS code."""

    __tablename__ = "revenue_stream"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    gfs_code_id: Mapped[int] = mapped_column(ForeignKey("gfs_code.id"))
    default_entity_id: Mapped[int] = mapped_column(ForeignKey("government_entity.id"))
    #: paid to local budgets (EITI Requirement 4.6)
    is_subnational: Mapped[bool] = mapped_column(Boolean, default=False)
    #: levied per licence, so a payment line must name the project (EITI Requirement 4.7)
    is_levied_per_project: Mapped[bool] = mapped_column(Boolean, default=False)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)

    gfs_code: Mapped[GfsCode] = relationship()
    default_entity: Mapped[GovernmentEntity] = relationship()


class PeriodStatus(str, enum.Enum):
    """A reporting period is planned, open for filing, or closed."""

    PLANNED = "planned"
    OPEN = "open"
    CLOSED = "closed"


class ReportingPeriod(Audited, db.Model):
    """A fiscal year of EITI reporting; ``year`` is the calendar year of its end date."""

    __tablename__ = "reporting_period"
    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer, unique=True)
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[PeriodStatus] = mapped_column(
        value_enum(PeriodStatus),
        default=PeriodStatus.PLANNED,
    )
    #: "1 USD = X KGS", scaled by 10^4 (money.rate_to_scaled)
    usd_rate_scaled: Mapped[int | None] = mapped_column(BigInteger)
    usd_rate_source: Mapped[str | None] = mapped_column(String(255))
    #: filing deadline for companies and agencies, stored in UTC, shown in Asia/Bishkek
    filing_deadline_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    #: company materiality threshold on government totals, in KGS tyiyn; None = not yet set
    company_threshold_minor: Mapped[int | None] = mapped_column(BigInteger)
    independent_administrator: Mapped[str | None] = mapped_column(String(255))
    #: date the Supervisory Board (the MSG) approved the report
    board_approved_on: Mapped[dt.date | None] = mapped_column(Date)


class StreamInclusion(str, enum.Enum):
    """Whether a revenue stream is part of the period's EITI reconciliation (SDT wording)."""

    INCLUDED = "included"
    NOT_INCLUDED = "not_included"
    NOT_APPLICABLE = "not_applicable"


class PeriodStreamSetting(Audited, db.Model):
    """Per period and stream: inclusion and the margin of variance (EITI.md Part A §4, §6)."""

    __tablename__ = "period_stream_setting"
    __table_args__ = (UniqueConstraint("period_id", "revenue_stream_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("reporting_period.id", ondelete="CASCADE"), index=True)
    revenue_stream_id: Mapped[int] = mapped_column(ForeignKey("revenue_stream.id"))
    inclusion: Mapped[StreamInclusion] = mapped_column(
        value_enum(StreamInclusion),
        default=StreamInclusion.INCLUDED,
    )
    #: margin percentage in basis points (1.50 % = 150); 0 = any difference is a discrepancy
    margin_bp: Mapped[int] = mapped_column(Integer, default=0)
    #: margin floor in KGS tyiyn
    floor_minor: Mapped[int] = mapped_column(BigInteger, default=0)

    period: Mapped[ReportingPeriod] = relationship()
    revenue_stream: Mapped[RevenueStream] = relationship()


class ScopeOverride(Audited, db.Model):
    """The secretariat puts a company in or out of the period's scope, with a reason."""

    __tablename__ = "scope_override"
    __table_args__ = (UniqueConstraint("period_id", "company_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("reporting_period.id", ondelete="CASCADE"), index=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"))
    is_in_scope: Mapped[bool] = mapped_column(Boolean)
    #: False for an in-scope company that does not take part in the EITI report (DNP, with the reason)
    is_participating: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    reason: Mapped[str] = mapped_column(Text)
