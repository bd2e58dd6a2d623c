"""The write contract (DESIGN §3): client_id, base_version, device_time.

Every journal write (and set-up edit that may race) goes through save(): it is
idempotent on client_id, refuses a stale base_version as a conflict, and appends
the old and new values to change_history in the same transaction.
"""
import hashlib
import json
import uuid
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.orm.exc import StaleDataError

from kundoluk.extensions import db
from kundoluk.models import ChangeHistory, WriteReceipt


class BadClientId(ValueError):
    pass


@dataclass
class WriteResult:
    row: object
    conflict: bool = False      # base_version was stale: nothing written
    replayed: bool = False      # this client_id was applied before: nothing written again
    mismatch: bool = False      # this client_id was applied before with other content
    base_version: int | None = None

    @property
    def ok(self):
        return not (self.conflict or self.mismatch)


def parse_client_id(value):
    """Return the canonical form of a client-made UUID, or raise BadClientId."""
    try:
        return str(uuid.UUID(str(value)))
    except (ValueError, TypeError, AttributeError):
        raise BadClientId(value) from None


def _plain(value):
    """A JSON-safe copy of a column value for change_history."""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _digest(table, row_id, values):
    body = json.dumps({"t": table, "r": row_id, "v": {k: _plain(v) for k, v in values.items()}},
                      sort_keys=True, default=str)
    return hashlib.sha256(body.encode()).hexdigest()


def save(model, *, values, school_id, client_id, base_version=None, row=None,
         device_time=None, actor=None):
    """Create (row=None) or update a Versioned row; idempotent on client_id; stale version -> conflict."""
    client_id = parse_client_id(client_id)
    table = model.__tablename__
    digest = _digest(table, row.id if row is not None else None, values)
    # Looked up across schools: a client_id is global, and one used elsewhere is a mismatch.
    receipt = db.session.get(WriteReceipt, client_id, execution_options={"all_schools": True})
    if receipt is not None:
        same = (receipt.payload_hash == digest and receipt.table_name == table
                and receipt.school_id == school_id
                and receipt.account_id == (actor.id if actor is not None else None))
        return WriteResult(db.session.get(model, receipt.row_id), replayed=same, mismatch=not same,
                           base_version=base_version)
    if row is not None and base_version != row.version:
        return WriteResult(row, conflict=True, base_version=base_version)

    old = None if row is None else {k: _plain(getattr(row, k)) for k in values}
    if row is None:
        row = model(school_id=school_id, **values)
        db.session.add(row)
    else:
        for key, value in values.items():
            setattr(row, key, value)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except StaleDataError:
        db.session.refresh(row)
        return WriteResult(row, conflict=True, base_version=base_version)
    actor_id = actor.id if actor is not None else None
    db.session.add(ChangeHistory(
        school_id=school_id, actor_account_id=actor_id, table_name=table, row_id=row.id,
        old=old, new={k: _plain(v) for k, v in values.items()},
        client_id=client_id, device_time=device_time))
    db.session.add(WriteReceipt(
        client_id=client_id, school_id=school_id, account_id=actor_id, table_name=table,
        row_id=row.id, payload_hash=digest, version=row.version))
    return WriteResult(row, base_version=base_version)
