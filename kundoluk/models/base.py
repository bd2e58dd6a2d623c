"""Column types and mixins every table shares."""
import secrets
from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy.orm import declared_attr, Mapped, mapped_column

from kundoluk.extensions import db


class UTCDateTime(sa.types.TypeDecorator):
    """A timezone-aware UTC timestamp on both databases.

    PostgreSQL stores timestamptz; SQLite stores text and gives back naive values,
    so they are re-attached to UTC here and no caller ever sees a naive datetime.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def utcnow():
    from kundoluk import clock  # late: clock imports nothing from models, but keep models import-light
    return clock.now_utc()


def new_public_id():
    """An opaque, unguessable id for URLs (never a sequential integer)."""
    return secrets.token_urlsafe(12)


class PublicIdMixin:
    public_id: Mapped[str] = mapped_column(sa.String(24), unique=True, default=new_public_id)


class SchoolOwned:
    """Marks a table whose rows belong to one school; kundoluk.tenancy filters on it."""

    @declared_attr
    def school_id(cls) -> Mapped[int]:
        return mapped_column(sa.ForeignKey("school.id"), nullable=False, index=True)


class Versioned:
    """Rows written under the write contract (DESIGN §3): a version the client must name."""

    version: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1)

    # SQLAlchemy bumps the version on every UPDATE and adds "WHERE version = :seen",
    # so two writers racing on one row cannot both win (StaleDataError for the loser).
    @declared_attr.directive
    def __mapper_args__(cls):
        return {"version_id_col": cls.__table__.c.version}


class Created:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)


Model = db.Model
