"""Company register services."""
from __future__ import annotations

from sqlalchemy import select

from ..accounts.models import User
from ..accounts.permissions import can_view_company, require, scope_companies
from ..errors import NotFound
from ..extensions import db
from .models import Company


def list_companies(actor: User) -> list[Company]:
    stmt = scope_companies(actor, select(Company)).order_by(Company.legal_name)
    return list(db.session.scalars(stmt))


def get_company(actor: User, company_id: int) -> Company:
    company = db.session.get(Company, company_id)
    if company is None:
        raise NotFound()
    require(can_view_company(actor, company))
    return company
