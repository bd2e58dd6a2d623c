"""Reads for the diary: a fixed number of statements whatever the number of children or marks.

The viewer's pupils come from the role context (a pupil: themself; a parent: their
children); tenancy limits every school-owned row to those pupils' schools. The week's
statements are built once, with bound parameters: composing them cost more Python than
the database spent answering them.
"""
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cache

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from kundoluk.extensions import db
from kundoluk.journal.content import DUE_WITHIN
from kundoluk.models import (
    AcademicYear, Bell, BellOverride, ChangeHistory, Enrolment, GroupMember, Holiday, IndividualHomework,
    Lesson, LessonContent, Mark, NotificationEvent, Person, Remark, Room, School, SchoolClass, StudyGroup,
    Subject, Term, TermMark, AttendanceEntry,
)

NEWS_KINDS = ("mark", "attendance", "homework", "topic", "remark", "timetable")
NEWS_DAYS = 14
NEWS_LIMIT = 10
UNDATED_SHOWN = timedelta(days=7)  # homework without a due date, after the lesson that set it


def _overlaps(model, first, last):
    return sa.and_(model.valid_from <= last, sa.or_(model.valid_to.is_(None), model.valid_to >= first))


@dataclass
class Child:
    person: Person
    school_class: SchoolClass | None
    school: School | None
    holidays: list = field(default_factory=list)


def _param(name, type_):
    return sa.bindparam(name, type_=type_)


FIRST, LAST, PUPIL = _param("first", sa.Date), _param("last", sa.Date), _param("pupil_id", sa.Integer)


@cache
def _children_statement():
    first, last = FIRST, LAST
    holiday_on = sa.and_(Holiday.academic_year_id == SchoolClass.academic_year_id,
                         Holiday.grade_from <= SchoolClass.grade, Holiday.grade_to >= SchoolClass.grade,
                         Holiday.starts_on <= last, Holiday.ends_on >= first)
    return (sa.select(Person, SchoolClass, School, Holiday)
            .join(Enrolment, sa.and_(Enrolment.pupil_id == Person.id, _overlaps(Enrolment, first, last)),
                  isouter=True)
            .join(SchoolClass, SchoolClass.id == Enrolment.school_class_id, isouter=True)
            .join(School, School.id == SchoolClass.school_id, isouter=True)
            .join(Holiday, holiday_on, isouter=True)
            .where(Person.id.in_(sa.bindparam("pupil_ids", expanding=True)))
            .order_by(Person.sort_key, Enrolment.valid_from.desc()))


def list_children(pupil_ids, first, last):
    """The viewer's pupils with the class each was in during [first, last], and the holidays
    of that class's grade in those days (one statement: holidays are few)."""
    params = {"pupil_ids": sorted(pupil_ids), "first": first, "last": last}
    children = {}
    for person, school_class, school, holiday in db.session.execute(_children_statement(), params):
        child = children.setdefault(person.id, Child(person, school_class, school))
        if holiday is not None and child.school_class is school_class and holiday not in child.holidays:
            child.holidays.append(holiday)
    return list(children.values())


