"""The timetable and its lessons: rooms, weekly entries, lessons, changes, absences (issue 4).

A lesson is the school's local date + period number. Lessons are materialised from the
weekly timetable once and keep their id; the journal hangs attendance, marks, topics and
homework on lesson.id in its own tables. lesson_change is append-only (database triggers in
migration 0004_timetable): the who and why of every change.
"""
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kundoluk.models.base import Created, Model, PublicIdMixin, SchoolOwned, UTCDateTime, Versioned

PARITIES = ("every", "odd", "even")
LESSON_STATUSES = ("planned", "cancelled")
# Why a lesson waits for the deputy: its timetable entry or the calendar no longer produces it,
# but it has content (attendance, marks, a topic, homework) or a recorded change, so it stays.
LESSON_FLAGS = ("timetable_changed", "calendar_changed")
CHANGE_KINDS = ("add", "cancel", "restore", "move", "room", "substitute", "unsubstitute",
                "flag", "unflag", "entry_add", "entry_end", "mass_cancel")
APPEND_ONLY = ("lesson_change",)


class Room(PublicIdMixin, SchoolOwned, Model):
    __tablename__ = "room"
    __table_args__ = (sa.UniqueConstraint("school_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(40))
    capacity: Mapped[int | None]


class AlternatingClass(SchoolOwned, Created, Model):
    """A class whose timetable alternates odd and even weeks; only these may use week parity."""

    __tablename__ = "alternating_class"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_class_id: Mapped[int] = mapped_column(sa.ForeignKey("school_class.id"), unique=True)
    created_by_account_id: Mapped[int | None] = mapped_column(sa.ForeignKey("account.id"))


class TimetableEntry(PublicIdMixin, SchoolOwned, Versioned, Created, Model):
    """One weekly slot: a teaching assignment (group, subject, teacher) on a weekday and period,
    every week or odd/even weeks (counted from the year's first week), for a dated span."""

    __tablename__ = "timetable_entry"
    __table_args__ = (
        sa.CheckConstraint("weekday BETWEEN 1 AND 5", name="weekday"),
        sa.CheckConstraint("parity IN ('every', 'odd', 'even')", name="parity"),
        sa.Index("ix_timetable_entry_slot", "school_id", "weekday", "period"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    teaching_assignment_id: Mapped[int] = mapped_column(sa.ForeignKey("teaching_assignment.id"), index=True)
    # The assignment's group, copied: an assignment never changes group, and the class grid
    # and the conflict checks read entries by group.
    group_id: Mapped[int] = mapped_column(sa.ForeignKey("study_group.id"), index=True)
    shift_id: Mapped[int] = mapped_column(sa.ForeignKey("shift.id"))
    weekday: Mapped[int]
    period: Mapped[int]
    parity: Mapped[str] = mapped_column(sa.String(5), default="every")
    room_id: Mapped[int | None] = mapped_column(sa.ForeignKey("room.id"))
    valid_from: Mapped[date] = mapped_column(sa.Date)
    valid_to: Mapped[date | None] = mapped_column(sa.Date)

    assignment = relationship("TeachingAssignment")
    room = relationship(Room)


class Cancellation(PublicIdMixin, SchoolOwned, Created, Model):
    """All lessons of a range of grades cancelled for a range of dates (quarantine, cold)."""

    __tablename__ = "cancellation"

    id: Mapped[int] = mapped_column(primary_key=True)
    grade_from: Mapped[int]
    grade_to: Mapped[int]
    starts_on: Mapped[date] = mapped_column(sa.Date)
    ends_on: Mapped[date] = mapped_column(sa.Date)
    reason: Mapped[str] = mapped_column(sa.String(200))
    lessons: Mapped[int] = mapped_column(default=0)  # how many it cancelled
    created_by_account_id: Mapped[int | None] = mapped_column(sa.ForeignKey("account.id"))


class TeacherAbsence(PublicIdMixin, SchoolOwned, Versioned, Created, Model):
    """A teacher away for a range of dates; the deputy then substitutes or cancels their lessons."""

    __tablename__ = "teacher_absence"

    id: Mapped[int] = mapped_column(primary_key=True)
    teacher_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), index=True)
    starts_on: Mapped[date] = mapped_column(sa.Date)
    ends_on: Mapped[date] = mapped_column(sa.Date)
    reason: Mapped[str] = mapped_column(sa.String(200))
    created_by_account_id: Mapped[int | None] = mapped_column(sa.ForeignKey("account.id"))

    teacher = relationship("Person")


class Lesson(PublicIdMixin, SchoolOwned, Versioned, Created, Model):
    """A lesson: the school's local date + period; never deleted once it has content."""

    __tablename__ = "lesson"
    __table_args__ = (
        sa.UniqueConstraint("timetable_entry_id", "planned_on"),
        sa.CheckConstraint("status IN ('planned', 'cancelled')", name="status"),
        sa.Index("ix_lesson_day", "school_id", "on_date", "period"),
        sa.Index("ix_lesson_teacher_day", "teacher_id", "on_date"),
        sa.Index("ix_lesson_taught_by_day", "taught_by_id", "on_date"),
        sa.Index("ix_lesson_group_day", "group_id", "on_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    timetable_entry_id: Mapped[int | None] = mapped_column(sa.ForeignKey("timetable_entry.id"))
    planned_on: Mapped[date | None] = mapped_column(sa.Date)  # the date the timetable gave
    on_date: Mapped[date] = mapped_column(sa.Date)
    period: Mapped[int]
    shift_id: Mapped[int] = mapped_column(sa.ForeignKey("shift.id"))
    teaching_assignment_id: Mapped[int] = mapped_column(sa.ForeignKey("teaching_assignment.id"), index=True)
    group_id: Mapped[int] = mapped_column(sa.ForeignKey("study_group.id"))
    subject_id: Mapped[int] = mapped_column(sa.ForeignKey("subject.id"))
    term_id: Mapped[int | None] = mapped_column(sa.ForeignKey("term.id"))
    teacher_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"))      # the regular teacher
    taught_by_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"))    # who teaches it (pay)
    room_id: Mapped[int | None] = mapped_column(sa.ForeignKey("room.id"))
    room_pinned: Mapped[bool] = mapped_column(default=False)  # the deputy chose this room
    status: Mapped[str] = mapped_column(sa.String(10), default="planned")
    cancellation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cancellation.id"), index=True)
    absence_id: Mapped[int | None] = mapped_column(sa.ForeignKey("teacher_absence.id"), index=True)
    flag: Mapped[str | None] = mapped_column(sa.String(20))
    moved_from_on: Mapped[date | None] = mapped_column(sa.Date)
    moved_from_period: Mapped[int | None]

    @property
    def substituted(self):
        return self.taught_by_id != self.teacher_id


class LessonChange(SchoolOwned, Created, Model):
    """Who changed a lesson or a timetable entry, when, why, old → new. Append-only."""

    __tablename__ = "lesson_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    lesson_id: Mapped[int | None] = mapped_column(sa.ForeignKey("lesson.id"), index=True)
    timetable_entry_id: Mapped[int | None] = mapped_column(sa.ForeignKey("timetable_entry.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    old: Mapped[dict | None] = mapped_column(sa.JSON)
    new: Mapped[dict | None] = mapped_column(sa.JSON)
    reason: Mapped[str] = mapped_column(sa.String(200))
    actor_account_id: Mapped[int | None] = mapped_column(sa.ForeignKey("account.id"))


class KioskLink(PublicIdMixin, SchoolOwned, Created, Model):
    """A revocable link for the hall screen: only a keyed hash of its token is stored."""

    __tablename__ = "kiosk_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    label: Mapped[str] = mapped_column(sa.String(80))
    created_by_account_id: Mapped[int | None] = mapped_column(sa.ForeignKey("account.id"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
