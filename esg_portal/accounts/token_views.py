"""The "API tokens" page: every signed-in user lists, creates and revokes their own tokens.

A new token is shown once, on the page that answers its creation (never put in the
session or a flash message, which would keep a copy in the cookie).
"""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..errors import ValidationError
from ..extensions import db
from ..forms.accounts import TokenForm
from . import tokens

bp = Blueprint("tokens", __name__)


@bp.route("/account/tokens", methods=["GET", "POST"])
@login_required
def index():
    form = TokenForm()
    new_token = None
    if form.validate_on_submit():
        try:
            _token, new_token = tokens.create_token(current_user, form.name.data)
        except ValidationError as error:
            db.session.rollback()
            form.name.errors = [*form.name.errors, *error.errors.get("name", [])]
        else:
            db.session.commit()
            form = TokenForm(formdata=None)
    page = render_template("accounts/tokens.html", form=form, new_token=new_token,
                           tokens=tokens.list_tokens(current_user))
    return page, 422 if form.errors else 200


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def revoke(token_id: int):
    token = tokens.revoke_token(current_user, token_id)
    db.session.commit()
    flash(_("The token “%(name)s” was revoked: programs using it can no longer reach the portal.",
            name=token.name), "success")
    return redirect(url_for(".index"))
