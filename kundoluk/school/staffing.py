"""Set-up of people: staff and their roles, groups with dated members, teaching assignments.

All of these rows are dated (valid_from / valid_to, both inclusive): nothing is deleted, a
change ends the old row the day before the new one starts, and each change is audited with
who made it. Nothing here commits.
"""
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from kundoluk import names
from kundoluk.extensions import db
from kundoluk.models import Enrolment, GroupMember, Membership, Person, SchoolClass, StudyGroup, TeachingAssignment
from kundoluk.models.accounts import LANGUAGES
from kundoluk.school import labels
from kundoluk.school.actions import (
    check_inside_year, end_dated, raise_if, record, refuse,
)

MAX_HOURS = 40
SETUP_HOLDERS = ("deputy", "admin")  # someone must always be able to do the set-up


def _open_on(model, day):
    """Rows not ended before a day (valid on it, or starting later)."""
    return sa.or_(model.valid_to.is_(None), model.valid_to >= day)


def _valid_on(model, day):
    return sa.and_(model.valid_from <= day, _open_on(model, day))


# --- staff -------------------------------------------------------------------------------

def check_name(given_name, language):
    """A given name is required; surname and patronymic are not (many Kyrgyz names have none)."""
    errors = {}
    if not (given_name or "").strip():
        errors["given_name"] = [_("Enter the given name.")]
    if language not in LANGUAGES:
        errors["language"] = [_("Choose Kyrgyz or Russian.")]
    return errors


def _clean(value):
    return " ".join((value or "").split()) or None


def add_staff(school_id, *, family_name, given_name, patronymic, language, role, valid_from, actor):
    """A new staff member with a first role from a date (an existing teacher of another school
    is not searched for: the import links people by personal number)."""
    raise_if(check_name(given_name, language) or _check_role(role))
    person = Person(language=language)
    person.set_name(_clean(family_name), _clean(given_name), _clean(patronymic))
    db.session.add(person)
    db.session.flush()
    record("setup_staff_added", actor, school_id, subject=person, name=person.full_name)
    give_role(school_id, person, role, valid_from, actor=actor)
    return person


def rename_staff(school_id, person, *, family_name, given_name, patronymic, language, actor):
    raise_if(check_name(given_name, language))
    old = person.full_name
    person.set_name(_clean(family_name), _clean(given_name), _clean(patronymic))
    person.language = language
    record("setup_staff_renamed", actor, school_id, subject=person, old=old, new=person.full_name,
           language=language)
    return person


def _check_role(role):
    if role not in labels.ROLES:
        return {"role": [_("Choose a role.")]}
    return {}


def give_role(school_id, person, role, valid_from, *, actor):
    """A staff role from a date; refused while the person holds it (or will) already."""
    raise_if(_check_role(role))
    held = db.session.execute(sa.select(Membership.id).where(
        Membership.school_id == school_id, Membership.person_id == person.id, Membership.role == role,
        _open_on(Membership, valid_from)).limit(1)).first()
    if held:
        refuse("role", _("%(name)s already has this role.", name=person.full_name))
    membership = Membership(school_id=school_id, person_id=person.id, role=role, valid_from=valid_from)
    db.session.add(membership)
    db.session.flush()
    record("setup_role_given", actor, school_id, subject=person, role=role, valid_from=valid_from)
    return membership


def end_role(school_id, person, role, effective, *, actor):
    """End a role from a date on. The last deputy or administrator cannot go (nobody could do
    the set-up); a teacher's current assignments end with the teacher role."""
    raise_if(_check_role(role))
    membership = db.session.execute(sa.select(Membership).where(
        Membership.school_id == school_id, Membership.person_id == person.id, Membership.role == role,
        _open_on(Membership, effective))
        .order_by(Membership.valid_from.desc()).limit(1)).scalar_one_or_none()
    if membership is None:
        refuse(None, _("%(name)s does not hold this role.", name=person.full_name))
    if role in SETUP_HOLDERS and not _others_can_set_up(school_id, person, effective):
        refuse(None, _("The school needs at least one deputy director or administrator."))
    end_dated(membership, effective)
    ended = _end_assignments(school_id, person, effective) if role == "teacher" else 0
    record("setup_role_ended", actor, school_id, subject=person, role=role, effective=effective,
           assignments_ended=ended)
    return membership


