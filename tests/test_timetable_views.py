"""Timetable pages over HTTP: the permission matrix of every endpoint, CSRF, fragments, both
languages, families' scoping, the kiosk board, and bad input answered without a 500."""
import re
import uuid

import pytest
import sqlalchemy as sa

from kundoluk.models import Lesson, LessonChange, StudyGroup, TimetableEntry
from kundoluk.timetable import lesson_actions
from tests import factories
from tests.conftest import csrf_token, login, shows
from tests.factories import tt_on

PERSONAS = ("anonymous", "pupil", "parent", "teacher", "teacher2", "class_teacher", "deputy", "director",
            "admin", "other_deputy")
STAFF = ("teacher", "teacher2", "class_teacher", "deputy", "director", "admin")
EDITORS = ("deputy", "admin")


def wednesday():
    """A school Wednesday of the test year (computed when asked: the clock is the test's)."""
    return tt_on(10, 21)


@pytest.fixture()
def w(world, session):
    factories.tt_world(world)
    factories.tt_at(tt_on(10, 19))
    world.lesson = factories.tt_lesson(world.assignment, wednesday())
    world.room = factories.tt_room(world.school, "Химия")
    world.elective = StudyGroup(school_id=world.school.id, academic_year_id=world.school.year.id, kind="elective",
                                name="Шахмат")
    session.add(world.elective)
    world.entry = session.execute(sa.select(TimetableEntry).where(
        TimetableEntry.teaching_assignment_id == world.assignment.id)).scalars().first()
    world.absence = lesson_actions.record_absence(world.school.id, world.teacher, starts_on=wednesday(),
                                                  ends_on=wednesday(), reason="грипп", actor=None, client_id=cid())
    world.link, world.token = _kiosk(world)
    session.flush()
    return world


def _kiosk(world):
    from flask import current_app
    with current_app.test_request_context("/"):
        return lesson_actions.create_kiosk_link(world.school.id, "Hall", None)


def cid():
    return str(uuid.uuid4())


def as_(client, w, persona):
    if persona != "anonymous":
        assert login(client, w.accounts[persona].login).status_code == 302
    return client


def send(client, url, prefix=None, **data):
    """POST as the page's form would: CSRF token and a fresh client id, field names prefixed."""
    key = (lambda k: f"{prefix}-{k}") if prefix else (lambda k: k)
    body = {key(k): v for k, v in data.items()}
    body.setdefault(key("csrf_token"), csrf_token(client))
    body.setdefault(key("client_id"), cid())
    return client.post(url, data=body)


def urls(w):
    c, lesson = w.school_class.public_id, w.lesson.public_id
    return {
        "index": "/timetable/", "class_grid": f"/timetable/classes/{c}", "mine": "/timetable/mine",
        "group_grid": f"/timetable/groups/{w.elective.public_id}",
        "teacher_grid": f"/timetable/teachers/{w.teacher.public_id}", "rooms": "/timetable/rooms",
        "room_grid": f"/timetable/rooms/{w.room.public_id}", "cell": f"/timetable/classes/{c}/cell?weekday=1&period=2",
        "group_cell": f"/timetable/groups/{w.elective.public_id}/cell?weekday=1&period=2",
        "class_week": f"/timetable/classes/{c}/week?week=" + tt_on(10, 19).isoformat(),
        "lesson": f"/timetable/lessons/{lesson}", "lesson_cover": f"/timetable/lessons/{lesson}/cover",
        "lesson_new": f"/timetable/classes/{c}/lessons/new", "absences": "/timetable/absences",
        "absence": f"/timetable/absences/{w.absence.public_id}", "cancellations": "/timetable/cancellations",
        "flagged": "/timetable/flagged", "kiosk_links": "/timetable/kiosk", "pay": "/timetable/pay",
        "my_week": "/timetable/my", "children": "/timetable/children",
        "child_week": f"/timetable/children/{w.pupil.public_id}", "board": f"/timetable/board/{w.token}",
    }


def _staff(status, *who, others=404):
    return {**{p: status for p in who}, "*": others}


