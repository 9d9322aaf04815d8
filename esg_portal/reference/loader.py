"""Load the reference CSVs shipped in ``esg_portal/data/reference/`` into the database.

Idempotent: records are matched by code. Running it again inserts only what is missing;
rows the administrators edited stay as they are unless the operator asks to overwrite
them (and then the audit trail shows exactly what was reset).
"""
from __future__ import annotations

import csv
from collections.abc import Iterator
from importlib import resources
from typing import Any

from sqlalchemy import select

from ..extensions import db
from .models import GfsCode, GovernmentEntity, Mineral, Region, RevenueStream, Site

_YES = {"yes": True, "no": False}


def read_reference_csv(name: str) -> list[dict[str, str]]:
    """Rows of a shipped reference file (UTF-8, header row)."""
    text = resources.files("esg_portal").joinpath("data", "reference", name).read_text(encoding="utf-8-sig")
    return list(csv.DictReader(text.splitlines()))


def _flag(row: dict[str, str], column: str) -> bool:
    value = row[column].strip().lower()
    if value not in _YES:
        raise ValueError(f"column {column} must be yes or no, got {row[column]!r}")
    return _YES[value]


class _Upsert:
    """Match rows by code. New codes are inserted; a stored row that differs from the
    shipped file is kept as the operator left it (an admin's edit wins) unless
    ``overwrite`` resets it, and is counted so the command can say so."""

    def __init__(self, overwrite: bool):
        self.overwrite = overwrite
        self.created = 0
        self.differing = 0

    def __call__(self, model: type, code: str, values: dict[str, Any]) -> Any:
        record = db.session.scalar(select(model).where(model.code == code))
        if record is None:
            self.created += 1
            record = model(code=code, **values)
            db.session.add(record)
            return record
        changed = {key: value for key, value in values.items() if getattr(record, key) != value}
        if changed and not self.overwrite:
            self.differing += 1
        elif changed:
            for key, value in changed.items():
                setattr(record, key, value)
        return record


def _names(row: dict[str, str]) -> dict[str, str]:
    return {"name_en": row["name_en"], "name_ru": row.get("name_ru") or row["name_en"],
            "name_ky": row.get("name_ky") or row["name_en"]}


def site_code(row: dict[str, str]) -> str:
    """Stable code of a programme site: table and row, e.g. ``T1-01``."""
    return f"T{int(row['seed_table'])}-{int(row['seq']):02d}"


def _load_sites(rows: list[dict[str, str]], _upsert: _Upsert) -> Iterator[Site]:
    regions = {r.code: r for r in db.session.scalars(select(Region))}
    minerals = {m.code: m for m in db.session.scalars(select(Mineral))}
    for row in rows:
        codes = [c.strip() for c in row["minerals"].split(";") if c.strip()]
        site = _upsert(Site, site_code(row), {
            **_names(row), "category": row["category"], "region_id": regions[row["region"]].id,
            "district_en": row["district_en"] or None, "commodity_codes": ";".join(codes),
            "reserves_kt": row["reserves_kt"] or None, "grade": row["grade"] or None,
        })
        wanted = [minerals[c] for c in codes if c in minerals]
        if not site.minerals or _upsert.overwrite and list(site.minerals) != wanted:
            site.minerals = wanted
        yield site


def load_reference_data(overwrite: bool = False) -> dict[str, int]:
    """Insert missing reference rows (or, with ``overwrite``, also reset edited ones).

    Returns the number of shipped rows per table, plus ``created`` and ``differing``
    (stored rows that differ from the shipped data and were left as they are).
    """
    _upsert = _Upsert(overwrite)
    counts: dict[str, int] = {}
    for row in (rows := read_reference_csv("critical_minerals.csv")):
        _upsert(Mineral, row["code"], {**_names(row), "symbol": row["symbol"]})
    counts["minerals"] = len(rows)
    for row in (rows := read_reference_csv("regions.csv")):
        _upsert(Region, row["code"], {**_names(row), "kind": row["kind"]})
    counts["regions"] = len(rows)
    db.session.flush()
    counts["sites"] = len(list(_load_sites(read_reference_csv("sites.csv"), _upsert)))
    for row in (rows := read_reference_csv("gfs_codes.csv")):
        _upsert(GfsCode, row["code"], {**_names(row), "parent_code": row["parent"] or None,
                                        "is_heading": _flag(row, "is_heading")})
    counts["gfs_codes"] = len(rows)
    for row in (rows := read_reference_csv("government_entities.csv")):
        _upsert(GovernmentEntity, row["code"], {**_names(row), "agency_type": row["agency_type"],
                                                 "level": row["level"]})
    counts["government_entities"] = len(rows)
    db.session.flush()
    gfs = {g.code: g.id for g in db.session.scalars(select(GfsCode))}
    entities = {e.code: e.id for e in db.session.scalars(select(GovernmentEntity))}
    for order, row in enumerate(rows := read_reference_csv("revenue_streams.csv"), start=1):
        _upsert(RevenueStream, row["code"], {
            **_names(row), "gfs_code_id": gfs[row["gfs_code"]], "default_entity_id": entities[row["default_entity"]],
            "is_subnational": _flag(row, "subnational"), "is_levied_per_project": _flag(row, "levied_per_project"),
            "sort_order": order,
        })
    counts["revenue_streams"] = len(rows)
    db.session.flush()
    counts["created"], counts["differing"] = _upsert.created, _upsert.differing
    return counts
