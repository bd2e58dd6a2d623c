"""Web push: devices that subscribed, and what was (or will be) delivered to them."""
from datetime import datetime, time

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kundoluk.models.base import Created, Model, PublicIdMixin, UTCDateTime

CATEGORIES = ("mark", "attendance", "homework", "remark", "timetable")


class PushSubscription(PublicIdMixin, Created, Model):
    """One browser on one device of one account; preferences are per device.

    Global, not school-owned: a parent's phone hears about children in any school.
    """

    __tablename__ = "push_subscription"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(sa.ForeignKey("account.id"), index=True)
    endpoint: Mapped[str] = mapped_column(sa.String(1000), unique=True)
    p256dh: Mapped[str] = mapped_column(sa.String(120))
    auth: Mapped[str] = mapped_column(sa.String(40))
    label: Mapped[str | None] = mapped_column(sa.String(120))  # e.g. "Android · Chrome"
    enabled: Mapped[bool] = mapped_column(default=True)
    categories: Mapped[list] = mapped_column(sa.JSON, default=lambda: list(CATEGORIES))
    quiet_from: Mapped[time | None] = mapped_column(sa.Time, default=time(21, 0))
    quiet_to: Mapped[time | None] = mapped_column(sa.Time, default=time(7, 0))
    digest: Mapped[bool] = mapped_column(default=False)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    account = relationship("Account")


class PushDelivery(Created, Model):
    """One notification for one device: planned when events are claimed, then sent.

    Unique per (subscription, group): a restarted worker never plans the same message
    twice, and a message in flight when the worker died is resent with the same Topic,
    so the phone replaces it instead of showing it twice.
    """

    __tablename__ = "push_delivery"
    __table_args__ = (sa.UniqueConstraint("subscription_id", "group_key"),
                      sa.Index("ix_push_delivery_due", "status", "due_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column(sa.ForeignKey("push_subscription.id", ondelete="CASCADE"))
    group_key: Mapped[str] = mapped_column(sa.String(80))
    pupil_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))
    category: Mapped[str] = mapped_column(sa.String(20))
    important: Mapped[bool] = mapped_column(default=False)
    content: Mapped[dict] = mapped_column(sa.JSON)  # language-neutral facts; texts rendered at send time
    status: Mapped[str] = mapped_column(sa.String(10), default="pending")  # pending, sent, failed
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(default=0)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_status: Mapped[int | None]
