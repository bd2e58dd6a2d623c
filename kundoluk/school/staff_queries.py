"""Reads for the set-up of people: staff and their roles, groups and members, teaching assignments.

The same rules as kundoluk.school.queries: tenancy scopes every read to the school, and each
page costs a fixed number of statements.
"""
import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import aliased

from kundoluk import clock, names
from kundoluk.extensions import db
from kundoluk.models import (
    Enrolment, GroupMember, Membership, Person, SchoolClass, StudyGroup, Subject, TeachingAssignment,
)
from kundoluk.school.queries import (
    PAGE_SIZE, PUBLIC_ID, matches, not_ended, one_or_404, paginate_rows, parse_class_label, public_id_or_404,
    search_subjects, valid_on,
)

# --- staff -------------------------------------------------------------------------------

def staff_choices(role=None):
    """People holding a current staff role in the school (optionally this role), by name."""
    today = clock.today()
    held = sa.select(Membership.person_id).where(valid_on(Membership, today))
    if role:
        held = held.where(Membership.role == role)
    return db.session.execute(sa.select(Person).where(Person.id.in_(held))
                              .order_by(Person.sort_key)).scalars().all()


def list_staff(query, number, former=False):
    """A page of the school's staff (or former staff) matching a name, with their current roles."""
    today = clock.today()
    current = sa.select(Membership.person_id).where(valid_on(Membership, today))
    if former:
        who = sa.and_(Person.id.in_(sa.select(Membership.person_id)), Person.id.not_in(current))
    else:
        who = Person.id.in_(current)
    stmt = sa.select(Person).where(who).order_by(Person.sort_key, Person.id)
    key = names.search_key(query)
    if key:
        stmt = stmt.where(Person.search_key.contains(key, autoescape=True))
    page = paginate_rows(stmt, number)
    roles = _roles_of([person.id for person, in page.items], today)
    page.items = [(person, roles.get(person.id, [])) for person, in page.items]
    return page


def _roles_of(person_ids, today):
    rows = db.session.execute(
        sa.select(Membership.person_id, Membership.role, SchoolClass)
        .join(SchoolClass, SchoolClass.id == Membership.school_class_id, isouter=True)
        .where(Membership.person_id.in_(person_ids), valid_on(Membership, today))
        .order_by(Membership.role)).all()
    roles = {}
    for person_id, role, klass in rows:
        roles.setdefault(person_id, []).append((role, klass))
    return roles


def get_staff_or_404(public_id):
    """A person who holds or held a staff role in this school; anyone else is 404."""
    stmt = (sa.select(Person).where(Person.public_id == public_id_or_404(public_id),
                                    Person.id.in_(sa.select(Membership.person_id))))
    return one_or_404(stmt)


def list_memberships(person_id):
    """Every role the person holds or held in the school, newest first, with the class."""
    return db.session.execute(
        sa.select(Membership, SchoolClass)
        .join(SchoolClass, SchoolClass.id == Membership.school_class_id, isouter=True)
        .where(Membership.person_id == person_id)
        .order_by(Membership.valid_from.desc(), Membership.id.desc())).all()


# --- groups ------------------------------------------------------------------------------

def list_groups(year_id, query="", kind=""):
    """The year's groups with their class and how many pupils are in them now."""
    today = clock.today()
    enrolled = (sa.select(sa.func.count(Enrolment.id))
                .where(Enrolment.school_class_id == StudyGroup.school_class_id, valid_on(Enrolment, today))
                .scalar_subquery())
    members = (sa.select(sa.func.count(GroupMember.id))
               .where(GroupMember.group_id == StudyGroup.id, valid_on(GroupMember, today))
               .scalar_subquery())
    size = sa.case((StudyGroup.kind == "class", enrolled), else_=members)
    stmt = (sa.select(StudyGroup, SchoolClass, size.label("size"))
            .join(SchoolClass, SchoolClass.id == StudyGroup.school_class_id, isouter=True)
            .where(StudyGroup.academic_year_id == year_id)
            .order_by(SchoolClass.grade.is_(None), SchoolClass.grade, SchoolClass.letter,
                      StudyGroup.kind, StudyGroup.name))
    if kind:
        stmt = stmt.where(StudyGroup.kind == kind)
    return [row for row in db.session.execute(stmt).all() if _group_matches(row, query)]


def _group_matches(row, query):
    group, klass, _size = row
    label = parse_class_label(query)
    if label and klass is not None:
        grade, letter = label
        return klass.grade == grade and (letter is None or klass.letter.upper() == letter)
    return matches(names.search_key(query), group.name, klass.label if klass else "")


def get_group_or_404(public_id):
    """A group of the school with its class (None for an elective); one statement."""
    row = db.session.execute(
        sa.select(StudyGroup, SchoolClass)
        .join(SchoolClass, SchoolClass.id == StudyGroup.school_class_id, isouter=True)
        .where(StudyGroup.public_id == public_id_or_404(public_id))).first()
    if row is None:
        abort(404)
    return row[0], row[1]


def list_year_groups(year_id):
    """Groups of a year for a choice list, with their class."""
    return db.session.execute(
        sa.select(StudyGroup, SchoolClass)
        .join(SchoolClass, SchoolClass.id == StudyGroup.school_class_id, isouter=True)
        .where(StudyGroup.academic_year_id == year_id)
        .order_by(SchoolClass.grade.is_(None), SchoolClass.grade, SchoolClass.letter,
                  StudyGroup.kind, StudyGroup.name)).all()


