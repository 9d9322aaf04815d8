"""What each public page shows, built from the published releases only (never live filings).

Every figure comes from a release's ``data.json`` (``queries.latest_per_period``): payments as the
companies reported them in their accepted filings, receipts as the government entities reported
them, the reconciliation run frozen with the release. Names of regions and sites come from the
reference lists. Amounts are Decimal here and formatted by the templates in the reader's language.
"""
from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import select

from ..errors import NotFound
from ..extensions import db
from ..reference.models import Region, Site
from ..eiti.publication.published import Published, latest_per_period
from .resources import stream_descriptions

GLOSSARY = Path(__file__).resolve().parents[1] / "data" / "glossary.csv"
ZERO = Decimal("0.00")
#: the programme's workforce targets are published with each workforce item (``targets``)
LOCAL_LEVEL = "subnational"


class PageNotFound(NotFound):
    code = "not_found"


def _d(value: Any) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))


def name_in(names: dict[str, str] | None, locale: str, fallback: str = "") -> str:
    if not names:
        return fallback
    return names.get(locale) or names.get("en") or fallback


@dataclass
class Bar:
    """One bar of a chart and one row of the table behind it."""

    key: str
    label: str
    value: Decimal
    note: str = ""
    href: str = ""


@dataclass
class Chart:
    """A chart and the table behind it (the CSV download is exactly these rows)."""

    id: str
    title: str
    description: str
    label_header: str
    value_header: str
    bars: list[Bar] = field(default_factory=list)
    kind: str = "bar"  # bar | column


class Names:
    """Look-ups of one release: stream, entity, company, region and site names in the reader's language."""

    def __init__(self, published: Published, locale: str):
        data = published.data
        self.locale = locale
        self.streams = {s["code"]: s for s in data.get("revenue_streams", []) if s.get("code")}
        self.entities = {e["code"]: e for e in data.get("government_entities", []) if e.get("code")}
        self.companies = {c["inn"]: c for c in data.get("companies", []) if c.get("inn")}
        self.projects = {p["licence"]: p for p in data.get("projects", [])}
        self.site_regions = site_regions()

    def stream(self, code: str) -> str:
        return name_in((self.streams.get(code) or {}).get("name"), self.locale, code)

    def entity(self, code: str) -> str:
        return name_in((self.entities.get(code) or {}).get("name"), self.locale, code)

    def is_local(self, entity: str, stream: str) -> bool:
        return ((self.entities.get(entity) or {}).get("level") == LOCAL_LEVEL
                or bool((self.streams.get(stream) or {}).get("is_subnational")))

    def company(self, inn: str) -> str:
        return (self.companies.get(inn) or {}).get("name") or inn

    def region_of(self, inn: str, licence: str | None) -> str | None:
        project = self.projects.get(licence or "")
        if project and project.get("site") in self.site_regions:
            return self.site_regions[project["site"]]
        return (self.companies.get(inn) or {}).get("region")

    def site_of(self, licence: str | None) -> str | None:
        return (self.projects.get(licence or "") or {}).get("site")


class Vocabulary:
    """The labels a release carries for its ESG fields and choices, in the reader's language."""

    def __init__(self, vocabulary: dict[str, Any] | None, locale: str):
        self.vocabulary = vocabulary or {}
        self.locale = locale

    def field(self, section: str, name: str) -> str:
        return name_in(self.vocabulary.get(section, {}).get("fields", {}).get(name), self.locale,
                       name.replace("_", " "))

    def value(self, section: str, name: str, value: Any) -> str:
        """A stored value as a reader sees it: the choice's label, booleans as yes / no, lists joined."""
        if isinstance(value, list):
            return ", ".join(self.value(section, name, v) for v in value)
        choices = self.vocabulary.get(section, {}).get("choices", {}).get(name, {})
        if isinstance(value, str) and value in choices:
            return name_in(choices[value], self.locale, value)
        return "" if value is None else str(value)


@lru_cache(maxsize=1)
def _glossary_rows() -> tuple[dict[str, str], ...]:
    with GLOSSARY.open(encoding="utf-8", newline="") as handle:
        return tuple(csv.DictReader(handle))


def _kgs(row: dict[str, Any], rate: str | None) -> Decimal | None:
    amount = _d(row.get("amount"))
    if amount is None:
        return None
    if row.get("currency", "KGS") == "KGS":
        return amount
    if row.get("currency") == "USD" and rate:
        return (amount * Decimal(rate)).quantize(Decimal("0.01"))
    return None


def _sum(rows: list[dict[str, Any]], rate: str | None) -> Decimal:
    return sum((v for v in (_kgs(r, rate) for r in rows) if v is not None), ZERO)


def _by(rows: list[dict[str, Any]], key, rate: str | None) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for row in rows:
        value = _kgs(row, rate)
        if value is not None:
            totals[key(row)] += value
    return dict(totals)


