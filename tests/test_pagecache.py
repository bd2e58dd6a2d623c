"""Kept diary pages: served without SQL while nothing under them changed, never after."""
import os
import re
import uuid
from datetime import timedelta

import pytest
import redis
import sqlalchemy as sa

from kundoluk import clock, events, stamps
from kundoluk.extensions import db
from kundoluk.accounts import identity
from kundoluk.models import BellOverride, Enrolment, Guardianship, ImportRow, LessonContent, NotificationEvent, Term, WriteReceipt
from kundoluk.web import pagecache
from kundoluk.web.pagecache import Entry, PageCache
from tests import factories
from tests.conftest import login, post
from tests.test_diary import TODAY, add_mark, make_lesson, url, week  # noqa: F401  (week is a fixture)

HTMX_WEEK = {"HX-Request": "true", "HX-Target": "week"}


def warm(client, path, **kw):
    """Two visits: the session's first page makes its CSRF token; the second is kept."""
    client.get(path, **kw)
    return client.get(path, **kw)


def kept_hit(client, path, count_sql, **kw):
    with count_sql() as counter:
        resp = client.get(path, **kw)
    return resp, len(counter.statements)


def csrf_meta(page):
    return re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)


def test_a_kept_week_is_served_without_any_sql(client, week, count_sql):
    login(client, "parent")
    first = warm(client, url(week))
    for tail in ("", "/marks", "/homework"):
        warm(client, url(week, tail=tail))
        resp, statements = kept_hit(client, url(week, tail=tail), count_sql)
        assert resp.status_code == 200 and statements == 0, tail
    resp, _ = kept_hit(client, url(week), count_sql)
    assert resp.get_data() == first.get_data()


def test_a_new_mark_shows_at_once(client, week, count_sql):
    login(client, "parent")
    warm(client, url(week))
    add_mark(week, make_lesson(week, TODAY, 4), week.pupil, "3", comment="Кайра тапшырат")
    resp, statements = kept_hit(client, url(week), count_sql)
    assert "Кайра тапшырат" in resp.get_data(as_text=True) and statements > 0


def test_a_teachers_new_name_shows_at_once(client, week, session):
    login(client, "parent")
    warm(client, url(week))
    week.teacher2.family_name = "Сыдыкова"
    session.flush()
    assert "Сыдыкова" in client.get(url(week)).get_data(as_text=True)


def test_marking_news_seen_is_seen_at_once(client, week, session):
    event = events.emit("mark", school_id=week.school.id, pupil_id=week.pupil.id, obj=week.mark,
                        payload={"subject_id": week.math.id, "value": "5", "lesson_date": TODAY.isoformat()})
    session.flush()
    login(client, "parent")
    assert 'id="news"' in warm(client, url(week)).get_data(as_text=True)
    post(client, "/diary/seen", {"upto": str(event.id), "back": url(week)})
    assert 'id="news"' not in client.get(url(week)).get_data(as_text=True)


def test_a_revoked_session_gets_no_kept_page(client, week, session):
    login(client, "parent")
    warm(client, url(week))
    week.accounts["parent"].session_version += 1  # a password change elsewhere, a re-issue
    session.flush()
    resp = client.get(url(week))
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]


def test_an_unlinked_child_is_404_though_its_page_was_kept(client, week, session):
    login(client, "parent")
    assert warm(client, url(week)).status_code == 200
    link = session.execute(sa.select(Guardianship).where(
        Guardianship.parent_id == week.parent.id, Guardianship.pupil_id == week.pupil.id)).scalar_one()
    link.valid_to = TODAY - timedelta(days=1)
    session.flush()
    assert client.get(url(week)).status_code == 404


def test_kept_pages_belong_to_their_session(app, week):
    first, second = app.test_client(), app.test_client()
    login(first, "parent")
    login(second, "parent")
    mine = csrf_meta(warm(first, url(week)).get_data(as_text=True))
    theirs = csrf_meta(warm(second, url(week)).get_data(as_text=True))
    assert mine != theirs
    assert post(second, "/diary/seen", {"upto": "0", "csrf_token": theirs}).status_code == 302
    other_family = app.test_client()
    login(other_family, "teacherparent")  # a parent too, of a pupil of the other school
    post(other_family, "/context", {"key": "parent"})
    assert other_family.get(url(week)).status_code == 404