def _others_can_set_up(school_id, person, day):
    return db.session.execute(sa.select(Membership.id).where(
        Membership.school_id == school_id, Membership.person_id != person.id,
        Membership.role.in_(SETUP_HOLDERS), _valid_on(Membership, day)).limit(1)).first() is not None


def _end_assignments(school_id, person, effective):
    rows = db.session.execute(sa.select(TeachingAssignment).where(
        TeachingAssignment.school_id == school_id, TeachingAssignment.teacher_id == person.id,
        _open_on(TeachingAssignment, effective))).scalars().all()
    for row in rows:
        row.valid_to = max(effective, row.valid_from) - timedelta(days=1)
    return len(rows)


# --- groups ------------------------------------------------------------------------------

def check_group(year, kind, school_class, name, others):
    """A subgroup belongs to a class of the year, an elective to none; names are unique per class
    (or among the year's electives)."""
    if kind not in ("subgroup", "elective"):
        return {"kind": [_("Choose subgroup or elective.")]}
    if kind == "subgroup" and (school_class is None or school_class.academic_year_id != year.id):
        return {"school_class": [_("Choose the class this subgroup belongs to.")]}
    if not (name or "").strip():
        return {"name": [_("Give the group a name, e.g. English 1.")]}
    key = names.search_key(name)
    class_id = school_class.id if kind == "subgroup" else None
    for other in others:
        if other.school_class_id == class_id and other.kind == kind and names.search_key(other.name) == key:
            return {"name": [_("A group with this name already exists.")]}
    return {}


def _year_groups(year, exclude=None):
    return db.session.execute(sa.select(StudyGroup).where(
        StudyGroup.academic_year_id == year.id, StudyGroup.id != (exclude.id if exclude else -1))).scalars().all()


def create_group(year, kind, school_class, name, *, actor):
    """A subgroup of a class or a cross-class elective (whole-class groups come with their class)."""
    raise_if(check_group(year, kind, school_class, name, _year_groups(year)))
    group = StudyGroup(school_id=year.school_id, academic_year_id=year.id, kind=kind,
                       school_class_id=school_class.id if kind == "subgroup" else None, name=_clean(name))
    db.session.add(group)
    db.session.flush()
    record("setup_group_added", actor, year.school_id, group=group.public_id, kind=kind, name=group.name)
    return group


def rename_group(year, group, name, *, actor):
    if group.kind == "class":
        refuse(None, _("A whole-class group is named after its class."))
    raise_if(check_group(year, group.kind, group.school_class, name, _year_groups(year, exclude=group)))
    old, group.name = group.name, _clean(name)
    record("setup_group_renamed", actor, group.school_id, group=group.public_id, old=old, new=group.name)
    return group


def check_members(year, group, pupils, valid_from):
    """Members from a day inside the year, enrolled that day (in the subgroup's class, or in any
    class of the year for an elective), and not in the group already."""
    if group.kind == "class":
        return {None: [_("A whole class's members are its enrolled pupils; enrol or move pupils instead.")]}
    if not pupils:
        return {"pupils": [_("Choose at least one pupil.")]}
    errors = check_inside_year(year, valid_from, field="valid_from")
    if errors:
        return errors
    ids = [p.id for p in pupils]
    if group.kind == "subgroup":
        where_class = SchoolClass.id == group.school_class_id
    else:
        where_class = sa.and_(SchoolClass.academic_year_id == year.id, SchoolClass.school_id == group.school_id)
    enrolled = (sa.select(Enrolment.pupil_id).join(SchoolClass, SchoolClass.id == Enrolment.school_class_id)
                .where(Enrolment.pupil_id.in_(ids), _valid_on(Enrolment, valid_from), where_class))
    fit = set(db.session.execute(enrolled).scalars())
    inside = set(db.session.execute(sa.select(GroupMember.pupil_id).where(
        GroupMember.group_id == group.id, GroupMember.pupil_id.in_(ids), _open_on(GroupMember, valid_from))).scalars())
    problems = [_("%(name)s is not enrolled there on that day.", name=p.full_name) for p in pupils if p.id not in fit]
    problems += [_("%(name)s is already in the group.", name=p.full_name) for p in pupils if p.id in inside]
    return {"pupils": problems} if problems else {}


