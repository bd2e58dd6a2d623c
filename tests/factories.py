"""Small plain builders with sensible defaults; every one flushes and returns its row."""
import itertools
from datetime import date, timedelta
from types import SimpleNamespace

from kundoluk import clock
from kundoluk.extensions import db
from kundoluk.models import (
    AcademicYear, Account, District, Enrolment, Guardianship, GroupMember, Membership, Person,
    School, SchoolClass, Shift, StudyGroup, Subject, TeachingAssignment,
)
from kundoluk.passwords import hash_password

_seq = itertools.count(1)


def year_start():
    today = clock.today()
    return date(today.year if today.month >= 9 else today.year - 1, 9, 1)


def _add(row):
    db.session.add(row)
    db.session.flush()
    return row


def make_school(name="Мектеп"):
    n = next(_seq)
    district = _add(District(name_ky="Жайыл району", name_ru="Жайыльский район"))
    school = _add(School(district_id=district.id, name_ky=f"{name} №{n}", name_ru=f"Школа №{n}"))
    start = year_start()
    school.year = _add(AcademicYear(school_id=school.id, starts_on=start, ends_on=date(start.year + 1, 5, 31)))
    school.shift = _add(Shift(school_id=school.id, number=1))
    return school


def make_class(school, grade=7, letter=None, language="ky"):
    letter = letter or f"Б{next(_seq)}"
    school_class = _add(SchoolClass(school_id=school.id, academic_year_id=school.year.id, grade=grade,
                                    letter=letter, language=language, shift_id=school.shift.id))
    school_class.group = _add(StudyGroup(school_id=school.id, academic_year_id=school.year.id,
                                         kind="class", school_class_id=school_class.id))
    return school_class


def make_person(given="Айгүл", family="Асанова", patronymic=None, language="ky"):
    person = Person(language=language)
    person.set_name(family, given, patronymic)
    return _add(person)


def make_account(person, login=None, password="secret", **kw):
    kw.setdefault("must_change_password", False)
    kw.setdefault("privacy_accepted_at", clock.now_utc())
    kw.setdefault("language_chosen", True)
    account = _add(Account(person_id=person.id, login=login or f"user{next(_seq)}",
                           password_hash=hash_password(password) if password else None, **kw))
    return account


def make_pupil(school_class, given="Эмир", family=None, patronymic="Нурлан уулу", **kw):
    pupil = make_person(given, family, patronymic, **kw)
    _add(Enrolment(school_id=school_class.school_id, pupil_id=pupil.id,
                   school_class_id=school_class.id, valid_from=year_start()))
    return pupil


def make_parent(*children, given="Бакыт", family="Асанов", language="ky"):
    parent = make_person(given, family, "Жумабекович", language=language)
    for child in children:
        link_parent(parent, child)
    return parent


def link_parent(parent, child):
    return _add(Guardianship(parent_id=parent.id, pupil_id=child.id, valid_from=year_start()))


def make_staff(school, *roles, school_class=None, given="Гүлнара", family="Осмонова"):
    person = make_person(given, family, "Рысбековна")
    for role in roles:
        _add(Membership(school_id=school.id, person_id=person.id, role=role, valid_from=year_start(),
                        school_class_id=school_class.id if role == "class_teacher" else None))
    return person


def make_subject(school, name="Математика"):
    return _add(Subject(school_id=school.id, code=f"S{next(_seq)}", name_ky=name, name_ru=name))


def make_assignment(teacher, school_class_or_group, subject=None, hours=3):
    group = getattr(school_class_or_group, "group", school_class_or_group)
    subject = subject or make_subject_for(group)
    return _add(TeachingAssignment(school_id=group.school_id, teacher_id=teacher.id, subject_id=subject.id,
                                   group_id=group.id, hours_per_week=hours, valid_from=year_start()))


def make_subject_for(group):
    return make_subject(SimpleNamespace(id=group.school_id))


