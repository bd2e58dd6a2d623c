"""Reads for the credentials desk, the link codes and the audit list: a fixed number of
statements whatever the size of the class or the school."""
import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import aliased, contains_eager

from kundoluk import clock
from kundoluk.extensions import db
from kundoluk.home.queries import current_year_id
from kundoluk.models import (
    Account, AuditLog, Enrolment, Guardianship, ImportBatch, ImportRow, Membership, Person,
    School, SchoolClass,
)

# What the deputy's audit list shows: the desk's own actions and the account changes they
# lead to (sign-ins are left out: a school has thousands a day).
AUDIT_ACTIONS = (
    "credentials_issued", "credentials_reissued", "parent_linked", "parent_unlinked",
    "link_code_made", "link_code_used", "person_imported", "import_applied",
    "first_sign_in", "password_changed", "signed_out_everywhere", "record_downloaded",
)
AUDIT_PAGE = 50


def valid_on(model, day):
    """Rows of a dated table valid on that day (both ends inclusive, NULL = open)."""
    return sa.and_(model.valid_from <= day, sa.or_(model.valid_to.is_(None), model.valid_to >= day))


def list_desk_classes(school_id, class_ids=None):
    """This year's classes (all, or the given ones) with pupils and pupils still without a login."""
    today = clock.today()
    enrolled = sa.and_(Enrolment.school_class_id == SchoolClass.id, valid_on(Enrolment, today))
    pupils = sa.select(sa.func.count(Enrolment.id)).where(enrolled).scalar_subquery()
    without = (sa.select(sa.func.count(Enrolment.id))
               .join(Account, sa.and_(Account.person_id == Enrolment.pupil_id,
                                      Account.password_hash.is_not(None)), isouter=True)
               .where(enrolled, Account.id.is_(None)).scalar_subquery())
    stmt = (sa.select(SchoolClass, pupils.label("pupils"), without.label("without"))
            .where(SchoolClass.school_id == school_id,
                   SchoolClass.academic_year_id == current_year_id(school_id))
            .order_by(SchoolClass.grade, SchoolClass.letter))
    if class_ids is not None:
        stmt = stmt.where(SchoolClass.id.in_(class_ids))
    return db.session.execute(stmt).all()


def class_families(school_class):
    """[(pupil, account, [(parent, account, guardianship)])] for the pupils enrolled now.

    Two statements; each person's .account is loaded with them (None when there is none).
    """
    today = clock.today()
    pupils = db.session.execute(
        sa.select(Person)
        .join(Enrolment, sa.and_(Enrolment.pupil_id == Person.id, valid_on(Enrolment, today)))
        .join(Account, Account.person_id == Person.id, isouter=True)
        .options(contains_eager(Person.account))
        .where(Enrolment.school_class_id == school_class.id)
        .order_by(Person.sort_key, Person.id)).scalars().unique().all()
    parent = aliased(Person)
    links = db.session.execute(
        sa.select(Guardianship, parent)
        .join(parent, parent.id == Guardianship.parent_id)
        .join(Account, Account.person_id == parent.id, isouter=True)
        .options(contains_eager(parent.account))
        .where(Guardianship.pupil_id.in_([p.id for p in pupils]), valid_on(Guardianship, today))
        .order_by(parent.sort_key, parent.id)).all()
    by_pupil = {}
    for link, person in links:
        by_pupil.setdefault(link.pupil_id, []).append((person, person.account, link))
    return [(pupil, pupil.account, by_pupil.get(pupil.id, [])) for pupil in pupils]


def get_pupil_in_class_or_404(school_class, public_id):
    """A pupil enrolled in this class now, by public id; 404 otherwise."""
    stmt = (sa.select(Person)
            .join(Enrolment, sa.and_(Enrolment.pupil_id == Person.id,
                                     valid_on(Enrolment, clock.today())))
            .where(Enrolment.school_class_id == school_class.id, Person.public_id == public_id))
    return db.session.execute(stmt).scalars().first() or abort(404)


def get_class_member_or_404(school_class, public_id):
    """A pupil of this class or a current parent of one, by public id; 404 otherwise."""
    today = clock.today()
    pupils = (sa.select(Enrolment.pupil_id)
              .where(Enrolment.school_class_id == school_class.id, valid_on(Enrolment, today)))
    parents = (sa.select(Guardianship.parent_id)
               .where(Guardianship.pupil_id.in_(pupils), valid_on(Guardianship, today)))
    stmt = (sa.select(Person).where(Person.public_id == public_id,
                                    sa.or_(Person.id.in_(pupils), Person.id.in_(parents))))
    return db.session.execute(stmt).scalars().first() or abort(404)


