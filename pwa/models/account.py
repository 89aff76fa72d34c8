"""Server-side sessions, one-time account links and login throttling."""
import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pwa.core import clock
from pwa.models.base import Base, UUIDKey
from pwa.models.enums import TokenPurpose
from pwa.models.types import UTCDateTime


class WebSession(Base):
    """A browser session: the cookie holds a token, the row holds its hash and data."""

    __tablename__ = "web_sessions"

    token_hash: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    user_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    data: Mapped[str] = mapped_column(sa.Text, default="{}")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, index=True)

    # Loaded with the session row, so signing the request in costs one query.
    user: Mapped["User | None"] = relationship(lazy="joined")  # noqa: F821


class AccountToken(UUIDKey, Base):
    """A one-time link to set a password (invitation or reset)."""

    __tablename__ = "account_tokens"

    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[TokenPurpose] = mapped_column(sa.Enum(TokenPurpose, name="token_purpose", create_constraint=True))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class LoginThrottle(Base):
    """Failed sign-ins counted per account and per address, with a lock-out."""

    __tablename__ = "login_throttles"

    key: Mapped[str] = mapped_column(sa.String(80), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    window_started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
