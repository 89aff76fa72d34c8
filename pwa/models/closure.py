"""A family's case closed and reopened, legal holds, and the retention schedule's overrides and deletions.

- FamilyClosure: one closure (reason, note, the date, who) and, if it was reopened, why, when and by whom.
  Family.closed_on mirrors the open closure's date, so working lists filter on one column.
- LegalHold: while one is in force (set, not lifted) nothing of the family is deleted.
- RetentionOverride: a programme's own number of years (and, for concerns, age) for one record type;
  the defaults are in pwa/closure/rules.py.
- RetentionDeletion: what the schedule deleted: the record type, how many, by which rule, when. It names
  the family only by its (random) id and never holds content.
"""
import enum
import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pwa.core import clock
from pwa.models.base import Base, UUIDKey
from pwa.models.types import EncryptedText, UTCDateTime
from pwa.models.user import User


class ClosureReason(enum.Enum):
    plan_completed = "Support completed: the plan's outcomes were met"
    stepped_down = "Stepped down to a lower level of support"
    family_declined = "The family declined or withdrew"
    moved_away = "The family moved out of the area"
    escalated = "Escalated to statutory services"
    not_suitable = "Referral not suitable for the scheme"
    other = "Other"


class FamilyClosure(UUIDKey, Base):
    __tablename__ = "family_closures"
    __table_args__ = (
        sa.CheckConstraint("(reopened_at IS NULL) = (reopened_by_id IS NULL)"
                           " AND (reopened_at IS NULL) = (reopen_reason IS NULL)", name="reopening_complete"),
    )

    family_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("families.id"), index=True)
    closed_on: Mapped[date]
    reason: Mapped[ClosureReason] = mapped_column(sa.Enum(ClosureReason, name="closure_reason",
                                                          create_constraint=True))
    note: Mapped[str] = mapped_column(EncryptedText)
    closed_by_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id"))
    closed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    reopened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reopened_by_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id"))
    reopen_reason: Mapped[str | None] = mapped_column(EncryptedText)

    closed_by: Mapped[User] = relationship(foreign_keys=[closed_by_id], lazy="joined")
    reopened_by: Mapped[User | None] = relationship(foreign_keys=[reopened_by_id], lazy="joined")


class LegalHold(UUIDKey, Base):
    __tablename__ = "legal_holds"
    __table_args__ = (
        sa.CheckConstraint("(lifted_at IS NULL) = (lifted_by_id IS NULL)"
                           " AND (lifted_at IS NULL) = (lift_reason IS NULL)", name="lifting_complete"),
    )

    family_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("families.id"), index=True)
    reason: Mapped[str] = mapped_column(EncryptedText)
    set_by_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id"))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lifted_by_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id"))
    lift_reason: Mapped[str | None] = mapped_column(EncryptedText)

    set_by: Mapped[User] = relationship(foreign_keys=[set_by_id], lazy="joined")
    lifted_by: Mapped[User | None] = relationship(foreign_keys=[lifted_by_id], lazy="joined")


class RetentionOverride(UUIDKey, Base):
    __tablename__ = "retention_overrides"
    __table_args__ = (
        sa.UniqueConstraint("programme_id", "kind", name="uq_retention_overrides_programme_kind"),
        sa.CheckConstraint("years BETWEEN 1 AND 100", name="years_range"),
        sa.CheckConstraint("until_age IS NULL OR until_age BETWEEN 18 AND 100", name="age_range"),
    )

    programme_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("programmes.id"))
    kind: Mapped[str] = mapped_column(sa.String(20))
    years: Mapped[int]
    until_age: Mapped[int | None]
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class RetentionDeletion(UUIDKey, Base):
    __tablename__ = "retention_deletions"

    family_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, index=True)  # no key: the family may be gone
    programme_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("programmes.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    rule: Mapped[str] = mapped_column(sa.String(120))
    rows: Mapped[int]
    due_on: Mapped[date]
    deleted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
