"""The ESG sections of the filing: one registry entry per section, one codec for all of them.

A section module (``eia``, ``production``…) declares a ``SectionSpec``: its marshmallow
schema (the rules, shared by the web form, the upload and the API), whether the section is a
list of items or one object, the labels its values are shown with, the fields that must
never be published, and its WTForms form. ``catalog`` imports them all in document order.
Loading validates the interchange form (INTERFACES.md §4) into the storage form kept in
``DisclosureSection``; dumping gives the interchange form back, without the private fields.
"""
from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from marshmallow import ValidationError as ShapeError

from ...errors import ValidationError
from .fields import LOAD_CONTEXT, LoadContext, SectionSchema


@dataclass(frozen=True)
class SectionSpec:
    """What the portal knows about one ESG section."""

    key: str
    #: the section's name for people (lazy, translated)
    label: Any
    #: row schema of a list section, or the schema of an object section
    schema: type[SectionSchema]
    #: True: a list of items (EIA per project…); False: one object (workforce)
    many: bool = True
    #: field name → label (lazy); nested row fields share the same mapping
    labels: Mapping[str, Any] = field(default_factory=dict)
    #: field name → {code → label (lazy)} for Choice and ChoiceList fields
    choice_labels: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    #: top-level fields of an item kept out of every output but the secretariat's own view
    private_fields: tuple[str, ...] = ()
    #: the name of an item in lists, headings and differences (storage form in, text out)
    item_title: Callable[[dict], str] | None = None
    #: "module:Class" of the WTForms form of one item (or of the object); see forms/sections.py
    form: str | None = None
    #: most items a list section may hold
    max_items: int = 500
    #: a short help text shown on the section page (lazy)
    help: Any = ""
    #: facts computed from an item for readers (label, text), e.g. shares against the programme targets
    derived: Callable[[dict], list[tuple[str, str]]] | None = None

    def empty(self) -> list | dict:
        return [] if self.many else {}

    def form_class(self) -> type:
        """The form class, imported on use (forms import the section's labels, not the other way round)."""
        module, _sep, name = (self.form or "").partition(":")
        return getattr(importlib.import_module(module), name)


SPECS: dict[str, SectionSpec] = {}


def register(spec: SectionSpec) -> SectionSpec:
    SPECS[spec.key] = spec
    return spec


def spec_for(key: str) -> SectionSpec | None:
    from . import catalog  # noqa: F401  (fills SPECS on first use)
    return SPECS.get(key)


def all_specs() -> list[SectionSpec]:
    from . import catalog
    return [SPECS[key] for key in catalog.ORDER if key in SPECS]


# --- the codec ------------------------------------------------------------------------

def _path(parts: list[str]) -> str:
    return ".".join(parts)


def flatten_errors(messages: Any, prefix: list[str] | None = None) -> dict[str, list[str]]:
    """marshmallow's nested messages → {"0.commitments.1.due_date": [message, …]} (strings)."""
    prefix = prefix or []
    flat: dict[str, list[str]] = {}
    if isinstance(messages, Mapping):
        for key, value in messages.items():
            sub = prefix if key == "_schema" else [*prefix, str(key)]
            for path, texts in flatten_errors(value, sub).items():
                flat.setdefault(path, []).extend(texts)
    elif isinstance(messages, (list, tuple)):
        for value in messages:
            if isinstance(value, (Mapping, list, tuple)):
                for path, texts in flatten_errors(value, prefix).items():
                    flat.setdefault(path, []).extend(texts)
            else:
                flat.setdefault(_path(prefix), []).append(str(value))
    else:
        flat.setdefault(_path(prefix), []).append(str(messages))
    return flat


def load_section(spec: SectionSpec, raw: Any, context: LoadContext) -> tuple[list | dict, list | dict | None]:
    """Validate a section body; returns (storage data, private data or None). Raises ValidationError (422)."""
    if spec.many and not isinstance(raw, list):
        raise ValidationError({"": [_("The section “%(section)s” is a list ([…]) of objects.", section=spec.key)]})
    if not spec.many and not isinstance(raw, dict):
        raise ValidationError({"": [_("The section “%(section)s” is one object ({…}).", section=spec.key)]})
    if spec.many and len(raw) > spec.max_items:
        raise ValidationError({"": [_("Too many items: at most %(max)d.", max=spec.max_items)]})
    token = LOAD_CONTEXT.set(context)
    try:
        data = spec.schema(many=spec.many).load(raw)
    except ShapeError as error:
        raise ValidationError(flatten_errors(error.messages)) from None
    finally:
        LOAD_CONTEXT.reset(token)
    if not spec.private_fields:
        return data, None
    items = data if spec.many else [data]
    private = [{name: item.pop(name, None) for name in spec.private_fields} for item in items]
    return data, private if spec.many else private[0]


def dump_section(spec: SectionSpec, data: list | dict | None) -> list | dict:
    """The interchange form of stored data (private fields left out)."""
    if data is None or (not data and not spec.many):
        return spec.empty()
    return spec.schema(many=spec.many, exclude=spec.private_fields).dump(data)


def dump_with_private(spec: SectionSpec, data: list | dict | None, private: list | dict | None) -> list | dict:
    """The interchange form including the private fields — for re-saving and the secretariat's view only."""
    public = dump_section(spec, data)
    if not spec.private_fields or private is None:
        return public
    schema = spec.schema()
    dumped_private = []
    for values in (private if spec.many else [private]):
        full = schema.dump({**{name: None for name in schema.fields}, **(values or {})})
        dumped_private.append({name: full.get(name) for name in spec.private_fields})
    if spec.many:
        return [{**item, **extra} for item, extra in zip(public, dumped_private)]
    return {**public, **dumped_private[0]}


def count_items(spec: SectionSpec, data: list | dict | None) -> int:
    """Lines of a section for the API answer: items of a list, 1 for a filled object."""
    if not data:
        return 0
    return len(data) if spec.many else 1