def get_guardianship_or_404(pupil, parent_public_id):
    """The current link between this pupil and the parent with this public id; 404 otherwise."""
    stmt = (sa.select(Guardianship)
            .join(Person, Person.id == Guardianship.parent_id)
            .where(Guardianship.pupil_id == pupil.id, Person.public_id == parent_public_id,
                   valid_on(Guardianship, clock.today())))
    return db.session.execute(stmt).scalars().first() or abort(404)


def school_person_ids(school_id):
    """Ids of the people who belong to a school, in any year: its pupils, staff and their parents.

    Used to scope the audit list: audit_log is not school-owned (a shared account's events
    belong to every school it is in), so tenancy cannot filter it and this query must.
    """
    pupils = sa.select(Enrolment.pupil_id).where(Enrolment.school_id == school_id)
    staff = sa.select(Membership.person_id).where(Membership.school_id == school_id)
    parents = sa.select(Guardianship.parent_id).where(Guardianship.pupil_id.in_(pupils))
    return sa.union(pupils, staff, parents)


def list_audit(school_id, before_id=None, limit=AUDIT_PAGE):
    """The desk's audit rows of this school's people, newest first, one page (+1 to know of more).

    audit_log is global and tenancy does not filter it: a row belongs here when this school
    did it (school_id) or when its subject is one of this school's people, so a parent or
    teacher shared with another school shows that school's actions on their account too.
    """
    actor = aliased(Person)
    subject = aliased(Person)
    stmt = (sa.select(AuditLog, actor, subject, School)
            .join(Account, Account.id == AuditLog.actor_account_id, isouter=True)
            .join(actor, actor.id == Account.person_id, isouter=True)
            .join(subject, subject.id == AuditLog.subject_person_id, isouter=True)
            .join(School, School.id == AuditLog.school_id, isouter=True)
            .where(AuditLog.action.in_(AUDIT_ACTIONS),
                   sa.or_(AuditLog.school_id == school_id,
                          AuditLog.subject_person_id.in_(school_person_ids(school_id))))
            .order_by(AuditLog.id.desc()).limit(limit + 1))
    if before_id is not None:
        stmt = stmt.where(AuditLog.id < before_id)
    return db.session.execute(stmt).all()


def get_batch_or_404(public_id):
    """An import batch of the school in scope, by its public id; 404 otherwise."""
    stmt = sa.select(ImportBatch).where(ImportBatch.public_id == public_id)
    return db.session.execute(stmt).scalar_one_or_none() or abort(404)


def list_batches(school_id, limit=10):
    """The school's latest imports, newest first."""
    stmt = (sa.select(ImportBatch).where(ImportBatch.school_id == school_id)
            .order_by(ImportBatch.id.desc()).limit(limit))
    return db.session.execute(stmt).scalars().all()


def list_problem_rows(batch, limit=200):
    """The first rows of a batch that have problems, in file order."""
    stmt = (sa.select(ImportRow)
            .where(ImportRow.batch_id == batch.id, ImportRow.problem_count > 0)
            .order_by(ImportRow.row_number).limit(limit))
    return db.session.execute(stmt).scalars().all()


def list_staff(school_id):
    """[(person, [roles])] of the school's current staff, each person once, in name order."""
    stmt = (sa.select(Person, Membership.role)
            .join(Membership, sa.and_(Membership.person_id == Person.id,
                                      valid_on(Membership, clock.today())))
            .join(Account, Account.person_id == Person.id, isouter=True)
            .options(contains_eager(Person.account))
            .where(Membership.school_id == school_id)
            .order_by(Person.sort_key, Person.id, Membership.role))
    staff = {}
    for person, role in db.session.execute(stmt).unique().all():
        staff.setdefault(person, []).append(role)
    return list(staff.items())


def get_staff_member_or_404(school_id, public_id):
    """A current staff member of the school, by public id; 404 otherwise."""
    members = (sa.select(Membership.person_id)
               .where(Membership.school_id == school_id, valid_on(Membership, clock.today())))
    stmt = sa.select(Person).where(Person.public_id == public_id, Person.id.in_(members))
    return db.session.execute(stmt).scalars().first() or abort(404)


def staff_person_ids(person_ids):
    """Which of these people hold a current staff role in any school.

    A class desk must not hand out a first password to someone who is also staff (a teacher
    who is a parent in the class, a director with a child here): that password would open
    their staff role too. Their logins come from the staff desk of the school administrator.
    Membership is school-owned; this check looks across schools on purpose.
    """
    if not person_ids:
        return set()
    stmt = (sa.select(Membership.person_id)
            .where(Membership.person_id.in_(person_ids), valid_on(Membership, clock.today()))
            .execution_options(all_schools=True))
    return set(db.session.execute(stmt).scalars())


def list_people(person_ids):
    """People by id, in name order (a parent's own children, from their role context)."""
    if not person_ids:
        return []
    stmt = sa.select(Person).where(Person.id.in_(person_ids)).order_by(Person.sort_key, Person.id)
    return db.session.execute(stmt).scalars().all()
