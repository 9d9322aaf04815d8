"""The public pages (INTERFACES §7): published data for residents, journalists and researchers.

No sign-in; the pages read releases only. Each answer carries an ``ETag`` over the releases it
shows, the language and the address, and is revalidated by the browser (a slow phone downloads a
page again only when a new release or version changes it).
"""
from __future__ import annotations

import hashlib
from decimal import Decimal, InvalidOperation

from flask import Blueprint, Response, current_app, render_template, request, session
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from ..downloads import content_disposition
from ..eiti.labels import explanation_labels, status_label
from ..i18n import current_locale, format_amount
from ..tabular.safe import csv_bytes
from . import charts, pages
from ..cache import BoundedCache
from ..feedback import queries as feedback_queries
from ..eiti.publication.published import release_fingerprint

bp = Blueprint("public", __name__)


@bp.app_template_filter("amount")
def amount_filter(text: str | None) -> str:
    """A published amount (a plain decimal string such as "-1234.50") in the reader's notation."""
    if text in (None, ""):
        return "—"
    try:
        return format_amount(Decimal(str(text)))
    except InvalidOperation:
        return str(text)


@bp.app_context_processor
def reconciliation_labels():
    return {"status_text": status_label, "reasons": explanation_labels}


def _signed_in() -> bool:
    return bool(getattr(current_user, "is_authenticated", False))


def _etag(also: str = "") -> str:
    """Changes with any release, the language and the address (and ``also``: what else the page shows,
    such as residents' cases); for a signed-in user also with the user and the session's CSRF token (the
    header of the page carries both; such pages are not stored, the ETag only spares the rendering). A
    visitor's page needs no session."""
    parts = [release_fingerprint(), also, current_locale(), request.full_path]
    if _signed_in():
        generate_csrf()
        parts += [str(current_user.id), str(session.get("csrf_token", ""))]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]


def _rendered_pages() -> BoundedCache[str]:
    """Visitors' pages as rendered, by ETag (which names the releases, the language and the address),
    one cache per application (a worker process): the first visitor of a page renders it, the next
    ones are served the bytes. At most 512 pages and 64 MB."""
    return current_app.extensions.setdefault("public_rendered_pages",
                                             BoundedCache(512, max_bytes=64 * 2**20, size_of=len))


def _rendered_for_visitors(etag: str, render) -> str:
    """A visitor's page from the cache; rendered and kept when missing. A page that shows a flashed
    message (after signing out…) is that visitor's own: rendered, never kept."""
    if "_flashes" in session:
        return render()
    return _rendered_pages().get_or_build(etag, render)


def _cached(render, also: str = "") -> Response:
    etag = _etag(also)
    if etag in request.if_none_match:
        response = Response(status=304)
    else:
        body = render() if _signed_in() else _rendered_for_visitors(etag, render)
        response = Response(body, mimetype="text/html")
    response.headers["ETag"] = f'"{etag}"'
    # a visitor's page is the same for everyone with the same language: shared caches may keep it a minute
    response.headers["Cache-Control"] = "no-store" if _signed_in() else "public, max-age=60"
    response.headers["Vary"] = "Cookie, Accept-Language"
    return response


def _year() -> int | None:
    text = request.args.get("year", "")
    return int(text) if text.isascii() and text.isdigit() and len(text) == 4 else None


def _page(template: str, build, *, also: str = "", **context) -> Response:
    """Render ``template`` with ``view=build()``; a revalidation whose ETag matches does no page work.

    ``context`` values that are callables receive the view (for what a template takes from it).
    """
    def render() -> str:
        view = build()
        extra = {key: value(view) if callable(value) else value for key, value in context.items()}
        return render_template(template, view=view, svg=charts.chart_svg, **extra)
    return _cached(render, also)


def home_page():
    """``/`` for visitors (the dashboard blueprint hands visitors here)."""
    return _page("public/home.html", lambda: pages.home(current_locale(), _))


@bp.route("/companies")
def companies():
    return _page("public/companies.html", lambda: pages.companies(current_locale(), _year()))


@bp.route("/companies/<inn>")
def company(inn: str):
    return _page("public/company.html", lambda: pages.company(inn, current_locale(), _, _year()),
                 also=feedback_queries.fingerprint(),
                 feedback=lambda view: feedback_queries.public_summary("company", inn, view["year"]))


@bp.route("/regions")
def regions():
    return _page("public/regions.html", lambda: pages.regions(current_locale()))


@bp.route("/regions/<code>")
def region(code: str):
    return _page("public/place.html", lambda: pages.region(code, current_locale(), _, _year()),
                 place=lambda view: view["region"], kind="region")


@bp.route("/sites")
def sites():
    return _page("public/sites.html", lambda: pages.sites(current_locale()))


@bp.route("/sites/<code>")
def site(code: str):
    return _page("public/place.html", lambda: pages.site(code, current_locale(), _, _year()),
                 place=lambda view: view["site"], kind="site", also=feedback_queries.fingerprint(),
                 feedback=lambda view: feedback_queries.public_summary("site", code))


@bp.route("/glossary")
def glossary():
    return _page("public/glossary.html", lambda: pages.glossary(current_locale()))


@bp.route("/downloads")
def downloads():
    return _page("public/downloads.html", pages.downloads)


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
                        "Content-Disposition": content_disposition(f"{page}-{chart}.csv"),
                        "Cache-Control": "private, no-cache"})
