"""The audit log: every sign-in, failure and account change (append-only in the database)."""
from flask import has_request_context, request

from kundoluk.extensions import db
from kundoluk.models import AuditLog


def record(action, *, actor=None, subject=None, school_id=None, **detail):
    """Add an audit row to the current transaction. Never pass a password or a ПИН here."""
    ip = request.remote_addr if has_request_context() else None
    row = AuditLog(action=action, actor_account_id=getattr(actor, "id", None),
                   subject_person_id=getattr(subject, "id", None), school_id=school_id,
                   ip=ip, detail=detail)
    db.session.add(row)
    return row
