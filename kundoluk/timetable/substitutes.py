"""Reads for substitutions: absences, the lessons they touch, suggested substitutes, pay.

Suggestions: a teacher of the school who is not away that day and has no lesson at that
clock time; ranked by teaching the subject, then teaching the class, then the fewest lessons
that week. The monthly pay report is derived from each lesson's regular teacher, the teacher
who actually taught it, and its status: a substituted lesson counts once for the substitute
(substituted for others) and as missed for the absent teacher.
"""
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

import sqlalchemy as sa

from kundoluk import clock
from kundoluk.extensions import db
from kundoluk.models import (
    Lesson, Membership, Person, StudyGroup, TeacherAbsence, TeachingAssignment,
)
from kundoluk.timetable import lesson_queries, schooldays

SHOWN = 5  # suggestions per lesson


def _valid(model, day):
    return sa.and_(model.valid_from <= day, sa.or_(model.valid_to.is_(None), model.valid_to >= day))


def list_absences(school_id, since):
    """Absences ending on or after a date, newest first, with the teacher."""
    stmt = (sa.select(TeacherAbsence, Person).join(Person, Person.id == TeacherAbsence.teacher_id)
            .where(TeacherAbsence.school_id == school_id, TeacherAbsence.ends_on >= since)
            .order_by(TeacherAbsence.starts_on.desc(), Person.sort_key))
    return db.session.execute(stmt).all()


def absence_lessons(absence, bells):
    """The absent teacher's lessons in the range: their own, and those they were to substitute."""
    stmt = lesson_queries._lessons_stmt().where(
        Lesson.school_id == absence.school_id, Lesson.on_date >= absence.starts_on,
        Lesson.on_date <= absence.ends_on,
        sa.or_(Lesson.teacher_id == absence.teacher_id, Lesson.taught_by_id == absence.teacher_id))
    return lesson_queries._views(db.session.execute(stmt).all(), bells)


@dataclass
class Candidate:
    person: Person
    teaches_subject: bool
    teaches_class: bool
    week_load: int

    @property
    def rank(self):
        return (not self.teaches_subject, not self.teaches_class, self.week_load, self.person.sort_key)


@dataclass
class _Staff:
    people: dict = field(default_factory=dict)          # id -> Person
    subjects: dict = field(default_factory=lambda: defaultdict(set))
    classes: dict = field(default_factory=lambda: defaultdict(set))


def _staff(school_id, day):
    """Current teachers with the subjects and classes they teach (one statement)."""
    stmt = (sa.select(Person, TeachingAssignment.subject_id, StudyGroup.school_class_id)
            .join(Membership, sa.and_(Membership.person_id == Person.id, Membership.school_id == school_id,
                                      Membership.role.in_(("teacher", "class_teacher")), _valid(Membership, day)))
            .join(TeachingAssignment, sa.and_(TeachingAssignment.teacher_id == Person.id,
                                              TeachingAssignment.school_id == school_id,
                                              _valid(TeachingAssignment, day)), isouter=True)
            .join(StudyGroup, StudyGroup.id == TeachingAssignment.group_id, isouter=True))
    staff = _Staff()
    for person, subject_id, class_id in db.session.execute(stmt):
        staff.people[person.id] = person
        if subject_id:
            staff.subjects[person.id].add(subject_id)
        if class_id:
            staff.classes[person.id].add(class_id)
    return staff


def _busy(school_id, start, end):
    """Who teaches when from start to end, and who is away (one statement, both)."""
    lessons = (sa.select(sa.literal("l").label("kind"), Lesson.taught_by_id.label("person_id"),
                         Lesson.on_date.label("first"), Lesson.on_date.label("last"), Lesson.shift_id,
                         Lesson.period, Lesson.id.label("lesson_id"))
               .where(Lesson.school_id == school_id, Lesson.status == "planned",
                      Lesson.on_date >= start, Lesson.on_date <= end))
    away = (sa.select(sa.literal("a"), TeacherAbsence.teacher_id, TeacherAbsence.starts_on, TeacherAbsence.ends_on,
                      sa.cast(sa.null(), sa.Integer), sa.cast(sa.null(), sa.Integer), sa.cast(sa.null(), sa.Integer))
            .where(TeacherAbsence.school_id == school_id, TeacherAbsence.starts_on <= end,
                   TeacherAbsence.ends_on >= start))
    return db.session.execute(sa.union_all(lessons, away)).all()


