"""Filing pages: the filer's editor of the annual disclosure, uploads, submission, amendments,
versions, the difference between versions and the filing receipt.

Every view parses its form, calls one function of ``pages`` (or of the services) and
renders or redirects; each change is committed at once, so the draft is saved as the
filer works. ``pages`` assembles the data and performs the actions; the services check
who may do what.
"""
from __future__ import annotations

import io
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from ..accounts.permissions import require
from ..config import SUPPORTED_LOCALES
from ..extensions import csrf, db
from ..forms import attempt, form_status
from ..forms.attachments import uploaded
from ..forms.disclosure import (XLSX_TYPE, AmendmentForm, AnswerForm, AttestationForm, NilDeclarationForm,
                               PaymentLineForm, UploadForm)
from ..i18n import current_locale, format_deadline, format_money
from .. import confirm
from ..lifecycle import parse_revision
from ..tabular import TooLarge, UploadRejected
from . import pages, review, services
from .attachment_views import file_download, receive_attachment_body
from .attachments import AttachmentTooLarge
from .attestation import attestation_text
from .bods import bods_export
from .schemas import PaymentLookups
from .templates import payments_template_csv, payments_template_xlsx

bp = Blueprint("disclosure", __name__, url_prefix="/disclosures")

MAX_TEXT = services.MAX_TEXT


def _declaration_form(section: str, **kwargs: Any) -> NilDeclarationForm:
    form = NilDeclarationForm(prefix=section, **kwargs)
    if section == "payments":
        form.kind.choices = list(pages.PAYMENT_DECLARATION_LABELS.items())
    return form


def _line_form(lookups: PaymentLookups, **kwargs: Any) -> PaymentLineForm:
    return PaymentLineForm(lookups=lookups, locale=current_locale(), **kwargs)


# --- helpers --------------------------------------------------------------------------

def _filing(year: int, status: int = 200, active: FlaskForm | None = None, **given: FlaskForm):
    """The filing page; ``given`` replaces a blank form (by key) with a submitted one and its errors."""
    page = pages.filing_page(current_user, year, current_locale())
    forms: dict[str, FlaskForm] = {"upload": UploadForm(formdata=None)}
    if page.lookups is not None:
        forms["line"] = _line_form(page.lookups, formdata=None)
    forms.update({f"declare_{s}": _declaration_form(s, formdata=None) for s in services.SECTIONS})
    forms.update({f"answer_{q.id}": AnswerForm(formdata=None, prefix=f"query-{q.id}") for q in page.open_queries})
    forms.update(given)
    return render_template("disclosure/filing.html", page=page, forms=forms, active=active), status


def _download(data: bytes, filename: str, mimetype: str):
    return send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=filename)


@bp.context_processor
def _labels() -> dict[str, Any]:
    return {"section_labels": pages.SECTION_LABELS, "declaration_labels": pages.DECLARATION_LABELS,
            "payment_declaration_labels": pages.PAYMENT_DECLARATION_LABELS}


# --- the filing of a period ------------------------------------------------------------

@bp.route("/filing/<int:year>")
@login_required
def filing(year: int):
    return _filing(year)


@bp.route("/filing/<int:year>/lines", methods=["POST"])
@login_required
def add_line(year: int):
    form = _line_form(pages.editing_lookups(current_user, year))
    payment = form.parse_payment() if form.validate_on_submit() else None
    if payment and (line := attempt(form, lambda: pages.add_line(current_user, year, payment))):
        flash(_("The payment line was added and saved."), "success")
        return redirect(url_for(".filing", year=year, saved=line.id, _anchor=f"line-{line.id}"))
    return _filing(year, 422, active=form, line=form)


@bp.route("/lines/<int:line_id>/edit", methods=["GET", "POST"])
@login_required
def edit_line(line_id: int):
    line, lookups = pages.editable_line(current_user, line_id)
    form = _line_form(lookups, data=pages.line_form_data(line, current_locale()))
    revision = request.form.get("revision", "") if request.method == "POST" else line.disclosure.revision_token
    payment = form.parse_payment() if form.validate_on_submit() else None
    if payment and attempt(form, lambda: services.update_payment_line(current_user, line, payment,
                                                                       expected=parse_revision(revision))):
        flash(_("The payment line was changed and saved."), "success")
        return redirect(url_for(".filing", year=line.disclosure.period.year, saved=line.id, _anchor=f"line-{line.id}"))
    if getattr(form, "conflict", False):
        line, _lookups = pages.editable_line(current_user, line_id)  # the line as saved now
        revision = line.disclosure.revision_token
    return render_template("disclosure/line_form.html", form=form, line=line, revision=revision), form_status(form)


