"""Reads for the journal pages: loaders that 404 themselves, and page data in a fixed number
of statements whatever the size of the class or the length of the term (DESIGN §4)."""
from dataclasses import dataclass
from datetime import date
from types import SimpleNamespace

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import aliased

from kundoluk import clock
from kundoluk.extensions import db
from kundoluk.models import (
    Account, AssessmentBand, AttendanceCheck, AttendanceEntry, AttendanceExcuse, ChangeHistory, Enrolment, GroupMember,
    IndividualHomework, JournalRemark, JournalSettings, Lesson, LessonContent, Mark, Person, Remark, Room,
    SchoolClass, StudyGroup, Subject, TeachingAssignment, Term, TermMark,
)

DEFAULT_SETTINGS = SimpleNamespace(id=None, version=0, edit_window_days=7, parents_only_remarks=False,
                                   min_marks_for_term=3)


def _valid(model, day):
    return sa.and_(model.valid_from <= day, sa.or_(model.valid_to.is_(None), model.valid_to >= day))


def _overlaps(model, start, end):
    return sa.and_(model.valid_from <= end, sa.or_(model.valid_to.is_(None), model.valid_to >= start))


def settings_columns(school_id):
    """Scalar subqueries for the school's journal settings (folded into a page's first statement)."""
    def col(name, default):
        value = (sa.select(getattr(JournalSettings, name)).where(JournalSettings.school_id == school_id)
                 .scalar_subquery())
        return sa.func.coalesce(value, default).label(name)
    return [col("edit_window_days", DEFAULT_SETTINGS.edit_window_days),
            col("parents_only_remarks", DEFAULT_SETTINGS.parents_only_remarks),
            col("min_marks_for_term", DEFAULT_SETTINGS.min_marks_for_term)]


def get_settings(school_id):
    """The school's settings row, or the defaults (not saved) when it has none."""
    row = db.session.execute(sa.select(JournalSettings).where(JournalSettings.school_id == school_id)
                             ).scalar_one_or_none()
    return row or SimpleNamespace(**{**vars(DEFAULT_SETTINGS), "school_id": school_id})


def _settings_from(row):
    return SimpleNamespace(edit_window_days=row.edit_window_days, parents_only_remarks=bool(row.parents_only_remarks),
                           min_marks_for_term=row.min_marks_for_term)


# --- One lesson -------------------------------------------------------------------------

@dataclass
class LessonView:
    lesson: Lesson
    assignment: TeachingAssignment
    subject: Subject
    group: StudyGroup
    school_class: SchoolClass | None
    content: LessonContent | None
    check: AttendanceCheck | None
    term: Term | None
    teacher: Person
    taught_by: Person
    settings: SimpleNamespace

    @property
    def class_id(self):
        return self.group.school_class_id


def get_lesson_or_404(public_id, school_id):
    """A lesson of the schools in scope with everything its pages need, in one statement; 404 otherwise."""
    teacher, taught_by = aliased(Person), aliased(Person)
    stmt = (sa.select(Lesson, TeachingAssignment, Subject, StudyGroup, SchoolClass, LessonContent,
                      AttendanceCheck, Term, teacher, taught_by, *settings_columns(school_id))
            .join(TeachingAssignment, TeachingAssignment.id == Lesson.teaching_assignment_id)
            .join(Subject, Subject.id == Lesson.subject_id)
            .join(StudyGroup, StudyGroup.id == Lesson.group_id)
            .join(SchoolClass, SchoolClass.id == StudyGroup.school_class_id, isouter=True)
            .join(LessonContent, LessonContent.lesson_id == Lesson.id, isouter=True)
            .join(AttendanceCheck, AttendanceCheck.lesson_id == Lesson.id, isouter=True)
            .join(Term, Term.id == Lesson.term_id, isouter=True)
            .join(teacher, teacher.id == Lesson.teacher_id)
            .join(taught_by, taught_by.id == Lesson.taught_by_id)
            .where(Lesson.public_id == public_id))
    row = db.session.execute(stmt).first()
    if row is None:
        abort(404)
    return LessonView(*row[:10], settings=_settings_from(row))


# --- Who is in a group ------------------------------------------------------------------

@dataclass
class Member:
    pupil: Person
    valid_from: date
    valid_to: date | None
    scheme: str
    max_points: int | None

    def enrolled_on(self, day):
        return self.valid_from <= day and (self.valid_to is None or self.valid_to >= day)


