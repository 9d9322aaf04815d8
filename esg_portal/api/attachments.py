"""Attachment upload and list for company filers (an addition to INTERFACES.md §4).

``POST /api/v1/filings/{year}/attachments`` takes the file in either of two ways:

- ``multipart/form-data`` with the file in the field ``file`` (its file name is the one sent
  with it) and an optional field ``title``;
- the raw bytes as the body, with ``Content-Type: application/pdf``, ``image/jpeg`` or
  ``image/png``, the file name in the header ``X-Filename`` and an optional ``X-Title``
  (both percent-encoded UTF-8 when they hold letters beyond ASCII, e.g. ``%D0%90%D0%A7.pdf``).

The declared type is not trusted: the file is judged by its content, and its name's extension
(and a raw body's declared Content-Type) must agree with it. Answers: 201 ``{"id", "sha256", "media_type", "size", "name", "title",
"uploaded_at"}``; 413 over ``ESG_MAX_ATTACHMENT_MB`` (this route's own limit, larger than
the portal's ``MAX_CONTENT_LENGTH``); 415 for another body type; 422 with ``errors.file`` for a
refused file. ``GET`` lists the company's attachments of the period as ``{"data": [...]}``.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from flask import jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from ..disclosure import attachments
from ..disclosure.attachment_views import receive_attachment_body
from ..disclosure.document import iso_utc
from ..disclosure.models import Attachment
from ..errors import ValidationError
from ..extensions import db
from . import bp
from .bodies import UnsupportedContentType


def attachment_object(attachment: Attachment) -> dict[str, Any]:
    return {"id": attachment.id, "sha256": attachment.sha256, "media_type": attachment.media_type,
            "size": attachment.size_bytes, "name": attachment.original_name, "title": attachment.title,
            "uploaded_at": iso_utc(attachment.uploaded_at)}


def _header_text(name: str) -> str | None:
    """A header's text: percent-encoded UTF-8 decoded; raw UTF-8 bytes (read by the server as
    Latin-1) recovered. None when the header is absent."""
    value = request.headers.get(name)
    if value is None:
        return None
    try:
        if not value.isascii():
            value = value.encode("latin-1").decode("utf-8")
        return unquote(value, errors="strict")
    except UnicodeError:
        raise ValidationError({name: [_("The header %(header)s is not valid UTF-8 text. Send letters beyond "
                                        "ASCII percent-encoded as UTF-8.", header=name)]}) from None


def _read_upload() -> tuple[bytes, str | None, str | None]:
    """(bytes, file name, title) of the request, in either of the two accepted forms."""
    mimetype = (request.mimetype or "").lower()
    if mimetype == "multipart/form-data":
        upload = request.files.get("file")
        if upload is None:
            raise ValidationError({"file": [_("Send the file in the multipart field “file”.")]})
        return upload.read(), upload.filename, request.form.get("title")
    if mimetype in attachments.MEDIA_TYPES:
        filename = _header_text("X-Filename")
        if filename is None:
            raise ValidationError({"file": [_("Name the file in the header X-Filename, for example: "
                                              "X-Filename: conclusion.pdf.")]})
        data = request.get_data()
        detected = attachments.detect_media_type(data)
        if detected is not None and detected != mimetype:
            raise ValidationError({"file": [_("The body is declared as %(declared)s, but its content is %(kind)s. "
                                              "Send it with “Content-Type: %(detected)s”.", declared=mimetype,
                                              kind=attachments.type_name(detected), detected=detected)]})
        return data, filename, _header_text("X-Title")
    raise UnsupportedContentType(_("Send the file as multipart/form-data (field “file”), or as the body with "
                                   "“Content-Type: application/pdf”, “image/jpeg” or “image/png” and the header "
                                   "X-Filename."))


@bp.post("/filings/<int:year>/attachments")
def upload_attachment(year: int):
    attachments.filer_company(current_user)  # 403 for other roles before the body is read
    receive_attachment_body()
    data, filename, title = _read_upload()
    attachment = attachments.attach_to_filing(current_user, year, data, filename, title)
    db.session.commit()
    return jsonify(attachment_object(attachment)), 201


@bp.get("/filings/<int:year>/attachments")
def list_attachments(year: int):
    return jsonify(data=[attachment_object(a) for a in attachments.company_attachments(current_user, year)])
