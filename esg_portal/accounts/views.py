"""Sign-in, sign-out and the language switch."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from ..extensions import db
from ..forms.accounts import LanguageForm, LoginForm
from ..i18n import LANG_COOKIE
from . import services

bp = Blueprint("accounts", __name__)


def _safe_next(target: str | None) -> str:
    """Only same-site paths are followed after sign-in (no open redirects)."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("dashboard.index")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = services.authenticate(
            form.email.data, form.password.data,
            max_failures=current_app.config["ESG_LOGIN_MAX_FAILURES"],
            lock_minutes=current_app.config["ESG_LOGIN_LOCK_MINUTES"],
        )
        db.session.commit()
        if user is not None:
            login_user(user)
            return redirect(_safe_next(form.next.data))
        form.password.errors.append(_("The e-mail address or the password is not correct."))
    return render_template("accounts/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    logout_user()
    flash(_("You have signed out."), "info")
    return redirect(url_for("dashboard.index"))


@bp.route("/language", methods=["POST"])
def set_language():
    form = LanguageForm()
    language = request.form.get("lang", "")
    if not form.validate_on_submit():
        return redirect(url_for("dashboard.index"))
    services.set_language(current_user, language)
    db.session.commit()
    response = redirect(_safe_next(form.next.data))
    response.set_cookie(LANG_COOKIE, language, max_age=365 * 24 * 3600, httponly=True, samesite="Lax",
                        secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response