def _grade_expr(group, person_id_col):
    """The pupil's grade: their class's for class groups and subgroups, else their latest enrolment's."""
    if group.school_class_id is not None:
        return sa.select(SchoolClass.grade).where(SchoolClass.id == group.school_class_id).scalar_subquery()
    return (sa.select(SchoolClass.grade).join(Enrolment, Enrolment.school_class_id == SchoolClass.id)
            .where(Enrolment.pupil_id == person_id_col).order_by(Enrolment.valid_from.desc())
            .limit(1).scalar_subquery())


def _band(group, grade, column):
    return (sa.select(column).where(AssessmentBand.academic_year_id == group.academic_year_id,
                                    AssessmentBand.grade_from <= grade, AssessmentBand.grade_to >= grade)
            .order_by(AssessmentBand.grade_from.desc()).limit(1).scalar_subquery())


def members_statement(group, start, end):
    """Pupils in a group at any time between two dates, with their dates and assessment scheme."""
    if group.kind == "class":
        link = Enrolment
        stmt = sa.select(Person, Enrolment.valid_from, Enrolment.valid_to).join(
            Enrolment, Enrolment.pupil_id == Person.id).where(Enrolment.school_class_id == group.school_class_id)
    else:
        link = GroupMember
        stmt = sa.select(Person, GroupMember.valid_from, GroupMember.valid_to).join(
            GroupMember, GroupMember.pupil_id == Person.id).where(GroupMember.group_id == group.id)
    grade = _grade_expr(group, Person.id)
    return (stmt.add_columns(_band(group, grade, AssessmentBand.scheme), _band(group, grade, AssessmentBand.max_points))
            .where(_overlaps(link, start, end)).order_by(Person.sort_key, link.valid_from))


def list_members(group, start, end):
    """[Member] of a group between two dates, one per pupil (several enrolments merged)."""
    members = {}
    for person, valid_from, valid_to, scheme, max_points in db.session.execute(members_statement(group, start, end)):
        found = members.get(person.id)
        if found is None:
            members[person.id] = Member(person, valid_from, valid_to, scheme or "five_point", max_points)
            continue
        found.valid_from = min(found.valid_from, valid_from)
        found.valid_to = None if found.valid_to is None or valid_to is None else max(found.valid_to, valid_to)
    return list(members.values())


def get_member_or_404(group, pupil_public_id, day):
    """A pupil who belongs (or belonged) to the group this year: 404 for anyone else."""
    stmt = members_statement(group, date.min, date.max).where(Person.public_id == pupil_public_id)
    rows = db.session.execute(stmt).all()
    if not rows:
        abort(404)
    # Prefer the enrolment that covers the day, so the caller can tell "not on that date".
    for person, valid_from, valid_to, scheme, max_points in rows:
        member = Member(person, valid_from, valid_to, scheme or "five_point", max_points)
        if member.enrolled_on(day):
            return member
    return member


# --- Rows of one lesson -------------------------------------------------------------------

def lesson_rows(view, day=None):
    """The lesson's pupils with their attendance entry, marks and individual homework (3 statements)."""
    day = day or view.lesson.on_date
    members = list_members(view.group, day, day)
    entries = {e.pupil_id: e for e in db.session.execute(sa.select(AttendanceEntry).where(
        AttendanceEntry.lesson_id == view.lesson.id)).scalars()}
    marks, homework = {}, {}
    for mark in db.session.execute(sa.select(Mark).where(Mark.lesson_id == view.lesson.id).order_by(Mark.slot)).scalars():
        marks.setdefault(mark.pupil_id, []).append(mark)
    for item in db.session.execute(sa.select(IndividualHomework).where(
            IndividualHomework.lesson_id == view.lesson.id, IndividualHomework.deleted_at.is_(None))).scalars():
        homework[item.pupil_id] = item
    return [SimpleNamespace(member=m, entry=entries.get(m.pupil.id), marks=marks.get(m.pupil.id, []),
                            homework=homework.get(m.pupil.id)) for m in members]


def get_entry(lesson_id, pupil_id):
    return db.session.execute(sa.select(AttendanceEntry).where(
        AttendanceEntry.lesson_id == lesson_id, AttendanceEntry.pupil_id == pupil_id)).scalar_one_or_none()


def get_marks(lesson_id, pupil_id):
    """A cell's marks, tombstones included, by slot."""
    return {m.slot: m for m in db.session.execute(sa.select(Mark).where(
        Mark.lesson_id == lesson_id, Mark.pupil_id == pupil_id)).scalars()}


def get_homework(lesson_id, pupil_id):
    return db.session.execute(sa.select(IndividualHomework).where(
        IndividualHomework.lesson_id == lesson_id, IndividualHomework.pupil_id == pupil_id)).scalar_one_or_none()


