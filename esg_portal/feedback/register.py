"""What a case can be about, from the published register: companies and licences of the newest
release of each period, sites and government entities of the reference lists, and the commitments
(social-package agreements, environmental assessments, public hearings) of published filings.

Read through releases only (like ``public/``): a resident can only name what is public, and a case
never reaches into unpublished filings.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from ..eiti.publication.published import latest_per_period
from ..extensions import db
from ..reference.models import GovernmentEntity, Region, Site

#: the published sections whose items a case may name, and the fields that make an item's label
COMMITMENT_SECTIONS: dict[str, tuple[str, ...]] = {
    "social_agreements": ("agreement_number", "description", "counterparty_name"),
    "eia": ("assessment_type", "reference_number", "project"),
    "public_hearings": ("reference", "settlement", "held_on"),
}


def _name(names: Any, locale: str, fallback: str = "") -> str:
    if isinstance(names, dict):
        return names.get(locale) or names.get("en") or fallback
    return names or fallback


@dataclass(frozen=True)
class Commitment:
    year: int
    section: str
    company_inn: str
    item: int
    label: str

    @property
    def key(self) -> str:
        """The value of the form's choice: ``year:section:inn:item``."""
        return f"{self.year}:{self.section}:{self.company_inn}:{self.item}"


class Register:
    """The published register, read once per request (the release data is cached by content)."""

    def __init__(self) -> None:
        self.companies: dict[str, str] = {}
        #: licence number → (company INN, site code or None)
        self.licences: dict[str, tuple[str, str | None]] = {}
        self._published = latest_per_period()
        for published in self._published:
            for company in published.data.get("companies", []):
                if company.get("inn"):
                    self.companies[company["inn"]] = company.get("name") or company["inn"]
            for project in published.data.get("projects", []):
                if project.get("licence"):
                    self.licences[project["licence"]] = (project.get("company_inn"), project.get("site"))

    # --- the choices of the intake form ------------------------------------------------------------

    def company_choices(self) -> list[tuple[str, str]]:
        return sorted(((inn, name) for inn, name in self.companies.items()), key=lambda pair: pair[1].casefold())

    def licence_choices(self) -> list[tuple[str, str]]:
        return [(number, f"{number} — {self.companies.get(inn, inn)}")
                for number, (inn, _site) in sorted(self.licences.items())]

    @staticmethod
    def site_choices(locale: str) -> list[tuple[str, str]]:
        sites = db.session.scalars(select(Site).order_by(Site.code))
        return sorted(((s.code, getattr(s, f"name_{locale}", None) or s.name_en) for s in sites),
                      key=lambda pair: pair[1].casefold())

    @staticmethod
    def entity_choices(locale: str) -> list[tuple[str, str]]:
        entities = db.session.scalars(select(GovernmentEntity).order_by(GovernmentEntity.code))
        return sorted(((e.code, getattr(e, f"name_{locale}", None) or e.name_en) for e in entities),
                      key=lambda pair: pair[1].casefold())

    # --- what a subject means ----------------------------------------------------------------------

    def resolve(self, kind: str, value: str) -> tuple[str | None, str | None, str | None]:
        """(company INN, site code, entity code) of a subject; None where the subject does not tell.

        Raises ``KeyError`` for a value the register does not hold."""
        if kind == "company_inn":
            if value not in self.companies:
                raise KeyError(value)
            return value, None, None
        if kind == "licence":
            inn, site = self.licences[value]
            return inn, site, None
        if kind == "site":
            if db.session.scalar(select(Site.id).where(Site.code == value)) is None:
                raise KeyError(value)
            return self.site_company(value), value, None
        if kind == "entity":
            if db.session.scalar(select(GovernmentEntity.id).where(GovernmentEntity.code == value)) is None:
                raise KeyError(value)
            return None, None, value
        return None, None, None

    def site_company(self, site: str) -> str | None:
        """The one company working a site, when only one does (else the secretariat decides)."""
        found = {inn for inn, licence_site in self.licences.values() if licence_site == site}
        return found.pop() if len(found) == 1 else None

    # --- commitments -------------------------------------------------------------------------------

    def commitments(self, company_inn: str | None = None) -> list[Commitment]:
        """The commitments of published filings (newest year first), of one company or of all."""
        found: list[Commitment] = []
        for published in reversed(self._published):
            for section, fields in COMMITMENT_SECTIONS.items():
                for row in published.data.get(section, []):
                    if company_inn and row.get("company_inn") != company_inn:
                        continue
                    words = " · ".join(str(row[f]) for f in fields if row.get(f))
                    found.append(Commitment(published.year, section, row["company_inn"], int(row["item"]),
                                            f"{published.year} · {row.get('company_name') or ''} · {words}"))
        return found

    def commitment(self, key: str) -> Commitment:
        """The commitment of a form's key; ``KeyError`` when no published filing holds it."""
        for commitment in self.commitments():
            if commitment.key == key:
                return commitment
        raise KeyError(key)


def region_of_site(site: str | None) -> str | None:
    if not site:
        return None
    return db.session.scalar(select(Region.code).join(Site, Site.region_id == Region.id).where(Site.code == site))


def subject_label(kind: str, value: str, locale: str, register: Register | None = None) -> str:
    """A case's subject as a reader sees it: the register's name in their language, else the value."""
    if kind == "site":
        site = db.session.scalar(select(Site).where(Site.code == value))
        return _name({"en": site.name_en, "ru": site.name_ru, "ky": site.name_ky}, locale, value) if site else value
    if kind == "entity":
        entity = db.session.scalar(select(GovernmentEntity).where(GovernmentEntity.code == value))
        return _name({"en": entity.name_en, "ru": entity.name_ru, "ky": entity.name_ky}, locale, value) \
            if entity else value
    if kind in ("company_inn", "licence"):
        register = register or Register()
        if kind == "company_inn":
            return register.companies.get(value, value)
        inn = (register.licences.get(value) or (None, None))[0]
        return f"{value} — {register.companies.get(inn, inn)}" if inn else value
    return value
