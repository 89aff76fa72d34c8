"""What reminder emails went out, so each goes at most once."""
import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from pwa.core import clock
from pwa.models.base import Base, UUIDKey
from pwa.models.types import UTCDateTime


class ReminderSent(UUIDKey, Base):
    """One reminder or digest queued; `key` is unique (digest per person per day, reminder per contact)."""

    __tablename__ = "reminders_sent"

    key: Mapped[str] = mapped_column(sa.String(120), unique=True)
    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
