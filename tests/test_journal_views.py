"""The journal over HTTP: every write endpoint's authorization, fragments against pages, CSRF,
response sizes, bad input, escaping, and the SQL budgets of the journal page and the teacher's day."""
import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from kundoluk.models import (
    AttendanceCheck, AttendanceEntry, AttendanceExcuse, ChangeHistory, IndividualHomework, JournalRemark, JournalSettings,
    LessonContent, Mark, NotificationEvent, Remark, Term, TermMark, WriteReceipt,
)
from tests import factories
from tests.conftest import login, post

JOURNAL_TABLES = (AttendanceCheck, AttendanceEntry, AttendanceExcuse, ChangeHistory, IndividualHomework, JournalRemark,
                  JournalSettings, LessonContent, Mark, NotificationEvent, Remark, TermMark, WriteReceipt)


@pytest.fixture()
def jw(session):
    return factories.jr_world()


def cid():
    return str(uuid.uuid4())


def snapshot(session):
    """Row counts and versions of every journal table: "nothing changed" means equal snapshots."""
    state = {}
    for model in JOURNAL_TABLES:
        key = model.client_id if model is WriteReceipt else model.id
        cols = [key] + ([model.version] if hasattr(model, "version") else [])
        state[model.__tablename__] = sorted(session.execute(sa.select(*cols)).all())
    return state


def hx(target):
    return {"HX-Request": "true", "HX-Target": target}


def write_endpoints(w, session):
    """Every POST of the journal with valid data for the teacher, the class teacher or the deputy."""
    remark = Remark(school_id=w.school.id, pupil_id=w.pupil.id, author_id=w.teacher.id, text="Жакшы",
                    lesson_id=w.lesson.id)
    note = JournalRemark(school_id=w.school.id, teaching_assignment_id=w.assignment.id, on_date=w.today,
                         author_id=w.deputy.id, text="Темалар жок")
    session.add_all([remark, note])
    session.flush()
    L, P, A = w.lesson.public_id, w.pupil.public_id, w.assignment.public_id
    day = w.today.isoformat()
    return [
        (f"/journal/lessons/{L}/attendance/{P}", {"code": "absent", "client_id": cid(), "base_version": "0"}),
        (f"/journal/lessons/{L}/attendance-confirm", {"client_id": cid()}),
        (f"/journal/lessons/{L}/content", {"topic": "Теңдемелер", "client_id": cid(), "base_version": "0"}),
        (f"/journal/lessons/{L}/homework", {"pupil": P, "text": "№5", "client_id": cid()}),
        (f"/journal/lessons/{L}/marks/{P}", {"value": "5", "slot": "1", "client_id": cid(), "base_version": "0"}),
        (f"/journal/lessons/{L}/remarks", {"pupil": P, "text": "Жакшы", "visibility": "family", "client_id": cid()}),
        (f"/journal/remarks/{remark.public_id}/withdraw", {"client_id": cid()}),
        (f"/journal/a/{A}/undo", {"mark": "x", "base_version": "1", "client_id": cid()}),
        (f"/journal/a/{A}/term-marks/{P}", {"term": "1", "value": "5", "client_id": cid(), "base_version": "0"}),
        (f"/journal/a/{A}/notes", {"on_date": day, "text": "Темалар жок", "client_id": cid()}),
        (f"/journal/notes/{note.public_id}/fixed", {"client_id": cid()}),
        (f"/journal/classes/{w.school_class.public_id}/remarks",
         {"pupil": P, "text": "Сабактан кечигет", "visibility": "family", "client_id": cid()}),
        (f"/journal/classes/{w.school_class.public_id}/excuses",
         {"pupil": P, "starts_on": day, "ends_on": day, "code": "ill", "reason": "", "client_id": cid()}),
        ("/journal/settings", {"edit_window_days": "3", "min_marks_for_term": "3", "client_id": cid(),
                               "base_version": "0"}),
    ]