def _pupil_lessons(pupil_id, first, last):
    """The FROM clause of the pupil's lessons from first to last: the pupil's dated places (their
    class through an enrolment, a subgroup or elective through a membership) joined to the
    lessons of those groups on days within each place's dates.

    The places come first, so both databases start from those few rows and find the lessons
    through the (group, date) index. Tested per lesson instead (`group_id IN (...)` and EXISTS
    on the dates), SQLite scanned the school's lessons of those days (8 ms rather than 0.5 for
    the homework's 81 days), and PostgreSQL, which keeps the written order of a join this long,
    hashed every lesson's content of the school. Enrolments and memberships of one pupil in one
    group never overlap (the desk ends one before the next begins): a lesson matches one place."""
    enrolled = sa.and_(Enrolment.pupil_id == pupil_id, Enrolment.valid_from <= last,
                       sa.or_(Enrolment.valid_to.is_(None), Enrolment.valid_to >= first))
    member = sa.and_(GroupMember.pupil_id == pupil_id, GroupMember.valid_from <= last,
                     sa.or_(GroupMember.valid_to.is_(None), GroupMember.valid_to >= first))
    places = sa.union(
        sa.select(StudyGroup.id.label("group_id"), Enrolment.valid_from, Enrolment.valid_to)
        .join(Enrolment, Enrolment.school_class_id == StudyGroup.school_class_id)
        .where(StudyGroup.kind == "class", enrolled),
        sa.select(GroupMember.group_id, GroupMember.valid_from, GroupMember.valid_to).where(member),
    ).subquery("pupil_places")
    return sa.join(places, Lesson, sa.and_(
        Lesson.group_id == places.c.group_id, Lesson.on_date.between(first, last),
        Lesson.on_date >= places.c.valid_from,
        sa.or_(places.c.valid_to.is_(None), Lesson.on_date <= places.c.valid_to)))


@dataclass
class LessonRow:
    lesson: Lesson
    subject: Subject
    teacher: Person
    taught_by: Person
    room: Room | None
    content: LessonContent | None
    starts_at: object
    ends_at: object
    marks: list = field(default_factory=list)
    attendance: AttendanceEntry | None = None
    own_homework: IndividualHomework | None = None
    remarks: list = field(default_factory=list)


def list_lessons(pupil_id, first, last):
    """The pupil's lessons from first to last, with subject, teachers, room, content, bell times,
    and the pupil's own attendance entry and individual homework (at most one each per lesson)."""
    rows = db.session.execute(_lessons_statement(), {"pupil_id": pupil_id, "first": first, "last": last})
    return [LessonRow(*row[:8], attendance=row[8], own_homework=row[9]) for row in rows]


@cache
def _lessons_statement():
    pupil_id, first, last = PUPIL, FIRST, LAST
    teacher, taught_by = aliased(Person), aliased(Person)
    override = aliased(BellOverride)
    stmt = (sa.select(Lesson, Subject, teacher, taught_by, Room, LessonContent,
                      sa.func.coalesce(override.starts_at, Bell.starts_at),
                      sa.func.coalesce(override.ends_at, Bell.ends_at), AttendanceEntry, IndividualHomework)
            .select_from(_pupil_lessons(pupil_id, first, last))
            .join(Subject, Subject.id == Lesson.subject_id)
            .join(teacher, teacher.id == Lesson.teacher_id)
            .join(taught_by, taught_by.id == Lesson.taught_by_id)
            .join(Room, Room.id == Lesson.room_id, isouter=True)
            .join(LessonContent, LessonContent.lesson_id == Lesson.id, isouter=True)
            .join(Bell, sa.and_(Bell.shift_id == Lesson.shift_id, Bell.period == Lesson.period), isouter=True)
            .join(override, sa.and_(override.shift_id == Lesson.shift_id, override.period == Lesson.period,
                                    override.on_date == Lesson.on_date), isouter=True)
            .join(AttendanceEntry, sa.and_(AttendanceEntry.lesson_id == Lesson.id, AttendanceEntry.pupil_id == pupil_id,
                                           AttendanceEntry.deleted_at.is_(None)), isouter=True)
            .join(IndividualHomework, sa.and_(IndividualHomework.lesson_id == Lesson.id,
                                              IndividualHomework.pupil_id == pupil_id,
                                              IndividualHomework.deleted_at.is_(None)), isouter=True)
            .order_by(Lesson.on_date, Lesson.period, Lesson.id))
    return stmt


