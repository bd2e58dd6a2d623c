"""Tell the timetable which lessons have journal content, so a timetable or calendar change
never deletes them (it flags them for the deputy instead)."""
import sqlalchemy as sa

from kundoluk.models import AttendanceCheck, AttendanceEntry, IndividualHomework, LessonContent, Mark, Remark
from kundoluk.timetable import content


def register():
    content.register_probe("journal_attendance", lambda ids: sa.select(AttendanceEntry.lesson_id).where(
        AttendanceEntry.lesson_id.in_(ids)))
    content.register_probe("journal_marks", lambda ids: sa.select(Mark.lesson_id).where(Mark.lesson_id.in_(ids)))
    content.register_probe("journal_content", lambda ids: sa.select(LessonContent.lesson_id).where(
        LessonContent.lesson_id.in_(ids),
        sa.or_(LessonContent.topic.is_not(None), LessonContent.homework.is_not(None),
               LessonContent.covered.is_not(None), LessonContent.work_note.is_not(None))))
    content.register_probe("journal_attendance_check", lambda ids: sa.select(AttendanceCheck.lesson_id).where(
        AttendanceCheck.lesson_id.in_(ids)))
    content.register_probe("journal_homework", lambda ids: sa.select(IndividualHomework.lesson_id).where(
        IndividualHomework.lesson_id.in_(ids)))
    content.register_probe("journal_remarks", lambda ids: sa.select(Remark.lesson_id).where(
        Remark.lesson_id.in_(ids)))
