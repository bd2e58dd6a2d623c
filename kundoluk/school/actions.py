"""Set-up rules and writes: the shared checks, the school's profile, subjects and classes.

Nothing here commits: the view commits once, or rolls back when a rule refuses.
Versioned rows (school, term, holiday, class, subject) go through kundoluk.writes.save, so a
stale form is a conflict and the change lands in change_history with who made it; other rows
are recorded in the audit log. Every rule is checked before anything is written.
The calendar, shifts and bells are in kundoluk.school.calendar_actions; staff, groups and
teaching assignments in kundoluk.school.staffing.
"""
from datetime import timedelta
from zoneinfo import available_timezones

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from kundoluk import audit, names, writes
from kundoluk.extensions import db
from kundoluk.models import ChangeHistory, Membership, SchoolClass, StudyGroup, Subject, WriteReceipt
from kundoluk.models.school import INSTRUCTION_LANGUAGES
from kundoluk.school import labels

MIN_GRADE, MAX_GRADE = 1, 12   # the 12-year school is being introduced


class Invalid(Exception):
    """A set-up rule refused the change. errors: {field path or None: [messages]}."""

    def __init__(self, errors):
        super().__init__(errors)
        self.errors = errors


def refuse(field, message):
    raise Invalid({field: [message]})


def raise_if(errors):
    if errors:
        raise Invalid(errors)


def plain(values):
    """Values as JSON for the audit log (dates and times as ISO text)."""
    return {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in values.items()}


def record(action, actor, school_id, subject=None, **detail):
    """Audit a set-up change to a row that has no version (and so no change_history)."""
    return audit.record(action, actor=actor, subject=subject, school_id=school_id, **plain(detail))


# --- shared checks -----------------------------------------------------------------------

def check_grades(grade_from, grade_to):
    """Grades 1–12, the first not after the last."""
    errors = {}
    for field, grade in (("grade_from", grade_from), ("grade_to", grade_to)):
        if grade is None or not MIN_GRADE <= grade <= MAX_GRADE:
            errors[field] = [_("Grades run from %(low)d to %(high)d.", low=MIN_GRADE, high=MAX_GRADE)]
    if not errors and grade_to < grade_from:
        errors["grade_to"] = [_("The last grade comes before the first.")]
    return errors


def check_span(starts_on, ends_on, end_field="ends_on"):
    """The end is not before the start."""
    if starts_on and ends_on and ends_on < starts_on:
        return {end_field: [_("The end date is before the start date.")]}
    return {}


def check_inside_year(year, starts_on, ends_on=None, field="starts_on", end_field="ends_on"):
    """Both dates fall inside the school year."""
    message = _("Dates must fall inside the school year (%(span)s).",
                span=labels.span(year.starts_on, year.ends_on))
    errors = {}
    if starts_on and not year.starts_on <= starts_on <= year.ends_on:
        errors[field] = [message]
    if ends_on and not year.starts_on <= ends_on <= year.ends_on:
        errors[end_field] = [message]
    return errors


def grades_meet(a, b):
    return a.grade_from <= b.grade_to and b.grade_from <= a.grade_to


def spans_meet(a_start, a_end, b_start, b_end):
    return a_start <= b_end and b_start <= a_end


def end_dated(row, effective, field="effective"):
    """End a dated row from a day on: valid_to = the day before.

    Ended on its first day, a row was never in force: valid_to falls before valid_from,
    which every "current" test reads as never valid, and the row stays as a record.
    """
    if effective < row.valid_from:
        refuse(field, _("This began on %(date)s; choose that day or later.", date=labels.day(row.valid_from)))
    row.valid_to = effective - timedelta(days=1)
    return row


def applied(client_id):
    """True when this client_id was written before: a resent form, which the contract answers
    (replayed or mismatch) before any rule is checked again."""
    found = db.session.get(WriteReceipt, writes.parse_client_id(client_id),
                           execution_options={"all_schools": True})
    return found is not None


