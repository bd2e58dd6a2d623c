"""Imports of pupils, parents and staff: check a file into staged rows, then apply them.

check() reads the file, cleans every row and stages it with its problems; nothing about
people is written. apply() runs after the user confirms: it re-plans every row against the
database as it is now and writes all of it in one transaction, or nothing. Both run in a
worker (kundoluk.credentials.jobs), outside any request, so every query names the school.
Rows with problems are left out of apply; a person already known is recognised
(kundoluk.credentials.people), so importing the same file again changes nothing.
"""
from collections import Counter
from datetime import date, timedelta

import sqlalchemy as sa

from kundoluk import audit, clock
from kundoluk.credentials import columns, jobs, spreadsheets
from kundoluk.credentials.people import SchoolPeople, name_key
from kundoluk.credentials.spreadsheets import FileProblem
from kundoluk.extensions import db
from kundoluk.home.queries import current_year_id
from kundoluk.models import (
    Account, Enrolment, Guardianship, ImportBatch, ImportRow, Membership, Person, SchoolClass,
)

CHUNK = 250           # rows staged per transaction while checking (progress is committed)
KEEP_STAGED_DAYS = 30


class ChangedMeanwhile(Exception):
    """The school's data changed between the check and the confirm so a row no longer fits."""


def school_classes(school_id):
    """{(grade, LETTER): id} and {id: language} of this year's classes of the school."""
    rows = db.session.execute(sa.select(SchoolClass.id, SchoolClass.grade, SchoolClass.letter,
                                        SchoolClass.language)
                              .where(SchoolClass.school_id == school_id,
                                     SchoolClass.academic_year_id == current_year_id(school_id))).all()
    keys = {(grade, letter.upper()): class_id for class_id, grade, letter, _ in rows}
    return keys, {class_id: language for class_id, _, _, language in rows}


# --- check -----------------------------------------------------------------------------

def check(batch_id, content):
    """Read, clean and stage a file's rows with their problems; the batch ends ready or failed."""
    batch = db.session.get(ImportBatch, batch_id)
    try:
        table = spreadsheets.open_table(content)
        try:
            _stage(batch, table)
        finally:
            table.close()
    except FileProblem as problem:
        db.session.rollback()
        fail(batch_id, problem.code, **problem.params)


def _stage(batch, table):
    batch.file_format, batch.encoding = table.file_format, table.encoding
    records = iter(table.rows)
    header = next(records, None)
    if header is None:
        raise FileProblem("empty")
    header_number, cells, _ = header
    mapping, missing, ignored = columns.map_headers(batch.kind, cells)
    if missing:
        raise FileProblem("missing_columns", columns=missing, row=header_number)
    batch.notes = [{"code": "ignored_columns", "columns": ignored[:20]}] if ignored else []
    batch.rows_total = max((table.total or 0) - header_number, 0)
    checker = RowChecker(batch.kind, batch.school_id)
    count = problems = 0
    for number, cells, formulas in records:
        count += 1
        if count > spreadsheets.MAX_ROWS:
            raise FileProblem("too_many_rows", limit=spreadsheets.MAX_ROWS)
        data, found = checker.check(number, mapping, formulas, cells)
        problems += bool(found)
        db.session.add(ImportRow(school_id=batch.school_id, batch_id=batch.id, row_number=number,
                                 data=data, problems=found, problem_count=len(found)))
        if count % CHUNK == 0:
            _heartbeat(batch, count, problems)
    if count == 0:
        raise FileProblem("no_rows")
    batch.rows_total = count
    planner = Planner(batch.kind, batch.school_id, write=False)
    try:
        for data in checker.good_rows:
            planner.row(data)
    except ChangedMeanwhile:
        raise FileProblem("changed")
    batch.summary = {"planned": dict(planner.counts)}
    batch.status = "ready"
    _heartbeat(batch, count, problems)


def _heartbeat(batch, done, problems):
    batch.rows_done = done
    batch.problem_rows = problems
    batch.updated_at = clock.now_utc()
    db.session.commit()


def fail(batch_id, code, **params):
    """Mark a batch failed with a file-level problem; its staged rows are dropped."""
    db.session.execute(sa.delete(ImportRow).where(ImportRow.batch_id == batch_id))
    batch = db.session.get(ImportBatch, batch_id)
    batch.status, batch.error, batch.error_detail = "failed", code, params
    batch.updated_at = clock.now_utc()
    db.session.commit()


