"""Reads for the set-up screens: a fixed number of statements per page, whatever the school's size.

Scoping to the school is done by kundoluk.tenancy; nothing here filters the school by hand.
Searching uses the stored Person.search_key, or names.search_key applied in Python to the
short lists a school keeps (subjects, classes, groups), so SQLite and PostgreSQL agree.
"""
import math
import re
from dataclasses import dataclass

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import aliased

from kundoluk import clock, names
from kundoluk.extensions import db
from kundoluk.models import (
    AcademicYear, AssessmentBand, Bell, BellOverride, Enrolment, Holiday, Membership,
    Person, School, SchoolClass, Shift, StudyGroup, Subject, TeachingAssignment, Term,
)

PAGE_SIZE = 50
SETUP_STAFF_ROLES = ("admin", "director", "deputy", "teacher")  # class teacher goes with a class
CLASS_LABEL = re.compile(r"^\s*(\d{1,2})\s*[-–\s]?\s*([^\W\d_]{1,4})?\s*$")
PUBLIC_ID = re.compile(r"^[A-Za-z0-9_-]{1,24}$")  # secrets.token_urlsafe's alphabet
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def valid_on(model, day):
    """Rows of a dated table valid on a day (both ends inclusive, NULL end = open)."""
    return sa.and_(model.valid_from <= day, sa.or_(model.valid_to.is_(None), model.valid_to >= day))


def not_ended(model, day):
    """Rows valid on a day or starting after it: what a list of current things shows."""
    return sa.or_(model.valid_to.is_(None), model.valid_to >= day)


@dataclass
class Page:
    items: list
    number: int
    total: int

    @property
    def pages(self):
        return max(1, math.ceil(self.total / PAGE_SIZE))

    @property
    def has_prev(self):
        return self.number > 1

    @property
    def has_next(self):
        return self.number < self.pages


def public_id_or_404(value):
    """A URL's public id, or 404 before it reaches the database (PostgreSQL refuses NUL bytes)."""
    if not PUBLIC_ID.match(value or ""):
        abort(404)
    return value


def clean_query(raw):
    """A search box's text: at most 80 characters, no control characters."""
    return CONTROL.sub("", raw or "")[:80]


def page_number(raw):
    """A page number from the query string; anything odd is page 1."""
    try:
        return max(1, min(int(raw), 10_000))
    except (TypeError, ValueError):
        return 1


def paginate_rows(stmt, number):
    """One page of a statement's rows, and the total (two statements)."""
    total = db.session.execute(sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery())).scalar()
    number = _clamp(number, total)
    rows = db.session.execute(stmt.limit(PAGE_SIZE).offset((number - 1) * PAGE_SIZE)).all()
    return Page(rows, number, total)


def paginate_list(items, number):
    """One page of a list already in memory."""
    number = _clamp(number, len(items))
    start = (number - 1) * PAGE_SIZE
    return Page(items[start:start + PAGE_SIZE], number, len(items))


def _clamp(number, total):
    """A page past the end (a shortened list, an old link) shows the last page."""
    return min(number, max(1, math.ceil(total / PAGE_SIZE)))


def matches(key, *texts):
    """Does a search key (names.search_key of the query) occur in these texts?"""
    return not key or key in names.search_key(" ".join(t for t in texts if t))


def parse_class_label(query):
    """'7', '7а', '7-А', '7 а' → (7, 'А' or None); anything else → None."""
    found = CLASS_LABEL.match(query or "")
    if not found:
        return None
    letter = found.group(2)
    return int(found.group(1)), letter.upper() if letter else None


# --- the school and its year -------------------------------------------------------------

def get_school(school_id):
    return db.session.get(School, school_id)


def working_year():
    """The year being set up: the one begun most recently, else the next to begin, else None."""
    today = clock.today()
    years = db.session.execute(sa.select(AcademicYear).order_by(AcademicYear.starts_on)).scalars().all()
    begun = [y for y in years if y.starts_on <= today]
    return begun[-1] if begun else (years[0] if years else None)


def setup_counts(year_id):
    """How far the set-up has come, in one statement (a dashboard for the deputy)."""
    today = clock.today()

    def count(model, *where):
        return sa.select(sa.func.count(model.id)).where(*where).scalar_subquery()

    return db.session.execute(sa.select(
        count(Term, Term.academic_year_id == year_id).label("terms"),
        count(Holiday, Holiday.academic_year_id == year_id).label("holidays"),
        count(AssessmentBand, AssessmentBand.academic_year_id == year_id).label("bands"),
        count(Shift).label("shifts"),
        count(Subject).label("subjects"),
        count(SchoolClass, SchoolClass.academic_year_id == year_id).label("classes"),
        count(StudyGroup, StudyGroup.academic_year_id == year_id, StudyGroup.kind != "class").label("groups"),
        count(TeachingAssignment, TeachingAssignment.group_id.in_(
            sa.select(StudyGroup.id).where(StudyGroup.academic_year_id == year_id)),
            valid_on(TeachingAssignment, today)).label("assignments"),
        sa.select(sa.func.count(sa.distinct(Membership.person_id))).where(
            valid_on(Membership, today)).scalar_subquery().label("staff"),
    )).one()


# --- calendar ----------------------------------------------------------------------------

