"""Outcome frameworks (areas, scale, wording) and the readings taken against them."""
import enum
import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pwa.core import clock
from pwa.models.base import Base, UUIDKey
from pwa.models.types import EncryptedText, UTCDateTime


class OutcomeFramework(UUIDKey, Base):
    """A scheme's outcome areas and scale; never edited once loaded (readings depend on its wording)."""

    __tablename__ = "outcome_frameworks"
    __table_args__ = (
        sa.CheckConstraint("scale_min >= 0 AND scale_max <= 100 AND scale_max > scale_min", name="scale_range"),
    )

    key: Mapped[str] = mapped_column(sa.String(60), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    description: Mapped[str | None] = mapped_column(sa.Text)
    scale_min: Mapped[int]
    scale_max: Mapped[int]
    scale_labels: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    programme_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("programmes.id"), index=True)
    builtin: Mapped[bool] = mapped_column(default=False)
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    areas: Mapped[list["OutcomeArea"]] = relationship(order_by="OutcomeArea.position", lazy="selectin",
                                                      back_populates="framework")

    def scale_words(self) -> list[tuple[int, str]]:
        """The framework's wording for each score, lowest score first (1, 2 ... 10, not 1, 10, 2)."""
        return sorted((int(score), words) for score, words in (self.scale_labels or {}).items())

    def label_for(self, score: int) -> str | None:
        """The framework's wording for a score, when it has some."""
        return (self.scale_labels or {}).get(str(score))


class OutcomeArea(UUIDKey, Base):
    __tablename__ = "outcome_areas"
    __table_args__ = (
        sa.UniqueConstraint("framework_id", "key", name="uq_outcome_areas_framework_key"),
        sa.UniqueConstraint("framework_id", "position", name="uq_outcome_areas_framework_position"),
    )

    framework_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("outcome_frameworks.id"))
    position: Mapped[int]
    key: Mapped[str] = mapped_column(sa.String(60))
    name: Mapped[str] = mapped_column(sa.String(120))
    description: Mapped[str | None] = mapped_column(sa.Text)

    framework: Mapped[OutcomeFramework] = relationship(back_populates="areas", lazy="select")


class ReadingOccasion(enum.Enum):
    start = "Start"
    review = "Review"
    end = "End"


class OutcomeReading(UUIDKey, Base):
    """Where the family stands in each area on a day, as the family and the mentor see it."""

    __tablename__ = "outcome_readings"
    __table_args__ = (sa.Index("ix_outcome_readings_family_taken", "family_id", "taken_on"),)

    family_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("families.id"))
    framework_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("outcome_frameworks.id"), index=True)
    taken_on: Mapped[date]
    occasion: Mapped[ReadingOccasion] = mapped_column(
        sa.Enum(ReadingOccasion, name="reading_occasion", create_constraint=True))
    note: Mapped[str | None] = mapped_column(EncryptedText)
    recorded_by_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    scores: Mapped[list["OutcomeScore"]] = relationship(lazy="selectin")

    def score_for(self, area_id, perspective: str) -> int | None:
        """One area's score from the family's or the mentor's perspective."""
        for score in self.scores:
            if score.area_id == area_id:
                return getattr(score, f"{perspective}_score")
        return None


class OutcomeScore(Base):
    """One area of one reading: the family's score and the mentor's, side by side."""

    __tablename__ = "outcome_scores"
    __table_args__ = (
        sa.CheckConstraint("family_score IS NOT NULL OR mentor_score IS NOT NULL", name="some_score"),
        sa.CheckConstraint("family_score IS NULL OR family_score BETWEEN 0 AND 100", name="family_score_range"),
        sa.CheckConstraint("mentor_score IS NULL OR mentor_score BETWEEN 0 AND 100", name="mentor_score_range"),
    )

    reading_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("outcome_readings.id"), primary_key=True)
    area_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("outcome_areas.id"), primary_key=True)
    family_score: Mapped[int | None]
    mentor_score: Mapped[int | None]
