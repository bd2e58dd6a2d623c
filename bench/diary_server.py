"""Print the diary week's throughput and latency under gunicorn, against hello-world baselines.

    apt-get install -y wrk      # once
    .venv/bin/python bench/diary_server.py [--duration 10] [--connections 16] [--rounds 2]

1. Builds a data set of its own (production refuses the demo's accounts) in a temporary
   SQLite file with tests.factories: make_world() plus the demo-shaped year calendar and
   bells, 25 pupils in 7-А with ten subjects, every lesson from 1 September to the end of
   the pinned week (6 a day, with topic and homework), oral/independent/control marks and
   some absences, and a few outbox events for the "new" list. "Today" is 2026-10-14.
2. Starts `gunicorn -w 2 -b 127.0.0.1:PORT app:app` in production mode (secret, PIN key and
   VAPID keys generated for the run, KUNDOLUK_REDIS_URL=redis://127.0.0.1:6379/14 — a private
   redis-server on a free port if nothing answers there) and a second gunicorn, the same
   way, for bench/hello_app.py (a bare Flask app returning "Hello").
3. Signs the parent in with requests (GET /csrf, POST /login) and runs, after a 3 s warm-up
   each, `wrk -t2 -c16 -d10s --latency -H "Cookie: ..." -H "Accept-Encoding: gzip"` on the
   diary week (so it is compressed, as for a browser), on GET /csrf
   (the cheapest route through the whole app stack) and on hello. A small Lua `done()`
   prints p50/p95/p99 (wrk's own table has no p95). Rounds alternate the three targets.

The diary week measured against hello-world is the kept page (kundoluk.web.pagecache): what
a parent re-opening the week gets while nothing under it changed, checked against the data
stamps that the workers follow through Redis. A third gunicorn with the cache off then gives
the week rendered afresh on every request (what the first visit after a change costs), at
-c16 and -c2; the in-process figures give both as well.

Prints requests/s of each, the diary/hello ratio (DESIGN §4: ≥ 0.4) and the diary's
p50/p95/p99 (p95 ≤ 15 ms), with /proc/loadavg before and after: wrk and both servers share
this machine's cores with whatever else runs on it. It also prints the servers' CPU time per
request (utime + stime of the gunicorn processes from /proc, over each run), which moves far
less than wall-clock figures when the machine is busy, one diary run at -c2 (no queueing:
the service time itself), and the in-process median per request of the three routes.
"""
import argparse
import contextlib
import io
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402

benchlib.in_root()
TODAY = "2026-10-14"
GUNICORN = os.path.join(benchlib.ROOT, ".venv", "bin", "gunicorn")
SUBJECTS = ("Кыргыз тили", "Орус тили", "Англис тили", "Геометрия", "Физика", "Химия", "Биология",
            "Тарых", "География", "Дене тарбия")
GIVEN = ("Айпери", "Бакыт", "Данияр", "Элнура", "Нурислам", "Асель", "Тимур", "Мээрим", "Адилет", "Сезим")
FAMILY = ("Асанов", "Жумабеков", "Исаков", "Кадыров", "Мамбетов", "Осмонов", None)
WRK_LUA = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH %d %d %d %d %d %d %d\\n", summary.requests, summary.duration,
    e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""


# --- the data set -----------------------------------------------------------------------

def build_dataset(url):
    """Fill a new database; returns the parent's login (password "secret")."""
    from flask_migrate import upgrade

    from kundoluk import clock, create_app
    from kundoluk.extensions import db
    from tests import factories
    from tests.conftest import test_config
    clock.set_now(datetime.fromisoformat(TODAY + "T10:20:00+06:00"))
    app = create_app(test_config(url))
    with app.app_context():
        with contextlib.redirect_stderr(io.StringIO()):  # alembic's INFO lines
            upgrade(revision="heads")
        w = factories.make_world()
        factories.jr_calendar(w.school)
        fill_class(random.Random(7), w)
        db.session.commit()
        login = w.accounts["parent"].login
        db.session.remove()
        db.engine.dispose()
    clock.set_now(None)
    return login


def fill_class(rng, w, today=TODAY):
    """25 pupils in w's class with ten subjects, six lessons a day from 1 September to the end
    of today's week, with topics and homework, and marks and absences up to today."""
    from tests import factories
    pupils = [w.pupil] + [factories.make_pupil(w.school_class, rng.choice(GIVEN), rng.choice(FAMILY))
                          for _ in range(24)]
    assignments = [w.assignment] + [
        factories.make_assignment(factories.make_staff(w.school, "teacher", given=f"Мугалим{i}"),
                                  w.school_class, factories.make_subject(w.school, name))
        for i, name in enumerate(SUBJECTS)]
    day, end, n = factories.year_start(), datetime.fromisoformat(today).date(), 0
    end += timedelta(days=6 - end.weekday())
    while day <= end:
        if day.isoweekday() <= 5:
            for period in range(1, 7):
                lesson = factories.jr_lesson(assignments[n % len(assignments)], day, period=period)
                _lesson_rows(rng, w, lesson, pupils, n, past=day <= end - timedelta(days=4))
                n += 1
        day += timedelta(days=1)
    _news(w, today)


