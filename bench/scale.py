"""Print whether many schools and a full year of marks make pages slower (DESIGN §4, "Scale").

    .venv/bin/python bench/scale.py [--schools 30] [--runs 30] [--rounds 3] [--postgres [--skip-sqlite]]

1. Builds, in a temporary SQLite file (with --postgres also in a database of its own on
   127.0.0.1:5432, dropped afterwards), tests.factories.make_world() with its class filled by
   bench/diary_server.py's fill_class for a whole school year: "today" is Wednesday
   2027-05-19, so 25 pupils have 38 weeks of lessons (six a day, with topics and homework),
   their marks and absences: about 1,100 lessons and 7,000 marks.
2. Measures in-process (test client, one thread, the diary's page cache off so every page is
   rendered) the median time and the SQL statements of the pages opened most: the parent's
   week, marks and homework; the teacher's day, today's lesson and the class journal; the
   deputy's journal discipline.
3. Builds a second database with the same world and --schools more of the same shape (two
   schools each, the first filled for the whole year), runs ANALYZE on both (production keeps
   planner statistics), and measures the two in alternation, --rounds times: a drift in the
   machine's speed falls on both alike. Prints the medians and their ratio. DESIGN §4 wants
   no page slower with many schools; a ratio near 1.0 (timing noise is a few per cent) says
   the queries reach the rows they need through indexes, not by reading the other schools'.
"""
import argparse
import contextlib
import io
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402
from diary_server import fill_class  # noqa: E402

benchlib.in_root()
TODAY = "2027-05-19"  # a Wednesday near the year's end: a full year of marks lies behind it
POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/"


def build(url, extra_worlds, rng):
    """The measured world (make_world, prefix ""), or, with extra_worlds, that many more."""
    from flask_migrate import upgrade

    from kundoluk import clock, create_app
    from kundoluk.extensions import db
    from tests import factories
    from tests.conftest import test_config
    clock.set_now(datetime.fromisoformat(TODAY + "T10:20:00+06:00"))
    app = create_app(test_config(url))
    with app.app_context():
        if not extra_worlds:
            with contextlib.redirect_stderr(io.StringIO()):  # alembic's INFO lines
                upgrade(revision="heads")
        for n in range(extra_worlds or 1):
            w = factories.make_world(prefix=f"x{n}" if extra_worlds else "")
            factories.jr_calendar(w.school)
            factories.jr_calendar(w.other_school)
            fill_class(rng, w, TODAY)
            db.session.commit()
        db.session.remove()
        db.engine.dispose()
    clock.set_now(None)


def pages(url):
    """{page: (median ms, SQL statements)} for the measured world's parent, teacher and deputy."""
    import sqlalchemy as sa
    from sqlalchemy import event

    from kundoluk import create_app
    from kundoluk.extensions import db
    from kundoluk.models import Account, Lesson, Person, TeachingAssignment
    from tests.conftest import IsolatedClient, test_config
    from tests.conftest import login as sign_in
    os.environ["KUNDOLUK_TODAY"] = TODAY  # this process only: the clock reads it
    config = {**test_config(url), "PAGE_CACHE_ENTRIES": 0, "TESTING": False}
    config.pop("SERVER_NAME")
    app = create_app(config)
    app.test_client_class = IsolatedClient
    with app.app_context():
        teacher = db.session.execute(sa.select(Person).join(Account, Account.person_id == Person.id).where(Account.login == "teacher")).scalar_one()
        assignment = db.session.execute(sa.select(TeachingAssignment).where(
            TeachingAssignment.teacher_id == teacher.id).execution_options(all_schools=True)).scalars().first()
        lesson = db.session.execute(sa.select(Lesson).where(
            Lesson.teaching_assignment_id == assignment.id, Lesson.on_date <= datetime.fromisoformat(TODAY).date())
            .order_by(Lesson.on_date.desc()).execution_options(all_schools=True)).scalars().first()
        counted = {"n": 0}
        event.listen(db.engine, "before_cursor_execute", lambda *a: counted.__setitem__("n", counted["n"] + 1))
    results = {}
    for login, paths in (("parent", None),
                         ("teacher", ["/staff", f"/journal/lessons/{lesson.public_id}",
                                      f"/journal/a/{assignment.public_id}"]),
                         ("deputy", ["/journal/discipline"])):
        client = app.test_client()
        sign_in(client, login)
        if paths is None:
            week = client.get("/diary").headers["Location"]
            paths = [week, week + "/marks", week + "/homework"]
        for path in paths:
            results[f"{login:<8} {_shape(path)}"] = _measure(client, path, counted)
    return results