def attach_pupil_entries(rows, pupil_id, first, last, parent_view):
    """The pupil's marks and remarks for these lessons (two statements); returns the remarks
    not tied to one of these lessons."""
    by_lesson = {r.lesson.id: r for r in rows}
    if by_lesson:
        params = {"pupil_id": pupil_id, "lesson_ids": list(by_lesson)}
        for mark in db.session.execute(_marks_statement(), params).scalars():
            by_lesson[mark.lesson_id].marks.append(mark)
    return list_remarks(pupil_id, first, last, parent_view, by_lesson)


@cache
def _marks_statement():
    return (sa.select(Mark)
            .where(Mark.pupil_id == PUPIL, Mark.lesson_id.in_(sa.bindparam("lesson_ids", expanding=True)),
                   Mark.deleted_at.is_(None))
            .order_by(Mark.slot))


def list_remarks(pupil_id, first, last, parent_view, by_lesson=None):
    """Remarks written about the pupil in these days; parents-only ones only for parents."""
    params = {"pupil_id": pupil_id, "since": _utc(first), "until": _utc(last + timedelta(days=1))}
    loose = []
    for remark, who in db.session.execute(_remarks_statement(parent_view), params):
        target = (by_lesson or {}).get(remark.lesson_id)
        (target.remarks if target else loose).append((remark, who))
    return loose


@cache
def _remarks_statement(parent_view):
    author = aliased(Person)
    stmt = (sa.select(Remark, author).join(author, author.id == Remark.author_id)
            .where(Remark.pupil_id == PUPIL, Remark.deleted_at.is_(None),
                   Remark.created_at >= sa.bindparam("since"), Remark.created_at < sa.bindparam("until"))
            .order_by(Remark.created_at))
    if not parent_view:
        stmt = stmt.where(Remark.visibility == "family")
    return stmt


def _utc(day):
    from kundoluk import clock
    return clock.local_midnight_utc(day)


def list_news(pupil_ids, since_id, parent_view, today):
    """New events about the viewer's pupils since the last visit (at most NEWS_LIMIT, NEWS_DAYS old)."""
    from kundoluk import clock
    params = {"pupil_ids": sorted(pupil_ids), "since_id": since_id,
              "cutoff": clock.local_midnight_utc(today - timedelta(days=NEWS_DAYS))}
    rows = db.session.execute(_news_statement(), params).all()
    if not parent_view:  # a parents-only remark never reaches the pupil, not even as a headline
        rows = [r for r in rows if r[0].payload.get("visibility") != "parents_only"]
    return rows


@cache
def _news_statement():
    subject_id = NotificationEvent.payload["subject_id"].as_integer()
    return (sa.select(NotificationEvent, Subject, Person)
            .join(Subject, Subject.id == subject_id, isouter=True)
            .join(Person, Person.id == NotificationEvent.pupil_id)
            .where(NotificationEvent.pupil_id.in_(sa.bindparam("pupil_ids", expanding=True)),
                   NotificationEvent.id > sa.bindparam("since_id", type_=sa.Integer),
                   NotificationEvent.kind.in_(NEWS_KINDS),
                   NotificationEvent.created_at >= sa.bindparam("cutoff"))
            .order_by(NotificationEvent.id.desc()).limit(NEWS_LIMIT))


@dataclass
class TermOfClass:
    """A term the pupil studied in, with the class they were in and its school."""
    term: Term
    school_class: SchoolClass
    school: School
    year: AcademicYear


def list_pupil_terms(pupil_id):
    """Every term of every year the pupil was enrolled in, oldest first (one statement): earlier
    years stay readable, and a parent keeps the record of a school the child has left (tenancy
    decides which schools the viewer may read)."""
    stmt = (sa.select(Term, SchoolClass, School, AcademicYear)
            .join(SchoolClass, sa.and_(SchoolClass.academic_year_id == Term.academic_year_id,
                                       SchoolClass.grade >= Term.grade_from, SchoolClass.grade <= Term.grade_to))
            .join(Enrolment, Enrolment.school_class_id == SchoolClass.id)
            .join(School, School.id == SchoolClass.school_id)
            .join(AcademicYear, AcademicYear.id == Term.academic_year_id)
            .where(Enrolment.pupil_id == pupil_id)
            .order_by(Term.starts_on, Enrolment.valid_from.desc()))
    seen, terms = set(), []
    for term, school_class, school, year in db.session.execute(stmt):
        if term.id not in seen:  # two classes in one year (a move mid-year): the later one names it
            seen.add(term.id)
            terms.append(TermOfClass(term, school_class, school, year))
    return terms


