"""Forms of the credentials desk, the imports and the parent link code."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, RadioField, StringField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from kundoluk.credentials import pins

REQUIRED = _l("This field is required.")


class EmptyForm(FlaskForm):
    """Only the CSRF token: issue, re-issue, unlink, make a code, confirm an import."""


class ImportForm(FlaskForm):
    kind = RadioField(_l("What the file lists"), choices=[
        ("pupils", _l("Pupils with their class")),
        ("parents", _l("Parents with their children")),
        ("staff", _l("Staff with their roles")),
    ], validators=[DataRequired(_l("Choose what the file lists."))])
    file = FileField(_l("File (XLSX or CSV)"), validators=[DataRequired(_l("Choose a file."))])


def _pin(form, field):
    if field.data and pins.clean_pin(field.data) is None:
        raise ValidationError(_l("A personal number has exactly 14 digits."))


class ParentForm(FlaskForm):
    """A parent to link to a pupil: recognised among the school's people, else added."""
    family_name = StringField(_l("Surname"), validators=[Optional(), Length(max=80, message=_l("At most %(max)d characters."))])
    given_name = StringField(_l("Given name"), validators=[DataRequired(REQUIRED), Length(max=80, message=_l("At most %(max)d characters."))])
    patronymic = StringField(_l("Patronymic or father's name (… уулу / … кызы)"), validators=[Optional(), Length(max=80, message=_l("At most %(max)d characters."))])
    birth_date = DateField(_l("Birth date"), validators=[Optional()])
    pin = StringField(_l("Personal number (ПИН), 14 digits"), validators=[Optional(), Length(max=40), _pin])
    language = RadioField(_l("Language of the slip"), choices=[("ky", "Кыргызча"), ("ru", "Русский")],
                          default="ky", validators=[DataRequired(REQUIRED)])


class CodeForm(FlaskForm):
    code = StringField(_l("Code from the school"), validators=[DataRequired(REQUIRED), Length(max=40, message=_l("At most %(max)d characters."))])
