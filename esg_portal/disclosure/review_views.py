"""Secretariat review pages: the filings of a period, the overdue list, one filing with queries and acceptance."""
from __future__ import annotations

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.permissions import can_review_disclosures, require
from ..downloads import content_disposition
from ..errors import InvalidTransition, ValidationError
from ..extensions import db
from ..forms.review import AcceptForm, QueryForm
from ..i18n import current_locale
from .attachments import referenced_attachments
from .pages.sections import esg_views
from . import pages, review
from .services import get_disclosure, get_period

bp = Blueprint("review", __name__, url_prefix="/review")


@bp.before_request
def secretariat_only():
    """Visitors are sent to sign in; every role but the secretariat gets 403 (services check again)."""
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    require(can_review_disclosures(current_user))
    return None


@bp.route("/<int:year>")
def period(year: int):
    period = get_period(year)
    status = request.args.get("status", "")
    rows = review.filing_rows(current_user, period, status=status)
    return render_template("review/period.html", period=period, rows=rows, status=status,
                           filters=review.STATUS_FILTERS)


@bp.route("/<int:year>/overdue")
def overdue(year: int):
    period = get_period(year)
    return render_template("review/overdue.html", period=period, rows=review.overdue_list(current_user, period))


@bp.route("/<int:year>/overdue.csv")
def overdue_csv(year: int):
    period = get_period(year)
    body = review.overdue_csv(review.overdue_list(current_user, period))
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": content_disposition(f"overdue-{period.year}.csv")})


def _filing_page(disclosure_id: int, form: QueryForm | None = None, status: int = 200):
    """The review page; ``form`` is a question sent back with errors, shown where it was asked."""
    filing = review.filing_review(current_user, disclosure_id)
    diff = "disclosure.diff" if "disclosure.diff" in current_app.view_functions else "disclosure.show"
    names = pages.Names.of(filing.disclosure, current_locale())
    profile = pages.profile_view(filing.disclosure, names)
    # the secretariat's own view: the only page that shows beneficial owners' private fields
    esg = esg_views(filing.disclosure, names, show_private=True)
    return render_template("review/filing.html", filing=filing, disclosure=filing.disclosure, failed=form,
                           blank=QueryForm(formdata=None), accept_form=AcceptForm(), diff_endpoint=diff,
                           profile=profile, names=names, esg=esg,
                           attachments=referenced_attachments(filing.disclosure)), status


def _refused(error: InvalidTransition, disclosure_id: int):
    """A step the filing's state does not allow: say why on the filing page (not an error page)."""
    db.session.rollback()
    flash(error.message, "error")
    return redirect(url_for(".filing", disclosure_id=disclosure_id))


@bp.route("/filings/<int:disclosure_id>")
def filing(disclosure_id: int):
    return _filing_page(disclosure_id)


@bp.route("/filings/<int:disclosure_id>/queries", methods=["POST"])
def raise_query(disclosure_id: int):
    disclosure = get_disclosure(current_user, disclosure_id)
    form = QueryForm()
    if not form.validate():
        return _filing_page(disclosure_id, form, 422)
    try:
        review.raise_query(current_user, disclosure, form.question.data, form.payment_line_id.data)
    except ValidationError as error:
        db.session.rollback()
        for name, messages in error.errors.items():
            getattr(form, name, form.question).errors = [*messages]
        return _filing_page(disclosure_id, form, 422)
    except InvalidTransition as error:
        return _refused(error, disclosure_id)
    db.session.commit()
    flash(_("Your question was sent to the company. The filing is now queried."), "success")
    return redirect(url_for(".filing", disclosure_id=disclosure_id, _anchor="queries"))


@bp.route("/filings/<int:disclosure_id>/accept", methods=["POST"])
def accept(disclosure_id: int):
    """AcceptForm has no fields: CSRFProtect checks its token before any POST view runs."""
    disclosure = get_disclosure(current_user, disclosure_id)
    try:
        review.accept_disclosure(current_user, disclosure)
    except InvalidTransition as error:
        return _refused(error, disclosure_id)
    db.session.commit()
    flash(_("Version %(version)d of the filing of %(company)s was accepted.", version=disclosure.version,
            company=disclosure.company.legal_name), "success")
    return redirect(url_for(".filing", disclosure_id=disclosure_id))
