"""Lifting a cancellation of several grades from a day on: the lessons left are held again,
past days stay as they were, a taken slot is never double-booked, families hear once."""
import uuid

import pytest
import sqlalchemy as sa

from kundoluk import tenancy
from kundoluk.models import Cancellation, ChangeHistory, Enrolment, Lesson, LessonChange, NotificationEvent, Shift
from kundoluk.timetable import actions, grade_cancellations, lesson_actions
from kundoluk.timetable.actions import Refused
from tests import factories
from tests.conftest import csrf_token, login, shows
from tests.factories import tt_on


def cid():
    return str(uuid.uuid4())


@pytest.fixture()
def w(app, world):
    factories.tt_calendar(world.school)
    factories.tt_at(tt_on(10, 21))                                 # "today": a Wednesday
    with app.test_request_context("/"):
        tenancy.set_schools({world.school.id, world.other_school.id})
        place(world, world.assignment, 3, 1)                       # grade 7: Wednesdays, lesson 1
        place(world, world.assignment, 5, 2)                       # and Fridays, lesson 2
        yield world


def place(w, assignment, weekday, period):
    return actions.place_entry(w.school.id, assignment, weekday=weekday, period=period, parity="every", room=None,
                               valid_from=tt_on(9, 1), actor=None, reason="", client_id=cid())


def cancel(w, first, last):
    return grade_cancellations.cancel_for_grades(w.school.id, grade_from=7, grade_to=7, starts_on=first, ends_on=last,
                                            reason="карантин", actor=w.accounts["deputy"])


def lift(w, cancellation, from_day, reason="карантин бүттү"):
    return grade_cancellations.lift_cancellation(cancellation, from_day=from_day, reason=reason,
                                            actor=w.accounts["deputy"])


def statuses(session, w):
    """{date: (status, cancellation id)} of the grade-7 lessons of these weeks."""
    rows = session.execute(sa.select(Lesson).where(Lesson.teaching_assignment_id == w.assignment.id,
                                                   Lesson.on_date >= tt_on(10, 14), Lesson.on_date <= tt_on(10, 30))
                           ).scalars()
    return {lesson.on_date: (lesson.status, lesson.cancellation_id) for lesson in rows}


def resumed(session):
    return session.execute(sa.select(NotificationEvent).where(NotificationEvent.kind == "timetable")).scalars().all()


def test_lifting_from_today_holds_the_rest_again_and_leaves_past_days_cancelled(session, w):
    made = cancel(w, tt_on(10, 14), tt_on(10, 30))                 # began last week
    versions = {lesson.on_date: lesson.version for lesson in session.execute(
        sa.select(Lesson).where(Lesson.cancellation_id == made.id)).scalars()}
    done = lift(w, made, tt_on(10, 21))
    after = statuses(session, w)
    assert after[tt_on(10, 14)] == after[tt_on(10, 16)] == ("cancelled", made.id)
    for day in (tt_on(10, 21), tt_on(10, 23), tt_on(10, 28), tt_on(10, 30)):
        assert after[day] == ("planned", None), day
    assert (done.restored, done.kept) == (4, 0)
    assert (made.starts_on, made.ends_on, made.lessons) == (tt_on(10, 14), tt_on(10, 20), 2)
    restored = session.execute(sa.select(Lesson).where(Lesson.teaching_assignment_id == w.assignment.id,
                                                       Lesson.on_date == tt_on(10, 28))).scalar_one()
    assert restored.version == versions[tt_on(10, 28)] + 1        # a stale form about it is refused
    trace = session.execute(sa.select(ChangeHistory).where(ChangeHistory.table_name == "cancellation",
                                                           ChangeHistory.row_id == made.id)).scalar_one()
    assert trace.old["ends_on"] == tt_on(10, 30).isoformat() and trace.new["lifted_from"] == tt_on(10, 21).isoformat()
    assert trace.new["reason"] == "карантин бүттү" and trace.actor_account_id == w.accounts["deputy"].id


