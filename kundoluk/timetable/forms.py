"""Forms of the timetable pages. Object choices are public ids, resolved (and refused with a
translated message) by the view, so a posted id of another school is never trusted."""
import uuid
from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, IntegerField, RadioField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from kundoluk.timetable import labels

REQUIRED = _l("This field is required.")
REASON_HELP = _l("Reason (kept with the change)")


class LocalDateField(DateField):
    """A date field whose parse error is our own translated message."""

    def process_formdata(self, valuelist):
        if valuelist and valuelist[0]:
            try:
                self.data = date.fromisoformat(valuelist[0].strip())
                return
            except ValueError:
                self.data = None
                raise ValueError(_l("Enter a date like 2026-10-14.")) from None
        self.data = None


class WholeNumberField(IntegerField):
    def process_formdata(self, valuelist):
        if valuelist and valuelist[0] not in ("", None):
            try:
                self.data = int(valuelist[0])
                return
            except ValueError:
                self.data = None
                raise ValueError(_l("Enter a whole number.")) from None
        self.data = None


class WeekdayField(SelectField):
    """Monday to Friday by name; anything else is refused with our own message."""

    def __init__(self, label=None, **kwargs):
        super().__init__(label, choices=[(n, labels.WEEKDAYS[n]) for n in range(1, 6)], coerce=int, **kwargs)

    def process_formdata(self, valuelist):
        self.data = None
        if valuelist:
            try:
                self.data = int(valuelist[0])
            except ValueError:
                raise ValueError(_l("Choose a day from Monday to Friday.")) from None

    def pre_validate(self, form):
        if self.data not in range(1, 6):
            raise ValidationError(_l("Choose a day from Monday to Friday."))


def prefix(kind, public_id):
    """The field-name prefix of one object's form on a page with many ("cancel-<id>-reason").
    It ends with "-" itself: WTForms adds none after an id that ends with "-" or "_"."""
    return f"{kind}-{public_id}-"


def new_client_id():
    return str(uuid.uuid4())


def _reason(required):
    checks = [DataRequired(REQUIRED)] if required else [Optional()]
    return StringField(REASON_HELP, validators=checks + [Length(max=200, message=_l("At most %(max)d characters."))])


class ContractForm(FlaskForm):
    """Every write carries the write contract: a client id made by the page, and for edits the
    version the page showed."""
    client_id = HiddenField(default=new_client_id)
    base_version = HiddenField()

    def version(self):
        try:
            return int(self.base_version.data)
        except (TypeError, ValueError):
            return None


def _parity_field():
    return RadioField(_l("Weeks"), choices=list(labels.PARITIES.items()), default="every",
                      validators=[DataRequired(REQUIRED)])


class EntryForm(ContractForm):
    assignment = SelectField(_l("Subject, group and teacher"), validate_choice=False,
                             validators=[DataRequired(_l("Choose a subject and teacher."))])
    weekday = WeekdayField(_l("Day"))
    period = WholeNumberField(_l("Lesson number"), validators=[InputRequired(REQUIRED), NumberRange(1, 12, _l("From 1 to 12."))])
    parity = _parity_field()
    room = SelectField(_l("Room"), validate_choice=False, validators=[Optional()])
    shift = SelectField(_l("Shift"), validate_choice=False, validators=[Optional()])
    valid_from = LocalDateField(_l("From"), validators=[InputRequired(REQUIRED)])
    reason = _reason(required=False)


class EntryChangeForm(ContractForm):
    action = RadioField(_l("Change"), choices=[("change", _l("New room or weeks")), ("remove", _l("Remove"))],
                        default="change", validators=[DataRequired(REQUIRED)])
    room = SelectField(_l("Room"), validate_choice=False, validators=[Optional()])
    parity = _parity_field()
    from_date = LocalDateField(_l("From"), validators=[InputRequired(REQUIRED)])
    reason = _reason(required=False)


class RoomForm(FlaskForm):
    name = StringField(_l("Room name or number"), validators=[DataRequired(REQUIRED), Length(max=40)])
    capacity = WholeNumberField(_l("Seats"), validators=[Optional(), NumberRange(1, 500, _l("From 1 to 500."))])


class AlternatingForm(FlaskForm):
    on = HiddenField()


class LessonAddForm(ContractForm):
    assignment = SelectField(_l("Subject, group and teacher"), validate_choice=False,
                             validators=[DataRequired(_l("Choose a subject and teacher."))])
    on_date = LocalDateField(_l("Date"), validators=[InputRequired(REQUIRED)])
    period = WholeNumberField(_l("Lesson number"), validators=[InputRequired(REQUIRED), NumberRange(1, 12, _l("From 1 to 12."))])
    room = SelectField(_l("Room"), validate_choice=False, validators=[Optional()])
    reason = _reason(required=True)


class ReasonForm(ContractForm):
    """Cancel, restore, keep-as-is: only a reason."""
    reason = _reason(required=True)


class MoveForm(ContractForm):
    on_date = LocalDateField(_l("New date"), validators=[InputRequired(REQUIRED)])
    period = WholeNumberField(_l("Lesson number"), validators=[InputRequired(REQUIRED), NumberRange(1, 12, _l("From 1 to 12."))])
    reason = _reason(required=True)


class LessonRoomForm(ContractForm):
    room = SelectField(_l("Room"), validate_choice=False, validators=[DataRequired(_l("Choose a room."))])
    reason = _reason(required=True)


class AbsenceForm(ContractForm):
    teacher = SelectField(_l("Teacher"), validate_choice=False, validators=[DataRequired(_l("Choose a teacher."))])
    starts_on = LocalDateField(_l("First day away"), validators=[InputRequired(REQUIRED)])
    ends_on = LocalDateField(_l("Last day away"), validators=[InputRequired(REQUIRED)])
    reason = _reason(required=True)


class AbsenceChangeForm(ContractForm):
    starts_on = LocalDateField(_l("First day away"), validators=[InputRequired(REQUIRED)])
    ends_on = LocalDateField(_l("Last day away"), validators=[InputRequired(REQUIRED)])
    reason = _reason(required=True)


class SubstituteForm(ContractForm):
    teacher = SelectField(_l("Substitute"), validate_choice=False, validators=[DataRequired(_l("Choose a teacher."))])
    absence = HiddenField()
    reason = _reason(required=False)


class CancellationForm(FlaskForm):
    grade_from = WholeNumberField(_l("From grade"), validators=[InputRequired(REQUIRED), NumberRange(1, 12, _l("From 1 to 12."))])
    grade_to = WholeNumberField(_l("To grade"), validators=[InputRequired(REQUIRED), NumberRange(1, 12, _l("From 1 to 12."))])
    starts_on = LocalDateField(_l("First day"), validators=[InputRequired(REQUIRED)])
    ends_on = LocalDateField(_l("Last day"), validators=[InputRequired(REQUIRED)])
    reason = _reason(required=True)

    def validate_grade_to(self, field):
        if self.grade_from.data and field.data and field.data < self.grade_from.data:
            raise ValidationError(_l("The last grade comes before the first."))


class LiftForm(FlaskForm):
    """Lift a cancellation of several grades from a day on."""
    from_day = LocalDateField(_l("Lift from"), validators=[InputRequired(REQUIRED)])
    reason = _reason(required=True)


class KioskForm(FlaskForm):
    label = StringField(_l("Screen name"), validators=[DataRequired(REQUIRED), Length(max=80)])


class EmptyForm(FlaskForm):
    """Only the CSRF token (revoke, re-sync buttons)."""
