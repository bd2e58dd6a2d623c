"""Translated names of the set-up vocabulary (term kinds, holidays, schemes, groups) and their filters."""
from flask_babel import lazy_gettext as _l

from kundoluk.web import i18n

TERM_KINDS = {"quarter": _l("Quarter"), "half": _l("Half-year")}
TERM_NUMBERS = {"quarter": 4, "half": 2}  # how many of each a year has
HOLIDAY_KINDS = {"autumn": _l("Autumn holidays"), "winter": _l("Winter holidays"),
                 "spring": _l("Spring holidays"), "extra": _l("Extra holidays"),
                 "public": _l("Public holiday")}
SCHEMES = {"five_point": _l("Five-point scale"), "points": _l("Points"),
           "no_marks": _l("No marks"), "criteria": _l("Criteria-based")}
GROUP_KINDS = {"class": _l("Whole class"), "subgroup": _l("Subgroup"), "elective": _l("Elective or club")}
ROLES = {"admin": _l("School administrator"), "director": _l("Director"),
         "deputy": _l("Deputy director"), "teacher": _l("Teacher")}


def grades(low, high):
    """'7' or '1–4': a grade range as printed."""
    return str(low) if low == high else f"{low}–{high}"


def span(starts_on, ends_on):
    """Two dates as a short range."""
    return f"{i18n.format_date(starts_on, 'short')} – {i18n.format_date(ends_on, 'short')}"


def day(value):
    return i18n.format_date(value, "short")


def bell_time(value):
    return value.strftime("%H:%M") if value else ""


def group_label(group, school_class):
    """'7-А', '7-А · English 1', or an elective's own name."""
    if group.kind == "class":
        return school_class.label if school_class else ""
    if school_class is not None:
        return f"{school_class.label} · {group.name or ''}".strip()
    return group.name or ""


def init_app(state):
    state.app.jinja_env.filters.update(
        term_kind=lambda kind: TERM_KINDS.get(kind, kind),
        holiday_kind=lambda kind: HOLIDAY_KINDS.get(kind, kind),
        scheme_label=lambda scheme: SCHEMES.get(scheme, scheme),
        group_kind=lambda kind: GROUP_KINDS.get(kind, kind),
        grades=lambda row: grades(row.grade_from, row.grade_to),
        bell_time=bell_time,
    )
