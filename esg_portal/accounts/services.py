"""Account services: sign-in with throttling, user creation and editing, language choice.

Services take the acting user, raise domain errors, flush but never commit.
"""
from __future__ import annotations

import datetime as dt
import re

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select

from ..audit import utcnow
from ..config import SUPPORTED_LOCALES
from ..errors import NotFound, PortalError, ValidationError
from ..extensions import db
from ..companies.models import Company
from ..reference.models import GovernmentEntity
from .models import Role, User
from .permissions import can_manage_accounts, require

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD_LENGTH = 10


class LoginThrottled(PortalError):
    status = 429
    code = "too_many_requests"


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


def authenticate(email: str, password: str, *, max_failures: int, lock_minutes: int,
                 now: dt.datetime | None = None) -> User | None:
    """Check a password; count failures in the database and lock the account after
    ``max_failures`` in a row for ``lock_minutes``. Returns the user or None."""
    now = now or utcnow()
    user = find_user_by_email(email)
    if user is None or not user.is_active:
        return None
    locked_until = user.locked_until
    if locked_until is not None and locked_until > now:
        minutes = max(1, int((locked_until - now).total_seconds() // 60) + 1)
        raise LoginThrottled(ngettext("Too many failed sign-in attempts. Try again in %(num)d minute.",
                                      "Too many failed sign-in attempts. Try again in %(num)d minutes.",
                                      minutes))
    if not user.check_password(password):
        user.failed_login_count = (user.failed_login_count or 0) + 1
        user.last_failed_login_at = now
        if user.failed_login_count >= max_failures:
            user.locked_until = now + dt.timedelta(minutes=lock_minutes)
            user.failed_login_count = 0
        db.session.flush()
        return None
    user.failed_login_count = 0
    user.locked_until = None
    user.last_login_at = now
    db.session.flush()
    return user


def _validate_user_fields(email: str, role: Role, company_id: int | None, agency_id: int | None,
                          password: str | None, existing: User | None = None, *,
                          full_name: str | None = None, position: str | None = None) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not EMAIL_RE.match(email) or len(email) > 255:
        errors["email"] = [_("Enter an e-mail address such as name@example.kg.")]
    else:
        other = find_user_by_email(email)
        if other is not None and other is not existing:
            errors["email"] = [_("An account with this e-mail address already exists. Use another "
                                 "address, or edit the existing account.")]
    if full_name is not None and not full_name.strip():
        errors["full_name"] = [_("Enter the person's full name.")]
    elif full_name is not None and len(full_name.strip()) > 255:
        errors["full_name"] = [_("The name is too long: use at most 255 characters.")]
    if position is not None and len(position.strip()) > 255:
        errors["position"] = [_("The position is too long: use at most 255 characters.")]
    if password is not None and len(password) < MIN_PASSWORD_LENGTH:
        errors["password"] = [ngettext("The password must have at least %(num)d character.",
                                       "The password must have at least %(num)d characters.",
                                       MIN_PASSWORD_LENGTH)]
    if role is Role.COMPANY_FILER and not company_id:
        errors["company_id"] = [_("A company filer must belong to a company.")]
    elif role is Role.COMPANY_FILER and db.session.get(Company, company_id) is None:
        errors["company_id"] = [_("Choose the filer's company from the list.")]
    if role is Role.AGENCY_OFFICER and not agency_id:
        errors["agency_id"] = [_("An agency officer must belong to a government agency.")]
    elif role is Role.AGENCY_OFFICER and db.session.get(GovernmentEntity, agency_id) is None:
        errors["agency_id"] = [_("Choose the officer's government agency from the list.")]
    return errors


def create_user(actor: User | None, *, email: str, full_name: str, role: Role, password: str,
                company_id: int | None = None, agency_id: int | None = None,
                is_signatory: bool = False, position: str | None = None,
                language: str | None = None) -> User:
    """Create an account. ``actor`` None means the command line (trusted operator)."""
    if actor is not None:
        require(can_manage_accounts(actor))
    email = normalise_email(email)
    errors = _validate_user_fields(email, role, company_id, agency_id, password,
                                   full_name=full_name, position=position)
    if errors:
        raise ValidationError(errors)
    user = User(
        email=email, full_name=full_name.strip(), role=role, position=(position or "").strip() or None,
        company_id=company_id if role is Role.COMPANY_FILER else None,
        agency_id=agency_id if role is Role.AGENCY_OFFICER else None,
        is_signatory=bool(is_signatory) and role is Role.COMPANY_FILER,
        language=language if language in SUPPORTED_LOCALES else None,
    )
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def update_user(actor: User, user: User, *, email: str, full_name: str, role: Role,
                company_id: int | None, agency_id: int | None, is_signatory: bool,
                is_active: bool, position: str | None, new_password: str | None = None) -> User:
    """Edit an account (admin only); an admin cannot deactivate or demote themselves."""
    require(can_manage_accounts(actor))
    email = normalise_email(email)
    errors = _validate_user_fields(email, role, company_id, agency_id, new_password or None, existing=user,
                                   full_name=full_name, position=position)
    if user.id == actor.id and role is not Role.ADMIN:
        errors.setdefault("role", []).append(_("You cannot remove your own administrator access."))
    if user.id == actor.id and not is_active:
        errors.setdefault("is_active", []).append(
            _("You cannot deactivate your own account. Ask another administrator to do it."))
    if errors:
        raise ValidationError(errors)
    user.email, user.full_name, user.role = email, full_name.strip(), role
    user.position = (position or "").strip() or None
    user.company_id = company_id if role is Role.COMPANY_FILER else None
    user.agency_id = agency_id if role is Role.AGENCY_OFFICER else None
    user.is_signatory = bool(is_signatory) and role is Role.COMPANY_FILER
    user.is_active = is_active
    if new_password:
        user.set_password(new_password)
    db.session.flush()
    return user


def set_language(user: User | None, language: str) -> str:
    """Remember the interface language on the account (visitors keep it in a cookie)."""
    if language not in SUPPORTED_LOCALES:
        raise ValidationError({"lang": [_("Unknown language.")]})
    if user is not None and getattr(user, "is_authenticated", False) and user.language != language:
        user.language = language
        db.session.flush()
    return language


def list_users(actor: User) -> list[User]:
    require(can_manage_accounts(actor))
    return list(db.session.scalars(select(User).order_by(User.role, User.email)))


def get_user(actor: User, user_id: int) -> User:
    require(can_manage_accounts(actor))
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound()
    return user
