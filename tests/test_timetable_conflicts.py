"""Nobody in two places at once, and bad input refused with nothing saved (rule tests)."""
import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from kundoluk.models import Lesson, Shift, TimetableEntry
from kundoluk import tenancy
from kundoluk.timetable import actions, lesson_actions, queries
from kundoluk.timetable.actions import Refused
from tests import factories
from tests.factories import tt_on


def cid():
    return str(uuid.uuid4())


@pytest.fixture()
def w(app, world):
    """The world with a calendar, inside a request of its two schools (messages are translated)."""
    factories.tt_calendar(world.school)
    factories.tt_at(tt_on(10, 14))
    with app.test_request_context("/"):
        tenancy.set_schools({world.school.id, world.other_school.id})
        yield world


def place(w, assignment, weekday=1, period=1, parity="every", room=None, valid_from=None):
    return actions.place_entry(w.school.id, assignment, weekday=weekday, period=period, parity=parity, room=room,
                               valid_from=valid_from or tt_on(9, 1), actor=None, reason="", client_id=cid())


def counts(session):
    return (session.execute(sa.select(sa.func.count(TimetableEntry.id))).scalar(),
            session.execute(sa.select(sa.func.count(Lesson.id))).scalar())


def refused(session, call, status=409):
    """Run a write that must be refused; check the status and that nothing was saved."""
    before = counts(session)
    nested = session.begin_nested()
    with pytest.raises(Refused) as caught:
        call()
    nested.rollback()
    assert caught.value.status == status, caught.value.messages
    assert counts(session) == before
    return " ".join(caught.value.messages)


def other_class(w, grade=8, shift=None):
    klass = factories.make_class(w.school, grade, "Ж")  # a short letter: the factory's own grows past 4
    if shift is not None:
        klass.shift_id = shift.id
    return klass


def second_shift(session, w):
    shift = Shift(school_id=w.school.id, number=2)
    session.add(shift)
    session.flush()
    factories.tt_bells(w.school, shift, first_bell=(13, 0), periods=6)
    return shift


def test_a_teacher_cannot_teach_two_classes_at_once(session, w):
    place(w, w.assignment, 1, 1)
    elsewhere = factories.make_assignment(w.teacher, other_class(w), w.math)
    message = refused(session, lambda: place(w, elsewhere, 1, 1))
    assert w.teacher.full_name in message
    place(w, elsewhere, 1, 2)  # the next period is free


def test_teacher_clashes_across_shifts_by_clock_time(session, w):
    second = second_shift(session, w)
    afternoon = factories.make_assignment(w.teacher, other_class(w, 6, second), w.math)
    place(w, w.assignment, 2, 6)                      # 12:35–13:20, first shift
    refused(session, lambda: place(w, afternoon, 2, 1))   # 13:00–13:45, second shift
    place(w, afternoon, 2, 3)                         # 14:50: no overlap


def test_a_room_holds_one_lesson_at_a_time(session, w):
    room = factories.tt_room(w.school, "204")
    place(w, w.assignment, 3, 2, room=room)
    other = factories.make_assignment(w.teacher2, other_class(w))
    message = refused(session, lambda: place(w, other, 3, 2, room=room))
    assert "204" in message
    place(w, other, 3, 2, room=factories.tt_room(w.school, "205"))


def test_a_class_has_one_lesson_at_a_time(session, w):
    place(w, w.assignment, 4, 3)
    physics = factories.make_assignment(w.teacher2, w.school_class)
    message = refused(session, lambda: place(w, physics, 4, 3))
    assert "7-А" in message


def test_disjoint_subgroups_share_a_period_but_not_with_the_whole_class(session, w):
    one = factories.make_pupil(w.school_class, "Бир")
    two = factories.make_pupil(w.school_class, "Эки")
    first = factories.make_subgroup(w.school_class, one, name="1")
    second = factories.make_subgroup(w.school_class, two, name="2")
    english = factories.make_subject(w.school, "Англис тили")
    place(w, factories.make_assignment(w.teacher, first, english), 5, 4)
    place(w, factories.make_assignment(w.teacher2, second, english), 5, 4)
    refused(session, lambda: place(w, factories.make_assignment(w.class_teacher, w.school_class), 5, 4))
    both = factories.make_subgroup(w.school_class, one, name="3")
    refused(session, lambda: place(w, factories.make_assignment(w.admin, both, english), 5, 4))


def test_odd_and_even_weeks_share_a_slot_every_week_does_not(session, w):
    actions.set_alternating(w.school_class, True, None)
    place(w, w.assignment, 1, 5, parity="odd")
    chemistry = factories.make_assignment(w.teacher2, w.school_class)
    place(w, chemistry, 1, 5, parity="even")
    refused(session, lambda: place(w, factories.make_assignment(w.admin, w.school_class), 1, 5, parity="every"))


