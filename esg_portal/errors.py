"""Domain errors and the one handler that turns them into HTML pages or JSON answers.

Services raise these; views never catch them. The handler rolls the session back so a
half-done change is never committed, and answers JSON under ``/api/``.
"""
from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from .extensions import db


class PortalError(Exception):
    """Base of the errors a service may raise on purpose."""

    status = 400
    code = "error"
    default_message = _l("The request could not be processed.")

    def __init__(self, message: str | None = None, *, code: str | None = None):
        super().__init__(message or str(self.default_message))
        self.message = message or str(self.default_message)
        if code:
            self.code = code


class NotFound(PortalError):
    status = 404
    code = "not_found"
    default_message = _l("The page or record you asked for does not exist.")


class Unauthorized(PortalError):
    """Not signed in, for clients that cannot follow a redirect to the sign-in page."""

    status = 401
    code = "unauthorized"
    default_message = _l("Please sign in to see this page.")


class PermissionDenied(PortalError):
    status = 403
    code = "forbidden"
    default_message = _l("You do not have permission to do this.")


class ValidationError(PortalError):
    """Business-rule failure; ``errors`` maps a field name to a list of messages."""

    status = 422
    code = "invalid"
    default_message = _l("Some values are not valid. Please correct them and try again.")

    def __init__(self, errors: dict[str, list[str]], message: str | None = None):
        super().__init__(message)
        self.errors = errors


class InvalidTransition(PortalError):
    status = 409
    code = "invalid_transition"
    default_message = _l("This action is not possible in the record's current state.")


def wants_json() -> bool:
    """API paths and clients that prefer JSON get JSON errors instead of HTML pages."""
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def _render(status: int, code: str, message: str, errors: dict | None = None, details: dict | None = None):
    if wants_json():
        body = {"error": {"code": code, "message": message, **(details or {})}}
        if errors:
            body["errors"] = errors
        return jsonify(body), status
    return render_template("errors/error.html", status=status, message=message), status


def register_error_handlers(app: Flask) -> None:
    """Install the handlers; under TESTING unexpected exceptions still propagate."""

    @app.errorhandler(PortalError)
    def handle_portal_error(error: PortalError):
        db.session.rollback()
        errors = getattr(error, "errors", None)
        return _render(error.status, error.code, error.message, errors, getattr(error, "details", None))

    @app.errorhandler(CSRFError)
    def handle_csrf_error(error: CSRFError):
        db.session.rollback()
        return _render(400, "csrf", str(_l("The form expired or was sent from elsewhere. Reload the page and try again.")))

    @app.errorhandler(HTTPException)
    def handle_http_error(error: HTTPException):
        db.session.rollback()
        messages = {
            403: _l("You do not have permission to do this."),
            404: _l("The page or record you asked for does not exist."),
            405: _l("This action is not allowed here."),
            413: _l("The file is too large."),
            429: _l("Too many attempts. Please wait and try again."),
        }
        message = str(messages.get(error.code, error.description or error.name))
        code = {403: "forbidden", 404: "not_found", 413: "too_large", 429: "too_many_requests"}.get(
            error.code or 500, (error.name or "error").lower().replace(" ", "_")
        )
        return _render(error.code or 500, code, message)

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception):
        db.session.rollback()
        if app.testing:
            raise error
        app.logger.exception("Unhandled error")
        return _render(500, "server_error", str(_l("Something went wrong on our side. The error has been logged.")))
