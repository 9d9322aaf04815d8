"""Writing the ESG sections of a draft: whole sections (API) and single items (web forms).

Every function takes the acting user, checks that the version is the actor's company's open
draft, validates through the section's schema and flushes, never commits (the caller
commits once). Saving a section takes away a "nil"/"not applicable" answer for it and the
"carried over" mark (the filer has now looked at it).
"""
from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from ...accounts.models import User
from ...errors import NotFound, ValidationError
from ...extensions import db
from ...reference.models import Mineral, Region, Site
from ..models import Attachment, Disclosure, DisclosureSection
from ..services import require_editable
from . import SectionSpec, count_items, dump_section, dump_with_private, load_section, spec_for
from .fields import LoadContext


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


def replace_section(actor: User, disclosure: Disclosure, key: str, raw: Any, *, locale: str) -> int:
    """Replace one ESG section of the draft with ``raw`` (interchange form); returns its number of items.

    An empty list (or object) empties the section: it is "not provided" again.
    """
    require_editable(actor, disclosure)
    spec = require_spec(key)
    data, private = load_section(spec, raw, load_context(disclosure, locale))
    row = stored(disclosure, key)
    if not data:
        if row is not None:
            disclosure.sections.remove(row)
    elif row is None:
        disclosure.sections.append(DisclosureSection(section=key, data=data, restricted=private))
    else:
        row.data, row.restricted = data, private
    _mark_seen(disclosure, key)
    db.session.flush()
    return count_items(spec, data)


def _editable_items(disclosure: Disclosure, spec: SectionSpec) -> list[dict]:
    row = stored(disclosure, spec.key)
    return list(dump_with_private(spec, row.data, row.restricted)) if row else []


def item_for_form(actor: User, disclosure: Disclosure, key: str, index: int | None) -> dict:
    """One item of a list section (or the object) in the interchange form, private fields included,
    to fill the filer's own edit form; {} for a new item."""
    require_editable(actor, disclosure)
    spec = require_spec(key)
    if not spec.many:
        row = stored(disclosure, key)
        return dict(dump_with_private(spec, row.data, row.restricted)) if row else {}
    if index is None:
        return {}
    items = _editable_items(disclosure, spec)
    if not 0 <= index < len(items):
        raise NotFound()
    return items[index]


def save_item(actor: User, disclosure: Disclosure, key: str, index: int | None, item: dict, *,
              locale: str) -> int:
    """Add (``index`` None) or replace one item of a list section; returns the item's index.

    Errors come back with paths inside the item ("commitments.1.due_date"), as a form shows them.
    """
    require_editable(actor, disclosure)
    spec = require_spec(key)
    if not spec.many:
        _within_item(lambda: replace_section(actor, disclosure, key, item, locale=locale), None)
        return 0
    items = _editable_items(disclosure, spec)
    if index is None:
        index = len(items)
        items.append(item)
    elif 0 <= index < len(items):
        items[index] = item
    else:
        raise NotFound()
    _within_item(lambda: replace_section(actor, disclosure, key, items, locale=locale), index)
    return index


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


def delete_item(actor: User, disclosure: Disclosure, key: str, index: int, *, locale: str) -> None:
    require_editable(actor, disclosure)
    spec = require_spec(key)
    items = _editable_items(disclosure, spec)
    if not spec.many or not 0 <= index < len(items):
        raise NotFound()
    del items[index]
    replace_section(actor, disclosure, key, items, locale=locale)


def confirm_carried_over(actor: User, disclosure: Disclosure, key: str) -> None:
    """The filer confirms a section carried over from last year as still true."""
    require_editable(actor, disclosure)
    if disclosure.carried_over and key in disclosure.carried_over:
        disclosure.carried_over = [k for k in disclosure.carried_over if k != key] or None
    db.session.flush()


def restricted_view(disclosure: Disclosure, key: str) -> list | dict:
    """The section with its private fields — only ever called for the secretariat's own view
    (the caller checks the role)."""
    spec = require_spec(key)
    row = stored(disclosure, key)
    return dump_with_private(spec, row.data, row.restricted) if row else spec.empty()
