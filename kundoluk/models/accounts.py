"""Global identity: people, their accounts and guardianships (not school-owned)."""
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kundoluk import names
from kundoluk.models.base import Created, Model, PublicIdMixin, UTCDateTime

LANGUAGES = ("ky", "ru")


class Person(PublicIdMixin, Created, Model):
    __tablename__ = "person"

    id: Mapped[int] = mapped_column(primary_key=True)
    family_name: Mapped[str | None] = mapped_column(sa.String(80))
    given_name: Mapped[str] = mapped_column(sa.String(80))
    patronymic: Mapped[str | None] = mapped_column(sa.String(80))
    sort_key: Mapped[str] = mapped_column(sa.String(255), index=True)
    search_key: Mapped[str] = mapped_column(sa.String(255), index=True)
    birth_date: Mapped[date | None] = mapped_column(sa.Date)
    language: Mapped[str] = mapped_column(sa.String(2), default="ky")
    # The personal number (ПИН) is kept only as a keyed hash and its last four digits.
    pin_hash: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    pin_last4: Mapped[str | None] = mapped_column(sa.String(4))

    account: Mapped["Account | None"] = relationship(back_populates="person", uselist=False,
                                                     foreign_keys="Account.person_id")

    def set_name(self, family_name, given_name, patronymic):
        """Set the three name parts and recompute the stored keys."""
        self.family_name = family_name or None
        self.given_name = given_name
        self.patronymic = patronymic or None
        shown = self.full_name
        self.sort_key = names.sort_key(shown)
        self.search_key = names.search_key(shown)

    @property
    def full_name(self):
        return names.display_name(self.family_name, self.given_name, self.patronymic)

    @property
    def short_name(self):
        return names.short_name(self.family_name, self.given_name, self.patronymic)


class Account(Created, Model):
    """A person's login. No password hash means "not issued yet"."""

    __tablename__ = "account"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), unique=True)
    login: Mapped[str] = mapped_column(sa.String(64), unique=True)
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    must_change_password: Mapped[bool] = mapped_column(default=True)
    privacy_accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    language_chosen: Mapped[bool] = mapped_column(default=False)
    session_version: Mapped[int] = mapped_column(default=1)
    active: Mapped[bool] = mapped_column(default=True)
    is_demo: Mapped[bool] = mapped_column(default=False)
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The role context used last, e.g. "staff:12" or "parent" (see kundoluk.web.access).
    last_context: Mapped[str | None] = mapped_column(sa.String(40))
    # The diary: the child a parent looked at last, and the newest event already seen.
    last_child_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))
    seen_event_id: Mapped[int] = mapped_column(default=0)

    person: Mapped[Person] = relationship(back_populates="account", foreign_keys=[person_id])

    @property
    def status(self):
        """'not_issued', 'issued' (first sign-in pending) or 'active'."""
        if not self.password_hash:
            return "not_issued"
        if self.must_change_password or self.privacy_accepted_at is None:
            return "issued"
        return "active"


class Guardianship(Created, Model):
    """A parent (legal representative) of a pupil, for a dated span; global, across schools."""

    __tablename__ = "guardianship"

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), index=True)
    pupil_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), index=True)
    valid_from: Mapped[date] = mapped_column(sa.Date)
    valid_to: Mapped[date | None] = mapped_column(sa.Date)

    parent: Mapped[Person] = relationship(foreign_keys=[parent_id])
    pupil: Mapped[Person] = relationship(foreign_keys=[pupil_id])
