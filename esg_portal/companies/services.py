"""Company register services: read, create and edit companies and their licences.

Services take the acting user, check permissions first, raise ``ValidationError`` with every
broken rule at once, flush but never commit. Value rules live in ``companies.rules``.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import func, select

from ..accounts.models import User
from ..accounts.permissions import can_manage_companies, can_view_company, require, scope_companies
from ..errors import NotFound, ValidationError
from ..extensions import db
from ..reference.models import Mineral, Region, Site
from . import rules
from .models import Company, License


def list_companies(actor: User) -> list[Company]:
    """Companies the actor may see, by legal name."""
    stmt = scope_companies(actor, select(Company)).order_by(Company.legal_name)
    return list(db.session.scalars(stmt))


def get_company(actor: User, company_id: int) -> Company:
    """One company, if the actor may see it."""
    company = db.session.get(Company, company_id)
    if company is None:
        raise NotFound()
    require(can_view_company(actor, company))
    return company


def get_licence(actor: User, licence_id: int) -> License:
    """One licence, if the actor may see its company."""
    licence = db.session.get(License, licence_id)
    if licence is None:
        raise NotFound()
    require(can_view_company(actor, licence.company))
    return licence


def list_register_choices(actor: User) -> dict[str, list]:
    """Regions, programme sites and minerals offered by the register's forms."""
    require(can_manage_companies(actor))
    return {
        "regions": list(db.session.scalars(select(Region).order_by(Region.code))),
        "sites": list(db.session.scalars(select(Site).order_by(Site.code))),
        "minerals": list(db.session.scalars(select(Mineral).order_by(Mineral.code))),
    }


# --- companies ---

def _clean_company(company: Company | None, *, inn: str, legal_name: str, legal_form: str | None,
                   address: str | None, region_id: int | None, state_share_percent: str | Decimal | None,
                   is_state_share_free_carried: bool, is_soe: bool, website: str | None,
                   listing: str | None, audited_statements_url: str | None,
                   is_registered: bool) -> dict:
    """Check every rule and return the column values, or raise ``ValidationError``."""
    errors = rules.FieldErrors()
    values = {
        "inn": errors.check("inn", rules.clean_inn, inn),
        "legal_name": errors.check("legal_name", rules.clean_text, legal_name, max_length=255,
                                   required=_("Enter the company's legal name as registered.")),
        "legal_form": errors.check("legal_form", rules.clean_text, legal_form, max_length=64),
        "address": errors.check("address", rules.clean_text, address, max_length=2000),
        "region_id": region_id or None,
        "state_share_bp": errors.check("state_share_percent", rules.clean_state_share, state_share_percent),
        "is_state_share_free_carried": bool(is_state_share_free_carried),
        "is_soe": bool(is_soe),
        "website": errors.check("website", rules.clean_url, website),
        "listing": errors.check("listing", rules.clean_text, listing, max_length=255),
        "audited_statements_url": errors.check("audited_statements_url", rules.clean_url, audited_statements_url),
        "is_registered": bool(is_registered),
    }
    if values["website"] and len(values["website"]) > 255:
        errors.add("website", _("The web address is too long: use at most 255 characters."))
    if values["audited_statements_url"] and len(values["audited_statements_url"]) > 500:
        errors.add("audited_statements_url", _("The web address is too long: use at most 500 characters."))
    if values["region_id"] is not None and db.session.get(Region, values["region_id"]) is None:
        errors.add("region_id", _("Choose a region from the list."))
    if "state_share_percent" not in errors.errors:
        errors.check("is_state_share_free_carried", rules.check_free_carried, values["state_share_bp"],
                     values["is_state_share_free_carried"])
    if values["inn"]:
        stmt = select(Company).where(Company.inn == values["inn"])
        if company is not None:
            stmt = stmt.where(Company.id != company.id)
        other = db.session.scalar(stmt)
        if other is not None:
            errors.add("inn", _("Another company (%(name)s) already has this INN. Check the number; if it "
                                "is the same company, edit that record instead.", name=other.legal_name))
    if errors:
        raise ValidationError(errors.errors)
    return values


def create_company(actor: User, *, inn: str, legal_name: str, legal_form: str | None = None,
                   address: str | None = None, region_id: int | None = None,
                   state_share_percent: str | Decimal | None = None,
                   is_state_share_free_carried: bool = False, is_soe: bool = False,
                   website: str | None = None, listing: str | None = None,
                   audited_statements_url: str | None = None, is_registered: bool = True) -> Company:
    """Add a company to the register; the state share is given in percent (stored in basis points)."""
    require(can_manage_companies(actor))
    values = _clean_company(
        None, inn=inn, legal_name=legal_name, legal_form=legal_form, address=address, region_id=region_id,
        state_share_percent=state_share_percent, is_state_share_free_carried=is_state_share_free_carried,
        is_soe=is_soe, website=website, listing=listing, audited_statements_url=audited_statements_url,
        is_registered=is_registered)
    company = Company(**values)
    db.session.add(company)
    db.session.flush()
    return company


