"""The journal page of a teaching assignment and term (the paper journal's two pages) and its
term-marks page: four or five statements whatever the class size or the number of lessons."""
from dataclasses import dataclass, field
from types import SimpleNamespace

import sqlalchemy as sa
from flask import abort

from kundoluk import clock
from kundoluk.extensions import db
from kundoluk.journal import grading, schemes
from kundoluk.journal.queries import list_members, settings_columns, _settings_from
from kundoluk.models import (
    AcademicYear, AttendanceEntry, ChangeHistory, Lesson, LessonContent, Mark, Person, SchoolClass,
    StudyGroup, Subject, TeachingAssignment, Term, TermMark,
)


@dataclass
class Journal:
    """An assignment's journal: who teaches what to whom, its terms and the chosen one."""

    assignment: TeachingAssignment
    subject: Subject
    group: StudyGroup
    school_class: SchoolClass | None
    teacher: Person
    year: AcademicYear
    terms: list
    term: Term | None
    settings: SimpleNamespace
    last_change_row_id: int | None = None
    current: object = None  # the term-mark row being written (set by the term-mark view)

    @property
    def class_id(self):
        return self.group.school_class_id


def _last_change(actor_id):
    """The actor's latest mark change in this assignment (a scalar subquery on the first statement)."""
    return (sa.select(ChangeHistory.row_id)
            .join(Mark, sa.and_(Mark.id == ChangeHistory.row_id, ChangeHistory.table_name == "mark"))
            .where(ChangeHistory.actor_account_id == actor_id,
                   Mark.teaching_assignment_id == TeachingAssignment.id)
            .order_by(ChangeHistory.id.desc()).limit(1).scalar_subquery())


def get_journal_or_404(public_id, school_id, term_number=None, actor_id=None):
    """An assignment with its terms and settings in one statement; 404 if outside scope or no such term."""
    stmt = (sa.select(TeachingAssignment, Subject, StudyGroup, SchoolClass, Person, AcademicYear, Term,
                      _last_change(actor_id or 0).label("last_change"), *settings_columns(school_id))
            .join(Subject, Subject.id == TeachingAssignment.subject_id)
            .join(StudyGroup, StudyGroup.id == TeachingAssignment.group_id)
            .join(SchoolClass, SchoolClass.id == StudyGroup.school_class_id, isouter=True)
            .join(Person, Person.id == TeachingAssignment.teacher_id)
            .join(AcademicYear, AcademicYear.id == StudyGroup.academic_year_id)
            .join(Term, Term.academic_year_id == StudyGroup.academic_year_id, isouter=True)
            .where(TeachingAssignment.public_id == public_id)
            .order_by(Term.starts_on))
    rows = db.session.execute(stmt).all()
    if not rows:
        abort(404)
    first = rows[0]
    terms = _terms_for(first[3], [row[6] for row in rows if row[6] is not None])
    term = _choose_term(terms, term_number)
    return Journal(*first[:6], terms=terms, term=term, settings=_settings_from(first),
                   last_change_row_id=first.last_change)


def _terms_for(school_class, terms):
    """The terms of the group's grade (quarters for 1–9, halves for 10–11); electives: quarters."""
    if school_class is not None:
        return [t for t in terms if t.grade_from <= school_class.grade <= t.grade_to]
    quarters = [t for t in terms if t.kind == "quarter"]
    return quarters or terms


def _choose_term(terms, number):
    """The asked term (404 if unknown), else the one containing today, else the latest begun."""
    if number is not None:
        found = [t for t in terms if t.number == number]
        if not found:
            abort(404)
        return found[0]
    today = clock.today()
    begun = [t for t in terms if t.starts_on <= today]
    current = [t for t in begun if t.ends_on >= today]
    if current:
        return current[0]
    if begun:
        return begun[-1]  # holidays and summer: the term just ended
    return terms[0] if terms else None


# --- The page's cells ---------------------------------------------------------------------

@dataclass
class Cell:
    marks: list = field(default_factory=list)      # live and tombstoned marks by slot
    attendance: object = None                      # (code, minutes, version, deleted)

    @property
    def live(self):
        return [m for m in self.marks if not m.deleted]


def list_lessons(journal):
    """The term's lessons of this assignment (not cancelled) with their content, by date."""
    if journal.term is None:
        return []
    stmt = (sa.select(Lesson, LessonContent)
            .join(LessonContent, LessonContent.lesson_id == Lesson.id, isouter=True)
            .where(Lesson.teaching_assignment_id == journal.assignment.id, Lesson.status != "cancelled",
                   Lesson.on_date >= journal.term.starts_on, Lesson.on_date <= journal.term.ends_on)
            .order_by(Lesson.on_date, Lesson.period))
    return db.session.execute(stmt).all()


