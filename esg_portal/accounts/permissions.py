"""Who may do what: plain functions, checked at the top of every service, and the
scoping helpers that every list query goes through.

Rule of the product: a company sees only its own unpublished data; agencies see
their own receipts and never company filings; the secretariat sees what was submitted.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import Select, false

from ..companies.models import Company
from ..disclosure.models import Attachment, Disclosure, DisclosureStatus
from ..eiti.models import AddressedTo, DiscrepancyQuery
from ..errors import PermissionDenied
from ..receipts.models import BatchStatus, ReceiptBatch
from .models import Role, User


def _is_staff(user: Any) -> bool:
    return getattr(user, "is_authenticated", False) and user.role in (Role.SECRETARIAT, Role.ADMIN)


def is_admin(user: Any) -> bool:
    return getattr(user, "is_authenticated", False) and user.role is Role.ADMIN


def can_view_company(user: Any, company: Company) -> bool:
    """Register data (name, INN, licences): staff and agencies see all, a filer only their own."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.role is Role.COMPANY_FILER:
        return user.company_id == company.id
    return True


def can_manage_accounts(user: Any) -> bool:
    """User accounts are issued and changed by administrators only."""
    return is_admin(user)


def can_manage_companies(user: Any) -> bool:
    """Create and edit companies and their licences: administrators and the EITI secretariat.

    Decided so: deciding which companies and licences are in the reporting scope is the
    secretariat's (the multi-stakeholder group's) job under EITI Requirement 4.1, so the
    register is theirs as much as the administrator's. Filers never edit the register (their
    profile is copied into each filing version from it) and agency officers only read it.
    The ``/admin/`` pages themselves are open to administrators only; a secretariat page for
    the register would call the same services.
    """
    return getattr(user, "is_authenticated", False) and user.role in (Role.ADMIN, Role.SECRETARIAT)


def can_manage_agencies(user: Any) -> bool:
    """Government agencies are reference data that decide whose receipts count: admins only."""
    return is_admin(user)


def can_view_disclosure(user: Any, disclosure: Disclosure) -> bool:
    """The filing company sees every version; staff see versions once submitted."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.role is Role.COMPANY_FILER:
        return user.company_id == disclosure.company_id
    if _is_staff(user):
        return disclosure.status is not DisclosureStatus.DRAFT
    return False


def can_edit_disclosure(user: Any, disclosure: Disclosure) -> bool:
    return (
        getattr(user, "is_authenticated", False)
        and user.role is Role.COMPANY_FILER
        and user.company_id == disclosure.company_id
        and disclosure.status is DisclosureStatus.DRAFT
    )


def can_submit_disclosure(user: Any, disclosure: Disclosure) -> bool:
    return can_edit_disclosure(user, disclosure) and bool(user.is_signatory)


def can_fetch_attachment(user: Any, attachment: Attachment) -> bool:
    """A filer of the company always; the EITI secretariat once the version the file was uploaded
    to has been submitted (like a draft, a file still being prepared is the company's own).
    Agency officers, administrators and visitors never: published attachments are served from
    releases, not from here."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.role is Role.COMPANY_FILER:
        return user.company_id == attachment.company_id
    if user.role is Role.SECRETARIAT:
        version = attachment.disclosure
        return version is not None and version.status is not DisclosureStatus.DRAFT
    return False


def is_filer_of(user: Any, company_id: int) -> bool:
    """A company filer of this company (any filer may prepare; only signatories submit)."""
    return (getattr(user, "is_authenticated", False) and user.role is Role.COMPANY_FILER
            and user.company_id == company_id)


def can_manage_period_settings(user: Any) -> bool:
    """Rates, thresholds, scope and margins of a period are set by the EITI secretariat."""
    return getattr(user, "is_authenticated", False) and user.role is Role.SECRETARIAT


def can_review_disclosures(user: Any) -> bool:
    """Queries and acceptance are the EITI secretariat's job (not the administrator's)."""
    return getattr(user, "is_authenticated", False) and user.role is Role.SECRETARIAT


def can_reconcile(user: Any) -> bool:
    """Reconciliation runs are made and read by the EITI secretariat only (it sees submitted figures of
    both sides; the administrator manages accounts, not figures)."""
    return getattr(user, "is_authenticated", False) and user.role is Role.SECRETARIAT


def can_view_receipt_batch(user: Any, batch: ReceiptBatch) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if user.role is Role.AGENCY_OFFICER:
        return user.agency_id == batch.agency_id
    # like company drafts, an agency's draft batch is its own until submitted
    return _is_staff(user) and batch.status is not BatchStatus.DRAFT


def can_manage_discrepancies(user: Any) -> bool:
    """Raising discrepancy queries and deciding adjustments is the EITI secretariat's job."""
    return getattr(user, "is_authenticated", False) and user.role is Role.SECRETARIAT


def is_addressee_of(user: Any, query: DiscrepancyQuery) -> bool:
    """A filer of the company asked, or an officer of the agency asked: who answers the query."""
    if not getattr(user, "is_authenticated", False):
        return False
    if query.addressed_to is AddressedTo.COMPANY:
        return user.role is Role.COMPANY_FILER and query.company_id is not None and user.company_id == query.company_id
    return user.role is Role.AGENCY_OFFICER and query.agency_id is not None and user.agency_id == query.agency_id


def can_view_discrepancy_query(user: Any, query: DiscrepancyQuery) -> bool:
    """The secretariat and the addressee; nobody else learns that the query exists."""
    return can_manage_discrepancies(user) or is_addressee_of(user, query)


def require(allowed: bool) -> None:
    """Raise ``PermissionDenied`` unless the check passed."""
    if not allowed:
        raise PermissionDenied()


# --- scoping helpers: every list query of these records goes through one of them ---
# Each starts by failing closed: a visitor who is not signed in is given no rows.

def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def scope_companies(user: User, stmt: Select) -> Select:
    if not _signed_in(user):
        return stmt.where(false())
    if user.role is Role.COMPANY_FILER:
        return stmt.where(Company.id == user.company_id)
    return stmt


def scope_disclosures(user: User, stmt: Select) -> Select:
    if not _signed_in(user):
        return stmt.where(false())
    if user.role is Role.COMPANY_FILER:
        return stmt.where(Disclosure.company_id == user.company_id)
    if _is_staff(user):
        return stmt.where(Disclosure.status != DisclosureStatus.DRAFT)
    return stmt.where(false())


def scope_receipt_batches(user: User, stmt: Select) -> Select:
    if not _signed_in(user):
        return stmt.where(false())
    if user.role is Role.AGENCY_OFFICER:
        return stmt.where(ReceiptBatch.agency_id == user.agency_id)
    if _is_staff(user):
        return stmt.where(ReceiptBatch.status != BatchStatus.DRAFT)
    return stmt.where(false())


def scope_discrepancy_queries(user: User, stmt: Select) -> Select:
    """Filers see the queries addressed to their company, officers those to their agency,
    the secretariat all of them; administrators and visitors none."""
    if not _signed_in(user):
        return stmt.where(false())
    if user.role is Role.COMPANY_FILER:
        return stmt.where(DiscrepancyQuery.addressed_to == AddressedTo.COMPANY,
                          DiscrepancyQuery.company_id == user.company_id)
    if user.role is Role.AGENCY_OFFICER:
        return stmt.where(DiscrepancyQuery.addressed_to == AddressedTo.AGENCY,
                          DiscrepancyQuery.agency_id == user.agency_id)
    if can_manage_discrepancies(user):
        return stmt
    return stmt.where(false())
