"""Changing or withdrawing a teacher's absence: the days it covers, what happens to the lessons
it no longer covers (and who hears of it), the write contract, bad input and who may do it."""
import re
import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from kundoluk import tenancy
from kundoluk.models import ChangeHistory, Lesson, LessonChange, NotificationEvent, TeacherAbsence
from kundoluk.timetable import grade_cancellations, lesson_actions, queries, substitutes
from kundoluk.timetable.actions import Refused
from tests import factories
from tests.conftest import csrf_token, login, shows
from tests.factories import tt_on

PERSONAS = ("anonymous", "pupil", "parent", "teacher", "teacher2", "class_teacher", "deputy", "director",
            "admin", "other_deputy")
EDITORS = ("deputy", "admin")


def today():
    """A school Monday of the test year (the fixture's clock)."""
    return tt_on(10, 19)


def cid():
    return str(uuid.uuid4())


@pytest.fixture()
def w(world, session):
    factories.tt_world(world)
    factories.tt_at(today())
    world.lessons = session.execute(sa.select(Lesson).where(
        Lesson.teaching_assignment_id == world.assignment.id, Lesson.on_date >= today(),
        Lesson.on_date <= tt_on(10, 30)).order_by(Lesson.on_date, Lesson.period)).scalars().all()
    assert len({lesson.on_date for lesson in world.lessons}) >= 4   # the fixture gives several days to cover
    return world


@pytest.fixture()
def r(app, w):
    """For rule tests that call the actions directly: a request (messages are translated)."""
    with app.test_request_context("/"):
        tenancy.set_schools({w.school.id, w.other_school.id})
        yield w


def away(w, first, last, reason="грипп"):
    return lesson_actions.record_absence(w.school.id, w.teacher, starts_on=first, ends_on=last, reason=reason,
                                         actor=w.accounts["deputy"], client_id=cid())


def substitute(w, lesson, absence):
    lesson_actions.assign_substitute(lesson, w.class_teacher, absence=absence, actor=w.accounts["deputy"],
                                     reason="", client_id=cid(), base_version=lesson.version)


def cancel(w, lesson, absence):
    lesson_actions.cancel_lesson(lesson, absence=absence, actor=w.accounts["deputy"], reason="некому",
                                 client_id=cid(), base_version=lesson.version)


def change(w, absence, first, last, reason=None, base_version=None):
    return lesson_actions.change_absence(absence, starts_on=first, ends_on=last, reason=reason or absence.reason,
                                         actor=w.accounts["deputy"], client_id=cid(),
                                         base_version=base_version or absence.version)


def refusal(session, act):
    """Run an action that must be refused and roll its part back, as the view does."""
    nested = session.begin_nested()
    with pytest.raises(Refused) as refused:
        act()
    nested.rollback()
    return refused.value


def lesson_events(session, lesson):
    return session.execute(sa.select(NotificationEvent).where(
        NotificationEvent.kind == "timetable", NotificationEvent.object_type == "lesson",
        NotificationEvent.object_id == lesson.id)).scalars().all()


def changes(session, lesson):
    return session.execute(sa.select(LessonChange).where(LessonChange.lesson_id == lesson.id)
                           .order_by(LessonChange.id)).scalars().all()


def absence_history(session, absence_id):
    return session.execute(sa.select(ChangeHistory).where(
        ChangeHistory.table_name == "teacher_absence", ChangeHistory.row_id == absence_id)
        .order_by(ChangeHistory.id)).scalars().all()


def absences_of(session, w):
    return session.execute(sa.select(TeacherAbsence).where(TeacherAbsence.teacher_id == w.teacher.id)
                           .execution_options(populate_existing=True)).scalars().all()


def as_(client, w, persona):
    if persona != "anonymous":
        assert login(client, w.accounts[persona].login).status_code == 302
    return client


def send(client, url, prefix, **data):
    """POST as the absence page's form would: CSRF token, a fresh client id, prefixed names."""
    body = {f"{prefix}-{k}": v for k, v in data.items()}
    body.setdefault(f"{prefix}-csrf_token", csrf_token(client))
    body.setdefault(f"{prefix}-client_id", cid())
    return client.post(url, data=body)


def send_change(client, absence, **data):
    return send(client, f"/timetable/absences/{absence.public_id}", f"change-{absence.public_id}", **data)