def make_subgroup(school_class, *pupils, name="1"):
    group = _add(StudyGroup(school_id=school_class.school_id, academic_year_id=school_class.academic_year_id,
                            kind="subgroup", school_class_id=school_class.id, name=name))
    for pupil in pupils:
        _add(GroupMember(school_id=group.school_id, group_id=group.id, pupil_id=pupil.id,
                         valid_from=year_start()))
    return group


def make_world(size=1, prefix=""):
    """Two schools and one person in every role, with accounts (password 'secret').

    size multiplies the pupils, classes and assignments, for the SQL-budget tests.
    """
    w = SimpleNamespace()
    w.school = make_school("Мектеп")
    w.other_school = make_school("Башка мектеп")
    w.school_class = make_class(w.school, 7, "А")
    w.sibling_class = make_class(w.school, 3, "Б", language="ru")
    w.pupil = make_pupil(w.school_class, "Асель", None, "Камалидин кызы")
    w.sibling = make_pupil(w.sibling_class, "Тимур", "Асанов", "Бакытович")
    w.parent = make_parent(w.pupil, w.sibling)
    w.teacher = make_staff(w.school, "teacher", given="Нурлан", family="Исаков")
    w.math = make_subject(w.school, "Алгебра")
    w.assignment = make_assignment(w.teacher, w.school_class, w.math)
    w.teacher2 = make_staff(w.school, "teacher", given="Улан", family="Токтогулов")
    make_assignment(w.teacher2, w.sibling_class, make_subject(w.school, "Физика"))
    w.class_teacher = make_staff(w.school, "teacher", "class_teacher", school_class=w.school_class,
                                 given="Мээрим", family="Сыдыкова")
    w.deputy = make_staff(w.school, "deputy", given="Жылдыз", family="Кадырова")
    w.director = make_staff(w.school, "director", given="Бекзат", family="Мамбетов")
    w.admin = make_staff(w.school, "admin", "teacher", given="Эрлан", family="Орозбеков")
    w.other_class = make_class(w.other_school, 5, "А")
    w.other_pupil = make_pupil(w.other_class, "Нурай", "Жумабекова")
    w.other_deputy = make_staff(w.other_school, "deputy", given="Айдана", family="Бейшеналиева")
    w.teacherparent = make_staff(w.school, "teacher", given="Данияр", family="Турдубаев")
    make_assignment(w.teacherparent, w.sibling_class, make_subject(w.school, "Музыка"))
    link_parent(w.teacherparent, w.other_pupil)
    for extra in range(size - 1):
        _grow(w, extra)
    w.accounts = {}
    for name in ("pupil", "parent", "teacher", "teacher2", "class_teacher", "deputy", "director",
                 "admin", "other_deputy", "teacherparent"):
        w.accounts[name] = make_account(getattr(w, name), login=prefix + name.replace("_", ""))
    return w


def _grow(w, n):
    """More of everything around the personas (the 10× data of the SQL budget tests)."""
    extra_class = make_class(w.school, 8 + n % 3, f"В{n}")
    for i in range(20):
        kid = make_pupil(w.school_class if i % 2 else extra_class, f"Бала{n}_{i}", "Мамбетов")
        make_parent(kid)
    make_assignment(w.teacher, extra_class, w.math)
    make_assignment(w.class_teacher, extra_class, make_subject(w.school, f"Предмет {n}"))
    if n < 3:
        link_parent(w.parent, make_pupil(extra_class, f"Ини{n}", "Асанов"))
    w.pupil_extra_subject = make_assignment(make_staff(w.school, "teacher", given=f"М{n}"), w.school_class)
    other = make_class(w.other_school, 6, f"Г{n}")
    make_pupil(other, f"Кыз{n}", "Исакова")


# --- credentials desk and imports (issue 3) ---------------------------------------------

def make_import_batch(school, kind="pupils", status="ready", filename="pupils.xlsx"):
    """A staged import of a school (no rows): enough for URLs and access tests."""
    from kundoluk.models import ImportBatch
    return _add(ImportBatch(school_id=school.id, kind=kind, status=status, filename=filename,
                            updated_at=clock.now_utc()))


# --- Year set-up (issue 3) ----------------------------------------------------------------

