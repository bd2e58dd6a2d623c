"""The demo: two schools of Kara-Balta with the current school year's calendar, classes,
pupils, families and staff, and the nine demo logins (password "demo").

Deterministic: the same "today" (kundoluk.clock) gives the same rows, apart from random
public ids and timestamps. Rows are built in Python and inserted kind by kind in bulk.
"""
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from kundoluk import clock, names
from kundoluk.demo import data, families, journal, staffing
from kundoluk.demo import timetable as demo_timetable
from kundoluk.extensions import db
from kundoluk.models import (
    AcademicYear, AssessmentBand, Bell, District, Enrolment, GroupMember, Guardianship,
    Holiday, Membership, NotificationEvent, School, SchoolClass, Shift, StudyGroup, Subject,
    TeachingAssignment, Term,
)

SEED = 2025
URL = "http://127.0.0.1:5000"


@dataclass(eq=False)
class Site:
    """One demo school: its shape, and the rows built for it."""
    school: School
    grades: range
    letters: tuple          # (letter, language of instruction)
    class_size: tuple       # fewest and most pupils in a class
    plan: tuple             # subject teachers, see data.STAFF_1
    second_shift: tuple     # grades taught in the second shift
    year: AcademicYear | None = None
    shifts: dict = field(default_factory=dict)    # number -> Shift
    classes: list = field(default_factory=list)
    size: dict = field(default_factory=dict)      # class -> pupils
    groups: dict = field(default_factory=dict)    # class -> (whole-class group, [subgroups])
    subjects: dict = field(default_factory=dict)  # code -> Subject
    teachers: list = field(default_factory=list)  # staffing.Teacher
    class_teachers: dict = field(default_factory=dict)
    heads: list = field(default_factory=list)     # (Person, role): director, deputy, admin

    @property
    def id(self):
        return self.school.id

    def class_at(self, grade, letter):
        return next(c for c in self.classes if (c.grade, c.letter) == (grade, letter))


def has_data():
    """True once any school exists: the demo only ever seeds an empty database."""
    return db.session.execute(sa.select(School.id).limit(1)).first() is not None


def run():
    """Fill an empty database with the demo (in an app context, outside a request); commits."""
    rng = random.Random(SEED)
    first_year = first_year_of(clock.today())
    start = date(first_year, 9, 1)
    sites = _build_schools(rng, first_year)
    population, logins = _build_people(rng, first_year, sites)
    _save(_links(sites, population, start))
    _save(_accounts(logins))
    demo_timetable.seed()  # rooms, the weekly timetable, the year's lessons, this week's changes
    journal.seed()  # the journal's current quarter (needs the timetable's lessons)
    # Nothing emits events while seeding; should a hook ever do so, families must not
    # be notified about the demo's history.
    db.session.execute(sa.update(NotificationEvent).where(NotificationEvent.handled_at.is_(None))
                       .values(handled_at=clock.now_utc()))
    db.session.commit()


def first_year_of(today):
    """The calendar year the school year containing today began (June–August: the past one)."""
    return today.year if today.month >= 9 else today.year - 1


def _on(first_year, month_day):
    month, day = month_day
    return date(first_year if month >= 9 else first_year + 1, month, day)


def _save(rows):
    db.session.add_all(rows)
    db.session.flush()


def _build_schools(rng, first_year):
    sites = _sites()
    _save([row for site in sites for row in _year_and_shifts(site, first_year)])
    _save([row for site in sites for row in _calendar(site, first_year) + _classes(site, rng)])
    _save([row for site in sites for row in _groups(site) + _subjects(site)])
    return sites


def _sites():
    district = District(name_ky=data.DISTRICT[0], name_ru=data.DISTRICT[1])
    one = School(district=district, name_ky=data.SCHOOL_1[0], name_ru=data.SCHOOL_1[1])
    two = School(district=district, name_ky=data.SCHOOL_2[0], name_ru=data.SCHOOL_2[1])
    _save([district, one, two])
    return [Site(one, range(1, 12), (("А", "ky"), ("Б", "ru")), (22, 28), data.STAFF_1,
                 data.SECOND_SHIFT_GRADES),
            Site(two, range(1, 5), (("А", "ky"),), (14, 16), data.STAFF_2, ())]


def _year_and_shifts(site, first_year):
    site.year = AcademicYear(school_id=site.id, starts_on=date(first_year, 9, 1),
                             ends_on=_on(first_year, data.YEAR_END))
    site.shifts = {number: Shift(school_id=site.id, number=number) for number, _, _ in data.SHIFTS}
    return [site.year, *site.shifts.values()]


def _calendar(site, first_year):
    return (_terms(site, first_year) + _holidays(site, first_year) + _bands(site)
            + [bell for number, first, lessons in data.SHIFTS
               for bell in _bells(site, site.shifts[number], time(*first), lessons)])


