"""The journal's other writes: lesson content and homework, remarks, the class teacher's
excuses over a range of days, the deputy's journal remarks and the school's journal settings.
Rules as in kundoluk.journal.rules; callers commit."""
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from kundoluk import clock, events
from kundoluk.extensions import db
from kundoluk.journal import queries, schemes
from kundoluk.journal.actions import record_attendance, restamp_column
from kundoluk.journal.rules import (
    Outcome, Refused, check_lesson_write, check_member_on, contract_write, derived_client_id,
)
from kundoluk.models import (
    AttendanceEntry, AttendanceExcuse, Enrolment, GroupMember, IndividualHomework, JournalRemark,
    JournalSettings, Lesson, LessonContent, Remark, StudyGroup,
)

TEXT_LIMITS = {"topic": 500, "covered": 2000, "homework": 2000, "work_note": 500}
MAX_EXCUSE_DAYS = 31
EXCUSE_AHEAD_DAYS = 14   # a parent may call about the coming days; a note may cover them

# How long after the lesson that sets it homework may be due (the diary looks that far back).
DUE_WITHIN = timedelta(days=60)


def _text(name, value):
    value = (value or "").strip() or None
    if value and len(value) > TEXT_LIMITS[name]:
        raise Refused(422, _l("This text is longer than %(num)s characters.", num=TEXT_LIMITS[name]))
    return value


def next_lesson_date(lesson):
    """The date of the assignment's next lesson after this one (homework is due then), or None."""
    return db.session.execute(
        sa.select(sa.func.min(Lesson.on_date)).where(
            Lesson.teaching_assignment_id == lesson.teaching_assignment_id, Lesson.status != "cancelled",
            Lesson.on_date > lesson.on_date)).scalar()


def _due(lesson, due_on, homework):
    if not homework:
        return None
    due_on = due_on or next_lesson_date(lesson)
    if due_on is not None and not lesson.on_date <= due_on <= lesson.on_date + DUE_WITHIN:
        raise Refused(422, _l("The homework is due on the lesson's day or within 60 days after it."))
    return due_on


def save_content(view, actor, *, topic=None, covered=None, homework=None, homework_due_on=None,
                 work_note=None, kind=None, weight=None, client_id, base_version, device_time=None):
    """Save a lesson's topic, what was covered, homework, work note, and the column's kind and weight.

    Allowed for past (within the window), present and future lessons. A new column kind or
    weight also applies to the marks that carried the old one. Families hear of a new
    topic and of new homework.
    """
    lesson = view.lesson
    check_lesson_write(view, actor, "content")
    kind = kind or schemes.DEFAULT_KIND
    if kind not in schemes.KINDS:
        raise Refused(422, _l("Unknown kind of work."))
    try:
        weight = schemes.parse_weight(weight) if weight not in (None, "") else schemes.kind_weight(kind)
    except schemes.BadValue as bad:
        raise Refused(422, bad.message) from None
    homework = _text("homework", homework)
    values = {"topic": _text("topic", topic), "covered": _text("covered", covered), "homework": homework,
              "homework_due_on": _due(lesson, homework_due_on, homework), "work_note": _text("work_note", work_note),
              "kind": kind, "weight": weight, "updated_by_account_id": actor.id}
    before = view.content
    old = (before.topic, before.homework, before.homework_due_on, before.kind, float(before.weight)) if before else (
        None, None, None, schemes.DEFAULT_KIND, schemes.kind_weight(schemes.DEFAULT_KIND))
    outcome = contract_write(LessonContent, row=before, values=values, create_values={"lesson_id": lesson.id},
                             school_id=lesson.school_id, client_id=client_id, base_version=base_version,
                             device_time=device_time, actor=actor)
    if outcome.changed:
        if (old[3], old[4]) != (kind, weight):
            restamp_column(view, actor, client_id, (old[3], old[4]), (kind, weight))
        _emit_content(view, outcome.row, actor, old)
    return outcome


def _emit_content(view, content, actor, old):
    lesson = view.lesson
    kinds = []
    if content.topic and content.topic != old[0]:
        kinds.append(("topic", {"topic": content.topic}))
    if content.homework and (content.homework, content.homework_due_on) != (old[1], old[2]):
        due = content.homework_due_on.isoformat() if content.homework_due_on else None
        kinds.append(("homework", {"due_on": due, "individual": False}))
    if not kinds:
        return
    base = {"subject_id": lesson.subject_id, "lesson_id": lesson.id, "lesson_date": lesson.on_date.isoformat()}
    for member in queries.list_members(view.group, lesson.on_date, lesson.on_date):
        for kind, payload in kinds:
            events.emit(kind, school_id=lesson.school_id, pupil_id=member.pupil.id, obj=content, actor=actor,
                        payload={**base, **payload})


