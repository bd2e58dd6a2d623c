"""Every table, behind one import (the school model is densely cross-linked)."""
from kundoluk.models.base import SchoolOwned, UTCDateTime, Versioned  # noqa: F401
from kundoluk.models.accounts import Account, Guardianship, Person, LANGUAGES  # noqa: F401
from kundoluk.models.school import (  # noqa: F401
    AcademicYear, AssessmentBand, Bell, BellOverride, District, Enrolment, GroupMember, Holiday,
    Membership, School, SchoolClass, Shift, StudyGroup, Subject, TeachingAssignment, Term,
    STAFF_ROLES,
)
from kundoluk.models.history import (  # noqa: F401
    APPEND_ONLY_TABLES, AuditLog, ChangeHistory, NotificationEvent, WriteReceipt,
)
from kundoluk.models.timetable import AlternatingClass, Cancellation, KioskLink, Lesson, LessonChange, Room, TeacherAbsence, TimetableEntry  # noqa: F401,E402,E501
from kundoluk.models.push import PushDelivery, PushSubscription  # noqa: F401,E402
from kundoluk.models.credentials import IMPORT_KINDS, ImportBatch, ImportRow, ParentLinkCode  # noqa: F401,E402
from kundoluk.models.journal import AttendanceCheck, AttendanceEntry, AttendanceExcuse, IndividualHomework, JournalRemark, JournalSettings, LessonContent, Mark, Remark, TermMark  # noqa: F401,E402,E501
