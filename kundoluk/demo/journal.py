"""The demo's journal: the school year up to yesterday, kept the way teachers keep it.

Every past lesson of the year gets a topic and homework, its attendance (mostly present;
colds of a few days recorded by the class teacher from a doctor's note, a few absences and
late arrivals) and marks: some oral marks each lesson, independent works, and a control work
every few weeks for the whole class. A term that has ended has its term marks, confirmed as
the journal proposed them; a year that has ended, its year marks. A few lessons stay
unfilled, so journal discipline has something to show; today's lessons are left to the
teacher. Rows are inserted in bulk; the events of the last school days are stored already
handled. Deterministic for a given "today".
"""
import random
from collections import defaultdict
from datetime import datetime, time, timedelta, timezone

import sqlalchemy as sa

from kundoluk import clock
from kundoluk.extensions import db
from kundoluk.journal import grading
from kundoluk.models import (
    AcademicYear, AssessmentBand, AttendanceCheck, AttendanceEntry, AttendanceExcuse, Enrolment, GroupMember,
    Lesson, LessonContent, Mark, NotificationEvent, School, SchoolClass, StudyGroup, Subject, Term, TermMark,
)

SEED = 2027
CHUNK = 2000
UNFILLED_SHARE = 0.03       # lessons left without a topic or attendance (journal discipline)
ILL_SPELL_SHARE = 0.12      # pupils with a cold of a few days, per term
ABSENT_SHARE, LATE_SHARE, EXCUSED_SHARE = 0.012, 0.02, 0.004
EVENT_DAYS = 3              # events are made for the last school days only

TOPICS = {  # subject code: (Kyrgyz topics, Russian topics)
    "MATH": (("Натуралдык сандар", "Кошуу жана кемитүү", "Көбөйтүү", "Бөлүү", "Жөнөкөй бөлчөктөр",
              "Ондук бөлчөктөр", "Пайыздар", "Теңдемелер"),
             ("Натуральные числа", "Сложение и вычитание", "Умножение", "Деление", "Обыкновенные дроби",
              "Десятичные дроби", "Проценты", "Уравнения")),
    "ALG": (("Алгебралык туюнтмалар", "Бир өзгөрмөлүү сызыктуу теңдеме", "Функция жана анын графиги",
             "Сызыктуу функция", "Даражанын касиеттери", "Бир мүчөлөр", "Көп мүчөлөр", "Кыскача көбөйтүү формулалары"),
            ("Алгебраические выражения", "Линейное уравнение с одной переменной", "Функция и её график",
             "Линейная функция", "Свойства степени", "Одночлены", "Многочлены", "Формулы сокращённого умножения")),
    "GEOM": (("Түз сызык жана кесинди", "Бурчтар", "Үч бурчтуктар", "Үч бурчтуктардын барабардык белгилери",
              "Параллель түз сызыктар", "Айлана"),
             ("Прямая и отрезок", "Углы", "Треугольники", "Признаки равенства треугольников",
              "Параллельные прямые", "Окружность")),
    "KYR-L": (("Фонетика", "Зат атооч", "Сын атооч", "Сан атооч", "Ат атооч", "Этиш", "Сүйлөм мүчөлөрү"),
              ("Фонетика", "Имя существительное", "Имя прилагательное", "Имя числительное", "Местоимение",
               "Глагол", "Члены предложения")),
    "RUS-L": (("Орфография", "Зат атооч", "Сын атооч", "Этиш", "Тыныш белгилери", "Татаал сүйлөм"),
              ("Орфография", "Имя существительное", "Имя прилагательное", "Глагол", "Знаки препинания",
               "Сложное предложение")),
    "ENG": (("Present Simple", "Present Continuous", "Past Simple", "My family", "My school", "Weather"),
            ("Present Simple", "Present Continuous", "Past Simple", "My family", "My school", "Weather")),
    "PHYS": (("Физикалык чоңдуктар", "Механикалык кыймыл", "Ылдамдык", "Масса жана тыгыздык", "Күч", "Басым"),
             ("Физические величины", "Механическое движение", "Скорость", "Масса и плотность", "Сила", "Давление")),
    "CHEM": (("Заттар жана алардын касиеттери", "Атомдор жана молекулалар", "Химиялык элементтер",
              "Валенттүүлүк", "Химиялык реакциялар"),
             ("Вещества и их свойства", "Атомы и молекулы", "Химические элементы", "Валентность",
              "Химические реакции")),
    "BIO": (("Клетка", "Өсүмдүктөрдүн түзүлүшү", "Гүл жана мөмө", "Жаныбарлар", "Адамдын денеси"),
            ("Клетка", "Строение растений", "Цветок и плод", "Животные", "Тело человека")),
    "GEO": (("Жер планетасы", "Карта жана план", "Литосфера", "Гидросфера", "Атмосфера", "Кыргызстандын жаратылышы"),
            ("Планета Земля", "Карта и план", "Литосфера", "Гидросфера", "Атмосфера", "Природа Кыргызстана")),
    "HIST-KG": (("Байыркы Кыргызстан", "Сак уруулары", "Усундар", "Түрк кагандыгы", "Кыргыз кагандыгы"),
                ("Древний Кыргызстан", "Сакские племена", "Усуни", "Тюркский каганат", "Кыргызский каганат")),
    "INF": (("Маалымат жана анын касиеттери", "Компьютердин түзүлүшү", "Файлдар жана папкалар", "Алгоритмдер"),
            ("Информация и её свойства", "Устройство компьютера", "Файлы и папки", "Алгоритмы")),
}
CONTROL_NOTE = ("Текшерүү иши №{n}", "Контрольная работа №{n}")
INDEPENDENT_NOTE = ("Өз алдынча иш", "Самостоятельная работа")
EXCUSE_REASONS = (("Олимпиадага катышты", "Спорт мелдеши"), ("Участие в олимпиаде", "Соревнования"))
ILL_REASON = ("Дарыгердин справкасы", "Справка от врача")