def write(model, *, values, school_id, client_id, actor, row=None, base_version=None):
    """writes.save; an unchanged form writes nothing but is still refused when it was made
    from an older version."""
    if row is not None and not applied(client_id) and all(getattr(row, k) == v for k, v in values.items()):
        return writes.WriteResult(row, conflict=base_version != row.version, base_version=base_version)
    return writes.save(model, values=values, school_id=school_id, client_id=client_id,
                       base_version=base_version, row=row, actor=actor)


def remove_versioned(row, base_version, actor):
    """Delete a versioned calendar row; a stale form is a conflict; the old values go to history."""
    if base_version != row.version:
        return writes.WriteResult(row, conflict=True, base_version=base_version)
    columns = [c.key for c in row.__table__.columns if c.key not in ("id", "school_id", "version")]
    old = plain({key: getattr(row, key) for key in columns})
    db.session.add(ChangeHistory(school_id=row.school_id, actor_account_id=getattr(actor, "id", None),
                                 table_name=row.__tablename__, row_id=row.id, old=old, new=None))
    db.session.delete(row)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:  # later features (lessons, term marks) point at it
        refuse(None, _("Other records use this; it cannot be removed. Change its dates instead."))
    return writes.WriteResult(None, base_version=base_version)


# --- the school --------------------------------------------------------------------------

def save_profile(school, values, *, client_id, base_version, actor):
    """Names in ky and ru and the time zone (one the server knows)."""
    if values["timezone"] not in available_timezones():
        refuse("timezone", _("Unknown time zone. Kyrgyzstan uses Asia/Bishkek."))
    return write(type(school), row=school, values=values, school_id=school.id,
                 client_id=client_id, base_version=base_version, actor=actor)


def set_director_access(school, allowed, *, client_id, base_version, actor):
    """Let the director do the set-up, or not (the deputy's and the administrator's choice)."""
    return write(type(school), row=school, values={"director_may_set_up": bool(allowed)},
                 school_id=school.id, client_id=client_id, base_version=base_version, actor=actor)


# --- subjects ----------------------------------------------------------------------------

def normalize_code(code):
    code = (code or "").strip().upper()
    return code or None


def check_subject(values, others):
    """The national code and the pair of names are each used once in the school."""
    key = (names.search_key(values["name_ky"]), names.search_key(values["name_ru"]))
    for other in others:
        if values["code"] and other.code == values["code"]:
            return {"code": [_("Another subject has this code: %(name)s.", name=other.name_ky)]}
        if (names.search_key(other.name_ky), names.search_key(other.name_ru)) == key:
            return {"name_ky": [_("This subject already exists.")]}
    return {}


def save_subject(school_id, values, *, client_id, actor, row=None, base_version=None):
    values = {**values, "code": normalize_code(values.get("code"))}
    others = db.session.execute(sa.select(Subject).where(Subject.school_id == school_id,
                                                         Subject.id != (row.id if row else -1))).scalars().all()
    if not applied(client_id):
        raise_if(check_subject(values, others))
    try:
        return write(Subject, row=row, values=values, school_id=school_id, client_id=client_id,
                     base_version=base_version, actor=actor)
    except IntegrityError:  # a second deputy saved the same code a moment ago
        refuse("code", _("Another subject has this code."))


# --- classes -----------------------------------------------------------------------------

def normalize_letter(letter):
    return (letter or "").strip().upper()


def check_class(year, values, shift, others):
    """Grade 1–12, a letter of up to 4 letters or digits, a known language, a shift, one 7-Б a year."""
    errors = {}
    if not MIN_GRADE <= (values["grade"] or 0) <= MAX_GRADE:
        errors["grade"] = [_("Grades run from %(low)d to %(high)d.", low=MIN_GRADE, high=MAX_GRADE)]
    letter = values["letter"]
    if not letter or len(letter) > 4 or not letter.isalnum():
        errors["letter"] = [_("A class letter is one to four letters or digits, e.g. Б.")]
    if values["language"] not in INSTRUCTION_LANGUAGES:
        errors["language"] = [_("Choose the language of instruction.")]
    if shift is None or shift.school_id != year.school_id:
        errors["shift"] = [_("Choose a shift.")]
    if not errors and any((o.grade, o.letter) == (values["grade"], letter) for o in others):
        errors["letter"] = [_exists(values)]
    return errors


