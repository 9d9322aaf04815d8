"""Receipt pages: the agency officer's period page (entry, upload, submit, correction), one receipt's edit and
delete pages, the receipts and template files, and the read view."""
from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from ..downloads import content_disposition
from ..extensions import db
from ..forms import attempt, form_status
from ..forms.receipts import (XLSX_TYPE, CorrectionForm, DeleteReceiptForm, ReceiptAttestationForm, ReceiptForm,
                              ReceiptUploadForm, receipt_form_data)
from ..i18n import SUPPORTED_LOCALES, current_locale
from ..lifecycle import parse_revision
from ..tabular import TooLarge, UploadRejected, csv_template
from . import services
from .attestation import attestation_text
from .models import BatchStatus
from .schemas import RECEIPT_COLUMNS, load_receipt_lookups, read_receipt_upload
from .templates import receipts_csv, receipts_template_xlsx, receipts_xlsx

bp = Blueprint("receipts", __name__, url_prefix="/receipts")


@bp.route("/batches/<int:batch_id>")
@login_required
def show(batch_id: int):
    return render_template("receipts/show.html", batch=services.get_batch(current_user, batch_id))


def _context(year: int):
    agency = services.officer_agency(current_user)
    period = services.get_period(year)
    return agency, period, services.latest_batch(current_user, agency, period)


def _page(year: int, status: int = 200, **forms):
    agency, period, batch = _context(year)
    lookups = load_receipt_lookups(agency)
    language = current_locale()
    forms.setdefault("receipt_form", ReceiptForm(lookups=lookups, locale=language, formdata=None))
    forms.setdefault("upload_form", ReceiptUploadForm(formdata=None))
    forms.setdefault("attest_form", ReceiptAttestationForm(formdata=None, data={
        "attested_by_name": current_user.full_name, "attested_by_position": getattr(current_user, "position", "")
        or "", "language": language}))
    forms.setdefault("correction_form", CorrectionForm(formdata=None))
    forms.setdefault("rejected", None)
    return render_template(
        "receipts/period.html", year=year, agency=agency, period=period, batch=batch,
        editable=batch is None or batch.status is BatchStatus.DRAFT,
        totals=services.totals_by_stream(batch) if batch is not None else [],
        history=services.versions(agency.id, period.id), attestation=attestation_text(language), **forms), status


@bp.route("/<int:year>")
@login_required
def period(year: int):
    return _page(year)


@bp.route("/<int:year>/receipts", methods=["POST"])
@login_required
def add_receipt(year: int):
    agency, period, _batch = _context(year)
    form = ReceiptForm(lookups=load_receipt_lookups(agency), locale=current_locale())
    receipt = form.parse_receipt() if form.validate_on_submit() else None
    if receipt and attempt(form, lambda: services.add_receipt(
            current_user, services.open_batch(current_user, agency, period), receipt)):
        flash(_("The receipt was added and saved."), "success")
        return redirect(url_for(".period", year=year, _anchor="receipts"))
    return _page(year, 422, receipt_form=form)


@bp.route("/<int:year>/upload", methods=["POST"])
@login_required
def upload(year: int):
    agency, period, _batch = _context(year)
    form = ReceiptUploadForm()
    rejected = None
    if form.validate_on_submit():
        try:
            receipts = read_receipt_upload(form.file.data.read(), form.file.data.filename, locale=current_locale(),
                                           lookups=load_receipt_lookups(agency))
            count = services.replace_receipts(current_user, services.open_batch(current_user, agency, period),
                                              receipts)
        except (UploadRejected, TooLarge) as error:
            db.session.rollback()
            rejected = error
        else:
            db.session.commit()
            flash(ngettext("The file was accepted: the draft now holds %(num)d receipt.",
                           "The file was accepted: the draft now holds %(num)d receipts.", count), "success")
            return redirect(url_for(".period", year=year, _anchor="receipts"))
    return _page(year, rejected.status if rejected else 422, upload_form=form, rejected=rejected)


@bp.route("/<int:year>/submit", methods=["POST"])
@login_required
def submit(year: int):
    agency, period, _batch = _context(year)
    form = ReceiptAttestationForm()
    language = form.language.data if form.language.data in SUPPORTED_LOCALES else current_locale()
    if form.validate_on_submit():
        batch = services.open_batch(current_user, agency, period)
        if attempt(form, lambda: services.submit_batch(current_user, batch, form.attested_by_name.data,
                                                        form.attested_by_position.data, attestation_text(language))):
            flash(_("Version %(version)d of the receipts was submitted. SHA-256: %(sha256)s",
                    version=batch.version, sha256=batch.sha256), "success")
            return redirect(url_for(".period", year=year))
    return _page(year, 422, attest_form=form)


@bp.route("/<int:year>/correction", methods=["POST"])
@login_required
def correction(year: int):
    agency, period, _batch = _context(year)
    form = CorrectionForm()
    if form.validate_on_submit() and (batch := attempt(form, lambda: services.start_correction(
            current_user, agency, period, form.reason.data))):
        flash(_("Version %(version)d is open as a draft, pre-filled from version %(previous)d.",
                version=batch.version, previous=batch.version - 1), "success")
        return redirect(url_for(".period", year=year))
    return _page(year, 422, correction_form=form)