def list_members(group):
    """A group's members: enrolments for a whole class, else dated members (current first)."""
    today = clock.today()
    if group.kind == "class":
        return db.session.execute(
            sa.select(Person, Enrolment.valid_from, Enrolment.valid_to)
            .join(Enrolment, Enrolment.pupil_id == Person.id)
            .where(Enrolment.school_class_id == group.school_class_id, not_ended(Enrolment, today))
            .order_by(Person.sort_key)).all()
    ended = sa.and_(GroupMember.valid_to.is_not(None), GroupMember.valid_to < today)
    return db.session.execute(
        sa.select(Person, GroupMember.valid_from, GroupMember.valid_to)
        .join(GroupMember, GroupMember.pupil_id == Person.id)
        .where(GroupMember.group_id == group.id)
        .order_by(ended, Person.sort_key, GroupMember.valid_from.desc())).all()


def list_candidates(group, query, day):
    """Pupils who could join a group on a day: the class's pupils, or for an elective those
    of the year's classes matching the search (at most one page); members left out."""
    in_group = sa.select(GroupMember.pupil_id).where(GroupMember.group_id == group.id,
                                                     not_ended(GroupMember, day))
    stmt = (sa.select(Person, SchoolClass)
            .join(Enrolment, sa.and_(Enrolment.pupil_id == Person.id, valid_on(Enrolment, day)))
            .join(SchoolClass, SchoolClass.id == Enrolment.school_class_id)
            .where(Person.id.not_in(in_group))
            .order_by(SchoolClass.grade, SchoolClass.letter, Person.sort_key))
    if group.kind == "subgroup":
        stmt = stmt.where(SchoolClass.id == group.school_class_id)
    else:
        key = names.search_key(query)
        if not key:
            return []
        stmt = stmt.where(SchoolClass.academic_year_id == group.academic_year_id,
                          Person.search_key.contains(key, autoescape=True))
    return db.session.execute(stmt.limit(PAGE_SIZE)).all()


def get_pupils(public_ids):
    """Pupils of the school (ever enrolled in it) by public id; others are simply not found."""
    public_ids = [value for value in public_ids if PUBLIC_ID.match(value or "")]
    if not public_ids:
        return []
    return db.session.execute(sa.select(Person).where(
        Person.public_id.in_(public_ids), Person.id.in_(sa.select(Enrolment.pupil_id)))).scalars().all()


def get_member_pupil_or_404(group, public_id):
    """A pupil who is or was a member of this group; anyone else is 404."""
    return one_or_404(sa.select(Person).join(GroupMember, GroupMember.pupil_id == Person.id)
                       .where(GroupMember.group_id == group.id, Person.public_id == public_id_or_404(public_id))
                       .limit(1))


# --- teaching assignments ----------------------------------------------------------------

def list_assignments(year_id, query, number):
    """A page of the year's current and coming assignments, by class, subject and teacher."""
    today = clock.today()
    teacher = aliased(Person)
    stmt = (sa.select(TeachingAssignment, teacher, Subject, StudyGroup, SchoolClass)
            .join(teacher, teacher.id == TeachingAssignment.teacher_id)
            .join(Subject, Subject.id == TeachingAssignment.subject_id)
            .join(StudyGroup, StudyGroup.id == TeachingAssignment.group_id)
            .join(SchoolClass, SchoolClass.id == StudyGroup.school_class_id, isouter=True)
            .where(StudyGroup.academic_year_id == year_id, not_ended(TeachingAssignment, today))
            .order_by(SchoolClass.grade.is_(None), SchoolClass.grade, SchoolClass.letter,
                      Subject.name_ky, teacher.sort_key, TeachingAssignment.id))
    stmt = _assignment_filter(stmt, teacher, query)
    return paginate_rows(stmt, number)


def _assignment_filter(stmt, teacher, query):
    label = parse_class_label(query)
    if label:
        grade, letter = label
        stmt = stmt.where(SchoolClass.grade == grade)
        return stmt.where(SchoolClass.letter == letter) if letter else stmt
    key = names.search_key(query)
    if not key:
        return stmt
    subject_ids = [s.id for s in search_subjects(query)]
    return stmt.where(sa.or_(teacher.search_key.contains(key, autoescape=True),
                             TeachingAssignment.subject_id.in_(subject_ids)))


def get_assignment_or_404(public_id):
    """An assignment with its teacher, subject, group and class; one statement."""
    teacher = aliased(Person)
    row = db.session.execute(
        sa.select(TeachingAssignment, teacher, Subject, StudyGroup, SchoolClass)
        .join(teacher, teacher.id == TeachingAssignment.teacher_id)
        .join(Subject, Subject.id == TeachingAssignment.subject_id)
        .join(StudyGroup, StudyGroup.id == TeachingAssignment.group_id)
        .join(SchoolClass, SchoolClass.id == StudyGroup.school_class_id, isouter=True)
        .where(TeachingAssignment.public_id == public_id_or_404(public_id))).first()
    if row is None:
        abort(404)
    return row
