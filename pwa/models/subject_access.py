"""Subject-access requests answered: for which family, by whom, when and why (the reason encrypted)."""
import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from pwa.core import clock
from pwa.models.base import Base, UUIDKey
from pwa.models.types import EncryptedText, UTCDateTime


class SubjectAccessExport(UUIDKey, Base):
    """One subject-access export a coordinator downloaded; its audit row points here."""

    __tablename__ = "subject_access_exports"

    family_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("families.id", ondelete="CASCADE"), index=True)
    made_by_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(EncryptedText)
    made_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