def _shape(path):
    parts = path.strip("/").split("/")
    return "/" + "/".join("…" if len(p) >= 12 else p for p in parts)


def _measure(client, path, counted, runs=None):
    runs = runs or ARGS.runs
    for _ in range(3):
        resp = client.get(path)
        if resp.status_code != 200:
            raise RuntimeError(f"{path} answered {resp.status_code}")
    counted["n"] = 0
    client.get(path)
    statements = counted["n"]
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        client.get(path)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), statements


def rows(url):
    import sqlalchemy as sa
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        counts = {t: conn.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar()
                  for t in ("school", "person", "lesson", "mark", "attendance_entry")}
    engine.dispose()
    return ", ".join(f"{n:,} {t}" for t, n in counts.items())


def analyze(url):
    """Planner statistics, as a production database keeps them (autovacuum, or ANALYZE)."""
    import sqlalchemy as sa
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
    engine.dispose()


def run(one, many, label):
    """Two databases, the measured world alone and with the others; measured in alternation,
    so a drift in the machine's speed falls on both alike."""
    started = time.perf_counter()
    build(one, 0, random.Random(11))
    build(many, 0, random.Random(11))
    build(many, ARGS.schools, random.Random(12))
    for url in (one, many):
        analyze(url)
    print(f"{label}: built in {time.perf_counter() - started:.0f} s; one world: {rows(one)}; "
          f"with {ARGS.schools} more worlds: {rows(many)}")
    rounds = {"one": [], "many": []}
    for _ in range(ARGS.rounds):
        rounds["one"].append(pages(one))
        rounds["many"].append(pages(many))
    print(f"  {'page (median of ' + str(ARGS.rounds) + ' rounds)':<40} {'one world':>16} {'many schools':>16}  ratio"
          f"   load {benchlib.loadavg()}")
    worst = 0
    for name in rounds["one"][0]:
        ms, statements = statistics.median(r[name][0] for r in rounds["one"]), rounds["one"][0][name][1]
        ms_many, statements_many = statistics.median(r[name][0] for r in rounds["many"]), rounds["many"][0][name][1]
        worst = max(worst, ms_many / ms)
        print(f"  {name:<40} {ms:7.2f} ms {statements:2d} SQL {ms_many:7.2f} ms {statements_many:2d} SQL  "
              f"{ms_many / ms:4.2f}×")
    print(f"  slowest ratio {worst:.2f}×   target: no page slower (≈ 1.0×, within timing noise)")


def main():
    if not ARGS.skip_sqlite:
        with tempfile.TemporaryDirectory() as tmp:
            run(f"sqlite:///{os.path.join(tmp, 'one.db')}", f"sqlite:///{os.path.join(tmp, 'many.db')}", "SQLite")
    if ARGS.postgres:
        import sqlalchemy as sa
        names = [f"kundoluk_scale_{os.getpid()}_{part}" for part in ("one", "many")]
        admin = sa.create_engine(POSTGRES + "postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            for name in names:
                conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        try:
            run(*(POSTGRES + name for name in names), "PostgreSQL")
        finally:
            with admin.connect() as conn:
                for name in names:
                    conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--schools", type=int, default=30, help="worlds added (two schools each)")
    parser.add_argument("--runs", type=int, default=30, help="requests per page and round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--postgres", action="store_true", help="also on PostgreSQL at 127.0.0.1:5432")
    parser.add_argument("--skip-sqlite", action="store_true")
    ARGS = parser.parse_args()
    main()