# endpoint -> {persona: status}; "*" is everyone else. Anonymous is 302 (sign in) unless listed.
GET_MATRIX = {
    "index": _staff(200, *STAFF, "other_deputy"),
    "class_grid": _staff(200, *STAFF),
    "group_grid": _staff(200, *STAFF),
    "teacher_grid": _staff(200, *STAFF),
    "mine": _staff(302, *STAFF, "other_deputy"),
    "rooms": _staff(200, *STAFF, "other_deputy"),
    "room_grid": _staff(200, *STAFF),
    "cell": _staff(200, *EDITORS),
    "group_cell": _staff(200, *EDITORS),
    "class_week": _staff(200, *STAFF),
    # the lesson's regular teacher, the class teacher of its class and the administration
    "lesson": _staff(200, "teacher", "class_teacher", "deputy", "director", "admin"),
    "lesson_cover": _staff(200, *EDITORS),
    "lesson_new": _staff(200, *EDITORS),
    "absences": _staff(200, *EDITORS, "other_deputy"),
    "absence": _staff(200, *EDITORS),
    "cancellations": _staff(200, *EDITORS, "other_deputy"),
    "flagged": _staff(200, *EDITORS, "other_deputy"),
    "kiosk_links": _staff(200, *EDITORS, "other_deputy"),
    "pay": _staff(200, "deputy", "director", "admin", "other_deputy"),
    "my_week": _staff(200, "pupil"),
    "children": _staff(302, "parent"),
    "child_week": _staff(200, "parent"),
    "board": {"*": 200, "anonymous": 200},
}


def test_every_timetable_get_endpoint_is_in_the_matrix(app):
    endpoints = {r.endpoint.split(".", 1)[1] for r in app.url_map.iter_rules()
                 if r.endpoint.startswith("timetable.") and "GET" in r.methods}
    assert endpoints == set(GET_MATRIX)


@pytest.mark.parametrize("persona", PERSONAS)
def test_get_permission_matrix(client, w, persona):
    as_(client, w, persona)
    for endpoint, url in urls(w).items():
        rule = GET_MATRIX[endpoint]
        expected = rule.get(persona, 302 if persona == "anonymous" else rule["*"])
        resp = client.get(url)
        assert resp.status_code == expected, (persona, endpoint, url)
        if expected == 302 and persona == "anonymous":
            assert "/login" in resp.headers["Location"]


def post_urls(w):
    c, lesson, entry = w.school_class.public_id, w.lesson.public_id, w.entry.public_id
    if "cancellation" not in w.__dict__:  # a row to lift (it cancels no lesson itself)
        from kundoluk.models import Cancellation
        w.cancellation = factories._add(Cancellation(school_id=w.school.id, grade_from=7, grade_to=7, reason="карантин",
                                                     starts_on=tt_on(10, 26), ends_on=tt_on(10, 30)))
    lift = w.cancellation.public_id
    return {
        "room_add": ("/timetable/rooms", None), "alternating_save": (f"/timetable/classes/{c}/alternating", None),
        "entry_add": (f"/timetable/classes/{c}/entries", None),
        "group_entry_add": (f"/timetable/groups/{w.elective.public_id}/entries", None),
        "entry_save": (f"/timetable/entries/{entry}", f"entry-{entry}"),
        "lesson_cancel": (f"/timetable/lessons/{lesson}/cancel", f"cancel-{lesson}"),
        "lesson_restore": (f"/timetable/lessons/{lesson}/restore", f"restore-{lesson}"),
        "lesson_keep": (f"/timetable/lessons/{lesson}/keep", f"keep-{lesson}"),
        "lesson_move": (f"/timetable/lessons/{lesson}/move", f"move-{lesson}"),
        "lesson_room": (f"/timetable/lessons/{lesson}/room", f"room-{lesson}"),
        "lesson_unsubstitute": (f"/timetable/lessons/{lesson}/unsubstitute", f"unsub-{lesson}"),
        "lesson_substitute": (f"/timetable/lessons/{lesson}/substitute", f"sub-{lesson}"),
        "lesson_add": (f"/timetable/classes/{c}/lessons", None),
        "absence_add": ("/timetable/absences", None),
        "absence_save": (f"/timetable/absences/{w.absence.public_id}", f"change-{w.absence.public_id}"),
        "absence_withdraw": (f"/timetable/absences/{w.absence.public_id}/withdraw", f"withdraw-{w.absence.public_id}"),
        "absence_lesson_cancel": (f"/timetable/absences/{w.absence.public_id}/lessons/{lesson}/cancel",
                                  f"cancel-{lesson}"),
        "cancellation_add": ("/timetable/cancellations", None), "resync": ("/timetable/resync", None),
        "cancellation_lift": (f"/timetable/cancellations/{lift}/lift", f"lift-{lift}"),
        "kiosk_add": ("/timetable/kiosk", None), "kiosk_revoke": (f"/timetable/kiosk/{w.link.public_id}/revoke", None),
    }


