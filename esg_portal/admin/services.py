"""Administration services: registers of companies and agencies, and the audit trail."""
from __future__ import annotations

from sqlalchemy import select

from ..accounts.models import User
from ..accounts.permissions import can_manage_accounts, require
from ..audit import AuditEvent
from ..companies.models import Company
from ..extensions import db
from ..reference.models import GovernmentEntity


def list_all_companies(actor: User) -> list[Company]:
    require(can_manage_accounts(actor))
    return list(db.session.scalars(select(Company).order_by(Company.legal_name)))


def list_agencies(actor: User) -> list[GovernmentEntity]:
    require(can_manage_accounts(actor))
    return list(db.session.scalars(select(GovernmentEntity).order_by(GovernmentEntity.code)))


def recent_audit_events(actor: User, limit: int = 200) -> list[AuditEvent]:
    require(can_manage_accounts(actor))
    return list(db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)))
