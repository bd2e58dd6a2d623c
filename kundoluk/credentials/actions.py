"""Issuing logins and first passwords, re-issuing, and linking parents to pupils.

A first password exists in plain text only in the value these functions return, for the
slip printed in the same response; the database keeps its scrypt hash alone.
"""
import os
import secrets
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from kundoluk import audit, clock
from kundoluk.credentials import logins, pins
from kundoluk.extensions import db
from kundoluk.models import Account, Guardianship, ParentLinkCode, Person
from kundoluk.passwords import hash_password

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"   # no 0/O, 1/I/L
CODE_LENGTH = 8
CODE_DAYS = 14
# Letters a phone's Cyrillic keyboard types instead of the Latin ones on the slip.
CODE_LOOKALIKES = str.maketrans("АВЕКМНОРСТХУ", "ABEKMHOPCTXY")


@dataclass
class Issued:
    """What a slip needs: the person, their account, and the first password when just made."""
    person: object
    account: Account
    password: str | None


def _hash_all(passwords):
    """scrypt hashes for many passwords, on all cores (hashlib releases the GIL)."""
    if len(passwords) < 2:
        return [hash_password(p) for p in passwords]
    app = current_app._get_current_object()

    def one(password):
        with app.app_context():
            return hash_password(password)
    # one thread per core: scrypt at n = 2^17 needs 128 MB and a core of its own
    with ThreadPoolExecutor(max_workers=min(os.cpu_count() or 1, len(passwords))) as pool:
        return list(pool.map(one, passwords))


def _taken_logins(bases):
    """Existing logins that start with any of these bases, in the whole deployment."""
    if not bases:
        return set()
    like = [Account.login.like(logins.like_prefix(b), escape="\\") for b in set(bases)]
    # account is global: a login must be unique across every school of the deployment
    stmt = sa.select(Account.login).where(sa.or_(*like)).execution_options(all_schools=True)
    return set(db.session.execute(stmt).scalars())


def new_secrets(count, password=None):
    """[(first password, its hash)] for count people, made before any row is touched.

    Hashing a class takes seconds at the production cost; a caller may end its read
    transaction first so that SQLite's write lock is not held meanwhile. A fixed
    password (the demo's "demo") is hashed once and shared.
    """
    if password is not None:
        return [(password, _hash_all([password])[0])] * count
    plain = [logins.new_password() for _ in range(count)]
    return list(zip(plain, _hash_all(plain)))


def issue_accounts(people, by=None, school_id=None, password=None, fixed_logins=None, demo=False,
                   made=None):
    """Give a login and a first password to each person who has none; returns [Issued].

    People whose account already has a password are left as they are. Logins come from
    the names (or fixed_logins: person id -> wanted login), made unique with a digit.
    made: secrets from new_secrets(), at least one per person; demo accounts skip the
    first sign-in.
    """
    people = [p for p in people if p.account is None or p.account.password_hash is None]
    fixed_logins = fixed_logins or {}
    bases = {p.id: fixed_logins.get(p.id) or logins.base_login(p.family_name, p.given_name, p.patronymic)
             for p in people if p.account is None}
    taken = _taken_logins(bases.values())
    made = made if made is not None and len(made) >= len(people) else new_secrets(len(people), password)
    now = clock.now_utc()
    issued = []
    for person, (secret, hashed) in zip(people, made):
        account = person.account
        if account is None:
            account = Account(person=person, login=logins.allocate(bases[person.id], taken))
            taken.add(account.login)
            db.session.add(account)
        account.password_hash = hashed
        account.issued_at = now
        account.session_version = (account.session_version or 0) + 1
        account.must_change_password = not demo
        if demo:
            account.is_demo = True
            account.language_chosen = True
            account.privacy_accepted_at = now
        audit.record("credentials_issued", actor=by, subject=person, school_id=school_id,
                     login=account.login)
        issued.append(Issued(person, account, None if demo else secret))
    db.session.flush()
    return issued


