"""Substitutions: suggestions, the substitute's narrow access, pay, cancellations and notices."""
import uuid

import pytest
import sqlalchemy as sa
from werkzeug.exceptions import Forbidden, NotFound

from kundoluk import tenancy
from kundoluk.accounts import identity
from kundoluk.models import Lesson, LessonChange, NotificationEvent
from kundoluk.timetable import actions, grade_cancellations, lesson_actions, lesson_queries, queries, substitutes
from kundoluk.timetable.actions import Refused
from kundoluk.web import access
from tests import factories
from tests.factories import tt_on



def wednesday():
    """A school Wednesday of the test year (computed when asked: the clock is the test's)."""
    return tt_on(10, 21)


def cid():
    return str(uuid.uuid4())


@pytest.fixture()
def w(app, world):
    factories.tt_calendar(world.school)
    factories.tt_at(tt_on(10, 14))
    with app.test_request_context("/"):
        tenancy.set_schools({world.school.id, world.other_school.id})
        yield world


def place(w, assignment, weekday, period):
    return actions.place_entry(w.school.id, assignment, weekday=weekday, period=period, parity="every", room=None,
                               valid_from=tt_on(9, 1), actor=None, reason="", client_id=cid())


def lesson_on(session, assignment, day=None):
    day = day or wednesday()
    return session.execute(sa.select(Lesson).where(Lesson.teaching_assignment_id == assignment.id,
                                                   Lesson.on_date == day)).scalar_one()


def absent(w, teacher, first=None, last=None):
    first = first or wednesday()
    last = last or first
    return lesson_actions.record_absence(w.school.id, teacher, starts_on=first, ends_on=last, reason="ill",
                                         actor=w.accounts["deputy"], client_id=cid())


def events(session, kind="timetable"):
    return session.execute(sa.select(NotificationEvent).where(NotificationEvent.kind == kind)).scalars().all()


def user(account):
    return identity.load_user(f"{account.id}:{account.session_version}")


def test_suggestions_are_free_teachers_ranked_by_subject_then_class_then_load(session, w):
    place(w, w.assignment, 3, 1)                               # the absent teacher's lesson: Wednesday 8:00
    math_elsewhere = factories.make_staff(w.school, "teacher", given="Алгебрист")
    factories.make_assignment(math_elsewhere, w.sibling_class, w.math, hours=1)
    in_class = factories.make_staff(w.school, "teacher", given="Тарыхчы")
    history = factories.make_assignment(in_class, w.school_class, hours=1)
    busy_math = factories.make_staff(w.school, "teacher", given="Бошэмес")
    busy = factories.make_assignment(busy_math, w.sibling_class, w.math, hours=1)
    away_math = factories.make_staff(w.school, "teacher", given="Жоксуз")
    factories.make_assignment(away_math, factories.make_class(w.school, 9, "Ж"), w.math, hours=1)
    place(w, history, 1, 1)
    place(w, busy, 3, 1)                                       # teaches at the same time
    absent(w, away_math)
    absence = absent(w, w.teacher)
    bells = queries.load_bells(w.school.id, wednesday(), wednesday())
    views = substitutes.absence_lessons(absence, bells)
    assert [v.lesson.on_date for v in views] == [wednesday()]
    ranked = substitutes.suggest(w.school.id, views, bells, w.teacher.id)[views[0].lesson.id]
    names = [c.person.id for c in ranked]
    assert names[:2] == [math_elsewhere.id, in_class.id]
    assert busy_math.id not in names and away_math.id not in names and w.teacher.id not in names
    assert ranked[0].teaches_subject and ranked[1].teaches_class and not ranked[1].teaches_subject
    others = ranked[2:]
    assert [c.week_load for c in others] == sorted(c.week_load for c in others)


def test_assigning_a_substitute_records_who_taught_and_tells_each_pupil_once(session, w):
    factories.make_pupil(w.school_class, "Нурай")
    place(w, w.assignment, 3, 1)
    lesson = lesson_on(session, w.assignment)
    absence = absent(w, w.teacher)
    lesson_actions.assign_substitute(lesson, w.teacher2, absence=absence, actor=w.accounts["deputy"],
                                     reason="курсы", client_id=cid(), base_version=lesson.version)
    assert lesson.taught_by_id == w.teacher2.id and lesson.teacher_id == w.teacher.id
    assert lesson.absence_id == absence.id
    change = session.execute(sa.select(LessonChange).where(LessonChange.lesson_id == lesson.id)).scalar_one()
    assert change.kind == "substitute" and change.actor_account_id == w.accounts["deputy"].id
    assert change.old == {"taught_by_id": w.teacher.id, "absence_id": None}
    sent = [e for e in events(session) if e.object_type == "lesson" and e.object_id == lesson.id]
    assert sorted(e.pupil_id for e in sent) == sorted({w.pupil.id} | _class_pupils(session, w))
    assert len(sent) == len({e.pupil_id for e in sent})


