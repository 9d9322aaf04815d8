"""Sign-in, sign-out, the password change and the language switch."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import PasswordField
from wtforms.validators import DataRequired, EqualTo, Length

from ..extensions import db
from ..forms import attempt
from ..forms.accounts import LanguageForm, LoginForm
from ..i18n import LANG_COOKIE
from . import auth, services, sessions

bp = Blueprint("accounts", __name__)


def _safe_next(target: str | None) -> str:
    """Only same-site paths are followed after sign-in (no open redirects)."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("dashboard.index")


def _limits() -> dict:
    return {"max_failures": current_app.config["ESG_LOGIN_MAX_FAILURES"],
            "lock_minutes": current_app.config["ESG_LOGIN_LOCK_MINUTES"]}


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data, device=auth.trusted_device(), **_limits())
        session_key = sessions.open_session(user, max_age=auth.session_lifetime()) if user is not None else None
        db.session.commit()  # a failed attempt is counted too (throttling)
        if user is not None:
            auth.begin_browser_session(user, session_key)
            return auth.remember_device(redirect(_safe_next(form.next.data)), user)
        form.password.errors.append(_("The e-mail address or the password is not correct."))
    return render_template("accounts/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    sessions.close_session(current_user)
    db.session.commit()
    auth.end_browser_session()
    flash(_("You have signed out."), "info")
    return redirect(url_for("dashboard.index"))


class PasswordChangeForm(FlaskForm):
    """The signed-in user's own password. (Kept next to its view while forms/accounts.py is
    being edited elsewhere; it belongs there.)"""

    current_password = PasswordField(_l("Current password"), validators=[DataRequired(_l("Enter your password.")),
                                                                        Length(max=200)])
    new_password = PasswordField(_l("New password"), validators=[Length(max=200)])
    new_password_confirm = PasswordField(_l("Repeat the new password"), validators=[
        EqualTo("new_password", _l("The two passwords differ. Type the same password in both fields."))])


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form, user = PasswordChangeForm(), current_user._get_current_object()
    if form.validate_on_submit():
        changed = attempt(form, lambda: _change_password(user, form))
        if changed:
            auth.begin_browser_session(user, changed)
            flash(_("Your password was changed. Your other sessions were ended and your API tokens were revoked."),
                  "success")
            return auth.remember_device(redirect(url_for("dashboard.index")), user)
        if changed is False:
            form.current_password.errors.append(_("The current password is not correct."))
    return render_template("accounts/password.html", form=form), 422 if form.errors else 200


def _change_password(user, form: PasswordChangeForm) -> str | bool:
    """The key of the renewed session, or False for a wrong current password (counted, so committed)."""
    changed = services.change_password(user, form.current_password.data, form.new_password.data, **_limits())
    return False if changed is None else sessions.open_session(user, max_age=auth.session_lifetime())


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
