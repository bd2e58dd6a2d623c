"""Offline entries on the server (issue 7): the late-arrival rule and its flag for the deputy,
and what happens to replays — twice, out of order, after the lesson moved or the pupil left,
by a teacher who lost the lesson. Each case answers clearly; nothing is lost or doubled."""
import re
import uuid
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from kundoluk import clock
from kundoluk.journal import actions, queries
from kundoluk.journal.rules import Actor, Refused
from kundoluk.models import AttendanceEntry, AuditLog, ChangeHistory, Enrolment, Mark, Term, TermMark, WriteReceipt
from tests import factories
from tests.conftest import login, post

BISHKEK = ZoneInfo("Asia/Bishkek")
WINDOW = 7  # the default edit window, days


@pytest.fixture()
def jw(session):
    return factories.jr_world()


def cid():
    return str(uuid.uuid4())


def at(day, hour=10, minute=0):
    return datetime.combine(day, time(hour, minute), BISHKEK)


def actor(w, name):
    account = w.accounts[name]
    return Actor(account.id, account.person_id, name == "deputy")


def view_of(lesson):
    return queries.get_lesson_or_404(lesson.public_id, lesson.school_id)


def member_of(lesson, pupil):
    return queries.get_member_or_404(view_of(lesson).group, pupil.public_id, lesson.on_date)


def absent(w, lesson, made, who="teacher", client_id=None, base=0, code="absent"):
    return actions.record_attendance(view_of(lesson), member_of(lesson, w.pupil), actor(w, who), code=code,
                                     client_id=client_id or cid(), base_version=base, device_time=made)


def mark(w, lesson, made, value="5", client_id=None, base=0):
    return actions.record_mark(view_of(lesson), member_of(lesson, w.pupil), actor(w, "teacher"), value=value,
                               client_id=client_id or cid(), base_version=base, device_time=made)


def flags(session):
    return session.execute(sa.select(AuditLog).where(AuditLog.action == "journal.late_entry")
                           .order_by(AuditLog.id)).scalars().all()


def count(session, model):
    return session.execute(sa.select(sa.func.count()).select_from(model)).scalar()


@pytest.fixture()
def old(jw):
    """A lesson nine days ago (a Monday): its edit window closed two days ago."""
    lesson = factories.jr_lesson(jw.assignment, jw.today - timedelta(days=9), period=4)
    lesson.closes_on = lesson.on_date + timedelta(days=WINDOW)
    return lesson


# --- The late-arrival rule -------------------------------------------------------------------

def test_an_entry_made_inside_the_window_is_saved_late_and_flagged_for_the_deputy(jw, session, old):
    made = at(old.on_date + timedelta(days=1))
    outcome = absent(jw, old, made)
    assert outcome.changed and outcome.row.code == "absent"
    history = session.execute(sa.select(ChangeHistory).where(ChangeHistory.table_name == "attendance_entry")).scalar_one()
    assert history.device_time == made
    assert mark(jw, old, made, "4").changed
    flagged = flags(session)
    assert [f.detail["what"] for f in flagged] == ["attendance", "mark"]
    first = flagged[0]
    assert first.school_id == jw.school.id and first.actor_account_id == jw.accounts["teacher"].id
    assert first.subject_person_id == jw.pupil.id and first.detail["lesson"] == old.public_id
    assert first.detail["value"] == "absent" and flagged[1].detail["value"] == "4"


@pytest.mark.parametrize("case", ["no device time", "made after the window", "made before the lesson",
                                  "made in the future", "arrives too late"])
def test_late_entries_outside_the_rule_are_refused_and_change_nothing(jw, session, old, case):
    made = {"no device time": None, "made after the window": at(old.closes_on + timedelta(days=1)),
            "made before the lesson": at(old.on_date - timedelta(days=1)),
            "made in the future": clock.now() + timedelta(hours=1),
            "arrives too late": at(old.on_date + timedelta(days=1))}[case]
    if case == "arrives too late":
        clock.set_now(at(old.closes_on + timedelta(days=8)))
    with pytest.raises(Refused) as refused:
        absent(jw, old, made)
    assert refused.value.status == 403
    with pytest.raises(Refused):
        mark(jw, old, made)
    assert count(session, AttendanceEntry) == count(session, Mark) == 0 and flags(session) == []


def test_the_seven_days_count_in_school_local_dates(jw, session, old):
    made = at(old.on_date + timedelta(days=2))
    last_day = old.closes_on + timedelta(days=7)
    clock.set_now(at(last_day, 23, 59))
    assert absent(jw, old, made).changed
    # 00:30 local the next day is still the day before in UTC: refused all the same
    clock.set_now(at(last_day + timedelta(days=1), 0, 30))
    with pytest.raises(Refused):
        mark(jw, old, made)


def test_the_deputy_needs_no_rule_and_is_not_flagged(jw, session, old):
    assert absent(jw, old, None, who="deputy").changed
    assert flags(session) == []


def test_inside_the_window_nothing_is_flagged(jw, session):
    assert absent(jw, jw.lesson, clock.now()).changed
    assert flags(session) == []


