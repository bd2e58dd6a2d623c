"""Set-up of the school year: its dates, terms, holidays, assessment bands, shifts and bells.

The same contract as kundoluk.school.actions: rules first, nothing written when one refuses,
versioned rows (terms, holidays) through the write contract, the others audited. No commit.
"""
import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from kundoluk.extensions import db
from kundoluk.models import AcademicYear, AssessmentBand, Bell, BellOverride, Holiday, SchoolClass, Shift, Term
from kundoluk.models.school import SCHEMES
from kundoluk.school import labels
from kundoluk.school.actions import (
    applied, check_grades, check_inside_year, check_span, grades_meet, plain, raise_if, record, refuse,
    spans_meet, write,
)

MAX_SHIFTS = 3
MAX_PERIOD = 12
MAX_POINTS = 100

# --- the academic year -------------------------------------------------------------------

def check_year_dates(starts_on, ends_on):
    """The year ends after it starts and lasts at most a year."""
    if ends_on <= starts_on or (ends_on - starts_on).days > 366:
        return {"ends_on": [_("A school year ends after it starts and lasts at most a year.")]}
    return {}


def create_year(school_id, starts_on, ends_on, *, existing, actor):
    """The school's first year (the next year's rollover is a later feature)."""
    if existing is not None:
        refuse(None, _("The school year already exists; change its dates instead."))
    raise_if(check_year_dates(starts_on, ends_on))
    year = AcademicYear(school_id=school_id, starts_on=starts_on, ends_on=ends_on)
    db.session.add(year)
    db.session.flush()
    record("setup_year_created", actor, school_id, starts_on=starts_on, ends_on=ends_on)
    return year


def change_year(year, starts_on, ends_on, *, actor):
    """New dates for the year; refused while a term, holiday, band day or class date would fall outside."""
    raise_if(check_year_dates(starts_on, ends_on))
    outside = db.session.execute(sa.select(sa.func.count()).select_from(sa.union_all(
        sa.select(Term.id).where(Term.academic_year_id == year.id,
                                 sa.or_(Term.starts_on < starts_on, Term.ends_on > ends_on)),
        sa.select(Holiday.id).where(Holiday.academic_year_id == year.id,
                                    sa.or_(Holiday.starts_on < starts_on, Holiday.ends_on > ends_on)),
    ).subquery())).scalar()
    if outside:
        refuse(None, _("%(count)d terms or holidays would fall outside these dates; change them first.",
                       count=outside))
    old = {"starts_on": year.starts_on, "ends_on": year.ends_on}
    year.starts_on, year.ends_on = starts_on, ends_on
    record("setup_year_changed", actor, year.school_id, old=plain(old),
           new=plain({"starts_on": starts_on, "ends_on": ends_on}))
    return year


# --- terms, holidays, assessment bands ---------------------------------------------------

def _term_name(term):
    return _("%(kind)s %(number)d of grades %(grades)s", kind=labels.TERM_KINDS[term.kind],
             number=term.number, grades=labels.grades(term.grade_from, term.grade_to))


def check_term(year, values, others):
    """Grades 1–12, dates in the year, a number the kind allows, no clash with another term of a shared grade."""
    v = _Row(values)
    if v.kind not in labels.TERM_NUMBERS:
        return {"kind": [_("Choose quarter or half-year.")]}
    errors = check_grades(v.grade_from, v.grade_to) or check_span(v.starts_on, v.ends_on)
    errors = errors or check_inside_year(year, v.starts_on, v.ends_on)
    if not 1 <= (v.number or 0) <= labels.TERM_NUMBERS[v.kind]:
        errors["number"] = [_("A year has %(count)d of these.", count=labels.TERM_NUMBERS[v.kind])]
    if errors:
        return errors
    for other in others:
        if not grades_meet(v, other):
            continue
        if (other.kind, other.number) == (v.kind, v.number):
            return {"number": [_("%(term)s already exists.", term=_term_name(other))]}
        if spans_meet(v.starts_on, v.ends_on, other.starts_on, other.ends_on):
            return {"starts_on": [_("These dates overlap %(term)s (%(span)s).", term=_term_name(other),
                                    span=labels.span(other.starts_on, other.ends_on))]}
    return {}