def add_members(year, group, pupils, valid_from, *, actor):
    """Add pupils to a subgroup or elective from a date (all or none)."""
    raise_if(check_members(year, group, pupils, valid_from))
    for pupil in pupils:
        db.session.add(GroupMember(school_id=group.school_id, group_id=group.id, pupil_id=pupil.id,
                                   valid_from=valid_from))
        record("setup_member_added", actor, group.school_id, subject=pupil, group=group.public_id,
               valid_from=valid_from)
    db.session.flush()


def end_member(group, pupil, effective, *, actor):
    """The pupil leaves the group from a date on (the membership is dated, never deleted)."""
    member = db.session.execute(sa.select(GroupMember).where(
        GroupMember.group_id == group.id, GroupMember.pupil_id == pupil.id, _open_on(GroupMember, effective))
        .order_by(GroupMember.valid_from.desc()).limit(1)).scalar_one_or_none()
    if member is None:
        refuse(None, _("%(name)s is not in the group on that day.", name=pupil.full_name))
    end_dated(member, effective)
    record("setup_member_ended", actor, group.school_id, subject=pupil, group=group.public_id,
           effective=effective)
    return member


# --- teaching assignments ----------------------------------------------------------------

def check_assignment(year, teacher, subject, group, hours, valid_from):
    """A teacher of the school on that day, a group of the year, 1–40 hours, a date in the year,
    and not the same teacher, subject and group twice at once."""
    errors = {}
    if teacher is None or not _holds(group.school_id if group else None, teacher, "teacher", valid_from):
        errors["teacher"] = [_("Choose a teacher of this school (with the teacher role on that day).")]
    if subject is None:
        errors["subject"] = [_("Choose a subject.")]
    if group is None or group.academic_year_id != year.id:
        errors["group"] = [_("Choose a class or group of this year.")]
    if hours is None or not 1 <= hours <= MAX_HOURS:
        errors["hours_per_week"] = [_("From %(low)d to %(high)d hours a week.", low=1, high=MAX_HOURS)]
    errors.update(check_inside_year(year, valid_from, field="valid_from"))
    if errors:
        return errors
    same = db.session.execute(sa.select(TeachingAssignment.id).where(
        TeachingAssignment.teacher_id == teacher.id, TeachingAssignment.subject_id == subject.id,
        TeachingAssignment.group_id == group.id, _open_on(TeachingAssignment, valid_from)).limit(1)).first()
    if same:
        return {"group": [_("This teacher already teaches this subject to this group.")]}
    return {}


def _holds(school_id, person, role, day):
    return school_id is not None and db.session.execute(sa.select(Membership.id).where(
        Membership.school_id == school_id, Membership.person_id == person.id, Membership.role == role,
        _valid_on(Membership, day)).limit(1)).first() is not None


def create_assignment(year, *, teacher, subject, group, hours, valid_from, actor):
    raise_if(check_assignment(year, teacher, subject, group, hours, valid_from))
    row = TeachingAssignment(school_id=group.school_id, teacher_id=teacher.id, subject_id=subject.id,
                             group_id=group.id, hours_per_week=hours, valid_from=valid_from)
    db.session.add(row)
    db.session.flush()
    record("setup_assignment_added", actor, group.school_id, subject=teacher, assignment=row.public_id,
           subject_code=subject.code, group=group.public_id, hours=hours, valid_from=valid_from)
    return row


def change_hours(assignment, hours, *, actor):
    if hours is None or not 1 <= hours <= MAX_HOURS:
        refuse("hours_per_week", _("From %(low)d to %(high)d hours a week.", low=1, high=MAX_HOURS))
    old, assignment.hours_per_week = assignment.hours_per_week, hours
    record("setup_assignment_changed", actor, assignment.school_id, assignment=assignment.public_id,
           old=old, new=hours)
    return assignment


def end_assignment(assignment, effective, *, actor):
    """The teacher stops teaching this from a date on (lessons already given keep it)."""
    if assignment.valid_to is not None and assignment.valid_to < effective:
        refuse(None, _("This assignment has already ended."))
    end_dated(assignment, effective)
    record("setup_assignment_ended", actor, assignment.school_id, assignment=assignment.public_id,
           effective=effective)
    return assignment
