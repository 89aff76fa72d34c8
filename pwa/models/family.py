"""A referred family, its children, and the family's consent."""
import secrets
import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pwa.core import clock
from pwa.models.base import Base, UUIDKey
from pwa.models.enums import ConsentMethod, PlanType, Stage
from pwa.models.types import EncryptedText, UTCDateTime
from pwa.models.user import User

_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def new_reference() -> str:
    """A non-guessable family reference such as BR-7KQM-2X9D, safe for emails."""
    chars = "".join(secrets.choice(_ALPHABET) for _ in range(8))
    return f"BR-{chars[:4]}-{chars[4:]}"


class Family(UUIDKey, Base):
    __tablename__ = "families"
    __table_args__ = (
        sa.CheckConstraint(
            "(consent_given_on IS NULL) = (consent_recorded_by_id IS NULL)"
            " AND (consent_given_on IS NULL) = (consent_method IS NULL)",
            name="consent_complete",
        ),
    )

    programme_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("programmes.id"), index=True)
    reference: Mapped[str] = mapped_column(sa.String(16), unique=True, default=new_reference)
    display_name: Mapped[str] = mapped_column(EncryptedText)
    address: Mapped[str | None] = mapped_column(EncryptedText)
    plan_type: Mapped[PlanType] = mapped_column(sa.Enum(PlanType, name="plan_type", create_constraint=True))
    social_worker_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id"), index=True)
    referred_by_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id"))
    referral_reason: Mapped[str] = mapped_column(EncryptedText)
    involvement_plan: Mapped[str] = mapped_column(EncryptedText)
    consent_given_on: Mapped[date | None]
    consent_recorded_by_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id"))
    consent_method: Mapped[ConsentMethod | None] = mapped_column(
        sa.Enum(ConsentMethod, name="consent_method", create_constraint=True)
    )
    stage: Mapped[Stage] = mapped_column(sa.Enum(Stage, name="stage", create_constraint=True), default=Stage.referral)
    referred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    last_visit_on: Mapped[date | None] = mapped_column(index=True)  # kept by pwa/models/caseload.py
    # Consent's scope, and its withdrawal (who, when, how): a withdrawn consent stops new visits.
    consent_scope: Mapped[str | None] = mapped_column(EncryptedText)
    consent_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    consent_withdrawn_on: Mapped[date | None]
    consent_withdrawn_method: Mapped[ConsentMethod | None] = mapped_column(
        sa.Enum(ConsentMethod, name="withdrawal_method", create_constraint=True))
    consent_withdrawn_by_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id"))
    consent_withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    consent_withdrawal_note: Mapped[str | None] = mapped_column(EncryptedText)
    closed_on: Mapped[date | None]  # the open closure's date (pwa/models/closure.py); None: the case is open

    social_worker: Mapped[User] = relationship(foreign_keys=[social_worker_id], lazy="joined")
    children: Mapped[list["Child"]] = relationship(
        primaryjoin="and_(Family.id == Child.family_id, Child.removed_at.is_(None))", viewonly=True,
        order_by="(Child.date_of_birth, Child.expected_on)"
    )

    @property
    def has_consent(self) -> bool:
        """The family has agreed to having a volunteer."""
        return self.consent_given_on is not None and self.consent_withdrawn_at is None

    @property
    def closed(self) -> bool:
        """The family's case is closed: its record is read-only."""
        return self.closed_on is not None

    @property
    def consent_withdrawn(self) -> bool:
        """The family has withdrawn its consent: no new visits."""
        return self.consent_withdrawn_at is not None


def family_programme(family_id) -> sa.ScalarSelect:
    """The programme of a family, inside the statement that writes a row about it (no round trip of its own)."""
    return sa.select(Family.programme_id).where(Family.id == family_id).scalar_subquery()


class Child(UUIDKey, Base):
    __tablename__ = "children"
    __table_args__ = (
        sa.CheckConstraint("date_of_birth IS NULL OR expected_on IS NULL", name="born_or_expected"),
    )

    family_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("families.id"), index=True)
    first_name: Mapped[str] = mapped_column(EncryptedText)
    date_of_birth: Mapped[date | None]
    expected_on: Mapped[date | None]  # an unborn child's expected date of birth
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    family: Mapped[Family] = relationship(foreign_keys=[family_id])

    def age_on(self, day: date) -> int | None:
        """Age in whole years on a given day."""
        if self.date_of_birth is None:
            return None
        dob = self.date_of_birth
        return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))

    def age_words(self, day: date) -> str | None:
        """Age as people say it: 'unborn, due 3 Jan 2027', 'newborn', '3 weeks', '5 months', '4'."""
        if self.date_of_birth is None:
            return f"unborn, due {self.expected_on.day} {self.expected_on:%b %Y}" if self.expected_on else None
        days = (day - self.date_of_birth).days
        if days < 7:
            return "newborn"
        if days < 8 * 7:
            return f"{days // 7} weeks"
        years = self.age_on(day)
        if years < 2:
            dob = self.date_of_birth
            months = (day.year - dob.year) * 12 + day.month - dob.month - (day.day < dob.day)
            return f"{months} months"
        return str(years)