class _Row:
    """Attribute access to a dict of values, so new values and saved rows check alike."""

    def __init__(self, values):
        self.__dict__.update(values)


def save_term(year, values, *, client_id, actor, row=None, base_version=None):
    others = db.session.execute(sa.select(Term).where(Term.academic_year_id == year.id,
                                                      Term.id != (row.id if row else -1))).scalars().all()
    if not applied(client_id):
        raise_if(check_term(year, values, others))
    return write(Term, row=row, values={**values, "academic_year_id": year.id}, school_id=year.school_id,
                 client_id=client_id, base_version=base_version, actor=actor)


def check_holiday(year, values):
    v = _Row(values)
    errors = check_grades(v.grade_from, v.grade_to) or check_span(v.starts_on, v.ends_on)
    return errors or check_inside_year(year, v.starts_on, v.ends_on)


def save_holiday(year, values, *, client_id, actor, row=None, base_version=None):
    """Days off for a grade range, inside the year (they may overlap: a public holiday in a break)."""
    if not applied(client_id):
        raise_if(check_holiday(year, values))
    return write(Holiday, row=row, values={**values, "academic_year_id": year.id}, school_id=year.school_id,
                 client_id=client_id, base_version=base_version, actor=actor)


def check_band(values, others):
    """Grades 1–12; max points with the points scheme only (2–100); no overlap with another band."""
    v = _Row(values)
    errors = check_grades(v.grade_from, v.grade_to)
    if v.scheme not in SCHEMES:
        errors["scheme"] = [_("Choose an assessment scheme.")]
    elif v.scheme == "points" and not (v.max_points and 2 <= v.max_points <= MAX_POINTS):
        errors["max_points"] = [_("The points scheme needs a maximum from %(low)d to %(high)d.",
                                  low=2, high=MAX_POINTS)]
    if errors:
        return errors
    for other in others:
        if grades_meet(v, other):
            return {"grade_from": [_("Grades %(grades)s already have a scheme.",
                                     grades=labels.grades(other.grade_from, other.grade_to))]}
    return {}


def save_band(year, values, *, actor, row=None):
    values = {**values, "max_points": values.get("max_points") if values["scheme"] == "points" else None}
    others = db.session.execute(sa.select(AssessmentBand).where(
        AssessmentBand.academic_year_id == year.id,
        AssessmentBand.id != (row.id if row else -1))).scalars().all()
    raise_if(check_band(values, others))
    if row is None:
        row = AssessmentBand(school_id=year.school_id, academic_year_id=year.id)
        db.session.add(row)
    old = None if row.id is None else plain({k: getattr(row, k) for k in values})
    for key, value in values.items():
        setattr(row, key, value)
    db.session.flush()
    record("setup_band_saved", actor, year.school_id, band=row.public_id, old=old, new=plain(values))
    return row


def remove_band(band, *, actor):
    record("setup_band_removed", actor, band.school_id, band=band.public_id,
           old=plain({"grade_from": band.grade_from, "grade_to": band.grade_to, "scheme": band.scheme}))
    db.session.delete(band)
    db.session.flush()


# --- shifts and bells --------------------------------------------------------------------

def add_shift(school_id, number, *, actor):
    if number is None or not 1 <= number <= MAX_SHIFTS:
        refuse("number", _("A school has shifts 1 to %(high)d.", high=MAX_SHIFTS))
    taken = db.session.execute(sa.select(Shift.id).where(Shift.school_id == school_id,
                                                         Shift.number == number)).first()
    if taken:
        refuse("number", _("Shift %(number)d already exists.", number=number))
    shift = Shift(school_id=school_id, number=number)
    db.session.add(shift)
    db.session.flush()
    record("setup_shift_added", actor, school_id, number=number)
    return shift


