"""The delivery worker: outbox events → merged notifications → web push.

plan() claims the events of every (pupil, category) group that has been quiet for the
merge window, merges them (the latest state of each object wins; an object whose latest
state is "removed" is dropped: a 2 corrected to 5 says 5, an undone mark says nothing),
and plans one delivery per subscribed device of each current recipient — in the same
transaction that marks the events handled, so a restart neither loses nor repeats them.
send_due() sends what is due, re-checking at that moment that the recipient still may
hear about the pupil; it commits after every message, so a killed worker repeats at
most the message in flight, under the same Topic.
"""
import threading
from datetime import timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app

from kundoluk import clock
from kundoluk.extensions import db
from kundoluk.models import (
    Account, Guardianship, NotificationEvent, Person, PushDelivery, PushSubscription, Subject,
)
from kundoluk.push import render, sender

CATEGORY = {"mark": "mark", "attendance": "attendance", "homework": "homework", "topic": "homework",
            "remark": "remark", "timetable": "timetable"}
MAX_ATTEMPTS = 8
BATCH = 200


def _valid(model, today):
    return sa.and_(model.valid_from <= today, sa.or_(model.valid_to.is_(None), model.valid_to >= today))


def _quiet_groups(now):
    """(pupil_id, kind) groups with unhandled events whose newest is older than the window."""
    window = now - timedelta(seconds=current_app.config["PUSH_MERGE_SECONDS"])
    stmt = (sa.select(NotificationEvent.pupil_id, NotificationEvent.kind)
            .where(NotificationEvent.handled_at.is_(None))
            .group_by(NotificationEvent.pupil_id, NotificationEvent.kind)
            .having(sa.func.max(NotificationEvent.created_at) <= window)
            .limit(BATCH))
    return db.session.execute(stmt).all()


def _claim(pupil_id, kinds, now):
    """Lock and return the group's unhandled events (SKIP LOCKED: two workers never share one)."""
    stmt = (sa.select(NotificationEvent)
            .where(NotificationEvent.handled_at.is_(None), NotificationEvent.kind.in_(kinds),
                   NotificationEvent.created_at <= now,
                   NotificationEvent.pupil_id.is_(None) if pupil_id is None
                   else NotificationEvent.pupil_id == pupil_id)
            .order_by(NotificationEvent.id))
    if db.engine.dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    return db.session.execute(stmt).scalars().all()


def is_removal(event):
    """The event says its object is gone: a mark taken back, an absence turned to present."""
    p = event.payload
    return (p.get("state") == "removed" or (event.kind == "mark" and p.get("value") is None)
            or (event.kind == "attendance" and p.get("code") == "present"))


def merge(events):
    """The latest state per object; objects whose latest state is a removal drop out."""
    latest = {}
    for event in events:
        latest[(event.object_type, event.object_id) if event.object_id else ("event", event.id)] = event
    return [e for e in latest.values() if not is_removal(e)]


def _subject_names(events):
    ids = {e.payload.get("subject_id") for e in events if e.payload.get("subject_id")}
    if not ids:
        return {}
    rows = db.session.execute(sa.select(Subject.id, Subject.name_ky, Subject.name_ru).where(Subject.id.in_(ids)))
    return {sid: {"ky": ky, "ru": ru} for sid, ky, ru in rows}


def content_for(category, pupil, events):
    """Language-neutral facts of one notification (rendered per recipient when sent)."""
    subjects = _subject_names(events)
    by_subject = {}
    for event in events:
        p = event.payload
        key = (p.get("subject_id"), p.get("code"), p.get("change"))
        item = by_subject.setdefault(key, {"subject": subjects.get(p.get("subject_id"), {}), "values": [],
                                           "code": p.get("code"), "change": p.get("change"),
                                           "date": p.get("lesson_date") or p.get("date_from")})
        if p.get("value") is not None:
            item["values"].append(str(p["value"]))
    first_date = min((i["date"] for i in by_subject.values() if i["date"]), default=None)
    return {"category": category, "pupil": pupil.given_name if pupil else None,
            "items": list(by_subject.values())[:10], "date": first_date}


def recipients(pupil_id, today, parents_only=False):
    """Accounts that may hear about a pupil now: current parents, and the pupil (unless the
    news is for parents only, like a parents-only remark)."""
    parents = sa.select(Guardianship.parent_id).where(Guardianship.pupil_id == pupil_id, _valid(Guardianship, today))
    who = Account.person_id.in_(parents)
    if not parents_only:
        who = sa.or_(who, Account.person_id == pupil_id)
    stmt = sa.select(Account.id).where(Account.active, Account.password_hash.is_not(None), who)
    return set(db.session.execute(stmt).scalars())


def _due_at(sub, important, now):
    """Now, or when the device's quiet hours end, or at the evening digest."""
    if important:
        return now
    local = now.astimezone(ZoneInfo(clock.DEFAULT_TZ))
    if sub.digest:
        hour, minute = (int(x) for x in current_app.config["PUSH_DIGEST_AT"].split(":"))
        at = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
        return (at if at >= local else at + timedelta(days=1)).astimezone(now.tzinfo)
    start, end = sub.quiet_from, sub.quiet_to
    if start is None or end is None or start == end:
        return now
    t = local.time()
    quiet = (start <= t or t < end) if start > end else (start <= t < end)
    if not quiet:
        return now
    wake = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    if wake <= local:
        wake += timedelta(days=1)
    return wake.astimezone(now.tzinfo)


