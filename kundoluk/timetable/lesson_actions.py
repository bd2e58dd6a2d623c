"""Changes to single lessons, teachers' absences and substitutions, kiosk links (cancelling
whole grades is in grade_cancellations).

Same rules as kundoluk.timetable.actions: refuse before changing anything (Refused), write
through the contract, log who and why, tell the pupils concerned once per change.
"""
import hashlib
import hmac
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from kundoluk import clock
from kundoluk.extensions import db
from kundoluk.models import ChangeHistory, KioskLink, Lesson, StudyGroup, TeacherAbsence
from kundoluk.timetable import conflicts, queries
from kundoluk.timetable.actions import (
    Refused, checked_reason, derived_id, log_change, notify_lesson, save_or_refuse, year_or_refuse,
)
from kundoluk.web.i18n import format_date


def lesson_slot(lesson, group, teacher_id=None, room_id=None, period=None):
    return conflicts.Slot(group.id, group.school_class_id, group.kind, teacher_id or lesson.taught_by_id,
                          room_id if room_id is not None else lesson.room_id, lesson.shift_id,
                          period or lesson.period, lesson.id)


def _group_and_grade(group_id):
    group = db.session.get(StudyGroup, group_id)
    school_class = queries.class_for_group(group)
    return group, (school_class.grade if school_class else None)


def _check_day(school_id, grade, day, shift_id, period, bells):
    """A lesson may sit on a school day of the group's grade (Saturday too, for make-up days)."""
    year = year_or_refuse(school_id, day)
    calendar = queries.load_calendar(year)
    if day.isoweekday() == 7:
        raise Refused(_("There are no lessons on Sundays."))
    term = calendar.term_for(grade, day)
    if term is None:
        raise Refused(_("%(date)s is not a school day for this class (a holiday, or outside its terms).",
                        date=format_date(day)))
    if not bells.has_period(shift_id, period):
        raise Refused(_("Lesson %(period)s is not in the bell schedule of shift %(shift)s.",
                        period=period, shift=bells.numbers.get(shift_id, "")))
    return term


def _refuse_clashes(school_id, slot, day, bells):
    clashes = conflicts.lesson_conflicts(school_id, slot, day, bells)
    if clashes:
        raise Refused(*clashes, status=409)


def _snapshot(lesson, keys):
    return {k: (getattr(lesson, k).isoformat() if hasattr(getattr(lesson, k), "isoformat") else getattr(lesson, k))
            for k in keys}


def _change(lesson, kind, values, *, actor, reason, client_id, base_version, notice=True, **extra):
    """Write a lesson change under the contract, log it, and tell the pupils."""
    old = _snapshot(lesson, values)
    result = save_or_refuse(Lesson, values, lesson.school_id, client_id, actor, row=lesson, base_version=base_version)
    if result.replayed:
        return lesson
    log_change(lesson.school_id, kind, actor, reason, lesson=lesson, old=old, new=_snapshot(lesson, values))
    if notice:
        notify_lesson(lesson, kind, actor, **extra)
    return lesson


def add_lesson(school_id, assignment, *, on_date, period, room, actor, reason, client_id, shift_id=None):
    """A one-off lesson (a make-up, an extra lesson) outside the weekly timetable."""
    reason = checked_reason(reason)
    group, grade = _group_and_grade(assignment.group_id)
    school_class = queries.class_for_group(group)
    shift_id = school_class.shift_id if school_class else shift_id
    if shift_id is None:
        raise Refused(_("Choose the shift of this group."))
    bells = queries.load_bells(school_id, on_date, on_date)
    term = _check_day(school_id, grade, on_date, shift_id, period, bells)
    if assignment.valid_from > on_date or (assignment.valid_to and assignment.valid_to < on_date):
        raise Refused(_("This teaching assignment does not run on %(date)s.", date=format_date(on_date)))
    slot = conflicts.Slot(group.id, group.school_class_id, group.kind, assignment.teacher_id,
                          room.id if room else None, shift_id, period)
    _refuse_clashes(school_id, slot, on_date, bells)
    values = {"on_date": on_date, "period": period, "shift_id": shift_id, "planned_on": on_date,
              "teaching_assignment_id": assignment.id, "group_id": group.id, "subject_id": assignment.subject_id,
              "term_id": term, "teacher_id": assignment.teacher_id, "taught_by_id": assignment.teacher_id,
              "room_id": room.id if room else None, "room_pinned": room is not None, "status": "planned"}
    result = save_or_refuse(Lesson, values, school_id, client_id, actor)
    lesson = result.row
    if not result.replayed:
        log_change(school_id, "add", actor, reason, lesson=lesson,
             new={"on_date": on_date.isoformat(), "period": period})
        notify_lesson(lesson, "added", actor)
    return lesson


