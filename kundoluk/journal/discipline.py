"""Journal discipline for the deputy and the director (§1.7, §3.3): which lessons lack
attendance or a topic, and each teacher's filling rate for the week and the term.

Nothing is stored: a lesson is filled in when its attendance is taken (confirmed, or an
entry recorded) and it has a topic. Four statements whatever the size of the school (the
fourth lists offline entries that arrived after the edit window, flagged in the audit log).
"""
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import SimpleNamespace

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from kundoluk import clock
from kundoluk.extensions import db
from kundoluk.journal.queries import attendance_taken, has_topic
from kundoluk.models import (
    Account, AuditLog, JournalRemark, Lesson, LessonContent, Person, SchoolClass, StudyGroup, Subject,
    TeachingAssignment, Term,
)

LIST_LIMIT = 300


def week_start(day):
    return day - timedelta(days=day.isoweekday() - 1)


def _given(school_id, start, end):
    """Lessons of the school that took place between two dates (not cancelled)."""
    return sa.and_(Lesson.school_id == school_id, Lesson.status != "cancelled",
                   Lesson.on_date >= start, Lesson.on_date <= end)


def _last_day(monday, today):
    """Lessons count up to yesterday: today's are still being taught and filled in."""
    return min(monday + timedelta(days=6), today - timedelta(days=1))


def list_unfilled(school_id, monday, today):
    """The week's lessons (up to yesterday) without attendance or without a topic, by date and teacher."""
    end = _last_day(monday, today)
    teacher = aliased(Person)
    stmt = (sa.select(Lesson, Subject, StudyGroup, SchoolClass, teacher, TeachingAssignment,
                      attendance_taken().label("taken"), has_topic().label("topic"))
            .join(Subject, Subject.id == Lesson.subject_id)
            .join(StudyGroup, StudyGroup.id == Lesson.group_id)
            .join(SchoolClass, SchoolClass.id == StudyGroup.school_class_id, isouter=True)
            .join(teacher, teacher.id == Lesson.taught_by_id)
            .join(TeachingAssignment, TeachingAssignment.id == Lesson.teaching_assignment_id)
            .join(LessonContent, LessonContent.lesson_id == Lesson.id, isouter=True)
            .where(_given(school_id, monday, end), sa.not_(sa.and_(attendance_taken(), has_topic())))
            .order_by(Lesson.on_date, teacher.sort_key, Lesson.period).limit(LIST_LIMIT))
    return db.session.execute(stmt).all()


@dataclass
class Rate:
    teacher: Person
    week_total: int
    week_filled: int
    term_total: int
    term_filled: int

    @staticmethod
    def percent(filled, total):
        return round(100 * filled / total) if total else None

    @property
    def week(self):
        return self.percent(self.week_filled, self.week_total)

    @property
    def term(self):
        return self.percent(self.term_filled, self.term_total)


def term_start(school_id, day):
    """SQL scalar: the earliest start among the school's terms around day (its current term)."""
    covering = sa.and_(Term.school_id == school_id, Term.starts_on <= day, Term.ends_on >= day)
    return sa.select(sa.func.min(Term.starts_on)).where(covering).scalar_subquery()


def filling_rates(school_id, monday, today):
    """Each teacher's filled-in share of lessons given this week and this term (one statement)."""
    end = _last_day(monday, today)
    since = sa.func.coalesce(term_start(school_id, monday), monday)
    filled = sa.and_(attendance_taken(), has_topic())
    in_week = Lesson.on_date >= monday

    def count(*conditions):
        return sa.func.sum(sa.case((sa.and_(*conditions), 1), else_=0))

    stmt = (sa.select(Person, count(in_week), count(in_week, filled), sa.func.count(Lesson.id), count(filled),
                      sa.func.min(since).label("since"))
            .join(Lesson, Lesson.taught_by_id == Person.id)
            .join(LessonContent, LessonContent.lesson_id == Lesson.id, isouter=True)
            .where(Lesson.school_id == school_id, Lesson.status != "cancelled", Lesson.on_date <= end,
                   Lesson.on_date >= since)
            .group_by(Person.id).order_by(Person.sort_key))
    rows = db.session.execute(stmt).all()
    return [Rate(p, int(w or 0), int(wf or 0), int(t or 0), int(tf or 0)) for p, w, wf, t, tf, _ in rows]


def list_open_notes(school_id):
    """The deputy's notes not fixed yet, with the journal's teacher, subject and class."""
    stmt = (sa.select(JournalRemark, TeachingAssignment, Subject, StudyGroup, SchoolClass, Person)
            .join(TeachingAssignment, TeachingAssignment.id == JournalRemark.teaching_assignment_id)
            .join(Subject, Subject.id == TeachingAssignment.subject_id)
            .join(StudyGroup, StudyGroup.id == TeachingAssignment.group_id)
            .join(SchoolClass, SchoolClass.id == StudyGroup.school_class_id, isouter=True)
            .join(Person, Person.id == TeachingAssignment.teacher_id)
            .where(JournalRemark.school_id == school_id, JournalRemark.fixed_at.is_(None))
            .order_by(JournalRemark.on_date.desc()).limit(LIST_LIMIT))
    return db.session.execute(stmt).all()


def list_late_entries(school_id, monday):
    """Offline entries written after the edit window that arrived this week (issue 7: the
    late-arrival rule flags them in the audit log), with teacher, pupil and lesson; one statement."""
    teacher, pupil = aliased(Person), aliased(Person)
    lesson_id = AuditLog.detail["lesson"].as_string()
    stmt = (sa.select(AuditLog, teacher, pupil, Lesson, Subject)
            .join(Account, Account.id == AuditLog.actor_account_id)
            .join(teacher, teacher.id == Account.person_id)
            .join(pupil, pupil.id == AuditLog.subject_person_id, isouter=True)
            .join(Lesson, Lesson.public_id == lesson_id, isouter=True)
            .join(Subject, Subject.id == Lesson.subject_id, isouter=True)
            .where(AuditLog.school_id == school_id, AuditLog.action == "journal.late_entry",
                   AuditLog.created_at >= clock.local_midnight_utc(monday),
                   AuditLog.created_at < clock.local_midnight_utc(monday + timedelta(days=7)))
            .order_by(AuditLog.id.desc()).limit(LIST_LIMIT))
    return [SimpleNamespace(arrived=row.created_at, teacher=who, pupil=child, lesson=lesson, subject=subject,
                            what=row.detail.get("what"), value=row.detail.get("value"),
                            made=_moment(row.detail.get("device_time")))
            for row, who, child, lesson, subject in db.session.execute(stmt)]


def _moment(text):
    try:
        return datetime.fromisoformat(text) if text else None
    except ValueError:
        return None


def today():
    return clock.today()
