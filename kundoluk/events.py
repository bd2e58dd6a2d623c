"""The event outbox: domain actions record what families may hear about.

emit() only adds a row to the caller's session, so the event commits or rolls back
with the change itself. Delivery (web push, the in-app list) reads the outbox later;
no domain imports delivery code.
"""
from kundoluk import clock
from kundoluk.extensions import db
from kundoluk.models import NotificationEvent

KINDS = ("mark", "attendance", "homework", "topic", "remark", "timetable", "announcement")


def emit(kind, *, school_id, pupil_id=None, obj=None, payload=None, important=False, actor=None):
    """Queue a notification event in the current transaction and return it."""
    if kind not in KINDS:
        raise ValueError(f"unknown event kind {kind!r}")
    if obj is not None and obj.id is None:
        db.session.flush()
    event = NotificationEvent(
        school_id=school_id, kind=kind, pupil_id=pupil_id,
        object_type=obj.__tablename__ if obj is not None else None,
        object_id=obj.id if obj is not None else None,
        payload=payload or {}, important=important,
        actor_account_id=actor.id if actor is not None else None,
        created_at=clock.now_utc(),  # when it happened, not when the session flushes
    )
    db.session.add(event)
    return event