def cancel_lesson(lesson, *, actor, reason, client_id, base_version, absence=None):
    """Cancel one lesson (kept, marked cancelled, never deleted)."""
    reason = checked_reason(reason)
    if lesson.status == "cancelled":
        raise Refused(_("This lesson is already cancelled."), status=409)
    values = {"status": "cancelled", "flag": None}
    if absence is not None:
        values["absence_id"] = absence.id
    return _change(lesson, "cancel", values, actor=actor, reason=reason, client_id=client_id,
                   base_version=base_version)


def restore_lesson(lesson, *, actor, reason, client_id, base_version, unlink=False):
    """Hold a cancelled lesson after all (refused if its slot is taken meanwhile); unlink: no
    longer under its teacher's absence."""
    reason = checked_reason(reason)
    if lesson.status != "cancelled":
        raise Refused(_("This lesson is not cancelled."), status=409)
    group, _grade = _group_and_grade(lesson.group_id)
    bells = queries.load_bells(lesson.school_id, lesson.on_date, lesson.on_date)
    _refuse_clashes(lesson.school_id, lesson_slot(lesson, group), lesson.on_date, bells)
    values = {"status": "planned", **({"absence_id": None} if unlink else {})}
    return _change(lesson, "restore", values, actor=actor, reason=reason, client_id=client_id,
                   base_version=base_version)


def move_lesson(lesson, *, on_date, period, actor, reason, client_id, base_version):
    """Move a lesson to another date or period; it keeps its id, homework and marks."""
    reason = checked_reason(reason)
    if lesson.status != "planned":
        raise Refused(_("A cancelled lesson cannot be moved; restore it first."), status=409)
    if (on_date, period) == (lesson.on_date, lesson.period):
        raise Refused(_("The lesson is already at that date and period."))
    group, grade = _group_and_grade(lesson.group_id)
    bells = queries.load_bells(lesson.school_id, on_date, on_date)
    term = _check_day(lesson.school_id, grade, on_date, lesson.shift_id, period, bells)
    _refuse_clashes(lesson.school_id, lesson_slot(lesson, group, period=period), on_date, bells)
    values = {"on_date": on_date, "period": period, "term_id": term, "moved_from_on": lesson.on_date,
              "moved_from_period": lesson.period, "flag": None}
    return _change(lesson, "move", values, actor=actor, reason=reason, client_id=client_id,
                   base_version=base_version, was_on=lesson.on_date.isoformat(), was_period=lesson.period)


def change_room(lesson, *, room, actor, reason, client_id, base_version):
    """Give one lesson another room (the weekly timetable keeps its own)."""
    reason = checked_reason(reason)
    if room is None:
        raise Refused(_("Choose a room of this school."))
    if room.id == lesson.room_id:
        raise Refused(_("The lesson is already in that room."))
    group, _grade = _group_and_grade(lesson.group_id)
    bells = queries.load_bells(lesson.school_id, lesson.on_date, lesson.on_date)
    if lesson.status == "planned":
        _refuse_clashes(lesson.school_id, lesson_slot(lesson, group, room_id=room.id), lesson.on_date, bells)
    return _change(lesson, "room", {"room_id": room.id, "room_pinned": True}, actor=actor, reason=reason,
                   client_id=client_id, base_version=base_version, room=room.name)


