"""The ESG sections of the filing: one page per section, item forms, deletion, carried-over confirmation.

Every view calls one function of ``pages.sections`` and commits once. A form's values are
judged by the section's schema (the rules the API uses); its messages come back next to the
inputs. A button ``add_row`` adds an empty repeated row and saves nothing.
"""
from __future__ import annotations

import io
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from ..errors import ValidationError
from ..extensions import db
from ..forms.sections import SectionUploadForm
from ..i18n import current_locale
from .. import confirm as asking
from ..lifecycle import StaleDocument, parse_revision
from ..tabular import TooLarge, UploadRejected
from .pages import sections as pages
from .pages.labels import DECLARATION_LABELS

bp = Blueprint("sections", __name__, url_prefix="/disclosures/filing")


def _section_url(year: int, section: str, **kwargs: Any) -> str:
    return url_for(".show", year=year, section=section, **kwargs)


@bp.route("/<int:year>/sections/<section>")
@login_required
def show(year: int, section: str):
    page = pages.section_page(current_user, year, section, current_locale())
    return render_template("disclosure/section.html", page=page, declaration_labels=DECLARATION_LABELS,
                           csrf_form=FlaskForm())


@bp.route("/<int:year>/sections/<section>/items/new", methods=["GET", "POST"])
@login_required
def new_item(year: int, section: str):
    return _item_form(year, section, None)


@bp.route("/<int:year>/sections/<section>/items/<item>", methods=["GET", "POST"])
@login_required
def edit_item(year: int, section: str, item: str):
    return _item_form(year, section, item)


def _posted_revision():
    return parse_revision(request.form.get("revision"))


def _item_form(year: int, section: str, item_id: str | None):
    """The form of one item; a form older than the last save is refused (409) with the user's input kept."""
    page = pages.section_page(current_user, year, section, current_locale())
    index = next((i.index for i in page.view.items if i.item_id == item_id), None) if item_id else None
    if request.method == "POST":
        revision = request.form.get("revision", "")
    else:
        revision = page.shown.revision_token
    stored = pages.item_data(current_user, year, section, item_id)
    form_class = page.spec.form_class()
    form = form_class() if request.method == "POST" else form_class(data=form_class.form_data(stored))
    pages.prepare_form(form, page.company, page.period, current_locale())
    status, stale = 200, None
    if request.method == "POST" and request.form.get("add_row"):
        form.add_row(request.form["add_row"])
        pages.prepare_form(form, page.company, page.period, current_locale())
    elif form.validate_on_submit():
        try:
            pages.save_item(current_user, year, section, item_id, form.to_item(), current_locale(),
                            expected=_posted_revision())
        except StaleDocument:
            db.session.rollback()
            stale = pages.stale_form(current_user, year, section, item_id, current_locale())
            revision, status = stale.revision, 409
        except ValidationError as error:
            db.session.rollback()
            form.apply_errors(error.errors)
            status = 422
        else:
            db.session.commit()
            flash(_("“%(section)s” was saved.", section=page.spec.label), "success")
            return redirect(_section_url(year, section))
    elif request.method == "POST":
        status = 422
    return render_template("disclosure/section_item.html", page=page, form=form, index=index, revision=revision,
                           stale=stale), status


@bp.route("/<int:year>/sections/<section>/items/<item>/delete", methods=["POST"])
@login_required
def delete_item(year: int, section: str, item: str):
    form = FlaskForm()
    if form.validate_on_submit() and not asking.is_confirmed():
        pages.item_data(current_user, year, section, item)  # refuses a stale address or a sealed version
        return asking.ask(_("Delete this item?"), "", _section_url(year, section))
    if form.validate_on_submit():
        pages.delete_item(current_user, year, section, item, current_locale(), expected=_posted_revision())
        db.session.commit()
        flash(_("The item was deleted."), "success")
    return redirect(_section_url(year, section))


@bp.route("/<int:year>/sections/<section>/confirm", methods=["POST"])
@login_required
def confirm(year: int, section: str):
    form = FlaskForm()
    if form.validate_on_submit():
        pages.confirm(current_user, year, section, expected=_posted_revision())
        db.session.commit()
        flash(_("Confirmed: the section carried over from last year is still true."), "success")
    if section in pages.CONFIRMABLE:
        return redirect(url_for("disclosure.filing", year=year, _anchor=section))
    return redirect(_section_url(year, section))


@bp.route("/<int:year>/sections/<section>/upload", methods=["GET", "POST"])
@login_required
def upload(year: int, section: str):
    page = pages.section_page(current_user, year, section, current_locale())
    form = SectionUploadForm()
    rejected: UploadRejected | TooLarge | None = None
    if form.validate_on_submit():
        try:
            count = pages.replace_from_file(current_user, year, section, form.file.data.read(),
                                            form.file.data.filename, current_locale())
        except (UploadRejected, TooLarge) as error:
            db.session.rollback()
            rejected = error
        else:
            db.session.commit()
            flash(ngettext("The file was accepted: the section now holds %(num)d item.",
                           "The file was accepted: the section now holds %(num)d items.", count), "success")
            return redirect(_section_url(year, section))
    status = rejected.status if rejected else 422 if form.errors else 200
    return render_template("disclosure/section_upload.html", page=page, form=form, rejected=rejected), status


@bp.route("/<int:year>/sections/<section>/template.csv")
@login_required
def template(year: int, section: str):
    data = pages.upload_template(current_user, year, section)
    return send_file(io.BytesIO(data), mimetype="text/csv; charset=utf-8", as_attachment=True,
                     download_name=f"{section}-template-{year}.csv")
