"""Sign-in and account forms."""
import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, PasswordField, RadioField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

CYRILLIC = re.compile(r"[\u0400-\u04FF]")
LOGIN_CHARS = re.compile(r"^[a-z0-9._-]+$")


def normalize_login(value):
    """Logins match case-insensitively with spaces trimmed."""
    return (value or "").strip().lower()


def _login_chars(form, field):
    value = normalize_login(field.data)
    if CYRILLIC.search(value):
        raise ValidationError(_l("A login has only Latin letters and digits. Switch the keyboard to English (Latin) letters."))
    if value and not LOGIN_CHARS.match(value):
        raise ValidationError(_l("A login has only Latin letters, digits, dots, dashes and underscores."))


def _not_login(form, field):
    login = getattr(form, "login_value", None)
    if login and normalize_login(field.data) == login:
        raise ValidationError(_l("The password must not be your login."))


REQUIRED = _l("This field is required.")


class LoginForm(FlaskForm):
    login = StringField(_l("Login"), validators=[DataRequired(REQUIRED), Length(max=64, message=_l("At most %(max)d characters.")), _login_chars])
    password = PasswordField(_l("Password"), validators=[DataRequired(REQUIRED), Length(max=200, message=_l("At most %(max)d characters."))])
    remember = BooleanField(_l("Stay signed in on this device"))
    next = HiddenField()


def _new_password_fields():
    return (
        PasswordField(_l("New password"), validators=[
            DataRequired(REQUIRED),
            Length(min=8, max=200, message=_l("Between %(min)d and %(max)d characters.")), _not_login]),
        PasswordField(_l("New password again"), validators=[
            DataRequired(REQUIRED), EqualTo("new_password", message=_l("The two passwords differ."))]),
    )


class PasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired(REQUIRED), Length(max=200)])
    new_password, confirm = _new_password_fields()


class FirstSignInForm(FlaskForm):
    language = RadioField(_l("Interface language"), choices=[("ky", "Кыргызча"), ("ru", "Русский")],
                          validators=[DataRequired(_l("Choose a language."))])
    new_password, confirm = _new_password_fields()
    accept = BooleanField(_l("I have read the notice on personal data"),
                          validators=[DataRequired(_l("Accept the notice to continue."))])


class LanguageForm(FlaskForm):
    lang = StringField(validators=[DataRequired()])
    next = HiddenField()


class ContextForm(FlaskForm):
    key = StringField(validators=[DataRequired(), Length(max=40)])


class EmptyForm(FlaskForm):
    """A form with only the CSRF token (sign-out buttons)."""
