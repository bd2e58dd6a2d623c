"""Set-up forms. A form for a versioned row carries a client_id made when the form is
rendered and the version the reader saw (the write contract, DESIGN §3)."""
import uuid

from flask import abort
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField, DateField, FieldList, Form, FormField, HiddenField, IntegerField, SelectField,
    SelectMultipleField, StringField, TimeField,
)
from wtforms.validators import Length, Optional, StopValidation

from kundoluk.school import labels
from kundoluk.school.queries import CONTROL
from kundoluk.web.filters import INSTRUCTION_LABELS

REQUIRED = _l("This field is required.")
BAD_DATE = _l("Enter a date, e.g. 2026-09-01.")
BAD_TIME = _l("Enter a time, e.g. 08:00.")
BAD_NUMBER = _l("Enter a whole number.")
BAD_CHOICE = _l("Choose one of the options.")
TOO_LONG = _l("At most %(max)d characters.")
BELL_ROWS = 10  # enough lines for a day of lessons; blank ones are ignored


def new_client_id():
    return str(uuid.uuid4())


class Required:
    """Required, with one clear message (no "not a valid date" beside it)."""

    field_flags = {"required": True}

    def __call__(self, form, field):
        raw = field.raw_data
        empty = not raw or not str(raw[0]).strip() or (isinstance(field.data, str) and not field.data)
        if empty:
            field.errors[:] = []
            raise StopValidation(REQUIRED)


def date_field(label, required=True):
    return DateField(label, validators=[Required() if required else Optional()], invalid_value_message=BAD_DATE)


def number_field(label, required=True):
    return IntegerField(label, validators=[Required() if required else Optional()],
                        invalid_value_message=BAD_NUMBER)


def choice_field(label, choices=(), required=True):
    return SelectField(label, choices=list(choices), validators=[Required()] if required else [],
                       invalid_choice_message=BAD_CHOICE, validate_choice=True)


def _tidy(value):
    """Trimmed, without control characters (PostgreSQL refuses a NUL byte in text)."""
    return CONTROL.sub("", value).strip() if isinstance(value, str) else value


def text_field(label, size, required=True):
    return StringField(label, validators=[Required() if required else Optional(), Length(max=size, message=TOO_LONG)],
                       filters=[_tidy])


class VersionedForm(FlaskForm):
    """A form under the write contract."""

    client_id = HiddenField(default=new_client_id)
    base_version = HiddenField()

    def seen_version(self):
        """The version the reader saw; a form that lost it is a bad request."""
        try:
            return int(self.base_version.data)
        except (TypeError, ValueError):
            abort(400)


class ProfileForm(VersionedForm):
    name_ky = text_field(_l("Name in Kyrgyz"), 200)
    name_ru = text_field(_l("Name in Russian"), 200)
    timezone = text_field(_l("Time zone"), 40)


class DirectorForm(VersionedForm):
    allowed = BooleanField(_l("The director may do the set-up too"))


class YearForm(FlaskForm):
    starts_on = date_field(_l("First day"))
    ends_on = date_field(_l("Last day"))


def _grades():
    return number_field(_l("From grade")), number_field(_l("To grade"))


class TermForm(VersionedForm):
    kind = choice_field(_l("Kind"), labels.TERM_KINDS.items())
    number = number_field(_l("Number"))
    grade_from, grade_to = _grades()
    starts_on = date_field(_l("First day"))
    ends_on = date_field(_l("Last day"))


class HolidayForm(VersionedForm):
    kind = choice_field(_l("Kind"), labels.HOLIDAY_KINDS.items())
    grade_from, grade_to = _grades()
    starts_on = date_field(_l("First day"))
    ends_on = date_field(_l("Last day"))


class RemoveForm(VersionedForm):
    """Removing a versioned row: only the version seen is needed."""


