"""Cancelling every lesson of a range of grades for a range of dates (quarantine, cold), and
lifting such a cancellation from a day on; families hear once per pupil, not once per lesson.
Callers commit."""
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import aliased

from kundoluk import clock, events
from kundoluk.extensions import db
from kundoluk.models import Cancellation, ChangeHistory, Enrolment, Lesson, SchoolClass, StudyGroup
from kundoluk.timetable import conflicts, materialise, queries
from kundoluk.timetable.actions import Refused, checked_reason, log_change, year_or_refuse
from kundoluk.timetable.lesson_actions import lesson_slot
from kundoluk.web.i18n import format_date


def cancel_for_grades(school_id, *, grade_from, grade_to, starts_on, ends_on, reason, actor):
    """Cancel every planned lesson of these grades on these dates (quarantine, cold); one notice
    per pupil for the whole range, not one per lesson."""
    reason = checked_reason(reason)
    if not (1 <= grade_from <= grade_to <= 12):
        raise Refused(_("Choose grades from 1 to 12, the first not above the last."))
    if ends_on < starts_on:
        raise Refused(_("The last day comes before the first."))
    year = year_or_refuse(school_id, starts_on)
    if ends_on > year.ends_on:
        raise Refused(_("%(date)s is outside the school year.", date=format_date(ends_on)))
    in_grades = (sa.select(StudyGroup.id).join(SchoolClass, SchoolClass.id == StudyGroup.school_class_id)
                 .where(SchoolClass.grade >= grade_from, SchoolClass.grade <= grade_to,
                        SchoolClass.academic_year_id == year.id))
    target = sa.and_(Lesson.school_id == school_id, Lesson.status == "planned", Lesson.on_date >= starts_on,
                     Lesson.on_date <= ends_on, Lesson.group_id.in_(in_grades))
    count = db.session.execute(sa.select(sa.func.count(Lesson.id)).where(target)).scalar()
    if not count:
        raise Refused(_("No lessons of these grades fall on these dates."))
    cancellation = Cancellation(school_id=school_id, grade_from=grade_from, grade_to=grade_to, starts_on=starts_on,
                                ends_on=ends_on, reason=reason, lessons=count,
                                created_by_account_id=getattr(actor, "id", None))
    db.session.add(cancellation)
    db.session.flush()
    table = Lesson.__table__
    db.session.execute(table.update().where(
        table.c.school_id == school_id, table.c.status == "planned", table.c.on_date >= starts_on,
        table.c.on_date <= ends_on, table.c.group_id.in_(in_grades))
        .values(status="cancelled", cancellation_id=cancellation.id, flag=None, version=table.c.version + 1))
    materialise._expire_lessons()
    _notify_grades(school_id, cancellation, year, actor)
    return cancellation


def _notify_grades(school_id, cancellation, year, actor):
    if cancellation.ends_on < clock.today():
        return
    payload = {"change": "cancelled_days", "from": cancellation.starts_on.isoformat(),
               "to": cancellation.ends_on.isoformat()}
    _tell_grades(school_id, cancellation, year, actor, payload, cancellation.starts_on, cancellation.ends_on)


def _tell_grades(school_id, cancellation, year, actor, payload, first, last):
    """One important "timetable" event per pupil of the cancellation's grades enrolled between first and last."""
    pupils = db.session.execute(
        sa.select(Enrolment.pupil_id).distinct().join(SchoolClass, SchoolClass.id == Enrolment.school_class_id)
        .where(SchoolClass.school_id == school_id, SchoolClass.academic_year_id == year.id,
               SchoolClass.grade >= cancellation.grade_from, SchoolClass.grade <= cancellation.grade_to,
               Enrolment.valid_from <= last,
               sa.or_(Enrolment.valid_to.is_(None), Enrolment.valid_to >= first))).scalars()
    for pupil_id in sorted(set(pupils)):
        events.emit("timetable", school_id=school_id, pupil_id=pupil_id, obj=cancellation, payload=payload,
                    actor=actor, important=True)


@dataclass
class Lifted:
    """What lifting a cancellation did: lessons held again, and lessons kept cancelled because
    another lesson has taken their time meanwhile."""
    cancellation: Cancellation
    restored: int
    kept: int


