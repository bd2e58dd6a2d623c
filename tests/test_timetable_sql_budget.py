"""DESIGN §4 for the timetable pages: ≤ 2 statements for identity + ≤ 5 for the page, the same
at 1× and 10× the data (ten times the classes, pupils, assignments, entries and lessons)."""
import uuid
from datetime import timedelta

import pytest
from flask import current_app

from kundoluk import tenancy
from kundoluk.timetable import lesson_actions
from tests import factories
from tests.conftest import login
from tests.factories import tt_on



def wednesday():
    """A school Wednesday of the test year (computed when asked: the clock is the test's)."""
    return tt_on(10, 21)

PAGES = [
    ("deputy", "/timetable/"), ("deputy", "/timetable/classes/{class}"), ("deputy", "/timetable/classes/{class}/week"),
    ("deputy", "/timetable/classes/{class}/cell?weekday=1&period=1"), ("deputy", "/timetable/teachers/{teacher}"),
    ("deputy", "/timetable/rooms"), ("deputy", "/timetable/rooms/{room}"), ("deputy", "/timetable/lessons/{lesson}"),
    ("deputy", "/timetable/lessons/{lesson}/cover"), ("deputy", "/timetable/absences"),
    ("deputy", "/timetable/absences/{absence}"), ("deputy", "/timetable/cancellations"),
    ("deputy", "/timetable/flagged"), ("deputy", "/timetable/kiosk"), ("deputy", "/timetable/pay"),
    ("deputy", "/timetable/classes/{class}/lessons/new"), ("director", "/timetable/pay"),
    ("teacher", "/timetable/classes/{class}"), ("teacher", "/timetable/lessons/{lesson}"),
    ("pupil", "/timetable/my"), ("parent", "/timetable/children/{child}"), (None, "/timetable/board/{token}"),
]


def timetable_world(size, prefix=""):
    w = factories.make_world(size=size, prefix=prefix)
    factories.tt_world(w)
    w.room = factories.tt_room(w.school, f"{prefix}каб")
    w.lesson = factories.tt_lesson(w.assignment, wednesday())
    with current_app.test_request_context("/"):
        tenancy.set_schools({w.school.id})
        w.absence = lesson_actions.record_absence(w.school.id, w.teacher, starts_on=wednesday(), ends_on=wednesday(),
                                                  reason="ill", actor=None, client_id=str(uuid.uuid4()))
        _link, w.token = lesson_actions.create_kiosk_link(w.school.id, "Hall", None)
        for extra in range(size):  # changes on the board and in the week grow with the data too
            lesson = factories.tt_lesson(w.assignment, wednesday() + timedelta(days=7 * extra))
            lesson_actions.cancel_lesson(lesson, actor=None, reason="x", client_id=str(uuid.uuid4()),
                                         base_version=lesson.version)
    return w


def statements_for(client, count_sql, w, persona, path):
    if persona:
        login(client, w.accounts[persona].login)
    url = path.format(**{"class": w.school_class.public_id, "teacher": w.teacher.public_id, "room": w.room.public_id,
                         "lesson": w.lesson.public_id, "absence": w.absence.public_id, "child": w.pupil.public_id,
                         "token": w.token})
    with count_sql() as counter:
        resp = client.get(url)
    assert resp.status_code == 200, (persona, url, resp.status_code)
    return len(counter.statements)


@pytest.mark.parametrize("persona,path", PAGES)
def test_timetable_pages_do_not_grow_with_data(app, session, count_sql, persona, path):
    factories.tt_at(tt_on(10, 21))
    small = timetable_world(1)
    n_small = statements_for(app.test_client(), count_sql, small, persona, path)
    big = timetable_world(10, prefix="big")
    n_big = statements_for(app.test_client(), count_sql, big, persona, path)
    assert n_small == n_big
    assert n_small <= (2 if persona else 0) + 5
