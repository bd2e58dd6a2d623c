"""Reads for the timetable pages and for other domains (the journal, the diary).

Every page reads a fixed number of statements whatever the school's size. Tenancy limits
every ORM SELECT to the schools of the request's role context.
"""
from dataclasses import dataclass, field
from datetime import time

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import aliased

from kundoluk import clock
from kundoluk.extensions import db
from kundoluk.models import (
    AcademicYear, AlternatingClass, Bell, BellOverride, Cancellation, Holiday, KioskLink, Lesson, Membership,
    Person, Room, SchoolClass, Shift, StudyGroup, Subject, TeacherAbsence, TeachingAssignment, Term,
    TimetableEntry,
)
from kundoluk.timetable import schooldays
from kundoluk.timetable.content import has_content, lessons_with_content, register_probe  # noqa: F401


def _valid(model, day):
    return sa.and_(model.valid_from <= day, sa.or_(model.valid_to.is_(None), model.valid_to >= day))


def _first(stmt):
    found = db.session.execute(stmt).scalar_one_or_none()
    if found is None:
        abort(404)
    return found


# --- The year, its calendar and its bells ----------------------------------------------

def year_of(school_id, day):
    """The school's academic year holding this date, or None."""
    return db.session.execute(sa.select(AcademicYear).where(
        AcademicYear.school_id == school_id, AcademicYear.starts_on <= day,
        AcademicYear.ends_on >= day)).scalars().first()


def current_year(school_id):
    """The year holding today, else the latest begun (in summer: the year just ended), else None."""
    today = clock.today()
    return db.session.execute(
        sa.select(AcademicYear).where(AcademicYear.school_id == school_id, AcademicYear.starts_on <= today)
        .order_by(AcademicYear.starts_on.desc()).limit(1)).scalars().first()


def load_calendar(year):
    """The year's terms and holidays as a schooldays.Calendar (two statements)."""
    terms = db.session.execute(sa.select(Term.id, Term.grade_from, Term.grade_to, Term.starts_on, Term.ends_on)
                               .where(Term.academic_year_id == year.id).order_by(Term.starts_on)).all()
    holidays = db.session.execute(sa.select(Holiday.grade_from, Holiday.grade_to, Holiday.starts_on,
                                            Holiday.ends_on).where(Holiday.academic_year_id == year.id)).all()
    return schooldays.Calendar(year.starts_on, year.ends_on, [tuple(t) for t in terms],
                               [tuple(h) for h in holidays])


def load_bells(school_id, start=None, end=None):
    """The school's bells with shift numbers, plus one-day overrides from start to end (one statement)."""
    regular = (sa.select(sa.literal("b").label("kind"), Bell.shift_id, Shift.number,
                         sa.cast(sa.null(), sa.Date).label("day"), Bell.period, Bell.starts_at, Bell.ends_at)
               .join(Shift, Shift.id == Bell.shift_id).where(Bell.school_id == school_id))
    stmt = regular
    if start is not None:
        stmt = sa.union_all(regular, sa.select(
            sa.literal("o"), BellOverride.shift_id, sa.cast(sa.null(), sa.Integer), BellOverride.on_date,
            BellOverride.period, BellOverride.starts_at, BellOverride.ends_at)
            .where(BellOverride.school_id == school_id, BellOverride.on_date >= start,
                   BellOverride.on_date <= (end or start)))
    rows = db.session.execute(stmt).all()
    bells = schooldays.Bells([(r.shift_id, r.period, r.starts_at, r.ends_at) for r in rows if r.kind == "b"],
                             [(r.shift_id, r.day, r.period, r.starts_at, r.ends_at) for r in rows if r.kind == "o"])
    bells.numbers = {r.shift_id: r.number for r in rows if r.kind == "b"}
    return bells


# --- Loaders that 404 themselves ------------------------------------------------------

def get_class_or_404(public_id):
    return _first(sa.select(SchoolClass).where(SchoolClass.public_id == public_id))


def get_group_or_404(public_id):
    return _first(sa.select(StudyGroup).where(StudyGroup.public_id == public_id))


def get_entry_or_404(public_id):
    return _first(sa.select(TimetableEntry).where(TimetableEntry.public_id == public_id))


def get_lesson_or_404(public_id):
    return _first(sa.select(Lesson).where(Lesson.public_id == public_id))


def get_room_or_404(public_id):
    return _first(sa.select(Room).where(Room.public_id == public_id))


def get_absence_or_404(public_id):
    return _first(sa.select(TeacherAbsence).where(TeacherAbsence.public_id == public_id))