@bp.route("/<int:year>/correction/discard", methods=["GET", "POST"])
@login_required
def discard_correction(year: int):
    """Asks first (works without JavaScript), then throws the draft correction away."""
    agency, period, batch = _context(year)
    form = FlaskForm()
    if form.validate_on_submit():
        standing = services.discard_correction(current_user, agency, period)
        db.session.commit()
        flash(_("The draft correction was discarded. Version %(version)d stays in force.", version=standing.version),
              "success")
        return redirect(url_for(".period", year=year))
    return render_template("receipts/discard_correction.html", year=year, batch=batch, form=form)


@bp.route("/<int:year>/receipts-template.csv")
@login_required
def template_csv(year: int):
    """The upload's columns, one header row (UTF-8 with BOM so that spreadsheets keep Kyrgyz letters)."""
    _context(year)  # an agency officer's page: others get 403
    return Response(csv_template(RECEIPT_COLUMNS), mimetype="text/csv; charset=utf-8", headers={
        "Content-Disposition": content_disposition(f"receipts-template-{year}.csv")})


def _file(data: bytes, filename: str, mimetype: str) -> Response:
    """A download: never stored by the browser (an officer's receipts are not public until submitted)."""
    return Response(data, mimetype=mimetype, headers={
        "Content-Disposition": content_disposition(filename), "Cache-Control": "no-store"})


@bp.route("/<int:year>/receipts-template.xlsx")
@login_required
def template_xlsx(year: int):
    """The upload's columns with drop-downs (streams, currencies, the agency, the register's INNs) and help."""
    agency, _period, _batch = _context(year)
    return _file(receipts_template_xlsx(load_receipt_lookups(agency), current_locale()),
                 f"receipts-template-{year}.xlsx", XLSX_TYPE)


def _download_name(agency, year: int, batch, extension: str) -> str:
    if batch is None:
        return f"receipts-{agency.code}-{year}.{extension}"
    return f"receipts-{agency.code}-{year}-v{batch.version}-{batch.status.value}.{extension}"


@bp.route("/<int:year>/receipts.csv")
@login_required
def download_csv(year: int):
    """The current receipts (the draft, else the latest version) in the upload's columns: edit, upload again."""
    agency, _period, batch = _context(year)
    return _file(receipts_csv(services.receipt_rows(batch)), _download_name(agency, year, batch, "csv"),
                 "text/csv; charset=utf-8")


@bp.route("/<int:year>/receipts.xlsx")
@login_required
def download_xlsx(year: int):
    agency, _period, batch = _context(year)
    data = receipts_xlsx(load_receipt_lookups(agency), current_locale(), services.receipt_rows(batch))
    return _file(data, _download_name(agency, year, batch, "xlsx"), XLSX_TYPE)


@bp.route("/lines/<int:line_id>/edit", methods=["GET", "POST"])
@login_required
def edit_receipt(line_id: int):
    line = services.editable_receipt(current_user, line_id)
    locale = current_locale()
    form = ReceiptForm(lookups=load_receipt_lookups(line.batch.agency), locale=locale,
                       data=receipt_form_data(services.receipt_object(line), locale))
    revision = request.form.get("revision", "") if form.is_submitted() else line.batch.revision_token
    receipt = form.parse_receipt() if form.validate_on_submit() else None
    if receipt and attempt(form, lambda: services.update_receipt(current_user, line, receipt,
                                                                 expected=parse_revision(revision))):
        flash(_("The receipt was changed and saved."), "success")
        return redirect(url_for(".period", year=line.batch.period.year, _anchor=f"receipt-{line.id}"))
    if getattr(form, "conflict", False):
        line = services.editable_receipt(current_user, line_id)  # the receipt as saved now
        revision = line.batch.revision_token
    return render_template("receipts/receipt_form.html", form=form, line=line, revision=revision), form_status(form)


@bp.route("/lines/<int:line_id>/delete", methods=["GET", "POST"])
@login_required
def delete_receipt(line_id: int):
    """GET asks "Delete this receipt?"; its button POSTs the confirmation (no JavaScript needed)."""
    line = services.editable_receipt(current_user, line_id)
    year = line.batch.period.year
    form = DeleteReceiptForm()
    revision = request.form.get("revision", "") if form.is_submitted() else line.batch.revision_token
    # the service returns nothing: "or True" tells attempt's success from its refusal (None)
    if form.validate_on_submit() and attempt(form, lambda: services.delete_receipt(
            current_user, line.batch, line_id, expected=parse_revision(revision)) or True):
        flash(_("The receipt was deleted."), "success")
        return redirect(url_for(".period", year=year, _anchor="receipts"))
    if getattr(form, "conflict", False):
        line = services.editable_receipt(current_user, line_id)
        revision = line.batch.revision_token
    return render_template("receipts/delete_receipt.html", form=form, line=line, revision=revision), form_status(form)