def set_individual_homework(view, member, actor, *, text, due_on=None, client_id, device_time=None):
    """Give (or with empty text take back) one pupil's own homework for a lesson."""
    lesson = view.lesson
    check_lesson_write(view, actor, "content")
    check_member_on(member, lesson.on_date)
    text = _text("homework", text)
    row = queries.get_homework(lesson.id, member.pupil.id)
    if text is None:
        if row is None or row.deleted:
            return Outcome(row)
        values = {"deleted": True, "deleted_by_account_id": actor.id}
    else:
        values = {"text": text, "due_on": _due(lesson, due_on, text), "deleted": False,
                  "deleted_by_account_id": None}
    outcome = contract_write(IndividualHomework, row=row, values=values, school_id=lesson.school_id,
                             create_values={"lesson_id": lesson.id, "pupil_id": member.pupil.id,
                                            "created_by_account_id": actor.id},
                             client_id=client_id, base_version=row.version if row is not None else 0,
                             device_time=device_time, actor=actor)
    if outcome.changed and text:
        events.emit("homework", school_id=lesson.school_id, pupil_id=member.pupil.id, obj=outcome.row,
                    actor=actor, payload={"subject_id": lesson.subject_id, "lesson_id": lesson.id,
                                          "lesson_date": lesson.on_date.isoformat(), "individual": True,
                                          "due_on": values["due_on"].isoformat() if values["due_on"] else None})
    return outcome


# --- Remarks ------------------------------------------------------------------------------

def add_remark(actor, member, *, text, visibility, settings, school_id, client_id, lesson=None,
               subject_id=None):
    """A remark on a pupil for the family (default) or, where the school allows, parents only."""
    text = (text or "").strip()
    if not text:
        raise Refused(422, _l("Write the remark."))
    if len(text) > 1000:
        raise Refused(422, _l("The remark is longer than 1000 characters."))
    visibility = visibility or "family"
    if visibility not in ("family", "parents_only") or (visibility == "parents_only" and not settings.parents_only_remarks):
        raise Refused(422, _l("This school's remarks are seen by the pupil and the parents."))
    if lesson is not None:
        check_member_on(member, lesson.on_date)
    outcome = contract_write(
        Remark, row=None, values={"text": text, "visibility": visibility}, school_id=school_id,
        create_values={"pupil_id": member.pupil.id, "author_id": actor.person_id, "created_by_account_id": actor.id,
                       "lesson_id": lesson.id if lesson is not None else None, "subject_id": subject_id},
        client_id=client_id, base_version=0, device_time=None, actor=actor)
    if outcome.changed:
        events.emit("remark", school_id=school_id, pupil_id=member.pupil.id, obj=outcome.row, actor=actor,
                    payload={"visibility": visibility, "subject_id": subject_id,
                             "lesson_date": lesson.on_date.isoformat() if lesson is not None else None})
    return outcome


def withdraw_remark(remark, actor, *, client_id):
    """Its author or the deputy withdraws a remark (a tombstone; the text stays in history)."""
    if remark.author_id != actor.person_id and not actor.is_deputy:
        raise Refused(403, _l("Only the remark's author or the deputy director can withdraw it."))
    if remark.deleted:
        return Outcome(remark)
    return contract_write(Remark, row=remark, values={"deleted": True, "deleted_by_account_id": actor.id},
                          create_values={}, school_id=remark.school_id, client_id=client_id,
                          base_version=remark.version, device_time=None, actor=actor)


# --- The class teacher's range of days ----------------------------------------------------

def _pupil_groups(pupil_id, starts, ends):
    """{group id: [(from, to)]}: the pupil's class groups (through enrolments) and subgroups."""
    overlap = lambda m: sa.and_(m.valid_from <= ends, sa.or_(m.valid_to.is_(None), m.valid_to >= starts))  # noqa: E731
    by_class = (sa.select(StudyGroup.id, Enrolment.valid_from, Enrolment.valid_to)
                .join(Enrolment, Enrolment.school_class_id == StudyGroup.school_class_id)
                .where(StudyGroup.kind == "class", Enrolment.pupil_id == pupil_id, overlap(Enrolment)))
    own = (sa.select(GroupMember.group_id, GroupMember.valid_from, GroupMember.valid_to)
           .where(GroupMember.pupil_id == pupil_id, overlap(GroupMember)))
    groups = {}
    for group_id, valid_from, valid_to in db.session.execute(sa.union_all(by_class, own)):
        groups.setdefault(group_id, []).append((valid_from, valid_to))
    return groups


def _in(spans, day):
    return any(a <= day and (b is None or b >= day) for a, b in spans)