def suggest(school_id, views, bells, away_teacher_id=None):
    """{lesson id: [Candidate, …]} for each planned lesson among the views (best first)."""
    dates = [v.lesson.on_date for v in views]
    if not dates:
        return {}
    start = schooldays.monday(min(dates))
    end = schooldays.monday(max(dates)) + timedelta(days=6)
    staff = _staff(school_id, min(dates))
    taught = defaultdict(list)   # (person, date) -> [(times, lesson id)]
    load = Counter()             # (person, monday) -> lessons
    away = defaultdict(list)     # person -> [(first, last)]
    for row in _busy(school_id, start, end):
        if row.kind == "a":
            away[row.person_id].append((row.first, row.last))
            continue
        taught[(row.person_id, row.first)].append((bells.on(row.shift_id, row.first, row.period), row.lesson_id))
        load[(row.person_id, schooldays.monday(row.first))] += 1
    found = {}
    for view in views:
        lesson = view.lesson
        if lesson.status != "planned" or view.moved_away:
            continue
        times = (view.starts_at, view.ends_at)
        options = []
        for person_id, person in staff.people.items():
            if person_id in (away_teacher_id, lesson.teacher_id, lesson.taught_by_id):
                continue
            if any(first <= lesson.on_date <= last for first, last in away[person_id]):
                continue
            if any(other_id != lesson.id and span and None not in times and schooldays.overlaps(*times, *span)
                   for span, other_id in taught[(person_id, lesson.on_date)]):
                continue
            options.append(Candidate(person, lesson.subject_id in staff.subjects[person_id],
                                     view.group.school_class_id in staff.classes[person_id],
                                     load[(person_id, schooldays.monday(lesson.on_date))]))
        found[lesson.id] = sorted(options, key=lambda c: c.rank)[:SHOWN]
    return found


# --- Pay ------------------------------------------------------------------------------

@dataclass
class PayRow:
    person: Person
    given: int = 0          # own lessons taught
    substituted: int = 0    # lessons taught for absent colleagues
    missed: int = 0         # own lessons taught by a substitute, or cancelled for the absence
    cancelled: int = 0      # own lessons cancelled for other reasons (quarantine, the deputy)

    @property
    def paid(self):
        return self.given + self.substituted


def pay_report(school_id, start, end):
    """Per teacher, lessons given, substituted for others, missed and cancelled from start to
    end, counting only lessons up to today (two statements)."""
    until = min(end, clock.today())
    counts = db.session.execute(
        sa.select(Lesson.teacher_id, Lesson.taught_by_id, Lesson.status, Lesson.absence_id.is_not(None),
                  sa.func.count(Lesson.id))
        .where(Lesson.school_id == school_id, Lesson.on_date >= start, Lesson.on_date <= until)
        .group_by(Lesson.teacher_id, Lesson.taught_by_id, Lesson.status, Lesson.absence_id.is_not(None))).all()
    ids = {c[0] for c in counts} | {c[1] for c in counts}
    current = sa.select(Membership.person_id).where(
        Membership.school_id == school_id, Membership.role.in_(("teacher", "class_teacher")), _valid(Membership, until))
    people = db.session.execute(sa.select(Person).where(sa.or_(Person.id.in_(ids), Person.id.in_(current)))
                                .order_by(Person.sort_key)).scalars().all()
    rows = {p.id: PayRow(p) for p in people}
    for teacher_id, taught_by_id, status, for_absence, number in counts:
        if status == "cancelled":
            if for_absence:
                rows[teacher_id].missed += number
            else:
                rows[teacher_id].cancelled += number
        elif teacher_id == taught_by_id:
            rows[teacher_id].given += number
        else:
            rows[taught_by_id].substituted += number
            rows[teacher_id].missed += number
    return list(rows.values()), until
