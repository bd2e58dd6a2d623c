"""Print the journal page's size and server time for a class of 30 with a full quarter.

    .venv/bin/python bench/journal_page.py [--database URL] [--lessons 27] [--runs 30]

The page is the one a teacher opens on a tablet: 30 pupils × every lesson of the quarter
(algebra three times a week), realistic marks (oral marks each lesson, independent works,
control works for the whole class), absences, topics and homework. "Today" is the quarter's
last day. Target (DESIGN §4, issue 5): ≤ 25 KB compressed. The server time is measured
in-process (routing, queries, rendering, compression), median and p95 of the runs.
"""
import argparse
import gzip
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import event  # noqa: E402

from kundoluk import clock, create_app  # noqa: E402
from kundoluk.extensions import db  # noqa: E402
from kundoluk.models import AttendanceEntry, LessonContent, Mark  # noqa: E402
from tests import factories  # noqa: E402
from tests.conftest import IsolatedClient, login, test_config  # noqa: E402

PUPILS = 30
GIVEN = ("Айпери", "Бакыт", "Данияр", "Элнура", "Нурислам", "Асель", "Тимур", "Мээрим", "Адилет", "Сезим")
FAMILY = ("Асанов", "Жумабеков", "Исаков", "Кадыров", "Мамбетов", "Осмонов", None)


def build(rng, lessons_wanted):
    """A school with one 7th class of 30 and its algebra journal for the first quarter."""
    quarter_end = factories.year_start().replace(month=11, day=4)
    clock.set_now(datetime(quarter_end.year, 11, 4, 10, 0, tzinfo=ZoneInfo("Asia/Bishkek")))
    w = factories.make_world()
    factories.jr_calendar(w.school)
    pupils = [w.pupil] + [factories.make_pupil(w.school_class, rng.choice(GIVEN), rng.choice(FAMILY),
                                               None if rng.random() < 0.5 else "Нурлан уулу")
                          for _ in range(PUPILS - 1)]
    day, lessons = factories.year_start(), []
    weekdays = (1, 3, 5) if lessons_wanted <= 30 else (1, 2, 3, 4, 5)
    while len(lessons) < lessons_wanted and day <= quarter_end:
        if day.isoweekday() in weekdays:
            lessons.append(factories.jr_lesson(w.assignment, day, period=2))
        day += timedelta(days=1)
    _fill(rng, w, pupils, lessons)
    db.session.commit()
    return w


def _fill(rng, w, pupils, lessons):
    for i, lesson in enumerate(lessons):
        kind = "control" if i % 8 == 7 else ("independent" if i % 5 == 3 else "oral")
        weight = {"control": 2.0, "independent": 1.5}.get(kind, 1.0)
        db.session.add(LessonContent(school_id=w.school.id, lesson_id=lesson.id, kind=kind, weight=weight,
                                     topic=f"§{i + 1}. Бир өзгөрмөлүү сызыктуу теңдемелерди чыгаруу",
                                     homework=f"§{i + 1}, №{rng.randint(100, 300)}, {rng.randint(301, 400)}"))
        chosen = pupils if kind == "control" else rng.sample(pupils, 15 if kind == "independent" else 5)
        for pupil in pupils:
            if rng.random() < 0.04:
                db.session.add(AttendanceEntry(school_id=w.school.id, lesson_id=lesson.id, pupil_id=pupil.id,
                                               code=rng.choice(("absent", "ill", "late")), late_minutes=5))
            elif pupil in chosen:
                value = rng.choice("5544433332")
                db.session.add(Mark(school_id=w.school.id, lesson_id=lesson.id, pupil_id=pupil.id, slot=1,
                                    value=value, value_num=int(value), kind=kind, weight=weight,
                                    teaching_assignment_id=w.assignment.id, term_id=lesson.term_id,
                                    comment="Жакшы жооп берди" if rng.random() < 0.02 else None))
    db.session.flush()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", default=None)
    parser.add_argument("--lessons", type=int, default=27, help="lessons in the quarter (27 = 3 a week)")
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    url = args.database or "sqlite:///" + os.path.join(tempfile.mkdtemp(), "bench.sqlite")
    app = create_app(test_config(url))
    app.test_client_class = IsolatedClient
    with app.app_context():
        upgrade(revision="heads")
        w = build(random.Random(5), args.lessons)
        path = f"/journal/a/{w.assignment.public_id}"
        login_name, cells = w.accounts["teacher"].login, None
        pupil_id = w.pupil.public_id
        db.session.close()
        client = app.test_client()
        login(client, login_name)
        statements = []
        def listener(conn, cursor, statement, *rest):
            if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK")):  # not queries
                statements.append(statement)
        event.listen(db.engine, "before_cursor_execute", listener)
        resp = client.get(path, headers={"Accept-Encoding": "gzip"})
        event.remove(db.engine, "before_cursor_execute", listener)
        body = resp.get_data()
        plain = gzip.decompress(body) if resp.headers.get("Content-Encoding") == "gzip" else body
        cells = plain.count(b"<td")
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            assert client.get(path, headers={"Accept-Encoding": "gzip"}).status_code == 200
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        print(f"journal page, {PUPILS} pupils × {args.lessons} lessons ({cells} cells), database {url.split(':')[0]}")
        print(f"  html            {len(plain) / 1024:7.1f} KB")
        print(f"  gzip (sent)     {len(body) / 1024:7.1f} KB   (target ≤ 25 KB; "
              f"Content-Encoding: {resp.headers.get('Content-Encoding')})")
        print(f"  SQL statements  {len(statements):7d}     (identity included)")
        print(f"  server time     {statistics.median(times):7.1f} ms median, "
              f"{times[int(len(times) * 0.95) - 1]:.1f} ms p95 over {args.runs} runs")
        _cell_save(client, pupil_id, app)


def _cell_save(client, pupil_id, app):
    """One mark typed into a cell: the bytes of the answer (DESIGN §4: ≤ 2 KB)."""
    from kundoluk.models import Lesson
    with app.app_context():
        lesson = db.session.execute(db.select(Lesson).order_by(Lesson.on_date.desc())).scalars().first()
        url = f"/journal/lessons/{lesson.public_id}/marks/{pupil_id}"
    from tests.conftest import csrf_token
    resp = client.post(url, data={"value": "5", "slot": "2", "client_id": str(uuid.uuid4()), "base_version": "0",
                                  "csrf_token": csrf_token(client)},
                       headers={"HX-Request": "true", "HX-Target": "cell", "Accept-Encoding": "gzip"})
    print(f"  a mark's answer {len(resp.get_data())} bytes, status {resp.status_code}")


if __name__ == "__main__":
    main()