def _lesson_rows(rng, w, lesson, pupils, n, past):
    from kundoluk.extensions import db
    from kundoluk.models import AttendanceEntry, LessonContent, Mark
    kind = "control" if n % 17 == 16 else ("independent" if n % 7 == 3 else "oral")
    weight = {"control": 2.0, "independent": 1.5}.get(kind, 1.0)
    db.session.add(LessonContent(school_id=w.school.id, lesson_id=lesson.id, kind=kind, weight=weight,
                                 topic=f"§{n % 40 + 1}. Бир өзгөрмөлүү сызыктуу теңдемелер",
                                 homework=f"§{n % 40 + 1}, №{rng.randint(100, 300)}, {rng.randint(301, 400)}"))
    if not past:
        return
    chosen = pupils if kind == "control" else rng.sample(pupils, 12 if kind == "independent" else 4)
    for pupil in pupils:
        if rng.random() < 0.03:
            db.session.add(AttendanceEntry(school_id=w.school.id, lesson_id=lesson.id, pupil_id=pupil.id,
                                           code=rng.choice(("absent", "ill", "late")), late_minutes=5))
        elif pupil in chosen or (pupil is w.pupil and rng.random() < 0.3):
            value = rng.choice("5544433332")
            db.session.add(Mark(school_id=w.school.id, lesson_id=lesson.id, pupil_id=pupil.id, slot=1,
                                value=value, value_num=int(value), kind=kind, weight=weight,
                                teaching_assignment_id=lesson.teaching_assignment_id, term_id=lesson.term_id))


def _news(w, today):
    """A few outbox events (already handled) so the "new since your last visit" list has rows."""
    from kundoluk import clock, events
    for value in "54435":
        event = events.emit("mark", school_id=w.school.id, pupil_id=w.pupil.id,
                            payload={"subject_id": w.math.id, "value": value, "lesson_date": today, "state": "set"})
        event.handled_at = clock.now_utc()


# --- servers ------------------------------------------------------------------------------

def redis_url(tmp):
    """redis://127.0.0.1:6379/14 if it answers, else a private redis-server (returns url, proc)."""
    import redis
    try:
        redis.Redis.from_url("redis://127.0.0.1:6379/14", socket_timeout=1).ping()
        return "redis://127.0.0.1:6379/14", None
    except redis.RedisError:
        port = benchlib.free_port()
        proc = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                 "--appendonly", "no", "--dir", tmp], stdout=subprocess.DEVNULL)
        time.sleep(0.5)
        return f"redis://127.0.0.1:{port}/14", proc


def production_env(db_url, redis):
    from kundoluk.push import vapid
    private, public = vapid.generate()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KUNDOLUK_")}
    env.update(KUNDOLUK_SECRET_KEY=os.urandom(32).hex(), KUNDOLUK_REDIS_URL=redis,
               KUNDOLUK_PIN_KEY=os.urandom(16).hex(), KUNDOLUK_VAPID_PRIVATE_KEY=private,
               KUNDOLUK_VAPID_PUBLIC_KEY=public, KUNDOLUK_DATABASE_URL=db_url, KUNDOLUK_TODAY=TODAY)
    return env