# An editor's empty form: 422 (the form says what is missing), or a redirect where no field is
# needed (alternating weeks, re-sync, revoke) or the page reports on itself (the absence's cancel).
EMPTY_FORM = {"alternating_save": 302, "resync": 302, "kiosk_revoke": 302, "absence_lesson_cancel": 302}
# Endpoints that name no object of the school: the other school's deputy reaches their own.
SCHOOLLESS = ("room_add", "absence_add", "cancellation_add", "resync", "kiosk_add")


def test_every_timetable_post_endpoint_is_in_the_matrix(app, w):
    endpoints = {r.endpoint.split(".", 1)[1] for r in app.url_map.iter_rules()
                 if r.endpoint.startswith("timetable.") and "POST" in r.methods}
    assert endpoints == set(post_urls(w))


@pytest.mark.parametrize("persona", PERSONAS)
def test_post_permission_matrix(client, w, persona, session):
    as_(client, w, persona)
    for endpoint, (url, prefix) in post_urls(w).items():
        if persona == "anonymous":
            expected = 302
        elif persona in EDITORS or (persona == "other_deputy" and endpoint in SCHOOLLESS):
            expected = EMPTY_FORM.get(endpoint, 422)
        else:
            expected = 404
        nested = session.begin_nested()
        resp = send(client, url, prefix)
        nested.rollback()
        assert resp.status_code == expected, (persona, endpoint, resp.status_code)


def test_a_post_without_its_csrf_token_is_refused(client, w):
    as_(client, w, "deputy")
    resp = client.post(f"/timetable/lessons/{w.lesson.public_id}/cancel",
                       data={f"cancel-{w.lesson.public_id}-reason": "x"})
    assert resp.status_code == 400
    assert w.lesson.status == "planned"


def test_the_board_refreshes_as_a_fragment(client, w):
    resp = client.get(f"/timetable/board/{w.token}", headers={"HX-Request": "true", "HX-Target": "board"})
    body = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "<html" not in body and 'id="board"' in body
    assert "HX-Request" in resp.headers["Vary"] and "HX-Target" in resp.headers["Vary"]
    assert "<html" in client.get(f"/timetable/board/{w.token}").get_data(as_text=True)


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_pages_render_in_both_languages(client, w, session, lang):
    for name in ("deputy", "pupil", "parent"):
        w.accounts[name].person.language = lang
    session.flush()
    as_(client, w, "deputy")
    for endpoint in ("index", "class_grid", "class_week", "lesson", "absence", "pay", "cell"):
        body = client.get(urls(w)[endpoint]).get_data(as_text=True)
        assert f'<html lang="{lang}">' in body, endpoint
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    as_(client, w, "pupil")
    assert f'<html lang="{lang}">' in client.get("/timetable/my?week=" + tt_on(10, 19).isoformat()).get_data(as_text=True)


# --- Families ------------------------------------------------------------------------------

def test_the_pupil_sees_a_substitute_a_new_room_and_a_cancellation(client, w, session):
    lessons = session.execute(sa.select(Lesson).join(StudyGroup, StudyGroup.id == Lesson.group_id).where(
        StudyGroup.school_class_id == w.school_class.id, Lesson.on_date >= tt_on(10, 19),
        Lesson.on_date <= tt_on(10, 23)).order_by(Lesson.on_date, Lesson.period)).scalars().all()
    first, second, third = lessons[:3]
    as_(client, w, "deputy")
    answers = [
        send(client, f"/timetable/lessons/{first.public_id}/substitute", f"sub-{first.public_id}",
             teacher=w.class_teacher.public_id, base_version=first.version),
        send(client, f"/timetable/lessons/{second.public_id}/room", f"room-{second.public_id}",
             room=w.room.public_id, reason="лаборатория", base_version=second.version),
        send(client, f"/timetable/lessons/{third.public_id}/cancel", f"cancel-{third.public_id}",
             reason="семинар", base_version=third.version)]
    assert [a.status_code for a in answers] == [302] * 3, [a.get_data(as_text=True)[-2000:] for a in answers]
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    as_(client, w, "pupil")
    page = client.get("/timetable/my?week=" + tt_on(10, 19).isoformat()).get_data(as_text=True)
    substituted, moved_room, cancelled = (_item(page, x.public_id) for x in (first, second, third))
    assert "tag sub" in substituted and substituted.count(w.class_teacher.full_name) == 1, substituted
    assert "tag room" in moved_room and "Химия" in moved_room, moved_room
    assert "tag cancel" in cancelled, cancelled