def remove_shift(shift, *, actor):
    """Only a shift no class uses; its bells and shortened days go with it."""
    used = db.session.execute(sa.select(sa.func.count(SchoolClass.id))
                              .where(SchoolClass.shift_id == shift.id)).scalar()
    if used:
        refuse(None, _("Classes study in this shift; move them to another shift first."))
    for model in (Bell, BellOverride):
        db.session.execute(sa.delete(model).where(model.shift_id == shift.id))
    record("setup_shift_removed", actor, shift.school_id, number=shift.number)
    db.session.delete(shift)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        refuse(None, _("This shift is in use elsewhere (the timetable) and cannot be removed."))


def check_bells(rows):
    """rows: [(index, period, starts_at, ends_at)]. Each lesson ends after it starts, lesson numbers
    are unique, and in lesson order each starts once the previous one has ended."""
    errors = {}
    if not rows:
        return {None: [_("Enter at least one lesson.")]}
    seen = set()
    for index, period, starts_at, ends_at in rows:
        if not 0 <= period <= MAX_PERIOD:
            errors[f"rows.{index}.period"] = [_("Lessons are numbered 0 to %(high)d.", high=MAX_PERIOD)]
        elif period in seen:
            errors[f"rows.{index}.period"] = [_("Lesson %(number)d is listed twice.", number=period)]
        seen.add(period)
        if ends_at <= starts_at:
            errors[f"rows.{index}.ends_at"] = [_("A lesson ends after it starts.")]
    if errors:
        return errors
    ordered = sorted(rows, key=lambda r: r[1])
    for (_i, before, _s, before_end), (index, period, starts_at, _e) in zip(ordered, ordered[1:]):
        if starts_at < before_end:
            errors[f"rows.{index}.starts_at"] = [_("Lesson %(number)d starts before lesson %(before)d ends (%(time)s).",
                                                   number=period, before=before,
                                                   time=labels.bell_time(before_end))]
    return errors


def _bell_detail(rows):
    return [[period, labels.bell_time(s), labels.bell_time(e)] for _i, period, s, e in sorted(rows, key=lambda r: r[1])]


def set_bells(shift, rows, *, actor):
    """Replace a shift's bell schedule (lesson number → start and end, local time)."""
    raise_if(check_bells(rows))
    old = db.session.execute(sa.select(Bell).where(Bell.shift_id == shift.id)).scalars().all()
    before = [[b.period, labels.bell_time(b.starts_at), labels.bell_time(b.ends_at)] for b in
              sorted(old, key=lambda b: b.period)]
    by_period = {b.period: b for b in old}
    for _i, period, starts_at, ends_at in rows:
        bell = by_period.pop(period, None) or Bell(school_id=shift.school_id, shift_id=shift.id, period=period)
        bell.starts_at, bell.ends_at = starts_at, ends_at
        db.session.add(bell)
    for gone in by_period.values():
        db.session.delete(gone)
    db.session.flush()
    record("setup_bells_saved", actor, shift.school_id, shift=shift.number, old=before, new=_bell_detail(rows))


def set_day(shift, year, on_date, rows, *, actor):
    """A shortened day: this date's own bells for the shift, replacing any set before."""
    raise_if(check_inside_year(year, on_date, field="on_date") or check_bells(rows))
    db.session.execute(sa.delete(BellOverride).where(BellOverride.shift_id == shift.id,
                                                     BellOverride.on_date == on_date))
    db.session.add_all([BellOverride(school_id=shift.school_id, shift_id=shift.id, on_date=on_date,
                                     period=period, starts_at=starts_at, ends_at=ends_at)
                        for _i, period, starts_at, ends_at in rows])
    db.session.flush()
    record("setup_day_saved", actor, shift.school_id, shift=shift.number, on_date=on_date,
           bells=_bell_detail(rows))


def remove_day(shift, on_date, *, actor):
    """Back to the shift's usual bells on that date."""
    db.session.execute(sa.delete(BellOverride).where(BellOverride.shift_id == shift.id,
                                                     BellOverride.on_date == on_date))
    record("setup_day_removed", actor, shift.school_id, shift=shift.number, on_date=on_date)
