"""Sign-in and language forms."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, SubmitField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(_l("Enter your e-mail address.")), Length(max=255)])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password.")),
                                                         Length(max=200)])
    next = HiddenField()
    submit = SubmitField(_l("Sign in"))


class LanguageForm(FlaskForm):
    """Three submit buttons named ``lang``; works without JavaScript."""

    next = HiddenField()
