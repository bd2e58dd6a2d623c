"""Schools and their year: calendar, shifts, classes, enrolments, subjects, groups, staff."""
from datetime import date, time

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kundoluk.models.base import Created, Model, PublicIdMixin, SchoolOwned, Versioned, new_public_id

# Staff roles held through a membership. Pupils hold theirs through enrolment,
# parents through guardianship.
STAFF_ROLES = ("admin", "director", "deputy", "class_teacher", "teacher")
INSTRUCTION_LANGUAGES = ("ky", "ru", "uz", "en")
GROUP_KINDS = ("class", "subgroup", "elective")
TERM_KINDS = ("quarter", "half")
SCHEMES = ("five_point", "points", "no_marks", "criteria")


class PublicIdIndexed:
    """An opaque public id, like PublicIdMixin, kept unique by a unique index: these tables got
    their id after they held rows, and SQLite can add a unique index but not a unique constraint
    without rebuilding the table (migration 0002_setup)."""

    public_id: Mapped[str] = mapped_column(sa.String(24), unique=True, index=True, default=new_public_id)


class District(Model):
    __tablename__ = "district"

    id: Mapped[int] = mapped_column(primary_key=True)
    name_ky: Mapped[str] = mapped_column(sa.String(120))
    name_ru: Mapped[str] = mapped_column(sa.String(120))


class School(PublicIdMixin, Versioned, Model):
    __tablename__ = "school"

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(sa.ForeignKey("district.id"), index=True)
    name_ky: Mapped[str] = mapped_column(sa.String(200))
    name_ru: Mapped[str] = mapped_column(sa.String(200))
    timezone: Mapped[str] = mapped_column(sa.String(40), default="Asia/Bishkek")
    # The deputy or the administrator may let the director do the year's set-up too.
    director_may_set_up: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    district: Mapped[District] = relationship()


class Membership(SchoolOwned, Created, Model):
    """A staff role in a school for a dated span; a class teacher's is scoped to a class."""

    __tablename__ = "membership"
    __table_args__ = (sa.CheckConstraint(
        "role IN ('admin', 'director', 'deputy', 'class_teacher', 'teacher')", name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), index=True)
    role: Mapped[str] = mapped_column(sa.String(20))
    school_class_id: Mapped[int | None] = mapped_column(sa.ForeignKey("school_class.id"), index=True)
    valid_from: Mapped[date] = mapped_column(sa.Date)
    valid_to: Mapped[date | None] = mapped_column(sa.Date)

    person = relationship("Person")
    school = relationship(School)
    school_class = relationship("SchoolClass")


class AcademicYear(SchoolOwned, Model):
    __tablename__ = "academic_year"

    id: Mapped[int] = mapped_column(primary_key=True)
    starts_on: Mapped[date] = mapped_column(sa.Date)
    ends_on: Mapped[date] = mapped_column(sa.Date)

    @property
    def label(self):
        return f"{self.starts_on.year}–{self.ends_on.year}"