def test_language_change_renders_afresh(client, week):
    login(client, "parent")
    assert '<html lang="ky">' in warm(client, url(week)).get_data(as_text=True)
    post(client, "/language", {"lang": "ru", "next": url(week)})
    assert '<html lang="ru">' in client.get(url(week)).get_data(as_text=True)


def test_fragment_and_page_are_kept_apart(client, week):
    login(client, "parent")
    client.get(url(week))
    fragment = client.get(url(week), headers=HTMX_WEEK).get_data(as_text=True)
    page = client.get(url(week)).get_data(as_text=True)
    again = client.get(url(week), headers=HTMX_WEEK).get_data(as_text=True)
    assert "<html" not in fragment and fragment == again
    assert page.startswith("<!doctype html>")


def test_the_next_day_renders_afresh(client, week):
    login(client, "parent")
    today = re.compile(r'<article class="day today[^"]*" aria-labelledby="day-([0-9-]+)"')
    assert today.findall(warm(client, url(week)).get_data(as_text=True)) == [TODAY.isoformat()]
    clock.set_now(clock.now_utc() + timedelta(days=1))
    assert today.findall(client.get(url(week)).get_data(as_text=True)) == [(TODAY + timedelta(days=1)).isoformat()]


def test_etag_revalidation_answers_304_until_something_changes(client, week):
    login(client, "parent")
    resp = warm(client, url(week), headers={"Accept-Encoding": "gzip"})
    assert resp.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in resp.headers["Vary"]
    tag = resp.headers["ETag"]
    again = client.get(url(week), headers={"Accept-Encoding": "gzip", "If-None-Match": tag})
    assert again.status_code == 304 and again.get_data() == b"" and again.headers["ETag"] == tag
    add_mark(week, make_lesson(week, TODAY, 5), week.pupil, "4")
    fresh = client.get(url(week), headers={"Accept-Encoding": "gzip", "If-None-Match": tag})
    assert fresh.status_code == 200 and fresh.headers["ETag"] != tag


def test_a_page_rendered_before_it_could_be_kept_keeps_its_tag(client, week, monkeypatch):
    """A session's first page is rendered, not kept, and tagged like any page; its kept copy
    carries the same tag, so the phone's next visit is a 304, not the same page again."""
    login(client, "parent")
    gzip_ = {"Accept-Encoding": "gzip"}
    with monkeypatch.context() as patch:
        patch.setattr(pagecache, "_key", lambda: None)
        first = client.get(url(week), headers=gzip_)
    assert first.status_code == 200 and first.headers["ETag"].endswith(':gzip"')
    for _ in range(2):  # kept now, then answered from the kept copy
        again = client.get(url(week), headers={**gzip_, "If-None-Match": first.headers["ETag"]})
        assert again.status_code == 304 and again.headers["ETag"] == first.headers["ETag"]


def test_an_error_is_never_kept(client, week):
    login(client, "parent")
    for _ in range(2):
        assert client.get(url(week) + "?day=2026-13-01").status_code == 400
    assert client.get(url(week, tail="/marks") + "?term=nope").status_code == 404


def test_the_cache_forgets_the_oldest_and_the_too_old(monkeypatch):
    now = [100.0]
    monkeypatch.setattr("kundoluk.web.pagecache.time.monotonic", lambda: now[0])
    cache = PageCache(entries=2, seconds=60)
    for key in "abc":
        cache.put(key, Entry(b"", key, [], [], (), now[0]))
    assert cache.get("a") is None and cache.get("b") is not None and len(cache) == 2
    now[0] += 61
    assert cache.get("b") is None and cache.get("c") is None


# --- stamps ------------------------------------------------------------------------------------

@pytest.fixture()
def stamp(app):
    """The value of a stamp now, through the app's own backend."""
    return lambda name: stamps.read([name])[1]


def test_a_mark_moves_its_pupils_stamp_and_a_topic_its_classs(week, session, stamp):
    names = (stamps.pupil(week.classmate.id), stamps.pupil(week.pupil.id),
             stamps.school_class(week.school_class.id), stamps.school_class(week.sibling_class.id),
             stamps.school(week.school.id), stamps.school(week.other_school.id), stamps.GLOBAL)
    start = [stamp(n) for n in names]
    add_mark(week, week.lesson, week.classmate, "4")
    assert [stamp(n) for n in names] == [start[0] + 1, *start[1:]]
    session.add(LessonContent(school_id=week.school.id, lesson_id=week.other_lesson.id, topic="Бөлчөктөр"))
    session.flush()
    assert [stamp(n) for n in names] == [start[0] + 1, start[1], start[2] + 1, *start[3:]]
    week.other_lesson.room_pinned = True  # the lesson row itself: its class too
    session.flush()
    assert [stamp(n) for n in names] == [start[0] + 1, start[1], start[2] + 2, *start[3:]]


