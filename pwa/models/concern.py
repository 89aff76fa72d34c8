"""Safeguarding concerns, their addenda and debrief tasks: append-only once submitted.

A concern or addendum row never changes after submission except its
acknowledgement, action-taken and escalation bookkeeping; an ORM guard below
refuses any other change, and any delete.
"""
import enum
import secrets
import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, attributes, mapped_column, relationship

from pwa.core import clock
from pwa.models.base import Base, UUIDKey, associated_data
from pwa.models.family import Family
from pwa.models.types import EncryptedText, Sealed, UTCDateTime
from pwa.models.user import User

_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def new_concern_reference() -> str:
    """A non-guessable concern reference such as SC-7KQM-2X9D, safe for emails."""
    chars = "".join(secrets.choice(_ALPHABET) for _ in range(8))
    return f"SC-{chars[:4]}-{chars[4:]}"


class Urgency(enum.Enum):
    immediate = "Immediate danger"
    urgent = "Urgent"
    worried = "Worried"


class ConcernCategory(enum.Enum):
    neglect = "Neglect"
    physical = "Physical abuse"
    emotional = "Emotional abuse"
    sexual = "Sexual abuse"
    domestic_abuse = "Domestic abuse"
    substance_misuse = "Substance misuse"
    parental_mental_health = "Parental mental health"
    unsafe_home = "Unsafe home conditions"
    missing_exploitation = "Missing or exploitation"
    other = "Other"


class Alertable:
    """What a concern and an addendum share: idempotency, urgency, acknowledgement, escalation."""

    client_uuid: Mapped[uuid.UUID] = mapped_column(sa.Uuid, unique=True)
    body_hash: Mapped[str] = mapped_column(sa.String(64))
    author_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id"), index=True)
    urgency: Mapped[Urgency] = mapped_column(sa.Enum(Urgency, name="urgency", create_constraint=True))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)  # the dashboard's waiting
    acknowledged_by_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id"))
    next_escalation_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    escalations: Mapped[int] = mapped_column(default=0)

    @property
    def acknowledged(self) -> bool:
        """Someone responsible has read it and taken it on."""
        return self.acknowledged_at is not None


def _bookkeeping_checks() -> tuple:
    return (
        sa.CheckConstraint("(acknowledged_at IS NULL) = (acknowledged_by_id IS NULL)", name="ack_complete"),
        sa.CheckConstraint("acknowledged_at IS NULL OR next_escalation_at IS NULL", name="ack_stops_escalation"),
        sa.CheckConstraint("escalations >= 0", name="escalations_nonnegative"),
    )


class Concern(Alertable, UUIDKey, Base):
    __tablename__ = "concerns"
    __table_args__ = (
        *_bookkeeping_checks(),
        sa.CheckConstraint("(action_taken_at IS NULL) = (action_taken_note IS NULL)"
                           " AND (action_taken_at IS NULL) = (action_taken_by_id IS NULL)", name="action_complete"),
        sa.CheckConstraint("action_taken_at IS NULL OR acknowledged_at IS NOT NULL", name="action_after_ack"),
    )

    family_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("families.id"), index=True)
    reference: Mapped[str] = mapped_column(sa.String(16), unique=True, default=new_concern_reference)
    what_seen: Mapped[str] = mapped_column(EncryptedText, active_history=True)
    child_words: Mapped[str | None] = mapped_column(EncryptedText, active_history=True)
    actions_taken: Mapped[str | None] = mapped_column(EncryptedText, active_history=True)
    who_called: Mapped[str | None] = mapped_column(EncryptedText, active_history=True)
    called_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Details not given (or not readable), comma-separated keys of pwa.concerns.data.MISSING: never refused
    # for them, the concern is stored and alerted, and the coordinator's debrief asks for them.
    missing: Mapped[str | None] = mapped_column(sa.String(100))
    action_taken_note: Mapped[str | None] = mapped_column(EncryptedText)
    action_taken_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    action_taken_by_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id"))

    family: Mapped[Family] = relationship(lazy="joined", innerjoin=True)
    author: Mapped[User] = relationship(foreign_keys="Concern.author_id", lazy="joined", innerjoin=True)
    acknowledged_by: Mapped[User | None] = relationship(foreign_keys="Concern.acknowledged_by_id", lazy="selectin")
    marks: Mapped[list["ConcernCategoryMark"]] = relationship(
        lazy="selectin", order_by="ConcernCategoryMark.category", passive_deletes="all")
    addenda: Mapped[list["ConcernAddendum"]] = relationship(
        back_populates="concern", lazy="selectin", order_by="ConcernAddendum.created_at", passive_deletes="all")
    debrief: Mapped["DebriefTask | None"] = relationship(viewonly=True, uselist=False)
    about: Mapped[list["ConcernChild"]] = relationship(viewonly=True, lazy="selectin")  # noqa: F821

    @property
    def about_names(self) -> str:
        """The children it is about, or that it is not about one child."""
        names = [c.child.first_name for c in self.about]
        return ", ".join(names) if names else "not one child (the family)"

    @property
    def missing_keys(self) -> list[str]:
        """The details this concern was raised without."""
        return self.keys_of(self.missing)

    @staticmethod
    def keys_of(missing: str | None) -> list[str]:
        """The stored list of missing details, as keys."""
        return [k for k in (missing or "").split(",") if k]

    @property
    def categories(self) -> list[ConcernCategory]:
        """The categories that apply, in the form's order."""
        chosen = {m.category for m in self.marks}
        return [c for c in ConcernCategory if c in chosen]