def make_term(school, kind="quarter", number=1, grades=(1, 11), starts_on=None, ends_on=None):
    from kundoluk.models import Term
    starts_on = starts_on or school.year.starts_on
    return _add(Term(school_id=school.id, academic_year_id=school.year.id, kind=kind, number=number,
                     grade_from=grades[0], grade_to=grades[1], starts_on=starts_on,
                     ends_on=ends_on or starts_on + timedelta(days=60)))


def make_holiday(school, kind="autumn", grades=(1, 11), starts_on=None, ends_on=None):
    from kundoluk.models import Holiday
    starts_on = starts_on or school.year.starts_on + timedelta(days=61)
    return _add(Holiday(school_id=school.id, academic_year_id=school.year.id, kind=kind, grade_from=grades[0],
                        grade_to=grades[1], starts_on=starts_on, ends_on=ends_on or starts_on + timedelta(days=6)))


def make_band(school, grades=(1, 11), scheme="five_point", max_points=None):
    from kundoluk.models import AssessmentBand
    return _add(AssessmentBand(school_id=school.id, academic_year_id=school.year.id, grade_from=grades[0],
                               grade_to=grades[1], scheme=scheme, max_points=max_points))


def setup_foreign_ids(w, kind):
    """Public ids of the second school's set-up rows, made once per test (for the 404 sweep)."""
    made = w.__dict__.setdefault("setup_foreign", {})
    if not made:
        made.update(term=make_term(w.other_school).public_id, holiday=make_holiday(w.other_school).public_id,
                    band=make_band(w.other_school).public_id, subject=make_subject(w.other_school).public_id,
                    assignment=make_assignment(w.other_deputy, w.other_class).public_id)
    return [made[kind]]


# --- Timetable, lessons and substitutions (issue 4) ---------------------------------------

def tt_calendar(school, first_bell=(8, 0), periods=7, shift=None):
    """The demo year's shape for a school: quarters 1–9, halves 10–11, holidays (grade 1's extra
    week), and a bell of 45-minute lessons for its shift."""
    from kundoluk.demo import data
    from kundoluk.models import Holiday, Term
    start = school.year.starts_on

    def on(month_day):
        month, day = month_day
        return date(start.year if month >= 9 else start.year + 1, month, day)
    for number, (begins, ends) in enumerate(data.QUARTERS, 1):
        _add(Term(school_id=school.id, academic_year_id=school.year.id, kind="quarter", number=number,
                  grade_from=1, grade_to=9, starts_on=on(begins), ends_on=on(ends)))
    for number, (begins, ends) in enumerate(data.HALVES, 1):
        _add(Term(school_id=school.id, academic_year_id=school.year.id, kind="half", number=number,
                  grade_from=10, grade_to=11, starts_on=on(begins), ends_on=on(ends)))
    for kind, low, high, begins, ends in data.HOLIDAYS:
        _add(Holiday(school_id=school.id, academic_year_id=school.year.id, kind=kind, grade_from=low,
                     grade_to=high or 11, starts_on=on(begins), ends_on=on(ends)))
    tt_bells(school, shift or school.shift, first_bell, periods)
    return school


def tt_bells(school, shift, first_bell=(8, 0), periods=7):
    from datetime import datetime, time
    from kundoluk.models import Bell
    moment = datetime.combine(date(2000, 1, 1), time(*first_bell))
    for period in range(1, periods + 1):
        _add(Bell(school_id=school.id, shift_id=shift.id, period=period, starts_at=moment.time(),
                  ends_at=(moment + timedelta(minutes=45)).time()))
        moment += timedelta(minutes=55)


def tt_room(school, name=None):
    from kundoluk.models import Room
    return _add(Room(school_id=school.id, name=name or f"{100 + next(_seq)}"))


def tt_entry(assignment, weekday, period, parity="every", room=None, valid_from=None, valid_to=None, shift=None):
    """A weekly timetable row written straight to the table (no checks: for setting up tests)."""
    from kundoluk.models import SchoolClass, StudyGroup, TimetableEntry
    group = db.session.get(StudyGroup, assignment.group_id)
    shift_id = shift.id if shift else db.session.get(SchoolClass, group.school_class_id).shift_id
    return _add(TimetableEntry(school_id=assignment.school_id, teaching_assignment_id=assignment.id,
                               group_id=group.id, shift_id=shift_id, weekday=weekday, period=period, parity=parity,
                               room_id=room.id if room else None, valid_from=valid_from or assignment.valid_from,
                               valid_to=valid_to))