def test_a_teachers_saved_topic_moves_its_classs_stamp_not_the_schools(client, week, session, stamp):
    week.other_lesson.term_id = session.execute(sa.select(Term.id)).scalar_one()
    session.flush()
    names = (stamps.school_class(week.school_class.id), stamps.school(week.school.id), stamps.GLOBAL)
    login(client, "teacher")
    start = [stamp(n) for n in names]
    resp = post(client, f"/journal/lessons/{week.other_lesson.public_id}/content",
                {"topic": "Бөлчөктөр", "client_id": str(uuid.uuid4()), "base_version": "0"})
    assert resp.status_code == 303
    now = [stamp(n) for n in names]
    assert now[0] > start[0] and now[1:] == start[1:]


def test_a_lesson_no_class_can_be_named_for_moves_its_school(week, session, stamp):
    """A cross-class elective's lesson, or one whose group the writing session does not hold."""
    names = (stamps.school_class(week.school_class.id), stamps.school(week.school.id))
    elective = factories.make_subgroup(week.school_class, week.pupil, name="Шахмат")
    elective.kind, elective.school_class_id = "elective", None
    lesson = make_lesson(week, TODAY, 6, assignment=factories.make_assignment(week.teacher, elective))
    start = [stamp(n) for n in names]
    session.add(LessonContent(school_id=week.school.id, lesson_id=lesson.id, topic="Дебют"))
    session.flush()
    assert [stamp(n) for n in names] == [start[0], start[1] + 1]
    session.expunge(week.school_class.group)
    session.add(LessonContent(school_id=week.school.id, lesson_id=week.other_lesson.id, topic="Бөлчөктөр"))
    session.flush()
    assert [stamp(n) for n in names] == [start[0], start[1] + 2]


def test_another_classs_topic_leaves_the_page_kept_and_its_own_shows_at_once(client, week, session, count_sql):
    physics = factories.make_assignment(week.teacher2, week.sibling_class)  # set-up: moves the school
    login(client, "pupil")
    warm(client, url(week))
    elsewhere = make_lesson(week, TODAY, 3, assignment=physics)
    session.add(LessonContent(school_id=week.school.id, lesson_id=elsewhere.id, topic="Ньютондун мыйзамдары"))
    session.flush()
    resp, statements = kept_hit(client, url(week), count_sql)
    assert resp.status_code == 200 and statements == 0
    session.add(LessonContent(school_id=week.school.id, lesson_id=make_lesson(week, TODAY, 4).id,
                              topic="Квадраттык теңдемелер"))
    session.flush()
    assert "Квадраттык теңдемелер" in client.get(url(week)).get_data(as_text=True)


def test_kept_pages_follow_every_class_the_pupil_was_in(app, week, session):
    """After a move to another class, the diary still shows the old class's lessons: a kept
    page depends on both classes' stamps, for the pupil and the parent alike."""
    old = session.execute(sa.select(Enrolment).where(Enrolment.pupil_id == week.pupil.id)).scalar_one()
    old.valid_to = TODAY - timedelta(days=1)
    new_class = factories.make_class(week.school, 7, "Б")
    session.add(Enrolment(school_id=week.school.id, pupil_id=week.pupil.id, school_class_id=new_class.id,
                          valid_from=TODAY))
    session.flush()
    contexts = {}
    with app.test_request_context():
        for role in ("pupil", "parent"):
            account = week.accounts[role]
            user = identity.load_user(f"{account.id}:{account.session_version}")
            contexts[role] = next(c for c in user.contexts if c.kind == role)
    assert contexts["pupil"].pupil_class_ids == {week.school_class.id, new_class.id}
    assert contexts["parent"].pupil_class_ids == {week.school_class.id, new_class.id, week.sibling_class.id}
    assert contexts["pupil"].school_ids == {week.school.id}  # a class record grants nothing


def test_a_classmates_mark_leaves_the_page_kept(client, week, count_sql):
    login(client, "parent")
    warm(client, url(week))
    add_mark(week, week.lesson, week.classmate, "2")
    resp, statements = kept_hit(client, url(week), count_sql)
    assert resp.status_code == 200 and statements == 0