@pytest.mark.parametrize("persona", ["teacher2", "other_deputy"])
def test_another_teachers_posts_answer_404_and_change_nothing(client, jw, session, persona):
    # (the other school's deputy has settings of their own school: not this school's object)
    endpoints = [e for e in write_endpoints(jw, session) if persona == "teacher2" or e[0] != "/journal/settings"]
    login(client, jw.accounts[persona].login)
    before = snapshot(session)
    for url, data in endpoints:
        resp = post(client, url, data)
        assert resp.status_code == 404, (persona, url, resp.status_code)
        resp = post(client, url, data, headers=hx("x"))
        assert resp.status_code == 404, (persona, url)
    assert snapshot(session) == before


def test_readers_may_not_write(client, jw, session):
    """The class teacher reads every subject of the class, the director reads all: 403 on writes."""
    endpoints = write_endpoints(jw, session)
    writes = [e for e in endpoints if "/classes/" not in e[0] and "/settings" not in e[0] and "/notes" not in e[0]
              and "/withdraw" not in e[0]]
    for persona in ("class_teacher", "director"):
        login(client, jw.accounts[persona].login)
        before = snapshot(session)
        for url, data in writes:
            assert post(client, url, data).status_code == 403, (persona, url)
        assert snapshot(session) == before
        assert client.get(f"/journal/a/{jw.assignment.public_id}").status_code == 200
        assert client.get(f"/journal/lessons/{jw.lesson.public_id}").status_code == 200
        post(client, "/logout")


def test_every_write_endpoint_works_for_its_writer(client, jw, session):
    endpoints = dict(write_endpoints(jw, session))
    writers = {"teacher": [u for u in endpoints if ("/notes" not in u or "/fixed" in u) and "/classes/" not in u],
               "class_teacher": [u for u in endpoints if "/excuses" in u or "/classes/" in u],
               "deputy": [u for u in endpoints if u.endswith("/notes") or u == "/journal/settings"]}
    for persona, urls in writers.items():
        login(client, jw.accounts[persona].login)
        for url in urls:
            if url.endswith("/excuses") or url.endswith("/settings") or url.endswith("/undo"):
                continue  # checked below with their own data
            resp = post(client, url, endpoints[url])
            assert resp.status_code in (200, 303), (persona, url, resp.status_code, resp.get_data(as_text=True)[:500])
        post(client, "/logout")
    assert session.execute(sa.select(Mark.value)).scalar_one() == "5"
    assert session.execute(sa.select(TermMark.value)).scalar_one() == "5"
    assert session.execute(sa.select(LessonContent.topic)).scalar_one() == "Теңдемелер"


def test_csrf_is_required(client, jw):
    login(client, "teacher")
    resp = client.post(f"/journal/lessons/{jw.lesson.public_id}/marks/{jw.pupil.public_id}",
                       data={"value": "5", "client_id": cid(), "base_version": "0"})
    assert resp.status_code == 400


# --- Fragments, sizes, conflicts --------------------------------------------------------------

def test_attendance_tap_answers_with_its_row_under_2kb(client, jw, session):
    login(client, "teacher")
    url = f"/journal/lessons/{jw.lesson.public_id}/attendance/{jw.pupil.public_id}"
    target = f"att-{jw.pupil.public_id}"
    resp = post(client, url, {"code": "absent", "client_id": cid(), "base_version": "0"}, headers=hx(target))
    body = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "<html" not in body and f'id="{target}"' in body
    assert len(resp.data) <= 2048, len(resp.data)
    assert "HX-Request" in resp.headers["Vary"]
    entry = session.execute(sa.select(AttendanceEntry)).scalar_one()
    assert entry.code == "absent"
    # without JS: a redirect back to the lesson
    resp = post(client, url, {"code": "present", "client_id": cid(), "base_version": str(entry.version)})
    assert resp.status_code == 303 and resp.headers["Location"].endswith(f"#att-{jw.pupil.public_id}")
    session.refresh(entry)
    assert entry.deleted


