"""Writing the ESG sections of a draft: whole sections (API) and single items (web forms).

Every function takes the acting user, checks that the version is the actor's company's open
draft, validates through the section's schema and flushes, never commits (the caller
commits once). Saving a section takes away a "nil"/"not applicable" answer for it and the
"carried over" mark (the filer has now looked at it).
"""
from __future__ import annotations

import json
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from ...accounts.models import User
from ...errors import NotFound, ValidationError
from ...extensions import db
from ...reference.models import Mineral, Region, Site
from ..models import Attachment, Disclosure, DisclosureSection, new_item_id
from ..services import begin_edit, record_carried_over_check, require_editable
from . import SectionSpec, count_items, dump_section, dump_with_private, load_section, spec_for
from .fields import LoadContext
from ...lifecycle import Expected


def require_spec(key: str) -> SectionSpec:
    spec = spec_for(key)
    if spec is None:
        raise NotFound()
    return spec


def load_context(disclosure: Disclosure, locale: str) -> LoadContext:
    """What the rules check values against: the company's licences and attachments, the reference codes."""
    company_id = disclosure.company_id

    def attachment_exists(sha256: str) -> bool:
        stmt = select(Attachment.id).where(Attachment.company_id == company_id, Attachment.sha256 == sha256)
        return db.session.scalar(stmt.limit(1)) is not None

    codes = {"mineral": frozenset(db.session.scalars(select(Mineral.code))),
             "region": frozenset(db.session.scalars(select(Region.code))),
             "site": frozenset(db.session.scalars(select(Site.code)))}
    licences = frozenset(lic.number for lic in disclosure.company.licenses)
    return LoadContext(locale=locale, attachment_exists=attachment_exists, licences=licences, codes=codes,
                       period_start=disclosure.period.start_date, period_end=disclosure.period.end_date)


def stored(disclosure: Disclosure, key: str) -> DisclosureSection | None:
    return disclosure.section_row(key)


def section_items(disclosure: Disclosure, key: str) -> list | dict:
    """The section of a version in the interchange form (private fields left out)."""
    spec = require_spec(key)
    row = stored(disclosure, key)
    return dump_section(spec, row.data if row else None)


def _mark_seen(disclosure: Disclosure, key: str) -> None:
    declaration = disclosure.declaration(key)
    if declaration is not None:
        disclosure.declarations.remove(declaration)
    if disclosure.carried_over and key in disclosure.carried_over:
        disclosure.carried_over = [k for k in disclosure.carried_over if k != key] or None
        record_carried_over_check(disclosure, key, "edited")


def stored_item_ids(row: DisclosureSection | None) -> list[str]:
    """The stable ids of a stored list section's items (ids are filled in for any item that lacks one)."""
    if row is None or not isinstance(row.data, list):
        return []
    ids = [str(i) for i in (row.item_ids or [])][:len(row.data)]
    while len(ids) < len(row.data):
        ids.append(new_item_id(ids))
    return ids


def _item_key(item: Any) -> str:
    return json.dumps(item, sort_keys=True, default=str)


def _matched_ids(row: DisclosureSection | None, data: list) -> list[str]:
    """Ids for a whole new list (an API body, a file): an item equal to a stored one keeps its id."""
    if row is None or not isinstance(row.data, list):
        old: dict[str, list[str]] = {}
    else:
        old = {}
        for item, item_id in zip(row.data, stored_item_ids(row)):
            old.setdefault(_item_key(item), []).append(item_id)
    ids: list[str] = []
    for item in data:
        kept = old.get(_item_key(item))
        ids.append(kept.pop(0) if kept else "")
    taken = set(ids)
    return [item_id or new_item_id(taken | set(ids)) for item_id in ids]


def replace_section(actor: User, disclosure: Disclosure, key: str, raw: Any, *, locale: str,
                    expected: Expected | None = None) -> int:
    """Replace one ESG section of the draft with ``raw`` (interchange form); returns its number of items.

    An empty list (or object) empties the section: it is "not provided" again. Items equal to
    stored ones keep their ids. ``expected``: the revision the writer saw (409 ``stale`` if older).
    """
    begin_edit(actor, disclosure, expected)
    return _store_section(disclosure, require_spec(key), raw, locale, None)


