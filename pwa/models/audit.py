"""The append-only, hash-chained audit trail."""
import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from pwa.models.base import Base
from pwa.models.types import UTCDateTime


class AuditEvent(Base):
    """Who did what to which record, when; each row hashes the one before."""

    __tablename__ = "audit_events"
    __table_args__ = (
        sa.Index("ix_audit_events_at", "at"),  # recent events (repeated refusals)
        sa.Index("ix_audit_events_family", "family_id", "id"),  # who has seen a family's record, newest first
        sa.Index("ix_audit_events_family_actor", "family_id", "actor_id", "id"),  # ... filtered by person
    )

    id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    action: Mapped[str] = mapped_column(sa.String(40))
    object_type: Mapped[str] = mapped_column(sa.String(40))
    object_id: Mapped[str | None] = mapped_column(sa.String(40), index=True)
    prev_hash: Mapped[str] = mapped_column(sa.String(64))
    hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    # The family the event was about (pwa/core/audit_family.py), to find a family's events by an index.
    # Not part of the hashed content, so chains written before it existed still verify; no foreign key,
    # so the trail outlives a family whose records are deleted.
    family_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)


class AuditHead(Base):
    """One row: the chain's latest hash, locked to append in order."""

    __tablename__ = "audit_head"
    __table_args__ = (sa.CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    last_hash: Mapped[str] = mapped_column(sa.String(64))
    count: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"), default=0)