def _item(page, public_id):
    found = re.search(rf'<li class="lesson[^"]*" id="lesson-{re.escape(public_id)}">(.*?)</li>', page, re.S)
    assert found, (public_id, page)
    return found.group(1)


def test_a_parent_chooses_among_own_children_only(client, w):
    as_(client, w, "parent")
    first = client.get("/timetable/children")
    assert first.status_code == 302
    page = client.get(first.headers["Location"]).get_data(as_text=True)
    assert w.pupil.short_name in page and w.sibling.short_name in page
    assert client.get(f"/timetable/children/{w.sibling.public_id}?week=" + tt_on(10, 19).isoformat()).status_code == 200
    assert client.get(f"/timetable/children/{w.other_pupil.public_id}").status_code == 404
    assert client.get(f"/timetable/children/{w.teacher.public_id}").status_code == 404


def test_a_malformed_week_is_not_a_500(client, w):
    as_(client, w, "pupil")
    assert client.get("/timetable/my?week=2026-13-45").status_code == 404
    assert client.get("/timetable/my?week=1999-01-04").status_code == 200


# --- The hall board --------------------------------------------------------------------------

def test_the_board_shows_changes_without_children_and_stops_when_revoked(client, w, session):
    factories.tt_at(wednesday())
    lesson_actions.assign_substitute(w.lesson, w.class_teacher, absence=w.absence, actor=None, reason="",
                                     client_id=cid(), base_version=w.lesson.version)
    session.flush()
    page = client.get(f"/timetable/board/{w.token}").get_data(as_text=True)
    assert w.class_teacher.full_name in page and "7-А" in page
    assert w.pupil.full_name not in page and w.pupil.given_name not in page and "грипп" not in page
    as_(client, w, "deputy")
    assert send(client, f"/timetable/kiosk/{w.link.public_id}/revoke").status_code == 302
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    assert client.get(f"/timetable/board/{w.token}").status_code == 404
    assert client.get("/timetable/board/not-a-token").status_code == 404


def test_a_new_kiosk_link_is_shown_once_and_only_its_hash_kept(client, w, session):
    from kundoluk.models import KioskLink
    as_(client, w, "deputy")
    resp = send(client, "/timetable/kiosk", label="Фойе")
    assert resp.status_code == 201
    url = re.search(r"<code>([^<]+)</code>", resp.get_data(as_text=True)).group(1)
    token = url.rsplit("/", 1)[1]
    assert session.execute(sa.select(KioskLink).where(KioskLink.token_hash == token)).first() is None
    assert client.get(f"/timetable/board/{token}").status_code == 200


# --- Bad input over HTTP -------------------------------------------------------------------------

def entries_and_lessons(session):
    return (session.execute(sa.select(sa.func.count(TimetableEntry.id))).scalar(),
            session.execute(sa.select(sa.func.count(Lesson.id))).scalar())


@pytest.mark.parametrize("change,status,needle", [
    ({"period": "9"}, 422, "bell schedule"),
    ({"parity": "odd"}, 422, "alternate"),
    ({"valid_from": "2031-01-01"}, 422, "outside the school year"),
    ({"valid_from": "14.10.2026"}, 422, "2026-10-14"),
    ({"assignment": "foreign"}, 422, "Choose a subject and teacher of this class"),
    ({"room": "nonsense"}, 422, "Choose a room of this school"),
    ({"weekday": "7"}, 422, "Monday to Friday"),
    ({"period": "1"}, 409, "already"),
])
def test_a_bad_weekly_entry_is_refused_with_nothing_saved(client, w, session, change, status, needle):
    other_school_assignment = factories.make_assignment(w.other_deputy, w.other_class)
    data = {"assignment": factories.make_assignment(w.admin, w.school_class).public_id,
            "weekday": "1", "period": "6", "parity": "every", "room": "", "valid_from": tt_on(10, 19).isoformat()}
    data.update(change)
    if data["assignment"] == "foreign":
        data["assignment"] = other_school_assignment.public_id
    before = entries_and_lessons(session)
    as_(client, w, "deputy")
    resp = send(client, f"/timetable/classes/{w.school_class.public_id}/entries", **data)
    assert resp.status_code == status
    assert shows(resp.get_data(as_text=True), needle)
    assert entries_and_lessons(session) == before


