"""The register's names a sealed version refers to, recorded beside (never inside) the filing document.

A submitted version keeps the company profile as filed (``profile_snapshot``, part of the hashed
document) and, in ``Disclosure.register_snapshot``, the names of the reference records the
document names by code, as the register had them when the version was sealed:

- ``revenue_streams`` code → {name_en, name_ru, name_ky, gfs_code};
- ``gfs_codes`` code → {name_en, name_ru, name_ky} (those of the streams);
- ``government_entities``, ``regions``, ``sites``, ``minerals`` code → {name_en, name_ru, name_ky};
- ``licences`` number → {id, project_name, kind}.

A record is kept when its code (a licence: its number) is a value somewhere in the document,
so the payment lines, the profile and the ESG sections are all covered. The snapshot is not part
of the document, so recording it changes neither the document nor its sha256. Pure reads: no
flush, no commit.
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from sqlalchemy import select

from ..extensions import db
from ..reference.models import GovernmentEntity, Mineral, Region, RevenueStream, Site
from .document import filing_document
from .models import Disclosure

#: snapshot key → reference table whose names are kept by code
NAMED_TABLES = {"revenue_streams": RevenueStream, "government_entities": GovernmentEntity, "regions": Region,
                "sites": Site, "minerals": Mineral}
LANGUAGES = ("en", "ru", "ky")


def _values(value: Any) -> Iterator[str]:
    """Every text value of a JSON document, however deep."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _values(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _values(item)


def _names(record: Any) -> dict[str, str]:
    return {f"name_{language}": getattr(record, f"name_{language}", "") or "" for language in LANGUAGES}


def register_snapshot(disclosure: Disclosure) -> dict[str, dict[str, dict]]:
    """The names of the register's records that ``disclosure``'s document refers to (see the module doc)."""
    document = filing_document(disclosure)
    codes = set(_values(document["sections"]))
    snapshot: dict[str, dict[str, dict]] = {}
    for key, model in NAMED_TABLES.items():
        records = [r for r in db.session.scalars(select(model).order_by(model.code)) if r.code in codes]
        snapshot[key] = {r.code: _names(r) for r in records}
        if model is RevenueStream:
            for record in records:
                snapshot[key][record.code]["gfs_code"] = record.gfs_code.code if record.gfs_code else None
            gfs = {r.gfs_code.code: r.gfs_code for r in records if r.gfs_code is not None}
            snapshot["gfs_codes"] = {code: _names(gfs[code]) for code in sorted(gfs)}
    licences = {lic.id: lic for lic in disclosure.company.licenses}
    licences.update({line.license.id: line.license for line in disclosure.payment_lines if line.license is not None})
    snapshot["licences"] = {lic.number: {"id": lic.id, "project_name": lic.project_name, "kind": lic.kind}
                            for lic in sorted(licences.values(), key=lambda lic: lic.number) if lic.number in codes}
    return snapshot


def recorded_name(names: Mapping[str, str] | None, locale: str) -> str:
    """A recorded {name_en, name_ru, name_ky} in ``locale``, English when that one is blank (as ``localized_name``)."""
    if not names:
        return ""
    return names.get(f"name_{locale}") or names.get("name_en") or ""
