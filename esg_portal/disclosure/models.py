"""Disclosure (one version of a company's annual filing) and its payment lines."""
from __future__ import annotations

import datetime as dt
import enum
import secrets

from sqlalchemy import JSON, event, BigInteger, Boolean, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..audit import Audited, utcnow
from ..companies.models import Company, License
from ..extensions import UtcDateTime, db, value_enum
from ..lifecycle import VersionedDocument
from ..reference.models import GovernmentEntity, ReportingPeriod, RevenueStream


class DisclosureStatus(str, enum.Enum):
    """Filing statuses of INTERFACES.md §4."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    QUERIED = "queried"
    ANSWERED = "answered"
    ACCEPTED = "accepted"
    SUPERSEDED = "superseded"


class Disclosure(VersionedDocument, Audited, db.Model):
    """One version of a company's filing for one period; submitted versions never change
    (the version, revision, submission and attestation columns come from ``lifecycle``)."""

    __tablename__ = "disclosure"
    __table_args__ = (UniqueConstraint("company_id", "period_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("reporting_period.id"), index=True)
    status: Mapped[DisclosureStatus] = mapped_column(
        value_enum(DisclosureStatus),
        default=DisclosureStatus.DRAFT,
    )
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)
    #: why this version amends the previous one (None for version 1)
    amendment_reason: Mapped[str | None] = mapped_column(Text)
    #: the company register entry and licences as filed, copied at submission (DESIGN.md)
    profile_snapshot: Mapped[dict | None] = mapped_column(JSON)
    #: the register's names of the revenue streams, government entities, licences, regions, sites and
    #: minerals the version refers to, recorded at submission (``snapshot.register_snapshot``); not part
    #: of the filing document nor of its hash. None for a draft and for versions sealed before it existed.
    register_snapshot: Mapped[dict | None] = mapped_column(JSON)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    #: sections copied from last year's filing and not yet confirmed by the filer (e.g. ["beneficial_owners"])
    carried_over: Mapped[list | None] = mapped_column(JSON)
    #: how each section carried over from last year was checked: "confirmed" (the filer confirmed it),
    #: "edited" (the filer saved it) or "at_submission" (confirmed on the submit page); the reviewer reads it
    carried_over_review: Mapped[dict | None] = mapped_column(JSON)

    company: Mapped[Company] = relationship()
    period: Mapped[ReportingPeriod] = relationship()
    payment_lines: Mapped[list["PaymentLine"]] = relationship(
        back_populates="disclosure", cascade="all, delete-orphan", order_by="PaymentLine.id"
    )
    declarations: Mapped[list["SectionDeclaration"]] = relationship(
        back_populates="disclosure", cascade="all, delete-orphan", order_by="SectionDeclaration.section"
    )
    queries: Mapped[list["FilingQuery"]] = relationship(
        back_populates="disclosure", cascade="all, delete-orphan", order_by="FilingQuery.id"
    )
    sections: Mapped[list["DisclosureSection"]] = relationship(
        back_populates="disclosure", cascade="all, delete-orphan", order_by="DisclosureSection.section"
    )

    def section_row(self, section: str) -> "DisclosureSection | None":
        return next((s for s in self.sections if s.section == section), None)

    def declaration(self, section: str) -> "SectionDeclaration | None":
        return next((d for d in self.declarations if d.section == section), None)


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
    # every reader of lines (document, totals, pages, receipt, snapshot) names their stream, entity and
    # licence: loaded with the lines in one query per kind, not one per line
    revenue_stream: Mapped[RevenueStream] = relationship(lazy="selectin")
    government_entity: Mapped[GovernmentEntity] = relationship(lazy="selectin")
    license: Mapped[License | None] = relationship(lazy="selectin")


class DeclarationKind(str, enum.Enum):
    """An explicit answer for a section with no data — distinct from "not provided"."""

    NIL = "nil"  # e.g. "no payments in this period"
    NOT_APPLICABLE = "not_applicable"


class SectionDeclaration(Audited, db.Model):
    """A filer's explicit 'nil' or 'not applicable' for one section of one version, with a reason."""

    __tablename__ = "section_declaration"
    __table_args__ = (UniqueConstraint("disclosure_id", "section"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    disclosure_id: Mapped[int] = mapped_column(ForeignKey("disclosure.id", ondelete="CASCADE"), index=True)
    #: the section key of the filing document (payments, eia, …)
    section: Mapped[str] = mapped_column(String(32))
    kind: Mapped[DeclarationKind] = mapped_column(
        value_enum(DeclarationKind)
    )
    reason: Mapped[str] = mapped_column(Text)

    disclosure: Mapped[Disclosure] = relationship(back_populates="declarations")


class QueryStatus(str, enum.Enum):
    OPEN = "open"
    ANSWERED = "answered"
    CLOSED = "closed"


class FilingQuery(Audited, db.Model):
    """A question of the secretariat on a submitted version (or one of its lines), and the answer."""

    __tablename__ = "filing_query"

    id: Mapped[int] = mapped_column(primary_key=True)
    disclosure_id: Mapped[int] = mapped_column(ForeignKey("disclosure.id", ondelete="CASCADE"), index=True)
    #: the line asked about; None for a question on the whole filing
    payment_line_id: Mapped[int | None] = mapped_column(ForeignKey("payment_line.id", ondelete="SET NULL"))
    status: Mapped[QueryStatus] = mapped_column(
        value_enum(QueryStatus),
        default=QueryStatus.OPEN,
    )
    question: Mapped[str] = mapped_column(Text)
    raised_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    raised_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    answered_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)

    disclosure: Mapped[Disclosure] = relationship(back_populates="queries")
    payment_line: Mapped["PaymentLine | None"] = relationship()
    raised_by: Mapped["User | None"] = relationship(foreign_keys=[raised_by_id])  # noqa: F821
    answered_by: Mapped["User | None"] = relationship(foreign_keys=[answered_by_id])  # noqa: F821
    #: the files sent with the answer (a payment order…)
    evidence: Mapped[list["FilingQueryEvidence"]] = relationship(
        back_populates="query", cascade="all, delete-orphan", order_by="FilingQueryEvidence.id")


class EvidenceFileMixin:
    """A file sent with an answer to a question, checked like an attachment (``attachments.check_file``)
    and kept under ``stored_name`` (random) in the ``evidence`` folder of the attachments folder; it belongs
    to its question, and only who may read the question may fetch it (``disclosure.evidence``)."""

    #: the sender's file name (a plain file name), for display only
    original_name: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    sha256: Mapped[str] = mapped_column(String(64))
    #: detected from the content: application/pdf, image/jpeg or image/png
    media_type: Mapped[str] = mapped_column(String(32))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    uploaded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class FilingQueryEvidence(EvidenceFileMixin, Audited, db.Model):
    """A file the company sent with its answer to a question of the secretariat on its filing."""

    __tablename__ = "filing_query_evidence"
    #: one copy of a file per question
    __table_args__ = (UniqueConstraint("query_id", "sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    query_id: Mapped[int] = mapped_column(ForeignKey("filing_query.id", ondelete="CASCADE"), index=True)

    query: Mapped[FilingQuery] = relationship(back_populates="evidence")


class DisclosureSection(Audited, db.Model):
    """One ESG section of one version, as validated data (``disclosure.sections`` registry).

    ``data`` holds the section in its storage form: money as integer minor units with a
    currency, quantities as exact decimal text, dates as ISO text — never a float.
    ``restricted`` holds what must never be published (beneficial owners' dates of birth
    and identity documents); only the secretariat's own view reads it.
    """

    __tablename__ = "disclosure_section"
    __table_args__ = (UniqueConstraint("disclosure_id", "section"),)
    #: the audit trail records that private data changed, never the values
    __audit_redact__ = ("restricted",)

    id: Mapped[int] = mapped_column(primary_key=True)
    disclosure_id: Mapped[int] = mapped_column(ForeignKey("disclosure.id", ondelete="CASCADE"), index=True)
    section: Mapped[str] = mapped_column(String(32))
    data: Mapped[dict | list] = mapped_column(JSON)
    restricted: Mapped[dict | list | None] = mapped_column(JSON)
    #: stable identifiers of the items of a list section, parallel to ``data`` (forms address items by
    #: them, never by position); not part of the filing document nor of its hash
    item_ids: Mapped[list | None] = mapped_column(JSON)

    disclosure: Mapped[Disclosure] = relationship(back_populates="sections")


class Attachment(Audited, db.Model):
    """A file a company attached to its filing (PDF, JPEG or PNG, checked by content).

    Stored outside the web root under ``stored_name`` (random); sections refer to it by
    ``sha256``. Only the company and the secretariat may fetch it before publication.
    """

    __tablename__ = "attachment"
    #: one file (by content) per company and period: of parallel uploads of the same bytes, one is stored
    __table_args__ = (UniqueConstraint("stored_name"), UniqueConstraint("company_id", "period_id", "sha256"))

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("reporting_period.id"), index=True)
    #: the version it was uploaded to
    disclosure_id: Mapped[int | None] = mapped_column(ForeignKey("disclosure.id", ondelete="SET NULL"))
    #: the uploader's file name, reduced to a safe base name, for display only
    original_name: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(64))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    #: detected from the content: application/pdf, image/jpeg or image/png
    media_type: Mapped[str] = mapped_column(String(32))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    #: a short description the filer gives (e.g. "EIA conclusion")
    title: Mapped[str | None] = mapped_column(String(255))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    uploaded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)

    company: Mapped[Company] = relationship()
    period: Mapped[ReportingPeriod] = relationship()
    disclosure: Mapped[Disclosure | None] = relationship()


def new_item_id(taken: set[str] | list[str]) -> str:
    """A fresh identifier for a section item: short, random, unique within its section."""
    while True:
        candidate = secrets.token_hex(4)
        if candidate not in taken:
            return candidate


@event.listens_for(DisclosureSection, "before_insert")
@event.listens_for(DisclosureSection, "before_update")
def _fill_item_ids(mapper, connection, target: DisclosureSection) -> None:
    """Every item of a stored list section has an id, whoever wrote it (carry-over, imports, demo data)."""
    if isinstance(target.data, list):
        ids = [str(i) for i in (target.item_ids or [])][:len(target.data)]
        while len(ids) < len(target.data):
            ids.append(new_item_id(ids))
        if ids != target.item_ids:
            target.item_ids = ids
    elif target.item_ids is not None:
        target.item_ids = None
