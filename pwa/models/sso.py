"""A programme's single sign-on through its council's OpenID provider."""
import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from pwa.core import clock
from pwa.models.base import Base, UUIDKey
from pwa.models.enums import Role
from pwa.models.types import EncryptedText, UTCDateTime


class ProgrammeSSO(UUIDKey, Base):
    """Issuer, client and the email domains whose invited staff may sign in through it."""

    __tablename__ = "programme_sso"
    __table_args__ = (sa.CheckConstraint("role <> 'admin'", name="sso_not_admin"),)

    programme_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("programmes.id"), unique=True)
    enabled: Mapped[bool] = mapped_column(default=True)
    issuer: Mapped[str] = mapped_column(sa.String(300))
    client_id: Mapped[str] = mapped_column(sa.String(200))
    client_secret: Mapped[str] = mapped_column(EncryptedText)
    # Lower-case domains, one per line, e.g. "council.example.gov.uk".
    allowed_domains: Mapped[str] = mapped_column(sa.Text)
    role: Mapped[Role] = mapped_column(sa.Enum(Role, name="role", create_constraint=True))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, onupdate=clock.now)

    @property
    def domains(self) -> list[str]:
        """The allowed email domains."""
        return [d for d in (self.allowed_domains or "").split() if d]

    def allows(self, email: str) -> bool:
        """The email's domain is one of the allowed ones (exactly, not a suffix)."""
        return email.rpartition("@")[2].lower() in self.domains