def _class_pupils(session, w):
    from kundoluk.models import Enrolment
    return set(session.execute(sa.select(Enrolment.pupil_id).where(
        Enrolment.school_class_id == w.school_class.id)).scalars())


def test_the_substitute_writes_that_lesson_only_and_the_regular_teacher_reads_it(session, w):
    place(w, w.assignment, 3, 1)
    lesson = lesson_on(session, w.assignment)
    next_week = lesson_on(session, w.assignment, tt_on(10, 28))
    lesson_actions.assign_substitute(lesson, w.teacher2, absence=absent(w, w.teacher), actor=None, reason="",
                                     client_id=cid(), base_version=lesson.version)
    substitute, regular = user(w.accounts["teacher2"]), user(w.accounts["teacher"])
    assert access.can_write_lesson(substitute, lesson)
    access.require_lesson_writer(substitute, lesson)
    assert not access.can_read_lesson(substitute, next_week)          # another date: out of scope
    with pytest.raises(NotFound):
        access.require_lesson_writer(substitute, next_week)
    assert access.can_read_lesson(regular, lesson) and not access.can_write_lesson(regular, lesson)
    with pytest.raises(Forbidden):
        access.require_lesson_writer(regular, lesson)
    assert access.can_write_lesson(regular, next_week)
    assert access.can_write_lesson(user(w.accounts["deputy"]), lesson)
    class_teacher = user(w.accounts["class_teacher"])
    assert access.can_read_lesson(class_teacher, lesson) and not access.can_write_lesson(class_teacher, lesson)
    assert not access.can_read_lesson(user(w.accounts["other_deputy"]), lesson)
    lesson_actions.remove_substitute(lesson, actor=None, reason="back", client_id=cid(), base_version=lesson.version)
    assert not access.can_read_lesson(substitute, lesson) and access.can_write_lesson(regular, lesson)


def test_the_teachers_day_lists_own_and_substituted_lessons(session, w):
    place(w, w.assignment, 3, 1)
    other = factories.make_assignment(w.teacher2, w.sibling_class)
    place(w, other, 3, 2)
    theirs = lesson_on(session, other)
    lesson_actions.assign_substitute(theirs, w.teacher, absence=None, actor=None, reason="", client_id=cid(),
                                     base_version=theirs.version)
    day = lesson_queries.list_teacher_lessons(w.teacher.id, wednesday())
    assert [(v.lesson.period, v.lesson.taught_by_id) for v in day] == [(1, w.teacher.id), (2, w.teacher.id)]
    assert [v.lesson.period for v in lesson_queries.list_teacher_lessons(w.teacher2.id, wednesday())] == [2]


def test_pay_counts_a_substituted_lesson_once_for_the_substitute_and_as_missed(session, w):
    place(w, w.assignment, 3, 1)                               # Wednesdays
    other = factories.make_assignment(w.teacher2, w.sibling_class)
    place(w, other, 1, 1)                                      # Mondays
    october = (tt_on(10, 1), tt_on(10, 31))
    factories.tt_at(tt_on(10, 31))
    lesson = lesson_on(session, w.assignment, tt_on(10, 7))
    absence = absent(w, w.teacher, tt_on(10, 7), tt_on(10, 14))
    lesson_actions.assign_substitute(lesson, w.teacher2, absence=absence, actor=None, reason="", client_id=cid(),
                                     base_version=lesson.version)
    missed = lesson_on(session, w.assignment, tt_on(10, 14))
    lesson_actions.cancel_lesson(missed, absence=absence, actor=None, reason="nobody free", client_id=cid(),
                                 base_version=missed.version)
    quarantine = lesson_on(session, other, tt_on(10, 26))
    lesson_actions.cancel_lesson(quarantine, actor=None, reason="quarantine", client_id=cid(),
                                 base_version=quarantine.version)
    rows = {r.person.id: r for r in substitutes.pay_report(w.school.id, *october)[0]}
    wednesdays, mondays = 4, 4                                 # 7, 14, 21, 28 and 5, 12, 19, 26 October
    mine, theirs = rows[w.teacher.id], rows[w.teacher2.id]
    assert (mine.given, mine.substituted, mine.missed, mine.cancelled) == (wednesdays - 2, 0, 2, 0)
    assert (theirs.given, theirs.substituted, theirs.missed, theirs.cancelled) == (mondays - 1, 1, 0, 1)
    assert theirs.paid == mondays - 1 + 1
    factories.tt_at(tt_on(10, 20))                             # lessons after today are not counted yet
    rows = {r.person.id: r for r in substitutes.pay_report(w.school.id, *october)[0]}
    assert (rows[w.teacher.id].given, rows[w.teacher.id].missed, rows[w.teacher2.id].given) == (0, 2, 3)


