"""``POST /api/v1/public/feedback`` (INTERFACES §8): a resident's case sent by a program (a partner's
app, an SMS gateway), no token. The same rules and limits as the form at ``/feedback/new``; photos
come through the form only. 201 ``{"code", "pin", "private_url"}``; the private URL is shown once.

``GET /api/v1/public/feedback`` (§7): the public cases, moderated text only, in the envelope of the
other public resources.
"""
from __future__ import annotations

from flask import current_app, jsonify, request

from ..extensions import db
from ..feedback import queries, services
from ..feedback.schemas import PublicCaseSchema
from . import OPEN_ENDPOINTS, bp
from .bodies import Body
from .public import DEFAULT_LIMIT, MAX_LIMIT, _whole, envelope, query_filters


@bp.route("/public/feedback", methods=["POST"])
def public_feedback_intake():
    created = services.submit_case(Body.of(request).json(), client_address=request.remote_addr)
    db.session.commit()
    url = current_app.config["ESG_PUBLIC_URL"] + created.private_path
    response = jsonify({"code": created.case.code, "pin": created.pin, "private_url": url})
    response.status_code = 201
    response.headers["Cache-Control"] = "no-store"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.route("/public/feedback", methods=["GET"])
def public_feedback():
    wanted = query_filters("feedback", queries.FILTERS)
    limit = _whole("limit", request.args.get("limit"), DEFAULT_LIMIT, MAX_LIMIT)
    offset = _whole("offset", request.args.get("offset"), 0)
    rows, total = queries.public_rows(wanted, limit=limit, offset=offset)
    return envelope(PublicCaseSchema(many=True).dump(rows), total, limit, offset)


OPEN_ENDPOINTS.update({"api.public_feedback_intake", "api.public_feedback"})
