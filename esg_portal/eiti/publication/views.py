"""Publication pages: the secretariat's preview and publish page, and the public open-data files.

Every version of a release is served at ``/open-data/{year}/v{n}/{file}`` with ``ETag`` = the
file's sha256 and ``Cache-Control: public, max-age=31536000, immutable``; ``latest`` redirects
(302) to the newest version.
"""
from __future__ import annotations

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ...downloads import content_disposition
from ...errors import ValidationError
from ...extensions import db
from ...forms.eiti import ImportSdtForm, PublishForm
from ...i18n import current_locale
from . import catalog, services

bp = Blueprint("publication", __name__)
IMMUTABLE = "public, max-age=31536000, immutable"


def homepage() -> str:
    return current_app.config["ESG_PUBLIC_URL"]


def _page(year: int, publish_form: PublishForm | None = None, import_form: ImportSdtForm | None = None,
          findings: list | None = None, status: int = 200):
    preview = services.preview_release(current_user, year)
    return render_template("eiti/publish.html", preview=preview, year=year, publish_form=publish_form or PublishForm(),
                           import_form=import_form or ImportSdtForm(), findings=findings), status


@bp.route("/eiti/<int:year>/publish")
@login_required
def publish_page(year: int):
    return _page(year)


@bp.route("/eiti/<int:year>/publish", methods=["POST"])
@login_required
def publish(year: int):
    form = PublishForm()
    if not form.validate_on_submit():
        return _page(year, publish_form=form, status=422)
    try:
        release = services.publish_release(current_user, year, homepage=homepage())
    except (services.NothingToPublish, services.Unchanged, services.PublicationConflict) as refused:
        db.session.rollback()
        flash(refused.message, "error")
        return redirect(url_for(".publish_page", year=year))
    db.session.commit()
    flash(_("Version %(version)s of %(year)s is published.", version=release.version, year=year), "success")
    return redirect(url_for(".publish_page", year=year))


@bp.route("/eiti/<int:year>/import", methods=["POST"])
@login_required
def import_sdt(year: int):
    form = ImportSdtForm()
    if not form.validate_on_submit():
        return _page(year, import_form=form, status=422)
    upload = form.file.data
    from .sdt import read_upload

    result = read_upload(upload.read(), upload.filename or "", year=year)
    try:
        release = services.import_release(current_user, year, result, homepage=homepage())
    except ValidationError as error:
        form.file.errors = [m for messages in error.errors.values() for m in messages]
        return _page(year, import_form=form, findings=result.findings, status=422)
    db.session.commit()
    flash(_("The historic data of %(year)s are stored as version %(version)s.", year=year,
            version=release.version), "success")
    return _page(year, findings=result.findings)


# --- public files ---------------------------------------------------------------------------------

@bp.route("/open-data/<int:year>/v<int:version>/<path:name>")
def release_file(year: int, version: int, name: str):
    release = services.find_release(year, version)
    stored = services.find_file(release, name)
    headers = {"ETag": f'"{stored.sha256}"', "Cache-Control": IMMUTABLE, "Access-Control-Allow-Origin": "*",
               "Content-Disposition": content_disposition(name.rsplit("/", 1)[-1], inline=True)}
    if stored.sha256 in request.if_none_match:
        return Response(status=304, headers=headers)
    return Response(services.file_content(stored), mimetype=stored.media_type, headers=headers)


@bp.route("/open-data/<int:year>/latest/<path:name>")
def latest_file(year: int, name: str):
    release = services.find_release(year, None)
    services.find_file(release, name)
    response = redirect(url_for(".release_file", year=year, version=release.version, name=name), code=302)
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.route("/open-data/<int:year>/v<int:version>/")
def release_index(year: int, version: int):
    release = services.find_release(year, version)
    return render_template("eiti/release.html", release=release, year=year)


@bp.route("/catalog.jsonld")
def catalog_jsonld():
    return Response(catalog.catalogue_jsonld(homepage(), current_locale()), mimetype="application/ld+json",
                    headers={"Access-Control-Allow-Origin": "*", "Cache-Control": "public, max-age=300"})


@bp.route("/catalog.ttl")
def catalog_ttl():
    return Response(catalog.catalogue_turtle(homepage(), current_locale()), mimetype="text/turtle",
                    headers={"Access-Control-Allow-Origin": "*", "Cache-Control": "public, max-age=300"})
