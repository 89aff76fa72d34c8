"""Entries from the phone's sealed outbox that the server opened but could not store as a record.

Nothing a phone sends is dropped: what cannot be stored (it failed the form's
checks, its family is out of the sender's reach, its id was used for other
content, storing it failed, or it could not even be opened) waits here, still
encrypted, until a coordinator turns it into a record or dismisses it with a note.
"""
import enum
import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pwa.core import clock
from pwa.models.base import Base, UUIDKey
from pwa.models.types import EncryptedText, UTCDateTime
from pwa.models.user import User


class HeldReason(enum.Enum):
    invalid = "It did not pass the form's checks"
    out_of_reach = "Its family is no longer in the sender's reach"
    conflict = "Its id had already been used for different content"
    error = "Storing it failed"
    unopenable = "It could not be opened: sealed for another account, or damaged"


class HeldOutcome(enum.Enum):
    recorded = "Turned into a record"
    dismissed = "Dismissed"


class QuarantinedItem(UUIDKey, Base):
    """One held entry: the opened body re-encrypted (or, if it never opened, the envelope as received)."""

    __tablename__ = "quarantined_items"
    __table_args__ = (
        sa.CheckConstraint("body IS NOT NULL OR sealed IS NOT NULL", name="content_kept"),
        sa.CheckConstraint("(dealt_at IS NULL) = (outcome IS NULL) AND (dealt_at IS NULL) = (dealt_by_id IS NULL)",
                           name="dealt_complete"),
        sa.CheckConstraint("outcome IS NULL OR outcome != 'dismissed' OR note IS NOT NULL", name="dismissal_noted"),
        sa.CheckConstraint("outcome IS NULL OR outcome != 'recorded' OR record_id IS NOT NULL",
                           name="record_named"),
    )

    client_uuid: Mapped[uuid.UUID] = mapped_column(sa.Uuid, unique=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    author_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id"), index=True)
    programme_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("programmes.id"), index=True)
    family_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("families.id"))
    reason: Mapped[HeldReason] = mapped_column(sa.Enum(HeldReason, name="held_reason", create_constraint=True))
    errors: Mapped[str | None] = mapped_column(EncryptedText)  # JSON [{field, label, message}]
    body: Mapped[str | None] = mapped_column(EncryptedText)  # the opened entry's JSON
    sealed: Mapped[str | None] = mapped_column(sa.Text)  # the HPKE envelope as received, when it never opened
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, index=True)
    outcome: Mapped[HeldOutcome | None] = mapped_column(
        sa.Enum(HeldOutcome, name="held_outcome", create_constraint=True))
    dealt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    dealt_by_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id"))
    note: Mapped[str | None] = mapped_column(EncryptedText)
    record_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)  # the concern or visit made from it

    author: Mapped[User] = relationship(foreign_keys="QuarantinedItem.author_id", lazy="joined", innerjoin=True)
    dealt_by: Mapped[User | None] = relationship(foreign_keys="QuarantinedItem.dealt_by_id", lazy="selectin")

    @property
    def held(self) -> bool:
        """Still waiting for a person to deal with it."""
        return self.dealt_at is None
