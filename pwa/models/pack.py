"""A report pack the worker prepared and keeps, encrypted, until it expires or the family's record changes.

A year's pack for a busy family takes seconds to lay out (pwa/casework/prepared.py says why it is
prepared rather than drawn per request). A row with no body is a request the worker has not
answered yet. Any write to the family's record deletes its packs (`_forget_changed` below), so a
stored pack is always the pack that would be drawn now; retention deletes them with the family.
"""
import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, Session, mapped_column

from pwa.core import clock
from pwa.models.base import Base, UUIDKey
from pwa.models.family import Family
from pwa.models.types import EncryptedText, UTCDateTime


class PreparedPack(UUIDKey, Base):
    """One family's pack for one period, as seen by the person who asked (their access drew it)."""

    __tablename__ = "prepared_packs"
    __table_args__ = (sa.UniqueConstraint("family_id", "prepared_for_id", "since", "until",
                                          name="uq_prepared_packs_family_for_range"),)

    family_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("families.id", ondelete="CASCADE"), index=True)
    prepared_for_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    since: Mapped[date]
    until: Mapped[date]
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    prepared_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    pdf: Mapped[str | None] = mapped_column(EncryptedText)  # the PDF, base64, sealed like every case field


# Rows written when a record is only read or exported: they never make a pack out of date.
_NOT_THE_RECORD = {"prepared_packs", "audit_events", "subject_access_exports", "family_search_tokens",
                   "web_sessions", "outbox_messages", "reminders_sent"}


def changed_families(session: Session) -> set:
    """Families whose record this flush writes: a row of theirs added, changed or deleted."""
    changed = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        table = getattr(obj, "__tablename__", None)
        if table in _NOT_THE_RECORD or (obj in session.dirty and not session.is_modified(obj)):
            continue
        if isinstance(obj, Family):
            changed.add(obj.id)
            continue
        owner = getattr(obj, "family_id", None)
        for parent in ("visit", "concern", "match", "reading", "child", "goal"):
            if owner is None and parent in obj.__dict__:  # loaded already: no query inside the flush
                owner = getattr(obj.__dict__[parent], "family_id", None)
        if owner is not None:
            changed.add(owner)
    return changed


_FORGET = (sa.delete(PreparedPack.__table__)  # built once: every flush that writes a record runs it
           .where(PreparedPack.__table__.c.family_id.in_(sa.bindparam("families", expanding=True))))


@event.listens_for(Session, "before_flush")
def _forget_changed(session: Session, flush_context, instances) -> None:
    """Delete the packs (prepared or waiting) of every family this flush changes."""
    changed = changed_families(session)
    if changed:
        session.connection().execute(_FORGET, {"families": list(changed)})  # no autoflush
