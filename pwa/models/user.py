"""People who sign in: admins, coordinators, social workers and mentors."""
import uuid
from datetime import date, datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pwa.core import clock
from pwa.core.dates import add_months
from pwa.models.base import Base, UUIDKey
from pwa.models.enums import Role
from pwa.models.programme import Programme
from pwa.models.types import EncryptedText, UTCDateTime


class User(UUIDKey, UserMixin, Base):
    __tablename__ = "users"
    __table_args__ = (
        sa.CheckConstraint("role = 'admin' OR programme_id IS NOT NULL", name="staff_in_programme"),
        sa.CheckConstraint("email = lower(email)", name="email_lowercase"),
        # Two-person rule: an account awaiting a second person's approval cannot sign in.
        sa.CheckConstraint("approval_requested_by_id IS NULL OR NOT active", name="pending_inactive"),
    )

    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(EncryptedText)
    phone: Mapped[str | None] = mapped_column(EncryptedText)
    role: Mapped[Role] = mapped_column(sa.Enum(Role, name="role", create_constraint=True))
    programme_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("programmes.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    password_hash: Mapped[str | None] = mapped_column(sa.String(200))
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    dbs_checked_on: Mapped[date | None]
    cp_trained_on: Mapped[date | None]
    inducted_on: Mapped[date | None]
    digest_emails: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    reminder_emails: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    # Who created or changed the account in a way a second person must approve (NULL: nothing awaits).
    approval_requested_by_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id"))
    approved_by_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    disabled_by_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id"))

    programme: Mapped[Programme | None] = relationship(lazy="joined")

    @property
    def awaiting_approval(self) -> bool:
        """A second person has still to approve this account's access."""
        return self.approval_requested_by_id is not None

    @property
    def is_active(self) -> bool:
        """Flask-Login: a disabled account cannot sign in."""
        return self.active

    def readiness_gaps(self, on: date) -> list[str]:
        """Say what stops this mentor being matched on a given day (empty when ready)."""
        gaps = []
        prog = self.programme
        if self.dbs_checked_on is None:
            gaps.append("no DBS check recorded")
        elif add_months(self.dbs_checked_on, prog.dbs_valid_months) <= on:
            gaps.append("DBS check has expired")
        if self.cp_trained_on is None:
            gaps.append("no child protection training recorded")
        elif add_months(self.cp_trained_on, prog.training_valid_months) <= on:
            gaps.append("child protection training has expired")
        if self.inducted_on is None:
            gaps.append("induction not completed")
        return gaps

    def expiries(self) -> dict[str, date]:
        """When each time-limited readiness check lapses."""
        out = {}
        if self.dbs_checked_on:
            out["DBS check"] = add_months(self.dbs_checked_on, self.programme.dbs_valid_months)
        if self.cp_trained_on:
            out["Child protection training"] = add_months(self.cp_trained_on, self.programme.training_valid_months)
        return out
