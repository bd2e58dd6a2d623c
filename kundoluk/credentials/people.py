"""Recognising a person among one school's own people, never among all people.

A school's people are its pupils, its staff and the parents of its pupils, in any year.
A person is recognised by the keyed hash of their personal number when it is given, else
by full name and birth date. A parent without either is recognised by name among the
parents already linked to the same child (so importing a parents file twice changes
nothing). The queries name the school explicitly: imports run in a worker, outside any
request, where tenancy does not apply.
"""
from collections import defaultdict

import sqlalchemy as sa

from kundoluk import clock, names
from kundoluk.credentials import pins
from kundoluk.credentials.queries import school_person_ids, valid_on
from kundoluk.extensions import db
from kundoluk.models import Enrolment, Guardianship, Membership, Person


class SchoolPeople:
    """The school's people with their current enrolment, parents and staff roles."""

    def __init__(self, school_id):
        self.school_id = school_id
        self.by_id = {}
        self.by_pin = {}
        self.by_name_birth = defaultdict(list)
        self.by_name = defaultdict(list)
        self.class_of = {}                   # pupil id -> current class id in this school
        self.enrolment_of = {}               # pupil id -> current Enrolment
        self.parents_of = defaultdict(set)   # pupil id -> current parent ids
        self.roles_of = defaultdict(set)     # person id -> {(role, class id or None)}

    @classmethod
    def load(cls, school_id):
        pool = cls(school_id)
        ids = school_person_ids(school_id)
        for person in db.session.execute(sa.select(Person).where(Person.id.in_(ids))).scalars():
            pool.add(person)
        today = clock.today()
        for row in db.session.execute(sa.select(Enrolment).where(
                Enrolment.school_id == school_id, valid_on(Enrolment, today))).scalars():
            pool.class_of[row.pupil_id] = row.school_class_id
            pool.enrolment_of[row.pupil_id] = row
        pupils = sa.select(Enrolment.pupil_id).where(Enrolment.school_id == school_id)
        for parent_id, pupil_id in db.session.execute(
                sa.select(Guardianship.parent_id, Guardianship.pupil_id)
                .where(Guardianship.pupil_id.in_(pupils), valid_on(Guardianship, today))):
            pool.parents_of[pupil_id].add(parent_id)
        for person_id, role, class_id in db.session.execute(
                sa.select(Membership.person_id, Membership.role, Membership.school_class_id)
                .where(Membership.school_id == school_id, valid_on(Membership, today))):
            pool.roles_of[person_id].add((role, class_id))
        return pool

    def add(self, person):
        self.by_id[person.id] = person
        if person.pin_hash:
            self.by_pin[person.pin_hash] = person
        self.by_name_birth[(person.search_key, person.birth_date)].append(person)
        self.by_name[person.search_key].append(person)

    def match(self, name, birth_date, pin_hash):
        """(person or None, ambiguous). name is (family, given, patronymic)."""
        if pin_hash and pin_hash in self.by_pin:
            return self.by_pin[pin_hash], False
        if birth_date is None:
            return None, False
        found = [p for p in self.by_name_birth.get((name_key(name), birth_date), [])
                 if not (pin_hash and p.pin_hash and p.pin_hash != pin_hash)]
        if len(found) > 1:
            return None, True
        return (found[0] if found else None), False

    def match_parent(self, name, birth_date, pin_hash, pupil_id):
        """A parent: as match(), else by name among the pupil's current parents."""
        person, ambiguous = self.match(name, birth_date, pin_hash)
        if person is not None or ambiguous or pin_hash or birth_date:
            return person, ambiguous
        key = name_key(name)
        same = [self.by_id[i] for i in self.parents_of.get(pupil_id, ()) if i in self.by_id
                and self.by_id[i].search_key == key]
        return (same[0] if len(same) == 1 else None), len(same) > 1

    def match_pupil(self, name, birth_date, pin_hash):
        """An enrolled pupil of this school, by ПИН, name and birth date, or name alone when unique."""
        person, ambiguous = self.match(name, birth_date, pin_hash)
        if person is not None and person.id not in self.class_of:
            person = None
        if person is not None or ambiguous or pin_hash or birth_date:
            return person, ambiguous
        same = [p for p in self.by_name.get(name_key(name), []) if p.id in self.class_of]
        return (same[0] if len(same) == 1 else None), len(same) > 1


def name_key(name):
    """The search key of a (family, given, patronymic) name, as stored on person."""
    return names.search_key(names.display_name(*name))


def find_or_add_parent(school_id, pupil, form):
    """The parent typed on the desk's form: one of the school's people if recognised (their
    missing ПИН or birth date completed), else a new person. None when two people match."""
    pin = pins.clean_pin(form.pin.data) if form.pin.data else None
    pin_hash = pins.pin_hash(pin) if pin else None
    name = tuple(" ".join((f.data or "").split()) for f in (form.family_name, form.given_name, form.patronymic))
    birth = form.birth_date.data
    person, ambiguous = SchoolPeople.load(school_id).match_parent(name, birth, pin_hash, pupil.id)
    if ambiguous:
        return None
    if person is None:
        person = Person(language=form.language.data, birth_date=birth)
        person.set_name(*name)
        db.session.add(person)
    if pin and not person.pin_hash:
        pins.set_pin(person, pin)
    if birth and person.birth_date is None:
        person.birth_date = birth
    db.session.flush()
    return person
