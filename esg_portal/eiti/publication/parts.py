"""Release data ⇄ the EITI Summary Data Template parts.

``parts_from_data`` answers the SDT from what the period actually holds: Part 1 from the
period's settings, the Part 2 checklist pointing at the release's own files (or ``Not
available``), Part 3 from the published registers, Part 4 from the government receipts
(summed per stream and entity), Part 5 from the accepted filings' payment lines.
``data_from_parts`` goes the other way for imported historic data: entities, companies and
streams are matched to the live registers by exact name only and otherwise kept as
historic records (``"historic": true``), never merged silently.
"""
from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from .sdt.model import CHECKLIST_REQUIREMENTS, Parts

NA, NOT_AVAILABLE = "Not applicable", "Not available"
CENT = Decimal("0.01")
SECTOR = "Mining"


def _kgs(amount: str, currency: str, rate: str | None) -> Decimal | None:
    """An amount in KGS: USD converted at the period rate, half-even to the tyiyn; None without a rate."""
    value = Decimal(amount)
    if currency == "KGS":
        return value
    if currency == "USD" and rate:
        return (value * Decimal(rate)).quantize(CENT, rounding=ROUND_HALF_EVEN)
    return None


def _text(value: Decimal | None) -> str | None:
    return None if value is None else format(value.quantize(CENT), "f")


def _pct(part: int, whole: int) -> str:
    if not whole:
        return "0.00%"
    return format((Decimal(part) * 100 / Decimal(whole)).quantize(CENT, rounding=ROUND_HALF_EVEN), "f") + "%"


#: Part 2 of the SDT v2.0: (requirement, question) in the template's order
CHECKLIST = tuple((requirement, requirement.split(": ", 1)[1]) for requirement in CHECKLIST_REQUIREMENTS)
SYSTEMATIC = "Systematically disclosed"


def _checklist(data: dict[str, Any], url: str) -> list[dict[str, str | None]]:
    """Each requirement → the release file where the period discloses it, or Not available / applicable."""
    year = data["period"]["year"]
    streams = {s["code"]: s for s in data.get("revenue_streams", [])}
    payments = data.get("company_payments", [])
    run = data.get("reconciliation")
    holds = {
        "2.3": bool(data.get("projects")) and "Part 3 - Reporting projects' list.csv",
        "2.5": any(c.get("filing") for c in data.get("companies", [])) and "beneficial_owners.json",
        "2.6": any(c.get("is_soe") or c.get("state_share_pct") for c in data.get("companies", []))
               and "Part 3 - Reporting companies' list.csv",
        "3.2": bool(data.get("production")) and "production.csv",
        "3.3": any(p.get("exported_volume") or p.get("exported_value_kgs") for p in data.get("production", []))
               and "production.csv",
        "4.1": bool(data.get("government_revenues")) and (
            "reconciliation.csv" if run else "Part 4 - Government revenues.csv"),
        "4.2": any(p.get("paid_in_kind") == "yes" for p in payments) and "Part 5 - Company data.csv",
        "4.6": any(streams.get(p["revenue_stream"], {}).get("is_subnational") for p in payments)
               and "Part 5 - Company data.csv",
        "4.8": "data.json",
        "4.9": bool(run) and "reconciliation.xlsx",
        "6.1": bool(data.get("social_agreements")) and "social_agreements.csv",
        "6.3": bool(data.get("workforce")) and "workforce.csv",
        "6.4": bool(data.get("eia")) and "eia.csv",
    }
    not_applicable = {"4.3", "4.4", "6.2"}
    if not any(p.get("paid_in_kind") == "yes" for p in payments):
        not_applicable.add("4.2")
    rows = []
    for requirement, label in CHECKLIST:
        number = requirement.split()[2].rstrip(":")
        source = holds.get(number)
        if source:
            rows.append({"requirement": requirement, "label": label, "answer": SYSTEMATIC,
                         "source": f"{url}/{source}".replace(" ", "%20")})
        else:
            rows.append({"requirement": requirement, "label": label,
                         "answer": NA if number in not_applicable else NOT_AVAILABLE, "source": None})
    del year
    return rows


def _agency_type(entity: dict[str, Any]) -> str:
    return "Local government" if entity.get("level") == "subnational" else "Central goverment"  # sic: the template's list value


