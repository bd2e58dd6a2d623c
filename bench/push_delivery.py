"""Print web push deliveries per second and the time the event outbox adds to a teacher's save.

    .venv/bin/python bench/push_delivery.py [--parents 200] [--saves 500]

In-process, on a temporary SQLite file with the test settings (tests/conftest.test_config):

1. Delivery: make_world(), then N pupils, each with one parent account subscribed through
   kundoluk.push.actions.subscribe to a fake push service on 127.0.0.1, and one "mark" event
   each (kundoluk.events.emit, as the journal emits it). The clock then moves past the merge
   window and kundoluk.push.worker.run_once() runs once; the script prints planned and sent
   messages, seconds, and deliveries per second (plan and send timed apart). It does this with
   tests.pushbox.PushBox (which checks the VAPID JWT and decrypts every message, in a thread
   of this same process, so it competes for the GIL), and again with a service that only
   answers 201, to show the worker's own rate.
2. Outbox cost: a teacher's save is an UPDATE of one mark and a commit (WAL, synchronous
   NORMAL, BEGIN IMMEDIATE, as the app runs SQLite). It is timed with and without
   events.emit (one event, a mark's payload) in the same transaction, alternating, --saves
   times each; and a homework save for a class of 30 (one event per pupil, as
   journal/content.py emits) against the same save without events. Prints medians and the
   added milliseconds.
"""
import argparse
import contextlib
import io
import os
import shutil
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from flask_migrate import upgrade  # noqa: E402

from kundoluk import clock, create_app, events  # noqa: E402
from kundoluk.extensions import db  # noqa: E402
from kundoluk.models import LessonContent, Mark  # noqa: E402
from kundoluk.push import actions, worker  # noqa: E402
from tests import factories  # noqa: E402
from tests.conftest import test_config  # noqa: E402
from tests.pushbox import PushBox  # noqa: E402

START = datetime.fromisoformat("2026-10-14T10:20:00+06:00")


class CountingBox(PushBox):
    """A push service that answers 201 without checking or decrypting anything."""

    def accept(self, path, headers, body):
        with self.lock:
            self.received.append((path, {}, None, None))
        return 201


def make_app(url):
    app = create_app(test_config(url))
    with app.app_context(), contextlib.redirect_stderr(io.StringIO()):  # alembic's INFO lines
        upgrade(revision="heads")
    return app


def subscribed_families(w, box, n, tag):
    """n pupils in the world's class, each with a parent whose one device is subscribed, and
    one mark event each."""
    for i in range(n):
        kid = factories.make_pupil(w.school_class, f"Бала{tag}{i}", "Асанов")
        parent = factories.make_parent(kid, given=f"Ата{tag}{i}")
        account = factories.make_account(parent, login=f"ata{tag}{i}")
        actions.subscribe(account, box.subscription())
        events.emit("mark", school_id=w.school.id, pupil_id=kid.id,
                    payload={"subject_id": w.math.id, "value": "5", "lesson_date": "2026-10-14", "state": "set"})
    db.session.commit()


def deliver(app, w, box, n, tag, moment):
    """Subscribe n families, move the clock past the merge window, one worker pass; returns figures."""
    clock.set_now(moment)
    subscribed_families(w, box, n, tag)
    clock.set_now(moment + timedelta(seconds=app.config["PUSH_MERGE_SECONDS"] + 1))
    plan_s = []
    original = worker.plan
    def timed_plan(now=None):  # run_once calls plan() then send_due(): time the first apart
        started = time.perf_counter()
        try:
            return original(now)
        finally:
            plan_s.append(time.perf_counter() - started)
    worker.plan = timed_plan
    try:
        started = time.perf_counter()
        planned, sent = worker.run_once()
        total = time.perf_counter() - started
    finally:
        worker.plan = original
    return {"planned": planned, "sent": sent, "received": len(box.received), "plan_s": plan_s[0],
            "send_s": total - plan_s[0], "total_s": total}


def print_delivery(label, r):
    print(f"  {label:<34} planned {r['planned']}, sent {r['sent']}, received {r['received']}; "
          f"plan {r['plan_s'] * 1000:.0f} ms, send {r['send_s']:.2f} s → "
          f"{r['sent'] / r['total_s']:.0f} deliveries/s ({r['total_s'] / max(r['sent'], 1) * 1000:.1f} ms each)")