def test_mark_save_answers_with_the_cell_under_2kb(client, jw, session):
    login(client, "teacher")
    url = f"/journal/lessons/{jw.lesson.public_id}/marks/{jw.pupil.public_id}"
    resp = post(client, url, {"value": "4", "slot": "1", "client_id": cid(), "base_version": "0",
                              "device_time": "2026-10-14T04:30:00.000Z"}, headers=hx("cell"))
    body = resp.get_data(as_text=True)
    assert resp.status_code == 200 and body.startswith("<td") and 'data-v="1">4</b>' in body
    assert len(resp.data) <= 2048
    resp = post(client, url, {"value": "5", "slot": "1", "client_id": cid(), "base_version": "1"},
                headers=hx(f"mrow-{jw.pupil.public_id}"))
    assert resp.status_code == 200 and f'<li id="mrow-{jw.pupil.public_id}"' in resp.get_data(as_text=True)
    assert len(resp.data) <= 2048
    history = session.execute(sa.select(ChangeHistory).where(ChangeHistory.table_name == "mark")
                              .order_by(ChangeHistory.id)).scalars().all()
    assert history[0].device_time.isoformat().startswith("2026-10-14T04:30")
    assert history[1].old == {"value": "4", "value_num": 4, "kind": "oral", "weight": 1.0, "comment": None,
                              "deleted": False, "deleted_by_account_id": None}


def test_a_stale_mark_answers_409_with_both_values(client, jw, session):
    login(client, "teacher")
    url = f"/journal/lessons/{jw.lesson.public_id}/marks/{jw.pupil.public_id}"
    post(client, url, {"value": "4", "client_id": cid(), "base_version": "0"})
    post(client, url, {"value": "3", "client_id": cid(), "base_version": "1"})
    resp = post(client, url, {"value": "5", "client_id": cid(), "base_version": "1"}, headers=hx("cell"))
    body = resp.get_data(as_text=True)
    assert resp.status_code == 409 and 'class="cf"' in body and 'data-mine="5"' in body and ">3</b>" in body
    page = post(client, url, {"value": "5", "client_id": cid(), "base_version": "1", "next": "//evil.example"})
    text = page.get_data(as_text=True)
    assert page.status_code == 409 and 'name="base_version" value="2"' in text and "evil.example" not in text
    assert session.execute(sa.select(Mark.value)).scalar_one() == "3"


def test_a_replayed_client_id_with_other_content_is_a_clear_422(client, jw, session):
    login(client, "teacher")
    url = f"/journal/lessons/{jw.lesson.public_id}/marks/{jw.pupil.public_id}"
    same = cid()
    assert post(client, url, {"value": "4", "client_id": same, "base_version": "0"}).status_code == 303
    assert post(client, url, {"value": "4", "client_id": same, "base_version": "0"}).status_code == 303
    resp = post(client, url, {"value": "5", "client_id": same, "base_version": "1"}, headers=hx("cell"))
    assert resp.status_code == 422 and 'class="er"' in resp.get_data(as_text=True)
    assert session.execute(sa.select(Mark.value)).scalar_one() == "4"
    assert session.execute(sa.select(sa.func.count(ChangeHistory.id))).scalar() == 1


# --- Bad input -------------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["6", "0", "five", "-1", "<b>5</b>"])
def test_a_mark_outside_the_scheme_is_422(client, jw, session, value):
    login(client, "teacher")
    resp = post(client, f"/journal/lessons/{jw.lesson.public_id}/marks/{jw.pupil.public_id}",
                {"value": value, "client_id": cid(), "base_version": "0"}, headers=hx("cell"))
    assert resp.status_code == 422 and "<b>5</b>" not in resp.get_data(as_text=True).replace('">5</b>', "")
    assert session.execute(sa.select(sa.func.count(Mark.id))).scalar() == 0


def test_bad_contract_fields_are_422(client, jw, session):
    login(client, "teacher")
    url = f"/journal/lessons/{jw.lesson.public_id}/marks/{jw.pupil.public_id}"
    for data in ({"value": "5", "client_id": "12", "base_version": "0"},
                 {"value": "5", "client_id": cid(), "base_version": "x"},
                 {"value": "5", "client_id": cid(), "base_version": "0", "device_time": "yesterday"},
                 {"value": "5", "client_id": cid(), "base_version": "0", "slot": "9"},
                 {"value": "5", "client_id": cid(), "base_version": "0", "comment": "x" * 100_000}):
        resp = post(client, url, data)
        assert resp.status_code == 422, data
    assert session.execute(sa.select(sa.func.count(Mark.id))).scalar() == 0