def send_withdraw(client, absence, **data):
    return send(client, f"/timetable/absences/{absence.public_id}/withdraw", f"withdraw-{absence.public_id}",
                **data)


# --- Rules -----------------------------------------------------------------------------------------

def test_coming_back_early_gives_lessons_back_and_tells_families(session, r):
    w = r
    kept, given, held = w.lessons[0], w.lessons[1], w.lessons[2]
    assert kept.on_date == today() < given.on_date <= held.on_date
    absence = away(w, today(), tt_on(10, 30))
    for lesson in (kept, given):
        substitute(w, lesson, absence)
    cancel(w, held, absence)
    before = {lesson.id: len(lesson_events(session, lesson)) for lesson in (kept, given, held)}

    change(w, absence, today(), today())                                 # back tomorrow

    assert (absence.starts_on, absence.ends_on, absence.version) == (today(), today(), 2)
    assert (kept.taught_by_id, kept.absence_id) == (w.class_teacher.id, absence.id)   # today stays covered
    assert (given.taught_by_id, given.absence_id) == (w.teacher.id, None)
    assert (held.status, held.absence_id) == ("planned", None)
    assert changes(session, given)[-1].kind == "unsubstitute" and changes(session, held)[-1].kind == "restore"
    assert changes(session, held)[-1].old == {"status": "cancelled", "absence_id": absence.id}
    pupils = {e.pupil_id for e in lesson_events(session, given)}
    assert w.pupil.id in pupils
    assert len(lesson_events(session, kept)) == before[kept.id]
    for lesson, kind in ((given, "unsubstitute"), (held, "restore")):
        new = lesson_events(session, lesson)[before[lesson.id]:]
        assert {e.payload["change"] for e in new} == {kind} and {e.pupil_id for e in new} == pupils


def test_a_lesson_cancelled_for_several_grades_stays_cancelled_when_the_teacher_comes_back(session, r):
    w = r
    lesson = w.lessons[-1]
    absence = away(w, today(), tt_on(10, 30))
    substitute(w, lesson, absence)
    grade_cancellations.cancel_for_grades(w.school.id, grade_from=7, grade_to=7, starts_on=lesson.on_date,
                                     ends_on=lesson.on_date, reason="карантин", actor=None)
    session.refresh(lesson)
    change(w, absence, today(), today())
    assert (lesson.status, lesson.taught_by_id, lesson.absence_id) == ("cancelled", w.teacher.id, None)


def test_an_extension_keeps_the_covered_lessons_and_its_new_days_wait_for_cover(session, r):
    w = r
    first = w.lessons[0]
    absence = away(w, today(), today())
    substitute(w, first, absence)
    change(w, absence, today(), tt_on(10, 30), reason="больничный продлён")
    assert (absence.ends_on, absence.reason) == (tt_on(10, 30), "больничный продлён")
    assert (first.taught_by_id, first.absence_id) == (w.class_teacher.id, absence.id)
    assert all(lesson.taught_by_id == w.teacher.id for lesson in w.lessons[1:])
    history = absence_history(session, absence.id)
    assert history[-1].old["ends_on"] == today().isoformat() and history[-1].new["ends_on"] == "2026-10-30"
    assert history[-1].actor_account_id == w.accounts["deputy"].id


def _substitute_falls_ill(w, lesson):
    """The regular teacher is away; their substitute is then recorded away too and replaced."""
    regular_away = away(w, lesson.on_date, lesson.on_date)
    substitute(w, lesson, regular_away)
    substitute_away = lesson_actions.record_absence(w.school.id, w.class_teacher, starts_on=lesson.on_date,
                                                    ends_on=lesson.on_date, reason="температура",
                                                    actor=w.accounts["deputy"], client_id=cid())
    lesson_actions.assign_substitute(lesson, w.admin, absence=substitute_away, actor=w.accounts["deputy"],
                                     reason="", client_id=cid(), base_version=lesson.version)
    assert (lesson.taught_by_id, lesson.absence_id) == (w.admin.id, substitute_away.id)
    return regular_away, substitute_away


def withdraw(w, absence):
    lesson_actions.withdraw_absence(absence, actor=w.accounts["deputy"], reason="ошибка", client_id=cid(),
                                    base_version=absence.version)


