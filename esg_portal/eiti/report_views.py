"""The reconciliation report of a stored run as HTML, XLSX, CSV and PDF (the secretariat only)."""
import io

from flask import Blueprint, current_app, render_template, request, send_file
from flask_login import current_user, login_required

from ..i18n import current_locale
from . import report_pages

bp = Blueprint("reconciliation_reports", __name__, url_prefix="/eiti")
#: pages of other blueprints the report links to, when they are registered
LINE_ENDPOINT = "discrepancies.line"
RUNS_ENDPOINT = "reconciliation.runs_page"


@bp.route("/runs/<int:run_id>/report")
@login_required
def report(run_id: int):
    page = report_pages.report_page(current_user, run_id, current_locale(), request.args)
    views = current_app.view_functions
    return render_template("eiti/report.html", page=page, report=page.report,
                           line_endpoint=LINE_ENDPOINT if LINE_ENDPOINT in views else None,
                           runs_endpoint=RUNS_ENDPOINT if RUNS_ENDPOINT in views else None)


def _download(run_id: int, kind: str):
    filename, mimetype, data = report_pages.report_file(current_user, run_id, current_locale(), kind)
    return send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=filename)


@bp.route("/runs/<int:run_id>/report.xlsx")
@login_required
def report_xlsx(run_id: int):
    return _download(run_id, "xlsx")


@bp.route("/runs/<int:run_id>/report.csv")
@login_required
def report_csv(run_id: int):
    return _download(run_id, "csv")


@bp.route("/runs/<int:run_id>/report.pdf")
@login_required
def report_pdf(run_id: int):
    return _download(run_id, "pdf")
