"""A holiday or term change in the set-up re-plans lessons at once; a lesson with content stays, flagged."""
from datetime import timedelta

import sqlalchemy as sa

from kundoluk.models import Lesson, LessonContent
from kundoluk.timetable import content
from tests import factories
from tests.conftest import login, post


def test_a_new_holiday_removes_its_lessons_and_flags_those_with_homework(client, world, session):
    factories.tt_world(world)
    day = factories.tt_on(11, 25)
    while day.isoweekday() > 5:
        day += timedelta(days=1)
    factories.tt_at(day - timedelta(days=14))
    lessons = session.execute(sa.select(Lesson).where(Lesson.school_id == world.school.id,
                                                      Lesson.on_date == day)).scalars().all()
    assert lessons
    kept = lessons[0]
    session.add(LessonContent(school_id=kept.school_id, lesson_id=kept.id, homework="§5"))
    session.flush()
    assert content.has_content(kept)
    login(client, "deputy")
    page = client.get("/setup/holidays/new").get_data(as_text=True)
    assert "client_id" in page
    import re
    client_id = re.search(r'name="client_id"[^>]*value="([^"]+)"', page) or re.search(r'value="([^"]+)"[^>]*name="client_id"', page)
    resp = post(client, "/setup/holidays", {
        "client_id": client_id.group(1), "kind": "extra", "grade_from": "1", "grade_to": "11",
        "starts_on": day.isoformat(), "ends_on": day.isoformat()})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:3000]
    session.expire_all()
    left = session.execute(sa.select(Lesson).where(Lesson.school_id == world.school.id,
                                                   Lesson.on_date == day)).scalars().all()
    assert [lesson.id for lesson in left] == [kept.id]
    assert left[0].flag == "calendar_changed"
