"""What each endpoint of the machine API does, in terms of the domain services.

One function per endpoint; each takes the acting user (the token's owner), checks who
may call it first, flushes but never commits (the view commits once). The filing
endpoints are for company filers only: the token's user has exactly one company, and the
year names the filing.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from ..accounts.models import Role, User
from ..accounts.permissions import require
from ..companies.models import Company
from ..disclosure import services as filings
from ..disclosure.attestation import attestation_text
from ..disclosure.document import empty_filing_document, filing_document
from ..disclosure.models import Disclosure, DisclosureStatus
from ..disclosure.sections import all_specs
from ..disclosure.sections import services as section_services
from ..disclosure.schemas import load_payment_lookups, payment_rows_from_json, read_payment_upload
from ..errors import InvalidTransition, NotFound, PermissionDenied
from ..extensions import db
from ..receipts import services as receipt_services
from ..receipts.attestation import attestation_text as receipt_attestation_text
from ..receipts.models import BatchStatus
from ..receipts.schemas import load_receipt_lookups, read_receipt_upload, receipt_rows_from_json
from ..reference.models import ReportingPeriod
from ..reference.periods import require_open
from ..lifecycle import NEW_DOCUMENT_TOKEN, Expected
from .bodies import Body, UnsupportedContentType

def writable_sections() -> tuple[str, ...]:
    """Sections that PUT /api/v1/filings/{year}/{section} accepts: payments and every registered ESG section."""
    return ("payments", *(spec.key for spec in all_specs()))

#: the file name the CSV body is read under (it appears in messages about the file)
CSV_BODY_NAME = "upload.csv"


def _filer_company(actor: User) -> Company:
    """The actor's company; 403 for every role but company filer."""
    if not (getattr(actor, "is_authenticated", False) and actor.role is Role.COMPANY_FILER
            and actor.company_id is not None):
        raise PermissionDenied(_("Filings are read and sent by company filers only, and this token belongs to an "
                                 "account that is not a company filer's."))
    return db.session.get(Company, actor.company_id)


def list_periods(actor: User) -> list[ReportingPeriod]:
    """Every reporting period, oldest first (any signed-in role)."""
    require(bool(getattr(actor, "is_authenticated", False)))
    return list(db.session.scalars(select(ReportingPeriod).order_by(ReportingPeriod.year)))


def filing_document_of(actor: User, year: int) -> tuple[dict[str, Any], str]:
    """The latest version of the actor's company's filing for ``year``, drafts included, and its ETag;
    with nothing stored, an empty version-1 draft — and nothing is stored by asking."""
    company = _filer_company(actor)
    period = filings.get_period(year)
    latest = filings.latest_filing(actor, company, period)
    if latest is None:
        return empty_filing_document(company, period), f'"{NEW_DOCUMENT_TOKEN}"'
    return filing_document(latest), latest.etag


def _unknown_section(section: str) -> NotFound:
    writable = ", ".join(writable_sections())
    if section == "profile":
        message = _("The profile is not sent: it is copied from the company register when the filing is submitted. "
                    "Ask the EITI secretariat to correct the register. Sections you can send: %(sections)s.",
                    sections=writable)
    else:
        message = _("There is no section “%(section)s”. Sections you can send: %(sections)s.",
                    section=section[:50], sections=writable)
    return NotFound(message, code="unknown_section")


def replace_section(actor: User, year: int, section: str, body: Body, *, locale: str,
                    expected: Expected | None = None) -> int:
    """Replace one section of the draft with the body (CSV or a JSON list); returns the number of lines.

    The draft is opened (created as version 1 if nothing exists) before the rows are read;
    a refused body rolls everything back, so a failed PUT stores nothing.
    """
    company = _filer_company(actor)
    period = filings.get_period(year)
    if section not in writable_sections():
        raise _unknown_section(section)
    if section != "payments":
        return _replace_esg_section(actor, company, period, section, body, locale=locale, expected=expected)
    if body.is_csv:
        def read(lookups):
            return read_payment_upload(body.data, CSV_BODY_NAME, locale=locale, lookups=lookups)
    elif body.is_json:
        rows = body.json()

        def read(lookups):
            return payment_rows_from_json(rows, locale=locale, lookups=lookups)
    else:
        raise UnsupportedContentType(_("Send the payments as CSV with “Content-Type: text/csv”, or as a JSON list "
                                       "with “Content-Type: application/json”."))
    draft = filings.open_draft(actor, company, period)
    payments = read(load_payment_lookups(company.id))
    return filings.replace_payment_lines(actor, draft, payments, expected=expected)