@pytest.mark.parametrize("day", [tt_on(10, 26), tt_on(10, 21)])   # its first day, or today (before it)
def test_lifting_from_its_first_day_lifts_it_entirely_and_keeps_the_row(session, w, day):
    made = cancel(w, tt_on(10, 26), tt_on(10, 30))                 # next week
    done = lift(w, made, day)
    assert done.restored == 2
    assert session.execute(sa.select(sa.func.count(Lesson.id)).where(Lesson.cancellation_id == made.id)).scalar() == 0
    assert session.get(Cancellation, made.id) is made
    assert (made.ends_on, made.lessons) == (tt_on(10, 25), 0)     # the marker: ends the day before its first
    with pytest.raises(Refused) as again:
        lift(w, made, tt_on(10, 21))
    assert again.value.status == 409


@pytest.mark.parametrize("day", [tt_on(10, 20), tt_on(10, 31)])
def test_a_day_before_today_or_after_its_end_is_refused(session, w, day):
    made = cancel(w, tt_on(10, 14), tt_on(10, 30))
    before = statuses(session, w)
    with pytest.raises(Refused):
        lift(w, made, day)
    assert statuses(session, w) == before and made.ends_on == tt_on(10, 30)


def test_families_hear_once_per_pupil_that_lessons_are_held_again(session, w):
    for name in ("Айжан", "Бакыт"):
        factories.make_pupil(w.school_class, name)
    made = cancel(w, tt_on(10, 21), tt_on(10, 30))
    before = len(resumed(session))
    lift(w, made, tt_on(10, 23))                                   # three lessons, two days
    sent = resumed(session)[before:]
    pupils = set(session.execute(sa.select(Enrolment.pupil_id).where(
        Enrolment.school_class_id == w.school_class.id)).scalars())
    assert len(pupils) >= 3 and sorted(e.pupil_id for e in sent) == sorted(pupils)
    assert all(e.payload == {"change": "resumed_days", "from": tt_on(10, 23).isoformat(),
                             "to": tt_on(10, 30).isoformat()} for e in sent)
    assert all(e.important and e.object_type == "cancellation" and e.object_id == made.id for e in sent)


def test_the_push_text_says_what_happened(app):
    from kundoluk.push import render
    with app.app_context():
        texts = [render.message({"category": "timetable", "pupil": "Айжан", "items": [{"change": change}]}, "en")
                 for change in ("cancelled_days", "resumed_days")]
    assert "cancelled for some days" in texts[0]["body"] and "held again" in texts[1]["body"]


def test_a_lesson_whose_time_was_taken_stays_cancelled(session, w):
    made = cancel(w, tt_on(10, 21), tt_on(10, 30))
    history = factories.make_assignment(w.class_teacher, w.school_class, hours=1)
    taken = lesson_actions.add_lesson(w.school.id, history, on_date=tt_on(10, 28), period=1, room=None,
                                      actor=None, reason="кошумча", client_id=cid())   # the class's slot, meanwhile
    done = lift(w, made, tt_on(10, 21))
    after = statuses(session, w)
    assert after[tt_on(10, 28)] == ("cancelled", made.id)
    assert after[tt_on(10, 21)] == after[tt_on(10, 30)] == ("planned", None)
    assert (done.restored, done.kept) == (3, 1) and taken.status == "planned"
    kept = session.execute(sa.select(Lesson).where(Lesson.cancellation_id == made.id)).scalar_one()
    change = session.execute(sa.select(LessonChange).where(LessonChange.lesson_id == kept.id)).scalar_one()
    assert change.kind == "cancel" and shows(change.reason, "taken its time")


def test_the_same_teacher_elsewhere_at_another_time_is_no_clash(session, w):
    made = cancel(w, tt_on(10, 21), tt_on(10, 30))
    other_class = factories.make_class(w.school, 9, "Б")
    ninth = factories.make_assignment(w.teacher, other_class, hours=1)
    lesson_actions.add_lesson(w.school.id, ninth, on_date=tt_on(10, 28), period=2, room=None, actor=None,
                              reason="кошумча", client_id=cid())
    same_time = lesson_actions.add_lesson(w.school.id, ninth, on_date=tt_on(10, 30), period=2, room=None,
                                          actor=None, reason="кошумча", client_id=cid())
    done = lift(w, made, tt_on(10, 21))
    after = statuses(session, w)
    assert after[tt_on(10, 28)] == ("planned", None)              # the teacher's other lesson is at 2
    assert after[tt_on(10, 30)] == ("cancelled", made.id)         # the teacher teaches grade 9 then
    assert (done.restored, done.kept) == (3, 1) and same_time.status == "planned"


