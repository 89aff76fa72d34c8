"""The impact report's visit figures from the monthly tallies (pwa/models/tally.py), not from the diary.

`per_match(programme, start, end)` sums whole months from the tallies and reads only the
partial months at the period's edges from the visits themselves (at most two part-months,
whatever the programme's history). `rebuild()` recounts every tally from the base tables:
`flask --app wsgi aggregates rebuild`, and what to call after deleting visits or reviews
outside the ORM (closure, retention).
"""
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa

from pwa.core.dates import add_months
from pwa.core.extensions import db
from pwa.models import Family, Visit, VisitReview, VisitTally


@dataclass
class Counts:
    """A match's current entries in a period and their sums."""

    visits: int = 0
    minutes: int = 0
    tenth_miles: int = 0
    reviewed_fast: int = 0

    def add(self, visits, minutes, tenth_miles, reviewed_fast) -> None:
        self.visits += int(visits or 0)
        self.minutes += int(minutes or 0)
        self.tenth_miles += int(tenth_miles or 0)
        self.reviewed_fast += int(reviewed_fast or 0)


def _fast(dialect: str, reviewed_at, written_at):
    """SQL: reviewed within 7 days of being written (as models.tally.fast does in Python)."""
    if dialect == "sqlite":
        quick = sa.func.julianday(reviewed_at) - sa.func.julianday(written_at) <= 7
    else:
        quick = reviewed_at - written_at <= sa.text("interval '7 days'")
    return sa.case((quick, 1), else_=0)


def _month_of(dialect: str, day):
    if dialect == "sqlite":
        return sa.func.date(day, "start of month")
    return sa.cast(sa.func.date_trunc("month", day), sa.Date)


def _from_visits(dialect: str, *group) -> sa.Select:
    """Current entries with their sums, grouped by `group`, from the base tables."""
    v, r = Visit.__table__.c, VisitReview.__table__.c
    later = Visit.__table__.alias("later")
    return (sa.select(*group, sa.func.count(), sa.func.coalesce(sa.func.sum(v.duration_minutes), 0),
                      sa.func.coalesce(sa.func.sum(v.travel_tenth_miles), 0),
                      sa.func.coalesce(sa.func.sum(_fast(dialect, r.reviewed_at, v.created_at)), 0))
            .select_from(Visit.__table__.outerjoin(VisitReview.__table__, r.visit_id == v.id))
            .where(~sa.exists().where(later.c.corrects_id == v.id)).group_by(*group))


def rebuild_on(connection) -> None:
    """Recount every tally from the visits and their reviews, in one statement."""
    dialect, v = connection.dialect.name, Visit.__table__.c
    month = _month_of(dialect, v.visit_on)
    counted = _from_visits(dialect, v.match_id, month, v.family_id)
    connection.execute(sa.delete(VisitTally.__table__))
    connection.execute(sa.insert(VisitTally.__table__).from_select(
        ["match_id", "month", "family_id", "visits", "minutes", "tenth_miles", "reviewed_fast"], counted))


def rebuild() -> None:
    """Recount the tallies in the session's transaction (the caller commits)."""
    db.session.flush()
    rebuild_on(db.session.connection())


def _whole_months(start: date, end: date) -> tuple[date, date] | None:
    """The first day of the first and of the last whole month inside [start, end], if any."""
    first = start if start.day == 1 else add_months(start.replace(day=1), 1)
    after = end + timedelta(days=1)
    last = add_months(after.replace(day=1), -1) if after.day == 1 else add_months(end.replace(day=1), -1)
    return (first, last) if first <= last else None


def per_match(programme_id, start: date, end: date) -> dict:
    """match id -> Counts of its current entries with visit_on in [start, end]."""
    out: dict = {}
    months = _whole_months(start, end)
    edges = [(start, end)] if months is None else [
        (start, months[0] - timedelta(days=1)), (add_months(months[1], 1), end)]
    in_programme = sa.select(Family.id).where(Family.programme_id == programme_id)
    rows = []
    if months is not None:
        t = VisitTally.__table__.c
        rows += db.session.execute(
            sa.select(t.match_id, sa.func.sum(t.visits), sa.func.sum(t.minutes), sa.func.sum(t.tenth_miles),
                      sa.func.sum(t.reviewed_fast))
            .where(t.family_id.in_(in_programme), t.month.between(*months)).group_by(t.match_id)).all()
    v = Visit.__table__.c
    family = sa.func.coalesce(v.family_id, v.family_id)  # not indexable: SQLite must take visit_on's index
    for lo, hi in edges:
        if lo <= hi:
            rows += db.session.execute(_from_visits(db.engine.dialect.name, v.match_id)
                                       .where(family.in_(in_programme), v.visit_on.between(lo, hi))).all()
    for match_id, *figures in rows:
        out.setdefault(match_id, Counts()).add(*figures)
    return out
