"""Secretariat endpoint: publish a period (INTERFACES.md §4, publication).

``POST /releases/{year}`` → 201 ``{"year", "version", "published_at", "files": [{"name", "sha256",
"bytes"}]}``; 409 ``nothing_to_publish`` without an accepted filing, 409 ``unchanged`` (with the
latest ``version``) when nothing changed since it. Only the EITI secretariat may call it.
"""
from __future__ import annotations

from flask import current_app, jsonify
from flask_babel import gettext as _
from flask_login import current_user

from ..disclosure.document import iso_utc
from ..eiti.publication import services as publication
from ..eiti.publication.permissions import can_publish
from ..errors import PermissionDenied
from ..extensions import db
from . import bp


@bp.route("/releases/<int:year>", methods=["POST"])
def publish_release(year: int):
    if not can_publish(current_user):
        raise PermissionDenied(_("Releases are published by the EITI secretariat only, and this token belongs to "
                                 "an account of another role."))
    release = publication.publish_release(current_user, year, homepage=current_app.config["ESG_PUBLIC_URL"])
    db.session.commit()
    return jsonify({"year": year, "version": release.version, "published_at": iso_utc(release.published_at),
                    "files": release.manifest["files"]}), 201