def _terms(site, first_year):
    """Quarters for grades 1–9, half-years for 10–11."""
    top, split = site.grades[-1], data.HALF_YEAR_FROM_GRADE
    shapes = [("quarter", 1, min(top, split - 1), data.QUARTERS)]
    if top >= split:
        shapes.append(("half", split, top, data.HALVES))
    return [Term(school_id=site.id, academic_year_id=site.year.id, kind=kind, number=number,
                 grade_from=low, grade_to=high, starts_on=_on(first_year, begins),
                 ends_on=_on(first_year, ends))
            for kind, low, high, spans in shapes
            for number, (begins, ends) in enumerate(spans, 1)]


def _holidays(site, first_year):
    return [Holiday(school_id=site.id, academic_year_id=site.year.id, kind=kind, grade_from=low,
                    grade_to=high or site.grades[-1], starts_on=_on(first_year, begins),
                    ends_on=_on(first_year, ends))
            for kind, low, high, begins, ends in data.HOLIDAYS]


def _bands(site):
    top = site.grades[-1]
    return [AssessmentBand(school_id=site.id, academic_year_id=site.year.id, grade_from=1,
                           grade_to=1, scheme="no_marks"),
            AssessmentBand(school_id=site.id, academic_year_id=site.year.id, grade_from=2,
                           grade_to=top, scheme="five_point")]


def _bells(site, shift, first, lessons):
    moment = datetime.combine(date(2000, 1, 1), first)
    rows = []
    for period in range(1, lessons + 1):
        ends = moment + timedelta(minutes=data.LESSON_MINUTES)
        rows.append(Bell(school_id=site.id, shift_id=shift.id, period=period,
                         starts_at=moment.time(), ends_at=ends.time()))
        if period <= len(data.BREAKS):
            moment = ends + timedelta(minutes=data.BREAKS[period - 1])
    return rows


def _classes(site, rng):
    for grade in site.grades:
        for letter, language in site.letters:
            shift = site.shifts[2 if grade in site.second_shift else 1]
            klass = SchoolClass(school_id=site.id, academic_year_id=site.year.id, grade=grade,
                                letter=letter, language=language, shift_id=shift.id)
            site.classes.append(klass)
            site.size[klass] = rng.randint(*site.class_size)
    return list(site.classes)


def _groups(site):
    rows = []
    for klass in site.classes:
        whole = _group(site, klass, "class", None)
        subgroups = []
        if klass.grade >= data.SPLIT_FROM_GRADE:
            subgroups = [_group(site, klass, "subgroup", name) for name in data.SUBGROUP_NAMES]
        site.groups[klass] = (whole, subgroups)
        rows += [whole, *subgroups]
    return rows


def _group(site, klass, kind, name):
    return StudyGroup(school_id=site.id, academic_year_id=site.year.id, kind=kind,
                      school_class_id=klass.id, name=name)


def _subjects(site):
    taught = {code for klass in site.classes for code, _ in staffing.curriculum(klass)}
    site.subjects = {code: Subject(school_id=site.id, code=code, name_ky=ky, name_ru=ru)
                     for code, ky, ru, _ in data.SUBJECTS if code in taught}
    return list(site.subjects.values())


def _build_people(rng, first_year, sites):
    """Pupils, families and staff of both schools; returns them and the demo login → Person."""
    population = families.Population(rng, first_year)
    demo = families.add_demo_families(population, sites[0].classes, sites[1].classes)
    for site in sites:
        population.fill(site.classes, site.size)
    for index, site in enumerate(sites):
        _staff(site, rng)
        _heads(site, rng, main=index == 0)
    logins = _demo_logins(sites[0], demo)
    population.guardians.append((logins["teacherparent"], demo["teacherparent_child"]))
    teachers = [t.person for site in sites for t in site.teachers]
    heads = [person for site in sites for person, _ in site.heads]
    _save(population.people + teachers + [p for p in heads if p not in teachers])  # admin teaches
    return population, logins


def _staff(site, rng):
    primary = [klass for klass in site.classes if klass.grade <= 4]
    site.teachers = staffing.hire(rng, site.plan, primary)
    staffing.assign(site.teachers, site.classes, site.groups)
    site.class_teachers = staffing.choose_class_teachers(site.teachers, site.classes)


def _heads(site, rng, main):
    """School No. 1: the demo director and deputy, an informatics teacher as admin.
    The small school: a director only."""
    if not main:
        director = families.adult_name(rng, "kyrgyz", True)
        site.heads = [(families.new_person(director, "ky"), "director")]
        return
    informatics = next(t for t in site.teachers if "informatics" in t.specialties)
    site.heads = [(families.new_person(data.DEMO_NAMES[role], "ky"), role)
                  for role in ("director", "deputy")]
    site.heads.append((informatics.person, "admin"))


