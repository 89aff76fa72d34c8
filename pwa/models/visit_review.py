"""A coordinator's review of a diary entry, with an optional comment back to the mentor."""
import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pwa.core import clock
from pwa.models.base import Base, UUIDKey
from pwa.models.family import family_programme
from pwa.models.types import EncryptedText, UTCDateTime
from pwa.models.user import User
from pwa.models.visit import Visit


class VisitReview(UUIDKey, Base):
    """One review per entry: marked reviewed, perhaps with a comment the mentor sees."""

    __tablename__ = "visit_reviews"

    visit_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("visits.id"), unique=True)
    reviewer_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id"))
    reviewed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    comment: Mapped[str | None] = mapped_column(EncryptedText)

    reviewer: Mapped[User] = relationship(lazy="joined")


class ReviewQueue(Base):
    """Entries waiting for their coordinator's review: kept short, so the dashboard never scans the diary.

    A row is added when an entry is written, removed when it is reviewed or
    corrected (the correction waits in its place), by the hooks below, whatever
    code wrote the entry.
    """

    __tablename__ = "review_queue"
    __table_args__ = (sa.Index("ix_review_queue_programme", "programme_id", "created_at", "visit_id"),)

    visit_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("visits.id", ondelete="CASCADE"), primary_key=True)
    family_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("families.id"), index=True)
    programme_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("programmes.id"))  # its family's, which never changes
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    talk_to_coordinator: Mapped[bool]


_ENQUEUE = sa.insert(ReviewQueue).values(programme_id=family_programme(sa.bindparam("of_family")))  # built once


@event.listens_for(Visit, "after_insert")
def _queue_entry(mapper, connection, visit: Visit) -> None:
    """A new entry waits for review; the one it corrects no longer does."""
    connection.execute(_ENQUEUE, {"visit_id": visit.id, "family_id": visit.family_id, "of_family": visit.family_id,
                                  "created_at": visit.created_at or clock.now(),
                                  "talk_to_coordinator": bool(visit.talk_to_coordinator)})
    if visit.corrects_id is not None:
        connection.execute(sa.delete(ReviewQueue).where(ReviewQueue.visit_id == visit.corrects_id))


@event.listens_for(VisitReview, "after_insert")
def _dequeue_entry(mapper, connection, review: VisitReview) -> None:
    """A reviewed entry leaves the queue."""
    connection.execute(sa.delete(ReviewQueue).where(ReviewQueue.visit_id == review.visit_id))
