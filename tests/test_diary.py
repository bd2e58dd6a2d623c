"""The diary: the week, what's new, marks, homework — only one's own, on a cheap phone."""
import gzip
import uuid
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo
from decimal import Decimal

import pytest

from kundoluk import clock, events, writes
from kundoluk.extensions import db
from kundoluk.models import (
    AcademicYear, Enrolment, Bell, GroupMember, IndividualHomework, Lesson, LessonContent, Mark, AttendanceEntry, Remark, Term,
    TermMark,
)
from tests import factories
from tests.conftest import login, post

TODAY = date(2026, 10, 14)  # a Wednesday of the first quarter


def pin_today():
    """These tests read one school week: pin the clock to it whatever KUNDOLUK_TEST_NOW says."""
    clock.set_now(datetime(2026, 10, 14, 10, 20, tzinfo=ZoneInfo("Asia/Bishkek")))


def make_lesson(world, on_date=TODAY, period=1, assignment=None, taught_by=None, status="planned"):
    assignment = assignment or world.assignment
    lesson = Lesson(school_id=assignment.school_id, on_date=on_date, planned_on=on_date, period=period,
                    shift_id=world.school.shift.id, teaching_assignment_id=assignment.id,
                    group_id=assignment.group_id, subject_id=assignment.subject_id,
                    teacher_id=assignment.teacher_id, taught_by_id=(taught_by or world.teacher).id
                    if taught_by else assignment.teacher_id, status=status)
    db.session.add(lesson)
    db.session.flush()
    return lesson


