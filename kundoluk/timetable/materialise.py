"""Lessons from the weekly timetable: created once, kept with their id, re-synced idempotently.

sync() compares what the timetable and the calendar produce for a window of dates with the
lessons that exist, and then:
- keeps a lesson that is still produced (its term is refreshed);
- re-links a lesson whose entry was replaced by another for the same group, subject, date
  and period (a new room or teacher from a date): same lesson id, new details;
- deletes a lesson no longer produced only when nothing hangs on it: no journal content
  (see content probes), no recorded change, not substituted, not part of a cancellation.
  Anything else is flagged for the deputy to move or cancel, and stays visible with its
  homework;
- creates the missing lessons in bulk.
"""
import base64
import secrets
from dataclasses import dataclass, field

import sqlalchemy as sa

from kundoluk import clock

from kundoluk.extensions import db
from kundoluk.models import Lesson, LessonChange, SchoolClass, StudyGroup, TeachingAssignment, TimetableEntry
from kundoluk.timetable import content, schooldays

CHUNK = 500  # ids per IN (...) list: SQLite caps bound parameters


@dataclass
class SyncResult:
    created: int = 0
    relinked: int = 0
    deleted: int = 0
    flagged: int = 0
    retermed: int = 0
    group_ids: set = field(default_factory=set)  # groups whose lessons changed (for notices)

    @property
    def changed(self):
        return bool(self.created or self.relinked or self.deleted or self.flagged)


def chunks(items, size=CHUNK):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _entries(school_id, group_ids=None):
    """The school's timetable entries (of some groups) with teacher, subject and group's grade."""
    stmt = (sa.select(TimetableEntry.id, TimetableEntry.teaching_assignment_id, TimetableEntry.group_id,
                      TimetableEntry.shift_id, TimetableEntry.weekday, TimetableEntry.period,
                      TimetableEntry.parity, TimetableEntry.room_id, TimetableEntry.valid_from,
                      TimetableEntry.valid_to, TeachingAssignment.teacher_id,
                      TeachingAssignment.subject_id, SchoolClass.grade)
            .join(TeachingAssignment, TeachingAssignment.id == TimetableEntry.teaching_assignment_id)
            .join(StudyGroup, StudyGroup.id == TimetableEntry.group_id)
            .join(SchoolClass, SchoolClass.id == StudyGroup.school_class_id, isouter=True)
            .where(TimetableEntry.school_id == school_id))
    if group_ids is not None:
        stmt = stmt.where(TimetableEntry.group_id.in_(list(group_ids)))
    return {row.id: row for row in db.session.execute(stmt)}


def produced(calendar, entries, start, end):
    """{(entry_id, date): term_id} for every lesson the timetable gives from start to end."""
    wanted = {}
    for entry in entries.values():
        first = max(start, entry.valid_from, calendar.starts_on)
        last = min(end, entry.valid_to or end, calendar.ends_on)
        for day in schooldays.dates_on_weekday(entry.weekday, first, last):
            if not schooldays.parity_matches(entry.parity, calendar.starts_on, day):
                continue
            term_id = calendar.school_day_term(entry.grade, day)
            if term_id is not None:
                wanted[(entry.id, day)] = term_id
    return wanted


def _existing(school_id, start, end, group_ids=None):
    stmt = (sa.select(Lesson.id, Lesson.timetable_entry_id, Lesson.planned_on, Lesson.term_id,
                      Lesson.group_id, Lesson.subject_id, Lesson.status, Lesson.flag,
                      Lesson.teacher_id, Lesson.taught_by_id, Lesson.cancellation_id,
                      Lesson.room_pinned, Lesson.version)
            .where(Lesson.school_id == school_id, Lesson.timetable_entry_id.is_not(None),
                   Lesson.planned_on >= start, Lesson.planned_on <= end))
    if group_ids is not None:
        stmt = stmt.where(Lesson.group_id.in_(list(group_ids)))
    return list(db.session.execute(stmt))


def _public_ids(count):
    """count opaque ids like models.base.new_public_id, from one read of the system's randomness."""
    raw = secrets.token_bytes(12 * count)
    return [base64.urlsafe_b64encode(raw[i:i + 12]).decode() for i in range(0, 12 * count, 12)]


def _new_row(school_id, entry, day, term_id):
    return {"school_id": school_id, "timetable_entry_id": entry.id, "planned_on": day, "on_date": day,
            "period": entry.period, "shift_id": entry.shift_id,
            "teaching_assignment_id": entry.teaching_assignment_id, "group_id": entry.group_id,
            "subject_id": entry.subject_id, "term_id": term_id, "teacher_id": entry.teacher_id,
            "taught_by_id": entry.teacher_id, "room_id": entry.room_id, "room_pinned": False,
            "status": "planned"}


def _relink_values(lesson, entry, term_id):
    values = {"timetable_entry_id": entry.id, "teaching_assignment_id": entry.teaching_assignment_id,
              "teacher_id": entry.teacher_id, "shift_id": entry.shift_id, "term_id": term_id}
    if lesson.taught_by_id == lesson.teacher_id:  # a substitute stays the substitute
        values["taught_by_id"] = entry.teacher_id
    if not lesson.room_pinned:
        values["room_id"] = entry.room_id
    return values


