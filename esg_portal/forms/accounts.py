"""Sign-in and language forms."""
from flask_babel import lazy_gettext as _l
from wtforms import EmailField, HiddenField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from ..accounts.tokens import MAX_NAME_LENGTH as MAX_TOKEN_NAME_LENGTH
from . import PortalForm


class LoginForm(PortalForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(_l("Enter your e-mail address.")), Length(max=255)])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password.")),
                                                         Length(max=200)])
    next = HiddenField()
    submit = SubmitField(_l("Sign in"))


class LanguageForm(PortalForm):
    """Three submit buttons named ``lang``; works without JavaScript."""

    next = HiddenField()


class TokenForm(PortalForm):
    """Name of a new API token."""

    name = StringField(_l("Token name"),
                       description=_l("Where the token is used, so you can recognise it later, for example "
                                      "“1C export” or “ERP test server”."),
                       validators=[DataRequired(_l("Give the token a name.")),
                                   Length(max=MAX_TOKEN_NAME_LENGTH)])
