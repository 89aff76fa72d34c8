"""What child protection work runs on, beside the family: plan details, the people around the
children, corrections to the children's record, and which children a concern is about."""
import enum
import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pwa.core import clock
from pwa.models.base import Base, UUIDKey
from pwa.models.types import EncryptedText, UTCDateTime
from pwa.models.user import User


class CPCategory(enum.Enum):
    neglect = "Neglect"
    emotional = "Emotional abuse"
    physical = "Physical abuse"
    sexual = "Sexual abuse"
    multiple = "More than one category"


class PersonKind(enum.Enum):
    parent_carer = "Parent or carer"
    professional = "Professional"


class ChildChangeKind(enum.Enum):
    corrected = "Corrected"
    removed = "Removed"


class PlanDetails(UUIDKey, Base):
    """The plan as the council holds it, and what the mentor must know before a visit (one row a family)."""

    __tablename__ = "plan_details"

    family_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("families.id"), unique=True)
    plan_started_on: Mapped[date | None]
    cp_category: Mapped[CPCategory | None] = mapped_column(
        sa.Enum(CPCategory, name="cp_category", create_constraint=True))
    council_reference: Mapped[str | None] = mapped_column(EncryptedText)
    next_conference_on: Mapped[date | None]
    next_core_group_on: Mapped[date | None]
    next_review_on: Mapped[date | None]
    risks: Mapped[str | None] = mapped_column(EncryptedText)
    lone_working: Mapped[str | None] = mapped_column(EncryptedText)
    updated_by_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class FamilyPerson(UUIDKey, Base):
    """A parent or carer, or a key professional, around the family; removed, never deleted."""

    __tablename__ = "family_people"
    __table_args__ = (sa.CheckConstraint("(removed_at IS NULL) = (removed_by_id IS NULL)", name="removal_complete"),)

    family_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("families.id"), index=True)
    kind: Mapped[PersonKind] = mapped_column(sa.Enum(PersonKind, name="person_kind", create_constraint=True))
    name: Mapped[str] = mapped_column(EncryptedText)
    role: Mapped[str | None] = mapped_column(EncryptedText)
    agency: Mapped[str | None] = mapped_column(EncryptedText)
    contact: Mapped[str | None] = mapped_column(EncryptedText)
    added_by_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    removed_by_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id"))


class ChildChange(UUIDKey, Base):
    """Why a child's record was corrected or removed, by whom and when."""

    __tablename__ = "child_changes"

    child_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("children.id"), index=True)
    kind: Mapped[ChildChangeKind] = mapped_column(
        sa.Enum(ChildChangeKind, name="child_change_kind", create_constraint=True))
    reason: Mapped[str] = mapped_column(EncryptedText)
    changed_by_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    changed_by: Mapped[User] = relationship(lazy="joined")


class ConcernChild(Base):
    """A child a concern is about (a concern with none is about the family, not one child)."""

    __tablename__ = "concern_children"

    concern_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("concerns.id"), primary_key=True)
    child_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("children.id"), primary_key=True, index=True)

    child: Mapped["Child"] = relationship(lazy="joined")  # noqa: F821
