"""The timetable's writes and rules: entries, lessons, substitutions, cancellations, kiosk links.

Every function checks its input and raises Refused (a translated message and a status) before
it changes anything; the view rolls the transaction back on Refused, so nothing is saved in
part. Lesson and entry edits go through the write contract (client_id, base_version); every
change appends a lesson_change row (who, why, old → new) and emits one "timetable" event per
pupil concerned for lessons from today on. The view commits.
"""
import uuid
from datetime import timedelta
from types import SimpleNamespace

import sqlalchemy as sa
from flask_babel import gettext as _

from kundoluk import clock, events, writes
from kundoluk.extensions import db
from kundoluk.models import AlternatingClass, LessonChange, Room, StudyGroup, TimetableEntry
from kundoluk.timetable import conflicts, materialise, queries
from kundoluk.web.i18n import format_date

REASON_MAX = 200


class Refused(Exception):
    """A write refused with translated messages; status 422 (bad input) or 409 (a clash)."""

    def __init__(self, *messages, status=422):
        super().__init__(*messages)
        self.messages = list(messages)
        self.status = status


def _actor_id(actor):
    return getattr(actor, "id", None)


def log_change(school_id, kind, actor, reason, lesson=None, entry=None, old=None, new=None):
    db.session.add(LessonChange(school_id=school_id, kind=kind, reason=(reason or "")[:REASON_MAX],
                                actor_account_id=_actor_id(actor), old=old, new=new,
                                lesson_id=lesson.id if lesson else None, timetable_entry_id=entry.id if entry else None))


def _plain(values):
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in values.items()}


def notify(school_id, group_ids, day, obj, payload, actor):
    """One "timetable" event per pupil of these groups on that date (never two for one pupil)."""
    pupils = set()
    for found in conflicts.members(list(group_ids), day).values():
        pupils |= found
    for pupil_id in sorted(pupils):
        events.emit("timetable", school_id=school_id, pupil_id=pupil_id, obj=obj, payload=payload, actor=actor)
    return len(pupils)


def notify_lesson(lesson, change, actor, **extra):
    if lesson.on_date < clock.today() and (lesson.moved_from_on or lesson.on_date) < clock.today():
        return 0  # a correction of the past: nobody needs a notice
    payload = {"change": change, "on": lesson.on_date.isoformat(), "period": lesson.period, **extra}
    return notify(lesson.school_id, [lesson.group_id], lesson.on_date, lesson, payload, actor)


def checked_reason(reason, required=True):
    reason = (reason or "").strip()
    if required and not reason:
        raise Refused(_("Say why (the reason is kept with the change)."))
    if len(reason) > REASON_MAX:
        raise Refused(_("The reason is too long: at most %(max)d characters.", max=REASON_MAX))
    return reason


def year_or_refuse(school_id, day):
    year = queries.year_of(school_id, day)
    if year is None:
        raise Refused(_("%(date)s is outside the school year.", date=format_date(day)))
    return year


def save_or_refuse(model, values, school_id, client_id, actor, row=None, base_version=None):
    """writes.save with the refusals a page can show; returns the WriteResult."""
    try:
        result = writes.save(model, values=values, school_id=school_id, client_id=client_id, row=row,
                             base_version=base_version, actor=actor)
    except writes.BadClientId:
        raise Refused(_("The form is damaged. Reload the page and try again."), status=400) from None
    if result.conflict:
        raise Refused(_("Someone changed this meanwhile. Reload the page and check."), status=409)
    if result.mismatch:
        raise Refused(_("This form was already sent with other content. Reload the page."), status=409)
    return result


def derived_id(client_id, purpose):
    """A second client id derived from the form's, for a write that takes two rows."""
    try:
        base = uuid.UUID(str(client_id))
    except ValueError:
        raise Refused(_("The form is damaged. Reload the page and try again."), status=400) from None
    return str(uuid.uuid5(base, purpose))


# --- Rooms and alternating weeks -----------------------------------------------------