def test_a_good_weekly_entry_makes_its_lessons(client, w, session):
    as_(client, w, "deputy")
    assignment = factories.make_assignment(w.admin, w.school_class)
    resp = send(client, f"/timetable/classes/{w.school_class.public_id}/entries", assignment=assignment.public_id,
                weekday="2", period="6", parity="every", room=w.room.public_id, valid_from=tt_on(10, 19).isoformat(),
                reason="new subject")
    assert resp.status_code == 302
    made = session.execute(sa.select(Lesson).where(Lesson.teaching_assignment_id == assignment.id)).scalars().all()
    assert made and min(lesson.on_date for lesson in made) == tt_on(10, 20)
    assert all(lesson.room_id == w.room.id for lesson in made)


def test_a_conflicting_move_answers_409_and_keeps_the_lesson(client, w, session):
    taken = session.execute(sa.select(Lesson).where(Lesson.on_date == wednesday(), Lesson.id != w.lesson.id,
                                                    Lesson.group_id == w.lesson.group_id)).scalars().first()
    as_(client, w, "deputy")
    target = taken or w.lesson
    resp = send(client, f"/timetable/lessons/{w.lesson.public_id}/move", f"move-{w.lesson.public_id}",
                on_date=target.on_date.isoformat(), period=str(target.period), reason="swap",
                base_version=w.lesson.version)
    assert resp.status_code in (409, 422)
    session.refresh(w.lesson)
    assert (w.lesson.on_date, w.lesson.version) == (wednesday(), 1)


def test_a_stale_form_answers_409(client, w, session):
    as_(client, w, "deputy")
    resp = send(client, f"/timetable/lessons/{w.lesson.public_id}/cancel", f"cancel-{w.lesson.public_id}",
                reason="late form", base_version="0")
    assert resp.status_code == 409
    assert session.execute(sa.select(LessonChange).where(LessonChange.lesson_id == w.lesson.id)).first() is None


def test_a_substitute_of_another_school_is_refused(client, w, session):
    as_(client, w, "deputy")
    resp = send(client, f"/timetable/lessons/{w.lesson.public_id}/substitute", f"sub-{w.lesson.public_id}",
                teacher=w.other_deputy.public_id, base_version=w.lesson.version)
    assert resp.status_code == 422
    session.refresh(w.lesson)
    assert w.lesson.taught_by_id == w.teacher.id


def test_an_absence_of_a_foreign_or_unknown_teacher_and_bad_dates(client, w, session):
    from kundoluk.models import TeacherAbsence
    as_(client, w, "deputy")
    count = session.execute(sa.select(sa.func.count(TeacherAbsence.id))).scalar()
    tuesday, thursday, august = tt_on(10, 20).isoformat(), tt_on(10, 22).isoformat(), tt_on(8, 1).isoformat()
    for data in ({"teacher": w.other_deputy.public_id, "starts_on": tuesday, "ends_on": tuesday},
                 {"teacher": w.teacher2.public_id, "starts_on": thursday, "ends_on": tuesday},
                 {"teacher": w.teacher2.public_id, "starts_on": august, "ends_on": august},
                 {"teacher": w.teacher2.public_id, "starts_on": "tomorrow", "ends_on": tuesday}):
        resp = send(client, "/timetable/absences", reason="ill", **data)
        assert resp.status_code == 422, data
    assert session.execute(sa.select(sa.func.count(TeacherAbsence.id))).scalar() == count