def _cells_statement(lesson_ids):
    """Marks and attendance entries of these lessons in one UNION ALL statement."""
    text, number = sa.String, sa.Numeric(5, 1, asdecimal=False)
    marks = sa.select(sa.literal("m").label("src"), Mark.id.label("rid"), Mark.lesson_id, Mark.pupil_id, Mark.slot,
                      Mark.value, Mark.version, Mark.public_id, Mark.comment, Mark.kind,
                      sa.cast(Mark.weight, number).label("weight"),
                      sa.cast(Mark.value_num, number).label("num"),
                      Mark.deleted_at.is_not(None).label("deleted")).where(Mark.lesson_id.in_(lesson_ids))
    entries = sa.select(sa.literal("a"), AttendanceEntry.id, AttendanceEntry.lesson_id, AttendanceEntry.pupil_id, sa.literal(0),
                        AttendanceEntry.code, AttendanceEntry.version, sa.cast(sa.null(), text),
                        AttendanceEntry.reason, sa.cast(sa.null(), text),
                        sa.cast(AttendanceEntry.late_minutes, number), sa.cast(sa.null(), number),
                        AttendanceEntry.deleted_at.is_not(None)).where(AttendanceEntry.lesson_id.in_(lesson_ids))
    return sa.union_all(marks, entries)


def load_cells(lesson_ids):
    """{(lesson id, pupil id): Cell} for the given lessons."""
    cells = {}
    if not lesson_ids:
        return cells
    for row in db.session.execute(_cells_statement(lesson_ids)):
        cell = cells.setdefault((row.lesson_id, row.pupil_id), Cell())
        if row.src == "m":
            cell.marks.append(SimpleNamespace(id=row.rid, slot=row.slot, value=row.value, version=row.version,
                                              public_id=row.public_id, comment=row.comment, kind=row.kind,
                                              weight=row.weight, num=row.num, deleted=bool(row.deleted)))
        else:
            cell.attendance = SimpleNamespace(code=row.value, version=row.version, reason=row.comment,
                                              minutes=row.weight, deleted=bool(row.deleted))
    for cell in cells.values():
        cell.marks.sort(key=lambda m: m.slot)
    return cells


@dataclass
class Row:
    member: object
    cells: list                  # Cell per lesson column (None when empty)
    locked: list                 # per column: outside the enrolment
    average: object = None
    missed: int = 0


def journal_page(journal):
    """Lessons, pupils and cells of the chosen term, with each pupil's weighted average (3 statements)."""
    lessons = list_lessons(journal)
    if journal.term is None:
        return [], []
    members = list_members(journal.group, journal.term.starts_on, journal.term.ends_on)
    cells = load_cells([lesson.id for lesson, _ in lessons])
    rows = []
    for member in members:
        row_cells = [cells.get((lesson.id, member.pupil.id)) for lesson, _ in lessons]
        live = [(m.num, m.weight) for c in row_cells if c for m in c.live]
        missed = sum(1 for c in row_cells if c and c.attendance and not c.attendance.deleted
                     and c.attendance.code != "late")
        rows.append(Row(member, row_cells, [not member.enrolled_on(lesson.on_date) for lesson, _ in lessons],
                        grading.weighted_average(live), missed))
    return lessons, rows


def column_state(journal, lessons, can_write, is_deputy, person_id):
    """Per column: may this person enter marks now? The lesson took place, is not past the
    window (unless deputy), and they taught it (a substitute's lesson is theirs to fill)."""
    today = clock.today()
    open_ = []
    for lesson, _ in lessons:
        taken_place = lesson.on_date <= today and lesson.term_id is not None
        in_window = is_deputy or (today - lesson.on_date).days <= journal.settings.edit_window_days
        own = is_deputy or lesson.taught_by_id == person_id
        open_.append(bool(can_write and taken_place and in_window and own))
    return open_


# --- Term and year marks ------------------------------------------------------------------

def term_marks(journal, pupil_ids):
    """{(pupil id, term id or None): TermMark} of this subject and year (tombstones included)."""
    if not pupil_ids:
        return {}
    stmt = sa.select(TermMark).where(TermMark.subject_id == journal.subject.id,
                                     TermMark.academic_year_id == journal.year.id,
                                     TermMark.pupil_id.in_(pupil_ids))
    return {(m.pupil_id, m.term_id): m for m in db.session.execute(stmt).scalars()}


def get_term_mark(journal, pupil_id, term):
    """The pupil's term (or year, term=None) mark row in this subject, tombstoned or not, or None."""
    stmt = sa.select(TermMark).where(TermMark.subject_id == journal.subject.id, TermMark.pupil_id == pupil_id,
                                     TermMark.academic_year_id == journal.year.id,
                                     TermMark.term_id == term.id if term is not None else TermMark.term_id.is_(None))
    return db.session.execute(stmt).scalar_one_or_none()


def proposals(journal, rows, lessons):
    """Each pupil's proposed term mark (pure: from the page's rows)."""
    given = sum(1 for lesson, _ in lessons if lesson.on_date <= clock.today())
    result = {}
    for row in rows:
        marks = [(m.num, m.weight) for c in row.cells if c for m in c.live]
        exempt = any(m.value == schemes.EXEMPT for c in row.cells if c for m in c.live)
        result[row.member.pupil.id] = grading.propose_term(
            marks, lessons=given, missed=row.missed, min_marks=journal.settings.min_marks_for_term,
            scheme=row.member.scheme, exempt=exempt)
    return result


def year_proposals(journal, members, marks):
    """Each pupil's proposed year mark from their term marks of this year."""
    result = {}
    for member in members:
        values = [getattr(marks.get((member.pupil.id, t.id)), "value", None) for t in journal.terms]
        values = [None if v is None or getattr(marks.get((member.pupil.id, t.id)), "deleted", False) else v
                  for v, t in zip(values, journal.terms)]
        result[member.pupil.id] = grading.propose_year(values, len(journal.terms), member.scheme)
    return result
