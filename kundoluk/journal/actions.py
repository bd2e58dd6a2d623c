"""The journal's writes and rules: who may write, the edit window, the assessment scheme,
attendance, marks, undo and term marks. Callers commit; nothing here renders or reads the request.

Marks, attendance entries and term marks go through kundoluk.writes.save (the write
contract: client_id, base_version, device_time, history). Families hear about changes
through events.emit in the same transaction.
"""
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from kundoluk import audit, clock, events, writes
from kundoluk.extensions import db
from kundoluk.journal import grading, queries, schemes
from kundoluk.models import AttendanceCheck, AttendanceEntry, Mark, TermMark, WriteReceipt


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


# --- Attendance ---------------------------------------------------------------------------

def attendance_values(code, reason, minutes):
    """Validate a tap's code (present/absent/ill/excused/late) with its reason or minutes."""
    if code == "present":
        return None
    if code not in schemes.ATTENDANCE:
        raise Refused(422, _l("Choose present, absent, ill, excused or late."))
    reason = (reason or "").strip() or None
    if reason and len(reason) > 200:
        raise Refused(422, _l("The reason is longer than 200 characters."))
    if code == "excused" and not reason:
        raise Refused(422, _l("An excused absence needs a reason."))
    late = None
    if code == "late":
        try:
            late = int(minutes)
        except (TypeError, ValueError):
            raise Refused(422, _l("Enter how many minutes late (1 to 90).")) from None
        if not 1 <= late <= schemes.MAX_LATE_MINUTES:
            raise Refused(422, _l("Enter how many minutes late (1 to 90)."))
    return {"code": code, "reason": reason, "late_minutes": late}


def record_attendance(view, member, actor, *, code, reason=None, minutes=None, client_id,
                      base_version, device_time=None, excuse_id=None, checked=True):
    """Set one pupil's attendance in a lesson (present = tombstone); idempotent on client_id."""
    lesson = view.lesson
    checked_client_id(client_id)
    late = check_lesson_write(view, actor, "attendance", device_time, client_id) if checked else None
    check_member_on(member, lesson.on_date)
    wanted = attendance_values(code, reason, minutes)
    entry = queries.get_entry(lesson.id, member.pupil.id)
    old_code = entry.code if entry is not None and not entry.deleted else "present"
    if wanted is None:
        noop = entry is None or entry.deleted  # present already
        values = {"deleted": True, "deleted_by_account_id": actor.id}
    else:
        noop = entry is not None and not entry.deleted and _same(entry, wanted) and entry.excuse_id == excuse_id
        values = {**wanted, "excuse_id": excuse_id, "deleted": False, "deleted_by_account_id": None}
    outcome = contract_write(
        AttendanceEntry, row=entry, values=values, school_id=lesson.school_id, client_id=client_id,
        base_version=base_version, device_time=device_time, actor=actor, noop=noop,
        create_values={"lesson_id": lesson.id, "pupil_id": member.pupil.id, "created_by_account_id": actor.id})
    if outcome.changed:
        new_code = code if wanted else "present"
        if new_code != old_code:
            # A child missing from the first lesson is the one absence a parent must hear of at
            # once, quiet hours or not.
            important = new_code == "absent" and lesson.period == 1
            events.emit("attendance", school_id=lesson.school_id, pupil_id=member.pupil.id, obj=outcome.row,
                        actor=actor, important=important, payload={"subject_id": lesson.subject_id, "lesson_id": lesson.id,
                                              "lesson_date": lesson.on_date.isoformat(), "period": lesson.period,
                                              "code": new_code, "old_code": old_code,
                                              "late_minutes": wanted and wanted["late_minutes"]})
        if late:
            flag_late_entry(lesson.school_id, actor, member.pupil, "attendance", lesson=lesson,
                            client_id=client_id, device_time=device_time, value=code)
    return outcome


def _same(row, values):
    return all(getattr(row, key) == value for key, value in values.items())


def confirm_attendance(view, actor, *, client_id, device_time=None):
    """"Nobody is absent" (or: the list as shown is right): the lesson's attendance counts as taken."""
    late = check_lesson_write(view, actor, "attendance", device_time, client_id)
    outcome = contract_write(
        AttendanceCheck, row=view.check, values={"confirmed_by_account_id": actor.id},
        create_values={"lesson_id": view.lesson.id}, school_id=view.lesson.school_id, client_id=client_id,
        base_version=0, device_time=device_time, actor=actor, noop=view.check is not None)
    if late and outcome.changed:
        flag_late_entry(view.lesson.school_id, actor, None, "attendance_check", lesson=view.lesson,
                        client_id=client_id, device_time=device_time)
    return outcome


