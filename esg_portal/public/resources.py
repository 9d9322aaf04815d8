"""The resources of the public API (INTERFACES.md §7): rows of the published releases, their filters,
and the marshmallow schemas that serialise them (the OpenAPI document is generated from the same
schemas, so the description can never drift from the answers).

Each resource turns one period's release data into rows; every row carries ``year`` and the
values its filters look at (``company``, ``stream``, ``entity``, ``region``, ``site``). Money is a
2-decimal string, never a number.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from marshmallow import Schema, fields

from ..reference.descriptions import stream_descriptions
from ..eiti.publication.published import Published

FILTERS = ("year", "company", "stream", "entity", "region", "site")


class Names(fields.Dict):
    """A name in Kyrgyz, Russian and English: {"ky", "ru", "en"}."""


class Money(fields.String):
    """Money: a string with exactly 2 decimals, '.' as decimal mark, no grouping; null when missing."""


def _schema(name: str, spec: dict[str, fields.Field]) -> type[Schema]:
    return Schema.from_dict({"year": fields.Integer(required=True), **spec}, name=name)


_KEY = {"company_inn": fields.String(allow_none=True), "company_name": fields.String(allow_none=True)}
_LINE_KEY = {**_KEY, "revenue_stream": fields.String(allow_none=True), "government_entity": fields.String(allow_none=True),
             "project": fields.String(allow_none=True)}

SCHEMAS: dict[str, type[Schema]] = {
    "periods": _schema("PublicPeriod", {
        "start_date": fields.String(), "end_date": fields.String(), "currency": fields.String(),
        "usd_rate": fields.String(allow_none=True), "latest_version": fields.Integer(), "kind": fields.String(),
        "published_at": fields.String()}),
    "releases": _schema("PublicRelease", {
        "version": fields.Integer(), "kind": fields.String(), "published_at": fields.String(),
        "url": fields.String(), "files": fields.List(fields.Dict())}),
    "companies": _schema("PublicCompany", {
        "inn": fields.String(allow_none=True), "name": fields.String(), "legal_form": fields.String(allow_none=True),
        "region": fields.String(allow_none=True), "is_soe": fields.Boolean(allow_none=True),
        "website": fields.String(allow_none=True), "listing": fields.String(allow_none=True),
        "filing_version": fields.Integer(allow_none=True), "historic": fields.Boolean()}),
    "projects": _schema("PublicProject", {
        "licence": fields.String(), "project_name": fields.String(allow_none=True), "company_inn": fields.String(),
        "kind": fields.String(allow_none=True), "site": fields.String(allow_none=True),
        "minerals": fields.List(fields.String()), "status": fields.String(allow_none=True)}),
    "government-entities": _schema("PublicGovernmentEntity", {
        "code": fields.String(allow_none=True), "name": Names(), "agency_type": fields.String(allow_none=True),
        "level": fields.String(allow_none=True), "historic": fields.Boolean()}),
    "revenue-streams": _schema("PublicRevenueStream", {
        "code": fields.String(allow_none=True), "name": Names(), "gfs_code": fields.String(allow_none=True),
        "gfs_name": Names(allow_none=True), "description": Names(allow_none=True),
        "is_subnational": fields.Boolean(allow_none=True), "inclusion": fields.String(allow_none=True),
        "historic": fields.Boolean()}),
    "government-revenues": _schema("PublicGovernmentRevenue", {
        **_LINE_KEY, "revenue_stream_name": fields.String(allow_none=True),
        "government_entity_name": fields.String(allow_none=True), "gfs": fields.String(allow_none=True),
        "amount": Money(allow_none=True), "currency": fields.String(allow_none=True)}),
    "company-payments": _schema("PublicCompanyPayment", {
        **_LINE_KEY, "revenue_stream_name": fields.String(allow_none=True),
        "government_entity_name": fields.String(allow_none=True), "amount": Money(allow_none=True),
        "currency": fields.String(allow_none=True), "paid_in_kind": fields.String(allow_none=True),
        "in_kind_volume": fields.String(allow_none=True), "in_kind_unit": fields.String(allow_none=True),
        "recipient_locality": fields.String(allow_none=True), "comment": fields.String(allow_none=True)}),
    "reconciliation-lines": _schema("PublicReconciliationLine", {
        **_LINE_KEY, **{name: Money(allow_none=True) for name in (
            "company_initial", "government_initial", "initial_gap", "company_adjustment", "government_adjustment",
            "company_final", "government_final", "final_gap")},
        "gap_pct": fields.String(allow_none=True), "pct_of_government_total": fields.String(allow_none=True),
        "status": fields.String(), "explanation": fields.String()}),
    "reconciliation-summaries": _schema("PublicReconciliationSummary", {
        "run": fields.Integer(), "run_at": fields.String(), "currency": fields.String(),
        "coverage_pct": fields.String(allow_none=True), "counts": fields.Dict(), "lines": fields.Integer(),
        "withheld_companies": fields.List(fields.String())}),
    **{resource: _schema(f"Public{''.join(p.title() for p in resource.split('-'))}", {
        **_KEY, "item": fields.Integer(), "data": fields.Dict()})
       for resource in ("eia", "social-agreements", "public-hearings", "workforce", "production")},
}


@dataclass(frozen=True)
class Row:
    """One answer row and the values its filters match against."""

    values: dict[str, Any]
    company: frozenset[str] = frozenset()
    stream: frozenset[str] = frozenset()
    entity: frozenset[str] = frozenset()
    region: frozenset[str] = frozenset()
    site: frozenset[str] = frozenset()


def _set(*values: Any) -> frozenset[str]:
    return frozenset(str(v) for v in values if v not in (None, ""))


class Context:
    """Look-ups over one period's data: names, and the region and site of a company or licence."""

    def __init__(self, published: Published):
        data = published.data
        self.year = published.year
        self.data = data
        self.companies = {c.get("inn"): c for c in data.get("companies", [])}
        self.projects = {p["licence"]: p for p in data.get("projects", [])}
        self.streams = {s.get("code"): s for s in data.get("revenue_streams", []) if s.get("code")}
        self.entities = {e.get("code"): e for e in data.get("government_entities", []) if e.get("code")}
        self.sites_of: dict[str, set[str]] = {}
        for project in data.get("projects", []):
            self.sites_of.setdefault(project["company_inn"], set()).add(project.get("site") or "")

    def name(self, registry: dict, code: str | None) -> str | None:
        entry = registry.get(code)
        return entry["name"].get("en") if entry else None

    def place(self, inn: str | None, licence: str | None) -> tuple[frozenset[str], frozenset[str]]:
        """(regions, sites) of a row: the licence's where there is one, else the company's."""
        if licence and licence in self.projects:
            project = self.projects[licence]
            return _set(self.companies.get(inn, {}).get("region")), _set(project.get("site"))
        return _set(self.companies.get(inn, {}).get("region")), _set(*self.sites_of.get(inn, ()))