def test_an_ended_entry_no_longer_clashes(session, w):
    entry = place(w, w.assignment, 2, 2)
    actions.end_entry(entry, tt_on(11, 10), actor=None, reason="", client_id=cid(), base_version=entry.version)
    later = factories.make_assignment(w.teacher2, w.school_class)
    refused(session, lambda: place(w, later, 2, 2, valid_from=tt_on(11, 9)))
    place(w, later, 2, 2, valid_from=tt_on(11, 10))


# --- Lessons on a date ---------------------------------------------------------------------

def _lesson_on(session, assignment, day):
    return session.execute(sa.select(Lesson).where(Lesson.teaching_assignment_id == assignment.id,
                                                   Lesson.on_date == day)).scalar_one()


def test_a_one_off_lesson_is_checked_against_that_days_lessons(session, w):
    place(w, w.assignment, 3, 1)                       # Wednesdays, lesson 1
    day = tt_on(10, 21)
    message = refused(session, lambda: lesson_actions.add_lesson(
        w.school.id, factories.make_assignment(w.teacher, w.sibling_class, w.math), on_date=day, period=1,
        room=None, actor=None, reason="make-up", client_id=cid()))
    assert w.teacher.full_name in message
    made = lesson_actions.add_lesson(w.school.id, factories.make_assignment(w.teacher, w.sibling_class, w.math),
                                     on_date=day, period=2, room=None, actor=None, reason="make-up", client_id=cid())
    assert made.status == "planned" and made.taught_by_id == w.teacher.id


def test_moving_into_a_taken_period_is_refused(session, w):
    place(w, w.assignment, 3, 1)
    physics = factories.make_assignment(w.teacher2, w.school_class)
    place(w, physics, 3, 2)
    day = tt_on(10, 21)
    mine = _lesson_on(session, w.assignment, day)
    message = refused(session, lambda: lesson_actions.move_lesson(
        mine, on_date=day, period=2, actor=None, reason="swap", client_id=cid(), base_version=mine.version))
    assert "7-А" in message
    moved = lesson_actions.move_lesson(mine, on_date=day, period=3, actor=None, reason="swap", client_id=cid(),
                                       base_version=mine.version)
    assert (moved.on_date, moved.period, moved.moved_from_period) == (day, 3, 1)


def _next(weekday, day):
    """The first date with this ISO weekday on or after day (whatever year the tests run in)."""
    return day + timedelta(days=(weekday - day.isoweekday()) % 7)


def test_a_weekly_entry_is_checked_against_one_off_and_moved_lessons(session, w):
    """Materialising never refuses, so the entry is: a make-up on one Thursday, or a lesson
    moved to a Thursday, makes that slot taken on that date for a new every-week entry."""
    day = _next(4, tt_on(11, 23))  # a Thursday in the second quarter
    lesson_actions.add_lesson(w.school.id, factories.make_assignment(w.teacher, w.sibling_class, w.math),
                              on_date=day, period=4, room=None, actor=None, reason="make-up", client_id=cid())
    message = refused(session, lambda: place(w, w.assignment, 4, 4, valid_from=tt_on(11, 10)))
    assert w.teacher.full_name in message and str(day.day) in message
    place(w, w.assignment, 4, 4, valid_from=day + timedelta(days=1))  # from after the make-up: free
    physics = factories.make_assignment(w.teacher2, w.school_class)
    place(w, physics, 2, 5)  # Tuesdays, lesson 5
    tuesday = _lesson_on(session, physics, _next(2, tt_on(12, 1)))
    moved = lesson_actions.move_lesson(tuesday, on_date=tuesday.on_date + timedelta(days=2), period=6,
                                       actor=None, reason="swap", client_id=cid(), base_version=tuesday.version)
    message = refused(session, lambda: place(w, factories.make_assignment(w.admin, w.school_class), 4, 6))
    assert "7-А" in message
    place(w, factories.make_assignment(w.admin, w.school_class), 4, 6,
          valid_from=moved.on_date + timedelta(days=1))