def test_the_deputy_changes_and_removes_a_weekly_entry_from_a_date(client, w, session):
    as_(client, w, "deputy")
    entry, prefix = w.entry, f"entry-{w.entry.public_id}"
    page = client.get(urls(w)["cell"].replace("weekday=1&period=2", f"weekday={entry.weekday}&period={entry.period}"))
    assert f'id="entry-{entry.public_id}"' in page.get_data(as_text=True)
    ids = {lesson.on_date: lesson.id for lesson in session.execute(
        sa.select(Lesson).where(Lesson.timetable_entry_id == entry.id)).scalars()}
    resp = send(client, f"/timetable/entries/{entry.public_id}", prefix, action="change", room=w.room.public_id,
                parity="every", from_date=tt_on(11, 10).isoformat(), reason="ремонт", base_version=entry.version)
    assert resp.status_code == 302, re.findall(r'class="(?:err|notice bad)"[^>]*>(.*?)</', resp.get_data(as_text=True), re.S)
    after = {lesson.on_date: lesson for lesson in session.execute(
        sa.select(Lesson).where(Lesson.teaching_assignment_id == w.assignment.id)).scalars()
        if lesson.on_date.isoweekday() == entry.weekday}
    assert {d: lesson.id for d, lesson in after.items() if d in ids} == ids     # the same lessons
    assert all((lesson.room_id == w.room.id) == (d >= tt_on(11, 10)) for d, lesson in after.items())
    new_entry = session.execute(sa.select(TimetableEntry).where(
        TimetableEntry.teaching_assignment_id == w.assignment.id, TimetableEntry.valid_from == tt_on(11, 10),
        TimetableEntry.weekday == entry.weekday)).scalar_one()
    resp = send(client, f"/timetable/entries/{new_entry.public_id}", f"entry-{new_entry.public_id}",
                action="remove", parity="every", from_date=tt_on(12, 1).isoformat(), base_version=new_entry.version)
    assert resp.status_code == 302
    left = session.execute(sa.select(sa.func.max(Lesson.on_date)).where(
        Lesson.timetable_entry_id == new_entry.id)).scalar()
    assert left < tt_on(12, 1)


def test_an_elective_needs_a_shift_and_then_gets_its_lessons(client, w, session):
    from kundoluk.models import GroupMember
    session.add(GroupMember(school_id=w.school.id, group_id=w.elective.id, pupil_id=w.pupil.id,
                            valid_from=w.school.year.starts_on))
    chess = factories.make_assignment(w.teacher2, w.elective)
    as_(client, w, "deputy")
    data = dict(assignment=chess.public_id, weekday="5", period="7", parity="every", room="",
                valid_from=tt_on(10, 19).isoformat())
    url = f"/timetable/groups/{w.elective.public_id}/entries"
    assert send(client, url, **data).status_code == 422
    assert send(client, url, shift=str(w.school.shift.id), **data).status_code == 302
    made = session.execute(sa.select(Lesson).where(Lesson.teaching_assignment_id == chess.id)).scalars().all()
    assert made and all(lesson.on_date.isoweekday() == 5 for lesson in made)
    as_pupil = client.post("/logout", data={"csrf_token": csrf_token(client)})
    assert as_pupil.status_code == 302
    as_(client, w, "pupil")
    page = client.get("/timetable/my?week=" + tt_on(10, 19).isoformat()).get_data(as_text=True)
    assert made[0].public_id in page or any(lesson.public_id in page for lesson in made)


def test_a_one_off_lesson_and_the_calendar_resync_over_http(client, w, session):
    as_(client, w, "deputy")
    resp = send(client, f"/timetable/classes/{w.school_class.public_id}/lessons", assignment=w.assignment.public_id,
                on_date=tt_on(10, 24).isoformat(), period="2", room=w.room.public_id, reason="отработка")
    assert resp.status_code == 302
    made = session.execute(sa.select(Lesson).where(Lesson.on_date == tt_on(10, 24))).scalar_one()
    assert made.timetable_entry_id is None and made.room_id == w.room.id
    assert send(client, "/timetable/resync").status_code == 302
    session.refresh(made)
    assert made.status == "planned"          # a one-off lesson is not the timetable's to remove
    assert send(client, f"/timetable/classes/{w.school_class.public_id}/alternating", on="1").status_code == 302
    assert shows(client.get(urls(w)["class_grid"]).get_data(as_text=True), "alternates odd and even")


@pytest.mark.parametrize("tail", ["-", "_"])
def test_forms_work_for_ids_ending_in_a_dash_or_an_underscore(client, w, session, tail):
    w.lesson.public_id = "abcdefghijklmno" + tail
    session.flush()
    as_(client, w, "deputy")
    page = client.get(f"/timetable/lessons/{w.lesson.public_id}").get_data(as_text=True)
    assert f'name="cancel-{w.lesson.public_id}-reason"' in page
    resp = send(client, f"/timetable/lessons/{w.lesson.public_id}/cancel", f"cancel-{w.lesson.public_id}",
                reason="x", base_version=w.lesson.version)
    assert resp.status_code == 302