def keep_lesson(lesson, *, actor, reason, client_id, base_version):
    """Clear the deputy's flag: the lesson stays where it is."""
    reason = checked_reason(reason)
    if lesson.flag is None:
        raise Refused(_("This lesson is not waiting for a decision."), status=409)
    return _change(lesson, "unflag", {"flag": None}, actor=actor, reason=reason, client_id=client_id,
                   base_version=base_version, notice=False)


# --- Substitutions ---------------------------------------------------------------------

def record_absence(school_id, teacher, *, starts_on, ends_on, reason, actor, client_id):
    """A teacher away from one date to another (both within one school year)."""
    reason = checked_reason(reason)
    if teacher is None:
        raise Refused(_("Choose a teacher of this school."))
    _check_days(school_id, starts_on, ends_on)
    _refuse_overlap(school_id, teacher.id, starts_on, ends_on)
    values = {"teacher_id": teacher.id, "starts_on": starts_on, "ends_on": ends_on, "reason": reason,
              "created_by_account_id": getattr(actor, "id", None)}
    return save_or_refuse(TeacherAbsence, values, school_id, client_id, actor).row


def _check_days(school_id, starts_on, ends_on):
    if ends_on < starts_on:
        raise Refused(_("The last day comes before the first."))
    year = year_or_refuse(school_id, starts_on)
    if ends_on > year.ends_on:
        raise Refused(_("%(date)s is outside the school year.", date=format_date(ends_on)))


def _refuse_overlap(school_id, teacher_id, starts_on, ends_on, absence_id=None):
    stmt = sa.select(TeacherAbsence.id).where(
        TeacherAbsence.school_id == school_id, TeacherAbsence.teacher_id == teacher_id,
        TeacherAbsence.starts_on <= ends_on, TeacherAbsence.ends_on >= starts_on)
    if absence_id is not None:  # a changed absence does not overlap itself
        stmt = stmt.where(TeacherAbsence.id != absence_id)
    if db.session.execute(stmt.limit(1)).first():
        raise Refused(_("This teacher is already recorded as away on some of these days."), status=409)


def change_absence(absence, *, starts_on, ends_on, reason, actor, client_id, base_version):
    """New first and last day or reason. Days before today stay; lessons linked to the absence on
    days it no longer covers go back to normal (families are told); days added wait for cover."""
    reason = checked_reason(reason)
    _check_days(absence.school_id, starts_on, ends_on)
    was = (absence.starts_on, absence.ends_on)
    values = {"starts_on": starts_on, "ends_on": ends_on, "reason": reason}
    # The contract first: a stale form is a conflict, not a rule about days it never saw. A
    # refusal below rolls the whole change back (the view never commits a Refused).
    result = save_or_refuse(TeacherAbsence, values, absence.school_id, client_id, actor, row=absence,
                            base_version=base_version)
    if result.replayed:
        return absence
    _refuse_dropping_past(was, starts_on, ends_on)
    _refuse_overlap(absence.school_id, absence.teacher_id, starts_on, ends_on, absence.id)
    dropped = [lesson for lesson in _linked_lessons(absence) if not starts_on <= lesson.on_date <= ends_on]
    _release(dropped, absence, actor=actor, reason=_("The teacher's absence no longer covers this day."),
             client_id=client_id)
    return absence


def _refuse_dropping_past(was, starts_on, ends_on):
    # the lessons of past days were held (or not) under this cover: pay and the journal rely on it
    first, last = was[0], min(was[1], clock.today() - timedelta(days=1))
    if first <= last and not (starts_on <= first and ends_on >= last):
        raise Refused(_("Days before today cannot be taken out of an absence: their lessons were held "
                        "under it. Keep %(first)s to %(last)s in it.",
                        first=format_date(first), last=format_date(last)))