class RowChecker:
    """Cleans rows of one kind and finds their problems, duplicates within the file included."""

    def __init__(self, kind, school_id):
        self.kind = kind
        self.classes, self.class_language = school_classes(school_id)
        self.pool = SchoolPeople.load(school_id)
        self.seen = {}
        self.good_rows = []

    def check(self, number, mapping, formulas, cells):
        clean = columns.RowCleaner(mapping, formulas, cells)
        data = getattr(self, "_" + self.kind)(clean)
        if not clean.problems:
            self._ambiguous(data, clean)
        if not clean.problems:
            self._duplicate(number, data, clean)
        if not clean.problems:
            self.good_rows.append(data)
        return data, clean.problems

    def _person(self, clean, prefix=""):
        name = clean.name(prefix)
        birth = clean.birth_date(prefix + "birth_date")
        pin_hash, last4 = clean.pin(prefix + "pin")
        return {"name": list(name), "birth": birth and birth.isoformat(),
                "pin_hash": pin_hash, "pin_last4": last4}

    def _pupils(self, clean):
        data = self._person(clean)
        data["class_id"] = clean.school_class(self.classes, required=True)
        data["language"] = clean.language(_family_language(self.class_language.get(data["class_id"])))
        _identity_needed(data, clean)
        return data

    def _staff(self, clean):
        data = self._person(clean)
        data["language"] = clean.language("ky")
        data["roles"] = clean.roles()
        data["class_id"] = clean.school_class(self.classes, required="class_teacher" in data["roles"])
        if data["class_id"] and "class_teacher" not in data["roles"]:
            data["roles"].append("class_teacher")
        _identity_needed(data, clean)
        return data

    def _parents(self, clean):
        data = self._person(clean)
        pupil = self._person(clean, "pupil_")
        data["pupil_id"] = None
        if not clean.problems:
            found, ambiguous = self.pool.match_pupil(pupil["name"], _day(pupil["birth"]), pupil["pin_hash"])
            if found is None:
                code = "ambiguous_pupil" if ambiguous else "unknown_pupil"
                clean.problems.append(columns.problem(code, "pupil_given_name"))
            else:
                data["pupil_id"] = found.id
        data["pupil_name"] = " ".join(p for p in pupil["name"] if p)
        data["language"] = clean.language("ky")
        return data

    def _ambiguous(self, data, clean):
        """Two of the school's people share this name and birth date: only a ПИН can tell."""
        birth = _day(data["birth"])
        if self.kind == "parents":
            _, ambiguous = self.pool.match_parent(data["name"], birth, data["pin_hash"], data["pupil_id"])
        else:
            _, ambiguous = self.pool.match(data["name"], birth, data["pin_hash"])
        if ambiguous:
            clean.problems.append(columns.problem("ambiguous_person", "given_name"))

    def _duplicate(self, number, data, clean):
        key = _identity(data)
        if self.kind == "parents":
            key = (key, data["pupil_id"])
        if key in self.seen:
            clean.problems.append(columns.problem("duplicate", None, row=self.seen[key]))
        else:
            self.seen[key] = number


def _identity(data):
    if data["pin_hash"]:
        return ("pin", data["pin_hash"])
    return ("name", name_key(data["name"]), data["birth"])


def _identity_needed(data, clean):
    """Pupils and staff need a birth date or a ПИН: without them a second import could not
    tell this person from a namesake and would add them twice."""
    if not clean.problems and not data["birth"] and not data["pin_hash"]:
        clean.problems.append(columns.problem("identity_needed", "birth_date"))


def _family_language(class_language):
    return class_language if class_language in ("ky", "ru") else "ky"


def _day(iso):
    return date.fromisoformat(iso) if iso else None


# --- plan and apply --------------------------------------------------------------------