def reissue(person, by, school_id):
    """A new first password: the old one stops working and every session of theirs ends.

    The privacy acceptance stays; the person must set their own password again.
    """
    account = person.account
    if account is None or account.password_hash is None:
        return issue_accounts([person], by, school_id)[0]
    secret = logins.new_password()
    account.password_hash = hash_password(secret)
    account.must_change_password = True
    account.session_version += 1
    account.issued_at = clock.now_utc()
    audit.record("credentials_reissued", actor=by, subject=person, school_id=school_id,
                 login=account.login)
    return Issued(person, account, secret)


def link_parent(parent, pupil, by, school_id, via=None):
    """A guardianship from today, unless one is current already; returns (link, created)."""
    today = clock.today()
    current = db.session.execute(
        sa.select(Guardianship).where(
            Guardianship.parent_id == parent.id, Guardianship.pupil_id == pupil.id,
            Guardianship.valid_from <= today,
            sa.or_(Guardianship.valid_to.is_(None), Guardianship.valid_to >= today))
    ).scalars().first()
    if current is not None:
        return current, False
    link = Guardianship(parent_id=parent.id, pupil_id=pupil.id, valid_from=today)
    db.session.add(link)
    audit.record("parent_linked", actor=by, subject=pupil, school_id=school_id,
                 parent=parent.public_id, via=via or "desk")
    db.session.flush()
    return link, True


def unlink_parent(link, by, school_id):
    """End a parent's link at once (a custody change): valid until yesterday.

    Access ends with the next request, an open session's too: the identity loader reads
    the current guardianships on every request, and the push worker picks recipients when
    it sends, so queued notifications about the child no longer reach this parent.
    """
    link.valid_to = clock.today() - timedelta(days=1)
    audit.record("parent_unlinked", actor=by, subject=link.pupil, school_id=school_id,
                 parent=link.parent.public_id)


def clean_code(raw):
    """A typed code in canonical form: upper-case, no spaces or dashes, Cyrillic look-alikes fixed."""
    text = "".join((raw or "").split()).replace("-", "").upper().translate(CODE_LOOKALIKES)
    return text[:32]


def make_link_code(pupil, by, school_id):
    """A new one-time code for linking a parent's existing account to this pupil.

    Returns the code as printed (ABCD-EFGH); only its keyed hash is stored.
    """
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    db.session.add(ParentLinkCode(
        school_id=school_id, pupil_id=pupil.id, code_hash=pins.keyed_hash("link-code", code),
        created_by_account_id=getattr(by, "id", None),
        expires_at=clock.now_utc() + timedelta(days=CODE_DAYS)))
    audit.record("link_code_made", actor=by, subject=pupil, school_id=school_id)
    db.session.flush()
    return f"{code[:4]}-{code[4:]}"


def redeem_link_code(account, raw):
    """Link the account's person to the code's pupil. Returns 'linked', 'already',
    'invalid' (no such code), 'used' or 'expired'."""
    code = clean_code(raw)
    if len(code) != CODE_LENGTH:
        return "invalid"
    # The code's school is not in the parent's scope yet: look it up by its keyed hash
    # alone, across schools (an exact match, never a search).
    row = db.session.execute(
        sa.select(ParentLinkCode).where(ParentLinkCode.code_hash == pins.keyed_hash("link-code", code))
        .execution_options(all_schools=True)).scalar_one_or_none()
    if row is None or row.pupil_id == account.person_id:
        return "invalid"
    if row.used_at is not None:
        return "used"
    if row.expires_at <= clock.now_utc():
        return "expired"
    row.used_at = clock.now_utc()
    row.used_by_person_id = account.person_id
    pupil = db.session.get(Person, row.pupil_id)
    _link, created = link_parent(account.person, pupil, account, row.school_id, via="code")
    audit.record("link_code_used", actor=account, subject=pupil, school_id=row.school_id)
    return "linked" if created else "already"