def test_a_late_term_mark_follows_the_same_rule(client, jw, session):
    term = session.get(Term, jw.lesson.term_id)
    deadline = term.ends_on + timedelta(days=WINDOW)
    clock.set_now(at(deadline + timedelta(days=3)))
    login(client, "teacher")
    url = f"/journal/a/{jw.assignment.public_id}/term-marks/{jw.pupil.public_id}"
    data = {"term": str(term.number), "value": "4", "client_id": cid(), "base_version": "0"}
    too_late = {**data, "device_time": at(deadline + timedelta(days=1)).isoformat()}
    assert post(client, url, too_late).status_code == 403
    inside = {**data, "client_id": cid(), "device_time": at(deadline - timedelta(days=1)).isoformat()}
    assert post(client, url, inside).status_code == 303
    assert session.execute(sa.select(TermMark.value)).scalar_one() == "4"
    assert [f.detail["what"] for f in flags(session)] == ["term_mark"]


# --- Replays ---------------------------------------------------------------------------------

def test_the_same_entry_twice_is_written_and_flagged_once(jw, session, old):
    made, same = at(old.on_date + timedelta(days=1)), cid()
    assert absent(jw, old, made, client_id=same).changed
    again = absent(jw, old, made, client_id=same)
    assert again.replayed and not again.changed and not again.conflict
    assert count(session, ChangeHistory) == 1 and count(session, WriteReceipt) == 1 and len(flags(session)) == 1


def test_a_replay_of_a_saved_entry_is_acknowledged_even_after_the_grace(jw, session, old):
    """Its answer was lost on the way: the device sends it again weeks later. It is already
    saved, so the answer is "saved" (nothing changes), while a new entry is refused."""
    made, same = at(old.on_date + timedelta(days=1)), cid()
    absent(jw, old, made, client_id=same)
    clock.set_now(at(old.closes_on + timedelta(days=30)))
    assert absent(jw, old, made, client_id=same).replayed
    with pytest.raises(Refused) as refused:
        absent(jw, old, made, code="ill", base=1)
    assert refused.value.status == 403
    assert count(session, ChangeHistory) == 1


def test_the_same_id_with_other_content_is_refused_clearly(jw, session, old):
    made, same = at(old.on_date + timedelta(days=1)), cid()
    absent(jw, old, made, client_id=same)
    with pytest.raises(Refused) as refused:
        absent(jw, old, made, client_id=same, code="ill")
    assert refused.value.status == 422
    assert session.execute(sa.select(AttendanceEntry.code)).scalar_one() == "absent"


def test_out_of_order_entries_never_overwrite_what_they_did_not_see(jw, session):
    """Each entry names the version it was made on; the server applies it only on that version."""
    first, second = cid(), cid()
    now = clock.now()
    # the second entry (made on the first's version 1) arrives first: 409, nothing written
    early = absent(jw, jw.lesson, now, client_id=second, base=1, code="ill")
    assert early.conflict and count(session, AttendanceEntry) == 0
    assert absent(jw, jw.lesson, now, client_id=first).changed
    assert absent(jw, jw.lesson, now, client_id=second, base=1, code="ill").changed  # sent again: in order now
    # another device's entry made on version 1 after this one wrote version 2: a conflict, not a loss
    other = absent(jw, jw.lesson, now, base=1, code="present")
    assert other.conflict and session.execute(sa.select(AttendanceEntry.code)).scalar_one() == "ill"


def test_a_replay_after_the_lesson_moved(app, jw, session, old):
    made = at(old.on_date + timedelta(days=1))
    later = factories.jr_lesson(jw.assignment, jw.today - timedelta(days=2), period=5)
    # moved to a day still ahead: refused, saying where it went
    later.moved_from_on, later.on_date = later.on_date, jw.today + timedelta(days=2)
    session.flush()
    with pytest.raises(Refused) as refused:
        absent(jw, later, clock.now())
    with app.test_request_context("/"):
        assert refused.value.status == 422 and later.on_date.strftime("%d.%m.%Y") in str(refused.value.message)
    # moved to another past day: the entry follows the lesson (it keeps its id), under the new date's rules
    old.moved_from_on, old.on_date = old.on_date, jw.today - timedelta(days=1)
    session.flush()
    assert absent(jw, old, made).changed and flags(session) == []


def test_a_replay_after_the_pupil_left_the_group(app, jw, session, old):
    made = at(old.on_date + timedelta(days=1))
    enrolment = session.execute(sa.select(Enrolment).where(Enrolment.pupil_id == jw.pupil.id)).scalar_one()
    enrolment.valid_to = jw.today - timedelta(days=3)   # left after the lesson: it is still about that day
    session.flush()
    assert absent(jw, old, made).changed
    enrolment.valid_to = old.on_date - timedelta(days=1)  # the school corrected it: gone before the lesson
    session.flush()
    with pytest.raises(Refused) as refused:
        mark(jw, old, made)
    with app.test_request_context("/"):
        assert refused.value.status == 422 and jw.pupil.full_name in str(refused.value.message)


# --- Over HTTP: what the offline queue receives ------------------------------------------------

def hx(target):
    return {"HX-Request": "true", "HX-Target": target}


