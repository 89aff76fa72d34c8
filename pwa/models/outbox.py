"""The mail outbox: rows committed with the work that causes them, sent by the worker."""
import enum
import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from pwa.core import clock
from pwa.models.base import Base, UUIDKey
from pwa.models.types import EncryptedText, UTCDateTime


class MailKind(enum.Enum):
    account = "Account link"
    alert = "Concern alert"
    escalation = "Escalation"
    reminder = "Reminder"
    digest = "Digest"
    notice = "Notice"


class MailStatus(enum.Enum):
    pending = "Waiting to send"
    sent = "Accepted by the mail server"
    dead = "Failed permanently"


class OutboxMessage(UUIDKey, Base):
    """One email to send; recipients may be resolved only when it is sent."""

    __tablename__ = "outbox_messages"
    __table_args__ = (
        sa.Index("ix_outbox_due", "status", "next_attempt_at"),
        sa.CheckConstraint("attempts >= 0", name="attempts_nonnegative"),
        sa.CheckConstraint("to_address IS NOT NULL OR recipient_rule IS NOT NULL", name="has_recipient"),
    )

    kind: Mapped[MailKind] = mapped_column(sa.Enum(MailKind, name="mail_kind", create_constraint=True))
    message_id: Mapped[str] = mapped_column(sa.String(120), unique=True)
    to_address: Mapped[str | None] = mapped_column(EncryptedText)
    recipient_rule: Mapped[str | None] = mapped_column(sa.String(40))
    subject_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid, index=True)
    subject: Mapped[str] = mapped_column(sa.String(200))
    body_text: Mapped[str] = mapped_column(EncryptedText)
    body_html: Mapped[str | None] = mapped_column(EncryptedText)
    status: Mapped[MailStatus] = mapped_column(
        sa.Enum(MailStatus, name="mail_status", create_constraint=True), default=MailStatus.pending
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(sa.String(300))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_to: Mapped[str | None] = mapped_column(EncryptedText)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