def _bars(totals: dict[str, Decimal], label, *, href=None, note=None) -> list[Bar]:
    return [Bar(key=k, label=label(k), value=v, note=note(k) if note else "", href=href(k) if href else "")
            for k, v in sorted(totals.items(), key=lambda item: (-item[1], item[0]))]


def releases() -> list[Published]:
    return latest_per_period()


def current(year: int | None = None) -> Published | None:
    """The release a page shows: of ``year``, else the newest period published from the portal."""
    published = releases()
    if year is not None:
        found = [p for p in published if p.year == year]
        if not found:
            raise PageNotFound()
        return found[0]
    own = [p for p in published if p.data.get("kind") == "published"]
    return (own or published or [None])[-1]


# --- home ----------------------------------------------------------------------------------------

def trend(published: list[Published], locale: str, gettext) -> Chart:
    """What the state received in each published or imported period (KGS only)."""
    bars = []
    for item in published:
        data = item.data
        rate = data["period"].get("usd_rate")
        if data.get("kind") == "imported":
            rows = [r for r in data.get("historic_government_revenues", []) if r.get("currency") == "KGS"]
        else:
            rows = data.get("government_revenues", [])
        total = _sum(rows, rate)
        if rows:
            bars.append(Bar(key=str(item.year), label=str(item.year), value=total,
                            note=gettext("imported EITI data") if data.get("kind") == "imported" else ""))
    return Chart(id="trend", kind="column", title=gettext("Received by the state from mining, by year"),
                 description=gettext("Government revenue from mining companies in each published year, in som."),
                 label_header=gettext("Year"), value_header=gettext("Amount, KGS"), bars=bars)


def home(locale: str, gettext) -> dict[str, Any]:
    published = releases()
    shown = current()
    if shown is None:
        return {"published": None}
    data, names = shown.data, Names(shown, locale)
    rate = data["period"].get("usd_rate")
    revenues = data.get("government_revenues", [])
    by_stream = Chart(id="by-stream", title=gettext("Received by the state in %(year)s, by revenue stream",
                                                    year=shown.year),
                      description=gettext("What the government entities received from mining companies in "
                                          "%(year)s, by revenue stream, in som.", year=shown.year),
                      label_header=gettext("Revenue stream"), value_header=gettext("Amount, KGS"),
                      bars=_bars(_by(revenues, lambda r: r["revenue_stream"], rate), names.stream,
                                 href=lambda code: f"#term-{code}"))
    level = _by(revenues, lambda r: "local" if names.is_local(r["government_entity"], r["revenue_stream"])
                else "national", rate)
    by_level = Chart(id="by-level", title=gettext("National budget and local budgets, %(year)s", year=shown.year),
                     description=gettext("How much of what the state received went to the national budget and how "
                                         "much to the local budgets of aiyl okmotus and towns."),
                     label_header=gettext("Budget"), value_header=gettext("Amount, KGS"),
                     bars=_bars(level, lambda k: gettext("Local budgets") if k == "local"
                                else gettext("National budget")))
    run = data.get("reconciliation") or {}
    return {
        "published": shown, "year": shown.year, "version": shown.release.version,
        "total": _sum(revenues, rate), "paid_total": _sum(data.get("company_payments", []), rate),
        "companies_reported": sum(1 for c in data.get("companies", []) if c.get("filing")),
        "under_review": len(data.get("under_review", [])),
        "coverage_pct": _d(run.get("coverage_pct")),
        "charts": [by_stream, by_level, trend(published, locale, gettext)],
        "descriptions": stream_descriptions(),
    }


# --- companies -----------------------------------------------------------------------------------

def companies(locale: str, year: int | None = None) -> dict[str, Any]:
    shown = current(year)
    if shown is None:
        return {"published": None, "rows": []}
    data = shown.data
    rate = data["period"].get("usd_rate")
    paid = _by(data.get("company_payments", []), lambda r: r["company_inn"], rate)
    received = _by(data.get("government_revenues", []), lambda r: r["company_inn"], rate)
    rows = [{"inn": c.get("inn"), "name": c.get("name"), "region": c.get("region"), "reported": bool(c.get("filing")),
             "paid": paid.get(c.get("inn")), "received": received.get(c.get("inn"))}
            for c in data.get("companies", [])]
    rows.sort(key=lambda r: (-(r["received"] or r["paid"] or ZERO), r["name"] or ""))
    return {"published": shown, "year": shown.year, "rows": rows, "regions": region_names(locale)}


