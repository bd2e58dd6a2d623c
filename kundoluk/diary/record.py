"""Everything the school keeps about a pupil, as one workbook for their parent.

DESIGN §5 and the privacy notice promise it: "a parent may download everything about their
child". The sheets, in the parent's language: the pupil (and who may see their diary), classes,
groups, marks with every change, term and year marks, attendance, the class teacher's excuses,
remarks (parents-only ones too: the reader is a parent) and individual homework. Removed marks
and entries stay listed as removed: they are part of the record. The ПИН never leaves the
database, not even its last digits. Tenancy limits every school-owned row to the schools the
parent's context may read: every school the child was ever enrolled in.

One statement per sheet, whatever the size of the record.
"""
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import aliased

from kundoluk import clock
from kundoluk.credentials.queries import valid_on
from kundoluk.credentials.spreadsheets import write_xlsx
from kundoluk.extensions import db
from kundoluk.journal import schemes
from kundoluk.models import (
    AcademicYear, Account, AttendanceEntry, AttendanceExcuse, ChangeHistory, Enrolment, GroupMember, Guardianship,
    IndividualHomework, Lesson, Mark, Person, Remark, School, SchoolClass, StudyGroup, Subject, Term, TermMark,
)
from kundoluk.web.i18n import localized

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook(pupil):
    """XLSX bytes of the pupil's whole record."""
    sheets = [
        (_("Pupil"), _pupil_rows(pupil)),
        (_("Classes"), [[_("School"), _("Year"), _("Class"), _("From"), _("To")], *_classes(pupil)]),
        (_("Groups"), [[_("Group"), _("Class"), _("From"), _("To")], *_groups(pupil)]),
        (_("Marks"), [[_("Lesson date"), _("Subject"), _("Kind of work"), _("Weight"), _("Mark"), _("Comment"),
                       _("Teacher"), _("Entered"), _("Removed")], *_marks(pupil)]),
        (_("Changes of marks"), [[_("When"), _("Lesson date"), _("Subject"), _("Was"), _("Became"), _("Who")],
                                 *_mark_changes(pupil)]),
        (_("Term and year marks"), [[_("Year"), _("Term"), _("Subject"), _("Mark")], *_final_marks(pupil)]),
        (_("Attendance"), [[_("Lesson date"), _("Lesson"), _("Subject"), _("Absence or lateness"), _("Minutes late"),
                            _("Reason")], *_attendance(pupil)]),
        (_("Excuses"), [[_("First day"), _("Last day"), _("Absence or lateness"), _("Reason")], *_excuses(pupil)]),
        (_("Remarks"), [[_("Date"), _("Subject"), _("Teacher"), _("Remark"), _("Who sees it"),
                         _("Acknowledged")], *_remarks(pupil)]),
        (_("Individual homework"), [[_("Lesson date"), _("Subject"), _("Homework"), _("Due on"), _("Removed")],
                                    *_homework(pupil)]),
    ]
    return write_xlsx(sheets)


def file_name(pupil):
    return f"kundoluk-{pupil.public_id}-{clock.today().isoformat()}.xlsx"


def _day(value):
    """A date as the sheet shows it: ISO, which every spreadsheet program reads as a date."""
    return value.isoformat() if value else ""


def _moment(value):
    """A stored moment (UTC) in the school's time zone, to the minute."""
    return value.astimezone(ZoneInfo(clock.DEFAULT_TZ)).strftime("%Y-%m-%d %H:%M") if value else ""


def _yes(flag):
    return _("yes") if flag else ""


def _pupil_rows(pupil):
    account = db.session.execute(sa.select(Account).where(Account.person_id == pupil.id)).scalar_one_or_none()
    parents = db.session.execute(
        sa.select(Person).join(Guardianship, Guardianship.parent_id == Person.id)
        .where(Guardianship.pupil_id == pupil.id, valid_on(Guardianship, clock.today())).order_by(Person.sort_key)
    ).scalars().all()
    rows = [[_("Field"), _("Value")],
            [_("Family name"), pupil.family_name or ""],
            [_("Given name"), pupil.given_name],
            [_("Patronymic"), pupil.patronymic or ""],
            [_("Date of birth"), _day(pupil.birth_date)],
            [_("Login"), account.login if account else ""],
            [_("Last sign-in"), _moment(account.last_sign_in_at) if account else ""]]
    rows += [[_("Parent"), parent.full_name] for parent in parents]
    rows.append([_("Downloaded"), _moment(clock.now_utc())])
    return rows


def _classes(pupil):
    stmt = (sa.select(Enrolment, SchoolClass, School, AcademicYear)
            .join(SchoolClass, SchoolClass.id == Enrolment.school_class_id)
            .join(School, School.id == Enrolment.school_id)
            .join(AcademicYear, AcademicYear.id == SchoolClass.academic_year_id)
            .where(Enrolment.pupil_id == pupil.id).order_by(Enrolment.valid_from))
    return [[localized(school), year.label, school_class.label, _day(enrolment.valid_from), _day(enrolment.valid_to)]
            for enrolment, school_class, school, year in db.session.execute(stmt)]


