"""esg_portal: the ESG and EITI disclosure portal for the mining sector of the Kyrgyz Republic."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask, request

from .config import load_config

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict[str, Any] | None = None, **overrides: Any) -> Flask:
    """Build the application: configuration, extensions, blueprints, errors, CLI."""
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        instance_path=os.environ.get("ESG_INSTANCE_PATH") or str(PROJECT_ROOT / "instance"),
    )
    settings = {**(config or {}), **overrides}
    environ = dict(os.environ)
    if settings.get("TESTING"):
        # tests never read the operator's database or secret settings
        environ.pop("DATABASE_URL", None)
        environ["ESG_ENV"] = "testing"
    app.config.update(load_config(app.instance_path, environ))
    app.config.update(settings)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(Path(__file__).parent / "translations")

    _init_extensions(app)
    from .converters import BoundedIntConverter
    app.url_map.converters["int"] = BoundedIntConverter  # before any route is added: ids beyond BIGINT are 404
    _register_blueprints(app)

    from .errors import register_error_handlers
    from . import labels
    from .i18n import register_template_helpers

    register_error_handlers(app)
    register_template_helpers(app)
    labels.register(app)
    _register_security_headers(app)

    from .cli import register_commands

    register_commands(app)
    return app


def _init_extensions(app: Flask) -> None:
    from . import models  # noqa: F401  (every table known to Alembic)
    from .accounts.auth import init_login
    from .extensions import babel, csrf, db, migrate
    from .i18n import select_locale

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    init_login(app)


def _register_blueprints(app: Flask) -> None:
    from .accounts.token_views import bp as tokens_bp
    from .accounts.views import bp as accounts_bp
    from .admin.views import bp as admin_bp
    from .api import bp as api_bp
    from .companies.views import bp as companies_bp
    from .dashboard.views import bp as dashboard_bp
    from .disclosure.review_views import bp as review_bp
    from .eiti.views import bp as eiti_bp
    from .disclosure.views import bp as disclosure_bp
    from .receipts.views import bp as receipts_bp
    from .disclosure.section_views import bp as sections_bp
    from .disclosure.attachment_views import bp as attachments_bp
    from .eiti.run_views import bp as reconciliation_bp
    from .eiti.discrepancy_views import bp as discrepancies_bp
    from .eiti.report_views import bp as reconciliation_reports_bp
    from .eiti.publication.views import bp as publication_bp
    from .public.views import bp as public_bp
    from .notifications.views import bp as notifications_bp
    from .feedback.views import bp as feedback_bp
    from .feedback import public_views  # noqa: F401  (the public record joins the feedback blueprint)

    for blueprint in (dashboard_bp, accounts_bp, tokens_bp, companies_bp, disclosure_bp, receipts_bp, admin_bp,
                      api_bp):
        app.register_blueprint(blueprint)
    app.register_blueprint(review_bp)
    app.register_blueprint(eiti_bp)
    for blueprint in (sections_bp, attachments_bp, reconciliation_bp, discrepancies_bp, reconciliation_reports_bp,
                      publication_bp, public_bp, notifications_bp, feedback_bp):
        app.register_blueprint(blueprint)


def _register_security_headers(app: Flask) -> None:
    @app.after_request
    def security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'",
        )
        if request.endpoint != "static":
            if response.direct_passthrough and set(response.cache_control.keys()) == {"no-cache"}:
                # send_file's own default ("no-cache": stored, then revalidated): a download of an
                # attachment or an export is private and must not be kept on disk by the browser
                response.headers["Cache-Control"] = "no-store"
            response.headers.setdefault("Cache-Control", "no-store")
        if app.config.get("SESSION_COOKIE_SECURE"):
            # served over HTTPS only (the cookies say so): browsers must never try plain HTTP again
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        # no Server header from the portal: the WSGI server writes its own (gunicorn: "gunicorn", no
        # version; it drops a Server header set here, so none is set)
        return response
