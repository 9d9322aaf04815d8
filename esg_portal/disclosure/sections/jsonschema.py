"""JSON Schema (OpenAPI 3.0 dialect) of each ESG section, derived from its marshmallow schema.

One source of truth: the API document describes exactly what the section's rules accept.
"""
from __future__ import annotations

from typing import Any

from . import SectionSpec
from .fields import (AttachmentRef, Choice, ChoiceList, Count, IsoDate, Money, Project, Quantity, ReferenceCode,
                     Rows, Text, YesNo)

_DECIMAL = "^-?[0-9]+(\\.[0-9]+)?$"


def _field(kind: Any) -> dict[str, Any]:
    nullable = not kind.required
    if isinstance(kind, Rows):
        return {"type": "array", "items": _object(kind.inner.schema, private=())}
    if isinstance(kind, Text):
        return {"type": "string", "maxLength": kind.max_length, "nullable": nullable}
    if isinstance(kind, Money):
        return {"type": "string", "pattern": "^-?[0-9]+\\.[0-9]{2}$", "nullable": nullable,
                "description": "Amount with 2 decimals, as a string (never a JSON number)."}
    if isinstance(kind, Quantity):
        return {"type": "string", "pattern": _DECIMAL, "nullable": nullable,
                "description": f"Exact decimal as a string, at most {kind.max_decimals} decimals; null = not reported."}
    if isinstance(kind, Count):
        return {"type": "integer", "minimum": 0, "nullable": nullable}
    if isinstance(kind, IsoDate):
        return {"type": "string", "format": "date", "nullable": nullable}
    if isinstance(kind, ChoiceList):
        return {"type": "array", "items": {"type": "string", "enum": list(kind.choices)}, "uniqueItems": True}
    if isinstance(kind, Choice):
        return {"type": "string", "enum": list(kind.choices), "nullable": nullable}
    if isinstance(kind, YesNo):
        return {"type": "boolean", "nullable": nullable}
    if isinstance(kind, AttachmentRef):
        return {"type": "string", "pattern": "^[0-9a-f]{64}$", "nullable": nullable,
                "description": "SHA-256 of an attachment of the company (POST /filings/{year}/attachments)."}
    if isinstance(kind, Project):
        return {"type": "string", "description": "Licence number of one of the company's licences; \"\" for "
                                                 "the company as a whole."}
    if isinstance(kind, ReferenceCode):
        return {"type": "string", "nullable": nullable,
                "description": f"A code of the {kind.table} reference list" + (
                    f" (or {', '.join(kind.extra)})" if kind.extra else "") + "."}
    return {"nullable": nullable}


def _object(schema: Any, private: tuple[str, ...]) -> dict[str, Any]:
    fields = schema.fields
    properties = {}
    for name, kind in fields.items():
        prop = _field(kind)
        if name in private:
            prop = {**prop, "writeOnly": True,
                    "description": "Kept for the EITI secretariat only: never returned by GET, never published."}
        properties[name] = prop
    required = [name for name, kind in fields.items() if kind.required]
    result: dict[str, Any] = {"type": "object", "additionalProperties": False, "properties": properties}
    if required:
        result["required"] = required
    return result


def section_json_schema(spec: SectionSpec) -> dict[str, Any]:
    """The body of PUT /filings/{year}/{spec.key} (and the section of the GET body, without private fields)."""
    item = _object(spec.schema(), spec.private_fields)
    if spec.many:
        return {"type": "array", "items": item, "maxItems": spec.max_items, "description": str(spec.label)}
    return {**item, "description": str(spec.label)}
