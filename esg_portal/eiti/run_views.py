"""Reconciliation runs for the secretariat: the period's runs and the button that makes a new one."""
from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from babel.numbers import format_decimal
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..errors import ValidationError
from ..extensions import db
from ..forms.eiti import RunReconciliationForm
from ..i18n import current_locale
from ..money import percent_from_basis_points
from ..reference.periods import get_period
from . import runs
from .labels import STATUS_LABELS

bp = Blueprint("reconciliation", __name__, url_prefix="/eiti")
#: the report of one run, written in eiti.report_views; linked only once it is registered
REPORT_ENDPOINT = "reconciliation_reports.report"


def percent(bp: int | None) -> str:
    """Basis points as a percentage with 2 decimals in the reader's notation; "—" when there is none."""
    if bp is None:
        return "—"
    return format_decimal(percent_from_basis_points(bp), format="#,##0.00", locale=current_locale()) + " %"


def _page(year: int, form: RunReconciliationForm | None = None, status: int = 200):
    period_runs = runs.list_runs(current_user, year)
    return render_template("eiti/runs.html", period=get_period(year), runs=period_runs,
                           form=form or RunReconciliationForm(), statuses=STATUS_LABELS, percent=percent,
                           has_report=REPORT_ENDPOINT in current_app.view_functions), status


@bp.route("/<int:year>/reconciliation")
@login_required
def runs_page(year: int):
    return _page(year)


@bp.route("/<int:year>/reconciliation/run", methods=["POST"])
@login_required
def run_now(year: int):
    form = RunReconciliationForm()
    if form.validate_on_submit():
        try:
            run = runs.run_reconciliation(current_user, year)
        except ValidationError as error:
            form.form_errors.extend(message for messages in error.errors.values() for message in messages)
        else:
            db.session.commit()
            flash(_("Reconciliation run %(number)d of %(year)s is stored.", number=run.number, year=year), "success")
            return redirect(url_for(".runs_page", year=year))
    return _page(year, form, status=422)
