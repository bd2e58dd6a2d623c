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