def withdraw_absence(absence, *, actor, reason, client_id, base_version):
    """Take back an absence recorded by mistake, before its first day. Its lessons go back to
    normal; the row is deleted and its values, who withdrew it and why go to change_history."""
    reason = checked_reason(reason)
    trace_id = derived_id(client_id, "withdraw")
    if base_version != absence.version:
        raise Refused(_("Someone changed this meanwhile. Reload the page and check."), status=409)
    if absence.starts_on <= clock.today():
        raise Refused(_("This absence has begun and cannot be withdrawn. If the teacher is back, change its "
                        "last day instead."), status=409)
    _release(_linked_lessons(absence), absence, actor=actor, reason=reason, client_id=client_id)
    old = {"teacher_id": absence.teacher_id, "starts_on": absence.starts_on.isoformat(),
           "ends_on": absence.ends_on.isoformat(), "reason": absence.reason, "version": absence.version,
           "created_by_account_id": absence.created_by_account_id}
    db.session.add(ChangeHistory(school_id=absence.school_id, actor_account_id=getattr(actor, "id", None),
                                 table_name=TeacherAbsence.__tablename__, row_id=absence.id, old=old,
                                 new={"withdrawn": reason}, client_id=trace_id))
    db.session.delete(absence)
    db.session.flush()


def _linked_lessons(absence):
    return db.session.execute(sa.select(Lesson).where(Lesson.absence_id == absence.id)
                              .order_by(Lesson.on_date, Lesson.period)).scalars().all()


def _release(lessons, absence, *, actor, reason, client_id):
    """Lessons the absence no longer covers: one cancelled for it is held again (a cancellation
    of whole grades stays), its cover goes back to its regular teacher, and none stays linked.
    Each write has its own derived client id. When the regular teacher is away that day too,
    the absent one was their substitute: see _cover_again."""
    others = _other_absences(lessons, absence)
    for lesson in lessons:
        if lesson.status == "cancelled" and lesson.cancellation_id is None:  # a quarantine stays
            restore_lesson(lesson, unlink=True, actor=actor, reason=reason, base_version=lesson.version,
                           client_id=derived_id(client_id, "restore:" + lesson.public_id))
        regular_away = next((a for a in others.get(lesson.teacher_id, ())
                             if a.starts_on <= lesson.on_date <= a.ends_on), None)
        if regular_away is not None:
            _cover_again(lesson, absence, regular_away, actor=actor, reason=reason, client_id=client_id)
        elif lesson.substituted:
            remove_substitute(lesson, unlink=True, actor=actor, reason=reason, base_version=lesson.version,
                              client_id=derived_id(client_id, "unsubstitute:" + lesson.public_id))
        if lesson.absence_id == absence.id:
            save_or_refuse(Lesson, {"absence_id": None}, lesson.school_id,
                           derived_id(client_id, "unlink:" + lesson.public_id), actor, row=lesson,
                           base_version=lesson.version)


def _other_absences(lessons, absence):
    """{teacher id: absences} of the lessons' regular teachers over their days, but this one
    (one statement for all the lessons)."""
    if not lessons:
        return {}
    stmt = sa.select(TeacherAbsence).where(
        TeacherAbsence.teacher_id.in_({lesson.teacher_id for lesson in lessons}), TeacherAbsence.id != absence.id,
        TeacherAbsence.starts_on <= max(lesson.on_date for lesson in lessons),
        TeacherAbsence.ends_on >= min(lesson.on_date for lesson in lessons))
    found = {}
    for other in db.session.execute(stmt).scalars():
        found.setdefault(other.teacher_id, []).append(other)
    return found


def _away(teacher_id, day, besides=None):
    """The teacher's absence covering that day, other than `besides`; None if they are in."""
    stmt = sa.select(TeacherAbsence).where(TeacherAbsence.teacher_id == teacher_id, TeacherAbsence.starts_on <= day,
                                           TeacherAbsence.ends_on >= day)
    if besides is not None:
        stmt = stmt.where(TeacherAbsence.id != besides.id)
    return db.session.execute(stmt.limit(1)).scalar()


