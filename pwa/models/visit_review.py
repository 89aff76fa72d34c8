"""A coordinator's review of a diary entry, with an optional comment back to the mentor."""
import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pwa import clock
from pwa.models.base import Base, UUIDKey
from pwa.models.types import EncryptedText, UTCDateTime
from pwa.models.user import User


class VisitReview(UUIDKey, Base):
    """One review per entry: marked reviewed, perhaps with a comment the mentor sees."""

    __tablename__ = "visit_reviews"

    visit_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("visits.id"), unique=True)
    reviewer_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id"))
    reviewed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    comment: Mapped[str | None] = mapped_column(EncryptedText)

    reviewer: Mapped[User] = relationship(lazy="joined")
