"""The beneficial owners of a filing as Beneficial Ownership Data Standard (BODS) 0.4 statements.

One filing version is one declaration (``declaration`` "<INN>-<year>-v<version>") whose
subject is the company: an entity statement for the company (its INN under the scheme
``KG-INN``), then for each owner a person statement and a relationship statement from the
company to the person with one interest per means of control (shareholding, votingRights,
appointmentOfBoard, otherInfluenceOrControl, seniorManagingOfficial), the share as ``exact``,
``directOrIndirect`` and ``beneficialOwnershipOrControl`` true. Every record is a whole
(``isComponent`` false). Political exposure is ``isPep`` with the position as the reason, or
``isNotPep``.

Private data is never read here: the owners come from ``DisclosureSection.data`` through
``dump_section``, which leaves out dates of birth and identity documents (they live in
``DisclosureSection.restricted``).

Identifiers are deterministic: statement IDs are UUID 5 over the INN, the year, the version,
the kind of statement and the owner's position; record IDs of persons are UUID 5 over the INN
and the person's name and nationality (the same person keeps the record ID in later versions),
so exporting the same version twice gives the same statements. In an amendment a record of
the previous version is "updated", a new owner is "new", and an owner no longer listed gets
"closed" statements; everything of version 1 is "new".

Shares are JSON numbers, as BODS requires: the exact decimal text (at most 2 decimals) is
written as the shortest number that reads back to the same decimal.
"""
from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from ..accounts.models import User
from ..audit import utcnow
from ..errors import NotFound
from ..extensions import db
from .document import profile_object
from .models import Disclosure, DisclosureStatus
from .sections import dump_section, spec_for
from .sections.beneficial_owners import full_name
from .sections.countries import country_name

BODS_VERSION = "0.4"
PUBLISHER = {"name": "esg_portal"}
#: the identifier scheme of Kyrgyz taxpayer numbers (not, as far as we know, listed on org-id.guide)
INN_SCHEME = "KG-INN"
INN_SCHEME_NAME = "Taxpayer identification number (INN) of the Kyrgyz Republic"
KYRGYZSTAN = {"name": "Kyrgyzstan", "code": "KG"}
#: the namespace of every UUID of this portal's BODS statements and records
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:esg_portal:bods")

#: means of control (beneficial_owners.MEANS) → BODS 0.4 interest type
INTEREST_TYPES = {
    "shares": "shareholding",
    "voting_rights": "votingRights",
    "board_appointment": "appointmentOfBoard",
    "other_influence": "otherInfluenceOrControl",
    "senior_management": "seniorManagingOfficial",
}
#: the percentage that goes with an interest type
SHARE_FIELDS = {"shareholding": "ownership_pct", "votingRights": "voting_pct"}


def _uuid(*parts: Any) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(str(part) for part in parts)))


def _number(text: str) -> int | float:
    """An exact decimal percentage as a JSON number: an integer when whole, else the float whose
    shortest representation is the same decimal (at most 2 decimals, 0–100: always exact text)."""
    value = Decimal(text)
    if value == value.to_integral_value():
        return int(value)
    number = float(value)
    assert Decimal(repr(number)) == value, text
    return number


def _country(code: str) -> dict[str, str]:
    return {"name": country_name(code, "en"), "code": code}


def _owners(disclosure: Disclosure) -> list[dict]:
    """The owners of a version in the interchange form, private fields left out."""
    spec = spec_for("beneficial_owners")
    row = disclosure.section_row("beneficial_owners")
    return list(dump_section(spec, row.data if row else None)) if spec else []


def _person_key(owner: dict) -> str:
    name = " ".join(re.sub(r"\s+", " ", (owner.get(key) or "").strip()).casefold()
                    for key in ("surname", "given_name", "patronymic"))
    return f"{name}/{owner.get('nationality')}"


def _record_ids(inn: str, owners: list[dict]) -> list[str]:
    """Person record IDs, stable across versions; a second person of the same name and nationality
    in one filing gets its own."""
    seen: dict[str, int] = {}
    ids = []
    for owner in owners:
        key = _person_key(owner)
        seen[key] = seen.get(key, 0) + 1
        ids.append(_uuid(inn, "person", key, seen[key]))
    return ids


def _previous_version(disclosure: Disclosure) -> Disclosure | None:
    if disclosure.version <= 1:
        return None
    return db.session.scalar(select(Disclosure).where(
        Disclosure.company_id == disclosure.company_id, Disclosure.period_id == disclosure.period_id,
        Disclosure.version == disclosure.version - 1))


def _date(value: dt.datetime | None) -> str:
    if value is None:
        value = utcnow()
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return value.astimezone(dt.timezone.utc).date().isoformat()


def _person_details(owner: dict) -> dict[str, Any]:
    name = {"type": "legal", "fullName": full_name(owner), "familyName": owner["surname"],
            "givenName": owner["given_name"]}
    if owner.get("patronymic"):
        name["patronymicName"] = owner["patronymic"]
    if owner.get("is_pep"):
        exposure: dict[str, Any] = {"status": "isPep", "details": [{"reason": owner.get("pep_position") or ""}]}
    else:
        exposure = {"status": "isNotPep"}
    return {
        "isComponent": False,
        "personType": "knownPerson",
        "names": [name],
        "nationalities": [_country(owner["nationality"])],
        "addresses": [{"type": "residence", "country": _country(owner["country_of_residence"])}],
        "politicalExposure": exposure,
    }