def list_term_marks(pupil_id, term, year_id):
    """The pupil's marks of a term with lesson date and subject (one statement)."""
    stmt = (sa.select(Mark, Lesson.on_date, Subject)
            .join(Lesson, Lesson.id == Mark.lesson_id)
            .join(Subject, Subject.id == Lesson.subject_id)
            .where(Mark.pupil_id == pupil_id, Mark.deleted_at.is_(None),
                   Lesson.on_date.between(term.starts_on, term.ends_on))
            .order_by(Subject.name_ky, Lesson.on_date, Mark.slot))
    return db.session.execute(stmt).all()


def list_final_marks(pupil_id, year_id):
    """Term and year marks of the pupil in a year, with their subjects (one statement)."""
    return db.session.execute(
        sa.select(TermMark, Subject).join(Subject, Subject.id == TermMark.subject_id)
        .where(TermMark.pupil_id == pupil_id, TermMark.academic_year_id == year_id,
               TermMark.deleted_at.is_(None))).all()


def list_mark_history(mark_ids):
    """Old → new of the given marks, oldest first (the diary shows that a mark was changed)."""
    if not mark_ids:
        return {}
    rows = db.session.execute(sa.select(ChangeHistory).where(
        ChangeHistory.table_name == "mark", ChangeHistory.row_id.in_(mark_ids))
        .order_by(ChangeHistory.id)).scalars().all()
    history = {}
    for row in rows:
        history.setdefault(row.row_id, []).append(row)
    return history


def list_homework(pupil_id, today, horizon):
    """(lesson, subject, content, own homework, due date or None) of the homework the pupil has
    to do from today to horizon, general and their own, by due date. Homework set on Friday for
    Monday is due in the days to come, so lessons are looked for as far back as homework may be
    due; homework without a due date (no next lesson was planned) stays for UNDATED_SHOWN after
    the lesson that set it."""
    due = sa.func.coalesce(LessonContent.homework_due_on, IndividualHomework.due_on)
    stmt = (sa.select(Lesson, Subject, LessonContent, IndividualHomework, due.label("due"))
            .select_from(_pupil_lessons(pupil_id, today - DUE_WITHIN, horizon))
            .join(Subject, Subject.id == Lesson.subject_id)
            .join(LessonContent, LessonContent.lesson_id == Lesson.id, isouter=True)
            .join(IndividualHomework, sa.and_(IndividualHomework.lesson_id == Lesson.id,
                                              IndividualHomework.pupil_id == pupil_id,
                                              IndividualHomework.deleted_at.is_(None)), isouter=True)
            .where(Lesson.status != "cancelled",  # homework posted ahead for a lesson that will not be
                   sa.or_(LessonContent.homework.is_not(None), IndividualHomework.id.is_not(None)),
                   sa.or_(due.between(today, horizon),
                          sa.and_(due.is_(None), Lesson.on_date.between(today - UNDATED_SHOWN, horizon))))
            .order_by(sa.func.coalesce(due, Lesson.on_date), Subject.name_ky, Lesson.on_date))
    return db.session.execute(stmt).all()


def get_remark_or_404(public_id, pupil_id):
    """A remark about this pupil; anything else is 404."""
    from flask import abort
    remark = db.session.execute(sa.select(Remark).where(
        Remark.public_id == public_id, Remark.pupil_id == pupil_id, Remark.deleted_at.is_(None))).scalar_one_or_none()
    if remark is None:
        abort(404)
    return remark
