"""The demo's timetable: full, conflict-free in both shifts, every assignment's weekly hours,
the year's lessons, and this week's substitutions and one cancelled lesson."""
from collections import Counter, defaultdict
from datetime import timedelta

import pytest
import sqlalchemy as sa

from kundoluk import clock
from kundoluk.models import (
    Lesson, NotificationEvent, School, SchoolClass, StudyGroup, TeachingAssignment, TimetableEntry,
)
from kundoluk.timetable import queries, schooldays


@pytest.fixture(scope="module")
def demo(app):
    """Seed the demo once into a transaction that is rolled back at the end of the module."""
    from kundoluk.demo import seed
    from tests.conftest import rolled_back
    with rolled_back(app) as session:
        seed.run()
        yield session


def _entries(session):
    stmt = (sa.select(TimetableEntry, TeachingAssignment.teacher_id, StudyGroup, SchoolClass.grade)
            .join(TeachingAssignment, TeachingAssignment.id == TimetableEntry.teaching_assignment_id)
            .join(StudyGroup, StudyGroup.id == TimetableEntry.group_id)
            .join(SchoolClass, SchoolClass.id == StudyGroup.school_class_id))
    return session.execute(stmt).all()


def test_every_assignment_gets_its_weekly_hours(demo):
    placed = Counter(e.teaching_assignment_id for e, *_ in _entries(demo))
    hours = dict(demo.execute(sa.select(TeachingAssignment.id, TeachingAssignment.hours_per_week)).all())
    assert placed == Counter({k: v for k, v in hours.items() if v})
    classes = demo.execute(sa.select(sa.func.count(SchoolClass.id))).scalar()
    with_timetable = {g.school_class_id for _e, _t, g, _grade in _entries(demo)}
    assert len(with_timetable) == classes


def test_nobody_is_in_two_places_at_once(demo):
    rows = _entries(demo)
    bells = {}
    for school_id in {e.school_id for e, *_ in rows}:
        bells[school_id] = queries.load_bells(school_id)
    by_day = defaultdict(list)
    for entry, teacher_id, group, _grade in rows:
        times = bells[entry.school_id].weekly(entry.shift_id, entry.period)
        assert times is not None, "a period outside the bell schedule"
        by_day[(entry.school_id, entry.weekday)].append((times, entry, teacher_id, group))
    for day in by_day.values():
        for i, (a_times, a, a_teacher, a_group) in enumerate(day):
            for b_times, b, b_teacher, b_group in day[i + 1:]:
                if not schooldays.overlaps(*a_times, *b_times):
                    continue
                assert a_teacher != b_teacher, (a.id, b.id)
                assert a.room_id is None or a.room_id != b.room_id, (a.id, b.id)
                if a_group.school_class_id == b_group.school_class_id:
                    # only two different subgroups of a class share a period
                    assert "class" not in (a_group.kind, b_group.kind) and a_group.id != b_group.id


def test_both_shifts_are_used_and_lessons_cover_the_year(demo):
    shifts = {e.shift_id for e, *_ in _entries(demo)}
    assert len(shifts) >= 2
    first, last = demo.execute(sa.select(sa.func.min(Lesson.on_date), sa.func.max(Lesson.on_date))).one()
    assert first.month == 9 and last.month == 5
    assert demo.execute(sa.select(sa.func.count(Lesson.id))).scalar() > 20000


def test_this_week_has_substitutions_and_one_cancelled_lesson(demo):
    """This week's, or in summer (and in holidays) the last school week's."""
    from kundoluk.demo.timetable import _lesson_week
    school = demo.execute(sa.select(School).order_by(School.id)).scalars().first()
    monday = _lesson_week(school)
    assert monday is not None and monday <= schooldays.monday(clock.today())
    week = sa.and_(Lesson.on_date >= monday, Lesson.on_date <= monday + timedelta(days=6))
    substituted = demo.execute(sa.select(Lesson).where(week, Lesson.taught_by_id != Lesson.teacher_id)).scalars().all()
    cancelled = demo.execute(sa.select(Lesson).where(week, Lesson.status == "cancelled")).scalars().all()
    assert len(substituted) >= 3 and len(cancelled) == 1
    classes = {demo.get(StudyGroup, lesson.group_id).school_class_id for lesson in substituted}
    student_class = demo.execute(sa.select(SchoolClass).where(SchoolClass.grade == 7, SchoolClass.letter == "А")
                                 .order_by(SchoolClass.school_id)).scalars().first()
    assert student_class.id in classes     # the demo student sees a substitute this week
    for lesson in substituted:     # the substitute teaches nothing else at that time
        others = demo.execute(sa.select(Lesson).where(Lesson.on_date == lesson.on_date, Lesson.id != lesson.id,
                                                      Lesson.taught_by_id == lesson.taught_by_id,
                                                      Lesson.status == "planned")).scalars().all()
        bells = queries.load_bells(lesson.school_id, lesson.on_date, lesson.on_date)
        mine = bells.on(lesson.shift_id, lesson.on_date, lesson.period)
        assert not any(schooldays.overlaps(*mine, *bells.on(o.shift_id, o.on_date, o.period)) for o in others)
    assert demo.execute(sa.select(sa.func.count(NotificationEvent.id))
                        .where(NotificationEvent.handled_at.is_(None))).scalar() == 0