def record_excuse(actor, member, *, starts_on, ends_on, code, reason, school_id, client_id, device_time=None):
    """Give every lesson of a pupil's days the code (absent, ill, excused), with history.

    Later lessons of those days are pre-filled for the subject teachers, who can still
    correct them. A lateness already recorded stays (the pupil came). Returns (excuse, count).
    """
    today = clock.today()
    if code not in schemes.EXCUSE_CODES:
        raise Refused(422, _l("Choose absent, ill or excused."))
    if starts_on is None or ends_on is None or ends_on < starts_on:
        raise Refused(422, _l("The last day cannot come before the first."))
    if (ends_on - starts_on).days >= MAX_EXCUSE_DAYS:
        raise Refused(422, _l("Record at most %(num)s days at once.", num=MAX_EXCUSE_DAYS))
    if ends_on > today + timedelta(days=EXCUSE_AHEAD_DAYS):
        raise Refused(422, _l("Days more than %(num)s days ahead cannot be recorded yet.", num=EXCUSE_AHEAD_DAYS))
    reason = (reason or "").strip() or None
    if reason and len(reason) > 200:
        raise Refused(422, _l("The reason is longer than 200 characters."))
    if code == "excused" and not reason:
        raise Refused(422, _l("An excused absence needs a reason."))
    groups = _pupil_groups(member.pupil.id, starts_on, ends_on)
    if not groups:
        raise Refused(422, _l("%(pupil)s was not in this class on those days.", pupil=member.pupil.full_name))
    excuse = contract_write(AttendanceExcuse, row=None, values={"code": code, "reason": reason},
                            create_values={"pupil_id": member.pupil.id, "starts_on": starts_on, "ends_on": ends_on,
                                           "created_by_account_id": actor.id},
                            school_id=school_id, client_id=client_id, base_version=0, device_time=device_time,
                            actor=actor)
    if not excuse.changed:
        return excuse.row, 0
    count = _apply_excuse(excuse.row, member, actor, groups, client_id)
    events.emit("attendance", school_id=school_id, pupil_id=member.pupil.id, obj=excuse.row, actor=actor,
                payload={"excuse": True, "code": code, "starts_on": starts_on.isoformat(),
                         "ends_on": ends_on.isoformat(), "lessons": count})
    return excuse.row, count


def _apply_excuse(excuse, member, actor, groups, client_id):
    lessons = db.session.execute(sa.select(Lesson).where(
        Lesson.group_id.in_(list(groups)), Lesson.status != "cancelled",
        Lesson.on_date >= excuse.starts_on, Lesson.on_date <= excuse.ends_on)).scalars().all()
    entries = {e.lesson_id: e for e in db.session.execute(sa.select(AttendanceEntry).where(
        AttendanceEntry.pupil_id == member.pupil.id,
        AttendanceEntry.lesson_id.in_([lesson.id for lesson in lessons]))).scalars()}
    count = 0
    for lesson in lessons:
        entry = entries.get(lesson.id)
        if not _in(groups[lesson.group_id], lesson.on_date) or (entry and not entry.deleted and entry.code == "late"):
            continue
        view = _LessonOnly(lesson)
        outcome = record_attendance(view, _Always(member), actor, code=excuse.code, reason=excuse.reason,
                                    client_id=derived_client_id(client_id, lesson.id),
                                    base_version=entry.version if entry else 0, excuse_id=excuse.id,
                                    checked=False)
        count += bool(outcome.changed)
    return count


class _LessonOnly:
    """What record_attendance needs of a lesson view when the caller already checked the rules."""

    def __init__(self, lesson):
        self.lesson = lesson


class _Always:
    """The excuse's pupil: their groups were checked per lesson date above."""

    def __init__(self, member):
        self.pupil = member.pupil

    def enrolled_on(self, day):
        return True


# --- The deputy's journal remarks and the school's settings ------------------------------

def add_journal_remark(actor, assignment, *, on_date, text, client_id):
    """The deputy's dated note on a teacher's journal (e.g. "no topics since 3 October")."""
    text = (text or "").strip()
    if not text or len(text) > 1000:
        raise Refused(422, _l("Write the note (at most 1000 characters)."))
    if on_date is None or on_date > clock.today():
        raise Refused(422, _l("The note's date cannot be in the future."))
    return contract_write(JournalRemark, row=None, values={"text": text, "on_date": on_date},
                          create_values={"teaching_assignment_id": assignment.id, "author_id": actor.person_id},
                          school_id=assignment.school_id, client_id=client_id, base_version=0,
                          device_time=None, actor=actor)


def mark_journal_remark_fixed(remark, actor, *, client_id):
    """The teacher (or the deputy) marks a journal remark as fixed."""
    if remark.fixed:
        return Outcome(remark)
    return contract_write(JournalRemark, row=remark, values={"fixed": True, "fixed_by_account_id": actor.id},
                          create_values={}, school_id=remark.school_id, client_id=client_id,
                          base_version=remark.version, device_time=None, actor=actor)


def save_settings(actor, current, *, edit_window_days, parents_only_remarks, min_marks_for_term,
                  school_id, client_id, base_version):
    """The school's journal rules (edit window, parents-only remarks, marks needed for a term mark)."""
    values = {"edit_window_days": edit_window_days, "parents_only_remarks": bool(parents_only_remarks),
              "min_marks_for_term": min_marks_for_term}
    row = current if isinstance(current, JournalSettings) else None
    return contract_write(JournalSettings, row=row, values=values, create_values={}, school_id=school_id,
                          client_id=client_id, base_version=base_version, device_time=None, actor=actor)
