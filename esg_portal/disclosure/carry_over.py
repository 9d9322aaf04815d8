"""Carry-over into a new period's first draft (issue 4 §8): what stays true from last year.

When a company opens version 1 of its filing for a period, the filing in force for the
previous period (year − 1) pre-fills it: the beneficial owners (with their private data), the
social-package agreements still running when the new period starts, and a reminder to confirm
the company profile and licences (those come from the company register and are copied at
submission anyway). Each carried section is marked in ``Disclosure.carried_over`` until the
filer confirms it (``sections.services.confirm_carried_over``) or saves it.

The filing in force is the newest version that has been submitted (submitted, queried,
answered or accepted); a draft or a superseded version is never copied from. Amendments
(version 2 and later) copy from their own previous version instead (``services.start_amendment``).
The data is copied in its storage form, as filed; the previous version is never changed.
"""
from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import select

from ..extensions import db
from ..reference.models import ReportingPeriod
from .models import Disclosure, DisclosureSection, DisclosureStatus
from .sections import spec_for

#: statuses of a version that was filed and is in force (not a draft, not superseded)
FILED = (DisclosureStatus.SUBMITTED, DisclosureStatus.QUERIED, DisclosureStatus.ANSWERED, DisclosureStatus.ACCEPTED)
#: the mark for the company profile and licences (from the register, confirmed like a section)
PROFILE = "profile"
#: figures of one reporting period, which never carry into the next (the agreement does)
PER_PERIOD_FIELDS: dict[str, tuple[str, ...]] = {
    "social_agreements": ("disbursed_cash_kgs", "disbursed_in_kind_kgs"),
}


def _copy(value: Any) -> Any:
    """A deep copy of stored JSON, so the two versions never share one mutable object."""
    return json.loads(json.dumps(value)) if value is not None else None


def previous_filing(draft: Disclosure) -> Disclosure | None:
    """The company's filing in force for the period before the draft's (year − 1), or None."""
    previous = db.session.scalar(select(ReportingPeriod).where(ReportingPeriod.year == draft.period.year - 1))
    if previous is None:
        return None
    stmt = (select(Disclosure)
            .where(Disclosure.company_id == draft.company_id, Disclosure.period_id == previous.id,
                   Disclosure.status.in_(FILED))
            .order_by(Disclosure.version.desc()).limit(1))
    return db.session.scalar(stmt)


def _is_running(item: dict, next_period_start: dt.date) -> bool:
    try:
        from .sections.social_agreements import is_running
    except ImportError:  # the section's own rule, when its module is not there
        end = item.get("end_date")
        return not end or dt.date.fromisoformat(end) >= next_period_start
    return is_running(item, next_period_start)


def _owners(row: DisclosureSection, draft: Disclosure) -> tuple[Any, Any]:
    return _copy(row.data), _copy(row.restricted)


def _running_agreements(row: DisclosureSection, draft: Disclosure) -> tuple[Any, Any]:
    """The agreements in force on the new period's first day, without last year's disbursements."""
    start = draft.period.start_date
    private = row.restricted if isinstance(row.restricted, list) else None
    kept, kept_private = [], []
    for index, item in enumerate(row.data or []):
        if not _is_running(item, start):
            continue
        item = _copy(item)
        for name in PER_PERIOD_FIELDS["social_agreements"]:
            if name in item:
                item[name] = None
        kept.append(item)
        if private is not None:
            kept_private.append(_copy(private[index]))
    return kept, (kept_private if private is not None else None)


#: section → how its stored data is carried (in the filing document's order)
CARRIED = {"social_agreements": _running_agreements, "beneficial_owners": _owners}


def carry_over(draft: Disclosure) -> list[str]:
    """Pre-fill a new first draft from last year's filing in force; returns the keys marked as
    carried over (``[]`` when there is nothing to carry). Flushes, never commits."""
    if draft.version != 1 or draft.status is not DisclosureStatus.DRAFT:
        return []
    if draft.sections or draft.payment_lines or draft.declarations or draft.carried_over:
        return []  # only a new, empty draft is pre-filled: nothing the filer did is overwritten
    source = previous_filing(draft)
    if source is None:
        return []
    marks = [PROFILE]
    for key, select_data in CARRIED.items():
        row = source.section_row(key)
        if row is None or not row.data or spec_for(key) is None:
            continue
        data, restricted = select_data(row, draft)
        if not data:
            continue
        draft.sections.append(DisclosureSection(section=key, data=data, restricted=restricted))
        marks.append(key)
    draft.carried_over = marks
    db.session.flush()
    return marks