def last_mark_change(actor_id, assignment_id):
    """The actor's latest change of a mark in this assignment's journal (for undo): (history, mark) or None."""
    stmt = (sa.select(ChangeHistory, Mark)
            .join(Mark, sa.and_(Mark.id == ChangeHistory.row_id, ChangeHistory.table_name == "mark"))
            .where(ChangeHistory.actor_account_id == actor_id, Mark.teaching_assignment_id == assignment_id)
            .order_by(ChangeHistory.id.desc()).limit(1))
    return db.session.execute(stmt).first()


def today():
    return clock.today()


# --- The teacher's day and journals -------------------------------------------------------

def attendance_taken():
    """SQL: the lesson's attendance is taken (confirmed, or any entry recorded)."""
    return sa.or_(sa.exists().where(AttendanceCheck.lesson_id == Lesson.id),
                  sa.exists().where(AttendanceEntry.lesson_id == Lesson.id))


def has_topic():
    return sa.and_(LessonContent.topic.is_not(None), LessonContent.topic != "")


def list_day(person_id, day):
    """A teacher's lessons of a date, own and substituted, each with its content state (one statement)."""
    teacher, taught_by = aliased(Person), aliased(Person)
    absent = (sa.select(sa.func.count(AttendanceEntry.id))
              .where(AttendanceEntry.lesson_id == Lesson.id, AttendanceEntry.deleted_at.is_(None),
                     AttendanceEntry.code != "late").scalar_subquery())
    stmt = (sa.select(Lesson, Subject, StudyGroup, SchoolClass, Room, LessonContent, teacher, taught_by,
                      TeachingAssignment.public_id.label("journal_id"),
                      attendance_taken().label("taken"), absent.label("absent"))
            .join(TeachingAssignment, TeachingAssignment.id == Lesson.teaching_assignment_id)
            .join(Subject, Subject.id == Lesson.subject_id)
            .join(StudyGroup, StudyGroup.id == Lesson.group_id)
            .join(SchoolClass, SchoolClass.id == StudyGroup.school_class_id, isouter=True)
            .join(Room, Room.id == Lesson.room_id, isouter=True)
            .join(LessonContent, LessonContent.lesson_id == Lesson.id, isouter=True)
            .join(teacher, teacher.id == Lesson.teacher_id)
            .join(taught_by, taught_by.id == Lesson.taught_by_id)
            .where(Lesson.on_date == day, sa.or_(Lesson.teacher_id == person_id, Lesson.taught_by_id == person_id))
            .order_by(Lesson.shift_id, Lesson.period))
    return db.session.execute(stmt).all()


def list_open_notes(person_id):
    """The deputy's notes on this teacher's journals that are not fixed yet."""
    stmt = (sa.select(JournalRemark, TeachingAssignment, Subject, StudyGroup, SchoolClass)
            .join(TeachingAssignment, TeachingAssignment.id == JournalRemark.teaching_assignment_id)
            .join(Subject, Subject.id == TeachingAssignment.subject_id)
            .join(StudyGroup, StudyGroup.id == TeachingAssignment.group_id)
            .join(SchoolClass, SchoolClass.id == StudyGroup.school_class_id, isouter=True)
            .where(TeachingAssignment.teacher_id == person_id, JournalRemark.fixed_at.is_(None))
            .order_by(JournalRemark.on_date))
    return db.session.execute(stmt).all()


def list_journals(person_id, class_ids, day):
    """Journals a teacher opens: their current assignments, and every subject of their classes."""
    stmt = (sa.select(TeachingAssignment, Subject, StudyGroup, SchoolClass, Person)
            .join(Subject, Subject.id == TeachingAssignment.subject_id)
            .join(StudyGroup, StudyGroup.id == TeachingAssignment.group_id)
            .join(SchoolClass, SchoolClass.id == StudyGroup.school_class_id, isouter=True)
            .join(Person, Person.id == TeachingAssignment.teacher_id)
            .where(sa.or_(TeachingAssignment.teacher_id == person_id,
                          StudyGroup.school_class_id.in_(list(class_ids) or [-1])),
                   _valid(TeachingAssignment, day))
            .order_by(SchoolClass.grade, SchoolClass.letter, Subject.name_ky, StudyGroup.name))
    return db.session.execute(stmt).all()


def get_class_journal_or_404(public_id, school_id):
    """A class, its whole-class group (or None) and the school's settings, in one statement; 404 otherwise."""
    group = aliased(StudyGroup)
    row = db.session.execute(
        sa.select(SchoolClass, group, *settings_columns(school_id))
        .join(group, sa.and_(group.school_class_id == SchoolClass.id, group.kind == "class"), isouter=True)
        .where(SchoolClass.public_id == public_id).limit(1)).first()
    if row is None:
        abort(404)
    return row[0], row[1], _settings_from(row)