def add_room(school_id, name, capacity=None):
    """A new room; names are unique in a school."""
    name = (name or "").strip()
    if not name:
        raise Refused(_("Give the room a name or number."))
    taken = db.session.execute(sa.select(Room.id).where(Room.school_id == school_id, Room.name == name)).first()
    if taken:
        raise Refused(_("The school already has a room called %(name)s.", name=name), status=409)
    room = Room(school_id=school_id, name=name, capacity=capacity)
    db.session.add(room)
    db.session.flush()
    return room


def set_alternating(school_class, on, actor):
    """Let a class use odd/even weeks, or stop (refused while its timetable still uses them)."""
    row = db.session.execute(sa.select(AlternatingClass).where(
        AlternatingClass.school_class_id == school_class.id)).scalar()
    if on and row is None:
        db.session.add(AlternatingClass(school_id=school_class.school_id, school_class_id=school_class.id,
                                        created_by_account_id=_actor_id(actor)))
    elif not on and row is not None:
        today = clock.today()
        used = db.session.execute(
            sa.select(TimetableEntry.id).join(StudyGroup, StudyGroup.id == TimetableEntry.group_id)
            .where(StudyGroup.school_class_id == school_class.id, TimetableEntry.parity != "every",
                   sa.or_(TimetableEntry.valid_to.is_(None), TimetableEntry.valid_to >= today)).limit(1)).first()
        if used:
            raise Refused(_("The class's timetable still has lessons in odd or even weeks. "
                            "Change them to every week first."), status=409)
        db.session.delete(row)
    db.session.flush()


# --- Weekly timetable ----------------------------------------------------------------

def _entry_shift(group, school_class, shift_id, school_id):
    if school_class is not None:
        return school_class.shift_id
    shifts = {s.id for s in queries.list_shifts(school_id)}
    if shift_id not in shifts:
        raise Refused(_("Choose the shift of this group."))
    return shift_id


def _check_entry(school_id, assignment, group, school_class, shift_id, weekday, period, parity, room, valid_from,
                 bells, exclude_id=None):
    """Refuse a weekly slot that is malformed or clashes; return its valid_to."""
    if weekday not in range(1, 6):
        raise Refused(_("Lessons are held Monday to Friday."))
    if not bells.has_period(shift_id, period):
        raise Refused(_("Lesson %(period)s is not in the bell schedule of shift %(shift)s.",
                        period=period, shift=bells.numbers.get(shift_id, "")))
    year = year_or_refuse(school_id, valid_from)
    if assignment.valid_from > valid_from or (assignment.valid_to and assignment.valid_to < valid_from):
        raise Refused(_("This teaching assignment does not run on %(date)s.", date=format_date(valid_from)))
    if parity != "every" and school_class is not None and not queries.is_alternating(school_class.id):
        raise Refused(_("Class %(class)s does not alternate odd and even weeks. Turn alternating weeks on "
                        "for the class first, or choose every week.", **{"class": school_class.label}))
    slot = conflicts.Slot(group.id, group.school_class_id, group.kind, assignment.teacher_id,
                          room.id if room else None, shift_id, period, exclude_id)
    clashes = conflicts.entry_conflicts(school_id, slot, weekday, parity, valid_from, assignment.valid_to, bells)
    if not clashes:
        dates = _entry_dates(year, school_class, weekday, parity, valid_from, assignment.valid_to)
        clashes = conflicts.off_timetable_conflicts(school_id, slot, dates, bells)
    if clashes:
        raise Refused(*clashes, status=409)
    return assignment.valid_to


def _entry_dates(year, school_class, weekday, parity, valid_from, valid_to):
    """The dates an entry would hold a lesson on, exactly as materialising will produce them."""
    entry = SimpleNamespace(id=None, weekday=weekday, parity=parity, valid_from=valid_from, valid_to=valid_to,
                            grade=school_class.grade if school_class is not None else None)
    return [day for _, day in materialise.produced(queries.load_calendar(year), {None: entry}, valid_from,
                                                   year.ends_on)]