def test_a_lesson_of_the_other_shift_clashes_by_clock_time_only(session, w):
    """Periods of the second shift are other times: its lesson 1 (9:00–9:45) overlaps the first
    shift's lesson 2 (8:55–9:40), its lesson 2 (9:55) does not."""
    made = cancel(w, tt_on(10, 21), tt_on(10, 30))
    afternoon = Shift(school_id=w.school.id, number=2)
    session.add(afternoon)
    session.flush()
    factories.tt_bells(w.school, afternoon, first_bell=(9, 0))
    sixth = factories.make_class(w.school, 6, "В")
    sixth.shift_id = afternoon.id
    session.flush()
    sixth_math = factories.make_assignment(w.teacher, sixth, hours=1)
    for day, period in ((tt_on(10, 23), 2), (tt_on(10, 30), 1)):   # Fridays: grade 7 has lesson 2 then
        lesson_actions.add_lesson(w.school.id, sixth_math, on_date=day, period=period, room=None, actor=None,
                                  reason="кошумча", client_id=cid())
    done = lift(w, made, tt_on(10, 21))
    after = statuses(session, w)
    assert after[tt_on(10, 23)] == ("planned", None)
    assert after[tt_on(10, 30)] == ("cancelled", made.id)
    assert (done.restored, done.kept) == (3, 1)


# --- Over HTTP ---------------------------------------------------------------------------------

def send_lift(client, cancellation, **data):
    key = f"lift-{cancellation.public_id}-"
    body = {key + k: v for k, v in data.items()}
    body[key + "csrf_token"] = csrf_token(client)
    return client.post(f"/timetable/cancellations/{cancellation.public_id}/lift", data=body)


@pytest.mark.parametrize("persona", ["deputy", "admin"])
def test_an_editor_lifts_it_and_sees_the_result(client, session, w, persona):
    made = cancel(w, tt_on(10, 14), tt_on(10, 30))
    assert login(client, w.accounts[persona].login).status_code == 302
    page = client.get("/timetable/cancellations").get_data(as_text=True)
    assert f'action="/timetable/cancellations/{made.public_id}/lift"' in page
    resp = send_lift(client, made, from_day=tt_on(10, 21).isoformat(), reason="бүттү")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/timetable/cancellations")
    page = client.get("/timetable/cancellations").get_data(as_text=True)
    assert shows(page, "lesson is held again from")  # the flash: 4 lessons, in the deputy's language
    assert f'action="/timetable/cancellations/{made.public_id}/lift"' not in page   # it ended yesterday now
    session.expire_all()
    assert statuses(session, w)[tt_on(10, 23)] == ("planned", None)
    assert made.ends_on == tt_on(10, 20)


@pytest.mark.parametrize("persona", ["teacher", "class_teacher", "director", "pupil", "parent", "other_deputy"])
def test_other_roles_get_404_and_nothing_changes(client, session, w, persona):
    made = cancel(w, tt_on(10, 14), tt_on(10, 30))
    assert login(client, w.accounts[persona].login).status_code == 302
    resp = send_lift(client, made, from_day=tt_on(10, 21).isoformat(), reason="x")
    assert resp.status_code == 404
    session.expire_all()
    assert statuses(session, w)[tt_on(10, 21)] == ("cancelled", made.id) and made.ends_on == tt_on(10, 30)


@pytest.mark.parametrize("day,needle", [("21.10.2026", "Enter a date like"), (tt_on(10, 20).isoformat(), "before today")])
def test_a_bad_day_answers_with_the_form_and_saves_nothing(client, session, w, day, needle):
    made = cancel(w, tt_on(10, 14), tt_on(10, 30))
    before = statuses(session, w)
    assert login(client, w.accounts["deputy"].login).status_code == 302
    resp = send_lift(client, made, from_day=day, reason="бүттү")
    body = resp.get_data(as_text=True)
    assert resp.status_code == 422 and shows(body, needle)
    assert f'name="lift-{made.public_id}-from_day"' in body and f'value="{day}"' in body   # as typed
    session.expire_all()
    assert statuses(session, w) == before and session.get(Cancellation, made.id).ends_on == tt_on(10, 30)
