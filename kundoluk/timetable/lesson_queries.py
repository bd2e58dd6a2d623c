"""Reads of lessons for pages and for other domains: a class's or a pupil's week with its
changes, one lesson and its change log, a teacher's day (the journal's), the hall board.

Every function runs a fixed number of statements whatever the school's size.
"""
from dataclasses import dataclass
from datetime import date, time, timedelta

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import aliased

from kundoluk import clock
from kundoluk.extensions import db
from kundoluk.models import (
    Account, Enrolment, GroupMember, Holiday, Lesson, LessonChange, Person, Room, SchoolClass, StudyGroup, Subject,
)
from kundoluk.timetable.content import lessons_with_content
from kundoluk.timetable.queries import _valid, load_bells


@dataclass
class LessonView:
    """A lesson with everything a page shows about it."""
    lesson: Lesson
    subject: Subject
    group: StudyGroup
    school_class: SchoolClass | None
    teacher: Person
    taught_by: Person
    room: Room | None
    starts_at: time | None = None
    ends_at: time | None = None
    moved_away: bool = False  # shown at the date it left: "moved to …"

    @property
    def on_date(self):
        return self.lesson.moved_from_on if self.moved_away else self.lesson.on_date

    @property
    def period(self):
        return self.lesson.moved_from_period if self.moved_away else self.lesson.period


def _lessons_stmt():
    teacher, taught_by = aliased(Person), aliased(Person)
    return (sa.select(Lesson, Subject, StudyGroup, SchoolClass, teacher, taught_by, Room)
            .join(Subject, Subject.id == Lesson.subject_id)
            .join(StudyGroup, StudyGroup.id == Lesson.group_id)
            .join(SchoolClass, SchoolClass.id == StudyGroup.school_class_id, isouter=True)
            .join(teacher, teacher.id == Lesson.teacher_id)
            .join(taught_by, taught_by.id == Lesson.taught_by_id)
            .join(Room, Room.id == Lesson.room_id, isouter=True))


def _views(rows, bells, start=None, end=None):
    """LessonViews with clock times; a lesson moved out of [start, end] also appears where it left."""
    views = []
    for row in rows:
        view = LessonView(*row)
        lesson = view.lesson
        if start is None or start <= lesson.on_date <= end:
            view.starts_at, view.ends_at = bells.on(lesson.shift_id, lesson.on_date, lesson.period) or (None, None)
            views.append(view)
        moved = lesson.moved_from_on
        if start is not None and moved is not None and start <= moved <= end and moved != lesson.on_date:
            ghost = LessonView(*row, moved_away=True)
            ghost.starts_at, ghost.ends_at = bells.on(lesson.shift_id, moved, lesson.moved_from_period) or (None, None)
            views.append(ghost)
    views.sort(key=lambda v: (v.on_date, v.starts_at or time.max, v.period, v.group.name or ""))
    return views


def _in_week(start, end):
    return sa.or_(sa.and_(Lesson.on_date >= start, Lesson.on_date <= end),
                  sa.and_(Lesson.moved_from_on >= start, Lesson.moved_from_on <= end))


def class_week(school_class, start, group=None):
    """The class's lessons (all its groups, or one) of the week beginning on start."""
    end = start + timedelta(days=6)
    stmt = _lessons_stmt().where(_in_week(start, end))
    stmt = stmt.where(Lesson.group_id == group.id) if group else stmt.where(StudyGroup.school_class_id == school_class.id)
    rows = db.session.execute(stmt).all()
    return _views(rows, load_bells(school_class.school_id, start, end), start, end)


def _pupil_in_group(pupil_id):
    """SQL: the lesson's group held this pupil on the lesson's date (its class, or a subgroup)."""
    klass = aliased(StudyGroup)
    whole = sa.exists().where(
        klass.id == Lesson.group_id, klass.kind == "class", Enrolment.school_class_id == klass.school_class_id,
        Enrolment.pupil_id == pupil_id, Enrolment.valid_from <= Lesson.on_date,
        sa.or_(Enrolment.valid_to.is_(None), Enrolment.valid_to >= Lesson.on_date))
    part = sa.exists().where(
        GroupMember.group_id == Lesson.group_id, GroupMember.pupil_id == pupil_id,
        GroupMember.valid_from <= Lesson.on_date,
        sa.or_(GroupMember.valid_to.is_(None), GroupMember.valid_to >= Lesson.on_date))
    return sa.or_(whole, part)


def pupil_week(pupil_id, school_id, start):
    """A pupil's lessons of the week beginning on start, changes included (two statements)."""
    end = start + timedelta(days=6)
    rows = db.session.execute(_lessons_stmt().where(_in_week(start, end), _pupil_in_group(pupil_id))).all()
    return _views(rows, load_bells(school_id, start, end), start, end)


def holidays_between(school_id, grade, start, end):
    """{date: holiday kind} for a grade's holidays from start to end."""
    rows = db.session.execute(sa.select(Holiday).where(
        Holiday.school_id == school_id, Holiday.grade_from <= grade, Holiday.grade_to >= grade,
        Holiday.starts_on <= end, Holiday.ends_on >= start)).scalars()
    days = {}
    for holiday in rows:
        day = max(start, holiday.starts_on)
        while day <= min(end, holiday.ends_on):
            days[day] = holiday.kind
            day += timedelta(days=1)
    return days