def test_a_substitute_recorded_away_by_mistake_covers_the_lesson_again(session, r):
    """Not back to the regular teacher, who is away that day: to the substitute who is in after
    all, under the regular teacher's absence."""
    w = r
    lesson = w.lessons[1]
    regular_away, substitute_away = _substitute_falls_ill(w, lesson)
    withdraw(w, substitute_away)
    assert (lesson.taught_by_id, lesson.absence_id) == (w.class_teacher.id, regular_away.id)
    assert changes(session, lesson)[-1].kind == "substitute"


def test_a_lesson_whose_substitute_is_busy_again_waits_for_cover_under_the_regular_teachers_absence(session, r):
    w = r
    lesson = w.lessons[1]
    regular_away, substitute_away = _substitute_falls_ill(w, lesson)
    meanwhile = factories.make_assignment(w.class_teacher, factories.make_class(w.school, 9, "Ж"))
    lesson_actions.add_lesson(w.school.id, meanwhile, on_date=lesson.on_date, period=lesson.period, room=None,
                              actor=w.accounts["deputy"], reason="кошумча", client_id=cid())
    change(w, substitute_away, lesson.on_date + timedelta(days=1), lesson.on_date + timedelta(days=1))
    assert (lesson.taught_by_id, lesson.absence_id) == (w.teacher.id, regular_away.id)
    bells = queries.load_bells(w.school.id, lesson.on_date, lesson.on_date)
    assert lesson.id in {view.lesson.id for view in substitutes.absence_lessons(regular_away, bells)}


def test_days_before_today_cannot_be_taken_out(session, r):
    w = r
    absence = away(w, tt_on(10, 12), tt_on(10, 23))
    for first, last in ((tt_on(10, 13), tt_on(10, 23)),      # drops Monday 12th
                        (tt_on(10, 12), tt_on(10, 16)),      # drops last Friday and earlier days
                        (tt_on(10, 21), tt_on(10, 30))):     # moves wholly to the future
        refused = refusal(session, lambda: change(w, absence, first, last))
        assert shows(refused.messages[0], "Days before today"), (first, last)
        assert (absence.starts_on, absence.ends_on) == (tt_on(10, 12), tt_on(10, 23))
    change(w, absence, tt_on(10, 12), tt_on(10, 18))          # back today: yesterday was the last day
    change(w, absence, tt_on(10, 5), tt_on(10, 18))           # and it began a week earlier than recorded
    assert (absence.starts_on, absence.ends_on) == (tt_on(10, 5), tt_on(10, 18))


def test_an_absence_may_not_overlap_another_of_the_same_teacher_but_may_move_within_its_own_days(session, r):
    w = r
    absence = away(w, tt_on(10, 20), tt_on(10, 21))
    away(w, tt_on(10, 26), tt_on(10, 27))
    refused = refusal(session, lambda: change(w, absence, tt_on(10, 20), tt_on(10, 26)))
    assert refused.status == 409 and shows(refused.messages[0], "already recorded as away")
    assert absence.ends_on == tt_on(10, 21)
    change(w, absence, tt_on(10, 21), tt_on(10, 23))
    assert (absence.starts_on, absence.ends_on) == (tt_on(10, 21), tt_on(10, 23))


def test_the_same_checks_as_recording_an_absence(session, r):
    w = r
    absence = away(w, tt_on(10, 20), tt_on(10, 21))
    for first, last, needle in ((tt_on(10, 22), tt_on(10, 21), "last day comes before"),
                                (tt_on(10, 20), tt_on(6, 30), "outside the school year"),
                                (factories.year_start() - timedelta(days=10), tt_on(10, 21), "outside the school year")):
        refused = refusal(session, lambda: change(w, absence, first, last))
        assert shows(refused.messages[0], needle), (needle, first, last)
        assert (absence.starts_on, absence.ends_on) == (tt_on(10, 20), tt_on(10, 21))


def test_a_resent_change_is_applied_once(session, r):
    w = r
    absence = away(w, today(), tt_on(10, 30))
    lesson = w.lessons[-1]
    substitute(w, lesson, absence)
    same = cid()
    for _ in range(2):
        lesson_actions.change_absence(absence, starts_on=today(), ends_on=today(), reason="грипп",
                                      actor=w.accounts["deputy"], client_id=same, base_version=1)
    assert absence.version == 2 and lesson.taught_by_id == w.teacher.id
    assert [c.kind for c in changes(session, lesson)] == ["substitute", "unsubstitute"]