def _interests(owner: dict) -> list[dict[str, Any]]:
    interests = []
    for means in owner.get("means_of_control") or []:
        kind = INTEREST_TYPES[means]
        interest: dict[str, Any] = {"type": kind, "directOrIndirect": owner["direct_or_indirect"],
                                    "beneficialOwnershipOrControl": True}
        if owner.get("control_details"):
            interest["details"] = owner["control_details"]
        share = owner.get(SHARE_FIELDS.get(kind, ""))
        if share is not None:
            interest["share"] = {"exact": _number(share)}
        interests.append(interest)
    return interests


def _relationship_details(entity_id: str, person_id: str, owner: dict) -> dict[str, Any]:
    return {"isComponent": False, "subject": entity_id, "interestedParty": person_id,
            "interests": _interests(owner)}


def bods_statements(disclosure: Disclosure, *, published_on: dt.date | None = None) -> list[dict[str, Any]]:
    """The BODS 0.4 statements of one filing version (entity, then person and relationship per owner).

    ``published_on`` is the publication date (default: today, UTC). Reads only; never writes.
    """
    profile = disclosure.profile_snapshot or profile_object(disclosure.company)
    inn, year, version = profile["inn"], disclosure.period.year, disclosure.version
    entity_id = f"{INN_SCHEME}-{inn}"
    declaration = f"{inn}-{year}-v{version}"
    statement_date = _date(disclosure.submitted_at or disclosure.updated_at)
    common = {
        "statementDate": statement_date,
        "declaration": declaration,
        "declarationSubject": entity_id,
        "publicationDetails": {"publicationDate": (published_on or utcnow().date()).isoformat(),
                               "bodsVersion": BODS_VERSION, "publisher": dict(PUBLISHER)},
        "source": {"type": ["selfDeclaration"],
                   "description": f"Annual disclosure of the company to the EITI of the Kyrgyz Republic for {year} "
                                  f"(version {version})",
                   "assertedBy": [{"name": profile["legal_name"]}]},
    }

    owners = _owners(disclosure)
    person_ids = _record_ids(inn, owners)
    previous = _previous_version(disclosure)
    previous_owners = _owners(previous) if previous is not None else []
    previous_ids = _record_ids(inn, previous_owners)

    def status(record_id: str, earlier: set[str]) -> str:
        return "updated" if record_id in earlier else "new"

    def statement(kind: str, index: Any, record_type: str, record_id: str, record_status: str,
                  details: dict[str, Any]) -> dict[str, Any]:
        return {"statementId": _uuid(inn, year, version, kind, index), **common, "recordId": record_id,
                "recordType": record_type, "recordStatus": record_status, "recordDetails": details}

    entity: dict[str, Any] = {
        "isComponent": False,
        "entityType": {"type": "registeredEntity"},
        "name": profile["legal_name"],
        "jurisdiction": dict(KYRGYZSTAN),
        "identifiers": [{"id": inn, "scheme": INN_SCHEME, "schemeName": INN_SCHEME_NAME}],
    }
    if profile.get("address"):
        entity["addresses"] = [{"type": "registered", "address": profile["address"], "country": dict(KYRGYZSTAN)}]
    statements = [statement("entity", 0, "entity", entity_id, "updated" if previous is not None else "new", entity)]

    earlier_people = set(previous_ids)
    for index, (owner, person_id) in enumerate(zip(owners, person_ids)):
        relationship_id = _uuid(inn, "relationship", person_id)
        statements.append(statement("person", index, "person", person_id, status(person_id, earlier_people),
                                    _person_details(owner)))
        statements.append(statement("relationship", index, "relationship", relationship_id,
                                    status(person_id, earlier_people),
                                    _relationship_details(entity_id, person_id, owner)))

    current = set(person_ids)
    for index, (owner, person_id) in enumerate(zip(previous_owners, previous_ids)):
        if person_id in current:
            continue
        # an owner of the previous version no longer listed: the records are closed
        statements.append(statement("closed-relationship", index, "relationship",
                                    _uuid(inn, "relationship", person_id), "closed",
                                    _relationship_details(entity_id, person_id, owner)))
        statements.append(statement("closed-person", index, "person", person_id, "closed", _person_details(owner)))
    return statements


def bods_json(statements: list[dict[str, Any]]) -> bytes:
    """The statements as a BODS JSON file (an array of statements, UTF-8)."""
    return json.dumps(statements, ensure_ascii=False, indent=2).encode("utf-8")


def bods_export(actor: User, disclosure_id: int, *, published_on: dt.date | None = None) -> tuple[str, bytes]:
    """(file name, JSON) of the BODS statements of a submitted version, for a reader of that version.

    Drafts have none (404): a declaration is what was submitted. The route is the caller's.
    """
    from .services import get_disclosure
    disclosure = get_disclosure(actor, disclosure_id)
    if disclosure.status is DisclosureStatus.DRAFT or disclosure.submitted_at is None:
        raise NotFound()
    profile = disclosure.profile_snapshot or {}
    inn = re.sub(r"[^0-9A-Za-z]", "", profile.get("inn") or disclosure.company.inn)
    filename = f"beneficial-owners-bods-{inn}-{disclosure.period.year}-v{disclosure.version}.json"
    return filename, bods_json(bods_statements(disclosure, published_on=published_on))