def _demo_logins(site, demo):
    """Pick the staff behind the demo logins in School No. 1 and give them their fixed names."""
    klass = site.class_at(*data.DEMO_CLASS)
    whole = site.groups[klass][0]
    homeroom = site.class_teachers[klass]
    teacher = next(t for t in site.teachers
                   if any(g is whole and code == "ALG" for g, code, _ in t.lessons))
    subject_teachers = [t for t in site.teachers if t.own_class is None]
    teacher2 = min((t for t in subject_teachers if klass not in t.classes),
                   key=lambda t: ("chemistry" not in t.specialties, t.index))
    taken = {homeroom, teacher, teacher2}
    parent_teacher = min((t for t in subject_teachers if t not in taken),
                         key=lambda t: ("physics" not in t.specialties, t.index))
    staff = {"homeroom": homeroom, "teacher": teacher, "teacher2": teacher2,
             "teacherparent": parent_teacher}
    for login, member in staff.items():
        member.person.set_name(*data.DEMO_NAMES[login])
        member.person.language = "ky"
    people = {role: person for person, role in site.heads if role != "admin"}
    people.update({login: member.person for login, member in staff.items()})
    people.update({login: demo[login] for login in ("student", "parent", "parent2")})
    return {login: people[login] for login in data.DEMO_LOGINS}


def _links(sites, population, start):
    rows = [Guardianship(parent_id=parent.id, pupil_id=pupil.id, valid_from=start)
            for parent, pupil in population.guardians]
    for site in sites:
        rows += _enrolments(site, population, start) + _group_members(site, population, start)
        rows += _memberships(site, start) + _assignments(site, start)
    return rows


def _enrolments(site, population, start):
    return [Enrolment(school_id=site.id, pupil_id=pupil.id, school_class_id=klass.id,
                      valid_from=start)
            for klass in site.classes for pupil in population.pupils[klass]]


def _group_members(site, population, start):
    """Subgroup 1 takes the first half of the class list, subgroup 2 the rest."""
    rows = []
    for klass in site.classes:
        subgroups = site.groups[klass][1]
        if not subgroups:
            continue
        pupils = sorted(population.pupils[klass], key=lambda p: p.sort_key)
        half = (len(pupils) + 1) // 2
        for group, members in zip(subgroups, (pupils[:half], pupils[half:])):
            rows += [GroupMember(school_id=site.id, group_id=group.id, pupil_id=p.id,
                                 valid_from=start) for p in members]
    return rows


def _memberships(site, start):
    held = [(person, role, None) for person, role in site.heads]
    held += [(t.person, "teacher", None) for t in site.teachers]
    held += [(t.person, "class_teacher", klass) for klass, t in site.class_teachers.items()]
    return [Membership(school_id=site.id, person_id=person.id, role=role, valid_from=start,
                       school_class_id=klass.id if klass else None)
            for person, role, klass in held]


def _assignments(site, start):
    return [TeachingAssignment(school_id=site.id, teacher_id=t.person.id,
                               subject_id=site.subjects[code].id, group_id=group.id,
                               hours_per_week=count, valid_from=start)
            for t in site.teachers for group, code, count in t.lessons]


def _accounts(logins):
    """The nine demo accounts, issued by the credentials desk's own function: password
    "demo" (one scrypt hash shared by all) and the first sign-in already done."""
    from kundoluk.credentials.actions import issue_accounts
    issued = issue_accounts(list(logins.values()), password="demo", demo=True,
                            fixed_logins={person.id: login for login, person in logins.items()})
    return [entry.account for entry in issued]


DESCRIPTIONS = {
    "director": "director of School No. 1",
    "deputy": "deputy director of School No. 1",
    "homeroom": "class teacher of {klass}, also teaches there",
    "teacher": "teaches algebra and geometry in {klass}",
    "teacher2": "chemistry teacher, not in {klass}",
    "student": "pupil of {klass}",
    "parent": "mother of the student and of her brother in {sibling}",
    "parent2": "mother of a pupil of {other} (Russian-medium class)",
    "teacherparent": "teacher in School No. 1, mother of a pupil of School No. 2",
}


def logins_text(url=URL):
    """Console lines naming the demo logins (developer output, in English)."""
    labels = {"klass": "{}-{}".format(*data.DEMO_CLASS),
              "sibling": "{}-{}".format(*data.DEMO_SIBLING_CLASS),
              "other": "{}-{}".format(*data.DEMO_PARENT2_CLASS)}
    lines = [f"Demo at {url} — every login's password is: demo"]
    for login in data.DEMO_LOGINS:
        who = names.display_name(*data.DEMO_NAMES[login])
        lines.append(f"  {login:<14} {DESCRIPTIONS[login].format(**labels)} ({who})")
    return "\n".join(lines)