def add_bells(world):
    for period in range(1, 8):
        start = 8 * 60 + (period - 1) * 50
        db.session.add(Bell(school_id=world.school.id, shift_id=world.school.shift.id, period=period,
                            starts_at=time(start // 60, start % 60), ends_at=time((start + 45) // 60, (start + 45) % 60)))
    db.session.flush()


def add_term(world, number=1, starts=date(2026, 9, 1), ends=date(2026, 11, 4)):
    term = Term(school_id=world.school.id, academic_year_id=world.school.year.id, kind="quarter", number=number,
                grade_from=1, grade_to=11, starts_on=starts, ends_on=ends)
    db.session.add(term)
    db.session.flush()
    return term


def add_mark(world, lesson, pupil, value, kind="oral", weight="1", comment=None):
    mark = Mark(school_id=lesson.school_id, lesson_id=lesson.id, pupil_id=pupil.id,
                teaching_assignment_id=lesson.teaching_assignment_id, slot=1, value=value,
                value_num=Decimal(value) if value.isdigit() else None, kind=kind, weight=Decimal(weight),
                comment=comment)
    db.session.add(mark)
    db.session.flush()
    return mark


@pytest.fixture()
def week(world, session):
    """A lesson with a topic, homework, a mark, an absence and a substitution, and more."""
    pin_today()
    add_bells(world)
    add_term(world)
    w = world
    w.lesson = make_lesson(w, TODAY, 2, taught_by=w.teacher2)
    session.add(LessonContent(school_id=w.school.id, lesson_id=w.lesson.id, topic="Сызыктуу теңдемелер",
                              homework="№ 245, 247"))
    w.mark = add_mark(w, w.lesson, w.pupil, "5", kind="control", weight="2", comment="Жакшы иштеди")
    session.add(AttendanceEntry(school_id=w.school.id, lesson_id=w.lesson.id, pupil_id=w.pupil.id,
                                code="late", late_minutes=10))
    w.other_lesson = make_lesson(w, TODAY - timedelta(days=1), 1)
    w.classmate = factories.make_pupil(w.school_class, "Бекзат", "Жумабеков")
    session.add(IndividualHomework(school_id=w.school.id, lesson_id=w.other_lesson.id, pupil_id=w.classmate.id,
                                   text="Бекзат үчүн өзүнчө тапшырма"))
    session.add(IndividualHomework(school_id=w.school.id, lesson_id=w.other_lesson.id, pupil_id=w.pupil.id,
                                   text="Асель үчүн өзүнчө тапшырма"))
    w.parents_remark = Remark(school_id=w.school.id, pupil_id=w.pupil.id, author_id=w.teacher.id,
                              lesson_id=w.lesson.id, text="Ата-энеге гана", visibility="parents_only")
    w.family_remark = Remark(school_id=w.school.id, pupil_id=w.pupil.id, author_id=w.teacher.id,
                             lesson_id=w.lesson.id, text="Баарына көрүнөт", visibility="family")
    session.add_all([w.parents_remark, w.family_remark])
    session.flush()
    return w


def url(world, pupil=None, tail=""):
    return f"/diary/{(pupil or world.pupil).public_id}{tail}"


def test_home_of_pupil_and_parent_is_the_week(client, week):
    login(client, "pupil")
    assert client.get("/").headers["Location"] == "/diary"
    assert client.get("/diary").headers["Location"] == url(week)
    client.post("/logout", data={"csrf_token": client.get("/csrf").get_json()["token"]})
    login(client, "parent")
    assert client.get("/diary").headers["Location"] in (url(week), url(week, week.sibling))


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_a_lesson_shows_topic_homework_mark_absence_and_substitution(client, week, lang, session):
    week.accounts["parent"].person.language = lang
    session.flush()
    login(client, "parent")
    page = client.get(url(week)).get_data(as_text=True)
    assert f'<html lang="{lang}">' in page
    lesson = page[page.index(f'id="lesson-{week.lesson.public_id}"'):]
    lesson = lesson[:lesson.index("</li>")]
    assert "Сызыктуу теңдемелер" in lesson and "№ 245, 247" in lesson
    assert '<span class="mark"' in lesson and ">5<" in lesson and "Жакшы иштеди" in lesson
    assert "att-late" in lesson and "10" in lesson
    assert week.teacher2.short_name in lesson and "<s>" + week.teacher.short_name + "</s>" in lesson
    assert "08:50" in lesson
    assert "Ата-энеге гана" in lesson and "Баарына көрүнөт" in lesson
    add_mark(week, week.other_lesson, week.pupil, "4")  # no comment: its kind is still in words
    session.flush()
    page = client.get(url(week)).get_data(as_text=True)
    other = page[page.index(f'id="lesson-{week.other_lesson.public_id}"'):]
    other = other[:other.index("</li>")]
    assert "4 — " + {"ky": "Оозеки", "ru": "Устн"}[lang] in other


def test_on_sunday_the_diary_and_timetable_open_on_the_coming_week(client, week):
    clock.set_now(datetime(2026, 10, 18, 19, 0, tzinfo=ZoneInfo("Asia/Bishkek")))
    login(client, "parent")
    page = client.get(url(week)).get_data(as_text=True)
    assert 'id="day-2026-10-19"' in page and 'id="day-2026-10-12"' not in page
    assert f'href="{url(week)}?day=2026-10-12"' in page and f'href="{url(week)}?day=2026-10-26"' in page
    back = client.get(url(week) + "?day=2026-10-12").get_data(as_text=True)  # the week just ended
    assert "Сызыктуу теңдемелер" in back and f'href="{url(week)}" hx-get' in back
    timetable = client.get(f"/timetable/children/{week.pupil.public_id}").get_data(as_text=True)
    assert 'id="day-2026-10-19"' in timetable and 'id="day-2026-10-12"' not in timetable
    clock.set_now(datetime(2026, 10, 17, 19, 0, tzinfo=ZoneInfo("Asia/Bishkek")))  # Saturday: still this week
    assert 'id="day-2026-10-12"' in client.get(url(week)).get_data(as_text=True)


def test_the_week_follows_the_pupil_through_a_change_of_class_and_group(client, week, session):
    """Moved to another class on Wednesday, in a subgroup from Thursday: each lesson shows on the
    days the pupil was there, and a day is never shown twice."""
    monday, wednesday = TODAY - timedelta(days=2), TODAY
    enrolment = session.query(Enrolment).filter_by(pupil_id=week.pupil.id).one()
    enrolment.valid_to = wednesday - timedelta(days=1)
    session.add(Enrolment(school_id=week.school.id, pupil_id=week.pupil.id, school_class_id=week.sibling_class.id,
                          valid_from=wednesday))
    there = factories.make_assignment(week.teacher, week.sibling_class, factories.make_subject(week.school, "Химия"))
    subgroup = factories.make_subgroup(week.sibling_class, name="2")
    session.add(GroupMember(school_id=week.school.id, group_id=subgroup.id, pupil_id=week.pupil.id,
                            valid_from=wednesday + timedelta(days=1)))
    in_group = factories.make_assignment(week.teacher, subgroup, factories.make_subject(week.school, "Информатика"))
    shown = {make_lesson(week, monday, 5).public_id: True,                       # the old class, before
             make_lesson(week, wednesday, 5).public_id: False,                   # the old class, after
             make_lesson(week, monday, 6, assignment=there).public_id: False,    # the new class, before
             make_lesson(week, wednesday, 6, assignment=there).public_id: True,  # the new class, after
             make_lesson(week, wednesday, 7, assignment=in_group).public_id: False,
             make_lesson(week, wednesday + timedelta(days=1), 7, assignment=in_group).public_id: True}
    session.flush()
    login(client, "parent")
    page = client.get(url(week)).get_data(as_text=True)
    assert {lesson_id: f'id="lesson-{lesson_id}"' in page for lesson_id in shown} == shown
    assert all(page.count(f'id="lesson-{lesson_id}"') <= 1 for lesson_id in shown)


def test_individual_homework_never_reaches_another_pupil(client, week, session):
    factories.make_account(week.classmate, login="bekzat")
    login(client, "bekzat")
    for page in (client.get(url(week, week.classmate)), client.get(url(week, week.classmate),
                 headers={"HX-Request": "true", "HX-Target": "week"}),
                 client.get(url(week, week.classmate, "/homework"))):
        text = page.get_data(as_text=True)
        assert "Асель үчүн өзүнчө тапшырма" not in text
    assert "Бекзат үчүн өзүнчө тапшырма" in client.get(url(week, week.classmate)).get_data(as_text=True)
    client.post("/logout", data={"csrf_token": client.get("/csrf").get_json()["token"]})
    login(client, "pupil")
    for path in ("", "/homework"):
        text = client.get(url(week, tail=path)).get_data(as_text=True)
        assert "Асель үчүн өзүнчө тапшырма" in text and "Бекзат үчүн өзүнчө тапшырма" not in text


def test_parents_only_remark_never_reaches_the_pupil(client, week, session):
    events.emit("remark", school_id=week.school.id, pupil_id=week.pupil.id, obj=week.parents_remark,
                payload={"visibility": "parents_only"})
    session.flush()
    login(client, "pupil")
    page = client.get(url(week)).get_data(as_text=True)
    assert "Ата-энеге гана" not in page and "Баарына көрүнөт" in page
    assert 'id="news"' not in page  # the remark's headline is not news for the pupil
    fragment = client.get(url(week), headers={"HX-Request": "true", "HX-Target": "week"}).get_data(as_text=True)
    assert "Ата-энеге гана" not in fragment


def test_another_familys_child_is_404_everywhere(client, week):
    login(client, "teacherparent")  # a parent too, of a pupil of the other school
    post(client, "/context", {"key": "parent"})
    for tail in ("", "/marks", "/homework"):
        assert client.get(url(week, tail=tail)).status_code == 404
        assert client.get(url(week, week.sibling, tail)).status_code == 404
    assert post(client, "/diary/child", {"pupil_id": week.pupil.public_id}).status_code == 404
    assert post(client, url(week, tail=f"/remarks/{week.family_remark.public_id}/acknowledge")).status_code == 404
    assert client.get(url(week, week.other_pupil)).status_code == 200


# Routes for families; any other route naming a pupil is staff-only, and a parent is refused it.
FAMILY_ENDPOINTS = {"diary.week", "diary.marks_page", "diary.homework", "diary.remark_acknowledge",
                    "diary.record_download", "timetable.child_week"}
PUPIL_ARGUMENTS = {"pupil_id", "child_id"}


def _urls_naming(app, week, pupil):
    """Every rule of the app that takes a pupil, filled in with this pupil (and real objects
    of the same school for its other parts), with the query strings and fragments it takes."""
    fill = {"remark_id": week.family_remark.public_id, "lesson_id": week.lesson.public_id,
            "public_id": week.school_class.public_id, "assignment_id": week.assignment.public_id,
            "group_id": week.school_class.group.public_id, "parent_id": week.parent.public_id}
    for rule in app.url_map.iter_rules():
        if not rule.arguments & PUPIL_ARGUMENTS:
            continue
        path = rule.rule
        for arg in rule.arguments:
            path = path.replace(f"<{arg}>", pupil.public_id if arg in PUPIL_ARGUMENTS else fill.get(arg, "x"))
        for method in sorted(rule.methods & {"GET", "POST"}):
            for query in ("", "?day=2026-10-12", "?term=x", "?day=2100-01-01"):
                for headers in ({}, {"HX-Request": "true", "HX-Target": "week"}):
                    yield rule.endpoint, method, path + query, headers


def test_parent2_reaches_none_of_parents_children_by_any_url(app, client, week, session):
    """A second family's parent, signed in, tries every route that names a pupil with each of
    the first family's children: diary pages, fragments, acknowledgements, the timetable."""
    parent2 = factories.make_parent(week.other_pupil, given="Гүлзат", family="Бейшеева")
    factories.make_account(parent2, login="parent2")
    login(client, "parent2")
    family_routes, tried = set(), 0
    for child in (week.pupil, week.sibling):
        for endpoint, method, path, headers in _urls_naming(app, week, child):
            resp = client.get(path, headers=headers) if method == "GET" else post(client, path, headers=headers)
            body = resp.get_data(as_text=True)
            if endpoint in FAMILY_ENDPOINTS:
                assert resp.status_code == 404, path
                family_routes.add(endpoint)
            else:
                assert resp.status_code in (403, 404), path
            assert child.given_name not in body and "Сызыктуу теңдемелер" not in body, path
            tried += 1
        assert post(client, "/diary/child", {"pupil_id": child.public_id}).status_code == 404
    assert family_routes == FAMILY_ENDPOINTS and tried > 100
    session.refresh(week.family_remark)
    session.refresh(week.accounts["parent"])
    assert week.family_remark.acknowledged_by_account_id is None
    assert client.get(url(week, week.other_pupil)).status_code == 200  # parent2's own child
    # The same addresses are the real parent's diary: the test fills them in rightly.
    client.post("/logout", data={"csrf_token": client.get("/csrf").get_json()["token"]})
    login(client, "parent")
    for endpoint, method, path, headers in _urls_naming(app, week, week.pupil):
        if endpoint in FAMILY_ENDPOINTS and method == "GET" and "2100" not in path and "term" not in path:
            assert client.get(path, headers=headers).status_code == 200, path


def test_staff_and_anonymous_have_no_diary(client, week):
    assert client.get(url(week)).status_code == 302
    login(client, "teacher")
    assert client.get(url(week)).status_code == 404


def test_bad_and_far_dates(client, week):
    login(client, "pupil")
    for day in ("2026-13-01", "yesterday", "1900-01-01", "2100-01-01"):
        resp = client.get(url(week) + f"?day={day}")
        assert resp.status_code == 400
        assert "<html" in resp.get_data(as_text=True)
    assert client.get(url(week) + "?day=2026-09-01").status_code == 200


def test_week_swap_is_a_small_fragment(client, week):
    login(client, "parent")
    resp = client.get(url(week) + "?day=2026-10-19", headers={"HX-Request": "true", "HX-Target": "week",
                                                            "Accept-Encoding": "gzip"})
    body = gzip.decompress(resp.data).decode() if resp.headers.get("Content-Encoding") == "gzip" else resp.get_data(as_text=True)
    assert resp.status_code == 200 and "<html" not in body and body.lstrip().startswith('<section id="week"')
    assert "HX-Target" in resp.headers["Vary"]
    assert len(resp.data) <= 3 * 1024


def test_parent_switches_children_and_it_is_remembered(client, week, session):
    login(client, "parent")
    resp = post(client, "/diary/child", {"pupil_id": week.sibling.public_id})
    assert resp.headers["Location"] == url(week, week.sibling)
    assert client.get("/diary").headers["Location"] == url(week, week.sibling)
    session.refresh(week.accounts["parent"])
    assert week.accounts["parent"].last_child_id == week.sibling.id


def test_whats_new_and_marking_seen(client, week, session):
    event = events.emit("mark", school_id=week.school.id, pupil_id=week.pupil.id, obj=week.mark,
                        payload={"subject_id": week.math.id, "value": "5", "old_value": "2",
                                 "lesson_date": TODAY.isoformat()})
    session.flush()
    login(client, "parent")
    page = client.get(url(week)).get_data(as_text=True)
    assert 'id="news"' in page and "Алгебра" in page[page.index('id="news"'):]
    assert client.get("/diary/seen").status_code == 404  # marking seen is a POST; a GET is no child
    assert post(client, "/diary/seen", {"upto": str(event.id), "back": url(week)}).status_code == 302
    assert 'id="news"' not in client.get(url(week)).get_data(as_text=True)
    assert post(client, "/diary/seen", {"upto": "x"}).status_code == 400


def test_parent_acknowledges_a_remark_pupil_may_not(client, week, session):
    path = url(week, tail=f"/remarks/{week.family_remark.public_id}/acknowledge")
    login(client, "pupil")
    assert post(client, path).status_code == 403
    client.post("/logout", data={"csrf_token": client.get("/csrf").get_json()["token"]})
    login(client, "parent")
    assert post(client, path).status_code == 302
    session.refresh(week.family_remark)
    assert week.family_remark.acknowledged_by_account_id == week.accounts["parent"].id


def test_marks_page_average_history_and_trend(client, week, session):
    for n, value in enumerate(["4", "3"]):
        add_mark(week, make_lesson(week, TODAY - timedelta(days=7 * (n + 1)), 3), week.pupil, value)
    writes.save(Mark, row=week.mark, values={"value": "4", "value_num": Decimal("4")}, school_id=week.school.id,
                client_id=str(uuid.uuid4()), base_version=1)
    writes.save(Mark, row=week.mark, values={"value": "5", "value_num": Decimal("5")}, school_id=week.school.id,
                client_id=str(uuid.uuid4()), base_version=2)
    session.flush()
    login(client, "parent")
    page = client.get(url(week, tail="/marks")).get_data(as_text=True)
    assert "Алгебра" in page and "<polyline" in page
    assert "4,25" in page or "4.25" in page  # (5·2 + 4 + 3) ÷ 4
    assert "<details>" in page and "4 → 5" in page


def test_final_marks_show_without_marks_and_name_the_quarter_or_half_year(client, week, session):
    first = session.query(Term).filter_by(school_id=week.school.id).one()
    second = add_term(week, 2, date(2026, 11, 10), date(2026, 12, 28))
    pe = factories.make_subject(week.school, "Дене тарбия")
    algebra = week.assignment.subject_id

    def final(subject_id, value, term=None):
        session.add(TermMark(school_id=week.school.id, pupil_id=week.pupil.id, subject_id=subject_id,
                             academic_year_id=week.school.year.id, term_id=term and term.id, value=value,
                             value_num=Decimal(value) if value.isdigit() else None))
    final(algebra, "5", first)
    final(algebra, "4")
    final(pe.id, "осв.", first)  # excused from PE: a term mark, and no mark in any lesson
    final(pe.id, "осв.")
    session.flush()
    login(client, "parent")
    page = client.get(url(week, tail="/marks")).get_data(as_text=True)  # the first quarter
    pe_card = page[page.index("Дене тарбия"):]
    assert "Чейректик баа: <strong" in page and "осв." in pe_card
    assert "Жылдык баа:" in page and "Жылдык баа:" not in pe_card  # the year mark of PE waits for the last term
    page = client.get(url(week, tail=f"/marks?term={second.public_id}")).get_data(as_text=True)
    assert "Жылдык баа: <strong class=\"mark\">осв." in page and "Чейректик баа:" not in page
    first.kind = second.kind = "half"
    week.accounts["parent"].person.language = "ru"
    session.flush()
    page = client.get(url(week, tail="/marks")).get_data(as_text=True)
    assert "Полугодовая оценка: <strong" in page and "Четвертная" not in page


def test_last_years_marks_at_the_school_left_stay_readable_for_the_parent(client, week, session):
    other = week.other_school
    old_year = AcademicYear(school_id=other.id, starts_on=date(2025, 9, 1), ends_on=date(2026, 5, 31))
    session.add(old_year)
    session.flush()
    this_year, other.year = other.year, old_year
    old_class = factories.make_class(other, 6, "В")
    other.year = this_year
    session.add(Enrolment(school_id=other.id, pupil_id=week.pupil.id, school_class_id=old_class.id,
                          valid_from=date(2025, 9, 1), valid_to=date(2026, 5, 31)))
    old_term = Term(school_id=other.id, academic_year_id=old_year.id, kind="quarter", number=4, grade_from=1,
                    grade_to=11, starts_on=date(2026, 3, 30), ends_on=date(2026, 5, 25))
    session.add(old_term)
    assignment = factories.make_assignment(factories.make_staff(other, "teacher"), old_class,
                                           factories.make_subject(other, "Тарых"))
    add_mark(week, make_lesson(week, date(2026, 4, 15), assignment=assignment), week.pupil, "4", comment="Өткөн жыл")
    login(client, "parent")
    marks = url(week, tail="/marks")
    page = client.get(marks).get_data(as_text=True)
    assert "2025–2026 · 6-В" in page and "Өткөн жыл" not in page  # listed; this year's term is shown
    page = client.get(f"{marks}?term={old_term.public_id}").get_data(as_text=True)
    assert "Тарых" in page and "Өткөн жыл" in page and 'aria-current="page"' in page
    client.post("/logout", data={"csrf_token": client.get("/csrf").get_json()["token"]})
    login(client, "pupil")  # the pupil's own account reads their school of today
    assert client.get(f"{marks}?term={old_term.public_id}").status_code == 404
    client.post("/logout", data={"csrf_token": client.get("/csrf").get_json()["token"]})
    login(client, "teacherparent")  # a parent at the other school, not this child's
    post(client, "/context", {"key": "parent"})
    assert client.get(f"{marks}?term={old_term.public_id}").status_code == 404


def test_homework_list(client, week):
    login(client, "pupil")
    page = client.get(url(week, tail="/homework")).get_data(as_text=True)
    assert "№ 245, 247" in page and "Сызыктуу теңдемелер" in page


def test_homework_list_is_what_is_due_from_today_whenever_it_was_set(client, week, session):
    def homework(set_on, due_on, text, period=4, status="planned"):
        lesson = make_lesson(week, set_on, period, status=status)
        session.add(LessonContent(school_id=week.school.id, lesson_id=lesson.id, homework=text,
                                  homework_due_on=due_on))
    homework(TODAY - timedelta(days=5), TODAY + timedelta(days=5), "set Friday, due Monday")
    homework(TODAY - timedelta(days=2), TODAY - timedelta(days=1), "due yesterday")
    homework(TODAY - timedelta(days=2), TODAY, "due today", period=5)
    homework(TODAY + timedelta(days=7), TODAY + timedelta(days=9), "posted in advance")
    homework(TODAY - timedelta(days=40), TODAY + timedelta(days=30), "a long project")  # beyond 21 days
    homework(TODAY - timedelta(days=5), None, "undated, recent", period=6)  # no next lesson was planned
    homework(TODAY - timedelta(days=8), None, "undated, old")
    homework(TODAY + timedelta(days=1), TODAY + timedelta(days=2), "posted for a lesson since cancelled", 5,
             status="cancelled")
    old = make_lesson(week, TODAY - timedelta(days=9), 6)
    session.add(IndividualHomework(school_id=week.school.id, lesson_id=old.id, pupil_id=week.pupil.id,
                                   text="own, set last week", due_on=TODAY + timedelta(days=1)))
    session.flush()
    login(client, "pupil")
    page = client.get(url(week, tail="/homework")).get_data(as_text=True)
    shown = [text for text in ("due today", "own, set last week", "set Friday, due Monday", "posted in advance")
             if text in page]
    assert shown == sorted(shown, key=page.index) == ["due today", "own, set last week", "set Friday, due Monday",
                                                      "posted in advance"]
    assert "due yesterday" not in page and "a long project" not in page and "undated, old" not in page
    assert "since cancelled" not in page
    undated = page[page.rindex("<li", 0, page.index("undated, recent")):page.index("undated, recent")]
    assert "берилген: жума, 9-октябрь" in undated


def statements(app, count_sql, login_name, path):
    client = app.test_client()
    login(client, login_name)
    with count_sql() as counter:
        resp = client.get(path)
    assert resp.status_code == 200, path
    return len(counter.statements)


def test_sql_does_not_grow_with_children_or_marks(app, session, count_sql):
    pin_today()
    small = factories.make_world(prefix="s")
    add_bells(small)
    add_term(small)
    for day in range(5):
        add_mark(small, make_lesson(small, TODAY - timedelta(days=day), 1), small.pupil, "4")
    big = factories.make_world(prefix="b")
    add_bells(big)
    add_term(big)
    for n in range(2):
        factories.link_parent(big.parent, factories.make_pupil(big.school_class, f"Кошумча{n}", "Асанов"))
    for day in range(60):
        lesson = make_lesson(big, TODAY - timedelta(days=day % 5, weeks=day // 5), 1 + day % 6)
        add_mark(big, lesson, big.pupil, "5")
        session.add(LessonContent(school_id=big.school.id, lesson_id=lesson.id, topic="т", homework="у"))
    session.flush()
    for tail in ("", "/marks", "/homework"):
        n_small = statements(app, count_sql, "sparent", url(small, tail=tail))
        n_big = statements(app, count_sql, "bparent", url(big, tail=tail))
        assert n_small == n_big, tail
        assert n_small <= 2 + 5, tail
