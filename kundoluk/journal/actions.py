"""The journal's writes: attendance, marks, undo and term marks. Callers commit; nothing here
renders or reads the request.

Marks, attendance entries and term marks go through kundoluk.writes.save (the write
contract: client_id, base_version, device_time, history; see kundoluk.journal.rules).
Families hear about changes through events.emit in the same transaction.
"""
from datetime import timedelta

from flask_babel import lazy_gettext as _l

from kundoluk import clock, events
from kundoluk.extensions import db
from kundoluk.journal import grading, queries, schemes
from kundoluk.journal.rules import (
    Refused, already_applied, check_lesson_write, check_member_on, checked_client_id, contract_write,
    derived_client_id, flag_late_entry, late_entry_allowed,
)
from kundoluk.models import AttendanceCheck, AttendanceEntry, Mark, TermMark


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