def plan(now=None):
    """Claim quiet event groups and plan deliveries; returns the number planned."""
    now = now or clock.now_utc()
    planned = 0
    for pupil_id, kind in _quiet_groups(now):
        events = _claim(pupil_id, [kind], now)
        if not events:
            continue
        for event in events:
            event.handled_at = now
        planned += _plan_group(CATEGORY.get(kind), pupil_id, events, now)
        db.session.commit()
    return planned


def _plan_group(category, pupil_id, events, now):
    kept = merge(events)
    if category is None or pupil_id is None or not kept:
        return 0
    pupil = db.session.get(Person, pupil_id)
    content = content_for(category, pupil, kept)
    important = any(e.important for e in kept)
    parents_only = all(e.payload.get("visibility") == "parents_only" for e in kept)
    content["parents_only"] = parents_only
    accounts = recipients(pupil_id, clock.today(), parents_only)
    subs = db.session.execute(sa.select(PushSubscription).where(
        PushSubscription.account_id.in_(accounts), PushSubscription.enabled)).scalars().all() if accounts else []
    group_key = f"{pupil_id}:{category}:{events[0].id}"
    count = 0
    for sub in subs:
        if category not in (sub.categories or []):
            continue
        db.session.add(PushDelivery(subscription_id=sub.id, group_key=group_key, pupil_id=pupil_id,
                                    category=category, important=important, content=content,
                                    due_at=_due_at(sub, important, now)))
        count += 1
    return count


def _still_allowed(delivery, sub, today):
    return (sub.enabled and delivery.category in (sub.categories or [])
            and sub.account_id in recipients(delivery.pupil_id, today, delivery.content.get("parents_only", False)))


def send_due(now=None, stop=None):
    """Send every due delivery (merging several for one device); returns the number of messages sent."""
    now = now or clock.now_utc()
    due = db.session.execute(
        sa.select(PushDelivery.subscription_id).where(PushDelivery.status == "pending", PushDelivery.due_at <= now)
        .group_by(PushDelivery.subscription_id).limit(BATCH)).scalars().all()
    sent = 0
    for sub_id in due:
        if stop is not None and stop.is_set():
            break
        sent += _send_to(sub_id, now)
    return sent


def _send_to(sub_id, now):
    sub = db.session.get(PushSubscription, sub_id)
    deliveries = db.session.execute(sa.select(PushDelivery).where(
        PushDelivery.subscription_id == sub_id, PushDelivery.status == "pending",
        PushDelivery.due_at <= now).order_by(PushDelivery.id)).scalars().all()
    today = clock.today()
    allowed = [d for d in deliveries if _still_allowed(d, sub, today)]
    for d in deliveries:
        if d not in allowed:
            d.status = "dropped"  # unlinked or unsubscribed from the category meanwhile
    if not allowed:
        db.session.commit()
        return 0
    lang = sub.account.person.language
    # What waited (quiet hours, the evening digest) goes out as one summary; what is
    # fresh goes one message per child and category, as planned.
    held = [d for d in allowed if d.due_at > d.created_at]
    batches = [[d] for d in allowed if d not in held] + ([held] if held else [])
    sent = 0
    for batch in batches:
        text = (render.message(batch[0].content, lang) if len(batch) == 1
                else render.digest([d.content for d in batch], lang))
        outcome = sender.send(sub, text, batch, now)
        sent += _record(sub, batch, outcome, now)
        if outcome.gone:
            break
    return sent


def _record(sub, deliveries, outcome, now):
    if outcome.gone:
        db.session.delete(sub)  # the push service forgot the device: stop trying
        db.session.commit()
        return 0
    for d in deliveries:
        d.attempts += 1
        d.last_status = outcome.status
        if outcome.ok:
            d.status, d.sent_at = "sent", now
        elif outcome.retry and d.attempts < MAX_ATTEMPTS:
            d.due_at = now + outcome.retry_after(d.attempts)
        else:
            d.status = "failed"
    db.session.commit()
    return 1 if outcome.ok else 0


def run_once(now=None):
    """One pass: plan what is quiet, send what is due."""
    planned = plan(now)
    return planned, send_due(now)


def run_forever(app, stop, interval=2.0):
    """Loop until stop is set; a graceful stop finishes the message in hand and exits."""
    while not stop.is_set():
        with app.app_context():
            try:
                run_once()
            except Exception:  # keep serving: the next pass retries whatever failed
                app.logger.exception("push worker pass failed")
                db.session.rollback()
            finally:
                db.session.remove()
        stop.wait(interval)


_thread = None


def start_thread(app):
    """The development server's worker: one thread, started once, in the serving process."""
    global _thread
    if _thread is None:
        stop = threading.Event()
        _thread = threading.Thread(target=run_forever, args=(app, stop), name="push-worker", daemon=True)
        _thread.start()
    return _thread
