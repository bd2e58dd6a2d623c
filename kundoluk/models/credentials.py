"""Imports staged for preview, and one-time codes that link a parent's account to a child.

Both are school-owned. A staged import holds the rows of one uploaded file with each row's
problems until the user confirms; the personal number (ПИН) is staged only as its keyed
hash and last four digits, never as typed. Link codes are stored only as a keyed hash.
"""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from kundoluk.models.base import Created, Model, PublicIdMixin, SchoolOwned, UTCDateTime

IMPORT_KINDS = ("pupils", "parents", "staff")
IMPORT_STATUSES = ("parsing", "ready", "applying", "applied", "failed")


class ImportBatch(PublicIdMixin, SchoolOwned, Created, Model):
    """One uploaded file: its checking and applying progress, file-level error and counts."""

    __tablename__ = "import_batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(10))
    filename: Mapped[str] = mapped_column(sa.String(200))
    file_format: Mapped[str | None] = mapped_column(sa.String(10))   # xlsx, csv
    encoding: Mapped[str | None] = mapped_column(sa.String(20))      # csv only
    status: Mapped[str] = mapped_column(sa.String(10), default="parsing")
    error: Mapped[str | None] = mapped_column(sa.String(40))         # file-level problem code
    error_detail: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    notes: Mapped[list] = mapped_column(sa.JSON, default=list)       # e.g. ignored columns
    rows_total: Mapped[int] = mapped_column(default=0)
    rows_done: Mapped[int] = mapped_column(default=0)
    problem_rows: Mapped[int] = mapped_column(default=0)
    summary: Mapped[dict] = mapped_column(sa.JSON, default=dict)     # planned / applied counts
    created_by_account_id: Mapped[int | None] = mapped_column(sa.ForeignKey("account.id"))
    confirmed_by_account_id: Mapped[int | None] = mapped_column(sa.ForeignKey("account.id"))
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)   # the worker's heartbeat
    applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ImportRow(SchoolOwned, Model):
    """One data row of a staged file: its cleaned values and its problems (codes + params)."""

    __tablename__ = "import_row"
    __table_args__ = (sa.UniqueConstraint("batch_id", "row_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(sa.ForeignKey("import_batch.id"))
    row_number: Mapped[int]
    data: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    problems: Mapped[list] = mapped_column(sa.JSON, default=list)
    problem_count: Mapped[int] = mapped_column(default=0)   # so problem rows can be filtered


class ParentLinkCode(SchoolOwned, Created, Model):
    """A one-time code a parent enters in their own account to be linked to this pupil."""

    __tablename__ = "parent_link_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    pupil_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), index=True)
    code_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_by_account_id: Mapped[int | None] = mapped_column(sa.ForeignKey("account.id"))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    used_by_person_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))