@bp.route("/lines/<int:line_id>/delete", methods=["POST"])
@login_required
def delete_line(line_id: int):
    line = services.get_payment_line(current_user, line_id)
    year = line.disclosure.period.year
    if not confirm.is_confirmed():
        services.require_editable(current_user, line.disclosure)
        return confirm.ask(_("Delete this payment line?"), f"{line.revenue_stream.code} · {line.government_entity.code}"
                           f" · {format_money(line.amount_minor, line.currency)} {line.currency}",
                           url_for(".filing", year=year, _anchor="payments"))
    services.delete_payment_line(current_user, line, expected=parse_revision(request.form.get("revision")))
    db.session.commit()
    flash(_("The payment line was deleted."), "success")
    return redirect(url_for(".filing", year=year, _anchor="payments"))


@bp.route("/filing/<int:year>/declarations/<section>", methods=["POST"])
@login_required
def declare(year: int, section: str):
    pages.editing_lookups(current_user, year)
    form = _declaration_form(pages.require_section(section))
    if form.validate_on_submit() and attempt(
            form, lambda: pages.declare(current_user, year, section, form.kind.data, form.reason.data)):
        flash(_("Your answer for “%(section)s” was saved.", section=pages.SECTION_LABELS.get(section, section)),
              "success")
        return redirect(url_for(".filing", year=year, _anchor=f"section-{section}"))
    return _filing(year, 422, active=form, **{f"declare_{section}": form})


@bp.route("/filing/<int:year>/declarations/<section>/withdraw", methods=["POST"])
@login_required
def withdraw(year: int, section: str):
    pages.withdraw(current_user, year, section)
    db.session.commit()
    flash(_("The answer was withdrawn: the section is “not provided” again."), "success")
    return redirect(url_for(".filing", year=year, _anchor=f"section-{section}"))


@bp.route("/filing/<int:year>/upload", methods=["GET", "POST"])
@login_required
def upload(year: int):
    lookups = pages.editing_lookups(current_user, year)
    form = UploadForm()
    rejected: UploadRejected | TooLarge | None = None
    if form.validate_on_submit():
        try:
            count = pages.replace_lines_from_file(current_user, year, form.file.data.read(), form.file.data.filename,
                                                  locale=current_locale(), lookups=lookups)
        except (UploadRejected, TooLarge) as error:
            db.session.rollback()
            rejected = error
        else:
            db.session.commit()
            flash(ngettext("The file was accepted: %(num)d payment line now makes up the payments section.",
                           "The file was accepted: %(num)d payment lines now make up the payments section.",
                           count), "success")
            return redirect(url_for(".filing", year=year, _anchor="payments"))
    status = rejected.status if rejected else 422 if form.errors else 200
    return render_template("disclosure/upload.html", year=year, form=form, rejected=rejected), status


@bp.route("/filing/<int:year>/payments-template.csv")
@login_required
def template_csv(year: int):
    pages.template_lookups(current_user, year)
    return _download(payments_template_csv(), f"payments-template-{year}.csv", "text/csv; charset=utf-8")


@bp.route("/filing/<int:year>/payments-template.xlsx")
@login_required
def template_xlsx(year: int):
    data = payments_template_xlsx(pages.template_lookups(current_user, year), current_locale())
    return _download(data, f"payments-template-{year}.xlsx", XLSX_TYPE)


@bp.route("/filing/<int:year>/submit", methods=["GET", "POST"])
@login_required
def submit(year: int):
    page = pages.submission_page(current_user, year, current_locale())
    form = AttestationForm(data={"attested_by_name": current_user.full_name, "language": current_locale(),
                                 "attested_by_position": current_user.position or ""})
    if form.is_submitted():
        require(page.actor_is_signatory)
    language = form.language.data if form.language.data in SUPPORTED_LOCALES else current_locale()
    revision = request.form.get("revision", "") if form.is_submitted() else getattr(page.current, "revision_token", "")
    form.confirm_carried_over.choices = [(key, pages.SECTION_LABELS.get(key, key)) for key in page.unconfirmed]
    if form.validate_on_submit() and (disclosure := attempt(form, lambda: pages.submit(
            current_user, year, name=form.attested_by_name.data, position=form.attested_by_position.data,
            locale=language, expected=parse_revision(revision),
            confirm_carried_over=form.confirm_carried_over.data))):
        flash(_("Version %(version)d was submitted on %(time)s. SHA-256: %(sha256)s", version=disclosure.version,
                time=format_deadline(disclosure.submitted_at), sha256=disclosure.sha256), "success")
        flash(_("What happens next: the EITI secretariat reviews the filing. If it asks a question you are told in "
                "your notifications and by e-mail, and you answer on the filing page; when the filing is accepted "
                "you are told too. It is published with the next release of the EITI data."), "info")
        return redirect(url_for(".show", disclosure_id=disclosure.id))
    return render_template("disclosure/submit.html", page=page, form=form, revision=revision,
                           attestation=attestation_text(language)), form_status(form)