class Term(PublicIdIndexed, SchoolOwned, Versioned, Model):
    """A quarter or half-year, for a range of grades (grades 10–11 may use halves)."""

    __tablename__ = "term"

    id: Mapped[int] = mapped_column(primary_key=True)
    academic_year_id: Mapped[int] = mapped_column(sa.ForeignKey("academic_year.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(10))
    number: Mapped[int]
    grade_from: Mapped[int]
    grade_to: Mapped[int]
    starts_on: Mapped[date] = mapped_column(sa.Date)
    ends_on: Mapped[date] = mapped_column(sa.Date)


class Holiday(PublicIdIndexed, SchoolOwned, Versioned, Model):
    """Days off for a range of grades (first-graders' extra week is a holiday for grade 1 only)."""

    __tablename__ = "holiday"

    id: Mapped[int] = mapped_column(primary_key=True)
    academic_year_id: Mapped[int] = mapped_column(sa.ForeignKey("academic_year.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(20))  # autumn, winter, spring, extra, public
    grade_from: Mapped[int]
    grade_to: Mapped[int]
    starts_on: Mapped[date] = mapped_column(sa.Date)
    ends_on: Mapped[date] = mapped_column(sa.Date)


class Shift(PublicIdIndexed, SchoolOwned, Model):
    __tablename__ = "shift"
    __table_args__ = (sa.UniqueConstraint("school_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int]


class Bell(SchoolOwned, Model):
    """Lesson number → local start and end time, for a shift."""

    __tablename__ = "bell"
    __table_args__ = (sa.UniqueConstraint("shift_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shift_id: Mapped[int] = mapped_column(sa.ForeignKey("shift.id"), index=True)
    period: Mapped[int]
    starts_at: Mapped[time] = mapped_column(sa.Time)
    ends_at: Mapped[time] = mapped_column(sa.Time)


class BellOverride(SchoolOwned, Model):
    """One date's bell for a shift (a shortened day)."""

    __tablename__ = "bell_override"
    __table_args__ = (sa.UniqueConstraint("shift_id", "on_date", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shift_id: Mapped[int] = mapped_column(sa.ForeignKey("shift.id"), index=True)
    on_date: Mapped[date] = mapped_column(sa.Date)
    period: Mapped[int]
    starts_at: Mapped[time] = mapped_column(sa.Time)
    ends_at: Mapped[time] = mapped_column(sa.Time)


class AssessmentBand(PublicIdIndexed, SchoolOwned, Model):
    """Which assessment scheme a range of grades uses in a year (5-point by default)."""

    __tablename__ = "assessment_band"

    id: Mapped[int] = mapped_column(primary_key=True)
    academic_year_id: Mapped[int] = mapped_column(sa.ForeignKey("academic_year.id"), index=True)
    grade_from: Mapped[int]
    grade_to: Mapped[int]
    scheme: Mapped[str] = mapped_column(sa.String(20), default="five_point")
    max_points: Mapped[int | None]


class SchoolClass(PublicIdMixin, SchoolOwned, Versioned, Model):
    __tablename__ = "school_class"
    __table_args__ = (sa.UniqueConstraint("academic_year_id", "grade", "letter"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    academic_year_id: Mapped[int] = mapped_column(sa.ForeignKey("academic_year.id"), index=True)
    grade: Mapped[int]
    letter: Mapped[str] = mapped_column(sa.String(4))
    language: Mapped[str] = mapped_column(sa.String(2))
    shift_id: Mapped[int] = mapped_column(sa.ForeignKey("shift.id"))

    shift = relationship(Shift)

    @property
    def label(self):
        return f"{self.grade}-{self.letter}"


class Enrolment(SchoolOwned, Model):
    """A pupil in a class for a dated span (valid_to set when they leave)."""

    __tablename__ = "enrolment"

    id: Mapped[int] = mapped_column(primary_key=True)
    pupil_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), index=True)
    school_class_id: Mapped[int] = mapped_column(sa.ForeignKey("school_class.id"), index=True)
    valid_from: Mapped[date] = mapped_column(sa.Date)
    valid_to: Mapped[date | None] = mapped_column(sa.Date)

    pupil = relationship("Person")
    school_class = relationship(SchoolClass)


class Subject(PublicIdMixin, SchoolOwned, Versioned, Model):
    __tablename__ = "subject"
    # A national code once per school (NULL codes may repeat); an index, see PublicIdIndexed.
    __table_args__ = (sa.Index("ix_subject_school_id_code", "school_id", "code", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str | None] = mapped_column(sa.String(20))  # national subject code
    name_ky: Mapped[str] = mapped_column(sa.String(120))
    name_ru: Mapped[str] = mapped_column(sa.String(120))


class StudyGroup(PublicIdMixin, SchoolOwned, Model):
    """Who is taught together: a whole class (members = its enrolments), a subgroup, an elective."""

    __tablename__ = "study_group"

    id: Mapped[int] = mapped_column(primary_key=True)
    academic_year_id: Mapped[int] = mapped_column(sa.ForeignKey("academic_year.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(10))
    school_class_id: Mapped[int | None] = mapped_column(sa.ForeignKey("school_class.id"), index=True)
    name: Mapped[str | None] = mapped_column(sa.String(80))

    school_class = relationship(SchoolClass)


class GroupMember(SchoolOwned, Model):
    """A dated member of a subgroup or elective (never of a whole-class group)."""

    __tablename__ = "group_member"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(sa.ForeignKey("study_group.id"), index=True)
    pupil_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), index=True)
    valid_from: Mapped[date] = mapped_column(sa.Date)
    valid_to: Mapped[date | None] = mapped_column(sa.Date)


class TeachingAssignment(PublicIdMixin, SchoolOwned, Model):
    """A teacher teaches a subject to a group, so many hours a week, for a dated span."""

    __tablename__ = "teaching_assignment"

    id: Mapped[int] = mapped_column(primary_key=True)
    teacher_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), index=True)
    subject_id: Mapped[int] = mapped_column(sa.ForeignKey("subject.id"), index=True)
    group_id: Mapped[int] = mapped_column(sa.ForeignKey("study_group.id"), index=True)
    hours_per_week: Mapped[int] = mapped_column(default=1)
    valid_from: Mapped[date] = mapped_column(sa.Date)
    valid_to: Mapped[date | None] = mapped_column(sa.Date)

    teacher = relationship("Person")
    subject = relationship(Subject)
    group = relationship(StudyGroup)