# --- Marks --------------------------------------------------------------------------------

def column_kind(view):
    content = view.content
    if content is None:
        return schemes.DEFAULT_KIND, schemes.kind_weight(schemes.DEFAULT_KIND)
    return content.kind, float(content.weight)


def record_mark(view, member, actor, *, value, slot=1, comment=None, kind=None, client_id,
                base_version, device_time=None):
    """Set (or with an empty value remove) one mark of a cell; idempotent on client_id.

    The pupil's scheme decides the valid values and how many marks a cell holds; a stale
    base_version is a conflict (nothing written) that the page shows with both values.
    """
    lesson = view.lesson
    checked_client_id(client_id)
    late = check_lesson_write(view, actor, "marks", device_time, client_id)
    check_member_on(member, lesson.on_date)
    slots = schemes.MAX_SLOTS.get(member.scheme, 1)
    if not slots:
        raise Refused(422, _l("Pupils of this grade get no marks."))
    if not isinstance(slot, int) or not 1 <= slot <= slots:
        raise Refused(422, _l("A cell holds at most %(num)s marks in this scheme.", num=slots))
    comment = (comment or "").strip() or None
    if comment and len(comment) > 500:
        raise Refused(422, _l("The comment is longer than 500 characters."))
    mark = queries.get_marks(lesson.id, member.pupil.id).get(slot)
    old_value = mark.value if mark is not None and not mark.deleted else None
    if not (value or "").strip():
        noop = mark is None or mark.deleted  # nothing to remove
        values = {"deleted": True, "deleted_by_account_id": actor.id}
        new_value = None
    else:
        try:
            new_value, number = schemes.check_value(value, member.scheme, member.max_points)
        except schemes.BadValue as bad:
            raise Refused(422, bad.message) from None
        kind, weight = _kind_and_weight(view, kind)
        wanted = {"value": new_value, "value_num": number, "kind": kind, "weight": weight, "comment": comment}
        noop = mark is not None and not mark.deleted and _same(mark, wanted)
        values = {**wanted, "deleted": False, "deleted_by_account_id": None}
    outcome = contract_write(
        Mark, row=mark, values=values, school_id=lesson.school_id, client_id=client_id,
        base_version=base_version, device_time=device_time, actor=actor, noop=noop,
        create_values={"lesson_id": lesson.id, "pupil_id": member.pupil.id, "slot": slot,
                       "teaching_assignment_id": lesson.teaching_assignment_id, "term_id": lesson.term_id,
                       "created_by_account_id": actor.id})
    if outcome.changed:
        _emit_mark(lesson, outcome.row, actor, old_value, new_value)
        if late:
            flag_late_entry(lesson.school_id, actor, member.pupil, "mark", lesson=lesson, client_id=client_id,
                            device_time=device_time, value=new_value)
    return outcome


def _kind_and_weight(view, kind):
    if kind:
        if kind not in schemes.KINDS:
            raise Refused(422, _l("Unknown kind of work."))
        column, weight = column_kind(view)
        return kind, weight if kind == column else schemes.kind_weight(kind)
    return column_kind(view)


def _emit_mark(lesson, mark, actor, old_value, new_value):
    events.emit("mark", school_id=lesson.school_id, pupil_id=mark.pupil_id, obj=mark, actor=actor,
                payload={"subject_id": lesson.subject_id, "lesson_id": lesson.id,
                         "lesson_date": lesson.on_date.isoformat(), "value": new_value,
                         "old_value": old_value, "kind": mark.kind, "slot": mark.slot,
                         "comment": mark.comment if new_value else None})


def undo_last_mark(view_of_mark, actor, *, history, mark, client_id, base_version, device_time=None):
    """Put back what the actor's last mark change replaced (itself a change, with history).

    history and mark are the actor's last change in this journal and its mark, read by the
    caller; base_version is the mark version the page showed, so a later change is a conflict.
    """
    check_lesson_write(view_of_mark, actor, "marks")
    restore = {k: v for k, v in (history.old or {}).items() if k in _UNDOABLE}
    if not restore:
        restore = {"deleted": True, "deleted_by_account_id": actor.id}  # it was a new mark
    old_value = mark.value if not mark.deleted else None
    outcome = contract_write(Mark, row=mark, values=restore, create_values={}, school_id=mark.school_id,
                             client_id=client_id, base_version=base_version, device_time=device_time,
                             actor=actor)
    if outcome.changed:
        row = outcome.row
        _emit_mark(view_of_mark.lesson, row, actor, old_value, None if row.deleted else row.value)
    return outcome