def gunicorn(app_spec, env, log, chdir=benchlib.ROOT, workers=2):
    """gunicorn -w 2 on a free port; returns (proc, base url) once it answers."""
    port = benchlib.free_port()
    proc = subprocess.Popen([GUNICORN, "-w", str(workers), "-b", f"127.0.0.1:{port}", "--chdir", chdir, app_spec],
                            cwd=chdir, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    benchlib.wait_up(base + "/", proc)
    return proc, base


# --- in-process: where a request's time goes without HTTP -----------------------------------

def in_process(db_url, login, runs=100):
    """Median ms per request through the test client (the diary kept and rendered, /csrf, a bare
    Flask hello) and the rendered diary's SQL statements and their execution time: the CPU each
    request costs a worker."""
    import flask
    from sqlalchemy import event

    from kundoluk import create_app
    from kundoluk.extensions import db
    from tests.conftest import IsolatedClient, test_config
    from tests.conftest import login as sign_in
    os.environ["KUNDOLUK_TODAY"] = TODAY  # this process only: the clock reads it
    config = test_config(db_url)
    config.pop("SERVER_NAME")
    config["TESTING"] = False
    app = create_app(config)
    app.test_client_class = IsolatedClient
    client = app.test_client()
    sign_in(client, login)
    path = client.get("/diary").headers["Location"]
    hello = flask.Flask("hello")
    hello.get("/")(lambda: "Hello")
    uncached = create_app({**config, "PAGE_CACHE_ENTRIES": 0})
    uncached.test_client_class = IsolatedClient
    fresh = uncached.test_client()
    sign_in(fresh, login)
    timings = {"diary week (kept)": _client_ms(client, path, runs),
               "diary week (rendered)": _client_ms(fresh, path, runs),
               "GET /csrf (anonymous)": _client_ms(app.test_client(), "/csrf", runs),
               "hello (bare Flask)": _client_ms(hello.test_client(), "/", runs)}
    sql = {"n": 0, "s": 0.0}
    def before(conn, cursor, statement, *rest):
        conn.info["bench_t0"] = time.perf_counter()
        sql["n"] += not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK"))
    def after(conn, *rest):
        sql["s"] += time.perf_counter() - conn.info.pop("bench_t0", time.perf_counter())
    with uncached.app_context():
        event.listen(db.engine, "before_cursor_execute", before)
        event.listen(db.engine, "after_cursor_execute", after)
    _client_ms(fresh, path, 20)
    return timings, sql["n"] / 20, sql["s"] / 20 * 1000


def _client_ms(client, path, runs):
    for _ in range(5):
        client.get(path, headers={"Accept-Encoding": "gzip"})
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        client.get(path, headers={"Accept-Encoding": "gzip"})
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def report_in_process(timings, statements, sql_ms):
    print("in-process (test client, no HTTP, one thread), median per request:")
    for name, ms in timings.items():
        print(f"  {name:<22} {ms:6.2f} ms   (≈ {2000 / ms:.0f} req/s for 2 workers if CPU-bound)")
    print(f"  diary rendered afresh: {statements:.0f} SQL statements, {sql_ms:.2f} ms executing them (the rest is "
          "Python: building statements, ORM rows, templates, gzip); a kept page runs none")


# --- wrk ----------------------------------------------------------------------------------

def wrk(url, cookie, lua, duration, connections, threads=2):
    """One wrk run (Accept-Encoding: gzip, as a browser); returns dict(rps, p50, p95, p99 in ms, errors, non2xx)."""
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency", "-s", lua,
           "-H", "Accept-Encoding: gzip", url]
    if cookie:
        cmd[1:1] = ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 60, check=False).stdout
    m = re.search(r"^BENCH (\d+) (\d+) (\d+) (\d+) (\d+) (\d+) (\d+)$", out, re.MULTILINE)
    if not m:
        raise RuntimeError("wrk printed no summary:\n" + out)
    count, micros, errors, status, p50, p95, p99 = (int(x) for x in m.groups())
    return {"rps": count / (micros / 1e6), "p50": p50 / 1000, "p95": p95 / 1000, "p99": p99 / 1000,
            "errors": errors, "non2xx": status, "requests": count}


def server_cpu_seconds(master_pid):
    """User + system CPU seconds of a gunicorn master and its workers so far (from /proc): unlike
    wall-clock figures, CPU per request hardly moves when other work shares the machine."""
    ticks, pids = os.sysconf("SC_CLK_TCK"), [master_pid]
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == master_pid:
                pids.append(int(entry))
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def check_page(session, url):
    resp = session.get(url, headers={"Accept-Encoding": "gzip"}, stream=True, allow_redirects=False, timeout=10)
    body = resp.raw.read(decode_content=False)
    if resp.status_code != 200:
        raise RuntimeError(f"{url} answered {resp.status_code}")
    return len(body), resp.headers.get("Content-Encoding", "identity")


def measure(targets, lua, args):
    """Alternate the targets for args.rounds rounds; returns {name: [result, ...]}; each result
    also has the server's CPU milliseconds per request (master_pid is the target's gunicorn)."""
    results = {name: [] for name, *_rest in targets}
    for name, url, cookie, _pid in targets:
        wrk(url, cookie, lua, 3, args.connections)  # warm-up, discarded
    for _ in range(args.rounds):
        for name, url, cookie, pid in targets:
            cpu = server_cpu_seconds(pid)
            result = wrk(url, cookie, lua, args.duration, args.connections)
            result["cpu_ms"] = (server_cpu_seconds(pid) - cpu) * 1000 / max(result["requests"], 1)
            results[name].append(result)
    return results