class BandForm(FlaskForm):
    grade_from, grade_to = _grades()
    scheme = choice_field(_l("Assessment scheme"), labels.SCHEMES.items())
    max_points = number_field(_l("Maximum points (points scheme only)"), required=False)


class ShiftForm(FlaskForm):
    number = number_field(_l("Shift number"))


class BellRow(Form):
    period = IntegerField(_l("Lesson"), validators=[Optional()], invalid_value_message=BAD_NUMBER)
    starts_at = TimeField(_l("Starts"), validators=[Optional()], invalid_value_message=BAD_TIME)
    ends_at = TimeField(_l("Ends"), validators=[Optional()], invalid_value_message=BAD_TIME)

    def filled(self):
        return any(f.data is not None for f in (self.period, self.starts_at, self.ends_at))


class BellsForm(FlaskForm):
    rows = FieldList(FormField(BellRow), min_entries=BELL_ROWS, max_entries=20)

    def bells(self):
        """[(index, period, start, end)] of the filled lines; a half-filled line is an error."""
        out = []
        for index, entry in enumerate(self.rows):
            row = entry.form
            if not row.filled():
                continue
            if None in (row.period.data, row.starts_at.data, row.ends_at.data):
                row.ends_at.errors = list(row.ends_at.errors) + [str(_l("Fill in the lesson number, start and end."))]
                continue
            out.append((index, row.period.data, row.starts_at.data, row.ends_at.data))
        return out

    def has_row_errors(self):
        return any(entry.form.errors for entry in self.rows)


class DayForm(FlaskForm):
    class Meta:
        csrf = False  # a GET that only picks a date to edit

    on = date_field(_l("Date of the shortened day"))


class SubjectForm(VersionedForm):
    name_ky = text_field(_l("Name in Kyrgyz"), 120)
    name_ru = text_field(_l("Name in Russian"), 120)
    code = text_field(_l("National subject code"), 20, required=False)


class ClassForm(VersionedForm):
    grade = number_field(_l("Grade"))
    letter = text_field(_l("Letter"), 4)
    language = choice_field(_l("Language of instruction"), INSTRUCTION_LABELS.items())
    shift = choice_field(_l("Shift"))
    class_teacher = choice_field(_l("Class teacher"), required=False)
    teacher_from = date_field(_l("Class teacher from"))


class GroupForm(FlaskForm):
    kind = choice_field(_l("Kind"), [("subgroup", labels.GROUP_KINDS["subgroup"]),
                                     ("elective", labels.GROUP_KINDS["elective"])])
    school_class = choice_field(_l("Class (for a subgroup)"), required=False)
    name = text_field(_l("Name"), 80)


class RenameForm(FlaskForm):
    name = text_field(_l("Name"), 80)


class MembersForm(FlaskForm):
    pupils = SelectMultipleField(_l("Pupils"), validate_choice=False)
    valid_from = date_field(_l("In the group from"))


class EndForm(FlaskForm):
    effective = date_field(_l("From (the first day without it)"))


class AssignmentForm(FlaskForm):
    teacher = choice_field(_l("Teacher"))
    subject = choice_field(_l("Subject"))
    group = choice_field(_l("Class or group"))
    hours_per_week = number_field(_l("Hours a week"))
    valid_from = date_field(_l("From"))


class HoursForm(FlaskForm):
    hours_per_week = number_field(_l("Hours a week"))


def _name_fields():
    return (text_field(_l("Surname (if any)"), 80, required=False), text_field(_l("Given name"), 80),
            text_field(_l("Patronymic or father's name, e.g. Nurlan uulu"), 80, required=False),
            choice_field(_l("Language"), [("ky", "Кыргызча"), ("ru", "Русский")]))


class NameForm(FlaskForm):
    family_name, given_name, patronymic, language = _name_fields()


class RoleForm(FlaskForm):
    role = choice_field(_l("Role"), labels.ROLES.items())
    valid_from = date_field(_l("From"))


class StaffForm(NameForm, RoleForm):
    """A new staff member with a first role."""
