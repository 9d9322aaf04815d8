"""The canonical filing document (INTERFACES.md §4) and the sha256 that fixes it at submission.

``filing_document`` builds exactly the body of ``GET /api/v1/filings/{year}`` from a
``Disclosure``; ``filing_sha256`` hashes its canonical JSON without ``status``,
``submitted_at`` and ``sha256`` (the three keys that change when a filing moves through
review without its content changing). Pure functions: they read the ORM object and never
write, flush or commit.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..companies.models import Company, License
from ..extensions import db
from ..lifecycle import canonical_json, canonical_sha256  # noqa: F401 (canonical_json re-exported)
from ..money import format_plain, percent_from_basis_points
from ..reference.models import ReportingPeriod
from . import sections
from .models import Disclosure, DisclosureStatus, PaymentLine
from .sections import catalog

#: keys of the document left out of the hash (INTERFACES.md §4)
HASH_EXCLUDED_KEYS = ("status", "submitted_at", "sha256")
#: the §3 payment columns, in upload-template order; the first five are the row key
PAYMENT_FIELDS = ("revenue_stream", "government_entity", "project", "currency", "paid_in_kind", "amount",
                  "in_kind_volume", "in_kind_unit", "recipient_locality", "comment")


def iso_utc(value: dt.datetime | None) -> str | None:
    """ISO 8601 UTC to the second with ``Z`` (INTERFACES.md §2); naive values are UTC (SQLite)."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return value.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _text(value: str | None) -> str:
    # optional §3 text columns are blank, never null, so a GET body can be PUT back as is
    return value or ""


def payment_object(line: PaymentLine) -> dict[str, str]:
    """One payment line as a §3 object, the amount a 2-decimal string."""
    return {
        "revenue_stream": line.revenue_stream.code,
        "government_entity": line.government_entity.code,
        "project": line.license.number if line.license is not None else "",
        "amount": format_plain(line.amount_minor, line.currency),
        "currency": line.currency,
        "paid_in_kind": "yes" if line.is_paid_in_kind else "no",
        "in_kind_volume": _text(line.in_kind_volume),
        "in_kind_unit": _text(line.in_kind_unit),
        "recipient_locality": _text(line.recipient_locality),
        "comment": _text(line.comment),
    }


def _payment_sort_key(payment: dict[str, str]) -> tuple[str, ...]:
    return tuple(payment[field] for field in PAYMENT_FIELDS)


def licence_object(licence: License) -> dict[str, Any]:
    """A licence (project) as listed in the filing's profile."""
    return {
        "number": licence.number,
        "kind": licence.kind,
        "project_name": licence.project_name,
        "site": licence.site.code if licence.site is not None else None,
        "minerals": sorted(mineral.code for mineral in licence.minerals),
        "issued_on": licence.issued_on.isoformat() if licence.issued_on else None,
        "expires_on": licence.expires_on.isoformat() if licence.expires_on else None,
        "status": licence.status,
    }


def profile_object(company: Company) -> dict[str, Any]:
    """The company register entry as it stands, with its licences sorted by number."""
    share = company.state_share_bp
    return {
        "inn": company.inn,
        "legal_name": company.legal_name,
        "legal_form": company.legal_form,
        "address": company.address,
        "region": company.region.code if company.region is not None else None,
        "state_share_pct": f"{percent_from_basis_points(share):f}" if share is not None else None,
        "is_state_share_free_carried": bool(company.is_state_share_free_carried),
        "is_soe": bool(company.is_soe),
        "website": company.website,
        "listing": company.listing,
        "audited_statements_url": company.audited_statements_url,
        "licences": sorted((licence_object(lic) for lic in company.licenses), key=lambda lic: lic["number"]),
    }


def declarations_object(disclosure: Disclosure) -> dict[str, dict[str, str]]:
    """Explicit nil / not-applicable answers per section (an addition to INTERFACES.md §4)."""
    return {d.section: {"kind": d.kind.value, "reason": d.reason} for d in disclosure.declarations}


def load_documents(disclosures: Sequence[Disclosure]) -> None:
    """Read what ``filing_document`` reads of several versions at once: one query per kind for all of
    them, not one per kind and version (a comparison of two versions)."""
    ids = [disclosure.id for disclosure in disclosures if disclosure.id is not None]
    if ids:
        db.session.scalars(select(Disclosure).where(Disclosure.id.in_(ids)).options(
            selectinload(Disclosure.payment_lines), selectinload(Disclosure.declarations),
            selectinload(Disclosure.sections))).all()


def _hashed_part(disclosure: Disclosure) -> dict[str, Any]:
    """The document minus the keys excluded from the hash.

    A submitted version carries the profile copied at submission, so a later edit of the
    company register never changes what was filed (nor its hash).
    """
    payments = sorted((payment_object(line) for line in disclosure.payment_lines), key=_payment_sort_key)
    profile = disclosure.profile_snapshot or profile_object(disclosure.company)
    esg = {}
    for row in disclosure.sections:
        spec = sections.spec_for(row.section)
        if spec is not None:
            esg[row.section] = sections.dump_section(spec, row.data)
    return _document(disclosure.period.year, disclosure.version, profile, payments,
                     declarations_object(disclosure), esg)


def esg_section_keys() -> tuple[str, ...]:
    return catalog.ORDER


def _document(year: int, version: int, profile: dict[str, Any], payments: list[dict[str, str]],
              declarations: dict[str, dict[str, str]], esg: dict[str, Any]) -> dict[str, Any]:
    """The one place the shape of the filing document is written.

    Every ESG section is present; one with nothing stored is empty ([] or {}) — "not
    provided" unless ``declarations`` answers it. Beneficial owners never carry dates of
    birth or identity documents here (they are kept apart, ``DisclosureSection.restricted``).
    """
    esg_sections = {key: esg.get(key, {} if key == "workforce" else []) for key in catalog.ORDER}
    return {
        "year": year,
        "company": {"inn": profile["inn"], "name": profile["legal_name"]},
        "version": version,
        "declarations": declarations,
        "sections": {"payments": payments, **esg_sections, "profile": profile},
    }


def empty_filing_document(company: Company, period: ReportingPeriod) -> dict[str, Any]:
    """The document of a company that has stored nothing for the period: a version-1 draft
    with empty sections and the current profile, built without storing anything."""
    document = _document(period.year, 1, profile_object(company), [], {}, {})
    document.update(status=DisclosureStatus.DRAFT.value, submitted_at=None, sha256=None)
    return document


def filing_document(disclosure: Disclosure) -> dict[str, Any]:
    """The GET /api/v1/filings/{year} body of INTERFACES.md §4 for this disclosure version."""
    document = _hashed_part(disclosure)
    document["status"] = disclosure.status.value
    document["submitted_at"] = iso_utc(disclosure.submitted_at)
    document["sha256"] = disclosure.sha256
    return document


def document_sha256(document: dict[str, Any]) -> str:
    """sha256 hex of a filing document's canonical JSON, without the excluded keys."""
    return canonical_sha256(document, excluded=HASH_EXCLUDED_KEYS)


def filing_sha256(disclosure: Disclosure) -> str:
    """The hash of INTERFACES.md §4: canonical JSON of the document without status, submitted_at, sha256."""
    return document_sha256(_hashed_part(disclosure))