def test_a_weekly_entry_is_checked_against_a_days_substitute_and_room(session, w):
    """A substitute is busy with the lesson they cover, a room changed for one day is taken:
    only those clash (the covered lesson's class and regular room stay the entry's own)."""
    place(w, w.assignment, 5, 2)  # Fridays, lesson 2
    friday = _lesson_on(session, w.assignment, _next(5, tt_on(12, 1)))
    lesson_actions.assign_substitute(friday, w.class_teacher, absence=None, actor=None, reason="", client_id=cid(),
                                     base_version=friday.version)
    elsewhere = factories.make_assignment(w.class_teacher, other_class(w))
    message = refused(session, lambda: place(w, elsewhere, 5, 2))
    assert w.class_teacher.full_name in message and str(friday.on_date.day) in message
    place(w, elsewhere, 5, 2, valid_from=friday.on_date + timedelta(days=1))
    room = factories.tt_room(w.school, "301")
    lesson_actions.change_room(friday, room=room, actor=None, reason="лаборатория", client_id=cid(),
                               base_version=friday.version)
    message = refused(session, lambda: place(w, factories.make_assignment(w.admin, w.sibling_class), 5, 2,
                                             room=room))
    assert "301" in message


def test_a_busy_teacher_cannot_substitute(session, w):
    place(w, w.assignment, 3, 1)
    other = factories.make_assignment(w.teacher2, w.sibling_class)
    place(w, other, 3, 1)
    day = tt_on(10, 21)
    theirs = _lesson_on(session, other, day)
    message = refused(session, lambda: lesson_actions.assign_substitute(
        theirs, w.teacher, absence=None, actor=None, reason="", client_id=cid(), base_version=theirs.version))
    assert w.teacher.full_name in message
    lesson_actions.assign_substitute(theirs, w.class_teacher, absence=None, actor=None, reason="", client_id=cid(),
                                     base_version=theirs.version)
    assert theirs.taught_by_id == w.class_teacher.id


def test_a_lesson_cannot_get_a_taken_room(session, w):
    room = factories.tt_room(w.school, "301")
    place(w, w.assignment, 3, 1, room=room)
    other = factories.make_assignment(w.teacher2, w.sibling_class)
    place(w, other, 3, 1)
    theirs = _lesson_on(session, other, tt_on(10, 21))
    refused(session, lambda: lesson_actions.change_room(theirs, room=room, actor=None, reason="lab",
                                                        client_id=cid(), base_version=theirs.version))


# --- Bad input -------------------------------------------------------------------------------

def test_a_period_outside_the_bell_schedule(session, w):
    message = refused(session, lambda: place(w, w.assignment, 1, 9), status=422)
    assert "9" in message


def test_a_date_outside_the_school_year(session, w):
    refused(session, lambda: place(w, w.assignment, 1, 1, valid_from=tt_on(8, 20)), status=422)
    refused(session, lambda: lesson_actions.add_lesson(
        w.school.id, w.assignment, on_date=tt_on(6, 15), period=1, room=None, actor=None, reason="summer school",
        client_id=cid()), status=422)


def test_week_parity_on_a_class_that_does_not_alternate(session, w):
    message = refused(session, lambda: place(w, w.assignment, 1, 1, parity="odd"), status=422)
    assert "7-А" in message
    actions.set_alternating(w.school_class, True, None)
    place(w, w.assignment, 1, 1, parity="odd")
    with pytest.raises(Refused):   # cannot stop alternating while the timetable uses odd weeks
        actions.set_alternating(w.school_class, False, None)


def test_a_one_off_lesson_on_a_holiday_or_a_sunday(session, w):
    refused(session, lambda: lesson_actions.add_lesson(
        w.school.id, w.assignment, on_date=tt_on(11, 6), period=1, room=None, actor=None, reason="x",
        client_id=cid()), status=422)
    refused(session, lambda: lesson_actions.add_lesson(
        w.school.id, w.assignment, on_date=tt_on(10, 18), period=1, room=None, actor=None, reason="x",
        client_id=cid()), status=422)
    made = lesson_actions.add_lesson(w.school.id, w.assignment, on_date=tt_on(10, 17), period=1, room=None,
                                     actor=None, reason="Saturday make-up day", client_id=cid())
    assert made.timetable_entry_id is None and made.term_id is not None


def test_a_teacher_of_another_school_is_not_found(session, w):
    assert queries.find_teacher(w.school.id, w.other_deputy.public_id) is None
    refused(session, lambda: lesson_actions.record_absence(
        w.school.id, queries.find_teacher(w.school.id, w.other_deputy.public_id), starts_on=tt_on(10, 14),
        ends_on=tt_on(10, 15), reason="ill", actor=None, client_id=cid()), status=422)
    assert queries.find_assignment(w.school.id, factories.make_assignment(w.other_deputy, w.other_class).public_id) \
        is None


def test_an_absence_ending_before_it_starts(session, w):
    refused(session, lambda: lesson_actions.record_absence(
        w.school.id, w.teacher, starts_on=tt_on(10, 15), ends_on=tt_on(10, 14), reason="ill", actor=None,
        client_id=cid()), status=422)
