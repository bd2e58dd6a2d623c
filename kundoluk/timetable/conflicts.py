"""Nobody in two places at once: a teacher, a room, or a class (or a pupil of two groups).

Clashes are decided by clock times, not period numbers: the shifts have different bells, so
period 6 of the first shift may overlap period 1 of the second. Two subgroups of one class
may meet at the same time when no pupil is in both (English in two halves of the class);
the whole-class group clashes with every subgroup of its class; an elective clashes with a
group that shares a pupil with it.
"""
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import aliased

from kundoluk import clock
from kundoluk.extensions import db
from kundoluk.models import (
    Enrolment, GroupMember, Lesson, Person, Room, SchoolClass, StudyGroup, Subject, TeachingAssignment,
    TimetableEntry,
)
from kundoluk.timetable import labels, schooldays
from kundoluk.web.i18n import format_date, localized

FAR = date(9999, 12, 31)


@dataclass
class Slot:
    """A lesson or entry being placed: who, which group, where, when."""
    group_id: int
    class_id: int | None
    group_kind: str
    teacher_id: int
    room_id: int | None
    shift_id: int
    period: int
    exclude_id: int | None = None


def _valid_on(model, day):
    return sa.and_(model.valid_from <= day, sa.or_(model.valid_to.is_(None), model.valid_to >= day))


def members(group_ids, day):
    """{group_id: set of pupil ids} on a date; a whole-class group's members are its enrolments."""
    found = {gid: set() for gid in group_ids}
    if not group_ids:
        return found
    whole = (sa.select(StudyGroup.id, Enrolment.pupil_id)
             .join(Enrolment, Enrolment.school_class_id == StudyGroup.school_class_id)
             .where(StudyGroup.id.in_(group_ids), StudyGroup.kind == "class", _valid_on(Enrolment, day)))
    part = (sa.select(GroupMember.group_id, GroupMember.pupil_id)
            .where(GroupMember.group_id.in_(group_ids), _valid_on(GroupMember, day)))
    for group_id, pupil_id in db.session.execute(sa.union_all(whole, part)):
        found[group_id].add(pupil_id)
    return found


class GroupClash:
    """Decides whether two groups share pupils, loading members only when it must."""

    def __init__(self, day):
        self.day = day
        self.cache = {}

    def _members(self, group_id):
        if group_id not in self.cache:
            self.cache.update(members([group_id], self.day))
        return self.cache[group_id]

    def __call__(self, a_id, a_class, a_kind, b_id, b_class, b_kind):
        if a_id == b_id:
            return True
        if a_class is not None and a_class == b_class:
            if "class" in (a_kind, b_kind):
                return True
        elif a_class is not None and b_class is not None:
            return False  # two different classes
        return bool(self._members(a_id) & self._members(b_id))


def _describe(label, subject):
    return _("%(group)s, %(subject)s", group=label, subject=subject)


def _group_label(school_class, group):
    if school_class is None:
        return group.name or ""
    if group.kind == "class" or not group.name:
        return school_class.label
    return _("%(class)s, group %(group)s", **{"class": school_class.label, "group": group.name})


ALL_CHECKS = ("teacher", "room", "group")


def _clash_messages(slot, others, times_of, clash, describe_when, checks=lambda other: ALL_CHECKS):
    """Translated messages for each clash between the slot and the other rows (words are only
    formatted when there is a clash: the same checks run outside requests, in the demo).
    checks(row) names what may clash with that row: teacher, room, group."""
    mine = times_of(slot.shift_id, slot.period)
    found = []
    for row in others:
        other, group = row[0], row[1]
        theirs = times_of(other.shift_id, other.period)
        if mine is None or theirs is None or not schooldays.overlaps(*mine, *theirs):
            continue
        wanted = checks(other)
        if "teacher" in wanted and _teacher_of(other) == slot.teacher_id:
            found.append(("teacher", row))
        if "room" in wanted and slot.room_id is not None and other.room_id == slot.room_id:
            found.append(("room", row))
        if "group" in wanted and clash(slot.group_id, slot.class_id, slot.group_kind, group.id,
                                       group.school_class_id, group.kind):
            found.append(("group", row))
    if not found:
        return []
    when = describe_when()
    return [_message(kind, row, when) for kind, row in found]


def _message(kind, row, when):
    other, group, school_class, subject, teacher, room = row
    label = _group_label(school_class, group) or _("This group")
    what = _describe(label, localized(subject))
    if kind == "teacher":
        return _("%(teacher)s already teaches %(what)s at this time (%(when)s, lesson %(period)s).",
                 teacher=teacher.full_name, what=what, when=when, period=other.period)
    if kind == "room":
        return _("Room %(room)s is taken by %(what)s at this time (%(when)s, lesson %(period)s).",
                 room=room.name if room else "", what=what, when=when, period=other.period)
    return _("%(group)s already has %(subject)s at this time (%(when)s, lesson %(period)s).",
             group=label, subject=localized(subject), when=when, period=other.period)