def lift_cancellation(cancellation, *, from_day, reason, actor):
    """Hold a cancellation's lessons again from a day (today or later) to its last day; a lesson
    whose time is taken meanwhile stays cancelled. Shortens the row (before its first day: lifted
    whole, ends_on = starts_on - 1); one notice per pupil. Returns Lifted."""
    reason = checked_reason(reason)
    last, school_id = cancellation.ends_on, cancellation.school_id
    if last < cancellation.starts_on:
        raise Refused(_("This cancellation is already lifted."), status=409)
    if from_day < clock.today():  # those lessons were not held: bringing them back would falsify the journal
        raise Refused(_("Lessons of days before today were not held and cannot be brought back. "
                        "Choose today or a later day."))
    if from_day > last:
        raise Refused(_("%(date)s is after the last day of this cancellation (%(last)s).",
                        date=format_date(from_day), last=format_date(last)))
    mine = sa.and_(Lesson.cancellation_id == cancellation.id, Lesson.status == "cancelled",
                   Lesson.on_date >= from_day)
    kept = _taken_meanwhile(school_id, mine, from_day, last)
    for lesson in kept:
        log_change(school_id, "cancel", actor, _("Kept cancelled when the cancellation was lifted: another "
                                                 "lesson has taken its time."), lesson=lesson)
    table = Lesson.__table__
    stmt = table.update().where(table.c.cancellation_id == cancellation.id, table.c.status == "cancelled",
                                table.c.on_date >= from_day)
    if kept:
        stmt = stmt.where(table.c.id.not_in([lesson.id for lesson in kept]))
    restored = db.session.execute(
        stmt.values(status="planned", cancellation_id=None, version=table.c.version + 1)).rowcount
    materialise._expire_lessons()
    old = {"ends_on": last.isoformat(), "lessons": cancellation.lessons}
    cancellation.ends_on = max(from_day, cancellation.starts_on) - timedelta(days=1)
    cancellation.lessons = max(cancellation.lessons - restored, 0)  # the lessons it still cancels
    new = {"ends_on": cancellation.ends_on.isoformat(), "lessons": cancellation.lessons,
           "lifted_from": from_day.isoformat(), "reason": reason, "restored": restored, "kept": len(kept)}
    db.session.add(ChangeHistory(school_id=school_id, actor_account_id=getattr(actor, "id", None),
                                 table_name=Cancellation.__tablename__, row_id=cancellation.id, old=old, new=new))
    db.session.flush()
    if restored:
        payload = {"change": "resumed_days", "from": from_day.isoformat(), "to": last.isoformat()}
        _tell_grades(school_id, cancellation, year_or_refuse(school_id, cancellation.starts_on), actor, payload,
                     from_day, last)
    return Lifted(cancellation, restored, len(kept))


def _taken_meanwhile(school_id, mine, first, last):
    """The lessons (of the condition mine) whose time another planned lesson has taken: SQL keeps the
    few that share a teacher, room, class or an elective with a lesson that may overlap; the
    conflict rules (clock times, subgroups, shared pupils) decide."""
    other, other_group, my_group = aliased(Lesson), aliased(StudyGroup), aliased(StudyGroup)
    at_once = sa.or_(sa.and_(other.shift_id == Lesson.shift_id, other.period == Lesson.period),
                     other.shift_id != Lesson.shift_id)  # another shift's bells may overlap
    shares = sa.or_(other.taught_by_id == Lesson.taught_by_id,
                    sa.and_(Lesson.room_id.is_not(None), other.room_id == Lesson.room_id),
                    other_group.school_class_id == my_group.school_class_id,
                    other_group.school_class_id.is_(None), my_group.school_class_id.is_(None))
    near = (sa.select(other.id).join(other_group, other_group.id == other.group_id)
            .where(other.school_id == Lesson.school_id, other.on_date == Lesson.on_date, other.status == "planned",
                   at_once, shares).exists())
    rows = db.session.execute(sa.select(Lesson, my_group).join(my_group, my_group.id == Lesson.group_id)
                              .where(mine, near).order_by(Lesson.on_date, Lesson.period)).all()
    if not rows:
        return []
    bells = queries.load_bells(school_id, first, last)
    return [lesson for lesson, group in rows
            if conflicts.lesson_conflicts(school_id, lesson_slot(lesson, group), lesson.on_date, bells)]