def _exists(values):
    label = "{}-{}".format(values["grade"], values["letter"])
    return _("Class %(label)s already exists this year.", label=label)


def check_class_teacher(year, person, starts_on):
    """The class teacher holds a current staff role in this school; the date is not after the year."""
    if person is None:
        return {}
    held = db.session.execute(sa.select(Membership.id).where(
        Membership.school_id == year.school_id, Membership.person_id == person.id,
        Membership.valid_from <= starts_on,
        sa.or_(Membership.valid_to.is_(None), Membership.valid_to >= starts_on)).limit(1)).first()
    if not held:
        return {"class_teacher": [_("Choose a member of this school's staff.")]}
    if starts_on > year.ends_on:
        return {"teacher_from": [_("Dates must fall inside the school year (%(span)s).",
                                   span=labels.span(year.starts_on, year.ends_on))]}
    return {}


def _class_values(year, values, shift):
    return {"grade": values["grade"], "letter": normalize_letter(values["letter"]),
            "language": values["language"], "shift_id": shift.id if shift else None,
            "academic_year_id": year.id}


def _other_classes(year, row):
    return db.session.execute(sa.select(SchoolClass).where(
        SchoolClass.academic_year_id == year.id, SchoolClass.id != (row.id if row else -1))).scalars().all()


def create_class(year, values, shift, *, teacher, teacher_from, client_id, actor):
    """A class, its whole-class group (members come from enrolments) and its class teacher."""
    values = _class_values(year, values, shift)
    if not applied(client_id):
        raise_if(check_class(year, values, shift, _other_classes(year, None))
                 or check_class_teacher(year, teacher, teacher_from))
    result = _save_class(None, values, year.school_id, client_id, None, actor)
    if result.ok and not result.replayed:
        klass = result.row
        group = StudyGroup(school_id=year.school_id, academic_year_id=year.id, kind="class", school_class_id=klass.id)
        db.session.add(group)
        db.session.flush()
        record("setup_group_added", actor, year.school_id, group=group.public_id, kind="class", name=klass.label)
        if teacher is not None:
            set_class_teacher(klass, None, teacher, teacher_from, actor=actor)
    return result


def change_class(year, school_class, values, shift, *, current, teacher, teacher_from, client_id,
                 base_version, actor):
    """Grade, letter, language, shift (versioned) and the class teacher (a dated membership)."""
    values = _class_values(year, values, shift)
    same_teacher = (current.person_id if current else None) == (teacher.id if teacher else None)
    if not applied(client_id):
        raise_if(check_class(year, values, shift, _other_classes(year, school_class))
                 or ({} if same_teacher else check_class_teacher(year, teacher, teacher_from)))
    result = _save_class(school_class, values, year.school_id, client_id, base_version, actor)
    if result.ok and not result.replayed:
        set_class_teacher(school_class, current, teacher, teacher_from, actor=actor)
    return result


def _save_class(row, values, school_id, client_id, base_version, actor):
    try:
        return write(SchoolClass, row=row, values=values, school_id=school_id, client_id=client_id,
                     base_version=base_version, actor=actor)
    except IntegrityError:  # the same class saved by someone else a moment ago
        refuse("letter", _exists(values))


def set_class_teacher(school_class, current, person, starts_on, *, actor):
    """End the current class teacher's membership and start the new one, dated; same person: nothing."""
    if (current.person_id if current else None) == (person.id if person else None):
        return None
    if current is not None:
        end_dated(current, starts_on, field="teacher_from")
    new = None
    if person is not None:
        new = Membership(school_id=school_class.school_id, person_id=person.id, role="class_teacher",
                         school_class_id=school_class.id, valid_from=starts_on)
        db.session.add(new)
    db.session.flush()
    record("setup_class_teacher", actor, school_class.school_id, subject=person,
           school_class=school_class.public_id, label=school_class.label, starts_on=starts_on,
           previous=current.person_id if current else None)
    return new
