"""The filing receipt PDF of a submitted version, with data and labels in the reader's language."""
from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from flask_babel import format_date, format_decimal
from flask_babel import gettext as _

from ...accounts.models import User
from ...audit import utcnow
from ...errors import NotFound
from ...i18n import format_amount, format_deadline, format_money
from ...labels import label
from ...reports import build_filing_receipt
from .. import services
from ..document import profile_object
from ..models import Disclosure, DisclosureStatus
from ..attachments import referenced_attachments
from ..sections.display import SectionView
from .display import Names, checklist_text, totals_view, yes_no
from .sections import esg_views
from .labels import RECEIPT_LABELS, SECTION_LABELS


def _receipt_lines(disclosure: Disclosure, names: Names) -> list[dict[str, str]]:
    lines = []
    for line in disclosure.payment_lines:
        in_kind = ""
        if line.is_paid_in_kind and line.in_kind_volume:
            in_kind = f"{format_decimal(Decimal(line.in_kind_volume), format='#,##0.######')} {line.in_kind_unit or ''}"
        lines.append({
            "revenue_stream": names.stream(line.revenue_stream),
            "gfs_code": names.gfs(line.revenue_stream),
            "government_entity": names.entity(line.government_entity),
            "project": names.licence(line.license),
            "amount": format_money(line.amount_minor, line.currency),
            "currency": line.currency,
            "paid_in_kind": yes_no(line.is_paid_in_kind),
            "in_kind": in_kind.strip(),
            "comment": line.comment or "",
        })
    return lines


def _section_data(view: SectionView) -> dict[str, Any]:
    return {"title": view.label, "items": [
        {"title": item.title if len(view.items) > 1 or item.title != "1" else "",
         "facts": item.facts,
         "tables": [{"label": t.label, "headers": t.headers, "rows": t.rows} for t in item.tables]}
        for item in view.items]}


def receipt_data(disclosure: Disclosure, locale: str) -> tuple[dict[str, Any], dict[str, str]]:
    """The data and labels of ``reports.build_filing_receipt`` for one submitted version, in ``locale``:
    the company profile and the register's names as filed (``profile_snapshot``, ``register_snapshot``)."""
    profile = disclosure.profile_snapshot or profile_object(disclosure.company)
    names = Names.of(disclosure, locale)
    period = disclosure.period
    totals = totals_view(disclosure, locale, names)
    labels = {key: str(text) for key, text in RECEIPT_LABELS.items()}
    if totals.has_usd and totals.rate is not None:
        note = _("in KGS; USD converted at %(rate)s KGS per USD, rounded half-even to the tyiyn",
                 rate=totals.rate_text)
        for key in ("totals_by_stream", "totals_by_entity"):
            labels[key] = f"{labels[key]} ({note})"
    data = {
        "company": {"name": profile["legal_name"], "inn": profile["inn"], "address": profile.get("address"),
                    "legal_form": profile.get("legal_form")},
        "period": {"year": period.year, "start_date": format_date(period.start_date, "medium"),
                   "end_date": format_date(period.end_date, "medium")},
        "version": disclosure.version,
        "status": label(disclosure.status),
        "submitted_at": format_deadline(disclosure.submitted_at),
        "sha256": disclosure.sha256,
        "attestation": {"name": disclosure.attested_by_name, "position": disclosure.attested_by_position,
                        "text": disclosure.attestation_text},
        "amendment_reason": disclosure.amendment_reason,
        "lines": _receipt_lines(disclosure, names),
        "totals_by_stream": [{"label": t.label, "amount": format_amount(t.amount), "currency": "KGS"}
                             for t in totals.by_stream],
        "totals_by_entity": [{"label": t.label, "amount": format_amount(t.amount), "currency": "KGS"}
                             for t in totals.by_entity],
        "totals": [{"currency": t.code, "amount": format_amount(t.amount)} for t in totals.by_currency],
        "sections": [{"title": str(SECTION_LABELS[item.section]), "status_text": checklist_text(item, disclosure)}
                     for item in services.completeness(disclosure)
                     if not (item.section == "payments" and item.state == "provided")],
        "esg_sections": [_section_data(view) for view in esg_views(disclosure, names)],
        "attachments": [{"name": a.original_name, "sha256": a.sha256} for a in referenced_attachments(disclosure)],
        "generated_at": format_deadline(utcnow()),
        "language": locale,
    }
    return data, labels


def receipt_filename(disclosure: Disclosure) -> str:
    """A safe ASCII file name: filing-receipt-<INN>-<year>-v<version>.pdf."""
    inn = re.sub(r"[^0-9A-Za-z]", "", (disclosure.profile_snapshot or {}).get("inn") or disclosure.company.inn)
    return f"filing-receipt-{inn}-{disclosure.period.year}-v{disclosure.version}.pdf"


def receipt_pdf(actor: User, disclosure_id: int, locale: str) -> tuple[str, bytes]:
    """(file name, PDF) of the filing receipt of a submitted version; drafts have none (404)."""
    disclosure = services.get_disclosure(actor, disclosure_id)
    if disclosure.status is DisclosureStatus.DRAFT or disclosure.submitted_at is None:
        raise NotFound()
    data, labels = receipt_data(disclosure, locale)
    return receipt_filename(disclosure), build_filing_receipt(data, labels)
