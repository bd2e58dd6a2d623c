"""Jinja filters and globals: dates, names, bilingual fields."""
from flask_babel import format_decimal, lazy_gettext as _l

from kundoluk.web import i18n

ROLE_LABELS = {
    "admin": _l("School administrator"),
    "director": _l("Director"),
    "deputy": _l("Deputy director"),
    "class_teacher": _l("Class teacher"),
    "teacher": _l("Teacher"),
    "pupil": _l("Pupil"),
    "parent": _l("Parent"),
}
LANGUAGE_NAMES = {"ky": "Кыргызча", "ru": "Русский"}
INSTRUCTION_LABELS = {
    "ky": _l("Kyrgyz"), "ru": _l("Russian"), "uz": _l("Uzbek"), "en": _l("English"),
}
ACCOUNT_STATUS = {
    "none": _l("not issued yet"),
    "not_issued": _l("not issued yet"),
    "issued": _l("issued, first sign-in pending"),
    "active": _l("in use"),
}


def role_label(role):
    return ROLE_LABELS.get(role, "")


def mark_kind(kind):
    from kundoluk.journal.schemes import KINDS
    return KINDS.get(kind, ("",))[0]


def attendance_label(code):
    from kundoluk.journal.schemes import ATTENDANCE
    return ATTENDANCE.get(code, ("",))[0]


def iso_date(text):
    from datetime import date
    try:
        return date.fromisoformat(text)
    except (TypeError, ValueError):
        return None


def time_hm(value):
    return value.strftime("%H:%M") if value else ""


def init_app(app):
    app.jinja_env.filters.update(
        date_long=lambda d: i18n.format_date(d, "long"),
        date_short=lambda d: i18n.format_date(d, "short"),
        date_day=i18n.format_day,
        date_dm=i18n.format_day_month,
        time_hm=time_hm,
        iso_date=iso_date,
        decimal=lambda v: format_decimal(v) if v is not None else "",
        mark_kind=mark_kind,
        attendance_label=attendance_label,
        role_label=role_label,
        instruction_label=lambda code: INSTRUCTION_LABELS.get(code, code),
        account_status=lambda status: ACCOUNT_STATUS.get(status or "none", ""),
        localized=i18n.localized,
    )
    app.jinja_env.globals.update(language_names=LANGUAGE_NAMES, current_language=i18n.current_language)
