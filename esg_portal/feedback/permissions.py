"""Who handles which case: the secretariat every case; a company's filers the cases routed to their
company, an agency's officers those routed to their body; nobody else. A case not routed to you does
not exist for you (404), so its code tells nothing."""
from __future__ import annotations

from typing import Any

from ..accounts.models import Role, User
from ..errors import NotFound, PermissionDenied
from .models import Addressee, Author, FeedbackCase


def _role(actor: Any) -> Role | None:
    return getattr(actor, "role", None) if getattr(actor, "is_authenticated", False) else None


def is_secretariat(actor: Any) -> bool:
    return _role(actor) is Role.SECRETARIAT


def handles_feedback(actor: Any) -> bool:
    """Has a case list at all (the header's link)."""
    return _role(actor) in (Role.SECRETARIAT, Role.COMPANY_FILER, Role.AGENCY_OFFICER)


def is_addressee(actor: Any, case: FeedbackCase) -> bool:
    role = _role(actor)
    if role is Role.COMPANY_FILER:
        return case.addressee is Addressee.COMPANY and case.routed_company_id == actor.company_id
    if role is Role.AGENCY_OFFICER:
        return case.addressee is Addressee.AGENCY and case.routed_entity_id == actor.agency_id
    return False


def can_see(actor: Any, case: FeedbackCase) -> bool:
    return is_secretariat(actor) or is_addressee(actor, case)


def require_visible(actor: Any, case: FeedbackCase | None) -> FeedbackCase:
    if case is None or not can_see(actor, case):
        raise NotFound()
    return case


def require_secretariat(actor: Any) -> None:
    if not is_secretariat(actor):
        raise PermissionDenied()


def require_answerer(actor: Any, case: FeedbackCase) -> None:
    require_visible(actor, case)


def sees_contact(actor: Any, case: FeedbackCase) -> bool:
    """The resident's name and contact: the secretariat always, the addressee only when the resident agreed."""
    return is_secretariat(actor) or (is_addressee(actor, case) and case.share_contact)


def author_of(actor: User) -> Author:
    return {Role.COMPANY_FILER: Author.COMPANY, Role.AGENCY_OFFICER: Author.AGENCY}.get(actor.role,
                                                                                      Author.SECRETARIAT)
