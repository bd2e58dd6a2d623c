"""The demo's timetable: rooms, a full conflict-free weekly timetable for every class of both
shifts, the year's lessons, and this week's substitutions and a cancelled lesson.

The timetable is laid out greedily, period by period across all classes, so each teacher's
other classes are respected by clock time (the shifts' bells overlap around 13:00); two
subgroups of a class share a period when their teachers differ (English in halves of the
class). Lessons come from the real materialiser, and the changes of this week go through the
real actions (with their checks and notices; the seeder marks the notices handled).
Deterministic for a given "today".
"""
import random
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

import sqlalchemy as sa

from kundoluk import clock
from kundoluk.extensions import db
from kundoluk.models import (
    AcademicYear, Account, Lesson, Person, Room, School, SchoolClass, StudyGroup, Subject, TeachingAssignment,
    TimetableEntry,
)
from kundoluk.timetable import lesson_actions, lesson_queries, materialise, queries, schooldays, substitutes

SEED = 2026
ATTEMPTS = 40
GYM, LAB = "PE", "INF"


@dataclass(eq=False)
class Unit:
    """What a class does in one period: one whole-class lesson, or lessons of disjoint subgroups."""
    assignments: list
    subject_codes: tuple

    @property
    def teachers(self):
        return {a.teacher_id for a in self.assignments}


@dataclass(eq=False)
class Klass:
    row: SchoolClass
    units: list = field(default_factory=list)
    periods: int = 0
    placed: dict = field(default_factory=dict)   # (weekday, period) -> Unit


def seed():
    """Timetables, lessons and this week's changes for every demo school (outside a request)."""
    deputy = db.session.execute(sa.select(Account).where(Account.login == "deputy")).scalar()
    for school in db.session.execute(sa.select(School).order_by(School.id)).scalars().all():
        year = db.session.execute(sa.select(AcademicYear).where(AcademicYear.school_id == school.id)
                                  .order_by(AcademicYear.starts_on.desc())).scalars().first()
        if year is None:
            continue
        build_timetable(school, year)
        materialise.sync(school.id, queries.load_calendar(year), year.starts_on, year.ends_on,
                         reason="demo timetable")
        if deputy is not None and school.id == _main_school_id():
            this_weeks_changes(school, deputy)


def _main_school_id():
    return db.session.execute(sa.select(sa.func.min(School.id))).scalar()


# --- The weekly timetable ----------------------------------------------------------------

def build_timetable(school, year):
    classes, bells, codes = _load(school, year)
    rooms = _rooms(school, classes, codes)
    rng = random.Random(SEED + school.id)
    for _attempt in range(ATTEMPTS):
        for klass in classes:
            klass.placed = {}
        if _lay_out(classes, bells, rng):
            break
    else:
        raise RuntimeError(f"no conflict-free demo timetable for school {school.id}")
    entries = []
    for klass in classes:
        for (weekday, period), unit in klass.placed.items():
            for assignment in unit.assignments:
                code = codes[assignment.subject_id]
                entries.append(TimetableEntry(
                    school_id=school.id, teaching_assignment_id=assignment.id, group_id=assignment.group_id,
                    shift_id=klass.row.shift_id, weekday=weekday, period=period, parity="every",
                    room_id=rooms[(assignment.teacher_id, code in (GYM, LAB) and code)].id,
                    valid_from=max(year.starts_on, assignment.valid_from), valid_to=assignment.valid_to))
    db.session.add_all(entries)
    db.session.flush()
    return entries


