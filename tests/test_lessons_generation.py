"""Lessons from the timetable: holidays, per-grade terms, week parity, shortened days, ids kept."""
from datetime import time, timedelta

import pytest
import sqlalchemy as sa

from kundoluk.models import BellOverride, Lesson, Term, TimetableEntry
from kundoluk.timetable import actions, content, lesson_queries, queries, schooldays
from tests import factories
from tests.factories import tt_on


@pytest.fixture()
def school(world):
    factories.tt_calendar(world.school)
    factories.tt_at(tt_on(10, 14))
    return world.school


def lessons_of(session, assignment):
    return session.execute(sa.select(Lesson).where(Lesson.teaching_assignment_id == assignment.id)
                           .order_by(Lesson.on_date, Lesson.period)).scalars().all()


def teach(school, grade, weekday=1, period=1, parity="every", letter="Ж"):
    klass = factories.make_class(school, grade, letter)
    teacher = factories.make_staff(school, "teacher", given=f"Мугалим{grade}")
    assignment = factories.make_assignment(teacher, klass, hours=1)
    factories.tt_entry(assignment, weekday, period, parity=parity)
    return klass, assignment


def test_lessons_fall_on_the_weekday_in_terms_and_skip_holidays(session, school):
    _klass, assignment = teach(school, 7, weekday=1)
    factories.tt_materialise(school)
    dates = [lesson.on_date for lesson in lessons_of(session, assignment)]
    assert dates and all(day.isoweekday() == 1 for day in dates)
    assert tt_on(11, 9) not in dates                       # autumn holidays (Monday 9 November)
    assert tt_on(1, 4) not in dates and tt_on(1, 11) not in dates   # winter holidays
    assert tt_on(9, 7) in dates and tt_on(11, 16) in dates and tt_on(1, 18) in dates
    assert max(dates) <= tt_on(5, 29)                        # the fourth quarter's last day
    calendar = queries.load_calendar(school.year)
    expected = [d for d in schooldays.dates_on_weekday(1, school.year.starts_on, school.year.ends_on)
                if calendar.school_day_term(7, d)]
    assert dates == expected


def test_first_graders_extra_holiday_week(session, school):
    _first, grade_one = teach(school, 1, weekday=3, letter="А")
    _second, grade_two = teach(school, 2, weekday=3, letter="А")
    factories.tt_materialise(school)
    one = {lesson.on_date for lesson in lessons_of(session, grade_one)}
    two = {lesson.on_date for lesson in lessons_of(session, grade_two)}
    extra = {tt_on(2, 10), tt_on(2, 17)}                     # Wednesdays of 9–22 February
    assert extra <= two and not extra & one
    assert two - one == extra


def test_grades_ten_and_eleven_follow_half_years(session, school):
    _seventh, grade_seven = teach(school, 7, weekday=1, letter="Х")
    _tenth, grade_ten = teach(school, 10, weekday=1, letter="Х")
    factories.tt_materialise(school)
    seven = {lesson.on_date: lesson for lesson in lessons_of(session, grade_seven)}
    ten = {lesson.on_date: lesson for lesson in lessons_of(session, grade_ten)}
    kinds = dict(session.execute(sa.select(Term.id, Term.kind)).all())
    assert {kinds[lesson.term_id] for lesson in ten.values()} == {"half"}
    assert {kinds[lesson.term_id] for lesson in seven.values()} == {"quarter"}
    # 8 March falls between the third and fourth quarters, but inside the second half-year
    monday = tt_on(3, 8) if tt_on(3, 8).isoweekday() == 1 else None
    if monday:
        assert monday in ten and monday not in seven


def test_week_parity_counts_weeks_from_the_year_start(session, school):
    klass = factories.make_class(school, 8, "П")
    actions.set_alternating(klass, True, None)
    odd_teacher = factories.make_staff(school, "teacher", given="Так")
    even_teacher = factories.make_staff(school, "teacher", given="Жуп")
    odd = factories.make_assignment(odd_teacher, klass, hours=1)
    even = factories.make_assignment(even_teacher, klass, hours=1)
    factories.tt_entry(odd, 2, 3, parity="odd")
    factories.tt_entry(even, 2, 3, parity="even")
    factories.tt_materialise(school)
    start = school.year.starts_on
    odd_days = [lesson.on_date for lesson in lessons_of(session, odd)]
    even_days = [lesson.on_date for lesson in lessons_of(session, even)]
    assert all(schooldays.week_number(start, d) % 2 == 1 for d in odd_days)
    assert all(schooldays.week_number(start, d) % 2 == 0 for d in even_days)
    assert not set(odd_days) & set(even_days)
    first_tuesday = start + timedelta(days=(2 - start.isoweekday()) % 7)
    assert first_tuesday in odd_days                       # week 1 holds the first day of the year
    assert first_tuesday + timedelta(days=7) in even_days


def test_week_numbers_do_not_restart_in_january():
    start = tt_on(9, 1)
    weeks = [schooldays.week_number(start, start + timedelta(days=7 * n)) for n in range(40)]
    assert weeks == list(range(1, 41))