def seed():
    """Journal rows for every demo school (in an app context, outside a request)."""
    today = clock.today()
    rng = random.Random(SEED)
    for school in db.session.execute(sa.select(School).order_by(School.id)).scalars().all():
        _seed_school(school, today, rng)
    db.session.execute(sa.update(NotificationEvent).where(NotificationEvent.handled_at.is_(None))
                       .values(handled_at=clock.now_utc()))


def _seed_school(school, today, rng):
    year = db.session.execute(sa.select(AcademicYear).where(AcademicYear.school_id == school.id,
                                                            AcademicYear.starts_on <= today)
                              .order_by(AcademicYear.starts_on.desc())).scalars().first()
    if year is None:
        return
    terms = _year_terms(year)
    lessons = _lessons([t for t in terms if t.starts_on <= today], today)
    if not lessons:
        return
    pupils = _pupils(school)
    bands = db.session.execute(sa.select(AssessmentBand.grade_from, AssessmentBand.grade_to, AssessmentBand.scheme)
                               .where(AssessmentBand.academic_year_id == year.id)).all()
    book = _Journal(school, rng, lessons, pupils, bands, today, terms)
    book.fill()
    book.save()


def _year_terms(year):
    """The year's terms, for every range of grades, oldest first."""
    return db.session.execute(sa.select(Term).where(Term.academic_year_id == year.id)
                              .order_by(Term.starts_on)).scalars().all()


def _lessons(terms, today):
    """The terms' lessons up to today, with what the journal needs to fill them."""
    if not terms:
        return []
    stmt = (sa.select(Lesson, StudyGroup.kind, StudyGroup.school_class_id, SchoolClass.grade,
                      SchoolClass.language, Subject.code)
            .join(StudyGroup, StudyGroup.id == Lesson.group_id)
            .join(SchoolClass, SchoolClass.id == StudyGroup.school_class_id)
            .join(Subject, Subject.id == Lesson.subject_id)
            .where(Lesson.term_id.in_([t.id for t in terms]), Lesson.on_date <= today,
                   Lesson.status != "cancelled")
            .order_by(Lesson.on_date, Lesson.period, Lesson.id))
    return db.session.execute(stmt).all()