def lesson_public_id(lesson_id):
    return db.session.execute(sa.select(Lesson.public_id).where(Lesson.id == lesson_id)).scalar_one()


def get_remark_or_404(public_id):
    found = db.session.execute(sa.select(Remark).where(Remark.public_id == public_id)).scalar_one_or_none()
    if found is None:
        abort(404)
    return found


def get_note_or_404(public_id):
    """A journal note with its assignment's teacher and class; 404 otherwise."""
    row = db.session.execute(
        sa.select(JournalRemark, TeachingAssignment, StudyGroup)
        .join(TeachingAssignment, TeachingAssignment.id == JournalRemark.teaching_assignment_id)
        .join(StudyGroup, StudyGroup.id == TeachingAssignment.group_id)
        .where(JournalRemark.public_id == public_id)).first()
    if row is None:
        abort(404)
    return row


def list_lesson_remarks(lesson_id):
    """Remarks written in a lesson, with their pupil and author."""
    author = aliased(Person)
    stmt = (sa.select(Remark, Person, author).join(Person, Person.id == Remark.pupil_id)
            .join(author, author.id == Remark.author_id)
            .where(Remark.lesson_id == lesson_id).order_by(Remark.id.desc()))
    return db.session.execute(stmt).all()


def list_class_remarks(class_id, day, limit=50):
    """Recent remarks on the pupils of a class (any lesson, any author)."""
    author = aliased(Person)
    pupils = sa.select(Enrolment.pupil_id).where(Enrolment.school_class_id == class_id)
    stmt = (sa.select(Remark, Person, author).join(Person, Person.id == Remark.pupil_id)
            .join(author, author.id == Remark.author_id)
            .where(Remark.pupil_id.in_(pupils)).order_by(Remark.id.desc()).limit(limit))
    return db.session.execute(stmt).all()


def list_excuses(class_id, limit=30):
    """The latest range-of-days records for pupils of a class."""
    pupils = sa.select(Enrolment.pupil_id).where(Enrolment.school_class_id == class_id)
    stmt = (sa.select(AttendanceExcuse, Person).join(Person, Person.id == AttendanceExcuse.pupil_id)
            .where(AttendanceExcuse.pupil_id.in_(pupils)).order_by(AttendanceExcuse.id.desc()).limit(limit))
    return db.session.execute(stmt).all()


def list_notes(assignment_id):
    """The deputy's notes on one journal, newest first, with their author."""
    stmt = (sa.select(JournalRemark, Person).join(Person, Person.id == JournalRemark.author_id)
            .where(JournalRemark.teaching_assignment_id == assignment_id)
            .order_by(JournalRemark.on_date.desc(), JournalRemark.id.desc()))
    return db.session.execute(stmt).all()


def journal_history(assignment, limit=300):
    """Changes of this journal's marks, attendance entries and term marks, newest first:
    who, when, old → new, when it was entered on the device (one statement)."""
    def part(model, pupil_col, date_col, *joins_and_where):
        stmt = (sa.select(ChangeHistory.id.label("hid"), ChangeHistory.table_name, ChangeHistory.created_at,
                          ChangeHistory.device_time, ChangeHistory.old, ChangeHistory.new,
                          Account.login, pupil_col.label("pupil_id"), date_col.label("on_date"))
                .join(model, sa.and_(model.id == ChangeHistory.row_id, ChangeHistory.table_name == model.__tablename__))
                .join(Account, Account.id == ChangeHistory.actor_account_id, isouter=True))
        for item in joins_and_where:
            stmt = item(stmt)
        return stmt
    on_lesson = lambda model: lambda s: s.join(Lesson, Lesson.id == model.lesson_id).where(  # noqa: E731
        Lesson.teaching_assignment_id == assignment.id)
    union = sa.union_all(
        part(Mark, Mark.pupil_id, Lesson.on_date, on_lesson(Mark)),
        part(AttendanceEntry, AttendanceEntry.pupil_id, Lesson.on_date, on_lesson(AttendanceEntry)),
        part(TermMark, TermMark.pupil_id, sa.cast(sa.null(), sa.Date),
             lambda s: s.where(TermMark.subject_id == assignment.subject_id,
                               TermMark.teaching_assignment_id == assignment.id)),
    ).subquery()
    stmt = (sa.select(union, Person).join(Person, Person.id == union.c.pupil_id)
            .order_by(union.c.hid.desc()).limit(limit))
    return db.session.execute(stmt).all()