def test_cancelling_grades_for_days_sends_one_notice_per_pupil(session, w):
    for name in ("Айжан", "Бакыт", "Чолпон"):
        factories.make_pupil(w.school_class, name)
    place(w, w.assignment, 3, 1)
    place(w, factories.make_assignment(w.class_teacher, w.school_class, hours=5), 4, 1)
    third = factories.make_assignment(w.teacher2, w.sibling_class)
    place(w, third, 3, 2)
    before = len(events(session))
    made = grade_cancellations.cancel_for_grades(w.school.id, grade_from=7, grade_to=7, starts_on=tt_on(10, 19),
                                            ends_on=tt_on(10, 30), reason="карантин", actor=w.accounts["deputy"])
    cancelled = session.execute(sa.select(Lesson).where(Lesson.cancellation_id == made.id)).scalars().all()
    assert made.lessons == len(cancelled) == 4 and all(lesson.status == "cancelled" for lesson in cancelled)
    assert lesson_on(session, third).status == "planned"                # grade 3 untouched
    sent = events(session)[before:]
    pupils = _class_pupils(session, w)
    assert sorted(e.pupil_id for e in sent) == sorted(pupils)           # one each, not one per lesson
    assert {e.object_type for e in sent} == {"cancellation"}
    with pytest.raises(Refused):
        grade_cancellations.cancel_for_grades(w.school.id, grade_from=7, grade_to=7, starts_on=tt_on(10, 19),
                                         ends_on=tt_on(10, 30), reason="again", actor=None)


def test_changes_to_past_lessons_send_no_notice(session, w):
    place(w, w.assignment, 3, 1)
    past = lesson_on(session, w.assignment, tt_on(10, 7))
    before = len(events(session))
    lesson_actions.cancel_lesson(past, actor=None, reason="correction", client_id=cid(), base_version=past.version)
    assert len(events(session)) == before


def test_a_replayed_form_changes_nothing_twice_and_a_stale_one_is_refused(session, w):
    place(w, w.assignment, 3, 1)
    lesson = lesson_on(session, w.assignment)
    client_id, seen = cid(), lesson.version
    lesson_actions.cancel_lesson(lesson, actor=None, reason="x", client_id=client_id, base_version=seen)
    changes = session.execute(sa.select(sa.func.count(LessonChange.id))).scalar()
    with pytest.raises(Refused):              # already cancelled: a second cancel is refused, not repeated
        lesson_actions.cancel_lesson(lesson, actor=None, reason="x", client_id=client_id, base_version=seen)
    lesson_actions.restore_lesson(lesson, actor=None, reason="y", client_id=cid(), base_version=lesson.version)
    with pytest.raises(Refused) as stale:
        lesson_actions.move_lesson(lesson, on_date=wednesday(), period=3, actor=None, reason="z", client_id=cid(),
                                   base_version=seen)
    assert stale.value.status == 409
    assert session.execute(sa.select(sa.func.count(LessonChange.id))).scalar() == changes + 1


def test_the_change_log_is_append_only(session, w):
    from sqlalchemy.exc import DatabaseError
    place(w, w.assignment, 3, 1)
    lesson = lesson_on(session, w.assignment)
    lesson_actions.cancel_lesson(lesson, actor=None, reason="x", client_id=cid(), base_version=lesson.version)
    session.flush()
    for statement in ("UPDATE lesson_change SET reason = 'y'", "DELETE FROM lesson_change"):
        nested = session.begin_nested()
        with pytest.raises(DatabaseError):
            session.execute(sa.text(statement))
        nested.rollback()


def test_a_timetable_change_tells_each_pupil_of_the_group_once(session, w):
    for name in ("Айжан", "Бакыт"):
        factories.make_pupil(w.school_class, name)
    before = len(events(session))
    entry = place(w, w.assignment, 3, 1)
    sent = events(session)[before:]
    assert sorted(e.pupil_id for e in sent) == sorted(_class_pupils(session, w))
    assert {(e.object_type, e.object_id) for e in sent} == {("timetable_entry", entry.id)}
    assert {e.payload["change"] for e in sent} == {"timetable"}
