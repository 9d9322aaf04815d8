"""``report-{year}-{lang}.pdf``: the readable report of a release, in Kyrgyz, Russian or English.

Built from the release data only (never from live records), with the reconciliation report's
PDF builder: the period and its sources, what the government received by revenue stream, what
each company reported paying, the reconciliation summary and the social-package agreements
(committed against disbursed per aiyl okmotu or town).
"""
from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _
from babel.numbers import format_decimal

from ...reports.reconciliation import build_reconciliation_report
from ..labels import status_label

AMOUNT_FORMAT = "#,##0.00"


def _amount(value: Decimal | str | None, locale: str) -> str:
    if value is None or value == "":
        return ""
    return format_decimal(Decimal(value), format=AMOUNT_FORMAT, locale=locale)


def _sum_by(rows: list[dict[str, Any]], key: str, amount: str = "amount") -> dict[str, Decimal]:
    totals: dict[str, Decimal] = defaultdict(lambda: Decimal("0.00"))
    for row in rows:
        if row.get(amount) not in (None, "") and row.get("currency", "KGS") == "KGS":
            totals[row[key]] += Decimal(row[amount])
    return dict(totals)


def _name(entry: dict[str, Any] | None, locale: str, fallback: str) -> str:
    if not entry:
        return fallback
    names = entry.get("name")
    if isinstance(names, dict):
        return names.get(locale) or names.get("en") or fallback
    return names or fallback


def report_data(data: dict[str, Any], *, version: int, locale: str) -> tuple[dict, dict]:
    """The plain data and labels of the PDF builder for one language."""
    with force_locale(locale):
        return _report_data(data, version, locale)


def _report_data(data: dict[str, Any], version: int, locale: str) -> tuple[dict, dict]:
    period = data["period"]
    streams = {s["code"]: s for s in data.get("revenue_streams", [])}
    companies = {c["inn"]: c for c in data.get("companies", [])}
    subtitle = _("%(year)s · release %(version)s", year=period["year"], version=version)
    facts = [[_("Reporting period"), f"{period['start_date']} – {period['end_date']}"],
             [_("Currency"), period["currency"]],
             [_("USD rate: 1 USD = … KGS"), period.get("usd_rate") or _("not set")],
             [_("Independent Administrator"), period.get("independent_administrator") or _("not set")],
             [_("Companies with accepted filings"), str(sum(1 for c in companies.values() if c.get("filing")))],
             [_("Filings under review (not published)"), str(len(data.get("under_review", [])))],
             [_("Licence of the data"), "CC BY 4.0"]]

    received = _sum_by(data.get("government_revenues", []), "revenue_stream")
    paid = _sum_by(data.get("company_payments", []), "revenue_stream")
    stream_rows = [[[_name(streams.get(code), locale, code), streams.get(code, {}).get("gfs_code", "")],
                    _amount(received.get(code), locale), _amount(paid.get(code), locale)]
                   for code in sorted(set(received) | set(paid), key=lambda c: (-(received.get(c) or 0), c))]
    totals = [[_("Received by the government"), _amount(sum(received.values(), Decimal("0.00")), locale)],
              [_("Reported paid by the companies"), _amount(sum(paid.values(), Decimal("0.00")), locale)]]
    by_company = _sum_by(data.get("company_payments", []), "company_inn")
    company_rows = [[[companies.get(inn, {}).get("name", inn), inn], _amount(total, locale)]
                    for inn, total in sorted(by_company.items(), key=lambda item: (-item[1], item[0]))]
    sections = [
        {"title": _("Revenue by stream"), "note": _("Amounts in KGS. Received: as reported by the government "
                                                   "entities; paid: as reported by the companies."),
         "header": [_("Revenue stream"), _("Received by the government"), _("Reported paid by the companies")],
         "rows": stream_rows, "numeric": [1, 2], "weights": [4, 0, 0], "empty": _("Nothing was reported.")},
        {"title": _("Payments reported by each company"), "header": [_("Company"), _("Amount, KGS")],
         "rows": company_rows, "numeric": [1], "weights": [4, 0], "empty": _("No company filing was accepted.")},
    ]
    run = data.get("reconciliation")
    if run:
        counts = run.get("counts", {})
        totals.append([_("Coverage of government extractive revenue"),
                       f"{_amount(run.get('coverage_pct'), locale)}\u00a0%" if run.get("coverage_pct") else ""])
        sections.append({
            "title": _("Reconciliation"), "note": _("Lines by status in reconciliation run %(number)s.",
                                                    number=run["run"]),
            "header": [_("Status"), _("Lines")],
            "rows": [[status_label(code), str(count)] for code, count in counts.items() if count],
            "numeric": [1], "weights": [4, 0], "empty": _("The run has no lines.")})
    agreements = defaultdict(lambda: [Decimal("0.00"), Decimal("0.00")])
    for item in data.get("social_agreements", []):
        key = item.get("counterparty_name") or ""
        agreements[key][0] += Decimal(item.get("committed_cash_kgs") or "0")
        agreements[key][1] += Decimal(item.get("disbursed_cash_kgs") or "0") + Decimal(
            item.get("disbursed_in_kind_kgs") or "0")
    sections.append({
        "title": _("Social-package agreements"),
        "note": _("Committed cash under the agreements and what was disbursed in the period (cash and in kind), KGS."),
        "header": [_("Aiyl okmotu or town"), _("Committed"), _("Disbursed in the period")],
        "rows": [[name, _amount(c, locale), _amount(d, locale)] for name, (c, d) in sorted(agreements.items())],
        "numeric": [1, 2], "weights": [4, 0, 0], "empty": _("No agreement was reported.")})
    report = {"title": _("EITI data of the Kyrgyz Republic"), "subtitle": subtitle, "facts": facts,
              "totals_title": _("Summary"), "totals": totals, "sections": sections,
              "generated_at": data.get("published_on", ""), "language": locale}
    labels = {"portal_name": _("ESG/EITI disclosure portal · Mining sector of the Kyrgyz Republic"),
              "title": _("EITI data of the Kyrgyz Republic"), "generated_at": _("Published")}
    return report, labels


def build_report(data: dict[str, Any], *, version: int, locale: str) -> bytes:
    return build_reconciliation_report(*report_data(data, version=version, locale=locale))
