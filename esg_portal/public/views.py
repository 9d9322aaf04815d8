"""The public pages (INTERFACES §7): published data for residents, journalists and researchers.

No sign-in; the pages read releases only. Each answer carries an ``ETag`` over the releases it
shows, the language and the address, and is revalidated by the browser (a slow phone downloads a
page again only when a new release or version changes it).
"""
from __future__ import annotations

import hashlib

from flask import Blueprint, Response, render_template, request, session
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from ..eiti.labels import explanation_labels, status_label
from ..i18n import current_locale, format_amount
from ..tabular.safe import csv_bytes
from . import charts, pages
from .queries import latest_per_period

bp = Blueprint("public", __name__)


@bp.app_template_filter("amount")
def amount_filter(text: str | None) -> str:
    """A published amount (a plain decimal string such as "-1234.50") in the reader's notation."""
    from decimal import Decimal, InvalidOperation

    if text in (None, ""):
        return "—"
    try:
        return format_amount(Decimal(str(text)))
    except InvalidOperation:
        return str(text)


@bp.app_context_processor
def reconciliation_labels():
    return {"status_text": status_label, "reasons": explanation_labels}


def _etag() -> str:
    """Changes with any release, the language, the address and who is signed in (the header differs)."""
    generate_csrf()  # the page's forms carry the session's CSRF token: a new session is a new page
    parts = [p.data_sha256 for p in latest_per_period()]
    parts += [current_locale(), request.full_path, str(getattr(current_user, "id", "")),
              str(session.get("csrf_token", ""))]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]


def _cached(render) -> Response:
    etag = _etag()
    if etag in request.if_none_match:
        response = Response(status=304)
    else:
        response = Response(render(), mimetype="text/html")
    response.headers["ETag"] = f'"{etag}"'
    response.headers["Cache-Control"] = "private, no-cache"
    return response


def _year() -> int | None:
    text = request.args.get("year", "")
    return int(text) if text.isascii() and text.isdigit() and len(text) == 4 else None


def home_page():
    """``/`` for visitors (the dashboard blueprint hands visitors here)."""
    view = pages.home(current_locale(), _)
    return _cached(lambda: render_template("public/home.html", view=view, svg=charts.chart_svg))


@bp.route("/companies")
def companies():
    view = pages.companies(current_locale(), _year())
    return _cached(lambda: render_template("public/companies.html", view=view))


@bp.route("/companies/<inn>")
def company(inn: str):
    view = pages.company(inn, current_locale(), _, _year())
    return _cached(lambda: render_template("public/company.html", view=view, svg=charts.chart_svg))


@bp.route("/regions")
def regions():
    view = pages.regions(current_locale())
    return _cached(lambda: render_template("public/regions.html", view=view))


@bp.route("/regions/<code>")
def region(code: str):
    view = pages.region(code, current_locale(), _, _year())
    return _cached(lambda: render_template("public/place.html", view=view, place=view["region"], kind="region",
                                           svg=charts.chart_svg))


@bp.route("/sites")
def sites():
    view = pages.sites(current_locale())
    return _cached(lambda: render_template("public/sites.html", view=view))


@bp.route("/sites/<code>")
def site(code: str):
    view = pages.site(code, current_locale(), _, _year())
    return _cached(lambda: render_template("public/place.html", view=view, place=view["site"], kind="site",
                                           svg=charts.chart_svg))


@bp.route("/glossary")
def glossary():
    view = pages.glossary(current_locale())
    return _cached(lambda: render_template("public/glossary.html", view=view))


@bp.route("/downloads")
def downloads():
    view = pages.downloads()
    return _cached(lambda: render_template("public/downloads.html", view=view))


@bp.route("/search")
def search():
    view = pages.search(request.args.get("q", ""), current_locale())
    return render_template("public/search.html", view=view)


@bp.route("/charts/<page>/<chart>.csv")
def chart_csv(page: str, chart: str):
    """The table behind a chart, exactly as shown (label, amount), for the page's own arguments."""
    found = charts.find(page, chart, request.args, current_locale(), _)
    rows = [[bar.label, bar.value] for bar in found.bars]
    return Response(csv_bytes([found.label_header, found.value_header], rows, bom=True),
                    mimetype="text/csv", headers={
                        "Content-Disposition": f'attachment; filename="{page}-{chart}.csv"',
                        "Cache-Control": "private, no-cache"})
