"""The public API (INTERFACES.md §7): ``GET /api/v1/public/{resource}`` — no token, published data only.

Every answer is ``{"data": [...], "total", "limit", "offset"}`` with ``ETag`` (304 on a match)
and ``Access-Control-Allow-Origin: *``; an unknown filter, a bad ``limit`` or ``offset`` is a
JSON 400. The rows come from the newest release of each period (``eiti.publication.published``).
"""
from __future__ import annotations

import hashlib
import json

from flask import Response, request
from flask_babel import gettext as _

from ..public import resources
from ..eiti.publication.published import latest_per_period
from . import OPEN_ENDPOINTS, bp
from .bodies import BadRequest

MAX_LIMIT, DEFAULT_LIMIT = 1000, 100
CORS = {"Access-Control-Allow-Origin": "*", "Access-Control-Expose-Headers": "ETag",
        "Cache-Control": "public, max-age=60"}


def _whole(name: str, text: str | None, default: int, maximum: int | None = None) -> int:
    if text is None:
        return default
    if not (text.isascii() and text.isdigit()) or len(text) > 9:
        raise BadRequest(_("%(name)s must be a whole number (got “%(value)s”).", name=name, value=text[:40]))
    value = int(text)
    if maximum is not None and not 1 <= value <= maximum:
        raise BadRequest(_("%(name)s must be between 1 and %(max)s.", name=name, max=maximum))
    return value


def _filters(resource: str) -> dict[str, str]:
    return query_filters(resource, resources.RESOURCE_FILTERS[resource])


def query_filters(resource: str, allowed: tuple[str, ...]) -> dict[str, str]:
    """The filters of a public resource's address: known names only, each once with a short value."""
    wanted = {}
    for name in request.args:
        if name in ("limit", "offset"):
            continue
        if name not in allowed:
            raise BadRequest(_("Unknown filter “%(name)s” for %(resource)s; the filters here are: %(allowed)s, limit, "
                             "offset.", name=name[:40], resource=resource, allowed=", ".join(allowed)))
        values = request.args.getlist(name)
        if len(values) != 1 or not values[0].strip() or len(values[0]) > 64:
            raise BadRequest(_("Give the filter “%(name)s” once, with a value.", name=name))
        wanted[name] = values[0].strip()
    if "year" in wanted:
        _whole("year", wanted["year"], 0)
    return wanted


def _rows(resource: str, wanted: dict[str, str]) -> list[dict]:
    year = int(wanted["year"]) if "year" in wanted else None
    rows = []
    for published in latest_per_period():
        if year is not None and published.year != year:
            continue
        if resource == "releases":
            rows.extend(_releases(published))
            continue
        checks = [(name, value) for name, value in wanted.items() if name != "year"]
        for row in resources.rows_of(published, resource):
            if all(value in getattr(row, name) for name, value in checks):
                rows.append(row.values)
    return rows


def _releases(published) -> list[dict]:
    from ..eiti.publication.services import releases_of
    out = []
    for release in releases_of(published.release.period):
        out.append({"year": published.year, "version": release.version, "kind": release.kind.value,
                    "published_at": release.manifest["published_at"],
                    "url": f"/open-data/{published.year}/v{release.version}/",
                    "files": release.manifest["files"]})
    return out


def answer(resource: str) -> Response:
    wanted = _filters(resource)
    limit = _whole("limit", request.args.get("limit"), DEFAULT_LIMIT, MAX_LIMIT)
    offset = _whole("offset", request.args.get("offset"), 0)
    rows = _rows(resource, wanted)
    schema = resources.SCHEMAS[resource]()
    # every field in every row (null when a release does not hold it), as the OpenAPI document describes
    page = [{name: row.get(name) for name in schema.fields} for row in schema.dump(rows[offset:offset + limit],
                                                                                   many=True)]
    return envelope(page, len(rows), limit, offset)


def envelope(page: list[dict], total: int, limit: int, offset: int) -> Response:
    """``{"data", "total", "limit", "offset"}`` with its ETag (304 on a match) and CORS."""
    body = json.dumps({"data": page, "total": total, "limit": limit, "offset": offset}, ensure_ascii=False,
                      sort_keys=True, separators=(",", ":")).encode("utf-8")
    etag = hashlib.sha256(body).hexdigest()[:32]
    headers = {**CORS, "ETag": f'"{etag}"'}
    if etag in request.if_none_match:
        return Response(status=304, headers=headers)
    return Response(body, mimetype="application/json", headers=headers)


def _view(resource: str):
    def view():
        return answer(resource)
    view.__name__ = "public_" + resource.replace("-", "_")
    view.__doc__ = f"GET /public/{resource}"
    return view


for _resource in resources.SCHEMAS:
    _endpoint = "public_" + _resource.replace("-", "_")
    bp.add_url_rule(f"/public/{_resource}", endpoint=_endpoint, view_func=_view(_resource), methods=["GET"])
    OPEN_ENDPOINTS.add(f"api.{_endpoint}")
