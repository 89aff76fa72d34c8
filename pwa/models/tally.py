"""Monthly visit tallies per match: what the impact report sums instead of scanning the diary.

One row per (match, month of visit_on) holds the current entries (not corrected by a later
one), their minutes and tenth-miles, and how many of them were reviewed within 7 days of
being written. The hooks below keep them in the same transaction as the write, whatever
code wrote it: an entry adds itself, a correction takes the entry it corrects out, a review
within a week counts once. Rows deleted outside the ORM (closure, retention) are followed by
`pwa.reports.tallies.rebuild()`.
"""
import functools
import uuid
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from pwa.models.base import Base
from pwa.models.visit import Visit
from pwa.models.visit_review import VisitReview

FAST_REVIEW = timedelta(days=7)
COUNTS = ("visits", "minutes", "tenth_miles", "reviewed_fast")


class VisitTally(Base):
    """Current diary entries of one match in one month (month: its first day), and their sums."""

    __tablename__ = "visit_tallies"

    match_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("matches.id"), primary_key=True)
    month: Mapped[date] = mapped_column(primary_key=True)
    family_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("families.id"), index=True)
    visits: Mapped[int] = mapped_column(default=0)
    minutes: Mapped[int] = mapped_column(default=0)
    tenth_miles: Mapped[int] = mapped_column(default=0)
    reviewed_fast: Mapped[int] = mapped_column(default=0)


def bump(connection, match_id, family_id, day: date, **deltas: int) -> None:
    """Add deltas to the tally of a match's month (made at zero if missing): one upsert."""
    values = {f"add_{name}": deltas.get(name, 0) for name in COUNTS}
    connection.execute(_upsert(connection.dialect.name, tuple(sorted(deltas))),
                       {"new_match": match_id, "new_family": family_id, "new_month": day.replace(day=1), **values})


@functools.cache
def _upsert(dialect_name: str, changed: tuple[str, ...]):
    """The upsert for one dialect and one set of changed counts, built once (building it cost more than running it)."""
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    table = VisitTally.__table__
    stmt = dialect.insert(table).values(match_id=sa.bindparam("new_match"), family_id=sa.bindparam("new_family"),
                                        month=sa.bindparam("new_month"),
                                        **{name: sa.bindparam(f"add_{name}") for name in COUNTS})
    return stmt.on_conflict_do_update(index_elements=["match_id", "month"],
                                      set_={name: table.c[name] + stmt.excluded[name] for name in changed})


def fast(reviewed_at: datetime | None, written_at: datetime | None) -> bool:
    """Reviewed within 7 days of being written."""
    return reviewed_at is not None and written_at is not None and reviewed_at - written_at <= FAST_REVIEW


def _entry_deltas(sign: int, minutes, tenth_miles, reviewed_fast: bool) -> dict:
    return dict(visits=sign, minutes=sign * (minutes or 0), tenth_miles=sign * (tenth_miles or 0),
                reviewed_fast=sign * int(reviewed_fast))


@event.listens_for(Visit, "after_insert")
def _tally_entry(mapper, connection, visit: Visit) -> None:
    """A new entry counts; the entry it corrects no longer does."""
    bump(connection, visit.match_id, visit.family_id, visit.visit_on,
         **_entry_deltas(1, visit.duration_minutes, visit.travel_tenth_miles, False))
    if visit.corrects_id is None:
        return
    v, r = Visit.__table__.c, VisitReview.__table__.c
    old = connection.execute(
        sa.select(v.match_id, v.family_id, v.visit_on, v.duration_minutes, v.travel_tenth_miles, v.created_at,
                  r.reviewed_at).select_from(Visit.__table__.outerjoin(VisitReview.__table__, r.visit_id == v.id))
        .where(v.id == visit.corrects_id)).one_or_none()
    if old is not None:
        bump(connection, old.match_id, old.family_id, old.visit_on,
             **_entry_deltas(-1, old.duration_minutes, old.travel_tenth_miles, fast(old.reviewed_at, old.created_at)))


@event.listens_for(VisitReview, "after_insert")
def _tally_review(mapper, connection, review: VisitReview) -> None:
    """A current entry reviewed within 7 days of being written counts as reviewed quickly."""
    v = Visit.__table__.c
    later = Visit.__table__.alias("later")
    entry = connection.execute(
        sa.select(v.match_id, v.family_id, v.visit_on, v.created_at)
        .where(v.id == review.visit_id, ~sa.exists().where(later.c.corrects_id == v.id))).one_or_none()
    if entry is not None and fast(review.reviewed_at, entry.created_at):
        bump(connection, entry.match_id, entry.family_id, entry.visit_on, reviewed_fast=1)