class ConcernCategoryMark(Base):
    """One category that applies to a concern (several may)."""

    __tablename__ = "concern_categories"

    concern_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("concerns.id"), primary_key=True)
    category: Mapped[ConcernCategory] = mapped_column(
        sa.Enum(ConcernCategory, name="concern_category", create_constraint=True), primary_key=True)


class ConcernAddendum(Alertable, UUIDKey, Base):
    """Later facts about a concern; alerts, is acknowledged and escalates like the concern."""

    __tablename__ = "concern_addenda"
    __table_args__ = _bookkeeping_checks()

    concern_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("concerns.id"), index=True)
    facts: Mapped[str] = mapped_column(EncryptedText, active_history=True)
    child_words: Mapped[str | None] = mapped_column(EncryptedText, active_history=True)

    concern: Mapped[Concern] = relationship(back_populates="addenda")
    author: Mapped[User] = relationship(foreign_keys="ConcernAddendum.author_id", lazy="joined", innerjoin=True)
    acknowledged_by: Mapped[User | None] = relationship(foreign_keys="ConcernAddendum.acknowledged_by_id",
                                                        lazy="selectin")


class DebriefTask(UUIDKey, Base):
    """The coordinator's task to debrief the mentor who raised a concern."""

    __tablename__ = "debrief_tasks"
    __table_args__ = (
        sa.CheckConstraint("(done_at IS NULL) = (done_by_id IS NULL) AND (done_at IS NULL) = (note IS NULL)",
                           name="done_complete"),
    )

    concern_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("concerns.id"), unique=True)
    mentor_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    done_by_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id"))
    note: Mapped[str | None] = mapped_column(EncryptedText)

    concern: Mapped[Concern] = relationship(lazy="joined", innerjoin=True)
    mentor: Mapped[User] = relationship(foreign_keys="DebriefTask.mentor_id", lazy="joined", innerjoin=True)


BOOKKEEPING = {"acknowledged_at", "acknowledged_by_id", "next_escalation_at", "escalations",
               "action_taken_note", "action_taken_at", "action_taken_by_id"}


class AppendOnlyViolation(Exception):
    """Something tried to change or delete a submitted concern."""


def _stored(connection, target, key: str) -> str | None:
    """The value of a column as stored now (opened, if encrypted)."""
    table = target.__table__
    value = connection.execute(sa.select(table.c[key]).where(table.c.id == target.id)).scalar()
    if isinstance(value, Sealed):
        from pwa.crypto.runtime import keyring

        return keyring().decrypt(value, associated_data(target, key))
    return None if value is None else str(value)


def _guard_update(mapper, connection, target) -> None:
    """Refuse changes to anything but bookkeeping (re-encrypting the same text is allowed)."""
    for attr in mapper.column_attrs:
        if attr.key in BOOKKEEPING:
            continue
        history = attributes.get_history(target, attr.key)
        if not history.has_changes():
            continue
        before = [str(v) for v in history.deleted] or [_stored(connection, target, attr.key)]
        if before != [None if v is None else str(v) for v in history.added]:
            raise AppendOnlyViolation(f"{type(target).__name__}.{attr.key} cannot change after submission")


def _guard_delete(mapper, connection, target) -> None:
    raise AppendOnlyViolation(f"a {type(target).__name__} cannot be deleted")


for _model in (Concern, ConcernAddendum, ConcernCategoryMark):
    event.listen(_model, "before_update", _guard_update)
    event.listen(_model, "before_delete", _guard_delete)