def report(results, args, before, after):
    print(f"wrk -t2 -c{args.connections} -d{args.duration}s, {args.rounds} round(s) each, median of rounds; "
          f"gunicorn -w 2 (sync workers) on {os.cpu_count()} cores, wrk on the same machine")
    print(f"  load before {before}\n  load after  {after}")
    med = {}
    for name, rows in results.items():
        med[name] = {k: statistics.median(r[k] for r in rows) for k in ("rps", "p50", "p95", "p99", "cpu_ms")}
        bad = sum(r["errors"] + r["non2xx"] for r in rows)
        per_round = ", ".join(f"{r['rps']:.0f}" for r in rows)
        print(f"  {name:<22} {med[name]['rps']:8.0f} req/s  (rounds: {per_round})  p50 {med[name]['p50']:.1f} ms  "
              f"p95 {med[name]['p95']:.1f} ms  p99 {med[name]['p99']:.1f} ms  server CPU {med[name]['cpu_ms']:.2f} ms/req"
              + (f"  ERRORS/non-2xx {bad}" if bad else ""))
    diary, hello, csrf = med["diary week"], med["hello (bare Flask)"], med["GET /csrf"]
    ratio = diary["rps"] / hello["rps"]
    print(f"  diary / hello-world    {ratio:.2f}×   target ≥ 0.4×  {'OK' if ratio >= 0.4 else 'BELOW'}")
    print(f"  diary / GET /csrf      {diary['rps'] / csrf['rps']:.2f}×   (same app stack, cheapest route)")
    print(f"  by server CPU per request (steadier on a shared machine): diary costs "
          f"{diary['cpu_ms'] / hello['cpu_ms']:.0f}× hello-world, {diary['cpu_ms'] / csrf['cpu_ms']:.0f}× GET /csrf "
          f"→ ratio {hello['cpu_ms'] / diary['cpu_ms']:.2f}×")
    print(f"  diary p50/p95/p99      {diary['p50']:.1f} / {diary['p95']:.1f} / {diary['p99']:.1f} ms   "
          f"target p95 ≤ 15 ms  {'OK' if diary['p95'] <= 15 else 'OVER'}")


def rendered(env, log, login, lua, args):
    """The week rendered afresh on every request (a server with KUNDOLUK_PAGE_CACHE_ENTRIES=0):
    what the first visit after a change costs, and the worst case of a busy school day."""
    proc, base = gunicorn("app:app", {**env, "KUNDOLUK_PAGE_CACHE_ENTRIES": "0"}, log)
    try:
        session = benchlib.sign_in(base, login, "secret")
        url = base + benchlib.diary_path(session, base)
        cookie = benchlib.cookie_header(session)
        wrk(url, cookie, lua, 3, args.connections)
        for connections in (args.connections, 2):
            r = wrk(url, cookie, lua, args.duration, connections)
            print(f"  diary rendered afresh (cache off), -c{connections}: {r['rps']:.0f} req/s, p50 {r['p50']:.1f} ms, "
                  f"p95 {r['p95']:.1f} ms, p99 {r['p99']:.1f} ms")
    finally:
        benchlib.stop(proc)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="kundoluk-srv-")
    procs, log = [], open(os.path.join(tmp, "gunicorn.log"), "w")
    try:
        db_url = "sqlite:///" + os.path.join(tmp, "bench.sqlite")
        login = build_dataset(db_url)
        redis, redis_proc = redis_url(tmp)
        procs.append(redis_proc)
        env = production_env(db_url, redis)
        app_proc, base = gunicorn("app:app", env, log)
        procs.append(app_proc)
        hello_proc, hello = gunicorn("hello_app:app", env, log, chdir=os.path.dirname(os.path.abspath(__file__)))
        procs.append(hello_proc)
        session = benchlib.sign_in(base, login, "secret")
        path = benchlib.diary_path(session, base)
        size, encoding = check_page(session, base + path)
        print(f"production app (gunicorn) {base}, today {TODAY}, parent of 2 signed in; diary week {path}: "
              f"{size} B {encoding}; redis {redis}")
        lua = os.path.join(tmp, "pct.lua")
        with open(lua, "w") as fh:
            fh.write(WRK_LUA)
        cookie = benchlib.cookie_header(session)
        before = benchlib.loadavg()
        targets = [("diary week", base + path, cookie, app_proc.pid),
                   ("GET /csrf", base + "/csrf", None, app_proc.pid),
                   ("hello (bare Flask)", hello + "/", None, hello_proc.pid)]
        results = measure(targets, lua, args)
        report(results, args, before, benchlib.loadavg())
        unqueued = wrk(base + path, cookie, lua, args.duration, 2)
        print(f"  diary at -c2 (one connection per worker, no queueing): {unqueued['rps']:.0f} req/s, "
              f"p50 {unqueued['p50']:.1f} ms, p95 {unqueued['p95']:.1f} ms, p99 {unqueued['p99']:.1f} ms")
        rendered(env, log, login, lua, args)
        report_in_process(*in_process(db_url, login))
    finally:
        for proc in reversed(procs):
            benchlib.stop(proc)
        log.close()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
