"""Releases: the immutable, versioned publications of a period, and their files.

A release is written once, with every file it holds, and never changes: republishing makes
version n + 1. The files live in the database (``release_file.content``), so a backup of the
database alone holds every release; ``guard_immutable`` refuses any change to a stored
release or file at flush time.
"""
from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import JSON, BigInteger, ForeignKey, Integer, LargeBinary, String, UniqueConstraint, event
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, Session, deferred, mapped_column, relationship

from ...audit import Audited, utcnow
from ...errors import InvalidTransition
from ...extensions import UtcDateTime, db, value_enum
from ...reference.models import ReportingPeriod


class ReleaseKind(str, enum.Enum):
    #: built by the portal from the period's accepted filings, receipts and reconciliation
    PUBLISHED = "published"
    #: historic EITI data imported from an SDT workbook or Part CSVs
    IMPORTED = "imported"


class Release(Audited, db.Model):
    """Version ``version`` of the published data of one period."""

    __tablename__ = "release"
    __table_args__ = (UniqueConstraint("period_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("reporting_period.id"), index=True)
    #: 1, 2, 3 … within the period
    version: Mapped[int] = mapped_column(Integer)
    kind: Mapped[ReleaseKind] = mapped_column(
        value_enum(ReleaseKind))
    published_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    #: sha256 of the release's content without its times: equal hashes mean nothing changed
    content_sha256: Mapped[str] = mapped_column(String(64))
    #: manifest.json as stored: {"year", "version", "published_at", "files": [{"name", "sha256", "bytes"}], …}
    manifest: Mapped[dict] = mapped_column(JSON)

    period: Mapped[ReportingPeriod] = relationship()
    files: Mapped[list["ReleaseFile"]] = relationship(back_populates="release", order_by="ReleaseFile.name")


class ReleaseFile(db.Model):
    """One file of a release, kept byte for byte; written with its release and never again."""

    __tablename__ = "release_file"
    __table_args__ = (UniqueConstraint("release_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    release_id: Mapped[int] = mapped_column(ForeignKey("release.id"), index=True)
    #: the file name in the release (``attachments/<sha256>.pdf`` for attachments)
    name: Mapped[str] = mapped_column(String(160))
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    media_type: Mapped[str] = mapped_column(String(100))
    content: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))

    release: Mapped[Release] = relationship(back_populates="files")


@event.listens_for(Session, "before_flush")
def guard_immutable(session: Session, flush_context, instances) -> None:
    """A stored release or release file is never updated or deleted (DESIGN rule 11)."""
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, (Release, ReleaseFile)) and (obj in session.deleted or session.is_modified(obj)):
            raise InvalidTransition(_l("A published release never changes: publish a new version instead."))
