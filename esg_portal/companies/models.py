"""Company and License."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Column, Date, ForeignKey, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..audit import Audited, utcnow
from ..extensions import UtcDateTime, db
from ..reference.models import Mineral, Region, Site


class Company(Audited, db.Model):
    """A legal entity that pays the state (a subsoil user, or a company known only from receipts)."""

    __tablename__ = "company"
    id: Mapped[int] = mapped_column(primary_key=True)
    #: Kyrgyz taxpayer number: 14 digits, always text (leading zeros matter)
    inn: Mapped[str] = mapped_column(String(14), unique=True)
    legal_name: Mapped[str] = mapped_column(String(255))
    legal_form: Mapped[str | None] = mapped_column(String(64))
    address: Mapped[str | None] = mapped_column(Text)
    region_id: Mapped[int | None] = mapped_column(ForeignKey("region.id"))
    #: state share of charter capital in basis points (30 % = 3000); None = no state share
    state_share_bp: Mapped[int | None] = mapped_column(Integer)
    #: the state's share was granted free of charge (programme para 16, 58)
    is_state_share_free_carried: Mapped[bool] = mapped_column(Boolean, default=False)
    #: state-owned enterprise (EITI Requirement 2.6)
    is_soe: Mapped[bool] = mapped_column(Boolean, default=False)
    website: Mapped[str | None] = mapped_column(String(255))
    #: stock exchange listing, if any
    listing: Mapped[str | None] = mapped_column(String(255))
    audited_statements_url: Mapped[str | None] = mapped_column(String(500))
    #: False for companies created from government receipts only (below the threshold, no account)
    is_registered: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)

    region: Mapped[Region | None] = relationship()
    licenses: Mapped[list["License"]] = relationship(back_populates="company", order_by="License.number")
    users: Mapped[list["User"]] = relationship(back_populates="company")  # noqa: F821


license_mineral = Table(
    "license_mineral",
    db.metadata,
    Column("license_id", ForeignKey("license.id", ondelete="CASCADE"), primary_key=True),
    Column("mineral_id", ForeignKey("mineral.id", ondelete="CASCADE"), primary_key=True),
)


class License(Audited, db.Model):
    """A subsoil-use licence: the 'project' of EITI project-level reporting."""

    __tablename__ = "license"
    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    #: the licence number; the project key in uploads and open data
    number: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(32))  # exploration | extraction | prospecting
    site_id: Mapped[int | None] = mapped_column(ForeignKey("site.id"))
    region_id: Mapped[int | None] = mapped_column(ForeignKey("region.id"))
    project_name: Mapped[str] = mapped_column(String(255))
    issued_on: Mapped[dt.date | None] = mapped_column(Date)
    expires_on: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="active")  # active | suspended | expired

    company: Mapped[Company] = relationship(back_populates="licenses")
    # a licence is shown with its site, region and minerals: loaded for all licences read together
    site: Mapped[Site | None] = relationship(lazy="selectin")
    region: Mapped[Region | None] = relationship(lazy="selectin")
    minerals: Mapped[list[Mineral]] = relationship(secondary=license_mineral, order_by="Mineral.code", lazy="selectin")
