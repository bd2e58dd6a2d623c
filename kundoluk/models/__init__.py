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
