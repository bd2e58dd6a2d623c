"""Who may write in the journal and when: refusals, the actor, the edit window and late
entries, the pupil's membership on a day, and the write contract for journal rows (client_id,
base_version, receipts). Nothing here renders or reads the request.
"""
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from kundoluk import audit, clock, writes
from kundoluk.extensions import db
from kundoluk.models import WriteReceipt


class Refused(Exception):
    """A write the rules refuse; status is 403, 404 or 422 and message is translated."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Actor:
    """Who writes: the account (history, receipts), the person (authorship) and the deputy flag."""

    id: int
    person_id: int
    is_deputy: bool = False

    @classmethod
    def of(cls, user):
        return cls(user.id, user.person.id, user.context.has("deputy"))


@dataclass
class Outcome:
    """What a contract write did: the row now, and whether it conflicted (409) or was replayed."""

    row: object
    conflict: bool = False
    replayed: bool = False
    changed: bool = False
    base_version: int | None = None


# --- Rules --------------------------------------------------------------------------------

def parse_device_time(raw):
    """When the entry was made on the device (ISO 8601), or None; 422 if unreadable."""
    if not raw:
        return None
    try:
        moment = datetime.fromisoformat(str(raw).strip().replace("Z", "+00:00"))
    except ValueError:
        raise Refused(422, _l("The device time is not a valid time.")) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def parse_base_version(raw):
    """The version the page showed; 0 (or empty) for a row the page did not have."""
    try:
        version = int(raw or 0)
    except (TypeError, ValueError):
        raise Refused(422, _l("The entry's version is not a number; reload the page.")) from None
    if version < 0:
        raise Refused(422, _l("The entry's version is not a number; reload the page."))
    return version


def window_closed(on_date, settings, today=None):
    """True once a past lesson is older than the school's edit window (in local dates)."""
    today = today or clock.today()
    return (today - on_date).days > settings.edit_window_days


# An entry made on a device without a connection may arrive after the edit window closed: it
# is accepted if the device made it inside the window and it arrives at most this many days
# after the window's end, and the deputy director sees it on the journal discipline page.
LATE_GRACE_DAYS = 7


def late_entry_allowed(opens_on, closes_on, device_time):
    """True for an offline entry arriving late: made on the device (school-local date) between
    opens_on and closes_on, and arriving at most LATE_GRACE_DAYS after closes_on."""
    if device_time is None:
        return False
    now = clock.now()
    made_on = device_time.astimezone(now.tzinfo).date()
    return opens_on <= made_on <= closes_on and (now.date() - closes_on).days <= LATE_GRACE_DAYS


def already_applied(client_id, actor):
    """True if this actor's entry with this client_id was written before (a replay)."""
    try:
        cid = writes.parse_client_id(client_id)
    except writes.BadClientId:
        return False
    receipt = db.session.get(WriteReceipt, cid, execution_options={"all_schools": True})
    return receipt is not None and receipt.account_id == actor.id


def check_lesson_write(view, actor, what, device_time=None, client_id=None):
    """Refuse a write to a lesson the rules do not allow now; "late" for a late offline entry.

    what: "attendance" or "marks" (only for lessons that took place) or "content" (also ahead).
    Teachers may change a lesson for edit_window_days after it; after that only the deputy,
    except attendance and marks made on a device inside the window that arrive late (see
    LATE_GRACE_DAYS), and replays of entries already written (they change nothing).
    """
    lesson, today = view.lesson, clock.today()
    if lesson.status == "cancelled":
        raise Refused(422, _l("This lesson was cancelled."))
    if lesson.term_id is None:
        raise Refused(422, _l("This lesson is outside the school's terms."))
    if what != "content" and lesson.on_date > today:
        if lesson.moved_from_on is not None:
            raise Refused(422, _l("This lesson was moved to %(date)s: attendance and marks are entered once it "
                                  "has taken place.", date=lesson.on_date.strftime("%d.%m.%Y")))
        raise Refused(422, _l("This lesson has not taken place yet."))
    if not actor.is_deputy and window_closed(lesson.on_date, view.settings, today):
        if what != "content":
            if client_id is not None and already_applied(client_id, actor):
                return None
            closes_on = lesson.on_date + timedelta(days=view.settings.edit_window_days)
            if late_entry_allowed(lesson.on_date, closes_on, device_time):
                return "late"
        raise Refused(403, _l("Lessons older than %(days)s days can only be changed by the deputy director.",
                             days=view.settings.edit_window_days))
    return None


def flag_late_entry(school_id, actor, pupil, what, *, lesson=None, client_id, device_time, value=None):
    """Tell the deputy director: an offline entry was written after the edit window (audit log)."""
    audit.record("journal.late_entry", actor=actor, subject=pupil, school_id=school_id, what=what,
                 lesson=lesson.public_id if lesson is not None else None,
                 lesson_date=lesson.on_date.isoformat() if lesson is not None else None,
                 device_time=device_time.isoformat() if device_time else None,
                 client_id=writes.parse_client_id(client_id), value=value)


def check_member_on(member, day):
    """The pupil must be in the group on the lesson's date (cells outside the enrolment are locked)."""
    if not member.enrolled_on(day):
        raise Refused(422, _l("%(pupil)s was not in this group on %(date)s.",
                             pupil=member.pupil.full_name, date=day.strftime("%d.%m.%Y")))


# --- The write contract, for journal rows -----------------------------------------------

def contract_write(model, *, row, create_values, values, school_id, client_id, base_version,
                   device_time, actor, noop=False):
    """writes.save for journal rows: creates when the page had no row; a lost race is a conflict.

    A replayed create must be sent to save() exactly as the first time (no row, the same
    values), so the receipt decides that: version 1 after the write means it created.
    noop: the row already is as wanted; nothing is written unless this client_id was seen
    before (then it is reported as the replay, or the mismatch, it is).
    """
    cid = checked_client_id(client_id)
    receipt = db.session.get(WriteReceipt, cid, execution_options={"all_schools": True})
    if noop and receipt is None:
        return Outcome(row, base_version=base_version)  # already as wanted: nothing to write
    creating = row is None or (receipt is not None and receipt.version == 1 and receipt.row_id == row.id)
    if row is None and base_version and receipt is None:
        return Outcome(None, conflict=True, base_version=base_version)  # the page's row is gone
    try:
        result = writes.save(model, values={**create_values, **values} if creating else values,
                             school_id=school_id, client_id=cid, base_version=base_version,
                             row=None if creating else row, device_time=device_time, actor=actor)
    except IntegrityError:
        return Outcome(None, conflict=True, base_version=base_version)  # created meanwhile elsewhere
    if result.mismatch:
        raise Refused(422, _l("This entry was already sent with different content. Reload the page and enter it again."))
    return Outcome(result.row, conflict=result.conflict, replayed=result.replayed,
                   changed=result.ok and not result.replayed, base_version=base_version)


def checked_client_id(client_id):
    """The canonical client_id, or 422 (checked first, also for writes that turn out to change nothing)."""
    try:
        return writes.parse_client_id(client_id)
    except writes.BadClientId:
        raise Refused(422, _l("The entry has no valid id; reload the page.")) from None


def derived_client_id(client_id, row_id):
    """A server-made client_id for a write that follows from another (same input, same id)."""
    return str(uuid.uuid5(uuid.UUID(writes.parse_client_id(client_id)), str(row_id)))