class Planner:
    """Decides (and with write=True, does) what each clean row means for the school's people.

    Counts: created, enrolled, moved, linked, roles, completed (ПИН or birth date added),
    unchanged.
    """

    def __init__(self, kind, school_id, write, by=None, batch=None):
        self.kind, self.school_id, self.write, self.by, self.batch = kind, school_id, write, by, batch
        self.pool = SchoolPeople.load(school_id)
        self.classes = set(school_classes(school_id)[1])
        self.counts = Counter()
        self.today = clock.today()
        self._next_fake_id = -1

    def row(self, data):
        person, created = self._person(data)
        change = getattr(self, "_" + self.kind)(person, data)
        change = "created" if created else change or self._complete(person, data)
        self.counts[change or "unchanged"] += 1
        if self.write and change:
            audit.record("person_imported", actor=self.by, subject=person, school_id=self.school_id,
                         batch=self.batch.public_id, kind=self.kind, change=change)

    def _person(self, data):
        birth = _day(data["birth"])
        if self.kind == "parents":
            if data["pupil_id"] not in self.pool.class_of:
                raise ChangedMeanwhile()
            found, ambiguous = self.pool.match_parent(data["name"], birth, data["pin_hash"], data["pupil_id"])
        else:
            found, ambiguous = self.pool.match(data["name"], birth, data["pin_hash"])
        if ambiguous:
            raise ChangedMeanwhile()
        if found is not None:
            return found, False
        person = Person(language=data["language"], birth_date=birth,
                        pin_hash=data["pin_hash"], pin_last4=data["pin_last4"])
        person.set_name(*data["name"])
        if self.write:
            db.session.add(person)
            db.session.flush()
        else:
            person.id, self._next_fake_id = self._next_fake_id, self._next_fake_id - 1
        self.pool.add(person)
        return person, True

    def _complete(self, person, data):
        """Fill a known person's missing ПИН or birth date from the file."""
        changed = False
        if data["pin_hash"] and not person.pin_hash:
            changed = True
            if self.write:
                person.pin_hash, person.pin_last4 = data["pin_hash"], data["pin_last4"]
        if data["birth"] and person.birth_date is None:
            changed = True
            if self.write:
                person.birth_date = _day(data["birth"])
        return "completed" if changed else None

    def _pupils(self, person, data):
        class_id = data["class_id"]
        if class_id not in self.classes:
            raise ChangedMeanwhile()
        current = self.pool.class_of.get(person.id)
        if current == class_id:
            return None
        if self.write:
            if current is not None:
                self.pool.enrolment_of[person.id].valid_to = self.today - timedelta(days=1)
            db.session.add(Enrolment(school_id=self.school_id, pupil_id=person.id,
                                     school_class_id=class_id, valid_from=self.today))
        self.pool.class_of[person.id] = class_id
        return "moved" if current is not None else "enrolled"

    def _parents(self, person, data):
        pupil_id = data["pupil_id"]
        if person.id in self.pool.parents_of[pupil_id]:
            return None
        if self.write:
            db.session.add(Guardianship(parent_id=person.id, pupil_id=pupil_id, valid_from=self.today))
        self.pool.parents_of[pupil_id].add(person.id)
        return "linked"

    def _staff(self, person, data):
        held = self.pool.roles_of[person.id]
        added = False
        for role in data["roles"]:
            class_id = data["class_id"] if role == "class_teacher" else None
            if role == "class_teacher" and class_id not in self.classes:
                raise ChangedMeanwhile()
            if (role, class_id) in held:
                continue
            if self.write:
                db.session.add(Membership(school_id=self.school_id, person_id=person.id, role=role,
                                          school_class_id=class_id, valid_from=self.today))
            held.add((role, class_id))
            added = True
        return "roles" if added else None


def apply(batch_id, account_id):
    """Write every row without problems in one transaction; the batch ends applied or failed."""
    batch = db.session.get(ImportBatch, batch_id)
    by = db.session.get(Account, account_id) if account_id else None
    rows = db.session.execute(sa.select(ImportRow.data)
                              .where(ImportRow.batch_id == batch.id, ImportRow.problem_count == 0)
                              .order_by(ImportRow.row_number)).scalars().all()
    planner = Planner(batch.kind, batch.school_id, write=True, by=by, batch=batch)
    try:
        for done, data in enumerate(rows, 1):
            planner.row(data)
            jobs.report(batch.id, done, len(rows))
        db.session.flush()
    except ChangedMeanwhile:
        db.session.rollback()
        batch = db.session.get(ImportBatch, batch_id)
        batch.status, batch.error, batch.updated_at = "failed", "changed", clock.now_utc()
        db.session.commit()
        return
    _finish(batch, by, planner.counts)


def _finish(batch, by, counts):
    audit.record("import_applied", actor=by, school_id=batch.school_id, batch=batch.public_id,
                 kind=batch.kind, rows=sum(counts.values()), **dict(counts))
    # the applied rows' names and hashes are not needed any more; rows with problems stay
    # so the result page can still list them
    db.session.execute(sa.delete(ImportRow).where(ImportRow.batch_id == batch.id,
                                                  ImportRow.problem_count == 0))
    batch.summary = {**batch.summary, "applied": dict(counts)}
    batch.status = "applied"
    batch.applied_at = batch.updated_at = clock.now_utc()
    db.session.commit()


def forget_old_rows(school_id):
    """Drop staged rows of this school's imports older than KEEP_STAGED_DAYS (personal data)."""
    cutoff = clock.now_utc() - timedelta(days=KEEP_STAGED_DAYS)
    old = sa.select(ImportBatch.id).where(ImportBatch.school_id == school_id, ImportBatch.created_at < cutoff)
    db.session.execute(sa.delete(ImportRow).where(ImportRow.batch_id.in_(old)))


def claim(batch, account):
    """Mark a checked batch as applying, atomically (a double click confirms once).

    A batch whose apply was interrupted (a dead worker) may be claimed again: its apply
    was one transaction, so it wrote nothing.
    """
    stale = clock.now_utc() - jobs.STALE_AFTER
    result = db.session.execute(
        sa.update(ImportBatch)
        .where(ImportBatch.id == batch.id,
               sa.or_(ImportBatch.status == "ready",
                      sa.and_(ImportBatch.status == "applying", ImportBatch.updated_at < stale)))
        .values(status="applying", confirmed_by_account_id=account.id, updated_at=clock.now_utc())
        .execution_options(synchronize_session=False))
    return result.rowcount == 1
