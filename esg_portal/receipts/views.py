"""Receipt pages: the agency officer's period page (entry, upload, submit, correction) and the read view."""
from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from ..downloads import content_disposition
from ..extensions import db
from ..forms import attempt
from ..forms.receipts import CorrectionForm, ReceiptAttestationForm, ReceiptForm, ReceiptUploadForm
from ..i18n import SUPPORTED_LOCALES, current_locale
from ..tabular import TooLarge, UploadRejected, csv_template
from . import services
from .attestation import attestation_text
from .models import BatchStatus
from .schemas import RECEIPT_COLUMNS, load_receipt_lookups, read_receipt_upload

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


@bp.route("/<int:year>/receipts-template.csv")
@login_required
def template_csv(year: int):
    """The upload's columns, one header row (UTF-8 with BOM so that spreadsheets keep Kyrgyz letters)."""
    _context(year)  # an agency officer's page: others get 403
    return Response(csv_template(RECEIPT_COLUMNS), mimetype="text/csv; charset=utf-8", headers={
        "Content-Disposition": content_disposition(f"receipts-template-{year}.csv")})