def _line_row(ctx: Context, line: dict[str, Any], extra: dict[str, Any] | None = None) -> Row:
    inn, licence = line.get("company_inn"), line.get("project")
    regions, sites = ctx.place(inn, licence)
    values = {"year": ctx.year, "company_name": ctx.companies.get(inn, {}).get("name") if inn else None,
              **line, **(extra or {})}
    return Row(values, company=_set(inn), stream=_set(line.get("revenue_stream")),
               entity=_set(line.get("government_entity")), region=regions, site=sites)


def _periods(ctx: Context, published: Published) -> list[Row]:
    period = ctx.data["period"]
    release = published.release
    return [Row({"year": ctx.year, "start_date": period["start_date"], "end_date": period["end_date"],
                 "currency": period["currency"], "usd_rate": period.get("usd_rate"),
                 "latest_version": release.version, "kind": release.kind.value,
                 "published_at": release.manifest["published_at"]})]


def _companies(ctx: Context, published: Published) -> list[Row]:
    rows = []
    for company in ctx.data.get("companies", []):
        inn = company.get("inn")
        regions, sites = ctx.place(inn, None)
        rows.append(Row({"year": ctx.year, "inn": inn, "name": company.get("name"),
                         "legal_form": company.get("legal_form"), "region": company.get("region"),
                         "is_soe": company.get("is_soe"), "website": company.get("website"),
                         "listing": company.get("listing"),
                         "filing_version": (company.get("filing") or {}).get("version"),
                         "historic": bool(company.get("historic"))},
                        company=_set(inn), region=regions, site=sites))
    return rows


def _projects(ctx: Context, published: Published) -> list[Row]:
    rows = []
    for project in ctx.data.get("projects", []):
        regions, sites = ctx.place(project["company_inn"], project["licence"])
        rows.append(Row({"year": ctx.year, **project}, company=_set(project["company_inn"]), region=regions,
                        site=sites))
    return rows


def _entities(ctx: Context, published: Published) -> list[Row]:
    return [Row({"year": ctx.year, "code": e.get("code"), "name": e.get("name"), "agency_type": e.get("agency_type"),
                 "level": e.get("level"), "historic": bool(e.get("historic"))}, entity=_set(e.get("code")))
            for e in ctx.data.get("government_entities", [])]