def _replace_esg_section(actor: User, company: Company, period: ReportingPeriod, section: str, body: Body, *,
                         locale: str, expected: Expected | None) -> int:
    """An ESG section is sent as JSON: a list of objects, or one object for workforce."""
    if not body.is_json:
        raise UnsupportedContentType(_("Send the section “%(section)s” as JSON with “Content-Type: "
                                       "application/json”.", section=section))
    raw = body.json()
    draft = filings.open_draft(actor, company, period)
    return section_services.replace_section(actor, draft, section, raw, locale=locale, expected=expected)


def _draft_to_submit(actor: User, company: Company, period: ReportingPeriod) -> Disclosure:
    latest = filings.latest_filing(actor, company, period)
    if latest is not None and latest.status is DisclosureStatus.DRAFT:
        return latest
    require_open(period)
    if latest is None:
        raise InvalidTransition(_("There is no draft to submit for %(year)s: send the payments first.",
                                  year=period.year), code="not_draft")
    raise InvalidTransition(_("Version %(version)d has already been submitted. To correct it, start an amendment.",
                              version=latest.version), code="not_draft")


def submit_filing(actor: User, year: int, body: Body, *, locale: str, now: dt.datetime | None = None,
                  expected: Expected | None = None) -> Disclosure:
    """A signatory attests and submits the draft, with the standard attestation in ``locale``."""
    company = _filer_company(actor)
    period = filings.get_period(year)
    if not actor.is_signatory:
        raise PermissionDenied(_("Only a signatory of the company may submit its filing. Ask the portal "
                                 "administrator to mark the person who attests the filing as signatory."))
    draft = _draft_to_submit(actor, company, period)
    values = body.fields(("attested_by_name", "attested_by_position", "confirm_carried_over"))
    confirmed = [key.strip() for key in values["confirm_carried_over"].split(",") if key.strip()]
    return filings.submit_disclosure(actor, draft, attested_by_name=values["attested_by_name"],
                                     attested_by_position=values["attested_by_position"],
                                     attestation_text=attestation_text(locale), now=now, expected=expected,
                                     confirm_carried_over=confirmed)


def amend_filing(actor: User, year: int, body: Body) -> Disclosure:
    """Open the next version as a draft, pre-filled from the last submitted one."""
    company = _filer_company(actor)
    period = filings.get_period(year)
    values = body.fields(("reason",))
    return filings.start_amendment(actor, company, period, values["reason"])


# --- agency receipts -------------------------------------------------------------------

def _officer_agency(actor: User):
    """The actor's agency; 403 for every role but agency officer."""
    if not (getattr(actor, "is_authenticated", False) and actor.role is Role.AGENCY_OFFICER
            and actor.agency_id is not None):
        raise PermissionDenied(_("Government receipts are sent by agency officers only, and this token belongs to "
                                 "an account that is not an agency officer's."))
    return receipt_services.officer_agency(actor)


def replace_receipts(actor: User, year: int, body: Body, *, locale: str, expected: Expected | None = None) -> int:
    """Replace the receipts of the officer's draft batch with the body (CSV or a JSON list)."""
    agency = _officer_agency(actor)
    period = receipt_services.get_period(year)
    if body.is_csv:
        def read(lookups):
            return read_receipt_upload(body.data, CSV_BODY_NAME, locale=locale, lookups=lookups)
    elif body.is_json:
        rows = body.json()

        def read(lookups):
            return receipt_rows_from_json(rows, locale=locale, lookups=lookups)
    else:
        raise UnsupportedContentType(_("Send the receipts as CSV with “Content-Type: text/csv”, or as a JSON list "
                                       "with “Content-Type: application/json”."))
    batch = receipt_services.open_batch(actor, agency, period)
    receipts = read(load_receipt_lookups(agency))
    return receipt_services.replace_receipts(actor, batch, receipts, expected=expected)


def submit_receipts(actor: User, year: int, body: Body, *, locale: str, now: dt.datetime | None = None,
                    expected: Expected | None = None):
    """The officer attests and submits the draft batch, with the standard attestation in ``locale``."""
    agency = _officer_agency(actor)
    period = receipt_services.get_period(year)
    latest = receipt_services.latest_batch(actor, agency, period)
    if latest is None or latest.status is not BatchStatus.DRAFT:
        require_open(period)
        if latest is None:
            raise InvalidTransition(_("There is no draft to submit for %(year)s: send the receipts first.",
                                      year=period.year), code="not_draft")
        raise InvalidTransition(_("Version %(version)d has already been submitted. To change it, start a "
                                  "correction.", version=latest.version), code="not_draft")
    values = body.fields(("attested_by_name", "attested_by_position"))
    return receipt_services.submit_batch(actor, latest, values["attested_by_name"], values["attested_by_position"],
                                         receipt_attestation_text(locale), now=now, expected=expected)