def get_cancellation_or_404(public_id):
    return _first(sa.select(Cancellation).where(Cancellation.public_id == public_id))


def get_kiosk_link_or_404(public_id):
    return _first(sa.select(KioskLink).where(KioskLink.public_id == public_id))


def get_teacher_or_404(public_id):
    """A person holding a current teaching role in a school in scope."""
    today = clock.today()
    return _first(sa.select(Person).join(Membership, Membership.person_id == Person.id)
                  .where(Person.public_id == public_id, Membership.role.in_(("teacher", "class_teacher")),
                         _valid(Membership, today)).limit(1))


def find_teacher(school_id, public_id, day=None):
    """A current teacher of this school by public id, or None (a teacher of another school is not found)."""
    day = day or clock.today()
    return db.session.execute(
        sa.select(Person).join(Membership, Membership.person_id == Person.id)
        .where(Person.public_id == public_id, Membership.school_id == school_id,
               Membership.role.in_(("teacher", "class_teacher")), _valid(Membership, day)).limit(1)).scalar()


# --- Choices for the forms -----------------------------------------------------------

def list_teachers(school_id):
    """The school's current teachers, sorted by name."""
    today = clock.today()
    stmt = (sa.select(Person).where(Person.id.in_(
        sa.select(Membership.person_id).where(Membership.school_id == school_id,
                                              Membership.role.in_(("teacher", "class_teacher")),
                                              _valid(Membership, today))))
            .order_by(Person.sort_key))
    return db.session.execute(stmt).scalars().all()


def list_rooms(school_id):
    return db.session.execute(sa.select(Room).where(Room.school_id == school_id).order_by(Room.name)).scalars().all()


def list_class_assignments(school_class, day):
    """Assignments of the class's groups (whole class and subgroups) valid on a date."""
    stmt = (sa.select(TeachingAssignment, Subject, StudyGroup, Person)
            .join(StudyGroup, StudyGroup.id == TeachingAssignment.group_id)
            .join(Subject, Subject.id == TeachingAssignment.subject_id)
            .join(Person, Person.id == TeachingAssignment.teacher_id)
            .where(StudyGroup.school_class_id == school_class.id, _valid(TeachingAssignment, day))
            .order_by(StudyGroup.kind, StudyGroup.name, Subject.name_ky))
    return db.session.execute(stmt).all()


def list_group_assignments(group, day):
    stmt = (sa.select(TeachingAssignment, Subject, StudyGroup, Person)
            .join(StudyGroup, StudyGroup.id == TeachingAssignment.group_id)
            .join(Subject, Subject.id == TeachingAssignment.subject_id)
            .join(Person, Person.id == TeachingAssignment.teacher_id)
            .where(TeachingAssignment.group_id == group.id, _valid(TeachingAssignment, day))
            .order_by(Subject.name_ky))
    return db.session.execute(stmt).all()


def find_assignment(school_id, public_id):
    """A teaching assignment of this school by public id, or None."""
    return db.session.execute(sa.select(TeachingAssignment).where(
        TeachingAssignment.public_id == public_id, TeachingAssignment.school_id == school_id)).scalar()


def find_room(school_id, public_id):
    if not public_id:
        return None
    return db.session.execute(sa.select(Room).where(Room.public_id == public_id,
                                                    Room.school_id == school_id)).scalar()


def is_alternating(school_class_id):
    return db.session.execute(sa.select(AlternatingClass.id).where(
        AlternatingClass.school_class_id == school_class_id)).first() is not None


def list_shifts(school_id):
    return db.session.execute(sa.select(Shift).where(Shift.school_id == school_id)
                              .order_by(Shift.number)).scalars().all()


# --- The weekly grid ----------------------------------------------------------------

@dataclass
class Cell:
    entry: TimetableEntry
    subject: Subject
    teacher: Person
    group: StudyGroup
    school_class: SchoolClass | None
    room: Room | None


@dataclass
class GridRow:
    shift_id: int
    shift_number: int | None
    period: int
    starts_at: time | None
    ends_at: time | None


@dataclass
class Grid:
    """Rows of (shift, period) by clock time, columns Monday to Friday, cells with entries."""
    rows: list = field(default_factory=list)       # [GridRow]
    cells: dict = field(default_factory=dict)      # (shift_id, period, weekday) -> [Cell]

    @property
    def shifts(self):
        return {row.shift_id for row in self.rows}

    def at(self, row, weekday):
        return self.cells.get((row.shift_id, row.period, weekday), [])