def test_a_pupil_not_in_the_group_and_a_foreign_lesson_are_404(client, jw):
    login(client, "teacher")
    data = {"value": "5", "client_id": cid(), "base_version": "0"}
    assert post(client, f"/journal/lessons/{jw.lesson.public_id}/marks/{jw.sibling.public_id}", data).status_code == 404
    assert post(client, f"/journal/lessons/{jw.lesson.public_id}/marks/{jw.other_pupil.public_id}", data).status_code == 404
    assert post(client, f"/journal/lessons/{jw.other_lesson.public_id}/marks/{jw.other_pupil.public_id}",
                data).status_code == 404
    assert client.get(f"/journal/lessons/{jw.other_lesson.public_id}").status_code == 404
    assert client.get(f"/journal/a/{jw.other_assignment.public_id}").status_code == 404


def test_a_date_outside_the_term_or_the_enrolment_is_422(client, jw, session):
    from kundoluk.models import Enrolment
    holiday = factories.jr_lesson(jw.assignment, factories.year_start() + timedelta(days=66), period=5)
    login(client, "teacher")
    data = {"value": "5", "client_id": cid(), "base_version": "0"}
    assert post(client, f"/journal/lessons/{holiday.public_id}/marks/{jw.pupil.public_id}", data).status_code == 422
    session.execute(sa.update(Enrolment).where(Enrolment.pupil_id == jw.pupil.id)
                    .values(valid_from=jw.today + timedelta(days=1)))
    assert post(client, f"/journal/lessons/{jw.lesson.public_id}/marks/{jw.pupil.public_id}",
                {**data, "client_id": cid()}).status_code == 422
    assert session.execute(sa.select(sa.func.count(Mark.id))).scalar() == 0


def test_html_in_homework_and_comments_is_escaped(client, jw, session):
    login(client, "teacher")
    script = "<script>alert(1)</script>"
    resp = post(client, f"/journal/lessons/{jw.lesson.public_id}/content",
                {"topic": script, "homework": script, "client_id": cid(), "base_version": "0"})
    assert resp.status_code == 303
    post(client, f"/journal/lessons/{jw.lesson.public_id}/marks/{jw.pupil.public_id}",
         {"value": "5", "comment": '"><img src=x onerror=alert(1)>', "client_id": cid(), "base_version": "0"})
    post(client, f"/journal/lessons/{jw.lesson.public_id}/homework",
         {"pupil": jw.pupil.public_id, "text": script, "client_id": cid()})
    for url in (f"/journal/lessons/{jw.lesson.public_id}", f"/journal/a/{jw.assignment.public_id}",
                f"/journal/lessons/{jw.lesson.public_id}/marks"):
        html = client.get(url).get_data(as_text=True)
        assert script not in html and "<img src=x" not in html, url
        assert "&lt;script&gt;" in html or "&#34;&gt;&lt;img" in html or "&lt;img" in html, url


def test_content_too_long_is_422_and_keeps_what_was_typed(client, jw, session):
    login(client, "teacher")
    resp = post(client, f"/journal/lessons/{jw.lesson.public_id}/content",
                {"topic": "Т" * 501, "homework": "§3", "client_id": cid(), "base_version": "0"})
    assert resp.status_code == 422 and "§3" in resp.get_data(as_text=True)
    assert session.execute(sa.select(sa.func.count(LessonContent.id))).scalar() == 0


def test_a_stale_content_edit_is_409_and_keeps_the_text(client, jw, session):
    login(client, "teacher")
    url = f"/journal/lessons/{jw.lesson.public_id}/content"
    post(client, url, {"topic": "Биринчи", "client_id": cid(), "base_version": "0"})
    resp = post(client, url, {"topic": "Экинчи", "client_id": cid(), "base_version": "0"})
    assert resp.status_code == 409 and "Экинчи" in resp.get_data(as_text=True)
    assert session.execute(sa.select(LessonContent.topic)).scalar_one() == "Биринчи"