def test_a_shortened_day_changes_times_not_lessons(session, school):
    _klass, assignment = teach(school, 7, weekday=3, period=2)
    factories.tt_materialise(school)
    day = tt_on(10, 21)
    session.add(BellOverride(school_id=school.id, shift_id=school.shift.id, on_date=day, period=2,
                             starts_at=time(8, 35), ends_at=time(9, 5)))
    session.flush()
    before = {lesson.id for lesson in lessons_of(session, assignment)}
    result = actions.resync(school.id, actor=None, reason="shortened day")
    assert not result.changed and {lesson.id for lesson in lessons_of(session, assignment)} == before
    lesson = next(lesson for lesson in lessons_of(session, assignment) if lesson.on_date == day)
    other = next(lesson for lesson in lessons_of(session, assignment) if lesson.on_date == day + timedelta(days=7))
    assert (lesson_queries.lesson_view(lesson).starts_at, lesson_queries.lesson_view(lesson).ends_at) == (time(8, 35), time(9, 5))
    assert lesson_queries.lesson_view(other).starts_at == time(8, 55)


def test_rematerialising_is_idempotent_and_keeps_ids(session, school):
    _klass, assignment = teach(school, 7, weekday=4, period=5)
    first = factories.tt_materialise(school)
    ids = [lesson.id for lesson in lessons_of(session, assignment)]
    again = factories.tt_materialise(school)
    assert first.created == len(ids) and again.created == again.deleted == again.relinked == 0
    assert [lesson.id for lesson in lessons_of(session, assignment)] == ids


def _probe(ids_with_homework):
    content.register_probe("test-homework", lambda ids: [i for i in ids if i in ids_with_homework])


@pytest.fixture()
def homework():
    marked = set()
    _probe(marked)
    yield marked
    content.unregister_probe("test-homework")


def test_a_future_lesson_with_homework_survives_a_timetable_change_flagged(session, school, homework):
    klass, assignment = teach(school, 7, weekday=5, period=1)
    pupil = factories.make_pupil(klass, "Бегимай")
    entry = session.execute(sa.select(TimetableEntry)).scalars().first()
    factories.tt_materialise(school)
    future = [lesson for lesson in lessons_of(session, assignment) if lesson.on_date > tt_on(10, 14)]
    with_homework, plain_id = future[1], future[2].id
    homework.add(with_homework.id)
    actions.end_entry(entry, tt_on(10, 19), actor=None, reason="new timetable", client_id=_cid(),
                      base_version=entry.version)
    left = {lesson.id: lesson for lesson in lessons_of(session, assignment)}
    assert with_homework.id in left and plain_id not in left
    kept = left[with_homework.id]
    assert kept.flag == "timetable_changed" and kept.status == "planned"
    assert all(lesson.on_date < tt_on(10, 19) or lesson.id == kept.id for lesson in left.values())
    week = lesson_queries.pupil_week(pupil.id, school.id, schooldays.monday(kept.on_date))
    assert kept.id in {v.lesson.id for v in week}        # its homework stays visible to the pupil
    assert lesson_queries.count_flagged(school.id) == 1


def test_a_new_room_from_a_date_keeps_the_lessons_ids(session, school):
    _klass, assignment = teach(school, 7, weekday=2, period=4)
    entry = session.execute(sa.select(TimetableEntry).where(
        TimetableEntry.teaching_assignment_id == assignment.id)).scalar_one()
    factories.tt_materialise(school)
    before = {lesson.on_date: lesson.id for lesson in lessons_of(session, assignment)}
    room = factories.tt_room(school, "305")
    actions.change_entry(entry, room=room, parity="every", from_date=tt_on(11, 10), actor=None,
                         reason="renovation", client_id=_cid(), base_version=entry.version)
    after = lessons_of(session, assignment)
    assert {lesson.on_date: lesson.id for lesson in after} == before
    assert all((lesson.room_id == room.id) == (lesson.on_date >= tt_on(11, 10)) for lesson in after)


def test_a_holiday_moved_into_term_removes_or_flags_its_lessons(session, school, homework):
    from kundoluk.models import Holiday
    _klass, assignment = teach(school, 7, weekday=1, period=2)
    factories.tt_materialise(school)
    monday, next_monday = tt_on(10, 19), tt_on(10, 26)
    by_day = {lesson.on_date: lesson for lesson in lessons_of(session, assignment)}
    homework.add(by_day[next_monday].id)
    session.add(Holiday(school_id=school.id, academic_year_id=school.year.id, kind="public", grade_from=1,
                        grade_to=11, starts_on=monday, ends_on=next_monday))
    session.flush()
    result = actions.resync(school.id, actor=None, reason="order of the ministry")
    left = {lesson.on_date: lesson for lesson in lessons_of(session, assignment)}
    assert monday not in left and left[next_monday].flag == "calendar_changed"
    assert result.deleted == 1 and result.flagged == 1


def _cid():
    import uuid
    return str(uuid.uuid4())
