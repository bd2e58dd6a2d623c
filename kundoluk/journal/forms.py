"""The journal's forms. Contract fields (client_id, base_version, device_time) travel with
every write that the offline queue may replay; the rules themselves live in actions."""
import uuid

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, HiddenField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from kundoluk.journal import schemes

MAX = _l("At most %(max)d characters.")


def new_client_id():
    """A fresh id for a form the page renders (a page without JS has no other source of one)."""
    return str(uuid.uuid4())


class ContractForm(FlaskForm):
    client_id = HiddenField(default=new_client_id)
    base_version = HiddenField(default="0")
    device_time = HiddenField()


class AttendanceForm(ContractForm):
    code = StringField()
    reason = StringField(_l("Reason"))
    minutes = StringField(_l("Minutes late"))


class ConfirmForm(FlaskForm):
    client_id = HiddenField(default=new_client_id)
    device_time = HiddenField()


class MarkForm(ContractForm):
    value = StringField(_l("Mark"))
    slot = StringField(default="1")
    comment = StringField(_l("Comment"))
    kind = StringField()
    next = HiddenField()


class UndoForm(ContractForm):
    mark = HiddenField()


class TermMarkForm(ContractForm):
    term = HiddenField()
    value = StringField(_l("Mark"))
    proposed = HiddenField()
    rule = HiddenField()


def kind_choices():
    return [(code, label) for code, (label, _weight) in schemes.KINDS.items()]


class ContentForm(ContractForm):
    topic = StringField(_l("Topic"), validators=[Length(max=500, message=MAX)])
    covered = TextAreaField(_l("What was covered"), validators=[Length(max=2000, message=MAX)])
    homework = TextAreaField(_l("Homework for everyone"), validators=[Length(max=2000, message=MAX)])
    homework_due_on = DateField(_l("Homework due on"), validators=[Optional()])
    work_note = StringField(_l("Control, practical or laboratory work"), validators=[Length(max=500, message=MAX)])
    kind = SelectField(_l("Kind of work in this column"), choices=kind_choices, default=schemes.DEFAULT_KIND)
    weight = StringField(_l("Weight of its marks"))


class HomeworkForm(FlaskForm):
    client_id = HiddenField(default=new_client_id)
    pupil = SelectField(_l("Pupil"), choices=[], validate_choice=False)
    text = TextAreaField(_l("Individual homework"), validators=[Length(max=2000, message=MAX)])
    due_on = DateField(_l("Due on"), validators=[Optional()])


class RemarkForm(FlaskForm):
    client_id = HiddenField(default=new_client_id)
    pupil = SelectField(_l("Pupil"), choices=[], validate_choice=False)
    text = TextAreaField(_l("Remark"), validators=[DataRequired(_l("Write the remark.")),
                                                  Length(max=1000, message=MAX)])
    visibility = RadioField(_l("Who sees it"), default="family", choices=[
        ("family", _l("The pupil and the parents")), ("parents_only", _l("Parents only"))])


class WithdrawForm(FlaskForm):
    client_id = HiddenField(default=new_client_id)


class ExcuseForm(FlaskForm):
    client_id = HiddenField(default=new_client_id)
    pupil = SelectField(_l("Pupil"), choices=[], validate_choice=False)
    starts_on = DateField(_l("First day"), validators=[DataRequired(_l("Enter the first day."))])
    ends_on = DateField(_l("Last day"), validators=[DataRequired(_l("Enter the last day."))])
    code = SelectField(_l("Record as"), default="ill", choices=[
        (code, schemes.ATTENDANCE[code][0]) for code in schemes.EXCUSE_CODES])
    reason = StringField(_l("Reason (a parent's call, a doctor's note)"), validators=[Length(max=200, message=MAX)])


class JournalNoteForm(FlaskForm):
    client_id = HiddenField(default=new_client_id)
    on_date = DateField(_l("Date"), validators=[DataRequired(_l("Enter the date."))])
    text = TextAreaField(_l("Note on this journal"), validators=[DataRequired(_l("Write the note.")),
                                                                Length(max=1000, message=MAX)])


class FixedForm(FlaskForm):
    client_id = HiddenField(default=new_client_id)


class SettingsForm(FlaskForm):
    client_id = HiddenField(default=new_client_id)
    base_version = HiddenField(default="0")
    edit_window_days = IntegerField(_l("Teachers may change a past lesson for this many days"),
                                    validators=[NumberRange(0, 60, message=_l("Between %(min)s and %(max)s."))])
    min_marks_for_term = IntegerField(_l("Marks needed for a term-mark proposal"),
                                      validators=[NumberRange(1, 10, message=_l("Between %(min)s and %(max)s."))])
    parents_only_remarks = BooleanField(_l("Teachers may write remarks for the parents only"))