def tt_materialise(school):
    """Lessons for the school's whole year from its entries (the real sync)."""
    from kundoluk.timetable import materialise, queries
    year = school.year
    return materialise.sync(school.id, queries.load_calendar(year), year.starts_on, year.ends_on)


def tt_world(w):
    """A timetable for make_world(): calendars, rooms, every assignment of both schools in a free
    slot of its class and teacher, and the year's lessons."""
    import sqlalchemy as sa
    from kundoluk.models import StudyGroup, TeachingAssignment
    for school in (w.school, w.other_school):
        tt_calendar(school)
        room = tt_room(school, "101")
        taken = set()
        rows = db.session.execute(sa.select(TeachingAssignment, StudyGroup.school_class_id)
                                  .join(StudyGroup, StudyGroup.id == TeachingAssignment.group_id)
                                  .where(TeachingAssignment.school_id == school.id)
                                  .order_by(TeachingAssignment.id)).all()
        for assignment, class_id in rows:
            placed = 0
            for weekday in range(1, 6):
                for period in range(1, 8):
                    if placed >= assignment.hours_per_week:
                        break
                    if {(class_id, weekday, period), (assignment.teacher_id, weekday, period)} & taken:
                        continue
                    taken |= {(class_id, weekday, period), (assignment.teacher_id, weekday, period)}
                    tt_entry(assignment, weekday, period, room=room if assignment.id == w.assignment.id else None)
                    placed += 1
                    break
        tt_materialise(school)
    return w


def tt_lesson(assignment, on_date=None, status="planned"):
    """The first lesson of an assignment on or after a date (after tt_world)."""
    import sqlalchemy as sa
    from kundoluk.models import Lesson
    stmt = (sa.select(Lesson).where(Lesson.teaching_assignment_id == assignment.id, Lesson.status == status)
            .order_by(Lesson.on_date, Lesson.period))
    if on_date is not None:
        stmt = stmt.where(Lesson.on_date >= on_date)
    return db.session.execute(stmt).scalars().first()


# --- The teacher's journal (issue 5) -------------------------------------------------------

def jr_school_day():
    """A Wednesday in the first quarter of the school year the test clock is in (10:20 local)."""
    from datetime import datetime
    from zoneinfo import ZoneInfo
    day = date(year_start().year, 10, 14)
    while day.isoweekday() != 3:
        day += timedelta(days=1)
    return datetime(day.year, day.month, day.day, 10, 20, tzinfo=ZoneInfo("Asia/Bishkek"))


def jr_calendar(school, scheme="five_point", max_points=None):
    """Terms, holidays and bells (the timetable's test calendar) and one assessment scheme."""
    tt_calendar(school)
    make_band(school, (1, 11), scheme, max_points)
    return school


def jr_lesson(assignment, on_date, period=1, taught_by=None, status="planned"):
    """A lesson of an assignment on a date, written straight to the table (term from the calendar)."""
    import sqlalchemy as sa
    from kundoluk.models import Lesson, SchoolClass, StudyGroup, Term
    group = db.session.get(StudyGroup, assignment.group_id)
    school_class = db.session.get(SchoolClass, group.school_class_id) if group.school_class_id else None
    grade = school_class.grade if school_class else 7
    term_id = db.session.execute(sa.select(Term.id).where(
        Term.school_id == assignment.school_id, Term.grade_from <= grade, Term.grade_to >= grade,
        Term.starts_on <= on_date, Term.ends_on >= on_date)).scalar()
    shift_id = school_class.shift_id if school_class else db.session.execute(
        sa.select(SchoolClass.shift_id).where(SchoolClass.school_id == assignment.school_id)).scalars().first()
    return _add(Lesson(school_id=assignment.school_id, on_date=on_date, planned_on=on_date, period=period,
                       shift_id=shift_id, teaching_assignment_id=assignment.id, group_id=group.id,
                       subject_id=assignment.subject_id, term_id=term_id, teacher_id=assignment.teacher_id,
                       taught_by_id=(taught_by.id if taught_by else assignment.teacher_id), status=status))