@dataclass
class Day:
    on: date
    lessons: list
    holiday: str | None = None

    @property
    def is_today(self):
        return self.on == clock.today()


def week_days(start, views, holidays=None, days=5):
    """Monday to Friday (to Saturday when a lesson falls on it), each with its lessons."""
    holidays = holidays or {}
    if any(v.on_date.isoweekday() == 6 for v in views):
        days = 6
    by_day = {start + timedelta(days=i): [] for i in range(days)}
    for view in views:
        if view.on_date in by_day:
            by_day[view.on_date].append(view)
    return [Day(on, lessons, holidays.get(on)) for on, lessons in by_day.items()]


def list_teacher_lessons(teacher_id, day):
    """A teacher's lessons of a date: their own and those they substitute, with clock times.

    For the journal's "teacher's day": a view's lesson.taught_by_id tells who teaches it now;
    an own lesson taken by a substitute has taught_by_id != teacher_id (read-only for them).
    """
    stmt = _lessons_stmt().where(Lesson.on_date == day,
                                 sa.or_(Lesson.teacher_id == teacher_id, Lesson.taught_by_id == teacher_id))
    rows = db.session.execute(stmt).all()
    if not rows:
        return []
    return _views(rows, load_bells(rows[0][0].school_id, day, day))


def lesson_view(lesson):
    """One lesson with its names and clock times (two statements)."""
    row = db.session.execute(_lessons_stmt().where(Lesson.id == lesson.id)).one()
    return _views([row], load_bells(lesson.school_id, lesson.on_date, lesson.on_date))[0]


def lesson_changes(lesson_id=None, entry_id=None):
    """The change log of a lesson or an entry, newest first, with who made each change."""
    actor = aliased(Person)
    stmt = (sa.select(LessonChange, actor)
            .join(Account, Account.id == LessonChange.actor_account_id, isouter=True)
            .join(actor, actor.id == Account.person_id, isouter=True)
            .order_by(LessonChange.created_at.desc(), LessonChange.id.desc()))
    if lesson_id is not None:
        stmt = stmt.where(LessonChange.lesson_id == lesson_id)
    else:
        stmt = stmt.where(LessonChange.timetable_entry_id == entry_id)
    return db.session.execute(stmt).all()


def list_flagged(school_id):
    """Lessons waiting for the deputy: still planned, flagged by a timetable or calendar change."""
    stmt = (_lessons_stmt().where(Lesson.school_id == school_id, Lesson.flag.is_not(None),
                                  Lesson.status == "planned")
            .order_by(Lesson.on_date, Lesson.period))
    rows = db.session.execute(stmt).all()
    return _views(rows, load_bells(school_id)), lessons_with_content([r[0].id for r in rows])


def count_flagged(school_id):
    return db.session.execute(sa.select(sa.func.count(Lesson.id)).where(
        Lesson.school_id == school_id, Lesson.flag.is_not(None), Lesson.status == "planned")).scalar()


def day_changes(school_id, day):
    """The board of a day: lessons cancelled, substituted, moved, re-roomed or added that day."""
    changed = sa.or_(Lesson.status == "cancelled", Lesson.taught_by_id != Lesson.teacher_id,
                     Lesson.room_pinned.is_(True), Lesson.moved_from_on.is_not(None),
                     Lesson.timetable_entry_id.is_(None))
    stmt = _lessons_stmt().where(Lesson.school_id == school_id, sa.or_(
        sa.and_(Lesson.on_date == day, changed), Lesson.moved_from_on == day))
    rows = db.session.execute(stmt).all()
    views = _views(rows, load_bells(school_id, day, day), day, day)
    views.sort(key=lambda v: ((v.school_class.grade, v.school_class.letter) if v.school_class else (99, ""),
                              v.starts_at or time.max))
    return views


def lesson_view_or_404(public_id):
    """One lesson with names and clock times, by public id (two statements); 404 if not in scope."""
    row = db.session.execute(_lessons_stmt().where(Lesson.public_id == public_id)).first()
    if row is None:
        abort(404)
    lesson = row[0]
    return _views([row], load_bells(lesson.school_id, lesson.on_date, lesson.on_date))[0]


def list_children(child_ids):
    """A parent's children with their current class (None when not enrolled), by name."""
    today = clock.today()
    stmt = (sa.select(Person, SchoolClass)
            .join(Enrolment, sa.and_(Enrolment.pupil_id == Person.id, _valid(Enrolment, today)), isouter=True)
            .join(SchoolClass, SchoolClass.id == Enrolment.school_class_id, isouter=True)
            .where(Person.id.in_(child_ids)).order_by(Person.sort_key))
    return db.session.execute(stmt).all()


def pupil_class(pupil_id):
    """The pupil's current class, or None."""
    today = clock.today()
    return db.session.execute(sa.select(SchoolClass).join(Enrolment, Enrolment.school_class_id == SchoolClass.id)
                              .where(Enrolment.pupil_id == pupil_id, _valid(Enrolment, today))).scalars().first()