def _load(school, year):
    classes = {c.id: Klass(c) for c in db.session.execute(
        sa.select(SchoolClass).where(SchoolClass.academic_year_id == year.id)
        .order_by(SchoolClass.grade, SchoolClass.letter)).scalars()}
    groups = {g.id: g for g in db.session.execute(
        sa.select(StudyGroup).where(StudyGroup.academic_year_id == year.id)).scalars()}
    bells = queries.load_bells(school.id)
    codes = dict(db.session.execute(sa.select(Subject.id, Subject.code).where(Subject.school_id == school.id)).all())
    by_class = defaultdict(lambda: {"whole": [], "parts": defaultdict(list)})
    for a in db.session.execute(sa.select(TeachingAssignment).where(TeachingAssignment.school_id == school.id)
                                .order_by(TeachingAssignment.id)).scalars():
        group = groups.get(a.group_id)
        if group is None or group.school_class_id not in classes:
            continue
        slot = by_class[group.school_class_id]
        for _ in range(a.hours_per_week):
            (slot["whole"] if group.kind == "class" else slot["parts"][group.id]).append(a)
    for class_id, klass in classes.items():
        klass.periods = len(bells.periods(klass.row.shift_id))
        lessons = by_class[class_id]
        klass.units = [Unit([a], (codes[a.subject_id],)) for a in lessons["whole"]]
        klass.units += _pair(list(lessons["parts"].values()), codes)
    return list(classes.values()), bells, codes


def _pair(parts, codes):
    """Units for subgroup lessons: two subgroups side by side when their teachers differ."""
    if len(parts) < 2:
        return [Unit([a], (codes[a.subject_id],)) for part in parts for a in part]
    first, second = list(parts[0]), list(parts[1])
    units = []
    for a in first:
        partner = next((b for b in second if b.teacher_id != a.teacher_id and b.subject_id == a.subject_id), None)
        partner = partner or next((b for b in second if b.teacher_id != a.teacher_id), None)
        if partner is None:
            units.append(Unit([a], (codes[a.subject_id],)))
            continue
        second.remove(partner)
        units.append(Unit([a, partner], (codes[a.subject_id], codes[partner.subject_id])))
    units += [Unit([b], (codes[b.subject_id],)) for b in second]
    return units


def _lay_out(classes, bells, rng):
    """Period by period across all classes; a class's day has no gaps unless a repair needs one."""
    busy = defaultdict(list)  # (teacher, weekday) -> [(start, end)]
    left = {k: list(k.units) for k in classes}
    for k in classes:
        rng.shuffle(left[k])
    days = {k: _day_lengths(len(k.units), k.periods) for k in classes}
    if any(d is None for d in days.values()):
        return False
    order = list(classes)
    for weekday in range(1, 6):
        rng.shuffle(order)
        for period in range(1, max(k.periods for k in classes) + 1):
            for k in order:
                if period <= days[k][weekday - 1] and left[k]:
                    unit = _pick(k, left[k], weekday, period, bells, busy, rng)
                    if unit is not None:
                        _place(k, unit, weekday, period, bells, busy)
                        left[k].remove(unit)
    return all(_repair(k, left[k], bells, busy) for k in classes)


def _day_lengths(units, periods):
    base, extra = divmod(units, 5)
    lengths = [base + (1 if i < extra else 0) for i in range(5)]
    return lengths if max(lengths) <= periods else None


def _free(unit, shift_id, weekday, period, bells, busy):
    times = bells.weekly(shift_id, period)
    return all(not schooldays.overlaps(*times, *span) for teacher in unit.teachers for span in busy[(teacher, weekday)])


def _pick(k, candidates, weekday, period, bells, busy, rng):
    today = {code for (wd, _p), u in k.placed.items() if wd == weekday for code in u.subject_codes}
    fitting = [u for u in candidates if _free(u, k.row.shift_id, weekday, period, bells, busy)]
    fresh = [u for u in fitting if not set(u.subject_codes) & today]
    pool = fresh or fitting
    return rng.choice(pool) if pool else None


def _place(k, unit, weekday, period, bells, busy):
    k.placed[(weekday, period)] = unit
    for teacher in unit.teachers:
        busy[(teacher, weekday)].append(bells.weekly(k.row.shift_id, period))


def _unplace(k, weekday, period, bells, busy):
    unit = k.placed.pop((weekday, period))
    times = bells.weekly(k.row.shift_id, period)
    for teacher in unit.teachers:
        busy[(teacher, weekday)].remove(times)
    return unit


