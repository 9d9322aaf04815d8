"""The readable reports of a release: ``report-{year}-{lang}.pdf`` for the country and
``report-{year}-{region}-{lang}.pdf`` for each region the release has data for, in Kyrgyz,
Russian and English, for a reader who is not a specialist.

Built from the release data only (never from live records) with the reconciliation report's PDF
builder and its chart: what was paid and to whom (with a chart), each company's payments, the
differences between what companies reported and what the government received with their
explanations, the social-package agreements (committed against delivered per aiyl okmotu or town),
the environmental commitments, and the glossary of the revenue streams.
"""
from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from babel.numbers import format_decimal
from flask_babel import force_locale
from flask_babel import gettext as _

from ...reports.reconciliation import build_reconciliation_report
from ..labels import explanation_labels, status_label

AMOUNT_FORMAT = "#,##0.00"
ZERO = Decimal("0.00")
LANGUAGES = ("ky", "ru", "en")


def _amount(value: Decimal | str | None, locale: str) -> str:
    if value is None or value == "":
        return ""
    return format_decimal(Decimal(value), format=AMOUNT_FORMAT, locale=locale)


def _name(entry: dict[str, Any] | None, locale: str, fallback: str) -> str:
    names = (entry or {}).get("name")
    if isinstance(names, dict):
        return names.get(locale) or names.get("en") or fallback
    return names or fallback


def _sum_by(rows: list[dict[str, Any]], key: str) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for row in rows:
        if row.get("amount") not in (None, "") and row.get("currency", "KGS") == "KGS":
            totals[row[key]] += Decimal(row["amount"])
    return dict(totals)


def region_of(data: dict[str, Any]):
    """A function (company INN, licence) → the region code of the licence's site, else of the company."""
    site_region = {s["code"]: s["region"] for s in data.get("sites", [])}
    licence_site = {p["licence"]: p.get("site") for p in data.get("projects", [])}
    company_region = {c.get("inn"): c.get("region") for c in data.get("companies", [])}

    def find(inn: str | None, licence: str | None) -> str | None:
        site = licence_site.get(licence or "")
        return site_region.get(site) if site in site_region else company_region.get(inn)
    return find


def regional_data(data: dict[str, Any], region: str) -> dict[str, Any]:
    """The part of a release that concerns one region: its payments, receipts, lines and ESG items."""
    where = region_of(data)

    def here(row: dict[str, Any]) -> bool:
        if row.get("region"):  # social agreements and hearings name their region themselves
            return row["region"] == region
        return where(row.get("company_inn"), row.get("project")) == region

    keys = ("company_payments", "government_revenues", "social_agreements", "public_hearings", "eia")
    out = {**data, **{key: [r for r in data.get(key, []) if here(r)] for key in keys}}
    if data.get("reconciliation"):
        out["reconciliation"] = {**data["reconciliation"],
                                 "lines": [line for line in data["reconciliation"]["lines"] if here(line)]}
    return out


def regions_with_data(data: dict[str, Any]) -> list[str]:
    """The regions a regional report is written for: those with payments, receipts or agreements."""
    where = region_of(data)
    found = {where(r.get("company_inn"), r.get("project")) for key in ("company_payments", "government_revenues")
             for r in data.get(key, [])}
    found |= {a.get("region") for a in data.get("social_agreements", [])}
    known = {r["code"] for r in data.get("regions", [])}
    return sorted(code for code in found if code in known)


def report_data(data: dict[str, Any], *, version: int, locale: str, region: str | None = None) -> tuple[dict, dict]:
    """The plain data and labels of the PDF builder for one language (and one region, or the country)."""
    with force_locale(locale):
        return _report_data(regional_data(data, region) if region else data, version, locale, region)