def test_withdrawing_a_future_absence_keeps_who_and_why(session, r):
    w = r
    given, held = w.lessons[-2], w.lessons[-1]
    absence = away(w, given.on_date, held.on_date)
    absence_id = absence.id
    substitute(w, given, absence)
    cancel(w, held, absence)
    lesson_actions.withdraw_absence(absence, actor=w.accounts["admin"], reason="ошибка: не тот учитель",
                                    client_id=cid(), base_version=absence.version)
    assert absences_of(session, r) == []
    assert (given.taught_by_id, given.absence_id) == (w.teacher.id, None)
    assert (held.status, held.absence_id) == ("planned", None)
    assert changes(session, held)[-1].reason == "ошибка: не тот учитель"
    assert {e.payload["change"] for e in lesson_events(session, given)} == {"substitute", "unsubstitute"}
    trace = absence_history(session, absence_id)[-1]
    assert trace.new == {"withdrawn": "ошибка: не тот учитель"}
    assert trace.actor_account_id == w.accounts["admin"].id
    assert (trace.old["starts_on"], trace.old["ends_on"]) == (given.on_date.isoformat(), held.on_date.isoformat())


def test_an_absence_that_began_cannot_be_withdrawn(session, r):
    w = r
    absence = away(w, today(), tt_on(10, 30))
    refused = refusal(session, lambda: lesson_actions.withdraw_absence(
        absence, actor=None, reason="ошибка", client_id=cid(), base_version=absence.version))
    assert refused.status == 409 and shows(refused.messages[0], "has begun")
    assert len(absences_of(session, r)) == 1


# --- Over HTTP -------------------------------------------------------------------------------------

def test_the_page_offers_the_change_form_and_withdraw_only_before_the_first_day(client, w, session):
    begun, coming = away(w, today(), tt_on(10, 21)), away(w, tt_on(10, 26), tt_on(10, 27))
    as_(client, w, "deputy")
    page = client.get(f"/timetable/absences/{begun.public_id}").get_data(as_text=True)
    assert f'name="change-{begun.public_id}-ends_on"' in page and f'value="{tt_on(10, 21).isoformat()}"' in page
    assert 'id="absence-withdraw"' not in page
    page = client.get(f"/timetable/absences/{coming.public_id}").get_data(as_text=True)
    assert 'id="absence-withdraw"' in page and f'name="withdraw-{coming.public_id}-reason"' in page


def test_extending_over_http_lists_the_new_days_to_cover(client, w, session):
    absence = away(w, today(), today())
    later = w.lessons[-1]
    as_(client, w, "deputy")
    assert f'id="lesson-{later.public_id}"' not in client.get(f"/timetable/absences/{absence.public_id}").get_data(
        as_text=True)
    resp = send_change(client, absence, starts_on=today().isoformat(), ends_on=tt_on(10, 30).isoformat(),
                       reason="грипп", base_version=str(absence.version))
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/timetable/absences/{absence.public_id}")
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert f'id="lesson-{later.public_id}"' in page
    assert absences_of(session, w)[0].ends_on == tt_on(10, 30)


def test_a_stale_change_answers_409_with_both_values_and_sending_again_keeps_mine(client, w, session):
    absence = away(w, today(), tt_on(10, 23))
    as_(client, w, "deputy")
    meanwhile = send_change(client, absence, starts_on=today().isoformat(), ends_on=tt_on(10, 22).isoformat(),
                            reason="грипп", base_version="1")   # another tab, or the other deputy
    assert meanwhile.status_code == 302
    resp = send_change(client, absence, starts_on=today().isoformat(), ends_on=tt_on(10, 27).isoformat(),
                       reason="грипп", base_version="1")
    body = resp.get_data(as_text=True)
    assert resp.status_code == 409
    assert re.search(r'<td class="yours">\s*2026-10-27\s*</td><td class="theirs">\s*2026-10-22\s*</td>', body), body
    assert absences_of(session, w)[0].ends_on == tt_on(10, 22)
    version = re.search(rf'name="change-{absence.public_id}-base_version" type="hidden" value="(\d+)"', body)
    assert version and version.group(1) == "2"
    resp = send_change(client, absence, starts_on=today().isoformat(), ends_on=tt_on(10, 27).isoformat(),
                       reason="грипп", base_version=version.group(1))
    assert resp.status_code == 302
    assert absences_of(session, w)[0].ends_on == tt_on(10, 27)


