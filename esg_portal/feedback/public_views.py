"""The public record of residents' cases (part of the public site): the list, one case, its public
photos, the statistics, and the open-data files of the public cases (CSV and JSON, CC BY 4.0).

Only what ``queries`` lets the public read reaches these pages: the moderated text, the subject,
the dates and the answers — never a name, a contact or the resident's own words.
"""
from __future__ import annotations

import json

from flask import Response, abort, render_template, request, url_for

from ..eiti.publication.opendata import LICENCE
from ..i18n import current_locale
from ..tabular.safe import csv_bytes
from . import queries
from .register import Register
from .schemas import PublicCaseSchema
from .stats import CATEGORIES, STATES
from .views import bp

#: the open-data files hold at most this many cases (the newest); the API pages through all of them
MAX_EXPORT_ROWS = 50_000
STATISTICS_BY = ("company", "site", "aiyl_okmotu")


def public_filters() -> dict[str, str]:
    """The list's filters from the address: known names only, each a short value."""
    return {name: request.args[name].strip()[:64] for name in queries.FILTERS
            if request.args.get(name, "").strip()}


def _page_number() -> int:
    text = request.args.get("page", "1")
    return int(text) if text.isascii() and text.isdigit() and 0 < len(text) < 6 and int(text) > 0 else 1


@bp.route("")
def public_list():
    filters = public_filters()
    page = _page_number()
    cases, total = queries.public_cases(filters, limit=queries.PAGE_SIZE, offset=(page - 1) * queries.PAGE_SIZE)
    register, locale = Register(), current_locale()
    views = [queries.public_view(case, locale, register) for case in cases]
    pages = max(1, -(-total // queries.PAGE_SIZE))
    return render_template("feedback/public_list.html", cases=views, total=total, page=page, pages=pages,
                           filters=filters, categories=CATEGORIES, states=STATES,
                           companies=register.company_choices(), sites=register.site_choices(locale))


@bp.route("/<case_code>")
def public_case(case_code: str):
    return render_template("feedback/public_case.html", case=queries.public_case(case_code, current_locale()))


@bp.route("/photos/<int:photo_id>")
def public_photo(photo_id: int):
    photo = queries.public_photo(photo_id)
    extension = "png" if photo.media_type == "image/png" else "jpg"
    return Response(photo.content, mimetype=photo.media_type, headers={
        "Cache-Control": "public, max-age=60", "X-Content-Type-Options": "nosniff",
        "Content-Disposition": f"inline; filename=feedback-photo-{photo.id}.{extension}"})


@bp.route("/statistics")
def statistics():
    by = request.args.get("by", "company")
    if by not in STATISTICS_BY:
        abort(404)
    register, locale = Register(), current_locale()
    names = dict(register.site_choices(locale)) if by == "site" else register.companies if by == "company" else {}
    rows = [(key, names.get(key, key), summary) for key, summary in queries.statistics(by).items()]
    return render_template("feedback/statistics.html", by=by, rows=rows, choices=STATISTICS_BY)


def _export_rows() -> list[dict]:
    rows, _total = queries.public_rows(public_filters(), limit=MAX_EXPORT_ROWS)
    return PublicCaseSchema(many=True).dump(rows)


@bp.route("/cases.csv")
def public_cases_csv():
    columns = list(PublicCaseSchema().fields)
    body = csv_bytes(columns, ([row.get(name) for name in columns] for row in _export_rows()), bom=True)
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": "attachment; filename=feedback-cases.csv", "Access-Control-Allow-Origin": "*",
        "Link": f'<{LICENCE["path"]}>; rel="license"'})


@bp.route("/cases.json")
def public_cases_json():
    document = {"licence": LICENCE["path"], "source": url_for("feedback.public_list", _external=True),
                "cases": _export_rows()}
    return Response(json.dumps(document, ensure_ascii=False, indent=1), mimetype="application/json", headers={
        "Access-Control-Allow-Origin": "*", "Link": f'<{LICENCE["path"]}>; rel="license"'})
