"""A feedback case, its timeline and its photos.

The resident's own words (``original_text``), name and contact are private: the public reads
``public_text`` only, which the secretariat writes when it registers the case (personal data and
insults removed). Both are audited, the private columns redacted in the trail.
"""
from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Boolean, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from ..audit import Audited, utcnow
from ..extensions import UtcDateTime, db, value_enum


class CaseKind(str, enum.Enum):
    #: name and contact given: the Law on citizens' appeals applies (registered in 1, answered in 14 working days)
    APPEAL = "appeal"
    #: no name, no contact: tracked in public on the portal's indicative time frame
    ANONYMOUS = "anonymous"


class CaseState(str, enum.Enum):
    RECEIVED = "received"
    REGISTERED = "registered"
    IN_PROGRESS = "in_progress"
    ANSWERED = "answered"
    CLOSED_RESOLVED = "closed_resolved"
    CLOSED_NOT_RESOLVED = "closed_not_resolved"
    REJECTED = "rejected"


class SubjectKind(str, enum.Enum):
    SITE = "site"
    LICENCE = "licence"
    COMPANY = "company_inn"
    ENTITY = "entity"
    #: "I don't know": a place name only
    PLACE = "place"


class Addressee(str, enum.Enum):
    COMPANY = "company"
    AGENCY = "agency"
    SECRETARIAT = "secretariat"


class EntryKind(str, enum.Enum):
    REGISTERED = "registered"
    REJECTED = "rejected"
    ROUTED = "routed"
    UPDATE = "update"
    ANSWER = "answer"
    VERDICT = "verdict"
    REOPENED = "reopened"
    CLOSED = "closed"
    RESIDENT_REPLY = "resident_reply"


class Author(str, enum.Enum):
    RESIDENT = "resident"
    COMPANY = "company"
    AGENCY = "agency"
    SECRETARIAT = "secretariat"


class FeedbackCase(Audited, db.Model):
    __tablename__ = "feedback_case"
    __audit_exclude__ = ("revision", "pin_failures")
    __audit_redact__ = ("original_text", "name", "contact", "access_hash", "pin_hash", "client_hash")

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the public tracking code ("KG-7Q4M-9TXA")
    code: Mapped[str] = mapped_column(String(16), unique=True)
    #: sha256 of the secret of the private link; the link itself is never stored
    access_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: HMAC of the PIN that, with the code, opens the case too
    pin_hash: Mapped[str] = mapped_column(String(64))
    #: wrong PINs tried since the last success; at ``services.MAX_PIN_FAILURES`` only the link opens the case
    pin_failures: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[CaseKind] = mapped_column(value_enum(CaseKind, 16))
    state: Mapped[CaseState] = mapped_column(value_enum(CaseState, 24), default=CaseState.RECEIVED, index=True)
    #: the language the resident wrote in: the answer is given in it (the Law on appeals)
    language: Mapped[str] = mapped_column(String(8))
    category: Mapped[str] = mapped_column(String(24), index=True)
    subject_kind: Mapped[SubjectKind] = mapped_column(value_enum(SubjectKind, 16))
    #: the site code, licence number, company INN, entity code, or the place name the resident wrote
    subject_value: Mapped[str] = mapped_column(String(200))
    #: the company and site the case is about, as far as the register tells (for the statistics)
    company_inn: Mapped[str | None] = mapped_column(String(14), index=True)
    site_code: Mapped[str | None] = mapped_column(String(40), index=True)
    entity_code: Mapped[str | None] = mapped_column(String(40))
    aiyl_okmotu: Mapped[str | None] = mapped_column(String(120), index=True)
    original_text: Mapped[str] = mapped_column(Text)
    public_text: Mapped[str | None] = mapped_column(Text)
    #: the secretariat may keep a registered case out of the public record (a private matter)
    is_public: Mapped[bool] = mapped_column(Boolean, default=True)
    name: Mapped[str | None] = mapped_column(String(200))
    contact: Mapped[str | None] = mapped_column(String(200))
    #: the e-mail the resident is told at (an appeal's contact when it is an address)
    notify_email: Mapped[str | None] = mapped_column(String(255))
    #: the resident agreed at intake that the addressee may see their name and contact
    share_contact: Mapped[bool] = mapped_column(Boolean, default=False)
    #: a commitment of a published filing the case is about: (year, section, company INN, item position)
    commitment_year: Mapped[int | None] = mapped_column(Integer)
    commitment_section: Mapped[str | None] = mapped_column(String(40))
    commitment_item: Mapped[int | None] = mapped_column(Integer)

    received_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    register_due: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    registered_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    answer_due: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    answered_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    reopened_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    #: the resident's word on the answer: "resolved" / "not_resolved"
    verdict: Mapped[str | None] = mapped_column(String(16))
    rejection_reason: Mapped[str | None] = mapped_column(Text)

    addressee: Mapped[Addressee | None] = mapped_column(value_enum(Addressee, 16))
    routed_company_id: Mapped[int | None] = mapped_column(ForeignKey("company.id"), index=True)
    routed_entity_id: Mapped[int | None] = mapped_column(ForeignKey("government_entity.id"), index=True)

    #: looks automated (the honeypot was filled, or sent faster than a person types): the secretariat's queue
    suspicious: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    #: HMAC of the sender's network address, for the rate limit; never the address itself
    client_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    #: bumped by every change a handler makes: a form from an older revision is refused
    revision: Mapped[int] = mapped_column(Integer, default=1)

    entries: Mapped[list["FeedbackEntry"]] = relationship(
        back_populates="case", order_by="FeedbackEntry.id", cascade="all, delete-orphan")
    photos: Mapped[list["FeedbackPhoto"]] = relationship(
        back_populates="case", order_by="FeedbackPhoto.id", cascade="all, delete-orphan")
    routed_company: Mapped["Company | None"] = relationship()  # noqa: F821
    routed_entity: Mapped["GovernmentEntity | None"] = relationship()  # noqa: F821


class FeedbackEntry(Audited, db.Model):
    """One step of a case's timeline: an answer, an update, a state change, a resident's reply."""

    __tablename__ = "feedback_entry"
    __audit_redact__ = ("text",)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("feedback_case.id", ondelete="CASCADE"), index=True)
    kind: Mapped[EntryKind] = mapped_column(value_enum(EntryKind, 24))
    author: Mapped[Author] = mapped_column(value_enum(Author, 16))
    author_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    #: the words as written (a resident's reply is private until moderated)
    text: Mapped[str | None] = mapped_column(Text)
    #: what the public reads of it (None: the fact of the step only)
    public_text: Mapped[str | None] = mapped_column(Text)
    #: the state the step led to
    state: Mapped[str | None] = mapped_column(String(24))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)

    case: Mapped[FeedbackCase] = relationship(back_populates="entries")


class FeedbackPhoto(Audited, db.Model):
    """A resident's photo as stored: re-encoded, without EXIF or GPS. Public only when the
    secretariat says so (a face or a house number is personal data)."""

    __tablename__ = "feedback_photo"
    __audit_exclude__ = ("content",)
    __table_args__ = (UniqueConstraint("case_id", "sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("feedback_case.id", ondelete="CASCADE"), index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    media_type: Mapped[str] = mapped_column(String(16))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    size_bytes: Mapped[int] = mapped_column(Integer)
    is_public: Mapped[bool] = mapped_column(Boolean, default=False)
    content: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)

    case: Mapped[FeedbackCase] = relationship(back_populates="photos")