def test_dropping_past_days_over_http_is_refused_with_the_reason(client, w, session):
    absence = away(w, tt_on(10, 12), tt_on(10, 23))
    as_(client, w, "deputy")
    resp = send_change(client, absence, starts_on=tt_on(10, 15).isoformat(), ends_on=tt_on(10, 23).isoformat(),
                       reason="грипп", base_version=str(absence.version))
    assert resp.status_code == 422 and shows(resp.get_data(as_text=True), "Days before today")
    assert absences_of(session, w)[0].starts_on == tt_on(10, 12)


@pytest.mark.parametrize("data,needle", [
    ({"starts_on": "21.10.2026", "ends_on": "2026-10-23"}, "2026-10-14"),
    ({"starts_on": "2026-10-20", "ends_on": ""}, "This field is required"),
    ({"starts_on": "2026-10-23", "ends_on": "2026-10-20"}, "The last day comes before the first"),
    ({"starts_on": "2026-10-20", "ends_on": "2026-10-23", "reason": ""}, "This field is required"),
])
def test_a_malformed_change_answers_422_with_the_form_and_saves_nothing(client, w, session, data, needle):
    absence = away(w, tt_on(10, 20), tt_on(10, 21))
    as_(client, w, "deputy")
    resp = send_change(client, absence, **{"reason": "грипп", **data}, base_version=str(absence.version))
    body = resp.get_data(as_text=True)
    assert resp.status_code == 422 and shows(body, needle), body[-3000:]
    assert f'name="change-{absence.public_id}-starts_on"' in body
    saved = absences_of(session, w)[0]
    assert (saved.starts_on, saved.ends_on, saved.version) == (tt_on(10, 20), tt_on(10, 21), 1)
    assert len(absence_history(session, absence.id)) == 1         # only its recording


def test_withdrawing_over_http(client, w, session):
    lesson = w.lessons[-1]
    absence = away(w, lesson.on_date, lesson.on_date)
    cancel(w, lesson, absence)
    session.flush()
    as_(client, w, "deputy")
    url = f"/timetable/absences/{absence.public_id}"
    assert send_withdraw(client, absence, reason="", base_version=str(absence.version)).status_code == 422
    assert send_withdraw(client, absence, reason="ошибка", base_version="0").status_code == 409
    assert len(absences_of(session, w)) == 1
    resp = send_withdraw(client, absence, reason="ошибка", base_version=str(absence.version))
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/timetable/absences")
    assert client.get(url).status_code == 404
    session.refresh(lesson)
    assert (lesson.status, lesson.absence_id) == ("planned", None)


def test_withdrawing_an_absence_that_began_answers_409(client, w, session):
    absence = away(w, today(), tt_on(10, 21))
    as_(client, w, "deputy")
    resp = send_withdraw(client, absence, reason="ошибка", base_version=str(absence.version))
    assert resp.status_code == 409 and shows(resp.get_data(as_text=True), "has begun")
    assert len(absences_of(session, w)) == 1


# --- Access ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("persona", PERSONAS)
def test_only_timetable_editors_of_the_school_may_change_or_withdraw(client, w, session, persona):
    absence = away(w, tt_on(10, 26), tt_on(10, 27))
    session.flush()
    as_(client, w, persona)
    for resp in (send_change(client, absence), send_withdraw(client, absence)):  # empty forms
        expected = 302 if persona == "anonymous" else 422 if persona in EDITORS else 404
        assert resp.status_code == expected, (persona, resp.request.path)
    assert len(absences_of(session, w)) == 1


def test_a_change_without_its_csrf_token_is_refused(client, w, session):
    absence = away(w, tt_on(10, 26), tt_on(10, 27))
    as_(client, w, "deputy")
    resp = client.post(f"/timetable/absences/{absence.public_id}/withdraw",
                       data={f"withdraw-{absence.public_id}-reason": "x",
                             f"withdraw-{absence.public_id}-base_version": str(absence.version)})
    assert resp.status_code == 400
    assert len(absences_of(session, w)) == 1