def update_company(actor: User, company: Company, *, inn: str, legal_name: str, legal_form: str | None,
                   address: str | None, region_id: int | None, state_share_percent: str | Decimal | None,
                   is_state_share_free_carried: bool, is_soe: bool, website: str | None,
                   listing: str | None, audited_statements_url: str | None, is_registered: bool) -> Company:
    """Replace a company's register data; filings already submitted keep their own copy."""
    require(can_manage_companies(actor))
    values = _clean_company(
        company, inn=inn, legal_name=legal_name, legal_form=legal_form, address=address, region_id=region_id,
        state_share_percent=state_share_percent, is_state_share_free_carried=is_state_share_free_carried,
        is_soe=is_soe, website=website, listing=listing, audited_statements_url=audited_statements_url,
        is_registered=is_registered)
    _assign(company, values)
    db.session.flush()
    return company


def _assign(record, values: dict) -> None:
    # only real changes, so the audit trail lists exactly what was edited
    for key, value in values.items():
        if getattr(record, key) != value:
            setattr(record, key, value)


# --- licences ---

def _clean_licence(licence: License | None, *, number: str, kind: str, project_name: str,
                   site_id: int | None, region_id: int | None, mineral_ids: Iterable[int],
                   issued_on: dt.date | None, expires_on: dt.date | None, status: str) -> tuple[dict, list[Mineral]]:
    errors = rules.FieldErrors()
    values = {
        "number": errors.check("number", rules.clean_text, number, max_length=64,
                               required=_("Enter the licence number exactly as printed on the licence.")),
        "kind": kind,
        "project_name": errors.check("project_name", rules.clean_text, project_name, max_length=255,
                                     required=_("Enter the name of the project (deposit or area).")),
        "site_id": site_id or None,
        "region_id": region_id or None,
        "issued_on": issued_on,
        "expires_on": expires_on,
        "status": status,
    }
    if kind not in rules.LICENCE_KINDS:
        errors.add("kind", _("Choose the licence type: exploration, extraction or prospecting."))
    if status not in rules.LICENCE_STATUSES:
        errors.add("status", _("Choose the licence status: active, suspended or expired."))
    errors.check("expires_on", rules.check_licence_dates, issued_on, expires_on)
    site = db.session.get(Site, values["site_id"]) if values["site_id"] else None
    if values["site_id"] and site is None:
        errors.add("site_id", _("Choose a programme site from the list, or leave it empty."))
    if values["region_id"] is None and site is not None:
        values["region_id"] = site.region_id  # a programme site lies in one region
    elif values["region_id"] is not None and db.session.get(Region, values["region_id"]) is None:
        errors.add("region_id", _("Choose a region from the list."))
    wanted = sorted({int(mineral_id) for mineral_id in mineral_ids or ()})
    minerals = list(db.session.scalars(select(Mineral).where(Mineral.id.in_(wanted)).order_by(Mineral.code)))
    if len(minerals) != len(wanted):
        errors.add("mineral_ids", _("Choose minerals from the list."))
    if values["number"]:
        # case-insensitive, so "AB-12" and "ab-12" cannot both be registered
        stmt = select(License).where(func.upper(License.number) == values["number"].upper())
        if licence is not None:
            stmt = stmt.where(License.id != licence.id)
        other = db.session.scalar(stmt)
        if other is not None:
            errors.add("number", _("Licence %(number)s is already registered (to %(company)s). Check the "
                                   "number; a licence belongs to one company.",
                                   number=other.number, company=other.company.legal_name))
    if errors:
        raise ValidationError(errors.errors)
    return values, minerals


def create_licence(actor: User, company: Company, *, number: str, kind: str, project_name: str,
                   site_id: int | None = None, region_id: int | None = None,
                   mineral_ids: Iterable[int] = (), issued_on: dt.date | None = None,
                   expires_on: dt.date | None = None, status: str = "active") -> License:
    """Register a licence of ``company``; the region defaults to the programme site's."""
    require(can_manage_companies(actor))
    values, minerals = _clean_licence(
        None, number=number, kind=kind, project_name=project_name, site_id=site_id, region_id=region_id,
        mineral_ids=mineral_ids, issued_on=issued_on, expires_on=expires_on, status=status)
    licence = License(company=company, **values)
    licence.minerals = minerals
    db.session.add(licence)
    db.session.flush()
    return licence


def update_licence(actor: User, licence: License, *, number: str, kind: str, project_name: str,
                   site_id: int | None, region_id: int | None, mineral_ids: Iterable[int],
                   issued_on: dt.date | None, expires_on: dt.date | None, status: str) -> License:
    """Replace a licence's data (it stays with its company)."""
    require(can_manage_companies(actor))
    values, minerals = _clean_licence(
        licence, number=number, kind=kind, project_name=project_name, site_id=site_id, region_id=region_id,
        mineral_ids=mineral_ids, issued_on=issued_on, expires_on=expires_on, status=status)
    _assign(licence, values)
    if list(licence.minerals) != minerals:
        licence.minerals = minerals
    db.session.flush()
    return licence
