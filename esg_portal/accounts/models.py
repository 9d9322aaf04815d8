"""Users and their roles, their browser sessions and API tokens, and the sign-in throttle."""
from __future__ import annotations

import datetime as dt
import enum
import hashlib
import secrets

from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from ..audit import Audited, utcnow
from ..extensions import UtcDateTime, db, value_enum


class Role(str, enum.Enum):
    """What a user is; permissions derive from it (accounts.permissions)."""

    COMPANY_FILER = "company_filer"
    AGENCY_OFFICER = "agency_officer"
    SECRETARIAT = "secretariat"
    ADMIN = "admin"


class User(Audited, UserMixin, db.Model):
    """A person who signs in. Filers belong to one company, officers to one agency."""

    __tablename__ = "user_account"
    __audit_exclude__ = ("failed_login_count", "last_failed_login_at", "locked_until", "last_login_at")
    __audit_redact__ = ("password_hash",)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: stored lower-case; the sign-in name
    email: Mapped[str] = mapped_column(String(255), unique=True)
    full_name: Mapped[str] = mapped_column(String(255))
    position: Mapped[str | None] = mapped_column(String(255))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(
        value_enum(Role, 32)
    )
    company_id: Mapped[int | None] = mapped_column(ForeignKey("company.id"), index=True)
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("government_entity.id"), index=True)
    #: only signatories may attest and submit their company's filing
    is_signatory: Mapped[bool] = mapped_column(Boolean, default=False)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: interface language chosen by the user (ky, ru, en); None = follow the browser
    language: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    #: password checks counted against the account since the count last started over (login
    #: throttling, accounts.throttle): reset on success, started over once the last one is older
    #: than the lock time
    failed_login_count: Mapped[int] = mapped_column(Integer, default=0)
    #: when the last counted check began (it is counted before the password is compared)
    last_failed_login_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    locked_until: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)

    #: the UserSession this request is signed in through; set by the session loader, not a column
    current_session_id = None

    company: Mapped["Company | None"] = relationship(back_populates="users")  # noqa: F821
    agency: Mapped["GovernmentEntity | None"] = relationship()  # noqa: F821

    def set_password(self, password: str) -> None:
        # tests configure a cheaper hash; production keeps werkzeug's default (scrypt)
        method = current_app.config.get("ESG_PASSWORD_HASH_METHOD") if has_app_context() else None
        self.password_hash = generate_password_hash(password, method=method or "scrypt")

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def password_fingerprint(self) -> str:
        """Changes whenever the password does: binds trusted-device cookies to the current password."""
        return hashlib.sha256(b"esg_portal.device:" + self.password_hash.encode("utf-8")).hexdigest()[:32]

    @property
    def is_filer(self) -> bool:
        return self.role is Role.COMPANY_FILER

    @property
    def is_officer(self) -> bool:
        return self.role is Role.AGENCY_OFFICER

    @property
    def is_secretariat(self) -> bool:
        return self.role is Role.SECRETARIAT

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    def get_id(self) -> str:
        return str(self.id)


_DUMMY_HASHES: dict[str, str] = {}


def check_dummy_password(password: str) -> bool:
    """Compare ``password`` with a random hash made like real ones: an unknown e-mail address
    costs the same time as a wrong password (and never matches)."""
    method = (current_app.config.get("ESG_PASSWORD_HASH_METHOD") if has_app_context() else None) or "scrypt"
    if method not in _DUMMY_HASHES:
        _DUMMY_HASHES[method] = generate_password_hash(secrets.token_urlsafe(24), method=method)
    check_password_hash(_DUMMY_HASHES[method], password)
    return False


class UserSession(db.Model):
    """A signed-in browser session. The session cookie carries a random key; only its SHA-256
    is stored. Deleting the row ends the session, whoever holds a copy of the cookie."""

    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: sessions end at most PERMANENT_SESSION_LIFETIME after sign-in
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class SignInThrottle(db.Model):
    """Failed sign-ins counted for something that is not an account row: an unknown e-mail
    address (so that it is locked exactly like a real one) or a trusted device."""

    __tablename__ = "sign_in_throttle"

    #: SHA-256 of ``email:<address>`` or ``device:<nonce>``: typed addresses are not kept
    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    failed_count: Mapped[int] = mapped_column(Integer, default=0)
    last_failed_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, index=True)
    locked_until: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


class ApiToken(Audited, db.Model):
    """A bearer token for the machine API; only its SHA-256 is stored."""

    __tablename__ = "api_token"
    __audit_redact__ = ("token_hash",)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    #: the user's own label, e.g. "1C export"
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: the first characters of the token, shown so the user can tell tokens apart
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)

    user: Mapped[User] = relationship()
