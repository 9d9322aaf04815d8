"""Files sent with answers to questions: a payment order, a bank statement, a letter (issue 12 §3).

A company answering the secretariat's question on its filing, a company or agency answering a
discrepancy query, and the secretariat recording an explanation given outside the portal may send
one file with it. The file passes exactly the checks of a filing attachment
(``attachments.check_file``: the size limit, a plain file name, PDF/JPEG/PNG judged by content) and
is kept the same way (``attachments.keep_file``: a random name, outside the web root, removed again
when the unit of work is rolled back), in the ``evidence`` folder of the attachments folder.

The file belongs to its question, not to a company's filing: an agency officer has no company
to file it under, and a filing attachment of a draft may later be deleted while an answer's
evidence must stay. So the same bytes may be both a filing attachment and an answer's evidence;
within one question a file is kept once (unique ``query_id, sha256``: the file already kept is
used again). Whoever may read the question may fetch its files; everyone else gets 404 (the
callers check, see ``disclosure.review`` and ``eiti.discrepancies``).
"""
from __future__ import annotations

from pathlib import Path
from typing import TypeVar

from flask import current_app
from flask_babel import gettext as _

from ..accounts.models import User
from ..errors import NotFound, ValidationError
from ..extensions import db
from . import attachments
from .models import EvidenceFileMixin

#: the folder of the attachments folder that holds answers' files
FOLDER = "evidence"
#: the form field (and service error key) of an answer's file
FIELD = "evidence_file"

E = TypeVar("E", bound=EvidenceFileMixin)


def check_evidence(data: bytes | None, filename: str | None) -> attachments.CheckedFile | None:
    """The checked file, or None when no file was sent (an empty file input).

    ``AttachmentTooLarge`` (413) over the limit; the other refusals are ``ValidationError`` on ``FIELD``.
    """
    if not data and not (filename or "").strip():
        return None
    if not data:
        raise ValidationError({FIELD: [_("The file is empty. Choose the file again; if it is a scan, save it as "
                                         "PDF, JPEG or PNG first.")]})
    try:
        return attachments.check_file(data, filename)
    except ValidationError as error:
        raise ValidationError({FIELD: [m for messages in error.errors.values() for m in messages]}) from None


def keep_evidence(actor: User, model: type[E], checked: attachments.CheckedFile, **owner) -> E:
    """Store a checked file for its question (``owner``: ``query=…``); a file the question already holds
    (same SHA-256) is not stored twice: that record is returned."""
    query = owner["query"]
    for existing in query.evidence:
        if existing.sha256 == checked.sha256:
            return existing
    stored_name = attachments.keep_file(attachments.storage_root() / FOLDER, checked.data)
    record = model(original_name=checked.name, stored_name=stored_name, sha256=checked.sha256,
                   media_type=checked.media_type, size_bytes=len(checked.data), uploaded_by_id=actor.id, **owner)
    db.session.add(record)
    db.session.flush()
    return record


def evidence_path(record: EvidenceFileMixin) -> Path:
    return attachments.storage_root() / FOLDER / record.stored_name


def evidence_file(record: EvidenceFileMixin) -> Path:
    """The path of a record's file (the caller has checked who asks); 404 when the file is missing."""
    path = evidence_path(record)
    if not path.is_file():
        current_app.logger.error("evidence %s %s: file %s is missing", type(record).__name__, record.id, path)
        raise NotFound()
    return path