def _repair(k, left, bells, busy):
    """Place what the sweep could not: an empty period of the class, or swap with a placed unit."""
    slots = [(wd, p) for wd in range(1, 6) for p in range(1, k.periods + 1)]
    for unit in list(left):
        empty = [s for s in slots if s not in k.placed and _free(unit, k.row.shift_id, *s, bells, busy)]
        if empty:
            _place(k, unit, *min(empty, key=lambda s: (s[1], s[0])), bells, busy)
            left.remove(unit)
            continue
        if not _swap(k, unit, slots, bells, busy):
            return False
        left.remove(unit)
    return True


def _swap(k, unit, slots, bells, busy):
    for slot in [s for s in slots if s in k.placed]:
        other = _unplace(k, *slot, bells, busy)
        if _free(unit, k.row.shift_id, *slot, bells, busy):
            spare = [s for s in slots if s not in k.placed and s != slot
                     and _free(other, k.row.shift_id, *s, bells, busy)]
            if spare:
                _place(k, unit, *slot, bells, busy)
                _place(k, other, *spare[0], bells, busy)
                return True
        _place(k, other, *slot, bells, busy)
    return False


def _rooms(school, classes, codes):
    """A room per teacher (so rooms never clash): a gym for PE, a computer lab for informatics."""
    teachers = sorted({(a.teacher_id, codes[a.subject_id]) for k in classes for u in k.units for a in u.assignments})
    rooms, made, numbers = {}, [], defaultdict(int)
    for teacher_id, code in teachers:
        kind = code if code in (GYM, LAB) else False
        if (teacher_id, kind) in rooms:
            continue
        numbers[kind] += 1
        name = {GYM: "Спортзал №{}", LAB: "Информатика №{}"}.get(kind, "{}").format(
            numbers[kind] if kind else 100 + numbers[kind])
        room = Room(school_id=school.id, name=name, capacity=30)
        rooms[(teacher_id, kind)] = room
        made.append(room)
    db.session.add_all(made)
    db.session.flush()
    return rooms


# --- This week's changes ------------------------------------------------------------------------

def _lesson_week(school):
    """The week of today if it has lessons, else the last week before it that has (in summer:
    the year's last week)."""
    today = clock.today()
    day = db.session.execute(sa.select(sa.func.max(Lesson.on_date)).where(
        Lesson.school_id == school.id, Lesson.on_date <= schooldays.monday(today) + timedelta(days=6))).scalar()
    day = day or db.session.execute(sa.select(sa.func.min(Lesson.on_date))
                                    .where(Lesson.school_id == school.id)).scalar()
    return schooldays.monday(day) if day else None


def _demo_people():
    from kundoluk.demo import data
    return set(db.session.execute(sa.select(Account.person_id).where(Account.login.in_(data.DEMO_LOGINS))).scalars())


def _demo_person(login):
    return db.session.execute(sa.select(Person).join(Account, Account.person_id == Person.id)
                              .where(Account.login == login)).scalar()


def _lesson_days(teacher_id, start, klass):
    """The days of the week when the teacher teaches this class."""
    return sorted(set(db.session.execute(
        sa.select(Lesson.on_date).join(StudyGroup, StudyGroup.id == Lesson.group_id).where(
            Lesson.teacher_id == teacher_id, StudyGroup.school_class_id == klass.id, Lesson.on_date >= start,
            Lesson.on_date <= start + timedelta(days=4), Lesson.status == "planned")).scalars()))


def _pick_day(days, today, taken=()):
    """A day other than today when possible (the demo teachers' own day stays as planned):
    the next one this week, else the latest before today."""
    days = [d for d in days if d not in taken]
    later, earlier = [d for d in days if d > today], [d for d in days if d < today]
    return later[0] if later else (earlier[-1] if earlier else (days[0] if days else None))