@bp.route("/filing/<int:year>/amend", methods=["GET", "POST"])
@login_required
def amend(year: int):
    page = pages.amendment_page(current_user, year, current_locale())
    form = AmendmentForm()
    if form.validate_on_submit() and (draft := attempt(form, lambda: pages.amend(current_user, year,
                                                                                  form.reason.data))):
        flash(_("Version %(version)d is open as a draft, pre-filled from version %(previous)d. Correct it and "
                "submit it.", version=draft.version, previous=draft.version - 1), "success")
        return redirect(url_for(".filing", year=year))
    return render_template("disclosure/amend.html", page=page, form=form), 422 if form.errors else 200


@bp.route("/filing/<int:year>/discard", methods=["GET", "POST"])
@login_required
def discard(year: int):
    """Asks first (a page that works without JavaScript), then throws the draft amendment away."""
    page = pages.filing_page(current_user, year, current_locale())
    form = FlaskForm()
    if form.validate_on_submit():
        standing = pages.discard(current_user, year)
        db.session.commit()
        flash(_("The draft amendment was discarded. Version %(version)d stays in force.",
                version=standing.version), "success")
        return redirect(url_for(".filing", year=year))
    return render_template("disclosure/discard.html", page=page, form=form)


@bp.route("/queries/<int:query_id>/answer", methods=["POST"])
@csrf.exempt  # the body may carry a file over MAX_CONTENT_LENGTH: the token is checked below, under its limit
@login_required
def answer_query(query_id: int):
    query = review.get_query(current_user, query_id)  # who may ask is answered before the body is read
    year, prefix = query.disclosure.period.year, f"query-{query_id}"
    form = AnswerForm(formdata=None, prefix=prefix)
    try:
        receive_attachment_body()
        csrf.protect()
        form = AnswerForm(prefix=prefix)
        if form.validate_on_submit() and attempt(form, lambda: review.answer_query(
                current_user, query, form.answer.data, uploaded(form.evidence_file))):
            flash(_("Your answer was sent to the EITI secretariat."), "success")
            return redirect(url_for(".filing", year=year, _anchor="queries"))
    except AttachmentTooLarge as error:
        db.session.rollback()
        form.evidence_file.errors = [error.message]
        return _filing(year, 413, active=form, **{f"answer_{query_id}": form})
    return _filing(year, 422, active=form, **{f"answer_{query_id}": form})


@bp.route("/queries/answer-files/<int:filing_evidence_id>")
@login_required
def answer_file(filing_evidence_id: int):
    """A file sent with an answer: the company's filers and the secretariat; 404 for everyone else."""
    record, path = review.get_evidence(current_user, filing_evidence_id)
    return file_download(record, path)


# --- one version --------------------------------------------------------------------------

@bp.route("/<int:disclosure_id>")
@login_required
def show(disclosure_id: int):
    return render_template("disclosure/show.html",
                           page=pages.version_page(current_user, disclosure_id, current_locale()))


@bp.route("/<int:disclosure_id>/diff")
@login_required
def diff(disclosure_id: int):
    return render_template("disclosure/diff.html", page=pages.diff_page(current_user, disclosure_id,
                                                                        current_locale()))


@bp.route("/<int:disclosure_id>/receipt.pdf")
@login_required
def receipt(disclosure_id: int):
    filename, pdf = pages.receipt_pdf(current_user, disclosure_id, current_locale())
    return _download(pdf, filename, "application/pdf")


@bp.route("/<int:disclosure_id>/bods.json")
@login_required
def bods(disclosure_id: int):
    filename, body = bods_export(current_user, disclosure_id)
    return _download(body, filename, "application/json")