def test_a_commit_moves_the_stamp_again_and_a_rollback_does_not(week, session, stamp):
    name = stamps.pupil(week.classmate.id)
    start = stamp(name)
    add_mark(week, week.lesson, week.classmate, "4")
    session.commit()
    assert stamp(name) == start + 2
    add_mark(week, week.other_lesson, week.classmate, "3")
    session.rollback()
    session.commit()
    assert stamp(name) == start + 3


def test_people_and_accounts_move_their_own_stamps(week, session, stamp):
    person, account = stamps.person(week.teacher.id), stamps.account(week.accounts["parent"].id)
    start = stamp(person), stamp(account), stamp(stamps.GLOBAL)
    week.teacher.language = "ru"  # shown only on the teacher's own pages
    session.flush()
    assert (stamp(person), stamp(stamps.GLOBAL)) == (start[0] + 1, start[2])
    week.teacher.given_name = "Жыпар"  # shown on every family's week
    week.accounts["parent"].seen_event_id = 5
    session.flush()
    assert (stamp(person), stamp(account), stamp(stamps.GLOBAL)) == (start[0] + 2, start[1] + 1, start[2] + 1)


def test_what_no_page_shows_moves_nothing(week, session, stamp):
    event = events.emit("mark", school_id=week.school.id, pupil_id=week.pupil.id, payload={})
    session.flush()
    watched = (stamps.pupil(week.pupil.id), stamps.school(week.school.id), stamps.GLOBAL)
    start = [stamp(n) for n in watched]
    event.handled_at = clock.now_utc()  # the push worker's bookkeeping
    session.execute(sa.delete(ImportRow).where(ImportRow.batch_id == -1))
    session.flush()
    assert [stamp(n) for n in watched] == start
    assert session.get(NotificationEvent, event.id).handled_at is not None


def test_a_write_receipt_moves_only_its_authors_writer_stamp(week, session, stamp):
    author = week.accounts["teacher"]
    watched = (stamps.writer(author.id), stamps.writer(week.accounts["deputy"].id), stamps.school(week.school.id),
               stamps.GLOBAL, stamps.account(author.id))
    start = [stamp(n) for n in watched]
    session.add(WriteReceipt(client_id=str(uuid.uuid4()), account_id=author.id, school_id=week.school.id,
                             table_name="mark", row_id=week.mark.id, payload_hash="0" * 64, version=1))
    session.flush()
    assert [stamp(n) for n in watched] == [start[0] + 1, *start[1:]]


def test_a_bulk_statement_moves_the_global_stamp(week, session, stamp):
    start = stamp(stamps.GLOBAL)
    session.execute(sa.delete(BellOverride).where(BellOverride.shift_id == week.school.shift.id))
    assert stamp(stamps.GLOBAL) == start + 1


# --- stamps in Redis: what gunicorn's workers share --------------------------------------------

REDIS_URL = os.environ.get("KUNDOLUK_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture()
def redis_url():
    try:
        redis.Redis.from_url(REDIS_URL, socket_timeout=1).ping()
    except redis.RedisError:
        pytest.skip(f"no Redis at {REDIS_URL} (.ci/run starts one)")
    return REDIS_URL


def test_workers_follow_each_others_bumps(redis_url):
    one, two = stamps.RedisStamps(redis_url), stamps.RedisStamps(redis_url)
    names = [stamps.GLOBAL, stamps.school(991)]
    start = two.read(names)
    assert one.read(names) == start
    one.bump({stamps.school(991)})
    assert one.read(names) == two.read(names) == (start[0], start[1], start[2] + 1)


def test_stamps_lost_by_redis_void_what_workers_knew(redis_url):
    one, two = stamps.RedisStamps(redis_url), stamps.RedisStamps(redis_url)
    names = [stamps.school(992)]
    one.bump(set(names))
    before = two.read(names)
    redis.Redis.from_url(redis_url).delete(stamps.PREFIX + "epoch", stamps.PREFIX + names[0])
    one.bump(set(names))  # the counter starts again from 1, under a new epoch
    after = two.read(names)
    assert after[0] != before[0] and after != before


def test_unreadable_stamps_mean_pages_rendered_afresh(app, client, week, count_sql, monkeypatch):
    login(client, "parent")
    warm(client, url(week))
    monkeypatch.setitem(app.extensions, "kundoluk_stamps", stamps.RedisStamps("redis://127.0.0.1:9/0"))
    resp, statements = kept_hit(client, url(week), count_sql)
    assert resp.status_code == 200 and statements > 0
