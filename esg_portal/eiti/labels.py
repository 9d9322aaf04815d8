"""Translated labels of the reconciliation's codes: line statuses and adjustment reason codes.

One place for every page, file and report that shows them; codes themselves stay in English
in machine-readable output (CSV, API).
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

#: line status (reconciliation.STATUSES) → label
STATUS_LABELS = {
    "reconciled": _l("Reconciled"),
    "discrepancy": _l("Discrepancy"),
    "company_only": _l("Reported by the company only"),
    "government_only": _l("Reported by the government only"),
    "not_reported": _l("Did not report (DNR)"),
    "not_participating": _l("Did not participate (DNP)"),
    "not_applicable": _l("Not applicable"),
    "withheld": _l("Company figure not published yet (filing under review)"),
}
#: adjustment reason code (reconciliation.REASON_CODES) → label
REASON_LABELS = {
    "timing": _l("Timing difference"),
    "classification": _l("Classification difference"),
    "exchange_rate": _l("Exchange-rate difference"),
    "out_of_scope": _l("Out of scope"),
    "on_behalf_of": _l("Paid on behalf of another company"),
    "omission": _l("Omission"),
    "entry_error": _l("Data-entry error"),
    "other": _l("Other reason"),
}
#: a stream's inclusion in the period's reconciliation (reference.models.StreamInclusion) → label
INCLUSION_LABELS = {
    "included": _l("Included"),
    "not_included": _l("Not included"),
    "not_applicable": _l("Not applicable"),
}


def status_label(code: str) -> str:
    """The translated label of a line status; an unknown code is shown as it is."""
    return str(STATUS_LABELS.get(code, code))


def reason_label(code: str) -> str:
    """The translated label of an adjustment reason code; an unknown code is shown as it is."""
    return str(REASON_LABELS.get(code, code))


def explanation_labels(explanation: str) -> list[str]:
    """A line's explanation (comma-separated reason codes, as stored) as translated labels."""
    return [reason_label(code) for code in (explanation or "").split(",") if code]
