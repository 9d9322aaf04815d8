"""Attachments of a filing: upload, list, fetch (company and secretariat only before publication).

The upload takes its own size limit (``ESG_MAX_ATTACHMENT_MB``), larger than the portal's
``MAX_CONTENT_LENGTH``: the upload view is exempt from the automatic CSRF check (which would
read the body under the smaller limit) and checks the CSRF token itself once the limit is
raised for that one request. Files are always sent as downloads, never shown inline.
"""
from __future__ import annotations


from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..downloads import content_disposition
from ..errors import ValidationError
from ..extensions import csrf, db
from ..forms import add_service_errors
from ..forms.attachments import AttachmentForm
from .. import confirm
from . import attachments
from .sections import spec_for

bp = Blueprint("attachments", __name__, url_prefix="/attachments")

#: room for the multipart envelope (boundaries, headers, the title) around a file at the limit
ENVELOPE_BYTES = 64 * 1024


def receive_attachment_body() -> None:
    """Let this request carry one attachment: the attachment limit instead of MAX_CONTENT_LENGTH,
    and an early 413 when the declared length is already over it (the body is then never read)."""
    limit = attachments.max_bytes() + ENVELOPE_BYTES
    request.max_content_length = limit
    if request.content_length is not None and request.content_length > limit:
        raise attachments.too_large()


def _page(year: int, form: AttachmentForm, status: int = 200):
    page = attachments.filing_attachments(current_user, year)
    labels = {key: (spec.label if (spec := spec_for(key)) else key)
              for keys in page.references.values() for key in keys}
    return render_template("attachments/filing.html", page=page, form=form, section_labels=labels,
                           limit=attachments.size_text(attachments.max_bytes()), size=attachments.size_text,
                           type_names={attachments.PDF: "PDF", attachments.JPEG: "JPEG", attachments.PNG: "PNG"}), status


@bp.route("/filing/<int:year>", methods=["GET", "POST"])
@csrf.exempt
@login_required
def filing(year: int):
    if request.method == "GET":
        return _page(year, AttachmentForm(formdata=None))
    attachments.filer_company(current_user)  # who may upload is answered before the body is read
    form = AttachmentForm(formdata=None)
    try:
        receive_attachment_body()
        csrf.protect()
        form = AttachmentForm()
        if form.validate_on_submit():
            upload = form.file.data
            attachment = attachments.attach_to_filing(current_user, year, upload.read(), upload.filename,
                                                      form.title.data)
            db.session.commit()
            flash(_("The file “%(name)s” was attached. SHA-256: %(sha256)s", name=attachment.original_name,
                    sha256=attachment.sha256), "success")
            return redirect(url_for(".filing", year=year))
    except attachments.AttachmentTooLarge as error:
        db.session.rollback()
        form.file.errors = [error.message]
        return _page(year, form, 413)
    except ValidationError as error:
        db.session.rollback()
        add_service_errors(form, error.errors)
    return _page(year, form, 422)


def file_download(record, path):
    """A stored file (an attachment or an answer's evidence) sent as a download, never shown inline."""
    response = send_file(path, mimetype=record.media_type, conditional=False, etag=False)
    # the filer's name in filename*, a harmless ASCII one in filename (never a path or quotes)
    response.headers["Content-Disposition"] = content_disposition(record.original_name)
    response.headers["X-Content-Type-Options"] = "nosniff"
    # never rendered by the portal's origin, even if a browser ignored the download disposition
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@bp.route("/<int:attachment_id>")
@login_required
def download(attachment_id: int):
    attachment, path = attachments.fetch_attachment(current_user, attachment_id)
    return file_download(attachment, path)


@bp.route("/<int:attachment_id>/delete", methods=["POST"])
@login_required
def delete(attachment_id: int):
    attachment = attachments.get_attachment(current_user, attachment_id)
    year, name = attachment.period.year, attachment.original_name
    try:
        if not confirm.is_confirmed():
            attachments.check_deletable(current_user, attachment)
            return confirm.ask(_("Delete the file “%(name)s”?", name=name), "", url_for(".filing", year=year))
        attachments.delete_attachment(current_user, attachment)
    except ValidationError as error:
        db.session.rollback()
        for messages in error.errors.values():
            for message in messages:
                flash(message, "error")
        return redirect(url_for(".filing", year=year))
    db.session.commit()
    flash(_("The file “%(name)s” was deleted.", name=name), "success")
    return redirect(url_for(".filing", year=year))
