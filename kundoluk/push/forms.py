"""Per-device notification preferences."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectMultipleField, TimeField
from wtforms.validators import Optional
from wtforms.widgets import CheckboxInput, ListWidget

CATEGORY_LABELS = [("mark", _l("Marks")), ("attendance", _l("Absences and lateness")),
                   ("homework", _l("Homework")), ("remark", _l("Remarks")),
                   ("timetable", _l("Timetable changes"))]


class MultiCheckbox(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class DeviceForm(FlaskForm):
    enabled = BooleanField(_l("Notifications on this device"))
    categories = MultiCheckbox(_l("What to notify about"), choices=CATEGORY_LABELS)
    quiet_from = TimeField(_l("Quiet from"), validators=[Optional()])
    quiet_to = TimeField(_l("Quiet until"), validators=[Optional()])
    digest = BooleanField(_l("One evening summary instead of each notification"))


class EmptyForm(FlaskForm):
    pass
