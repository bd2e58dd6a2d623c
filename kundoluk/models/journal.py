"""The teacher's journal (issue 5): attendance, lesson content, marks, remarks, term marks.

Everything hangs on lesson.id (the timetable's materialised lessons keep their id).
Marks, attendance entries and term marks are written only through kundoluk.writes.save
(client_id, base_version, history) and are never deleted: a removal sets deleted_at
(a tombstone) and the old value stays in change_history.
"""
from datetime import date, datetime
import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from kundoluk.models.base import Created, Model, PublicIdMixin, SchoolOwned, UTCDateTime, Versioned, utcnow

ATTENDANCE_CODES = ("absent", "ill", "excused", "late")
VISIBILITIES = ("family", "parents_only")
TERM_MARK_KINDS = ("term", "year")


def _stamp(value):
    """A timestamp set once by a boolean write (see Tombstoned.deleted)."""
    return utcnow() if value else None


class Tombstoned:
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_by_account_id: Mapped[int | None] = mapped_column(sa.ForeignKey("account.id"))

    # Writes go through writes.save() with {"deleted": True/False}: a replayed client_id then
    # hashes the same content, whereas a server timestamp in the values would differ each time.
    @property
    def deleted(self):
        return self.deleted_at is not None

    @deleted.setter
    def deleted(self, value):
        if bool(value) != (self.deleted_at is not None):
            self.deleted_at = _stamp(value)


class JournalSettings(SchoolOwned, Versioned, Model):
    """A school's journal rules (one row per school; defaults when it has none)."""

    __tablename__ = "journal_settings"
    __table_args__ = (sa.UniqueConstraint("school_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Teachers may change a past lesson for this many days (school-local dates); then only the deputy.
    edit_window_days: Mapped[int] = mapped_column(default=7)
    parents_only_remarks: Mapped[bool] = mapped_column(default=False)
    min_marks_for_term: Mapped[int] = mapped_column(default=3)


class LessonContent(SchoolOwned, Versioned, Created, Model):
    """The paper journal's right page for one lesson, and the column's kind and weight."""

    __tablename__ = "lesson_content"

    id: Mapped[int] = mapped_column(primary_key=True)
    lesson_id: Mapped[int] = mapped_column(sa.ForeignKey("lesson.id"), unique=True)
    topic: Mapped[str | None] = mapped_column(sa.String(500))
    covered: Mapped[str | None] = mapped_column(sa.Text)
    homework: Mapped[str | None] = mapped_column(sa.Text)
    homework_due_on: Mapped[date | None] = mapped_column(sa.Date)
    work_note: Mapped[str | None] = mapped_column(sa.String(500))
    kind: Mapped[str] = mapped_column(sa.String(16), default="oral")
    weight: Mapped[float] = mapped_column(sa.Numeric(3, 1, asdecimal=False), default=1.0)
    updated_by_account_id: Mapped[int | None] = mapped_column(sa.ForeignKey("account.id"))


class AttendanceCheck(SchoolOwned, Versioned, Created, Model):
    """"Nobody is absent" (or: the list as shown is right), confirmed for a lesson.

    An explicit act: a lesson without it and without entries counts as not filled in. A row of
    its own, so that confirming never conflicts with an edit of the lesson's topic.
    """

    __tablename__ = "attendance_check"

    id: Mapped[int] = mapped_column(primary_key=True)
    lesson_id: Mapped[int] = mapped_column(sa.ForeignKey("lesson.id"), unique=True)
    confirmed_by_account_id: Mapped[int | None] = mapped_column(sa.ForeignKey("account.id"))


class AttendanceExcuse(SchoolOwned, Versioned, Created, Model):
    """The class teacher's record for a pupil over a range of days (a parent's call, a note)."""

    __tablename__ = "attendance_excuse"

    id: Mapped[int] = mapped_column(primary_key=True)
    pupil_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), index=True)
    starts_on: Mapped[date] = mapped_column(sa.Date)
    ends_on: Mapped[date] = mapped_column(sa.Date)
    code: Mapped[str] = mapped_column(sa.String(10))
    reason: Mapped[str | None] = mapped_column(sa.String(200))
    created_by_account_id: Mapped[int | None] = mapped_column(sa.ForeignKey("account.id"))


class AttendanceEntry(Tombstoned, SchoolOwned, Versioned, Created, Model):
    """A deviation from "present" for a pupil in a lesson; present = no row or a tombstone."""

    __tablename__ = "attendance_entry"
    __table_args__ = (sa.UniqueConstraint("lesson_id", "pupil_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lesson_id: Mapped[int] = mapped_column(sa.ForeignKey("lesson.id"))
    pupil_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), index=True)
    code: Mapped[str] = mapped_column(sa.String(10))
    reason: Mapped[str | None] = mapped_column(sa.String(200))
    late_minutes: Mapped[int | None]
    excuse_id: Mapped[int | None] = mapped_column(sa.ForeignKey("attendance_excuse.id"), index=True)
    created_by_account_id: Mapped[int | None] = mapped_column(sa.ForeignKey("account.id"))


