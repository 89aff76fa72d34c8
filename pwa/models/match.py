"""A mentor matched to a family: timescale, reviews, extensions and ending."""
import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pwa.core import clock
from pwa.models.base import Base, UUIDKey
from pwa.models.enums import EndingReason, Stage
from pwa.models.family import Family
from pwa.models.types import EncryptedText, UTCDateTime
from pwa.models.user import User

MATCH_STAGES = (Stage.matching, Stage.support, Stage.ending)


class Match(UUIDKey, Base):
    __tablename__ = "matches"
    __table_args__ = (
        sa.CheckConstraint("agreed_end_on > started_on", name="end_after_start"),
        sa.CheckConstraint("stage IN ('matching', 'support', 'ending')", name="match_stage"),
        sa.CheckConstraint(
            "(ended_on IS NULL) = (ending_summary IS NULL) AND (ended_on IS NULL) = (ending_reason IS NULL)",
            name="ending_complete",
        ),
        sa.Index("ix_matches_mentor_active", "mentor_id", "ended_on"),
    )

    family_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("families.id"), index=True)
    mentor_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id"))
    matched_by_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id"))
    started_on: Mapped[date]
    agreed_end_on: Mapped[date]
    next_review_on: Mapped[date | None]
    stage: Mapped[Stage] = mapped_column(sa.Enum(Stage, name="stage", create_constraint=True), default=Stage.matching)
    ended_on: Mapped[date | None]
    ending_reason: Mapped[EndingReason | None] = mapped_column(
        sa.Enum(EndingReason, name="ending_reason", create_constraint=True)
    )
    ending_summary: Mapped[str | None] = mapped_column(EncryptedText)
    support_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    family: Mapped[Family] = relationship(lazy="joined")
    mentor: Mapped[User] = relationship(foreign_keys=[mentor_id], lazy="joined")
    reviews: Mapped[list["MatchReview"]] = relationship(order_by="MatchReview.held_on")
    extensions: Mapped[list["MatchExtension"]] = relationship(order_by="MatchExtension.decided_at")

    @property
    def active(self) -> bool:
        """The match is under way (not ended)."""
        return self.ended_on is None

    @classmethod
    def is_active(cls):
        """SQL: the match is under way (not ended); the one definition every query uses."""
        return cls.ended_on.is_(None)

    def days_to_end(self, today: date) -> int:
        """Days left to the agreed end (negative once past it)."""
        return (self.agreed_end_on - today).days


class MatchReview(UUIDKey, Base):
    __tablename__ = "match_reviews"

    match_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("matches.id"), index=True)
    held_on: Mapped[date]
    notes: Mapped[str] = mapped_column(EncryptedText)
    next_review_on: Mapped[date | None]
    recorded_by_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class MatchExtension(UUIDKey, Base):
    __tablename__ = "match_extensions"
    __table_args__ = (sa.CheckConstraint("new_end_on > previous_end_on", name="extends_later"),)

    match_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("matches.id"), index=True)
    previous_end_on: Mapped[date]
    new_end_on: Mapped[date]
    reason: Mapped[str] = mapped_column(EncryptedText)
    decided_by_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    decided_by: Mapped[User] = relationship(lazy="joined")