def list_calendar(year_id):
    """Terms, holidays and assessment bands of a year (three statements)."""
    terms = db.session.execute(sa.select(Term).where(Term.academic_year_id == year_id)
                               .order_by(Term.grade_from, Term.starts_on)).scalars().all()
    holidays = db.session.execute(sa.select(Holiday).where(Holiday.academic_year_id == year_id)
                                  .order_by(Holiday.starts_on, Holiday.grade_from)).scalars().all()
    bands = db.session.execute(sa.select(AssessmentBand).where(AssessmentBand.academic_year_id == year_id)
                               .order_by(AssessmentBand.grade_from)).scalars().all()
    return terms, holidays, bands


def one_or_404(stmt):
    found = db.session.execute(stmt).scalar_one_or_none()
    if found is None:
        abort(404)
    return found


def get_term_or_404(public_id):
    return one_or_404(sa.select(Term).where(Term.public_id == public_id_or_404(public_id)))


def get_holiday_or_404(public_id):
    return one_or_404(sa.select(Holiday).where(Holiday.public_id == public_id_or_404(public_id)))


def get_band_or_404(public_id):
    return one_or_404(sa.select(AssessmentBand).where(AssessmentBand.public_id == public_id_or_404(public_id)))


def get_year(year_id):
    return db.session.get(AcademicYear, year_id)


# --- shifts and bells --------------------------------------------------------------------

def list_shifts():
    return db.session.execute(sa.select(Shift).order_by(Shift.number)).scalars().all()


def list_shifts_with_bells():
    """Every shift with its bell schedule and how many classes use it (two statements)."""
    classes = (sa.select(sa.func.count(SchoolClass.id)).where(SchoolClass.shift_id == Shift.id)
               .scalar_subquery())
    shifts = db.session.execute(sa.select(Shift, classes.label("classes")).order_by(Shift.number)).all()
    bells = db.session.execute(sa.select(Bell).order_by(Bell.shift_id, Bell.period)).scalars().all()
    by_shift = {}
    for bell in bells:
        by_shift.setdefault(bell.shift_id, []).append(bell)
    return [(shift, used, by_shift.get(shift.id, [])) for shift, used in shifts]


def get_shift_or_404(public_id):
    return one_or_404(sa.select(Shift).where(Shift.public_id == public_id_or_404(public_id)))


def list_bells(shift_id):
    return db.session.execute(sa.select(Bell).where(Bell.shift_id == shift_id)
                              .order_by(Bell.period)).scalars().all()


def list_override_days(shift_id):
    """Dates with a shortened day for a shift, and how many lessons each has."""
    return db.session.execute(
        sa.select(BellOverride.on_date, sa.func.count(BellOverride.id))
        .where(BellOverride.shift_id == shift_id)
        .group_by(BellOverride.on_date).order_by(BellOverride.on_date)).all()


def list_override(shift_id, on_date):
    return db.session.execute(sa.select(BellOverride).where(
        BellOverride.shift_id == shift_id, BellOverride.on_date == on_date)
        .order_by(BellOverride.period)).scalars().all()


# --- subjects ----------------------------------------------------------------------------

def list_subjects():
    return db.session.execute(sa.select(Subject).order_by(Subject.name_ky)).scalars().all()


def search_subjects(query):
    key = names.search_key(query)
    return [s for s in list_subjects() if matches(key, s.name_ky, s.name_ru, s.code)]


def get_subject_or_404(public_id):
    return one_or_404(sa.select(Subject).where(Subject.public_id == public_id_or_404(public_id)))


# --- classes -----------------------------------------------------------------------------

def _teacher_join(stmt, today):
    """Outer-join the current class teacher (membership and person) onto a SchoolClass statement."""
    member = aliased(Membership)
    teacher = aliased(Person)
    return (stmt.add_columns(member, teacher)
            .join(member, sa.and_(member.school_class_id == SchoolClass.id,
                                  member.role == "class_teacher", valid_on(member, today)), isouter=True)
            .join(teacher, teacher.id == member.person_id, isouter=True))


def list_classes(year_id, query=""):
    """The year's classes with shift, pupils now and class teacher, filtered by label or teacher."""
    today = clock.today()
    pupils = (sa.select(sa.func.count(Enrolment.id))
              .where(Enrolment.school_class_id == SchoolClass.id, valid_on(Enrolment, today))
              .scalar_subquery())
    stmt = (sa.select(SchoolClass, Shift.number, pupils.label("pupils"))
            .join(Shift, Shift.id == SchoolClass.shift_id)
            .where(SchoolClass.academic_year_id == year_id)
            .order_by(SchoolClass.grade, SchoolClass.letter))
    rows, seen = [], set()
    for klass, shift, count, _member, teacher in db.session.execute(_teacher_join(stmt, today)):
        if klass.id not in seen:  # two class teachers at once would only repeat the row
            seen.add(klass.id)
            rows.append((klass, shift, count, teacher))
    return [row for row in rows if _class_matches(row, query)]


def _class_matches(row, query):
    klass, _shift, _count, teacher = row
    label = parse_class_label(query)
    if label:
        grade, letter = label
        return klass.grade == grade and (letter is None or klass.letter.upper() == letter)
    return matches(names.search_key(query), klass.label, teacher.full_name if teacher else "")


def get_class_or_404(public_id):
    """A class of the school with its current class teacher's membership (or None); one statement."""
    found = sa.select(SchoolClass).where(SchoolClass.public_id == public_id_or_404(public_id))
    stmt = _teacher_join(found, clock.today())
    row = db.session.execute(stmt).first()
    if row is None:
        abort(404)
    return row[0], row[1]


def list_year_classes(year_id):
    return db.session.execute(sa.select(SchoolClass).where(SchoolClass.academic_year_id == year_id)
                              .order_by(SchoolClass.grade, SchoolClass.letter)).scalars().all()