def parts_from_data(data: dict[str, Any], *, release_url: str) -> Parts:
    """The SDT of a published release (see the module doc); ``release_url`` is where its files are served."""
    period = data["period"]
    rate = period.get("usd_rate")
    entities = {e["code"]: e for e in data.get("government_entities", [])}
    streams = {s["code"]: s for s in data.get("revenue_streams", [])}
    companies = data.get("companies", [])
    names = {c["inn"]: c["name"] for c in companies}
    projects = {p["licence"]: p for p in data.get("projects", [])}

    received: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    by_entity: dict[str, Decimal] = defaultdict(Decimal)
    for row in data.get("government_revenues", []):
        value = _kgs(row["amount"], row["currency"], rate)
        if value is not None:
            received[(row["revenue_stream"], row["government_entity"])] += value
            by_entity[row["government_entity"]] += value
    paid: dict[str, Decimal] = defaultdict(Decimal)
    for row in data.get("company_payments", []):
        value = _kgs(row["amount"], row["currency"], rate)
        if value is not None:
            paid[row["company_inn"]] += value

    checklist = _checklist(data, release_url)
    counts = defaultdict(int)
    for row in checklist:
        counts[row["answer"]] += 1
    reporting_entities = sorted({r["government_entity"] for r in data.get("government_revenues", [])}
                                | {p["government_entity"] for p in data.get("company_payments", [])})
    filed = [c for c in companies if c.get("filing")]
    about = {
        "Country or area name": period["country"], "ISO Alpha-3 Code": period["iso3"],
        "National currency name": "Kyrgyz som", "National currency ISO-4217": period["currency"],
        "Start Date": period["start_date"], "End Date": period["end_date"],
        "Has an EITI Report been prepared by an Independent Administrator?":
            "Yes" if period.get("independent_administrator") else "No",
        "What is the name of the company?": period.get("independent_administrator") or NA,
        "Date that the EITI Report was made public": None,
        "URL, EITI Report": f"{release_url}/report-{period['year']}-en.pdf",
        "Does the government systematically disclose EITI data at a single location?": "Yes",
        "Publication date of the EITI data": None,
        "Website link (URL) to EITI data": release_url,
        "Are there other files of relevance?": "Yes",
        "Date that other file was made public": None,
        "URL": f"{release_url}/data.json",
        "Does the government have an open data policy?": "Yes, systematically disclosed",
        "Open data portal / files": f"{release_url}/datapackage.json",
        "Oil": "No", "Gas": "No", "Mining (incl. Quarrying)": "Yes", "Other, non-upstream sectors": "No",
        "If yes, please specify name (insert new rows if multiple)": NA,
        "Number of reporting government entities (incl SOEs if recipient)": str(len(reporting_entities)),
        "Number of reporting companies (incl SOEs if payer)": str(len(filed)),
        "Reporting currency (ISO-4217 currency codes)": period["currency"],
        "Exchange rate used: 1 USD = ": rate or NOT_AVAILABLE,
        "Exchange rate source (URL,…)": period.get("usd_rate_source") or NOT_AVAILABLE,
        "… by revenue stream": "Yes", "… by government agency": "Yes", "… by company": "Yes",
        "… by project": "Yes" if any(p.get("project") for p in data.get("company_payments", [])) else "Partially",
        SYSTEMATIC: _pct(counts[SYSTEMATIC], len(checklist)),
        "Through EITI Reporting": _pct(counts["Through EITI Reporting"], len(checklist)),
        NA: _pct(counts[NA], len(checklist)), NOT_AVAILABLE: _pct(counts[NOT_AVAILABLE], len(checklist)),
        "Name": None, "Organisation": "EITI Secretariat of the Kyrgyz Republic", "Email address": None,
    }
    government_entities = [{
        "Full name of agency": entities[code]["name"]["en"] if code in entities else code,
        "Agency type": _agency_type(entities.get(code, {})), "ID number (if applicable)": None,
        "Total reported": _text(by_entity.get(code, Decimal("0")))} for code in reporting_entities]
    licences_of = defaultdict(list)
    for project in data.get("projects", []):
        licences_of[project["company_inn"]].append(project)
    company_rows = []
    for company in companies:
        minerals = sorted({m for p in licences_of[company["inn"]] for m in (p.get("minerals") or [])})
        company_rows.append({
            "Full company name": company["name"],
            "Company type": "State-owned enterprises & public corporations" if company.get("is_soe") else "Private",
            "Company ID number": company["inn"], "Sector": SECTOR,
            "Commodities (comma-seperated)": ", ".join(minerals) or None,
            "Stock exchange listing or company website": company.get("listing") or company.get("website") or None,
            "Audited financial statement (or balance sheet, cash flows, profit/loss statement if unavailable)":
                company.get("audited_statements_url") or NOT_AVAILABLE,
            "Payments to Governments Report": _text(paid.get(company["inn"], Decimal("0")))
            if company.get("filing") else NOT_AVAILABLE})
    status = {"extraction": "Production", "exploration": "Exploration"}
    project_rows = [{
        "Full project name": p.get("project_name") or p["licence"],
        "Legal agreement reference number(s): contract, licence, lease, concession, …": p["licence"],
        "Affiliated companies, start with Operator": names.get(p["company_inn"], p["company_inn"]),
        "Commodities (one commodity/row)": ", ".join(p.get("minerals") or []) or None,
        "Status": status.get(p.get("kind") or "", "Other"),
        "Production (volume)": NOT_AVAILABLE, "Unit": NOT_AVAILABLE, "Production (value)": NOT_AVAILABLE,
        "Currency": period["currency"]} for p in data.get("projects", [])]
    revenue_rows = [{
        "GFS Classification": f"{streams[s]['gfs_name']['en']} ({streams[s]['gfs_code']})" if s in streams else NOT_AVAILABLE,
        "Sector": SECTOR, "Revenue stream name": streams[s]["name"]["en"] if s in streams else s,
        "Government entity": entities[e]["name"]["en"] if e in entities else e,
        "Revenue value": _text(value), "Currency": period["currency"]}
        for (s, e), value in sorted(received.items())]
    company_data = []
    for row in data.get("company_payments", []):
        stream = streams.get(row["revenue_stream"], {})
        project = projects.get(row["project"]) if row["project"] else None
        in_kind = row.get("paid_in_kind") == "yes"
        company_data.append({
            "Company": names.get(row["company_inn"], row["company_inn"]),
            "Government entity": entities[row["government_entity"]]["name"]["en"]
            if row["government_entity"] in entities else row["government_entity"],
            "Revenue stream name": stream.get("name", {}).get("en", row["revenue_stream"]),
            "Levied on project (Y/N)": "Yes" if stream.get("is_levied_per_project") else "No",
            "Reported by project (Y/N)": "Yes" if row["project"] else "No",
            "Project name": (project.get("project_name") or row["project"]) if project else (row["project"] or NA),
            "Reporting currency": row["currency"], "Revenue value": row["amount"],
            "Payment made in-kind (Y/N)": "Yes" if in_kind else "No",
            "In-kind volume (if applicable)": (row.get("in_kind_volume") or NOT_AVAILABLE) if in_kind else NA,
            "Unit (if applicable)": (row.get("in_kind_unit") or NOT_AVAILABLE) if in_kind else NA,
            "Comments": row.get("comment") or None})
    return Parts(year=period["year"], start_date=period["start_date"], end_date=period["end_date"],
                 country=period["country"], iso3=period["iso3"], currency=period["currency"], about=about,
                 checklist=checklist, government_entities=government_entities, companies=company_rows,
                 projects=project_rows, government_revenues=revenue_rows, company_data=company_data)


