"""Reads for the role homes: a fixed number of statements whatever the school's size."""
import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import aliased

from kundoluk import clock
from kundoluk.extensions import db
from kundoluk.models import (
    AcademicYear, Account, Enrolment, Guardianship, Membership, Person, SchoolClass, StudyGroup, Subject, TeachingAssignment,
)


def _valid(model, today):
    return sa.and_(model.valid_from <= today, sa.or_(model.valid_to.is_(None), model.valid_to >= today))


def list_assignments(teacher_id):
    """A teacher's current teaching assignments with subject, group and class."""
    today = clock.today()
    stmt = (sa.select(TeachingAssignment, Subject, StudyGroup, SchoolClass)
            .join(Subject, Subject.id == TeachingAssignment.subject_id)
            .join(StudyGroup, StudyGroup.id == TeachingAssignment.group_id)
            .join(SchoolClass, SchoolClass.id == StudyGroup.school_class_id, isouter=True)
            .where(TeachingAssignment.teacher_id == teacher_id, _valid(TeachingAssignment, today))
            .order_by(SchoolClass.grade, SchoolClass.letter, Subject.name_ky))
    return db.session.execute(stmt).all()


def current_year_id(school_id):
    """The academic year containing today, or the latest begun (in summer: the year just ended)."""
    today = clock.today()
    return (sa.select(AcademicYear.id)
            .where(AcademicYear.school_id == school_id, AcademicYear.starts_on <= today)
            .order_by(AcademicYear.starts_on.desc()).limit(1).scalar_subquery())


def list_classes(school_id, class_ids=None):
    """The current year's classes with their pupil counts (all, or the given ones)."""
    today = clock.today()
    pupils = (sa.select(sa.func.count(Enrolment.id)).where(
        Enrolment.school_class_id == SchoolClass.id, _valid(Enrolment, today)).scalar_subquery())
    stmt = (sa.select(SchoolClass, pupils.label("pupils"))
            .where(SchoolClass.school_id == school_id,
                   SchoolClass.academic_year_id == current_year_id(school_id))
            .order_by(SchoolClass.grade, SchoolClass.letter))
    if class_ids is not None:
        stmt = stmt.where(SchoolClass.id.in_(class_ids))
    return db.session.execute(stmt).all()


def school_counts(school_id):
    """Classes, pupils, staff and issued accounts of a school, in one statement."""
    today = clock.today()
    year = current_year_id(school_id)
    pupil_ids = sa.select(Enrolment.pupil_id).where(Enrolment.school_id == school_id, _valid(Enrolment, today))
    staff_ids = sa.select(Membership.person_id).where(Membership.school_id == school_id, _valid(Membership, today))
    parent_ids = sa.select(Guardianship.parent_id).where(Guardianship.pupil_id.in_(pupil_ids), _valid(Guardianship, today))

    def count(stmt):
        return stmt.scalar_subquery()

    issued = Account.password_hash.is_not(None)
    stmt = sa.select(
        count(sa.select(sa.func.count(SchoolClass.id)).where(SchoolClass.school_id == school_id,
                                                             SchoolClass.academic_year_id == year)).label("classes"),
        count(sa.select(sa.func.count(sa.distinct(Enrolment.pupil_id))).where(
            Enrolment.school_id == school_id, _valid(Enrolment, today))).label("pupils"),
        count(sa.select(sa.func.count(sa.distinct(Membership.person_id))).where(
            Membership.school_id == school_id, _valid(Membership, today))).label("staff"),
        count(sa.select(sa.func.count(sa.distinct(Guardianship.parent_id))).where(
            Guardianship.pupil_id.in_(pupil_ids), _valid(Guardianship, today))).label("parents"),
        count(sa.select(sa.func.count(Account.id)).where(
            issued, Account.person_id.in_(pupil_ids.union(staff_ids, parent_ids)))).label("accounts"),
    )
    return db.session.execute(stmt).one()


def get_class_or_404(public_id):
    """A class of the schools in scope, by its public id; 404 otherwise."""
    found = db.session.execute(sa.select(SchoolClass).where(SchoolClass.public_id == public_id)).scalar_one_or_none()
    if found is None:
        abort(404)
    return found


def teaches_class(teacher_id, school_class):
    """True if the teacher has a current assignment to a group of this class."""
    today = clock.today()
    stmt = (sa.select(TeachingAssignment.id)
            .join(StudyGroup, StudyGroup.id == TeachingAssignment.group_id)
            .where(TeachingAssignment.teacher_id == teacher_id, StudyGroup.school_class_id == school_class.id,
                   _valid(TeachingAssignment, today)).limit(1))
    return db.session.execute(stmt).first() is not None


def class_roster(school_class):
    """Pupils enrolled now, each with their account and their parents' accounts (two statements)."""
    today = clock.today()
    pupils = db.session.execute(
        sa.select(Person, Account.password_hash.is_not(None), Account)
        .join(Enrolment, sa.and_(Enrolment.pupil_id == Person.id, _valid(Enrolment, today)))
        .join(Account, Account.person_id == Person.id, isouter=True)
        .where(Enrolment.school_class_id == school_class.id)
        .order_by(Person.sort_key)).all()
    parent = aliased(Person)
    parents = db.session.execute(
        sa.select(Guardianship.pupil_id, parent, Account)
        .join(parent, parent.id == Guardianship.parent_id)
        .join(Account, Account.person_id == parent.id, isouter=True)
        .where(Guardianship.pupil_id.in_([p.id for p, _, _ in pupils]), _valid(Guardianship, today))
        .order_by(parent.sort_key)).all()
    by_pupil = {}
    for pupil_id, person, account in parents:
        by_pupil.setdefault(pupil_id, []).append((person, account))
    return [(person, account, by_pupil.get(person.id, [])) for person, _, account in pupils]
