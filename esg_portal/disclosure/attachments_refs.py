"""Which attachments a version refers to: every AttachmentRef value in its ESG sections."""
from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select

from ..extensions import db
from .models import Attachment, Disclosure
from .sections import spec_for
from .sections.fields import AttachmentRef, Rows


def _refs(schema: Any, item: dict) -> list[str]:
    found: list[str] = []
    for key, kind in schema.fields.items():
        value = item.get(key)
        if isinstance(kind, AttachmentRef) and value:
            found.append(value)
        elif isinstance(kind, Rows):
            for row in value or []:
                found += _refs(kind.inner.schema, row)
    return found


def referenced_sha256(disclosure: Disclosure) -> list[str]:
    """The sha256 of every attachment the version's sections name, in section order, each once."""
    seen: list[str] = []
    for row in disclosure.sections:
        spec = spec_for(row.section)
        if spec is None:
            continue
        items = row.data if spec.many else [row.data]
        schema = spec.schema()
        for item in items or []:
            for sha in _refs(schema, item):
                if sha not in seen:
                    seen.append(sha)
    return seen


def referenced_attachments(disclosure: Disclosure) -> list[Attachment]:
    """The attachments of a version: those its sections refer to (in section order), then the other files
    uploaded to this version; one per sha256."""
    wanted = referenced_sha256(disclosure)
    stmt = (select(Attachment).where(Attachment.company_id == disclosure.company_id,
                                     or_(Attachment.sha256.in_(wanted), Attachment.disclosure_id == disclosure.id))
            .order_by(Attachment.id))
    by_sha: dict[str, Attachment] = {}
    for attachment in db.session.scalars(stmt):
        by_sha.setdefault(attachment.sha256, attachment)
    ordered = [by_sha.pop(sha) for sha in wanted if sha in by_sha]
    return ordered + list(by_sha.values())