def test_parents_only_remarks_only_where_the_school_allows(client, jw, session):
    login(client, "teacher")
    url = f"/journal/lessons/{jw.lesson.public_id}/remarks"
    data = {"pupil": jw.pupil.public_id, "text": "Сабакта уктады", "visibility": "parents_only"}
    assert post(client, url, {**data, "client_id": cid()}).status_code == 422
    session.add(JournalSettings(school_id=jw.school.id, parents_only_remarks=True))
    session.flush()
    assert post(client, url, {**data, "client_id": cid()}).status_code == 303
    remark = session.execute(sa.select(Remark)).scalar_one()
    assert remark.visibility == "parents_only" and remark.author_id == jw.teacher.id
    event = session.execute(sa.select(NotificationEvent).where(NotificationEvent.kind == "remark")).scalar_one()
    assert event.pupil_id == jw.pupil.id and event.payload["visibility"] == "parents_only"


# --- Pages --------------------------------------------------------------------------------------------

def test_the_teachers_home_is_the_teachers_day(client, jw, session):
    login(client, "teacher")
    html = client.get("/staff").get_data(as_text=True)
    assert f'data-lesson="{jw.lesson.public_id}"' in html
    assert 'data-miss="attendance"' in html and 'data-miss="topic"' in html
    post(client, f"/journal/lessons/{jw.lesson.public_id}/attendance-confirm", {"client_id": cid()})
    post(client, f"/journal/lessons/{jw.lesson.public_id}/content",
         {"topic": "Теңдемелер", "client_id": cid(), "base_version": "0"})
    html = client.get("/staff").get_data(as_text=True)
    assert 'data-miss="attendance"' not in html and 'data-miss="topic"' not in html


def test_a_substitute_sees_and_writes_only_that_lesson(client, jw, session):
    jw.lesson.taught_by_id = jw.teacher2.id
    session.flush()
    login(client, "teacher2")
    assert f'data-lesson="{jw.lesson.public_id}"' in client.get("/staff").get_data(as_text=True)
    url = f"/journal/lessons/{jw.lesson.public_id}/marks/{jw.pupil.public_id}"
    assert post(client, url, {"value": "5", "client_id": cid(), "base_version": "0"}).status_code == 303
    other = factories.jr_lesson(jw.assignment, jw.today - timedelta(days=1), period=3)
    assert post(client, f"/journal/lessons/{other.public_id}/marks/{jw.pupil.public_id}",
                {"value": "5", "client_id": cid(), "base_version": "0"}).status_code == 404
    assert client.get(f"/journal/a/{jw.assignment.public_id}").status_code == 404
    post(client, "/logout")
    login(client, "teacher")   # the regular teacher now only reads that lesson
    assert post(client, url, {"value": "4", "client_id": cid(), "base_version": "1"}).status_code == 403


def test_journal_discipline_lists_unfilled_lessons_and_rates(client, jw, session):
    yesterday = factories.jr_lesson(jw.assignment, jw.today - timedelta(days=1), period=3)
    login(client, "deputy")
    html = client.get("/journal/discipline").get_data(as_text=True)
    assert yesterday.public_id in html and jw.teacher.full_name in html and 'id="rates"' in html
    assert jw.lesson.public_id not in html  # today's lesson is still being taught
    resp = post(client, f"/journal/a/{jw.assignment.public_id}/notes",
                {"on_date": jw.today.isoformat(), "text": "Темалар жазылган эмес", "client_id": cid()})
    assert resp.status_code == 303
    post(client, "/logout")
    login(client, "teacher")
    assert "Темалар жазылган эмес" in client.get("/staff").get_data(as_text=True)
    note = session.execute(sa.select(JournalRemark)).scalar_one()
    assert post(client, f"/journal/notes/{note.public_id}/fixed", {"client_id": cid()}).status_code == 303
    session.refresh(note)
    assert note.fixed_at is not None