def _store_section(disclosure: Disclosure, spec: SectionSpec, raw: Any, locale: str,
                   item_ids: list[str] | None) -> int:
    data, private = load_section(spec, raw, load_context(disclosure, locale))
    row = stored(disclosure, spec.key)
    ids = None
    if spec.many and data:
        ids = item_ids if item_ids is not None else _matched_ids(row, data)
    if not data:
        if row is not None:
            disclosure.sections.remove(row)
    elif row is None:
        disclosure.sections.append(DisclosureSection(section=spec.key, data=data, restricted=private, item_ids=ids))
    else:
        row.data, row.restricted, row.item_ids = data, private, ids
    _mark_seen(disclosure, spec.key)
    db.session.flush()
    return count_items(spec, data)


def _editable_items(disclosure: Disclosure, spec: SectionSpec) -> tuple[list[dict], list[str]]:
    """The stored items in the interchange form, private fields included, and their ids."""
    row = stored(disclosure, spec.key)
    if row is None:
        return [], []
    return list(dump_with_private(spec, row.data, row.restricted)), stored_item_ids(row)


def _position(ids: list[str], item_id: str) -> int:
    try:
        return ids.index(item_id)
    except ValueError:
        raise NotFound(_("This item does not exist any more: somebody may have deleted it. "
                         "Open the section again.")) from None


def item_for_form(actor: User, disclosure: Disclosure, key: str, item_id: str | None) -> dict:
    """One item of a list section (or the object) in the interchange form, private fields included,
    to fill the filer's own edit form; {} for a new item."""
    require_editable(actor, disclosure)
    spec = require_spec(key)
    if not spec.many:
        row = stored(disclosure, key)
        return dict(dump_with_private(spec, row.data, row.restricted)) if row else {}
    if item_id is None:
        return {}
    items, ids = _editable_items(disclosure, spec)
    return items[_position(ids, item_id)]


def save_item(actor: User, disclosure: Disclosure, key: str, item_id: str | None, item: dict, *,
              locale: str, expected: Expected | None = None) -> str | None:
    """Add (``item_id`` None) or replace one item of a list section; returns the item's id.

    ``expected`` is the revision the form was made from: a form older than the last save is
    refused (409 ``stale``), never written over somebody else's work. Errors come back with
    paths inside the item ("commitments.1.due_date"), as a form shows them.
    """
    begin_edit(actor, disclosure, expected)
    spec = require_spec(key)
    if not spec.many:
        _within_item(lambda: _store_section(disclosure, spec, item, locale, None), None)
        return None
    items, ids = _editable_items(disclosure, spec)
    if item_id is None:
        item_id = new_item_id(ids)
        items.append(item)
        ids.append(item_id)
        index = len(items) - 1
    else:
        index = _position(ids, item_id)
        items[index] = item
    _within_item(lambda: _store_section(disclosure, spec, items, locale, ids), index)
    return item_id


def _within_item(action, index: int | None) -> None:
    try:
        action()
    except ValidationError as error:
        if index is None:
            raise
        own = f"{index}"
        errors: dict[str, list[str]] = {}
        for path, messages in error.errors.items():
            head, _sep, rest = path.partition(".")
            if head == own:
                errors.setdefault(rest, []).extend(messages)
            elif head.isdigit():
                # another item broke a list rule (e.g. a duplicate): the message names it
                errors.setdefault("", []).extend(
                    _("Item %(n)d: %(message)s", n=int(head) + 1, message=m) for m in messages)
            else:
                errors.setdefault(path, []).extend(messages)
        raise ValidationError(errors) from None


def delete_item(actor: User, disclosure: Disclosure, key: str, item_id: str, *, locale: str,
                expected: Expected | None = None) -> None:
    """Delete the item with this id (never "the item at this position"): a second click finds it gone."""
    begin_edit(actor, disclosure, expected)
    spec = require_spec(key)
    if not spec.many:
        raise NotFound()
    items, ids = _editable_items(disclosure, spec)
    index = _position(ids, item_id)
    del items[index], ids[index]
    _store_section(disclosure, spec, items, locale, ids)


def confirm_carried_over(actor: User, disclosure: Disclosure, key: str, *, expected: Expected | None = None) -> None:
    """The filer confirms a section carried over from last year as still true."""
    begin_edit(actor, disclosure, expected)
    if disclosure.carried_over and key in disclosure.carried_over:
        disclosure.carried_over = [k for k in disclosure.carried_over if k != key] or None
        record_carried_over_check(disclosure, key, "confirmed")
    db.session.flush()


def restricted_view(disclosure: Disclosure, key: str) -> list | dict:
    """The section with its private fields — only ever called for the secretariat's own view
    (the caller checks the role)."""
    spec = require_spec(key)
    row = stored(disclosure, key)
    return dump_with_private(spec, row.data, row.restricted) if row else spec.empty()
