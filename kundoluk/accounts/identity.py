"""Who is signed in, and in which role context: two SQL statements per request.

A person may hold several role contexts: staff of a school (all their staff roles
there at once), pupil of a school, parent (of all their children, in any school).
The context in use decides which schools' rows the request may see.

Both statements are built once, with bound parameters: this runs on every request,
and composing a SELECT costs more Python than the database spends answering it.
"""
import hashlib
import hmac
from dataclasses import dataclass, field
from functools import cache

import sqlalchemy as sa
from flask import current_app, session
from flask_login import UserMixin
from sqlalchemy.orm import joinedload

from kundoluk import clock
from kundoluk.extensions import db
from kundoluk.models import Account, Enrolment, Guardianship, Membership, Person, School


@dataclass
class Context:
    """One role context: key 'staff:<school>', 'pupil:<school>' or 'parent'."""

    key: str
    kind: str
    school_id: int | None = None
    school_name_ky: str | None = None
    school_name_ru: str | None = None
    roles: set = field(default_factory=set)          # staff roles in this school
    class_ids: set = field(default_factory=set)      # classes this person is class teacher of
    child_ids: set = field(default_factory=set)      # parent: the children's person ids
    child_public_ids: set = field(default_factory=set)  # parent: the same children's URL ids
    # Every class the pupil (or a child) was ever enrolled in: their diary shows those classes'
    # lessons, so kept diary pages depend on these classes' data stamps (kundoluk.stamps).
    pupil_class_ids: set = field(default_factory=set)
    school_ids: set = field(default_factory=set)     # schools whose rows this context may read

    def has(self, *roles):
        return bool(self.roles.intersection(roles))


class CurrentUser(UserMixin):
    def __init__(self, account, contexts):
        self.account = account
        self.person = account.person
        self.contexts = contexts
        chosen = session.get("ctx") or account.last_context
        by_key = {c.key: c for c in contexts}
        self.context = by_key.get(chosen) or (contexts[0] if contexts else None)

    def get_id(self):
        return f"{self.account.id}:{self.account.session_version}"

    @property
    def id(self):
        return self.account.id

    @property
    def language(self):
        return self.person.language

    @property
    def needs_first_sign_in(self):
        return self.account.status != "active"

    @property
    def is_active(self):
        return self.account.active

    @property
    def cache_key(self):
        """An opaque name for this account's offline page cache in the service worker; it changes
        with the session version, so a password change or re-issue also drops the kept pages."""
        raw = f"{self.account.id}:{self.account.session_version}".encode()
        return hmac.new(current_app.secret_key.encode(), raw, hashlib.sha256).hexdigest()[:20]


def _valid(model):
    today = sa.bindparam("today", type_=sa.Date)
    return sa.and_(model.valid_from <= today,
                   sa.or_(model.valid_to.is_(None), model.valid_to >= today))


@cache
def _role_rows_statement():
    """Every current staff role, enrolment and child of :person_id on :today, and every class
    the person was ever enrolled in, with school names."""
    person_id = sa.bindparam("person_id", type_=sa.Integer)
    no_text, no_id = sa.cast(sa.null(), sa.String), sa.cast(sa.null(), sa.Integer)  # PostgreSQL types NULLs in a UNION
    staff = (sa.select(sa.literal("staff").label("kind"), Membership.school_id, Membership.role,
                       Membership.school_class_id, no_id.label("child_id"), no_text.label("child_public_id"))
             .where(Membership.person_id == person_id, _valid(Membership)))
    pupil = (sa.select(sa.literal("pupil"), Enrolment.school_id, no_text,
                       Enrolment.school_class_id, no_id, no_text)
             .where(Enrolment.pupil_id == person_id, _valid(Enrolment)))
    # A pupil's earlier classes grant nothing; they only name what the diary's pages show.
    record = (sa.select(sa.literal("record"), Enrolment.school_id, no_text,
                        Enrolment.school_class_id, no_id, no_text)
              .where(Enrolment.pupil_id == person_id))
    child = (sa.select(sa.literal("parent"), Enrolment.school_id, no_text,
                       Enrolment.school_class_id, Guardianship.pupil_id, Person.public_id)
             .select_from(Guardianship)
             .join(Person, Person.id == Guardianship.pupil_id)
             # Every school the child was ever enrolled in: after a move, the parent keeps
             # read access to the old school's record (issue 6).
             .join(Enrolment, Enrolment.pupil_id == Guardianship.pupil_id, isouter=True)
             .where(Guardianship.parent_id == person_id, _valid(Guardianship)))
    roles = sa.union_all(staff, pupil, record, child).subquery()
    return (sa.select(roles, School.name_ky, School.name_ru)
            .join(School, School.id == roles.c.school_id, isouter=True)
            .order_by(roles.c.kind, roles.c.school_id)
            .execution_options(all_schools=True))


def _role_rows(person_id):
    """One statement: every current staff role, enrolment, child and class record, with school names."""
    return db.session.execute(_role_rows_statement(), {"person_id": person_id, "today": clock.today()}).all()


@cache
def _account_statement():
    return (sa.select(Account).options(joinedload(Account.person))
            .where(Account.id == sa.bindparam("account_id", type_=sa.Integer))
            .execution_options(all_schools=True))  # no school-owned table: nothing to scope


def build_contexts(rows):
    """Group role rows into contexts; staff first, then pupil, then parent."""
    contexts, record = {}, set()
    for kind, school_id, role, class_id, child_id, child_public_id, name_ky, name_ru in rows:
        if kind == "record":
            record.add(class_id)
            continue
        key = "parent" if kind == "parent" else f"{kind}:{school_id}"
        ctx = contexts.get(key)
        if ctx is None:
            ctx = contexts[key] = Context(key=key, kind=kind,
                                          school_id=None if kind == "parent" else school_id,
                                          school_name_ky=name_ky, school_name_ru=name_ru)
        if school_id is not None:
            ctx.school_ids.add(school_id)
        if role:
            ctx.roles.add(role)
        if role == "class_teacher" and class_id:
            ctx.class_ids.add(class_id)
        if child_id:
            ctx.child_ids.add(child_id)
            ctx.child_public_ids.add(child_public_id)
            if class_id:
                ctx.pupil_class_ids.add(class_id)
    for ctx in contexts.values():
        if ctx.kind == "pupil":
            ctx.pupil_class_ids = set(record)
    order = {"staff": 0, "pupil": 1, "parent": 2}
    return sorted(contexts.values(), key=lambda c: (order[c.kind], c.school_id or 0))


def load_user(user_id):
    """Flask-Login loader: '<account id>:<session version>'; a stale version signs out."""
    try:
        account_id, version = (int(part) for part in user_id.split(":"))
    except (ValueError, AttributeError):
        return None
    account = db.session.execute(_account_statement(), {"account_id": account_id}).scalar_one_or_none()
    if account is None or not account.active or account.session_version != version:
        return None
    return CurrentUser(account, build_contexts(_role_rows(account.person_id)))