def place_entry(school_id, assignment, *, weekday, period, parity, room, valid_from, actor, reason, client_id,
                shift_id=None, sync=True):
    """Put an assignment into the weekly timetable from a date; lessons follow."""
    reason = checked_reason(reason, required=False)
    group = db.session.get(StudyGroup, assignment.group_id)
    school_class = queries.class_for_group(group)
    shift_id = _entry_shift(group, school_class, shift_id, school_id)
    bells = queries.load_bells(school_id)
    valid_to = _check_entry(school_id, assignment, group, school_class, shift_id, weekday, period, parity, room,
                            valid_from, bells)
    values = {"teaching_assignment_id": assignment.id, "group_id": group.id, "shift_id": shift_id,
              "weekday": weekday, "period": period, "parity": parity, "room_id": room.id if room else None,
              "valid_from": valid_from, "valid_to": valid_to}
    result = save_or_refuse(TimetableEntry, values, school_id, client_id, actor)
    entry = result.row
    if result.replayed:
        return entry
    log_change(school_id, "entry_add", actor, reason, entry=entry, new=_plain(values))
    if sync:
        _sync_from(school_id, valid_from, actor, reason, [group.id], entry)
    return entry


def end_entry(entry, from_date, *, actor, reason, client_id, base_version, sync=True):
    """Take an entry out of the timetable from a date on (its earlier lessons stay)."""
    reason = checked_reason(reason, required=False)
    year_or_refuse(entry.school_id, from_date)
    if entry.valid_to is not None and from_date > entry.valid_to:
        raise Refused(_("This lesson already leaves the timetable before %(date)s.", date=format_date(from_date)))
    new_to = from_date - timedelta(days=1)
    result = save_or_refuse(TimetableEntry, {"valid_to": new_to}, entry.school_id, client_id, actor, row=entry,
                   base_version=base_version)
    if result.replayed:
        return entry
    log_change(entry.school_id, "entry_end", actor, reason, entry=entry, new={"from": from_date.isoformat()})
    if sync:
        _sync_from(entry.school_id, from_date, actor, reason, [entry.group_id], entry)
    return entry


def change_entry(entry, *, room, parity, from_date, actor, reason, client_id, base_version):
    """A new room or week parity from a date: the entry ends and a new one starts; the lessons
    keep their ids (re-linked by group, subject, date and period)."""
    assignment = entry.assignment
    end_entry(entry, from_date, actor=actor, reason=reason, client_id=client_id, base_version=base_version,
              sync=False)
    new = place_entry(entry.school_id, assignment, weekday=entry.weekday, period=entry.period, parity=parity,
                      room=room, valid_from=max(from_date, assignment.valid_from), actor=actor, reason=reason,
                      client_id=derived_id(client_id, "new"), shift_id=entry.shift_id, sync=False)
    _sync_from(entry.school_id, from_date, actor, reason, [entry.group_id], new)
    return new


def _sync_from(school_id, start, actor, reason, group_ids, obj):
    """Re-materialise lessons from a date to the year's end and tell the groups' pupils once."""
    year = year_or_refuse(school_id, start)
    result = materialise.sync(school_id, queries.load_calendar(year), start, year.ends_on, actor=actor,
                              reason=reason, group_ids=set(group_ids))
    day = max(start, clock.today())
    if day <= year.ends_on:
        notify(school_id, set(group_ids) | result.group_ids, day, obj,
               {"change": "timetable", "from": start.isoformat()}, actor)
    return result


def resync(school_id, *, actor, reason, start=None):
    """After term or holiday dates change: bring lessons from a date (today) in line with the calendar."""
    start = start or clock.today()
    year = queries.year_of(school_id, start) or queries.current_year(school_id)
    if year is None:
        return materialise.SyncResult()
    start = max(start, year.starts_on)
    if start > year.ends_on:
        return materialise.SyncResult()
    result = materialise.sync(school_id, queries.load_calendar(year), start, year.ends_on, actor=actor,
                              reason=checked_reason(reason))
    if result.changed:
        notify(school_id, result.group_ids, max(start, clock.today()), None,
               {"change": "calendar", "from": start.isoformat()}, actor)
    return result