def data_from_parts(parts: Parts) -> dict[str, Any]:
    """The release data of imported historic EITI data: the parts, and the registers they name."""
    about = parts.about or {}
    rate = about.get("Exchange rate used: 1 USD = ")
    entities = [{"code": None, "name": {"en": row.get("Full name of agency")}, "agency_type": row.get("Agency type"),
                 "historic": True} for row in parts.government_entities]
    companies = [{"inn": row.get("Company ID number"), "name": row.get("Full company name"),
                  "company_type": row.get("Company type"), "historic": True, "filing": None}
                 for row in parts.companies]
    streams = sorted({(row.get("GFS Classification") or "", row.get("Revenue stream name") or "")
                      for row in parts.government_revenues})
    revenues = [{"gfs": row.get("GFS Classification"), "revenue_stream_name": row.get("Revenue stream name"),
                 "government_entity_name": row.get("Government entity"), "sector": row.get("Sector"),
                 "amount": row.get("Revenue value"), "currency": row.get("Currency")}
                for row in parts.government_revenues]
    payments = [{"company_name": row.get("Company"), "government_entity_name": row.get("Government entity"),
                 "revenue_stream_name": row.get("Revenue stream name"), "project_name": row.get("Project name"),
                 "amount": row.get("Revenue value"), "currency": row.get("Reporting currency")}
                for row in parts.company_data]
    return {
        "kind": "imported",
        "period": {"year": parts.year, "start_date": parts.start_date, "end_date": parts.end_date,
                   "country": parts.country, "iso3": parts.iso3, "currency": parts.currency,
                   "usd_rate": rate if rate not in (None, NA, NOT_AVAILABLE) else None,
                   "usd_rate_source": about.get("Exchange rate source (URL,…)"),
                   "independent_administrator": about.get("What is the name of the company?"),
                   "board_approved_on": None},
        "government_entities": entities,
        "revenue_streams": [{"code": None, "gfs": gfs, "name": {"en": name}, "historic": True}
                            for gfs, name in streams],
        "companies": companies, "under_review": [], "projects": [],
        "historic_government_revenues": revenues, "historic_company_payments": payments,
        "company_payments": [], "declarations": [], "government_revenues": [], "receipt_batches": [],
        "reconciliation": None, "eia": [], "social_agreements": [], "public_hearings": [], "workforce": [],
        "production": [], "attachments": [],
    }
