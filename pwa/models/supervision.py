"""Supervision of mentors by their coordinator."""
import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from pwa.core import clock
from pwa.models.base import Base, UUIDKey
from pwa.models.types import EncryptedText, UTCDateTime


class SupervisionSession(UUIDKey, Base):
    """A supervision conversation with a mentor: when, notes, when next."""

    __tablename__ = "supervision_sessions"
    __table_args__ = (sa.CheckConstraint("next_on IS NULL OR next_on > held_on", name="next_after_held"),)

    mentor_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id"), index=True)
    supervisor_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id"))
    held_on: Mapped[date]
    notes: Mapped[str] = mapped_column(EncryptedText)
    next_on: Mapped[date | None]
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