def _update(rows):
    """Bulk UPDATE by id (one executemany per shape of values), bumping each version."""
    table = Lesson.__table__
    shapes = {}
    for lesson_id, values in rows:
        shapes.setdefault(tuple(sorted(values)), []).append({"_id": lesson_id, **values})
    for keys, params in shapes.items():
        stmt = (table.update().where(table.c.id == sa.bindparam("_id"))
                .values({**{k: sa.bindparam(k) for k in keys}, "version": table.c.version + 1}))
        db.session.execute(stmt, params)


def sync(school_id, calendar, start, end, *, actor=None, reason="", group_ids=None):
    """Bring the lessons of [start, end] in line with the timetable and calendar; see module doc.
    group_ids limits the work to some groups (a timetable edit touches only its group's lessons)."""
    db.session.flush()
    entries = _entries(school_id, group_ids)
    wanted = produced(calendar, entries, start, end)
    result = SyncResult()
    orphans, updates = [], []
    for lesson in _existing(school_id, start, end, group_ids):
        key = (lesson.timetable_entry_id, lesson.planned_on)
        if key in wanted:
            term_id = wanted.pop(key)
            if term_id != lesson.term_id:
                updates.append((lesson.id, {"term_id": term_id}))
                result.retermed += 1
        else:
            orphans.append(lesson)
    orphans = _relink(orphans, wanted, entries, updates, result)
    _update(updates)
    _retire(school_id, orphans, entries, calendar, actor, reason, result)
    _create(school_id, wanted, entries, result)
    _expire_lessons()
    return result


def _expire_lessons():
    """Bulk statements bypass the identity map: loaded lessons must re-read their rows."""
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, Lesson):
            db.session.expire(obj)


def _relink(orphans, wanted, entries, updates, result):
    """Give an orphan the replacing entry's lesson slot when group, subject, date and period agree."""
    free = {}
    for entry_id, day in wanted:
        entry = entries[entry_id]
        free.setdefault((entry.group_id, entry.subject_id, day, entry.period), []).append(entry_id)
    left = []
    for lesson in orphans:
        old = entries.get(lesson.timetable_entry_id)
        slot = (lesson.group_id, lesson.subject_id, lesson.planned_on, old.period if old else None)
        candidates = free.get(slot)
        if not candidates:
            left.append(lesson)
            continue
        entry = entries[candidates.pop()]
        term_id = wanted.pop((entry.id, lesson.planned_on))
        updates.append((lesson.id, _relink_values(lesson, entry, term_id)))
        result.relinked += 1
        result.group_ids.add(lesson.group_id)
    return left


def _retire(school_id, orphans, entries, calendar, actor, reason, result):
    """Delete orphans nothing hangs on; flag the others for the deputy."""
    if not orphans:
        return
    ids = [lesson.id for lesson in orphans]
    keep = content.lessons_with_content(ids) | _touched(ids)
    doomed, flagged = [], []
    for lesson in orphans:
        held = (lesson.id in keep or lesson.cancellation_id is not None
                or lesson.taught_by_id != lesson.teacher_id or lesson.status != "planned")
        if not held:
            doomed.append(lesson.id)
        elif lesson.status == "planned" and lesson.flag is None:
            flagged.append((lesson, _why(lesson, entries, calendar)))
        result.group_ids.add(lesson.group_id)
    for part in chunks(doomed):
        db.session.execute(sa.delete(Lesson.__table__).where(Lesson.__table__.c.id.in_(part)))
    result.deleted += len(doomed)
    _update([(lesson.id, {"flag": flag}) for lesson, flag in flagged])
    db.session.add_all(LessonChange(
        school_id=school_id, lesson_id=lesson.id, kind="flag",
        old=None, new={"flag": flag}, reason=reason[:200], actor_account_id=getattr(actor, "id", None))
        for lesson, flag in flagged)
    result.flagged += len(flagged)


def _why(lesson, entries, calendar):
    entry = entries.get(lesson.timetable_entry_id)
    if entry is None or not (entry.valid_from <= lesson.planned_on <= (entry.valid_to or lesson.planned_on)):
        return "timetable_changed"
    return "calendar_changed"


def _touched(ids):
    """Lessons with a recorded change (the deputy moved or re-roomed them, say)."""
    found = set()
    for part in chunks(ids):
        found.update(db.session.execute(
            sa.select(LessonChange.lesson_id).where(LessonChange.lesson_id.in_(part))).scalars())
    return found


def _create(school_id, wanted, entries, result):
    """Insert the missing lessons in bulk: Core executemany with every value given (a year of a
    big school is tens of thousands of rows; per-row ORM work and defaults would dominate)."""
    rows = [_new_row(school_id, entries[entry_id], day, term_id) for (entry_id, day), term_id in wanted.items()]
    now = clock.now_utc()
    for row, public_id in zip(rows, _public_ids(len(rows))):
        row.update(public_id=public_id, version=1, created_at=now, cancellation_id=None, absence_id=None, flag=None,
                   moved_from_on=None, moved_from_period=None)
    for part in chunks(rows, 2000):
        db.session.execute(Lesson.__table__.insert(), part)
    result.created += len(rows)
    result.group_ids.update(entries[entry_id].group_id for entry_id, _ in wanted)