def jr_world(size=1, prefix=""):
    """make_world() with calendars in both schools and a lesson of the teacher's algebra today
    and one in the other school (clock: jr_school_day())."""
    from kundoluk import clock as _clock
    _clock.set_now(jr_school_day())
    w = make_world(size=size, prefix=prefix)
    jr_calendar(w.school)
    jr_calendar(w.other_school)
    w.today = _clock.today()
    w.lesson = jr_lesson(w.assignment, w.today, period=2)
    other_teacher = make_staff(w.other_school, "teacher", given="Бакай", family="Алиев")
    w.other_assignment = make_assignment(other_teacher, w.other_class)
    w.other_lesson = jr_lesson(w.other_assignment, w.today, period=1)
    return w


# --- Timetable (issue 4), continued: dates of the test year ---------------------------

def tt_on(month, day):
    """A date of this school year (September–December in its first calendar year)."""
    start = year_start()
    return date(start.year if month >= 9 else start.year + 1, month, day)


def tt_at(day, hour=10):
    """Move the clock to a school-local moment (a test's "today")."""
    from datetime import datetime
    from zoneinfo import ZoneInfo
    clock.set_now(datetime(day.year, day.month, day.day, hour, 0, tzinfo=ZoneInfo("Asia/Bishkek")))


def jr_foreign_ids(w, kind):
    """Public ids of the second school's journal rows, made once per test (for the 404 sweep)."""
    from kundoluk.models import JournalRemark, Remark
    made = w.__dict__.setdefault("journal_foreign", {})
    if not made:
        teacher = make_staff(w.other_school, "teacher", given="Асан", family="Үсөнов")
        assignment = make_assignment(teacher, w.other_class)
        lesson = jr_lesson(assignment, clock.today())
        remark = _add(Remark(school_id=w.other_school.id, pupil_id=w.other_pupil.id, author_id=teacher.id,
                             text="Жакшы", lesson_id=lesson.id))
        note = _add(JournalRemark(school_id=w.other_school.id, teaching_assignment_id=assignment.id,
                                  on_date=clock.today(), author_id=w.other_deputy.id, text="Темалар"))
        made.update(lesson=lesson.public_id, remark=remark.public_id, note=note.public_id)
    return [made[kind]]


def tt_foreign_ids(w, kind):
    """Ids of the second school's timetable rows, made once per test (for the 404 sweep)."""
    from kundoluk.models import KioskLink, Room, TeacherAbsence
    made = w.__dict__.setdefault("tt_foreign", {})
    if not made:
        teacher = make_staff(w.other_school, "teacher", given="Бөтөн")
        room = _add(Room(school_id=w.other_school.id, name="Башка 1"))
        absence = _add(TeacherAbsence(school_id=w.other_school.id, teacher_id=teacher.id, reason="ill",
                                      starts_on=w.other_school.year.starts_on, ends_on=w.other_school.year.starts_on))
        _add(KioskLink(school_id=w.other_school.id, label="old", token_hash="0" * 64, revoked_at=clock.now_utc()))
        made.update(teacher=[teacher.public_id, w.other_deputy.public_id], room=[room.public_id],
                    absence=[absence.public_id], token=["no-such-token", "0" * 64],
                    lesson=[_tt_foreign_lesson(w, teacher).public_id])
    return made[kind]


def _tt_foreign_lesson(w, teacher):
    from kundoluk.models import Lesson
    assignment = make_assignment(teacher, w.other_class)
    day = w.other_school.year.starts_on
    return _add(Lesson(school_id=w.other_school.id, on_date=day, planned_on=day, period=1,
                       shift_id=w.other_school.shift.id, teaching_assignment_id=assignment.id,
                       group_id=assignment.group_id, subject_id=assignment.subject_id, teacher_id=teacher.id,
                       taught_by_id=teacher.id))