class Mark(PublicIdMixin, Tombstoned, SchoolOwned, Versioned, Created, Model):
    """One mark in a cell (slot 1..n where the scheme allows several)."""

    __tablename__ = "mark"
    __table_args__ = (
        sa.UniqueConstraint("lesson_id", "pupil_id", "slot"),
        sa.Index("ix_mark_assignment_term", "teaching_assignment_id", "term_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    lesson_id: Mapped[int] = mapped_column(sa.ForeignKey("lesson.id"))
    pupil_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), index=True)
    # Denormalised from the lesson for the term's averages.
    teaching_assignment_id: Mapped[int] = mapped_column(sa.ForeignKey("teaching_assignment.id"))
    term_id: Mapped[int | None] = mapped_column(sa.ForeignKey("term.id"))
    slot: Mapped[int] = mapped_column(default=1)
    value: Mapped[str] = mapped_column(sa.String(8))
    value_num: Mapped[float | None] = mapped_column(sa.Numeric(5, 2, asdecimal=False))  # None for осв.
    kind: Mapped[str] = mapped_column(sa.String(16))
    weight: Mapped[float] = mapped_column(sa.Numeric(3, 1, asdecimal=False))
    comment: Mapped[str | None] = mapped_column(sa.String(500))
    created_by_account_id: Mapped[int | None] = mapped_column(sa.ForeignKey("account.id"))


class IndividualHomework(Tombstoned, SchoolOwned, Versioned, Created, Model):
    """Homework for one pupil; only that pupil and their parents see it."""

    __tablename__ = "individual_homework"
    __table_args__ = (sa.UniqueConstraint("lesson_id", "pupil_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lesson_id: Mapped[int] = mapped_column(sa.ForeignKey("lesson.id"))
    pupil_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), index=True)
    text: Mapped[str] = mapped_column(sa.Text)
    due_on: Mapped[date | None] = mapped_column(sa.Date)
    created_by_account_id: Mapped[int | None] = mapped_column(sa.ForeignKey("account.id"))


class Remark(PublicIdMixin, Tombstoned, SchoolOwned, Versioned, Created, Model):
    """A teacher's remark on a pupil: for pupil and parents, or parents only where allowed."""

    __tablename__ = "remark"

    id: Mapped[int] = mapped_column(primary_key=True)
    pupil_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), index=True)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"))
    lesson_id: Mapped[int | None] = mapped_column(sa.ForeignKey("lesson.id"), index=True)
    subject_id: Mapped[int | None] = mapped_column(sa.ForeignKey("subject.id"))
    text: Mapped[str] = mapped_column(sa.String(1000))
    visibility: Mapped[str] = mapped_column(sa.String(12), default="family")
    # Set by the diary when a parent acknowledges the remark.
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by_account_id: Mapped[int | None] = mapped_column(sa.ForeignKey("account.id"))
    created_by_account_id: Mapped[int | None] = mapped_column(sa.ForeignKey("account.id"))


class TermMark(Tombstoned, SchoolOwned, Versioned, Created, Model):
    """A term (term_id set) or year (term_id NULL) mark of a pupil in a subject."""

    __tablename__ = "term_mark"
    __table_args__ = (
        sa.Index("uq_term_mark_term", "pupil_id", "subject_id", "term_id", "kind", unique=True,
                 sqlite_where=sa.text("term_id IS NOT NULL"),
                 postgresql_where=sa.text("term_id IS NOT NULL")),
        sa.Index("uq_term_mark_year", "pupil_id", "subject_id", "academic_year_id", "kind", unique=True,
                 sqlite_where=sa.text("term_id IS NULL"), postgresql_where=sa.text("term_id IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pupil_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), index=True)
    subject_id: Mapped[int] = mapped_column(sa.ForeignKey("subject.id"))
    teaching_assignment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("teaching_assignment.id"))
    academic_year_id: Mapped[int] = mapped_column(sa.ForeignKey("academic_year.id"))
    term_id: Mapped[int | None] = mapped_column(sa.ForeignKey("term.id"))
    kind: Mapped[str] = mapped_column(sa.String(8), default="term")
    value: Mapped[str] = mapped_column(sa.String(8))
    value_num: Mapped[float | None] = mapped_column(sa.Numeric(5, 2, asdecimal=False))
    # A snapshot of what the page proposed when the teacher confirmed, and by which rule.
    proposed_value: Mapped[str | None] = mapped_column(sa.String(8))
    proposal_rule: Mapped[str | None] = mapped_column(sa.String(20))
    confirmed_by_account_id: Mapped[int | None] = mapped_column(sa.ForeignKey("account.id"))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def confirmed(self):
        return self.confirmed_at is not None

    @confirmed.setter
    def confirmed(self, value):
        # Each confirmation is a new moment: the teacher confirmed (again) now.
        self.confirmed_at = _stamp(value)


class JournalRemark(PublicIdMixin, SchoolOwned, Versioned, Created, Model):
    """The deputy's dated note on a teacher's journal; the teacher marks it fixed."""

    __tablename__ = "journal_remark"

    id: Mapped[int] = mapped_column(primary_key=True)
    teaching_assignment_id: Mapped[int] = mapped_column(sa.ForeignKey("teaching_assignment.id"), index=True)
    on_date: Mapped[date] = mapped_column(sa.Date)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"))
    text: Mapped[str] = mapped_column(sa.String(1000))
    fixed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    fixed_by_account_id: Mapped[int | None] = mapped_column(sa.ForeignKey("account.id"))

    @property
    def fixed(self):
        return self.fixed_at is not None

    @fixed.setter
    def fixed(self, value):
        if bool(value) != (self.fixed_at is not None):
            self.fixed_at = _stamp(value)
