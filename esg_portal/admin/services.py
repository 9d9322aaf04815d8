"""Administration services: the registers of companies and agencies, and the audit trail.

Agencies (``GovernmentEntity``) are reference data; these services let an administrator add
one or correct it. Services take the acting user, check permissions first, flush but never
commit.
"""
from __future__ import annotations

import re

from flask_babel import gettext as _
from sqlalchemy import select

from ..accounts.models import User
from ..accounts.permissions import can_manage_accounts, can_manage_agencies, can_manage_companies, require
from ..companies import rules
from ..companies.models import Company
from ..errors import NotFound, ValidationError
from ..extensions import db
from ..reference.models import GovernmentEntity
from . import audit_trail

AGENCY_LEVELS = ("national", "subnational")
#: agency types as in government_entities.csv (EITI SDT Part 3 wording); shown through labels.py
AGENCY_TYPES = ("Tax authority", "Customs authority", "Ministry", "Social security fund", "State holding",
                "Local government")
#: the code is the agency's key in uploads and open data (INTERFACES §2), e.g. STS
_AGENCY_CODE = re.compile(r"^[A-Z][A-Z0-9_-]{1,15}$")


def list_all_companies(actor: User) -> list[Company]:
    """Every company of the register, registered or known from receipts only."""
    require(can_manage_companies(actor))
    return list(db.session.scalars(select(Company).order_by(Company.legal_name)))


def list_user_choices(actor: User) -> dict[str, list]:
    """The companies and agencies a user account may belong to."""
    require(can_manage_accounts(actor))
    return {
        "companies": list(db.session.scalars(select(Company).order_by(Company.legal_name))),
        "agencies": list(db.session.scalars(select(GovernmentEntity).order_by(GovernmentEntity.code))),
    }


def list_agencies(actor: User) -> list[GovernmentEntity]:
    """Every government agency, by code."""
    require(can_manage_agencies(actor))
    return list(db.session.scalars(select(GovernmentEntity).order_by(GovernmentEntity.code)))


def get_agency(actor: User, agency_id: int) -> GovernmentEntity:
    """One government agency."""
    require(can_manage_agencies(actor))
    agency = db.session.get(GovernmentEntity, agency_id)
    if agency is None:
        raise NotFound()
    return agency


def _clean_agency(*, name_ky: str, name_ru: str, name_en: str, agency_type: str, level: str,
                  is_active: bool, errors: rules.FieldErrors) -> dict:
    values = {
        "name_ky": errors.check("name_ky", rules.clean_text, name_ky, max_length=255,
                                required=_("Enter the agency's name in Kyrgyz.")),
        "name_ru": errors.check("name_ru", rules.clean_text, name_ru, max_length=255,
                                required=_("Enter the agency's name in Russian.")),
        "name_en": errors.check("name_en", rules.clean_text, name_en, max_length=255,
                                required=_("Enter the agency's name in English.")),
        "agency_type": agency_type,
        "level": level,
        "is_active": bool(is_active),
    }
    if agency_type not in AGENCY_TYPES:
        errors.add("agency_type", _("Choose the type of agency from the list."))
    if level not in AGENCY_LEVELS:
        errors.add("level", _("Choose national or subnational (local government budgets)."))
    return values


def create_agency(actor: User, *, code: str, name_ky: str, name_ru: str, name_en: str, agency_type: str,
                  level: str, is_active: bool = True) -> GovernmentEntity:
    """Add a government agency; its code is stored upper-case and never changes afterwards."""
    require(can_manage_agencies(actor))
    errors = rules.FieldErrors()
    code = (code or "").strip().upper()
    if not _AGENCY_CODE.match(code):
        errors.add("code", _("The code must be 2 to 16 Latin capital letters, digits, '-' or '_', "
                             "starting with a letter, such as STS."))
    elif db.session.scalar(select(GovernmentEntity.id).where(GovernmentEntity.code == code)) is not None:
        errors.add("code", _("An agency with the code %(code)s already exists. Choose another code, or "
                             "edit the existing agency.", code=code))
    values = _clean_agency(name_ky=name_ky, name_ru=name_ru, name_en=name_en, agency_type=agency_type,
                           level=level, is_active=is_active, errors=errors)
    if errors:
        raise ValidationError(errors.errors)
    agency = GovernmentEntity(code=code, **values)
    db.session.add(agency)
    db.session.flush()
    return agency


def update_agency(actor: User, agency: GovernmentEntity, *, name_ky: str, name_ru: str, name_en: str,
                  agency_type: str, level: str, is_active: bool) -> GovernmentEntity:
    """Correct an agency's names, type, level or active flag (the code is fixed: files refer to it)."""
    require(can_manage_agencies(actor))
    errors = rules.FieldErrors()
    values = _clean_agency(name_ky=name_ky, name_ru=name_ru, name_en=name_en, agency_type=agency_type,
                           level=level, is_active=is_active, errors=errors)
    if errors:
        raise ValidationError(errors.errors)
    for key, value in values.items():
        if getattr(agency, key) != value:
            setattr(agency, key, value)
    db.session.flush()
    return agency


def list_audit_tables(actor: User) -> list[tuple[str, str]]:
    """The kinds of record the audit trail holds (table name, readable name), for its filter."""
    require(can_manage_accounts(actor))
    return audit_trail.table_choices()


def audit_trail_page(actor: User, filters: audit_trail.AuditFilters,
                     page: audit_trail.PageRef = None) -> audit_trail.AuditPage:
    """One page (``audit_trail.PER_PAGE`` events, newest first) of the changes matching ``filters``."""
    require(can_manage_accounts(actor))
    return audit_trail.audit_page(actor, filters, page)


def export_audit_trail(actor: User, filters: audit_trail.AuditFilters) -> audit_trail.AuditExport:
    """The changes matching ``filters`` as a streamed CSV, one row per changed field (at most
    ``audit_trail.MAX_CSV_EVENTS`` events, the newest)."""
    require(can_manage_accounts(actor))
    return audit_trail.audit_export(filters)
