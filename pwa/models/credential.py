"""Second factors: an authenticator app's secret, passkeys, recovery codes and remembered devices."""
import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from pwa.core import clock
from pwa.models.base import Base, UUIDKey
from pwa.models.types import EncryptedText, UTCDateTime


class TotpSecret(UUIDKey, Base):
    """A person's authenticator-app secret; usable once confirmed with a first code."""

    __tablename__ = "totp_secrets"

    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    secret: Mapped[str] = mapped_column(EncryptedText)
    # The time step of the last code accepted: a code is good once.
    last_step: Mapped[int | None] = mapped_column(sa.BigInteger)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class Passkey(UUIDKey, Base):
    """A WebAuthn credential (a passkey) registered by a person."""

    __tablename__ = "passkeys"

    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    credential_id: Mapped[bytes] = mapped_column(sa.LargeBinary, unique=True)
    public_key: Mapped[bytes] = mapped_column(sa.LargeBinary)
    sign_count: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    label: Mapped[str] = mapped_column(sa.String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class RecoveryCode(UUIDKey, Base):
    """One of ten single-use codes for when the phone is lost; only a hash is kept."""

    __tablename__ = "recovery_codes"

    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class RememberedDevice(UUIDKey, Base):
    """A browser excused from the second factor for a while (where the programme allows it)."""

    __tablename__ = "remembered_devices"

    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