def _pupils(school):
    """{("class", class id) or ("group", group id): [pupil ids]} of the school."""
    members = defaultdict(list)
    for pupil_id, class_id in db.session.execute(sa.select(Enrolment.pupil_id, Enrolment.school_class_id)
                                                 .where(Enrolment.school_id == school.id)
                                                 .order_by(Enrolment.id)):
        members[("class", class_id)].append(pupil_id)
    for pupil_id, group_id in db.session.execute(sa.select(GroupMember.pupil_id, GroupMember.group_id)
                                                 .where(GroupMember.school_id == school.id)
                                                 .order_by(GroupMember.id)):
        members[("group", group_id)].append(pupil_id)
    return members


class _Journal:
    """One school's year so far, built in memory and inserted kind by kind."""

    def __init__(self, school, rng, lessons, pupils, bands, today, terms):
        self.school, self.rng, self.lessons, self.pupils, self.today = school, rng, lessons, pupils, today
        self.bands, self.terms = bands, terms   # all the year's terms, begun or not
        self.contents, self.checks, self.entries, self.marks, self.finals = [], [], [], [], []
        self.ability = {}
        self.ill = defaultdict(list)   # pupil id -> [(first day, last day)], one spell a term at most
        days = sorted({row[0].on_date for row in lessons if row[0].on_date < today})
        self.days = days
        self._plan_illness(days)

    def _scheme(self, grade):
        for low, high, scheme in self.bands:
            if low <= grade <= high:
                return scheme
        return "five_point"

    def _plan_illness(self, days):
        everyone = sorted({p for ids in self.pupils.values() for p in ids})
        periods = sorted({(t.starts_on, t.ends_on) for t in self.terms if t.starts_on <= self.today})
        for pupil in everyone:
            self.ability[pupil] = self.rng.choice((3.2, 3.6, 3.9, 4.1, 4.3, 4.6, 4.8))
        for first, last in periods:
            in_term = [d for d in days if first <= d <= last]
            if len(in_term) <= 4:
                continue
            for pupil in everyone:
                if self.rng.random() < ILL_SPELL_SHARE:
                    start = self.rng.randrange(len(in_term) - 2)
                    self.ill[pupil].append((in_term[start], in_term[min(start + self.rng.randint(1, 3),
                                                                             len(in_term) - 1)]))

    def _spell(self, pupil, day):
        return next((spell for spell in self.ill.get(pupil, ()) if spell[0] <= day <= spell[1]), None)

    def members(self, kind, class_id, group_id):
        return self.pupils[("class", class_id)] if kind == "class" else self.pupils[("group", group_id)]

    def fill(self):
        sequence = defaultdict(int)
        next_on = self._next_dates()
        for lesson, kind, class_id, grade, language, code in self.lessons:
            number = sequence[lesson.teaching_assignment_id]
            sequence[lesson.teaching_assignment_id] += 1
            if lesson.on_date >= self.today:
                continue  # today's lessons are the teacher's to fill
            pupils = self.members(kind, class_id, lesson.group_id)
            lang = 0 if language == "ky" else 1
            work = "control" if number % 8 == 7 else ("independent" if number % 5 == 3 else "oral")
            self._content(lesson, code, lang, number, work, next_on.get(lesson.id))
            absent = self._attendance(lesson, pupils, lang)
            if self._scheme(grade) != "no_marks":
                self._marks(lesson, pupils, absent, work)
        self._final_marks()

    def _final_marks(self):
        """Term marks of the terms that have ended, as the journal proposes them, and year marks
        once every term of the year has ended (one per pupil and subject, as the journal keeps them)."""
        ended = {t.id: t for t in self.terms if t.ends_on < self.today}
        subject_of = {row[0].teaching_assignment_id: row[0].subject_id for row in self.lessons}
        marks, teacher_of = defaultdict(list), {}
        for m in self.marks:
            if m["term_id"] in ended:
                key = (m["pupil_id"], subject_of[m["teaching_assignment_id"]], m["term_id"])
                marks[key].append((m["value_num"], m["weight"]))
                teacher_of[key] = m["teaching_assignment_id"]
        given = defaultdict(dict)
        for key, values in sorted(marks.items()):
            proposal = grading.propose_term(values)
            if proposal.value is None:
                continue
            pupil, subject_id, term_id = key
            term = ended[term_id]
            given[(pupil, subject_id)][term_id] = (proposal.value, teacher_of[key])
            self._final(pupil, teacher_of[key], subject_id, term.academic_year_id, term_id, proposal, term.ends_on)
        for (pupil, subject_id), by_term in sorted(given.items()):
            some = ended[next(iter(by_term))]
            year_terms = [t for t in self.terms if (t.grade_from, t.grade_to) == (some.grade_from, some.grade_to)]
            if any(t.ends_on >= self.today for t in year_terms):
                continue  # the year goes on
            proposal = grading.propose_year([by_term.get(t.id, (None,))[0] for t in year_terms], len(year_terms))
            if proposal.value is not None:
                assignment = by_term[max(by_term, key=lambda tid: ended[tid].starts_on)][1]
                self._final(pupil, assignment, subject_id, some.academic_year_id, None, proposal,
                            year_terms[-1].ends_on)

    def _final(self, pupil, assignment, subject_id, year_id, term_id, proposal, ended_on):
        confirmed = datetime.combine(ended_on + timedelta(days=1), time(12, 0), tzinfo=timezone.utc)
        self.finals.append(dict(school_id=self.school.id, pupil_id=pupil, subject_id=subject_id,
                                teaching_assignment_id=assignment, academic_year_id=year_id, term_id=term_id,
                                kind="term", value=proposal.value,
                                value_num=float(proposal.value) if proposal.value.isdigit() else None,
                                proposed_value=proposal.value, proposal_rule=proposal.rule,
                                confirmed_at=confirmed))

    def _next_dates(self):
        by_assignment = defaultdict(list)
        for row in self.lessons:
            by_assignment[row[0].teaching_assignment_id].append(row[0])
        following = {}
        for rows in by_assignment.values():
            for current, after in zip(rows, rows[1:]):
                following[current.id] = after.on_date
        return following

    def _content(self, lesson, code, lang, number, work, due_on):
        if self.rng.random() < UNFILLED_SHARE:
            return  # the teacher did not write the topic
        topics = TOPICS.get(code)
        if topics:
            names = topics[lang]
            topic = names[(number // 3) % len(names)]
        else:
            topic = f"{number + 1}-тема" if lang == 0 else f"Тема {number + 1}"
        note = None
        if work == "control":
            note = CONTROL_NOTE[lang].format(n=number // 8 + 1)
        elif work == "independent":
            note = INDEPENDENT_NOTE[lang]
        homework = f"§{number + 1}, №{self.rng.randint(1, 30)}–{self.rng.randint(31, 40)}" if work != "control" else None
        weight = {"control": 2.0, "independent": 1.5}.get(work, 1.0)
        self.contents.append(dict(school_id=self.school.id, lesson_id=lesson.id, topic=topic, homework=homework,
                                  homework_due_on=(due_on or lesson.on_date + timedelta(days=7)) if homework else None,
                                  work_note=note, kind=work, weight=weight, covered=None))

    def _attendance(self, lesson, pupils, lang):
        """Entries for the lesson; returns who was away (absent, ill or excused)."""
        away = set()
        rows = []
        for pupil in pupils:
            spell = self._spell(pupil, lesson.on_date)
            draw = self.rng.random()
            if spell:
                rows.append(dict(code="ill", pupil_id=pupil, reason=ILL_REASON[lang], late_minutes=None,
                                 excuse=(pupil, spell)))
            elif draw < ABSENT_SHARE:
                rows.append(dict(code="absent", pupil_id=pupil, reason=None, late_minutes=None))
            elif draw < ABSENT_SHARE + EXCUSED_SHARE:
                rows.append(dict(code="excused", pupil_id=pupil, reason=self.rng.choice(EXCUSE_REASONS[lang]),
                                 late_minutes=None))
            elif draw < ABSENT_SHARE + EXCUSED_SHARE + LATE_SHARE:
                rows.append(dict(code="late", pupil_id=pupil, reason=None, late_minutes=self.rng.choice((3, 5, 7, 10, 15))))
        for row in rows:
            row.update(school_id=self.school.id, lesson_id=lesson.id)
            if row["code"] != "late":
                away.add(row["pupil_id"])
        self.entries.extend(rows)
        if not rows and self.rng.random() < UNFILLED_SHARE:
            return away  # attendance not taken
        if not rows:
            self.checks.append(dict(school_id=self.school.id, lesson_id=lesson.id))
        return away

    def _marks(self, lesson, pupils, away, work):
        present = [p for p in pupils if p not in away]
        if work == "control":
            chosen = present
        elif work == "independent":
            chosen = [p for p in present if self.rng.random() < 0.5]
        else:
            chosen = self.rng.sample(present, min(len(present), self.rng.randint(2, 5)))
        weight = {"control": 2.0, "independent": 1.5}.get(work, 1.0)
        for pupil in chosen:
            value = max(2, min(5, round(self.rng.gauss(self.ability[pupil], 0.7))))
            self.marks.append(dict(school_id=self.school.id, lesson_id=lesson.id, pupil_id=pupil, slot=1,
                                   value=str(value), value_num=value, kind=work, weight=weight,
                                   teaching_assignment_id=lesson.teaching_assignment_id, term_id=lesson.term_id))

    def save(self):
        _insert(LessonContent, self.contents)
        _insert(AttendanceCheck, self.checks)
        self._save_excuses()
        _insert(AttendanceEntry, self.entries)
        _insert(Mark, self.marks)
        _insert(TermMark, self.finals)
        self._events()

    def _save_excuses(self):
        rows = {}
        for pupil, spells in self.ill.items():
            for first, last in spells:
                rows[(pupil, (first, last))] = AttendanceExcuse(school_id=self.school.id, pupil_id=pupil,
                                                                starts_on=first, ends_on=last, code="ill", reason=None)
        db.session.add_all(rows.values())
        db.session.flush()
        for entry in self.entries:
            key = entry.pop("excuse", None)
            entry["excuse_id"] = rows[key].id if key in rows else None

    def _events(self):
        """Events of the last school days (the diary's "what's new"), already handled."""
        recent = set(self.days[-EVENT_DAYS:])
        lessons = {row[0].id: row[0] for row in self.lessons if row[0].on_date in recent}
        if not lessons:
            return
        now = clock.now_utc()
        events = []
        for mark in db.session.execute(sa.select(Mark).where(Mark.lesson_id.in_(list(lessons)))).scalars():
            lesson = lessons[mark.lesson_id]
            events.append(_event("mark", mark, lesson, now, value=mark.value, old_value=None, kind=mark.kind,
                                 slot=1, comment=None))
        for entry in db.session.execute(sa.select(AttendanceEntry).where(
                AttendanceEntry.lesson_id.in_(list(lessons)))).scalars():
            lesson = lessons[entry.lesson_id]
            events.append(_event("attendance", entry, lesson, now, code=entry.code, old_code="present",
                                 period=lesson.period, late_minutes=entry.late_minutes))
        _insert(NotificationEvent, events)


def _event(event_kind, row, lesson, now, **payload):
    return dict(school_id=row.school_id, kind=event_kind, pupil_id=row.pupil_id, object_type=row.__tablename__,
                object_id=row.id, important=False, handled_at=now,
                payload={"subject_id": lesson.subject_id, "lesson_id": lesson.id,
                         "lesson_date": lesson.on_date.isoformat(), **payload})


def _insert(model, rows):
    # Core inserts of whole batches: the ORM's bulk insert would split them by which values are NULL.
    for start in range(0, len(rows), CHUNK):
        db.session.execute(model.__table__.insert(), rows[start:start + CHUNK])