def _report_data(data: dict[str, Any], version: int, locale: str, region: str | None) -> tuple[dict, dict]:
    period = data["period"]
    streams = {s["code"]: s for s in data.get("revenue_streams", []) if s.get("code")}
    entities = {e["code"]: e for e in data.get("government_entities", []) if e.get("code")}
    companies = {c["inn"]: c for c in data.get("companies", []) if c.get("inn")}
    regions = {r["code"]: r for r in data.get("regions", [])}
    place = _name(regions.get(region), locale, region or "") if region else _("Kyrgyz Republic")
    subtitle = _("%(place)s · %(year)s · release %(version)s", place=place, year=period["year"], version=version)

    received = _sum_by(data.get("government_revenues", []), "revenue_stream")
    paid = _sum_by(data.get("company_payments", []), "revenue_stream")
    facts = [[_("Reporting period"), f"{period['start_date']} – {period['end_date']}"],
             [_("Currency"), period["currency"]],
             [_("USD rate: 1 USD = … KGS"), period.get("usd_rate") or _("not set")],
             [_("Companies with accepted filings"), str(sum(1 for c in companies.values() if c.get("filing")))],
             [_("Filings under review (not published)"), str(len(data.get("under_review", [])))],
             [_("Licence of the data"), "CC BY 4.0"]]
    totals = [[_("Received by the government"), _amount(sum(received.values(), ZERO), locale)],
              [_("Reported paid by the companies"), _amount(sum(paid.values(), ZERO), locale)]]
    run = data.get("reconciliation")
    if run and run.get("coverage_pct") and not region:
        totals.append([_("Coverage of government extractive revenue"),
                       f"{_amount(run['coverage_pct'], locale)}\u00a0%"])

    order = sorted(set(received) | set(paid), key=lambda c: (-(received.get(c) or paid.get(c) or 0), c))
    chart = {"title": _("Received by the state, by revenue stream"), "note": _("Amounts in KGS."),
             "bars": [{"label": _name(streams.get(code), locale, code), "value": received.get(code, ZERO),
                       "text": _amount(received.get(code, ZERO), locale)} for code in order if received.get(code)]}
    sections = [
        {"title": _("Revenue by stream"), "note": _("Amounts in KGS. Received: as reported by the government "
                                                   "entities; paid: as reported by the companies."),
         "header": [_("Revenue stream"), _("Received by the government"), _("Reported paid by the companies")],
         "rows": [[[_name(streams.get(code), locale, code), streams.get(code, {}).get("gfs_code", "")],
                   _amount(received.get(code), locale), _amount(paid.get(code), locale)] for code in order],
         "numeric": [1, 2], "weights": [4, 0, 0], "empty": _("Nothing was reported.")},
    ]
    by_entity = _sum_by(data.get("government_revenues", []), "government_entity")
    sections.append({
        "title": _("Who received the money"), "header": [_("Government entity"), _("Amount, KGS")],
        "rows": [[_name(entities.get(code), locale, code), _amount(total, locale)]
                 for code, total in sorted(by_entity.items(), key=lambda item: (-item[1], item[0]))],
        "numeric": [1], "weights": [4, 0], "empty": _("Nothing was reported.")})
    by_company = _sum_by(data.get("company_payments", []), "company_inn")
    sections.append({
        "title": _("Payments reported by each company"), "header": [_("Company"), _("Amount, KGS")],
        "rows": [[[companies.get(inn, {}).get("name", inn), inn], _amount(total, locale)]
                 for inn, total in sorted(by_company.items(), key=lambda item: (-item[1], item[0]))],
        "numeric": [1], "weights": [4, 0], "empty": _("No company filing was accepted.")})
    if run:
        differences = [line for line in run.get("lines", []) if line.get("final_gap") not in (None, "0.00")
                       or line.get("explanation")]
        sections.append({
            "title": _("Differences between the companies and the government"),
            "note": _("What the company reported and what the government received, after the accepted "
                      "explanations (KGS). A difference that remains is shown, never hidden."),
            "header": [_("Company"), _("Revenue stream"), _("Company"), _("Government"), _("Difference"),
                       _("Result")],
            "rows": [[companies.get(line["company_inn"], {}).get("name", line["company_inn"]),
                      _name(streams.get(line["revenue_stream"]), locale, line["revenue_stream"]),
                      _amount(line.get("company_final"), locale), _amount(line.get("government_final"), locale),
                      _amount(line.get("final_gap"), locale),
                      [status_label(line["status"]), *explanation_labels(line.get("explanation") or "")]]
                     for line in differences],
            "numeric": [2, 3, 4], "weights": [3, 3, 0, 0, 0, 2.5], "compact": True,
            "empty": _("The figures of the companies and the government agree.")})
    agreements = defaultdict(lambda: [ZERO, ZERO])
    for item in data.get("social_agreements", []):
        totals_of = agreements[item.get("counterparty_name") or ""]
        totals_of[0] += Decimal(item.get("committed_cash_kgs") or "0")
        totals_of[1] += Decimal(item.get("disbursed_cash_kgs") or "0") + Decimal(item.get("disbursed_in_kind_kgs") or "0")
    sections.append({
        "title": _("Social-package agreements"),
        "note": _("Committed cash under the agreements and what was disbursed in the period (cash and in kind), KGS."),
        "header": [_("Aiyl okmotu or town"), _("Committed"), _("Disbursed in the period")],
        "rows": [[name, _amount(c, locale), _amount(d, locale)] for name, (c, d) in sorted(agreements.items())],
        "numeric": [1, 2], "weights": [4, 0, 0], "empty": _("No agreement was reported.")})
    commitments = [[companies.get(e["company_inn"], {}).get("name", e["company_inn"]), e.get("project") or "",
                    c.get("description") or "", c.get("due_date") or ""]
                   for e in data.get("eia", []) for c in (e.get("commitments") or [])]
    sections.append({
        "title": _("Environmental commitments"), "header": [_("Company"), _("Licence"), _("Commitment"), _("Due")],
        "rows": commitments, "numeric": [], "weights": [2, 1, 4, 1], "empty": _("No commitment was reported.")})
    descriptions = data.get("stream_descriptions", {})
    sections.append({
        "title": _("Glossary"), "header": [_("Revenue stream"), _("What it is")],
        "rows": [[_name(streams.get(code), locale, code), (descriptions.get(code) or {}).get(locale, "")]
                 for code in order],
        "numeric": [], "weights": [1.5, 4], "empty": _("Nothing was reported.")})
    report = {"title": _("EITI data of the Kyrgyz Republic"), "subtitle": subtitle, "facts": facts,
              "totals_title": _("Summary"), "totals": totals, "chart": chart if chart["bars"] else None,
              "sections": sections, "generated_at": period["end_date"], "language": locale}
    labels = {"portal_name": _("ESG/EITI disclosure portal · Mining sector of the Kyrgyz Republic"),
              "title": _("EITI data of the Kyrgyz Republic"), "generated_at": _("Reporting period ends")}
    return report, labels


def build_report(data: dict[str, Any], *, version: int, locale: str, region: str | None = None) -> bytes:
    return build_reconciliation_report(*report_data(data, version=version, locale=locale, region=region))


def report_files(data: dict[str, Any], *, version: int) -> dict[str, bytes]:
    """Every report of a release: the country's and each region's, in the three languages."""
    year = data["period"]["year"]
    files = {}
    for locale in LANGUAGES:
        files[f"report-{year}-{locale}.pdf"] = build_report(data, version=version, locale=locale)
        for region in regions_with_data(data):
            files[f"report-{year}-{region.lower()}-{locale}.pdf"] = build_report(data, version=version, locale=locale,
                                                                                region=region)
    return files