_UNDOABLE = ("value", "value_num", "kind", "weight", "comment", "deleted", "deleted_by_account_id")


def restamp_column(view, actor, client_id, old, new):
    """A column's new kind or weight applies to its marks that carried the old one (with history)."""
    for mark in db.session.execute(db.select(Mark).where(
            Mark.lesson_id == view.lesson.id, Mark.kind == old[0], Mark.weight == old[1])).scalars():
        contract_write(Mark, row=mark, values={"kind": new[0], "weight": new[1]}, create_values={},
                       school_id=mark.school_id, client_id=derived_client_id(client_id, mark.id),
                       base_version=mark.version, device_time=None, actor=actor)


# --- Term and year marks ------------------------------------------------------------------

def term_deadline(period_end, settings):
    """Teachers may set a term (or year) mark until the edit window after its end; then the deputy."""
    return period_end + timedelta(days=settings.edit_window_days)


def record_term_mark(ctx, member, actor, *, term, value, proposed=None, rule=None, client_id,
                     base_version, device_time=None):
    """Confirm or override a pupil's term mark (term=None: the year mark); empty value removes it.

    ctx is the journal page's context (assignment, subject, group, year, settings, current mark row).
    """
    checked_client_id(client_id)
    starts, ends = (term.starts_on, term.ends_on) if term is not None else (ctx.year.starts_on, ctx.year.ends_on)
    today, deadline, late = clock.today(), term_deadline(ends, ctx.settings), False
    if today < starts:
        raise Refused(422, _l("This term has not begun yet."))
    if not actor.is_deputy and today > deadline and not already_applied(client_id, actor):
        # the same late-arrival rule as for lessons, with the term's own deadline
        if not late_entry_allowed(starts, deadline, device_time):
            raise Refused(403, _l("The time for this mark is over: only the deputy director can change it now."))
        late = True
    if not (member.valid_from <= ends and (member.valid_to is None or member.valid_to >= starts)):
        raise Refused(422, _l("%(pupil)s was not in this group during this term.", pupil=member.pupil.full_name))
    row = ctx.current
    old_value = row.value if row is not None and not row.deleted else None
    noop = False
    if not (value or "").strip():
        noop = row is None or row.deleted
        values = {"deleted": True, "deleted_by_account_id": actor.id}
        new_value = None
    else:
        try:
            new_value, number = schemes.check_value(value, member.scheme, member.max_points, term=True)
        except schemes.BadValue as bad:
            raise Refused(422, bad.message) from None
        values = {"value": new_value, "value_num": number, "teaching_assignment_id": ctx.assignment.id,
                  "proposed_value": _proposal_value(proposed, member), "proposal_rule": _rule(rule),
                  "confirmed": True, "confirmed_by_account_id": actor.id, "deleted": False,
                  "deleted_by_account_id": None}
    outcome = contract_write(
        TermMark, row=row, values=values, school_id=ctx.assignment.school_id, client_id=client_id,
        base_version=base_version, device_time=device_time, actor=actor, noop=noop,
        create_values={"pupil_id": member.pupil.id, "subject_id": ctx.subject.id,
                       "academic_year_id": ctx.year.id, "term_id": term.id if term is not None else None,
                       "kind": "term" if term is not None else "year"})
    if outcome.changed:
        events.emit("mark", school_id=ctx.assignment.school_id, pupil_id=member.pupil.id, obj=outcome.row,
                    actor=actor, payload={"subject_id": ctx.subject.id, "term_mark": True,
                                          "kind": "term" if term is not None else "year",
                                          "term_number": term.number if term is not None else None,
                                          "value": new_value, "old_value": old_value})
        if late:
            flag_late_entry(ctx.assignment.school_id, actor, member.pupil, "term_mark", client_id=client_id,
                            device_time=device_time, value=new_value)
    return outcome


def _proposal_value(proposed, member):
    """The proposal the page showed, kept as a snapshot only if it is a valid value."""
    try:
        return schemes.check_value(proposed, member.scheme, member.max_points, term=True)[0] if proposed else None
    except schemes.BadValue:
        return None


def _rule(rule):
    return rule if rule in grading.RULES else None
