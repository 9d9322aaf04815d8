"""The attachment upload form: a file and an optional title.

The form only asks that a file was chosen; whether it is a PDF, JPEG or PNG, its name and
its size are judged by ``disclosure.attachments.store_attachment`` (the same rules as the API).
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import StringField
from wtforms.validators import Length

from ..disclosure.attachments import MAX_TITLE
from . import PortalForm


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class AttachmentForm(PortalForm):
    """One file for the filing (an EIA conclusion, a signed agreement, minutes of a hearing…)."""

    file = FileField(_l("File (PDF, JPEG or PNG)"),
                     validators=[FileRequired(_l("Choose the file to attach."))],
                     description=_l("A PDF document or a JPEG or PNG image. The file is judged by its content, and "
                                    "its name must end in .pdf, .jpg, .jpeg or .png as its content is."),
                     render_kw={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"})
    title = StringField(_l("Title"), filters=[_strip],
                        description=_l("Optional: what the file is, for example: EIA conclusion No. 12/2024."),
                        validators=[Length(max=MAX_TITLE, message=_l("Shorten the title to at most %(max)d "
                                                                      "characters."))],
                        render_kw={"maxlength": MAX_TITLE})


def evidence_field() -> FileField:
    """The optional file of an answer (a payment order, a bank statement, a letter), judged like an attachment
    by ``disclosure.evidence.check_evidence``; the form's name for it is ``evidence_file``."""
    return FileField(_l("Supporting document (optional)"),
                     description=_l("One PDF document or JPEG or PNG image, for example the payment order. It is "
                                    "judged by its content, and its name must end in .pdf, .jpg, .jpeg or .png."),
                     render_kw={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"})


def uploaded(field: FileField) -> tuple[bytes, str | None] | None:
    """The bytes and name of the file a file field received; None when none was chosen."""
    upload = field.data
    return (upload.read(), upload.filename) if upload else None