def _cover_again(lesson, released, regular_away, *, actor, reason, client_id):
    """The released absence's teacher was this lesson's substitute, under the regular teacher's
    own absence, and was replaced or the lesson cancelled while they were thought away. They
    cover it again when free at that time; else the lesson waits for cover under the regular
    teacher's absence (its page lists it), rather than go back to a teacher who is away."""
    substitute = released.teacher_id
    group, _grade = _group_and_grade(lesson.group_id)
    bells = queries.load_bells(lesson.school_id, lesson.on_date, lesson.on_date)
    free = (_away(substitute, lesson.on_date, besides=released) is None and lesson.status == "planned"
            and not conflicts.lesson_conflicts(lesson.school_id, lesson_slot(lesson, group, teacher_id=substitute),
                                               lesson.on_date, bells))
    cover = substitute if free else lesson.teacher_id
    if (lesson.taught_by_id, lesson.absence_id) != (cover, regular_away.id):
        _change(lesson, "substitute" if free else "unsubstitute",
                {"taught_by_id": cover, "absence_id": regular_away.id}, actor=actor, reason=reason,
                client_id=derived_id(client_id, "cover:" + lesson.public_id), base_version=lesson.version)


def assign_substitute(lesson, substitute, *, absence, actor, reason, client_id, base_version):
    """Another teacher takes this lesson: they may write its journal; pay follows who taught."""
    reason = checked_reason(reason, required=False)
    if substitute is None:
        raise Refused(_("Choose a teacher of this school."))
    if lesson.status != "planned":
        raise Refused(_("A cancelled lesson needs no substitute; restore it first."), status=409)
    if substitute.id == lesson.taught_by_id:
        raise Refused(_("This teacher already teaches the lesson."), status=409)
    if substitute.id == lesson.teacher_id and absence is not None:
        raise Refused(_("The regular teacher is away on that day."), status=409)
    if _away(substitute.id, lesson.on_date) is not None:
        raise Refused(_("%(name)s is away on that day.", name=substitute.full_name), status=409)
    group, _grade = _group_and_grade(lesson.group_id)
    bells = queries.load_bells(lesson.school_id, lesson.on_date, lesson.on_date)
    _refuse_clashes(lesson.school_id, lesson_slot(lesson, group, teacher_id=substitute.id), lesson.on_date, bells)
    values = {"taught_by_id": substitute.id, "absence_id": absence.id if absence else lesson.absence_id}
    return _change(lesson, "substitute", values, actor=actor, reason=reason, client_id=client_id,
                   base_version=base_version)


def remove_substitute(lesson, *, actor, reason, client_id, base_version, unlink=False):
    """The regular teacher takes their lesson back; unlink: no longer under an absence."""
    reason = checked_reason(reason, required=False)
    if lesson.taught_by_id == lesson.teacher_id:
        raise Refused(_("This lesson has no substitute."), status=409)
    values = {"taught_by_id": lesson.teacher_id, **({"absence_id": None} if unlink else {})}
    return _change(lesson, "unsubstitute", values, actor=actor, reason=reason, client_id=client_id,
                   base_version=base_version)


# --- Kiosk links -------------------------------------------------------------------------

def token_hash(token):
    """Keyed hash of a kiosk token (the plain token lives only in the link)."""
    key = ("kiosk:" + current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, token.encode(), hashlib.sha256).hexdigest()


def create_kiosk_link(school_id, label, actor):
    """A new hall-screen link; returns (link, token). The token is shown once."""
    label = (label or "").strip()
    if not label:
        raise Refused(_("Name the screen (for example: Hall, first floor)."))
    token = secrets.token_urlsafe(24)
    link = KioskLink(school_id=school_id, label=label[:80], token_hash=token_hash(token),
                     created_by_account_id=getattr(actor, "id", None))
    db.session.add(link)
    db.session.flush()
    return link, token


def revoke_kiosk_link(link):
    """The link stops working at once."""
    if link.revoked_at is None:
        link.revoked_at = clock.now_utc()
    db.session.flush()


def find_kiosk_link(token):
    """The live link for a token, across schools (the token is the only identity), or None."""
    if not token or len(token) > 64:
        return None
    return db.session.execute(sa.select(KioskLink).where(
        KioskLink.token_hash == token_hash(token), KioskLink.revoked_at.is_(None)),
        execution_options={"all_schools": True}).scalar()
