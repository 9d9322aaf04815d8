"""The endpoints of INTERFACES.md §4: each reads the request, calls one service, commits once, answers JSON."""
from __future__ import annotations

from flask import current_app, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts import tokens
from ..disclosure.document import iso_utc
from ..errors import Unauthorized
from ..extensions import db
from ..i18n import current_locale
from ..lifecycle import parse_revision
from . import bp, services
from .bodies import Body
from .documents import period_object
from .openapi import openapi_document


@bp.post("/auth/token")
def issue_token():
    body = Body.of(request)
    # without a JSON body there are no credentials: 401 like wrong ones
    credentials = body.fields(("email", "password", "name")) if body.is_json else {}
    plain = tokens.issue_token(credentials.get("email", ""), credentials.get("password", ""),
                               name=credentials.get("name"),
                               max_failures=current_app.config["ESG_LOGIN_MAX_FAILURES"],
                               lock_minutes=current_app.config["ESG_LOGIN_LOCK_MINUTES"])
    db.session.commit()  # a failed attempt is counted too (throttling)
    if plain is None:
        raise Unauthorized(_("The e-mail address or the password is not correct."))
    return jsonify(token=plain)


@bp.get("/periods")
def periods():
    return jsonify(data=[period_object(period) for period in services.list_periods(current_user)])


def _if_match() -> int | None:
    """The revision an ``If-Match`` header names (a write made from an older one answers 409 ``stale``)."""
    return parse_revision(request.headers.get("If-Match"))


@bp.get("/filings/<int:year>")
def filing(year: int):
    document, etag = services.filing_document_of(current_user, year)
    response = jsonify(document)
    response.headers["ETag"] = etag
    return response


@bp.put("/filings/<int:year>/<section>")
def replace_section(year: int, section: str):
    lines = services.replace_section(current_user, year, section, Body.of(request), locale=current_locale(),
                                     expected=_if_match())
    db.session.commit()
    return jsonify(lines=lines)


@bp.post("/filings/<int:year>/submit")
def submit_filing(year: int):
    disclosure = services.submit_filing(current_user, year, Body.of(request), locale=current_locale(),
                                        expected=_if_match())
    db.session.commit()
    return jsonify(version=disclosure.version, submitted_at=iso_utc(disclosure.submitted_at),
                   sha256=disclosure.sha256)


@bp.post("/filings/<int:year>/amendments")
def amend_filing(year: int):
    draft = services.amend_filing(current_user, year, Body.of(request))
    db.session.commit()
    return jsonify(version=draft.version), 201


@bp.put("/receipts/<int:year>")
def replace_receipts(year: int):
    lines = services.replace_receipts(current_user, year, Body.of(request), locale=current_locale(),
                                      expected=_if_match())
    db.session.commit()
    return jsonify(lines=lines)


@bp.post("/receipts/<int:year>/submit")
def submit_receipts(year: int):
    batch = services.submit_receipts(current_user, year, Body.of(request), locale=current_locale(),
                                     expected=_if_match())
    db.session.commit()
    return jsonify(version=batch.version, submitted_at=iso_utc(batch.submitted_at), sha256=batch.sha256)


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document())