def company(inn: str, locale: str, gettext, year: int | None = None) -> dict[str, Any]:
    published = releases()
    having = [p for p in published if any(c.get("inn") == inn for c in p.data.get("companies", []))]
    if not having:
        raise PageNotFound()
    shown = next((p for p in having if p.year == year), None) if year else having[-1]
    if shown is None:
        raise PageNotFound()
    data, names = shown.data, Names(shown, locale)
    rate = data["period"].get("usd_rate")
    entry = names.companies[inn]
    payments = [r for r in data.get("company_payments", []) if r["company_inn"] == inn]
    receipts = [r for r in data.get("government_revenues", []) if r["company_inn"] == inn]
    lines = [line for line in (data.get("reconciliation") or {}).get("lines", []) if line["company_inn"] == inn]
    by_stream = Chart(id="by-stream", title=gettext("Paid to the state in %(year)s, by revenue stream",
                                                    year=shown.year),
                      description=gettext("What %(company)s reported paying in %(year)s, by revenue stream, in som.",
                                          company=entry["name"], year=shown.year),
                      label_header=gettext("Revenue stream"), value_header=gettext("Amount, KGS"),
                      bars=_bars(_by(payments, lambda r: r["revenue_stream"], rate), names.stream,
                                 href=lambda code: f"/glossary#term-{code}"))
    history = []
    for item in having:
        own = [r for r in item.data.get("company_payments", []) if r["company_inn"] == inn]
        gov = [r for r in item.data.get("government_revenues", []) if r.get("company_inn") == inn]
        history.append({"year": item.year, "paid": _sum(own, item.data["period"].get("usd_rate")) if own else None,
                        "received": _sum(gov, item.data["period"].get("usd_rate")) if gov else None})
    projects = [p for p in data.get("projects", []) if p["company_inn"] == inn]

    def items(key: str) -> list[dict[str, Any]]:
        return [r for r in data.get(key, []) if r["company_inn"] == inn]

    return {
        "published": shown, "year": shown.year, "company": entry, "names": names,
        "reported": bool(entry.get("filing")),
        "under_review": any(c["inn"] == inn for c in data.get("under_review", [])),
        "payments": sorted(payments, key=lambda r: (names.stream(r["revenue_stream"]), r["project"])),
        "paid_total": _sum(payments, rate), "received_total": _sum(receipts, rate) if receipts else None,
        "lines": lines, "chart": by_stream, "history": history, "projects": projects,
        "eia": items("eia"), "agreements": items("social_agreements"), "hearings": items("public_hearings"),
        "workforce": items("workforce"), "production": items("production"), "owners": items("beneficial_owners"),
        "sites": site_names(locale), "regions": region_names(locale),
        "vocab": Vocabulary(data.get("vocabulary"), locale),
    }


# --- regions and sites ------------------------------------------------------------------------------

def site_regions() -> dict[str, str]:
    """Site code → the code of its region (reference data)."""
    return dict(db.session.execute(select(Site.code, Region.code).join(Region, Site.region_id == Region.id)).all())


def region_names(locale: str) -> dict[str, str]:
    return {r.code: getattr(r, f"name_{locale}", None) or r.name_en
            for r in db.session.scalars(select(Region).order_by(Region.code))}


def site_names(locale: str) -> dict[str, str]:
    return {s.code: getattr(s, f"name_{locale}", None) or s.name_en
            for s in db.session.scalars(select(Site).order_by(Site.code))}