def _streams(ctx: Context, published: Published) -> list[Row]:
    descriptions = stream_descriptions()
    return [Row({"year": ctx.year, "code": s.get("code"), "name": s.get("name"), "gfs_code": s.get("gfs_code"),
                 "gfs_name": s.get("gfs_name"), "description": descriptions.get(s.get("code")),
                 "is_subnational": s.get("is_subnational"), "inclusion": s.get("inclusion"),
                 "historic": bool(s.get("historic"))}, stream=_set(s.get("code")))
            for s in ctx.data.get("revenue_streams", [])]


def _named(ctx: Context, row: dict[str, Any]) -> dict[str, Any]:
    return {"revenue_stream_name": ctx.name(ctx.streams, row.get("revenue_stream")),
            "government_entity_name": ctx.name(ctx.entities, row.get("government_entity"))}


def _revenues(ctx: Context, published: Published) -> list[Row]:
    rows = [_line_row(ctx, r, _named(ctx, r)) for r in ctx.data.get("government_revenues", [])]
    rows += [Row({"year": ctx.year, **r}) for r in ctx.data.get("historic_government_revenues", [])]
    return rows


def _payments(ctx: Context, published: Published) -> list[Row]:
    rows = [_line_row(ctx, r, _named(ctx, r)) for r in ctx.data.get("company_payments", [])]
    rows += [Row({"year": ctx.year, **r}) for r in ctx.data.get("historic_company_payments", [])]
    return rows


def _lines(ctx: Context, published: Published) -> list[Row]:
    run = ctx.data.get("reconciliation") or {}
    return [_line_row(ctx, line) for line in run.get("lines", [])]


def _summaries(ctx: Context, published: Published) -> list[Row]:
    run = ctx.data.get("reconciliation")
    if not run:
        return []
    return [Row({"year": ctx.year, "run": run["run"], "run_at": run["run_at"], "currency": run["currency"],
                 "coverage_pct": run.get("coverage_pct"), "counts": run.get("counts", {}),
                 "lines": len(run.get("lines", [])), "withheld_companies": run.get("withheld_companies", [])})]


def _section(key: str) -> Callable[[Context, Published], list[Row]]:
    def rows(ctx: Context, published: Published) -> list[Row]:
        out = []
        for item in ctx.data.get(key, []):
            inn = item["company_inn"]
            data = {k: v for k, v in item.items() if k not in ("company_inn", "company_name", "item")}
            regions, sites = ctx.place(inn, item.get("project"))
            if key == "social_agreements" and item.get("region"):
                regions = regions | _set(item.get("region"))
            out.append(Row({"year": ctx.year, "company_inn": inn, "company_name": item["company_name"],
                            "item": item["item"], "data": data}, company=_set(inn), region=regions, site=sites))
        return out
    return rows


BUILDERS: dict[str, Callable[[Context, Published], list[Row]]] = {
    "periods": _periods, "releases": None,  # type: ignore[dict-item]  (answered from the release list)
    "companies": _companies, "projects": _projects, "government-entities": _entities,
    "revenue-streams": _streams, "government-revenues": _revenues, "company-payments": _payments,
    "reconciliation-lines": _lines, "reconciliation-summaries": _summaries,
    "eia": _section("eia"), "social-agreements": _section("social_agreements"),
    "public-hearings": _section("public_hearings"), "workforce": _section("workforce"),
    "production": _section("production"),
}
#: the filters each resource takes (any other is refused with 400)
RESOURCE_FILTERS: dict[str, tuple[str, ...]] = {
    "periods": ("year",), "releases": ("year",),
    "companies": ("year", "company", "region", "site"), "projects": ("year", "company", "region", "site"),
    "government-entities": ("year", "entity"), "revenue-streams": ("year", "stream"),
    **{name: FILTERS for name in ("government-revenues", "company-payments", "reconciliation-lines")},
    "reconciliation-summaries": ("year",),
    **{name: ("year", "company", "region", "site") for name in
       ("eia", "social-agreements", "public-hearings", "workforce", "production")},
}


_ROWS: dict[tuple[str, str], list[Row]] = {}
_ROWS_SIZE = 64


def rows_of(published: Published, resource: str) -> list[Row]:
    """The rows of one resource of one release, built once per release content (releases never change)."""
    key = (published.data_sha256, resource)
    rows = _ROWS.get(key)
    if rows is None:
        rows = BUILDERS[resource](Context(published), published)
        if len(_ROWS) >= _ROWS_SIZE:
            _ROWS.pop(next(iter(_ROWS)))
        _ROWS[key] = rows
    return rows