def delivery_bench(app, w, n):
    print(f"push delivery, {n} subscribed parents with one event each, one worker.run_once() (plan + send_due):")
    for label, box_cls, tag, hour in (("PushBox (checks VAPID, decrypts)", PushBox, "a", 11),
                                      ("201-only service", CountingBox, "b", 12)):
        box = box_cls()
        try:
            print_delivery(label, deliver(app, w, box, n, tag, START.replace(hour=hour)))
        finally:
            box.close()


def a_mark(w):
    lesson = factories.jr_lesson(w.assignment, clock.today(), period=3)
    mark = Mark(school_id=w.school.id, lesson_id=lesson.id, pupil_id=w.pupil.id, slot=1, value="4", value_num=4,
                kind="oral", weight=1.0, teaching_assignment_id=w.assignment.id, term_id=lesson.term_id)
    content = LessonContent(school_id=w.school.id, lesson_id=lesson.id, homework="§1")
    db.session.add_all([mark, content])
    db.session.commit()
    return lesson, mark, content


def save_mark(w, lesson, mark, value, emit):
    """One mark changed and committed, with or without its event."""
    mark.value, mark.value_num = value, int(value)
    if emit:
        events.emit("mark", school_id=lesson.school_id, pupil_id=mark.pupil_id, obj=mark,
                    payload={"subject_id": lesson.subject_id, "lesson_id": lesson.id,
                             "lesson_date": lesson.on_date.isoformat(), "value": value, "old_value": None,
                             "kind": mark.kind, "slot": mark.slot, "comment": None})
    db.session.commit()


def save_homework(w, lesson, content, pupils, text, emit):
    """Homework changed for the class and committed, with or without one event per pupil."""
    content.homework = text
    if emit:
        for pupil_id in pupils:
            events.emit("homework", school_id=lesson.school_id, pupil_id=pupil_id, obj=content,
                        payload={"subject_id": lesson.subject_id, "lesson_id": lesson.id,
                                 "lesson_date": lesson.on_date.isoformat(), "due_on": None, "individual": False})
    db.session.commit()


def timed_pairs(saves, fn):
    """Alternate without/with the outbox; returns (median ms without, median ms with)."""
    plain, outbox = [], []
    for i in range(saves):
        for emit, bucket in ((False, plain), (True, outbox)) if i % 2 else ((True, outbox), (False, plain)):
            started = time.perf_counter()
            fn(i, emit)
            bucket.append((time.perf_counter() - started) * 1000)
    return statistics.median(plain), statistics.median(outbox), plain, outbox


def outbox_bench(app, w, saves):
    clock.set_now(START)
    lesson, mark, content = a_mark(w)
    pupils = [w.pupil.id] + [factories.make_pupil(w.school_class, f"Класс{i}", "Исаков").id for i in range(29)]
    db.session.commit()
    print(f"outbox cost on a teacher's save (SQLite file, WAL, synchronous=NORMAL), {saves} saves each, alternating:")
    for label, fn in (("mark save (+1 event)", lambda i, emit: save_mark(w, lesson, mark, "2345"[i % 4], emit)),
                      ("homework save, class of 30 (+30 events)",
                       lambda i, emit: save_homework(w, lesson, content, pupils, f"§{i}", emit))):
        plain, outbox, p_all, o_all = timed_pairs(saves, fn)
        print(f"  {label:<40} without {plain:.3f} ms, with {outbox:.3f} ms (median) → adds {outbox - plain:.3f} ms"
              f"   [p95 {_p95(p_all):.3f} → {_p95(o_all):.3f} ms]")


def _p95(values):
    return sorted(values)[int(len(values) * 0.95) - 1]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--parents", type=int, default=200)
    parser.add_argument("--saves", type=int, default=500)
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="kundoluk-push-")
    try:
        clock.set_now(START)
        app = make_app("sqlite:///" + os.path.join(tmp, "bench.sqlite"))
        with app.app_context():  # one context, one session for the whole run
            w = factories.make_world()
            factories.jr_calendar(w.school)
            db.session.commit()
            with open("/proc/loadavg") as fh:
                print(f"load {fh.read().strip()}")
            delivery_bench(app, w, args.parents)
            outbox_bench(app, w, args.saves)
            db.session.remove()
            db.engine.dispose()
    finally:
        clock.set_now(None)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