def test_term_marks_page_proposes_from_the_weighted_average(client, jw, session):
    login(client, "teacher")
    for day, value in ((1, "5"), (2, "4"), (3, "5")):
        lesson = factories.jr_lesson(jw.assignment, jw.today - timedelta(days=day), period=3)
        post(client, f"/journal/lessons/{lesson.public_id}/marks/{jw.pupil.public_id}",
             {"value": value, "client_id": cid(), "base_version": "0"})
    html = client.get(f"/journal/a/{jw.assignment.public_id}/term-marks").get_data(as_text=True)
    assert 'name="proposed" value="5"' in html and 'name="rule" value="weighted_average"' in html
    assert "<title>Чейректик баалар" in html
    journal = client.get(f"/journal/a/{jw.assignment.public_id}").get_data(as_text=True)
    assert ">Чейректик баалар</a>" in journal
    resp = post(client, f"/journal/a/{jw.assignment.public_id}/term-marks/{jw.pupil.public_id}",
                {"term": "1", "value": "4", "proposed": "5", "rule": "weighted_average", "client_id": cid(),
                 "base_version": "0"}, headers=hx(f"tm-{jw.pupil.public_id}"))
    assert resp.status_code == 200 and "<html" not in resp.get_data(as_text=True)
    row = session.execute(sa.select(TermMark)).scalar_one()
    assert (row.value, row.proposed_value, row.proposal_rule) == ("4", "5", "weighted_average")
    for term in session.execute(sa.select(Term).where(Term.school_id == jw.school.id)).scalars():
        term.kind = "half"  # grades 10–11 of many schools
    session.flush()
    html = client.get(f"/journal/a/{jw.assignment.public_id}/term-marks").get_data(as_text=True)
    assert "<title>Жарым жылдык баалар" in html


def test_class_teacher_records_a_range_of_days(client, jw, session):
    login(client, "classteacher")
    resp = post(client, f"/journal/classes/{jw.school_class.public_id}/excuses",
                {"pupil": jw.pupil.public_id, "starts_on": jw.today.isoformat(), "ends_on": jw.today.isoformat(),
                 "code": "excused", "reason": "Ата-энеси чалды", "client_id": cid()})
    assert resp.status_code == 200
    entry = session.execute(sa.select(AttendanceEntry)).scalar_one()
    assert entry.code == "excused" and entry.excuse_id is not None
    bad = post(client, f"/journal/classes/{jw.school_class.public_id}/excuses",
               {"pupil": jw.pupil.public_id, "starts_on": jw.today.isoformat(), "ends_on": jw.today.isoformat(),
                "code": "excused", "reason": "", "client_id": cid()})
    assert bad.status_code == 422


def test_settings_are_saved_for_the_school(client, jw, session):
    login(client, "deputy")
    resp = post(client, "/journal/settings", {"edit_window_days": "3", "min_marks_for_term": "2",
                                              "parents_only_remarks": "y", "client_id": cid(), "base_version": "0"})
    assert resp.status_code == 303
    row = session.execute(sa.select(JournalSettings)).scalar_one()
    assert (row.edit_window_days, row.min_marks_for_term, row.parents_only_remarks) == (3, 2, True)
    assert post(client, "/journal/settings", {"edit_window_days": "99", "min_marks_for_term": "2",
                                              "client_id": cid(), "base_version": "1"}).status_code == 422


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_pages_render_in_both_languages(client, jw, lang):
    login(client, "teacher")
    post(client, "/language", {"lang": lang})
    for url in ("/staff", f"/journal/lessons/{jw.lesson.public_id}", f"/journal/a/{jw.assignment.public_id}",
                f"/journal/a/{jw.assignment.public_id}/term-marks?term=year"):
        resp = client.get(url)
        assert resp.status_code == 200 and f'<html lang="{lang}">' in resp.get_data(as_text=True)


def test_undo_over_http(client, jw, session):
    login(client, "teacher")
    url = f"/journal/lessons/{jw.lesson.public_id}/marks/{jw.pupil.public_id}"
    post(client, url, {"value": "3", "client_id": cid(), "base_version": "0"})
    post(client, url, {"value": "5", "client_id": cid(), "base_version": "1"})
    page = client.get(f"/journal/a/{jw.assignment.public_id}").get_data(as_text=True)
    mark = session.execute(sa.select(Mark)).scalar_one()
    assert f'name="mark" value="{mark.public_id}"' in page
    resp = post(client, f"/journal/a/{jw.assignment.public_id}/undo",
                {"mark": mark.public_id, "base_version": "2", "client_id": cid()})
    assert resp.status_code == 303
    session.refresh(mark)
    assert mark.value == "3"
    # a page that shows an older change cannot undo a newer one
    assert post(client, f"/journal/a/{jw.assignment.public_id}/undo",
                {"mark": "not-this-one", "base_version": "3", "client_id": cid()}).status_code == 409