def _entries_stmt(day):
    teacher = aliased(Person)
    return (sa.select(TimetableEntry, Subject, teacher, StudyGroup, SchoolClass, Room)
            .join(TeachingAssignment, TeachingAssignment.id == TimetableEntry.teaching_assignment_id)
            .join(Subject, Subject.id == TeachingAssignment.subject_id)
            .join(teacher, teacher.id == TeachingAssignment.teacher_id)
            .join(StudyGroup, StudyGroup.id == TimetableEntry.group_id)
            .join(SchoolClass, SchoolClass.id == StudyGroup.school_class_id, isouter=True)
            .join(Room, Room.id == TimetableEntry.room_id, isouter=True)
            .where(_valid(TimetableEntry, day))
            .order_by(TimetableEntry.weekday, TimetableEntry.period, StudyGroup.kind, StudyGroup.name)), teacher


def _grid(rows, bells, shifts_shown=()):
    """Lay entries out by (shift, period, weekday); rows ordered by clock time."""
    grid = Grid()
    keys = {(shift_id, period) for shift_id in shifts_shown for period in bells.periods(shift_id)}
    for entry, subject, teacher, group, school_class, room in rows:
        grid.cells.setdefault((entry.shift_id, entry.period, entry.weekday), []).append(
            Cell(entry, subject, teacher, group, school_class, room))
        keys.add((entry.shift_id, entry.period))

    def order(key):
        times = bells.weekly(*key)
        return (times[0] if times else time.max, bells.numbers.get(key[0], 0), key[1])
    for shift_id, period in sorted(keys, key=order):
        times = bells.weekly(shift_id, period) or (None, None)
        grid.rows.append(GridRow(shift_id, bells.numbers.get(shift_id), period, *times))
    return grid


def class_grid(school_class, day, group=None):
    """The class's weekly timetable in force on a date (all its groups, or one group)."""
    stmt, _teacher = _entries_stmt(day)
    if group is not None:
        stmt = stmt.where(TimetableEntry.group_id == group.id)
    else:
        stmt = stmt.where(StudyGroup.school_class_id == school_class.id)
    rows = db.session.execute(stmt).all()
    bells = load_bells(school_class.school_id)
    return _grid(rows, bells, [school_class.shift_id])


def group_grid(group, day):
    """An elective's (class-less group's) weekly timetable: every shift's periods are rows."""
    stmt, _teacher = _entries_stmt(day)
    rows = db.session.execute(stmt.where(TimetableEntry.group_id == group.id)).all()
    bells = load_bells(group.school_id)
    return _grid(rows, bells, list(bells.numbers))


def teacher_grid(school_id, teacher, day):
    """A teacher's weekly timetable in force on a date, rows by clock time across shifts."""
    stmt, teacher_alias = _entries_stmt(day)
    rows = db.session.execute(stmt.where(teacher_alias.id == teacher.id)).all()
    return _grid(rows, load_bells(school_id))


def room_grid(school_id, room, day):
    stmt, _teacher = _entries_stmt(day)
    rows = db.session.execute(stmt.where(TimetableEntry.room_id == room.id)).all()
    return _grid(rows, load_bells(school_id))


def list_class_groups(school_class):
    return db.session.execute(sa.select(StudyGroup).where(StudyGroup.school_class_id == school_class.id)
                              .order_by(StudyGroup.kind, StudyGroup.name)).scalars().all()


def list_classes(school_id, year_id):
    return db.session.execute(sa.select(SchoolClass).where(SchoolClass.school_id == school_id,
                                                           SchoolClass.academic_year_id == year_id)
                              .order_by(SchoolClass.grade, SchoolClass.letter)).scalars().all()


def class_for_group(group):
    if group.school_class_id is None:
        return None
    return db.session.get(SchoolClass, group.school_class_id)

# --- Other lists ---------------------------------------------------------------------

def list_kiosk_links(school_id):
    return db.session.execute(sa.select(KioskLink).where(KioskLink.school_id == school_id)
                              .order_by(KioskLink.created_at.desc())).scalars().all()


def list_cancellations(school_id, year):
    return db.session.execute(sa.select(Cancellation).where(
        Cancellation.school_id == school_id, Cancellation.starts_on >= year.starts_on,
        Cancellation.starts_on <= year.ends_on).order_by(Cancellation.starts_on.desc())).scalars().all()


def list_rooms_with_use(school_id, day):
    """Rooms with how many weekly lessons each holds in the timetable in force on a date."""
    use = (sa.select(sa.func.count(TimetableEntry.id)).where(TimetableEntry.room_id == Room.id,
                                                             _valid(TimetableEntry, day))
           .scalar_subquery())
    return db.session.execute(sa.select(Room, use.label("use")).where(Room.school_id == school_id)
                              .order_by(Room.name)).all()