def _groups(pupil):
    stmt = (sa.select(GroupMember, StudyGroup, SchoolClass)
            .join(StudyGroup, StudyGroup.id == GroupMember.group_id)
            .join(SchoolClass, SchoolClass.id == StudyGroup.school_class_id, isouter=True)
            .where(GroupMember.pupil_id == pupil.id).order_by(GroupMember.valid_from))
    return [[group.name or "", school_class.label if school_class else "", _day(member.valid_from),
             _day(member.valid_to)] for member, group, school_class in db.session.execute(stmt)]


def _kind(kind):
    return str(schemes.KINDS[kind][0]) if kind in schemes.KINDS else kind


def _marks(pupil):
    teacher = aliased(Person)
    stmt = (sa.select(Mark, Lesson.on_date, Subject, teacher)
            .join(Lesson, Lesson.id == Mark.lesson_id)
            .join(Subject, Subject.id == Lesson.subject_id)
            .join(teacher, teacher.id == Lesson.taught_by_id)
            .where(Mark.pupil_id == pupil.id).order_by(Lesson.on_date, Subject.id, Mark.slot))
    return [[_day(on_date), localized(subject), _kind(mark.kind), mark.weight, mark.value, mark.comment or "",
             person.full_name, _moment(mark.created_at), _yes(mark.deleted)]
            for mark, on_date, subject, person in db.session.execute(stmt)]


def _mark_changes(pupil):
    who = aliased(Person)
    stmt = (sa.select(ChangeHistory, Lesson.on_date, Subject, who)
            .join(Mark, sa.and_(ChangeHistory.table_name == Mark.__tablename__, ChangeHistory.row_id == Mark.id))
            .join(Lesson, Lesson.id == Mark.lesson_id)
            .join(Subject, Subject.id == Lesson.subject_id)
            .join(Account, Account.id == ChangeHistory.actor_account_id, isouter=True)
            .join(who, who.id == Account.person_id, isouter=True)
            .where(Mark.pupil_id == pupil.id).order_by(ChangeHistory.id))
    return [[_moment(change.created_at), _day(on_date), localized(subject), (change.old or {}).get("value") or "",
             (change.new or {}).get("value") or "", person.full_name if person else ""]
            for change, on_date, subject, person in db.session.execute(stmt)]


def _term_name(term, kind):
    if kind == "year":
        return _("Year mark")
    if term is None:
        return ""
    return _("Half-year %(n)d", n=term.number) if term.kind == "half" else _("Quarter %(n)d", n=term.number)


def _final_marks(pupil):
    stmt = (sa.select(TermMark, Subject, AcademicYear, Term)
            .join(Subject, Subject.id == TermMark.subject_id)
            .join(AcademicYear, AcademicYear.id == TermMark.academic_year_id)
            .join(Term, Term.id == TermMark.term_id, isouter=True)
            .where(TermMark.pupil_id == pupil.id, TermMark.deleted_at.is_(None))
            .order_by(AcademicYear.starts_on, TermMark.kind.desc(), Term.number, Subject.id))
    return [[year.label, _term_name(term, mark.kind), localized(subject), mark.value]
            for mark, subject, year, term in db.session.execute(stmt)]


def _code(code):
    return str(schemes.ATTENDANCE[code][0]) if code in schemes.ATTENDANCE else code


def _attendance(pupil):
    stmt = (sa.select(AttendanceEntry, Lesson, Subject)
            .join(Lesson, Lesson.id == AttendanceEntry.lesson_id)
            .join(Subject, Subject.id == Lesson.subject_id)
            .where(AttendanceEntry.pupil_id == pupil.id, AttendanceEntry.deleted_at.is_(None))
            .order_by(Lesson.on_date, Lesson.period))
    return [[_day(lesson.on_date), lesson.period, localized(subject), _code(entry.code), entry.late_minutes or "",
             entry.reason or ""] for entry, lesson, subject in db.session.execute(stmt)]


def _excuses(pupil):
    stmt = (sa.select(AttendanceExcuse).where(AttendanceExcuse.pupil_id == pupil.id)
            .order_by(AttendanceExcuse.starts_on))
    return [[_day(excuse.starts_on), _day(excuse.ends_on), _code(excuse.code), excuse.reason or ""]
            for excuse in db.session.execute(stmt).scalars()]


def _visibility(value):
    return _("Parents only") if value == "parents_only" else _("The pupil and the parents")


def _remarks(pupil):
    author = aliased(Person)
    stmt = (sa.select(Remark, author, Subject)
            .join(author, author.id == Remark.author_id)
            .join(Subject, Subject.id == Remark.subject_id, isouter=True)
            .where(Remark.pupil_id == pupil.id, Remark.deleted_at.is_(None)).order_by(Remark.created_at))
    return [[_moment(remark.created_at), localized(subject) if subject else "", person.full_name, remark.text,
             _visibility(remark.visibility), _moment(remark.acknowledged_at)]
            for remark, person, subject in db.session.execute(stmt)]


def _homework(pupil):
    stmt = (sa.select(IndividualHomework, Lesson.on_date, Subject)
            .join(Lesson, Lesson.id == IndividualHomework.lesson_id)
            .join(Subject, Subject.id == Lesson.subject_id)
            .where(IndividualHomework.pupil_id == pupil.id).order_by(Lesson.on_date))
    return [[_day(on_date), localized(subject), homework.text, _day(homework.due_on), _yes(homework.deleted)]
            for homework, on_date, subject in db.session.execute(stmt)]
