"""Account services: sign-in with throttling, user creation and editing, language choice.

Services take the acting user, raise domain errors, flush but never commit.
"""
from __future__ import annotations

import datetime as dt
import hmac
import re
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select

from ..audit import utcnow
from ..config import SUPPORTED_LOCALES
from ..errors import NotFound, ValidationError
from ..extensions import db
from ..companies.models import Company
from ..reference.models import GovernmentEntity
from . import sessions, throttle
from .models import Role, User, check_dummy_password
from .permissions import can_manage_accounts, require
from .throttle import LoginThrottled  # noqa: F401  (raised by authenticate; imported from here by callers)

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD_LENGTH = 10


@dataclass(frozen=True)
class TrustedDevice:
    """What a browser's trusted-device cookie says (its signature already checked): it signed in
    as ``user_id`` before, while the password had ``fingerprint``."""

    user_id: int
    nonce: str
    fingerprint: str

    def trusts(self, user: User) -> bool:
        return self.user_id == user.id and hmac.compare_digest(self.fingerprint, user.password_fingerprint)


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


def authenticate(email: str, password: str, *, max_failures: int, lock_minutes: int,
                 device: TrustedDevice | None = None, now: dt.datetime | None = None) -> User | None:
    """Check a password, throttled; returns the active user it belongs to, or None.

    Every check is counted before it is made (accounts.throttle), so parallel attempts get at
    most ``max_failures`` checks per ``lock_minutes``; then LoginThrottled (429). An unknown
    address is counted, locked and answered exactly like an account, and a dummy hash is
    compared, so that neither the answer nor its time tells whether the account exists.

    A stranger's wrong passwords lock the account for everybody but the browsers its owner
    signed in with before (``device``): there the checks are counted against the device, so
    the owner still gets in with the right password while the account is locked.
    """
    limits = throttle.Limits(max_failures, lock_minutes, now or utcnow())
    email = normalise_email(email)
    if not email:
        return None
    # no account has a longer address (the column's size): not looked up, but answered alike
    user = find_user_by_email(email) if len(email) <= 255 else None
    throttle.purge(limits)
    if user is not None and device is not None and device.trusts(user):
        device_key = throttle.key_of("device", device.nonce)
        if throttle.reserve_key(device_key, limits):
            if user.check_password(password) and user.is_active:
                throttle.reset_key(device_key)
                throttle.reset_account(user.id, limits, keep_lock=True)
                return _reloaded(user)
            return None
        # the device used up its own attempts: from now on it is a stranger like any other
    if user is None:
        address_key = throttle.key_of("email", email)
        if not throttle.reserve_key(address_key, limits):
            raise throttle.refuse(throttle.key_lock_end(address_key), limits)
        return check_dummy_password(password) or None
    if not throttle.reserve_account(user.id, limits):
        raise throttle.refuse(throttle.account_lock_end(user.id), limits)
    if not (user.check_password(password) and user.is_active):
        return None
    throttle.reset_account(user.id, limits)
    return _reloaded(user)


def _reloaded(user: User) -> User:
    """The throttle wrote the account by plain UPDATEs: read its bookkeeping afresh."""
    db.session.expire(user, ["failed_login_count", "last_failed_login_at", "locked_until", "last_login_at"])
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


def _add_self_edit_errors(actor: User, user: User, role: Role | None, is_active: bool,
                          errors: dict[str, list[str]]) -> None:
    if user.id == actor.id and role is not Role.ADMIN:
        errors.setdefault("role", []).append(_("You cannot remove your own administrator access."))
    if user.id == actor.id and not is_active:
        errors.setdefault("is_active", []).append(
            _("You cannot deactivate your own account. Ask another administrator to do it."))


def check_account(actor: User, user: User | None = None, *, email: str, full_name: str, role: Role | None,
                  company_id: int | None = None, agency_id: int | None = None, password: str | None = None,
                  new_password: str | None = None, is_active: bool = True, position: str | None = None,
                  **_form_only: object) -> dict[str, list[str]]:
    """Every rule the values of a new (``user`` None) or edited account break, saving nothing: the form
    reports them together with its own field errors, in one round instead of two."""
    require(can_manage_accounts(actor))
    password = password if user is None else (new_password or None)
    errors = _validate_user_fields(normalise_email(email), role, company_id, agency_id, password, existing=user,
                                   full_name=full_name or "", position=position)
    if user is not None:
        _add_self_edit_errors(actor, user, role, is_active, errors)
    return errors


def update_user(actor: User, user: User, *, email: str, full_name: str, role: Role,
                company_id: int | None, agency_id: int | None, is_signatory: bool,
                is_active: bool, position: str | None, new_password: str | None = None) -> User:
    """Edit an account (admin only); an admin cannot deactivate or demote themselves."""
    require(can_manage_accounts(actor))
    email = normalise_email(email)
    errors = _validate_user_fields(email, role, company_id, agency_id, new_password or None, existing=user,
                                   full_name=full_name, position=position)
    _add_self_edit_errors(actor, user, role, is_active, errors)
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
        sessions.end_credentials(actor, user)
    db.session.flush()
    return user


def change_password(actor: User, current_password: str, new_password: str, *, max_failures: int,
                    lock_minutes: int, now: dt.datetime | None = None) -> User | None:
    """The signed-in actor replaces their own password; None when ``current_password`` is wrong.

    The current password is checked like a sign-in (counted against the account, so the caller
    commits even then; LoginThrottled while the account is locked): a borrowed session cannot
    guess it. Every session of the account ends, this one too, and its API tokens are revoked:
    the caller opens the actor a new session.
    """
    require(bool(getattr(actor, "is_authenticated", False)))
    if len(new_password or "") < MIN_PASSWORD_LENGTH:
        raise ValidationError({"new_password": [ngettext("The password must have at least %(num)d character.",
                                                         "The password must have at least %(num)d characters.",
                                                         MIN_PASSWORD_LENGTH)]})
    limits = throttle.Limits(max_failures, lock_minutes, now or utcnow())
    if not throttle.reserve_account(actor.id, limits):
        raise throttle.refuse(throttle.account_lock_end(actor.id), limits)
    if not actor.check_password(current_password or ""):
        return None
    throttle.reset_account(actor.id, limits, signed_in=False)
    _reloaded(actor)
    actor.set_password(new_password)
    sessions.end_credentials(actor, actor, keep_current=False, now=limits.now)
    return actor


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
