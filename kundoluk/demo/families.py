"""Demo pupils and their families: Kyrgyz names with and without a surname, and the Russian,
Uzbek, Korean and Dungan names of Russian-medium classes; siblings share their parents."""
from dataclasses import dataclass
from datetime import date, timedelta

from kundoluk.demo import data
from kundoluk.models import Person

ORIGINS = {  # origin: (male given names, female given names, surnames in the male form)
    "kyrgyz": (data.KY_MALE, data.KY_FEMALE, data.KY_SURNAMES),
    "russian": (data.RU_MALE, data.RU_FEMALE, data.RU_SURNAMES),
    "uzbek": (data.UZ_MALE, data.UZ_FEMALE, data.UZ_SURNAMES),
    "korean": (data.RU_MALE, data.RU_FEMALE, data.KO_SURNAMES),
    "dungan": (data.DU_MALE, data.DU_FEMALE, data.DU_SURNAMES),
}
NO_SURNAME_SHARE = {"ky": 1 / 3, "ru": 0.15}  # of Kyrgyz families, by the class's language
SIBLING_SHARE = 0.1
GUARDIANS = (("both", 65), ("mother", 30), ("father", 5))


def patronymic(father, female):
    """Асанович / Асановна, Сергеевич / Сергеевна, Игоревич / Игоревна, Михайлович."""
    stem = data.IRREGULAR_PATRONYMIC_STEMS.get(father)
    if stem is None:
        stem = father[:-1] + "ев" if father[-1] in "йь" else father + "ов"
    return stem + ("на" if female else "ич")


def surname_form(surname, female):
    if not surname or not female or surname in data.KO_SURNAMES:
        return surname
    return surname + "а"


def new_person(name, language, birth_date=None):
    person = Person(language=language, birth_date=birth_date)
    person.set_name(*name)
    return person


def adult_name(rng, origin, female, no_surname_share=0.1, husband=None):
    """A grown-up's (family, given, patronymic), sometimes "Асан кызы Айгүл" for Kyrgyz.
    A wife's father is not named like her husband (her children would share her patronymic)."""
    males, females, surnames = ORIGINS[origin]
    given = rng.choice(females if female else males)
    father = rng.choice([name for name in males if name != husband])
    if origin == "kyrgyz" and rng.random() < no_surname_share:
        return None, given, f"{father} {'кызы' if female else 'уулу'}"
    return surname_form(rng.choice(surnames), female), given, patronymic(father, female)


@dataclass
class Lineage:
    """How a family's children are named: after the father's surname, or his given name."""
    origin: str
    surname: str | None
    father: str

    def child(self, given, female):
        if self.surname is None:
            return None, given, f"{self.father} {'кызы' if female else 'уулу'}"
        return surname_form(self.surname, female), given, patronymic(self.father, female)


class Population:
    """Pupils and parents (Person rows, not yet in the session) and who is whose."""

    def __init__(self, rng, first_year):
        self.rng, self.first_year = rng, first_year
        self.people = []
        self.pupils = {}      # SchoolClass -> [Person]
        self.guardians = []   # (parent, pupil)

    def pupil(self, name, klass):
        born = date(self.first_year - klass.grade - 6, 9, 1) + timedelta(self.rng.randrange(365))
        person = new_person(name, klass.language, born)
        self.people.append(person)
        self.pupils.setdefault(klass, []).append(person)
        return person

    def parent(self, name, language, children):
        person = new_person(name, language)
        self.people.append(person)
        self.guardians.extend((person, child) for child in children)
        return person

    def fill(self, classes, sizes, sibling_share=SIBLING_SHARE):
        """Add random families until every class has its size; some have two children."""
        for klass in classes:
            while len(self.pupils.get(klass, ())) < sizes[klass]:
                second = None
                if self.rng.random() < sibling_share:
                    second = self._sibling_class(classes, sizes, klass)
                self.random_family([c for c in (klass, second) if c is not None])

    def _sibling_class(self, classes, sizes, klass):
        room = [c for c in classes if c.language == klass.language and c.grade != klass.grade
                and len(self.pupils.get(c, ())) < sizes[c]]
        return self.rng.choice(room) if room else None

    def random_family(self, classes):
        language = classes[0].language
        origin = self._origin(language)
        lineage, father, mother = self._parent_names(origin, language)
        children, given_names = [], set()
        for klass in classes:
            female = self.rng.random() < 0.5
            given = self._given(origin, female, given_names)
            children.append(self.pupil(lineage.child(given, female), klass))
        who = self.rng.choices(*zip(*GUARDIANS))[0]
        # Some Kyrgyz families of Russian-medium classes still want the diary in Kyrgyz.
        kyrgyz_home = origin == "kyrgyz" and self.rng.random() < 0.2
        spoken = "ky" if language == "ky" or kyrgyz_home else "ru"
        if who != "father":
            self.parent(mother, spoken, children)
        if who != "mother":
            self.parent(father, spoken, children)

    def _origin(self, language):
        if language == "ky":
            return "kyrgyz"
        return self.rng.choices(*zip(*data.RU_CLASS_ORIGINS))[0]

    def _given(self, origin, female, taken):
        males, females, _ = ORIGINS[origin]
        given = self.rng.choice([n for n in (females if female else males) if n not in taken])
        taken.add(given)
        return given

    def _parent_names(self, origin, language):
        males, _, surnames = ORIGINS[origin]
        father_given = self.rng.choice(males)
        if origin == "kyrgyz" and self.rng.random() < NO_SURNAME_SHARE[language]:
            lineage = Lineage(origin, None, father_given)
            father = (None, father_given, f"{self.rng.choice(males)} уулу")
        else:
            lineage = Lineage(origin, self.rng.choice(surnames), father_given)
            father = (lineage.surname, father_given, patronymic(self.rng.choice(males), False))
        return lineage, father, self._mother_name(lineage)

    def _mother_name(self, lineage):
        """She takes her husband's surname (mostly) or keeps her own."""
        share = 0.5 if lineage.surname is None else 0
        name = adult_name(self.rng, lineage.origin, True, share, husband=lineage.father)
        if name[0] and lineage.surname and self.rng.random() < 0.7:
            return surname_form(lineage.surname, True), name[1], name[2]
        return name


def add_demo_families(population, classes_1, classes_2):
    """The families behind `student`, `parent`, `parent2` and `teacherparent` (fixed names)."""
    names, relatives = data.DEMO_NAMES, data.DEMO_RELATIVES
    at_1 = {(c.grade, c.letter): c for c in classes_1}
    at_2 = {(c.grade, c.letter): c for c in classes_2}
    student = population.pupil(names["student"], at_1[data.DEMO_CLASS])
    brother = population.pupil(relatives["student_brother"], at_1[data.DEMO_SIBLING_CLASS])
    parent = population.parent(names["parent"], "ky", [student, brother])
    population.parent(relatives["student_father"], "ky", [student, brother])
    child_2 = population.pupil(relatives["parent2_child"], at_1[data.DEMO_PARENT2_CLASS])
    parent2 = population.parent(names["parent2"], "ru", [child_2])
    child_3 = population.pupil(relatives["teacherparent_child"],
                               at_2[data.DEMO_TEACHERPARENT_CLASS])
    population.parent(relatives["teacherparent_husband"], "ky", [child_3])
    return {"student": student, "parent": parent, "parent2": parent2,
            "teacherparent_child": child_3}