def attendance_url(lesson, pupil):
    return f"/journal/lessons/{lesson.public_id}/attendance/{pupil.public_id}"


def test_a_late_entry_over_http_and_on_the_discipline_page(client, jw, session, old):
    login(client, "teacher")
    made = at(old.on_date + timedelta(days=1)).isoformat()
    data = {"code": "absent", "client_id": cid(), "base_version": "0", "device_time": made}
    resp = post(client, attendance_url(old, jw.pupil), data, headers=hx(f"att-{jw.pupil.public_id}"))
    assert resp.status_code == 200 and 'class="absent ok"' in resp.get_data(as_text=True)
    again = post(client, attendance_url(old, jw.pupil), data, headers=hx(f"att-{jw.pupil.public_id}"))
    assert again.status_code == 200 and count(session, ChangeHistory) == 1
    stale = {**data, "client_id": cid(), "device_time": at(old.closes_on + timedelta(days=1)).isoformat()}
    assert post(client, attendance_url(old, jw.pupil), stale, headers=hx("x")).status_code == 403
    post(client, "/logout")
    login(client, "deputy")
    html = client.get("/journal/discipline").get_data(as_text=True)
    table = re.search(r'<table class="list stack" id="late-entries">.*?</table>', html, re.DOTALL).group(0)
    assert jw.pupil.full_name in table and jw.teacher.full_name in table and old.public_id in table


def test_the_discipline_page_stays_within_its_statements(client, jw, session, old, count_sql):
    for pupil in [jw.pupil] + [factories.make_pupil(jw.school_class, f"Бала{n}") for n in range(5)]:
        actions.record_attendance(view_of(old), member_of(old, pupil), actor(jw, "teacher"), code="absent",
                                  client_id=cid(), base_version=0, device_time=at(old.on_date + timedelta(days=1)))
    login(client, "deputy")
    client.get("/journal/discipline")
    with count_sql() as counter:
        assert client.get("/journal/discipline").status_code == 200
    assert len(counter.statements) <= 2 + 5


def test_a_teacher_who_lost_the_lesson_is_refused_and_nothing_changes(client, jw, session):
    login(client, "teacher")
    data = {"code": "absent", "client_id": cid(), "base_version": "0", "device_time": clock.now().isoformat()}
    # a substitute teaches it now: the regular teacher only reads it
    jw.lesson.taught_by_id = jw.teacher2.id
    session.flush()
    assert post(client, attendance_url(jw.lesson, jw.pupil), data, headers=hx("x")).status_code == 403
    # the assignment went to another teacher: the lesson is out of this teacher's scope
    jw.assignment.teacher_id = jw.lesson.teacher_id = jw.teacher2.id
    session.flush()
    assert post(client, attendance_url(jw.lesson, jw.pupil), data, headers=hx("x")).status_code == 404
    assert count(session, AttendanceEntry) == 0


def test_a_pupil_never_in_the_group_is_404_and_an_expired_session_redirects(client, jw, session):
    login(client, "teacher")
    data = {"code": "absent", "client_id": cid(), "base_version": "0"}
    assert post(client, attendance_url(jw.lesson, jw.sibling), data, headers=hx("x")).status_code == 404
    post(client, "/logout")
    resp = post(client, attendance_url(jw.lesson, jw.pupil), data, headers=hx("x"))
    assert resp.headers.get("HX-Redirect", "").startswith("/login")  # the queue keeps it and asks to sign in
    assert count(session, AttendanceEntry) == 0


# --- The teacher's day keeps today's lessons for offline; the author's name on the page ------------

def test_the_teachers_day_names_todays_lessons_and_journals_for_the_worker(client, jw, session):
    login(client, "teacher")
    html = client.get("/staff").get_data(as_text=True)
    urls = re.search(r'<main id="main" data-offline="([^"]+)"', html).group(1).split()
    assert urls == [f"/journal/lessons/{jw.lesson.public_id}", f"/journal/a/{jw.assignment.public_id}"]
    for url in urls:
        assert client.get(url).status_code == 200
    other_day = client.get("/journal/day?date=" + (jw.today + timedelta(days=1)).isoformat()).get_data(as_text=True)
    assert "<main id=\"main\">" in other_day


def author(html):
    return re.search(r'<meta name="account" content="([0-9a-f]{20})"', html).group(1)


def test_the_author_key_is_stable_per_account_and_only_on_staff_pages(client, jw, session):
    login(client, "teacher")
    first = author(client.get("/staff").get_data(as_text=True))
    assert first not in client.get("/staff").get_data(as_text=True).split('name="signed-in" content="')[1][:20]
    jw.accounts["teacher"].session_version += 1  # e.g. a password change: the page cache key changes, not this
    session.flush()
    login(client, "teacher")
    assert author(client.get("/staff").get_data(as_text=True)) == first
    post(client, "/logout")
    login(client, "teacher2")
    assert author(client.get("/staff").get_data(as_text=True)) != first
    post(client, "/logout")
    login(client, "pupil")
    assert 'name="account"' not in client.get("/diary", follow_redirects=True).get_data(as_text=True)
