"""Field-by-field difference between two versions of a filing (pure: documents in, changes out)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: the §3 key of a payment row: one row per key holds the period total
PAYMENT_KEY = ("revenue_stream", "government_entity", "project", "currency", "paid_in_kind")


@dataclass(frozen=True)
class Change:
    """One difference. ``item`` names the row (a payment key, a licence number) when there is one."""

    section: str
    item: str
    field: str
    before: Any
    after: Any


def payment_item(payment: dict[str, str]) -> str:
    """A payment row named by its key, e.g. "ROYALTY / STS / KG-0001 / KGS"."""
    return " / ".join(payment[part] for part in PAYMENT_KEY if payment[part] and payment[part] != "no")


def _compare_dicts(section: str, item: str, old: dict, new: dict) -> list[Change]:
    return [Change(section, item, key, old.get(key), new.get(key))
            for key in sorted(set(old) | set(new)) if old.get(key) != new.get(key)]


def _compare_rows(section: str, old_rows: list[dict], new_rows: list[dict], key, label) -> list[Change]:
    old = {key(row): row for row in old_rows}
    new = {key(row): row for row in new_rows}
    changes: list[Change] = []
    for k in sorted(set(old) | set(new), key=str):
        if k not in new:
            changes.append(Change(section, label(old[k]), "*removed*", old[k], None))
        elif k not in old:
            changes.append(Change(section, label(new[k]), "*added*", None, new[k]))
        else:
            changes.extend(_compare_dicts(section, label(new[k]), old[k], new[k]))
    return changes


def _compare_items(section: str, old_items: list[dict], new_items: list[dict]) -> list[Change]:
    """Items of an ESG list section compared by position ("1", "2"…): fields changed, items added or removed."""
    changes: list[Change] = []
    for index in range(max(len(old_items), len(new_items))):
        item = str(index + 1)
        if index >= len(new_items):
            changes.append(Change(section, item, "*removed*", old_items[index], None))
        elif index >= len(old_items):
            changes.append(Change(section, item, "*added*", None, new_items[index]))
        else:
            changes += _compare_dicts(section, item, old_items[index], new_items[index])
    return changes


def diff_documents(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """Every difference between two filing documents (INTERFACES.md §4 bodies)."""
    changes: list[Change] = []
    old_sections, new_sections = old.get("sections", {}), new.get("sections", {})
    old_profile, new_profile = dict(old_sections.get("profile") or {}), dict(new_sections.get("profile") or {})
    changes += _compare_rows("licences", old_profile.pop("licences", []), new_profile.pop("licences", []),
                             key=lambda lic: lic["number"], label=lambda lic: lic["number"])
    changes = _compare_dicts("profile", "", old_profile, new_profile) + changes
    changes += _compare_rows("payments", old_sections.get("payments", []), new_sections.get("payments", []),
                             key=lambda p: tuple(p[k] for k in PAYMENT_KEY), label=payment_item)
    for section in sorted((set(old_sections) | set(new_sections)) - {"payments", "profile"}):
        before, after = old_sections.get(section), new_sections.get(section)
        if before == after:
            continue
        if isinstance(before, list) and isinstance(after, list):
            changes += _compare_items(section, before, after)
        elif isinstance(before, dict) and isinstance(after, dict):
            changes += _compare_dicts(section, "", before, after)
        else:
            changes.append(Change(section, "", "*content*", before, after))
    changes += _compare_rows("declarations", [{"section": k, **v} for k, v in old.get("declarations", {}).items()],
                             [{"section": k, **v} for k, v in new.get("declarations", {}).items()],
                             key=lambda d: d["section"], label=lambda d: d["section"])
    return changes