def _place_view(shown: Published, locale: str, gettext, *, region: str | None = None,
                site: str | None = None) -> dict[str, Any]:
    data, names = shown.data, Names(shown, locale)
    rate = data["period"].get("usd_rate")

    def here(inn: str, licence: str | None) -> bool:
        if site is not None:
            return names.site_of(licence) == site
        return names.region_of(inn, licence) == region

    payments = [r for r in data.get("company_payments", []) if here(r["company_inn"], r["project"])]
    local = [r for r in payments if names.is_local(r["government_entity"], r["revenue_stream"])]
    agreements = [a for a in data.get("social_agreements", [])
                  if (a.get("region") == region if site is None else here(a["company_inn"], None))]
    hearings = [h for h in data.get("public_hearings", [])
                if (h.get("region") == region if site is None else names.site_of(h.get("project")) == site)]
    projects = [p for p in data.get("projects", []) if here(p["company_inn"], p["licence"])]
    inns = sorted({p["company_inn"] for p in projects} | {r["company_inn"] for r in payments})
    per_okmotu: dict[str, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    for agreement in agreements:
        totals = per_okmotu[agreement.get("counterparty_name") or ""]
        totals[0] += _d(agreement.get("committed_cash_kgs")) or ZERO
        totals[1] += (_d(agreement.get("disbursed_cash_kgs")) or ZERO) + (_d(agreement.get("disbursed_in_kind_kgs"))
                                                                       or ZERO)
    chart = Chart(id="local-budgets", title=gettext("Paid to local budgets, %(year)s, by revenue stream",
                                                    year=shown.year),
                  description=gettext("Payments of the companies working here to the local budgets (the 2 per cent "
                                      "local-infrastructure contribution and other local taxes), in som."),
                  label_header=gettext("Revenue stream"), value_header=gettext("Amount, KGS"),
                  bars=_bars(_by(local, lambda r: r["revenue_stream"], rate), names.stream,
                             href=lambda code: f"/glossary#term-{code}"))
    return {"published": shown, "year": shown.year, "names": names, "chart": chart,
            "local_total": _sum(local, rate), "paid_total": _sum(payments, rate),
            "agreements": agreements, "per_okmotu": sorted(per_okmotu.items()), "hearings": hearings,
            "projects": projects, "companies": [(inn, names.company(inn)) for inn in inns]}


def regions(locale: str) -> dict[str, Any]:
    shown = current()
    rows = []
    names = region_names(locale)
    for code, name in names.items():
        row = {"code": code, "name": name, "companies": 0, "local_total": None}
        if shown is not None:
            view = _place_view(shown, locale, lambda s, **k: s, region=code)
            row.update(companies=len(view["companies"]), local_total=view["local_total"])
        rows.append(row)
    return {"published": shown, "rows": rows}


def region(code: str, locale: str, gettext, year: int | None = None) -> dict[str, Any]:
    record = db.session.scalar(select(Region).where(Region.code == code))
    if record is None:
        raise PageNotFound()
    shown = current(year)
    view = _place_view(shown, locale, gettext, region=code) if shown is not None else {"published": None}
    sites = list(db.session.scalars(select(Site).where(Site.region_id == record.id).order_by(Site.code)))
    return {**view, "region": record, "sites": sites}


def sites(locale: str) -> dict[str, Any]:
    records = list(db.session.scalars(select(Site).order_by(Site.code)))
    shown = current()
    licences = defaultdict(list)
    if shown is not None:
        for project in shown.data.get("projects", []):
            licences[project.get("site") or ""].append(project)
    return {"published": shown, "sites": records, "licences": licences, "regions": region_names(locale)}


def site(code: str, locale: str, gettext, year: int | None = None) -> dict[str, Any]:
    record = db.session.scalar(select(Site).where(Site.code == code))
    if record is None:
        raise PageNotFound()
    shown = current(year)
    view = _place_view(shown, locale, gettext, site=code) if shown is not None else {"published": None}
    return {**view, "site": record}


# --- glossary, downloads, search ------------------------------------------------------------------------

def glossary(locale: str) -> dict[str, Any]:
    shown = current()
    streams = []
    descriptions = stream_descriptions()
    for stream in (shown.data.get("revenue_streams", []) if shown else []):
        code = stream.get("code")
        if code:
            streams.append({"code": code, "name": name_in(stream.get("name"), locale, code),
                            "gfs_code": stream.get("gfs_code"),
                            "description": (descriptions.get(code) or {}).get(locale, "")})
    terms = [{"term": row.get(locale) or row["en"], "en": row["en"], "note": row.get("note", "")}
             for row in _glossary_rows()]
    terms.sort(key=lambda t: t["term"].casefold())
    return {"streams": streams, "terms": terms}


def downloads() -> dict[str, Any]:
    from ..eiti.publication.services import all_releases
    by_year: dict[int, list] = defaultdict(list)
    for release in all_releases():
        by_year[release.period.year].append(release)
    return {"years": sorted(by_year.items(), reverse=True)}


def search(query: str, locale: str) -> dict[str, Any]:
    """Companies, sites, licences and aiyl okmotus whose name (in any language) or INN holds the query."""
    needle = " ".join(query.split()).casefold()[:100]
    if len(needle) < 2:
        return {"query": query, "results": []}
    shown = current()
    results = []
    if shown is not None:
        for c in shown.data.get("companies", []):
            if needle in (c.get("name") or "").casefold() or needle in (c.get("inn") or ""):
                results.append({"kind": "company", "name": c.get("name"), "inn": c.get("inn")})
        for p in shown.data.get("projects", []):
            if needle in p["licence"].casefold() or needle in (p.get("project_name") or "").casefold():
                results.append({"kind": "licence", "name": f"{p['licence']} · {p.get('project_name') or ''}",
                                "inn": p["company_inn"], "site": p.get("site")})
        seen = set()
        for a in shown.data.get("social_agreements", []):
            name = a.get("counterparty_name") or ""
            if needle in name.casefold() and name not in seen:
                seen.add(name)
                results.append({"kind": "okmotu", "name": name, "region": a.get("region")})
    for s in db.session.scalars(select(Site).order_by(Site.code)):
        if any(needle in (getattr(s, f"name_{lang}") or "").casefold() for lang in ("ky", "ru", "en")):
            results.append({"kind": "site", "name": getattr(s, f"name_{locale}") or s.name_en, "code": s.code})
    return {"query": query, "results": results[:100]}