# --- SQL budgets ------------------------------------------------------------------------------------------

def _lessons(w, n):
    """n lessons: for the journal, in the term before today; for the day, all today."""
    lessons = []
    for i in range(n):
        day = w.today - timedelta(days=1 + i % 30)
        lesson = factories.jr_lesson(w.assignment, day, period=1 + i // 30 + 3)
        lessons.append(lesson)
        session_mark = Mark(school_id=w.school.id, lesson_id=lesson.id, pupil_id=w.pupil.id, slot=1, value="5",
                            value_num=5, kind="oral", weight=1, teaching_assignment_id=w.assignment.id,
                            term_id=lesson.term_id)
        factories.db.session.add(session_mark)
        factories.jr_lesson(w.assignment, w.today, period=10 + i)
    factories.db.session.flush()
    # the teacher's last change (the page offers to undo it without another statement)
    factories.db.session.add(ChangeHistory(school_id=w.school.id, actor_account_id=w.accounts["teacher"].id,
                                           table_name="mark", row_id=session_mark.id, old=None, new={"value": "5"}))
    factories.db.session.flush()
    return lessons


@pytest.mark.parametrize("page", ["journal", "day", "lesson", "marks", "term", "class"])
def test_pages_run_the_same_statements_with_5_and_60_lessons(app, session, count_sql, page):
    counts = []
    for n, prefix in ((5, "s"), (60, "b")):
        w = factories.jr_world(prefix=prefix)
        _lessons(w, n)
        for i in range(n // 5):
            factories.make_pupil(w.school_class, f"Окуучу{i}", "Асанов")
        client = app.test_client()
        login(client, w.accounts["teacher"].login)
        url = {"journal": f"/journal/a/{w.assignment.public_id}", "day": "/staff",
               "lesson": f"/journal/lessons/{w.lesson.public_id}",
               "marks": f"/journal/lessons/{w.lesson.public_id}/marks",
               "term": f"/journal/a/{w.assignment.public_id}/term-marks",
               "class": f"/journal/classes/{w.school_class.public_id}"}[page]
        if page == "class":
            client = app.test_client()
            login(client, w.accounts["class_teacher"].login)
        with count_sql() as counter:
            resp = client.get(url)
        assert resp.status_code == 200
        if page == "journal":
            assert 'action="/journal/a/' in resp.get_data(as_text=True) and 'id="undo"' in resp.get_data(as_text=True)
        counts.append(len(counter.statements))
    assert counts[0] == counts[1], counts
    assert counts[0] <= 2 + 5, counts


# --- Who reads what ----------------------------------------------------------------------------------------

READ_PAGES = ("/journal/lessons/{L}", "/journal/lessons/{L}/marks", "/journal/lessons/{L}/remarks",
              "/journal/a/{A}", "/journal/a/{A}/term-marks", "/journal/a/{A}/term-marks?term=year",
              "/journal/a/{A}/history")
READERS = {"teacher": 200, "class_teacher": 200, "deputy": 200, "director": 200, "admin": 200,
           "teacher2": 404, "other_deputy": 404, "pupil": 404, "parent": 404}


@pytest.mark.parametrize("persona", list(READERS))
def test_who_reads_a_journal(client, jw, persona):
    login(client, jw.accounts[persona].login)
    for page in READ_PAGES:
        url = page.format(L=jw.lesson.public_id, A=jw.assignment.public_id)
        assert client.get(url).status_code == READERS[persona], (persona, url)
    expected = 200 if persona in ("class_teacher", "deputy", "director", "admin") else 404
    assert client.get(f"/journal/classes/{jw.school_class.public_id}").status_code == expected


def test_class_teacher_writes_a_remark_outside_lessons(client, jw, session):
    login(client, "classteacher")
    resp = post(client, f"/journal/classes/{jw.school_class.public_id}/remarks",
                {"pupil": jw.pupil.public_id, "text": "<i>Ата-энелер жыйыны</i>", "client_id": cid()})
    assert resp.status_code == 303
    remark = session.execute(sa.select(Remark)).scalar_one()
    assert remark.lesson_id is None and remark.author_id == jw.class_teacher.id
    html = client.get(f"/journal/classes/{jw.school_class.public_id}").get_data(as_text=True)
    assert "&lt;i&gt;Ата-энелер жыйыны&lt;/i&gt;" in html


def test_the_history_shows_marks_attendance_and_term_marks(client, jw, session):
    login(client, "teacher")
    L, P, A = jw.lesson.public_id, jw.pupil.public_id, jw.assignment.public_id
    post(client, f"/journal/lessons/{L}/marks/{P}", {"value": "2", "client_id": cid(), "base_version": "0",
                                                     "device_time": "2026-10-14T04:25:00Z"})
    post(client, f"/journal/lessons/{L}/marks/{P}", {"value": "4", "client_id": cid(), "base_version": "1"})
    post(client, f"/journal/lessons/{L}/attendance/{P}", {"code": "late", "minutes": "5", "client_id": cid(),
                                                          "base_version": "0"})
    post(client, f"/journal/a/{A}/term-marks/{P}", {"term": "1", "value": "4", "client_id": cid(), "base_version": "0"})
    post(client, "/logout")
    login(client, "deputy")
    html = client.get(f"/journal/a/{A}/history").get_data(as_text=True)
    assert html.count('data-table="mark"') == 2 and html.count('data-table="attendance_entry"') == 1
    assert html.count('data-table="term_mark"') == 1 and "2 → 4" in html and jw.accounts["teacher"].login in html


def test_an_attendance_conflict_without_js_shows_both_states(client, jw, session):
    login(client, "teacher")
    url = f"/journal/lessons/{jw.lesson.public_id}/attendance/{jw.pupil.public_id}"
    post(client, url, {"code": "ill", "client_id": cid(), "base_version": "0"})
    resp = post(client, url, {"code": "absent", "client_id": cid(), "base_version": "0"})
    assert resp.status_code == 409 and "<html" in resp.get_data(as_text=True)
    assert session.execute(sa.select(AttendanceEntry.code)).scalar_one() == "ill"
    resp = post(client, url, {"code": "absent", "client_id": cid(), "base_version": "0"}, headers=hx("att-x"))
    assert resp.status_code == 409 and 'class="ill"' in resp.get_data(as_text=True)


def test_every_write_endpoint_needs_the_csrf_token(client, jw, session):
    endpoints = write_endpoints(jw, session)
    login(client, "teacher")
    before = snapshot(session)
    for url, data in endpoints:
        assert client.post(url, data=data).status_code == 400, url
    assert snapshot(session) == before


# --- Revisits: a page of forms answers 304 while its ids are unspent ----------------------

def test_a_lesson_page_of_forms_revalidates_until_the_teacher_writes(client, jw, monkeypatch):
    """Forms get new client ids at every render, yet an unchanged lesson page is a 304; once
    the teacher writes anything (even a write undone, the page as it was), it is sent again
    with fresh ids, so a form the phone holds never carries an id already spent."""
    login(client, "teacher")
    path = f"/journal/lessons/{jw.lesson.public_id}"
    first, second = client.get(path), client.get(path)
    assert first.data != second.data and first.headers["ETag"] == second.headers["ETag"]
    held = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert held.status_code == 304
    homework = f"/journal/lessons/{jw.lesson.public_id}/homework"
    assert post(client, homework, {"pupil": jw.pupil.public_id, "text": "№5", "client_id": cid()}).status_code == 303
    assert post(client, homework, {"pupil": jw.pupil.public_id, "text": "", "client_id": cid()}).status_code == 303
    after = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert after.status_code == 200 and after.headers["ETag"] != first.headers["ETag"]
    from kundoluk import stamps
    monkeypatch.setattr(stamps, "read", lambda names: None)  # Redis unreadable: ids are tagged too
    assert client.get(path).headers["ETag"] != client.get(path).headers["ETag"]
