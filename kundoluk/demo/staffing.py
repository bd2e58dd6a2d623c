"""Demo staff: who teaches which subject to which group, and who is a class teacher."""
from dataclasses import dataclass, field

from kundoluk.demo import data
from kundoluk.demo.families import adult_name, new_person
from kundoluk.models import Person, SchoolClass

SPECIALTY = {code: specialty for code, _, _, specialty in data.SUBJECTS}
MOSTLY_MEN = ("pe", "nvp")


@dataclass(eq=False)
class Teacher:
    person: Person
    specialties: tuple
    index: int
    own_class: SchoolClass | None = None  # a primary teacher's class
    load: int = 0
    lessons: list = field(default_factory=list)  # (group, subject code, hours)
    classes: list = field(default_factory=list)

    def take(self, klass, group, lessons):
        self.lessons.extend((group, code, hours) for code, hours in lessons)
        self.load += sum(hours for _, hours in lessons)
        if klass not in self.classes:
            self.classes.append(klass)


def hours(klass, code):
    """Weekly hours of a subject in a class (a Russian-medium class swaps the language rows)."""
    row = data.RUSSIAN_CLASS_SWAP.get(code, code) if klass.language == "ru" else code
    return data.HOURS[row][klass.grade - 1]


def curriculum(klass):
    return [(code, hours(klass, code)) for code in data.HOURS if hours(klass, code)]


def specialty(klass, code):
    primary = code in data.PRIMARY_TEACHER_SUBJECTS or code == data.NATIVE_LANGUAGE[klass.language]
    return "primary" if klass.grade <= 4 and primary else SPECIALTY[code]


def hire(rng, plan, primary_classes):
    """One primary teacher per class of grades 1–4, then the subject teachers of the plan."""
    teachers = []
    for klass in primary_classes:
        teachers.append(_new_teacher(rng, ("primary",), klass.language, len(teachers)))
        teachers[-1].own_class = klass
    for specialties, count in plan:
        language = "ru" if "russian" in specialties else "ky"
        for _ in range(count):
            teachers.append(_new_teacher(rng, specialties, language, len(teachers)))
    return teachers


def _new_teacher(rng, specialties, language, index):
    female = rng.random() < (0.3 if set(specialties) & set(MOSTLY_MEN) else 0.85)
    origin = "russian" if language == "ru" and rng.random() < 0.4 else "kyrgyz"
    person = new_person(adult_name(rng, origin, female), language)
    return Teacher(person, tuple(specialties), index)


def assign(teachers, classes, groups):
    """Give every (group, specialty) bundle of lessons to a teacher: a primary class's own
    teacher, else the least-loaded teacher of that specialty.
    groups: class -> (whole-class group, subgroups)."""
    own = {t.own_class: t for t in teachers if t.own_class is not None}
    bundles = {}
    for klass in classes:
        whole, subgroups = groups[klass]
        for code, count in curriculum(klass):
            split = code in data.SPLIT_SUBJECTS and subgroups
            for group in (subgroups if split else [whole]):
                key = (klass, group, specialty(klass, code))
                bundles.setdefault(key, []).append((code, count))
    for (klass, group, spec), lessons in bundles.items():
        teacher = own[klass] if spec == "primary" else _least_loaded(teachers, spec)
        teacher.take(klass, group, lessons)


def _least_loaded(teachers, spec):
    able = [t for t in teachers if spec in t.specialties]
    if not able:
        raise LookupError(f"the staff plan has no {spec} teacher")
    return min(able, key=lambda t: (t.load, t.index))


def choose_class_teachers(teachers, classes):
    """A class teacher per class, each a different teacher who teaches in that class."""
    chosen = {}
    for klass in classes:
        if klass.grade <= 4:
            chosen[klass] = next(t for t in teachers if t.own_class is klass)
            continue
        taken = set(chosen.values())
        native = SPECIALTY[data.NATIVE_LANGUAGE[klass.language]]
        candidates = [t for t in teachers if klass in t.classes and t not in taken]
        chosen[klass] = min(candidates, key=lambda t: _preference(t, native))
    return chosen


def _preference(teacher, native):
    order = data.CLASS_TEACHER_PREFERENCE
    names = ["native" if s == native else s for s in teacher.specialties]
    return min(order.index(s) if s in order else len(order) for s in names), teacher.index