def _teacher_of(row):
    return row.taught_by_id if isinstance(row, Lesson) else row.assignment_teacher_id


def entry_conflicts(school_id, slot, weekday, parity, valid_from, valid_to, bells):
    """Clashes of a weekly entry with the entries in force at the same time; [] if none."""
    teacher = aliased(Person)
    until = valid_to or FAR
    stmt = (sa.select(TimetableEntry, StudyGroup, SchoolClass, Subject, teacher, Room,
                      TeachingAssignment.teacher_id)
            .join(TeachingAssignment, TeachingAssignment.id == TimetableEntry.teaching_assignment_id)
            .join(StudyGroup, StudyGroup.id == TimetableEntry.group_id)
            .join(SchoolClass, SchoolClass.id == StudyGroup.school_class_id, isouter=True)
            .join(Subject, Subject.id == TeachingAssignment.subject_id)
            .join(teacher, teacher.id == TeachingAssignment.teacher_id)
            .join(Room, Room.id == TimetableEntry.room_id, isouter=True)
            .where(TimetableEntry.school_id == school_id, TimetableEntry.weekday == weekday,
                   TimetableEntry.valid_from <= until,
                   sa.or_(TimetableEntry.valid_to.is_(None), TimetableEntry.valid_to >= valid_from),
                   sa.or_(TimetableEntry.valid_to.is_(None), TimetableEntry.valid_to >= TimetableEntry.valid_from)))
    if slot.exclude_id is not None:
        stmt = stmt.where(TimetableEntry.id != slot.exclude_id)
    if parity != "every":
        stmt = stmt.where(TimetableEntry.parity.in_(("every", parity)))
    rows = []
    for entry, group, school_class, subject, person, room, teacher_id in db.session.execute(stmt):
        entry.assignment_teacher_id = teacher_id
        rows.append((entry, group, school_class, subject, person, room))
    return _clash_messages(slot, rows, bells.weekly, GroupClash(max(valid_from, clock.today())),
                           lambda: labels.weekday(weekday))


def _lessons_named():
    """Lessons with what a clash message names: group, class, subject, who teaches, room."""
    teacher = aliased(Person)
    return (sa.select(Lesson, StudyGroup, SchoolClass, Subject, teacher, Room)
            .join(StudyGroup, StudyGroup.id == Lesson.group_id)
            .join(SchoolClass, SchoolClass.id == StudyGroup.school_class_id, isouter=True)
            .join(Subject, Subject.id == Lesson.subject_id)
            .join(teacher, teacher.id == Lesson.taught_by_id)
            .join(Room, Room.id == Lesson.room_id, isouter=True))


def lesson_conflicts(school_id, slot, day, bells):
    """Clashes of a lesson on a date with the planned lessons of that date; [] if none."""
    stmt = _lessons_named().where(Lesson.school_id == school_id, Lesson.on_date == day, Lesson.status == "planned")
    if slot.exclude_id is not None:
        stmt = stmt.where(Lesson.id != slot.exclude_id)
    rows = list(db.session.execute(stmt))

    def times_of(shift_id, period):
        return bells.on(shift_id, day, period)
    return _clash_messages(slot, rows, times_of, GroupClash(day), lambda: format_date(day, "long"))


def off_timetable_conflicts(school_id, slot, dates, bells):
    """Clashes of a weekly entry, on the dates it would hold a lesson, with what the weekly
    timetable does not say about those dates: one-off lessons and lessons moved to another
    time (any clash), a substitute's lessons (their teacher), rooms changed for a day (their
    room). The rest stands where its own entry puts it and was checked through that entry by
    entry_conflicts. Materialising never refuses, so this is the last moment to say so."""
    off_entry = sa.or_(Lesson.timetable_entry_id.is_(None), Lesson.moved_from_on.is_not(None))
    stmt = (_lessons_named()
            .where(Lesson.school_id == school_id, Lesson.on_date.in_(list(dates)),  # one weekday: ≤ 53 dates
                   Lesson.status == "planned",
                   sa.or_(off_entry, Lesson.taught_by_id != Lesson.teacher_id, Lesson.room_pinned))
            .order_by(Lesson.on_date, Lesson.period))
    rows = db.session.execute(stmt).all() if dates else []
    found = []
    for day in sorted({row[0].on_date for row in rows}):
        def times_of(shift_id, period, day=day):
            return bells.on(shift_id, day, period)
        found += _clash_messages(slot, [row for row in rows if row[0].on_date == day], times_of,
                                 GroupClash(day), lambda day=day: format_date(day, "long"), _off_entry_checks)
    return found


def _off_entry_checks(lesson):
    if lesson.timetable_entry_id is None or lesson.moved_from_on is not None:
        return ALL_CHECKS
    return (("teacher",) if lesson.substituted else ()) + (("room",) if lesson.room_pinned else ())
