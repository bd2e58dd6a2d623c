"""The fixed vocabulary of the journal: assessment schemes, mark kinds, attendance codes.

A pupil's grade band (AssessmentBand) names the scheme; the scheme decides which cell
values are valid, how many marks one cell may hold, and the numeric value used in
averages. Labels are translations (fixed vocabulary), never data.
"""
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l

NOT_ASSESSED = "н/а"   # not assessed (term marks: too many lessons missed)
EXEMPT = "осв."        # exempt (e.g. physical education with a medical note)
# What people type on a tablet for the two special values.
ALIASES = {"на": NOT_ASSESSED, "н/а": NOT_ASSESSED, "н\\а": NOT_ASSESSED, "n/a": NOT_ASSESSED,
           "осв": EXEMPT, "осв.": EXEMPT, "ocв": EXEMPT}

SCHEME_LABELS = {
    "five_point": _l("5-point scale"),
    "points": _l("Points"),
    "criteria": _l("Criterion levels 1–4"),
    "no_marks": _l("No marks"),
}
# How many marks one cell may hold (a dictation gets two: spelling and grammar).
MAX_SLOTS = {"five_point": 2, "points": 3, "criteria": 4, "no_marks": 0}
DEFAULT_MAX_POINTS = 10
CRITERIA_LEVELS = ("1", "2", "3", "4")
FIVE_POINT = ("5", "4", "3", "2")

# Kinds of work a lesson column (and its marks) can carry, with the default weight.
KINDS = {
    "oral": (_l("Oral / current"), Decimal("1")),
    "homework": (_l("Homework"), Decimal("1")),
    "written": (_l("Written work"), Decimal("1")),
    "independent": (_l("Independent work"), Decimal("1.5")),
    "test": (_l("Test"), Decimal("1.5")),
    "lab": (_l("Laboratory work"), Decimal("1.5")),
    "practical": (_l("Practical work"), Decimal("1.5")),
    "control": (_l("Control work"), Decimal("2")),
}
DEFAULT_KIND = "oral"
KIND_SHORT = {"oral": "", "homework": _l("hw"), "written": _l("wr."), "independent": _l("ind."),
              "test": _l("test"), "lab": _l("lab"), "practical": _l("pr."), "control": _l("ctrl")}
MIN_WEIGHT, MAX_WEIGHT = Decimal("0.5"), Decimal("5")

ATTENDANCE = {  # code: (label, short symbol as in the paper journal)
    "absent": (_l("Absent"), _l("abs.")),
    "ill": (_l("Ill"), _l("ill")),
    "excused": (_l("Excused"), _l("exc.")),
    "late": (_l("Late"), _l("late")),
}
EXCUSE_CODES = ("absent", "ill", "excused")
MAX_LATE_MINUTES = 90


class BadValue(ValueError):
    """A value the pupil's scheme does not allow; .message is translated."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def kind_weight(kind):
    """The default weight of a kind of work, as stored (a float)."""
    return float(KINDS.get(kind, KINDS[DEFAULT_KIND])[1])


def parse_weight(raw):
    """A column weight between 0.5 and 5 (steps of 0.5), or BadValue."""
    try:
        weight = Decimal(str(raw).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        raise BadValue(_l("The weight must be a number such as 1 or 1.5.")) from None
    if not (MIN_WEIGHT <= weight <= MAX_WEIGHT) or (weight * 2) % 1:
        raise BadValue(_l("The weight must be between 0.5 and 5, in steps of 0.5."))
    return float(weight)


def _normalise(raw):
    text = (raw or "").strip().lower().replace(" ", "")
    return ALIASES.get(text, text)


def values_for(scheme, max_points=None, term=False):
    """Every value a cell (or a term mark, term=True) may hold under a scheme, for pickers."""
    if scheme == "no_marks":
        return ()
    if scheme == "five_point":
        base = FIVE_POINT
    elif scheme == "criteria":
        base = tuple(reversed(CRITERIA_LEVELS))
    else:
        base = tuple(str(n) for n in range(max_points or DEFAULT_MAX_POINTS, -1, -1))
    return base + ((NOT_ASSESSED, EXEMPT) if term else (EXEMPT,))


def check_value(raw, scheme, max_points=None, term=False):
    """The canonical value and its number (None for н/а, осв.) under the pupil's scheme.

    Lesson cells take the scheme's values and осв.; term and year marks also н/а.
    Raises BadValue with a translated message for anything else (6, 0, "five", -1 ...).
    """
    value = _normalise(raw)
    if scheme == "no_marks":
        raise BadValue(_l("Pupils of this grade get no marks."))
    if value == EXEMPT or (term and value == NOT_ASSESSED):
        return value, None
    if value == NOT_ASSESSED:
        raise BadValue(_l("н/а is given only as a term or year mark."))
    allowed = values_for(scheme, max_points, term)
    if value not in allowed:
        raise BadValue(_bad_value_message(scheme, max_points))
    return value, int(value)


def _bad_value_message(scheme, max_points):
    if scheme == "five_point":
        return _l("Enter 5, 4, 3 or 2 (or осв.).")
    if scheme == "criteria":
        return _l("Enter a level from 1 to 4 (or осв.).")
    return _l("Enter whole points from 0 to %(max)s (or осв.).", max=max_points or DEFAULT_MAX_POINTS)


def scheme_of(bands, grade):
    """(scheme, max_points) of a grade among (grade_from, grade_to, scheme, max_points) rows."""
    for low, high, scheme, max_points in bands:
        if grade is not None and low <= grade <= high:
            return scheme, max_points
    return "five_point", None
