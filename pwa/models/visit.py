"""A mentor's diary entry: one visit or contact, append-only, stored once per client UUID."""
import enum
import functools
import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, aliased, mapped_column, relationship

from pwa.core import clock
from pwa.models.base import Base, UUIDKey
from pwa.models.family import Child
from pwa.models.types import EncryptedText, UTCDateTime
from pwa.models.user import User


class VisitKind(enum.Enum):
    home_visit = "Home visit"
    phone_call = "Phone call"
    outing = "Outing"
    appointment = "Appointment"


class VisitOutcome(enum.Enum):
    completed = "Visit happened"
    no_answer = "No answer at the door"
    cancelled = "Cancelled by the family"
    family_out = "Family out"


class ProgressMark(enum.Enum):
    forward = "Moved forward"
    same = "No change"
    back = "Moved back"


class Visit(UUIDKey, Base):
    """A diary entry; never edited: a correction is a new entry pointing at the one it corrects."""

    __tablename__ = "visits"
    __table_args__ = (
        sa.CheckConstraint("duration_minutes > 0 AND duration_minutes <= 1440", name="duration_range"),
        sa.CheckConstraint("travel_tenth_miles IS NULL OR travel_tenth_miles BETWEEN 0 AND 100000",
                           name="travel_range"),
        sa.CheckConstraint("next_contact_on IS NULL OR next_contact_on >= visit_on", name="next_after_visit"),
        sa.CheckConstraint("corrects_id IS NULL OR corrects_id <> id", name="not_self_correcting"),
        sa.CheckConstraint("(corrects_id IS NULL) = (correction_reason IS NULL)", name="correction_reasoned"),
        sa.Index("ix_visits_family_started", "family_id", "started_at"),
        sa.Index("ix_visits_author_family", "author_id", "family_id"),
        sa.Index("ix_visits_author_visit_on", "author_id", "visit_on"),
        # the dashboard's last-30-days sections read only the rare rows: attempted visits, unknown adults
        sa.Index("ix_visits_outcome_visit_on", "outcome", "visit_on"),
        sa.Index("ix_visits_visit_on", "visit_on"),  # the impact report's part-months at a period's edges
        sa.Index("ix_visits_unknown_adult_visit_on", "unknown_adult", "visit_on"),
    )

    family_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("families.id"))
    match_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("matches.id"), index=True)
    author_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id"))
    visit_on: Mapped[date]
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    duration_minutes: Mapped[int]
    kind: Mapped[VisitKind] = mapped_column(sa.Enum(VisitKind, name="visit_kind", create_constraint=True))
    present: Mapped[str | None] = mapped_column(EncryptedText)
    child_words: Mapped[str | None] = mapped_column(EncryptedText)
    what_done: Mapped[str] = mapped_column(EncryptedText)
    next_contact_on: Mapped[date | None]
    travel_tenth_miles: Mapped[int | None]
    talk_to_coordinator: Mapped[bool] = mapped_column(default=False)
    outcome: Mapped[VisitOutcome] = mapped_column(
        sa.Enum(VisitOutcome, name="visit_outcome", create_constraint=True), default=VisitOutcome.completed,
        server_default=VisitOutcome.completed.name)
    unknown_adult: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    unknown_adult_note: Mapped[str | None] = mapped_column(EncryptedText)
    corrects_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("visits.id"), unique=True)
    correction_reason: Mapped[str | None] = mapped_column(EncryptedText)
    client_uuid: Mapped[uuid.UUID] = mapped_column(sa.Uuid, unique=True)
    body_hash: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    author: Mapped[User] = relationship(lazy="joined")
    children: Mapped[list["VisitChild"]] = relationship(lazy="selectin", order_by="VisitChild.position")
    goals: Mapped[list["VisitGoal"]] = relationship(lazy="selectin", order_by="VisitGoal.position")
    corrects: Mapped["Visit | None"] = relationship(remote_side="Visit.id", foreign_keys=[corrects_id],
                                                    back_populates="corrected_by", lazy="select")
    corrected_by: Mapped["Visit | None"] = relationship(back_populates="corrects", foreign_keys=[corrects_id],
                                                        lazy="select")

    @property
    def attempted(self) -> bool:
        """The visit did not happen: no answer, cancelled or the family out."""
        return self.outcome is not VisitOutcome.completed

    @property
    def travel_miles(self) -> float | None:
        """Miles travelled, to one decimal place."""
        return None if self.travel_tenth_miles is None else self.travel_tenth_miles / 10

    @property
    def seen(self) -> list[Child]:
        """Children the mentor saw."""
        return [c.child for c in self.children if c.seen]

    @property
    def spoken_to(self) -> list[Child]:
        """Children the mentor spoke to."""
        return [c.child for c in self.children if c.spoken_to]

    @classmethod
    def is_current(cls):
        """SQL: the entry has not been corrected by a later one."""
        later = _later_entry(cls)
        return ~sa.exists().where(later.corrects_id == cls.id)


@functools.cache
def _later_entry(cls):
    """The alias is_current names a correcting entry by: made once (building one costs more than the query)."""
    return aliased(cls)


class VisitChild(Base):
    """A child named in an entry: seen, spoken to, or both."""

    __tablename__ = "visit_children"
    __table_args__ = (sa.CheckConstraint("seen OR spoken_to", name="seen_or_spoken"),)

    visit_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("visits.id"), primary_key=True)
    child_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("children.id"), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(default=0)
    seen: Mapped[bool]
    spoken_to: Mapped[bool]

    child: Mapped[Child] = relationship(lazy="joined")


class VisitGoal(UUIDKey, Base):
    """Progress on one goal, worked on in one entry."""

    __tablename__ = "visit_goals"
    __table_args__ = (sa.UniqueConstraint("visit_id", "goal_id", name="uq_visit_goals_visit_goal"),)

    visit_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("visits.id"))
    goal_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("goals.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    mark: Mapped[ProgressMark] = mapped_column(sa.Enum(ProgressMark, name="progress_mark", create_constraint=True))
    note: Mapped[str | None] = mapped_column(EncryptedText)

    goal: Mapped["Goal"] = relationship(lazy="joined")  # noqa: F821
    visit: Mapped[Visit] = relationship(lazy="select", viewonly=True)
