"""A family's goal: proposed or set, agreed, worked on visit by visit, then closed."""
import enum
import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pwa.core import clock
from pwa.models.base import Base, UUIDKey
from pwa.models.outcome import OutcomeArea
from pwa.models.types import EncryptedText, UTCDateTime
from pwa.models.user import User


class GoalStatus(enum.Enum):
    proposed = "Proposed, awaiting the social worker"
    active = "Active"
    achieved = "Achieved"
    not_achieved = "Not achieved"
    dropped = "Dropped"


OPEN_STATUSES = (GoalStatus.proposed, GoalStatus.active)
CLOSED_STATUSES = (GoalStatus.achieved, GoalStatus.not_achieved, GoalStatus.dropped)


class Goal(UUIDKey, Base):
    __tablename__ = "goals"
    __table_args__ = (
        sa.CheckConstraint("(agreed_by_id IS NULL) = (agreed_at IS NULL)", name="agreement_complete"),
        sa.CheckConstraint("status <> 'proposed' OR agreed_by_id IS NULL", name="proposed_not_agreed"),
        sa.CheckConstraint("status NOT IN ('active', 'achieved', 'not_achieved') OR agreed_by_id IS NOT NULL",
                           name="worked_goal_agreed"),
        sa.CheckConstraint("(closed_on IS NULL) = (status IN ('proposed', 'active'))", name="closed_has_date"),
        sa.CheckConstraint("(closed_on IS NULL) = (closed_by_id IS NULL)", name="closed_by_someone"),
        sa.CheckConstraint("status NOT IN ('not_achieved', 'dropped') OR close_reason IS NOT NULL",
                           name="closing_reasoned"),
        sa.CheckConstraint("(family_agreed_on IS NULL) = (family_agreement_by_id IS NULL)",
                           name="family_agreement_complete"),
    )

    family_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("families.id"), index=True)
    title: Mapped[str] = mapped_column(EncryptedText)
    success_looks_like: Mapped[str] = mapped_column(EncryptedText)
    outcome_area_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("outcome_areas.id"))
    target_on: Mapped[date | None]
    status: Mapped[GoalStatus] = mapped_column(sa.Enum(GoalStatus, name="goal_status", create_constraint=True))
    proposed_by_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    agreed_by_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id"))
    agreed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    family_agreed_on: Mapped[date | None]
    family_agreement_by_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id"))
    closed_on: Mapped[date | None]
    closed_by_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id"))
    close_reason: Mapped[str | None] = mapped_column(EncryptedText)

    outcome_area: Mapped[OutcomeArea | None] = relationship(lazy="joined")
    proposed_by: Mapped[User] = relationship(foreign_keys=[proposed_by_id], lazy="joined")
    agreed_by: Mapped[User | None] = relationship(foreign_keys=[agreed_by_id], lazy="joined")

    @property
    def is_open(self) -> bool:
        """Still proposed or being worked on."""
        return self.status in OPEN_STATUSES
