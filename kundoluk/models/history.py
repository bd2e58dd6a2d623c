"""The audit log, change history, write receipts and the event outbox.

audit_log and change_history are append-only: the database itself refuses UPDATE and
DELETE on them (triggers in the first migration). Receipts are only ever inserted; the
outbox's rows are claimed and marked handled by the delivery worker.
"""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from kundoluk.models.base import Created, Model, SchoolOwned, UTCDateTime

APPEND_ONLY_TABLES = ("audit_log", "change_history")


class AuditLog(Created, Model):
    """Who did what to whom: sign-ins, failures, account changes. Not school-owned:
    a shared account's events belong to every school it is in (school_id may be null)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int | None] = mapped_column(sa.ForeignKey("school.id"), index=True)
    actor_account_id: Mapped[int | None] = mapped_column(sa.ForeignKey("account.id"), index=True)
    subject_person_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"), index=True)
    action: Mapped[str] = mapped_column(sa.String(40))
    ip: Mapped[str | None] = mapped_column(sa.String(45))
    detail: Mapped[dict] = mapped_column(sa.JSON, default=dict)


class ChangeHistory(SchoolOwned, Created, Model):
    """Old → new value of a row written under the write contract (marks, attendance, set-up)."""

    __tablename__ = "change_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_account_id: Mapped[int | None] = mapped_column(sa.ForeignKey("account.id"))
    table_name: Mapped[str] = mapped_column(sa.String(40))
    row_id: Mapped[int]
    old: Mapped[dict | None] = mapped_column(sa.JSON)
    new: Mapped[dict | None] = mapped_column(sa.JSON)
    client_id: Mapped[str | None] = mapped_column(sa.String(36))
    device_time: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (sa.Index("ix_change_history_row", "table_name", "row_id"),)


class WriteReceipt(SchoolOwned, Created, Model):
    """One per client_id ever applied: makes every contract write idempotent."""

    __tablename__ = "write_receipt"

    client_id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    account_id: Mapped[int | None] = mapped_column(sa.ForeignKey("account.id"))
    table_name: Mapped[str] = mapped_column(sa.String(40))
    row_id: Mapped[int]
    payload_hash: Mapped[str] = mapped_column(sa.String(64))
    version: Mapped[int]


class NotificationEvent(SchoolOwned, Created, Model):
    """The outbox: a domain fact families may hear about, written in the change's transaction."""

    __tablename__ = "notification_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(40))
    pupil_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"), index=True)
    object_type: Mapped[str | None] = mapped_column(sa.String(40))
    object_id: Mapped[int | None]
    payload: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    important: Mapped[bool] = mapped_column(default=False)
    actor_account_id: Mapped[int | None] = mapped_column(sa.ForeignKey("account.id"))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(sa.String(64))
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