def this_weeks_changes(school, deputy):
    """A teacher of 7-А away on a day they teach it, a teacher of 4-А another day, every lesson
    covered by the best suggestion; one lesson of 7-А cancelled. None of them is a demo login,
    and none happens today when the week allows, so the demo teachers' day is as planned."""
    start = _lesson_week(school)
    student = _demo_person("student")
    klass = lesson_queries.pupil_class(student.id) if student is not None else None
    if start is None or klass is None:
        return
    today, logins, used = clock.today(), _demo_people(), []
    brother = _sibling_class()
    for teacher, where, reason in (
            (_busiest_teacher(klass, logins), klass, "курстар / курсы повышения квалификации"),
            (_busiest_teacher(brother, logins) if brother else None, brother, "ооруп калды / болеет")):
        day = _pick_day(_lesson_days(teacher.id, start, where), today, used) if teacher else None
        if day is not None:
            _cover(school, teacher, day, deputy, reason)
            used.append(day)
    _cancel_one(klass, start, today, logins, used, deputy)


def _busiest_teacher(klass, logins):
    """The subject teacher with the most weekly lessons in a class, not a demo login."""
    rows = db.session.execute(
        sa.select(TeachingAssignment.teacher_id).join(StudyGroup, StudyGroup.id == TeachingAssignment.group_id)
        .where(StudyGroup.school_class_id == klass.id, StudyGroup.kind == "class")
        .group_by(TeachingAssignment.teacher_id)
        .order_by(sa.func.sum(TeachingAssignment.hours_per_week).desc(), TeachingAssignment.teacher_id)).scalars()
    teacher_id = next((t for t in rows if t not in logins), None)
    return db.session.get(Person, teacher_id) if teacher_id else None


def _cover(school, teacher, day, deputy, reason):
    absence = lesson_actions.record_absence(school.id, teacher, starts_on=day, ends_on=day, reason=reason,
                                            actor=deputy, client_id=_cid())
    bells = queries.load_bells(school.id, day, day)
    views = substitutes.absence_lessons(absence, bells)
    best = substitutes.suggest(school.id, views, bells, teacher.id)
    for view in views:
        options = best.get(view.lesson.id)
        if options:
            lesson_actions.assign_substitute(view.lesson, options[0].person, absence=absence, actor=deputy,
                                             reason=reason, client_id=_cid(), base_version=view.lesson.version)
            db.session.flush()


def _sibling_class():
    """The student's brother's class (4-А): the parent's second child sees a substitution too."""
    from kundoluk.demo import data
    return db.session.execute(sa.select(SchoolClass).where(
        SchoolClass.grade == data.DEMO_SIBLING_CLASS[0], SchoolClass.letter == data.DEMO_SIBLING_CLASS[1])
        .order_by(SchoolClass.school_id)).scalars().first()


def _cancel_one(klass, start, today, logins, taken, deputy):
    """One whole-class lesson of the student's class this week, cancelled (its teacher is at an
    olympiad): not today, not on an absence's day, not a demo login's lesson."""
    lessons = db.session.execute(
        sa.select(Lesson).join(StudyGroup, StudyGroup.id == Lesson.group_id)
        .where(StudyGroup.school_class_id == klass.id, StudyGroup.kind == "class", Lesson.status == "planned",
               Lesson.taught_by_id == Lesson.teacher_id, Lesson.on_date >= start,
               Lesson.on_date <= start + timedelta(days=4), Lesson.teacher_id.not_in(logins))
        .order_by(Lesson.on_date, Lesson.period.desc())).scalars().all()
    day = _pick_day(sorted({lesson.on_date for lesson in lessons}), today, taken)
    lesson = next((lesson for lesson in lessons if lesson.on_date == day), None)
    if lesson is not None:
        lesson_actions.cancel_lesson(lesson, actor=deputy, reason="мугалим олимпиадада / учитель на олимпиаде",
                                     client_id=_cid(), base_version=lesson.version)


def _cid():
    return str(uuid.uuid4())
