"""Translated labels for stored codes (roles, statuses), shown in the reader's language."""
from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l

LABELS = {
    # roles
    "company_filer": _l("Company filer"),
    "agency_officer": _l("Agency officer"),
    "secretariat": _l("EITI secretariat"),
    "admin": _l("Administrator"),
    # filing and batch statuses
    "not_started": _l("Not started"),
    "draft": _l("Draft"),
    "submitted": _l("Submitted"),
    "queried": _l("Queried"),
    "answered": _l("Answered"),
    "accepted": _l("Accepted"),
    "superseded": _l("Superseded"),
    # period statuses
    "planned": _l("Planned"),
    "open": _l("Open"),
    "closed": _l("Closed"),
    # audit actions
    "create": _l("Created"),
    "update": _l("Changed"),
    "delete": _l("Deleted"),
    # licence kinds and states
    "exploration": _l("Exploration"),
    "extraction": _l("Extraction"),
    "prospecting": _l("Prospecting"),
    "active": _l("Active"),
    "suspended": _l("Suspended"),
    "expired": _l("Expired"),
    # government entity types and levels (government_entities.csv)
    "Tax authority": _l("Tax authority"),
    "Customs authority": _l("Customs authority"),
    "Ministry": _l("Ministry"),
    "Social security fund": _l("Social security fund"),
    "State holding": _l("State holding"),
    "Local government": _l("Local government"),
    "national": _l("National"),
    "subnational": _l("Subnational"),
    # region kinds
    "oblast": _l("Region (oblast)"),
    "city": _l("City of republican significance"),
    # site categories
    "priority_project": _l("Priority project"),
    "prospective_deposit": _l("Prospective deposit"),
    "prospective_area": _l("Prospective area"),
}


def label(value: object) -> str:
    """The translated label of a code or enum member; unknown codes are shown as they are."""
    key = value.value if isinstance(value, enum.Enum) else str(value)
    return str(LABELS.get(key, key))


def section_label(key: str) -> str:
    """The name of a section of the filing document for people (never its key)."""
    from .disclosure.pages.labels import SECTION_LABELS
    return str(SECTION_LABELS.get(key, key.replace("_", " ").capitalize()))


def attestation_for_reader(text: str | None) -> str | None:
    """The standard attestation (a filing's or a receipt batch's) in the reader's language when the stored one
    was signed in another language; None otherwise. The signed text stays the authoritative one."""
    from .disclosure.attestation import reader_version
    from .i18n import current_locale
    from .receipts.attestation import ATTESTATION_TEXTS as RECEIPT_TEXTS
    return reader_version(text, current_locale()) or reader_version(text, current_locale(), RECEIPT_TEXTS)


def register(app) -> None:
    app.jinja_env.globals.update(role_label=label, status_label=label, label=label, section_label=section_label,
                                 attestation_for_reader=attestation_for_reader)
