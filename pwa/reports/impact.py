"""The impact report in the shape councils use (Outcomes Based Accountability).

How much did we do, how well did we do it, is anyone better off — for one
programme and period. Every figure is an aggregate: no names, no case text.
Each part runs a fixed number of queries, whatever the size of the programme.
"""
import statistics
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import NamedTuple

import sqlalchemy as sa

from pwa.core.database import columns
from pwa.core.extensions import db
from pwa.reports import tallies
from pwa.reports.figures import change, minutes, money, rate, share
from pwa.models import (Concern, EndingReason, Family, Goal, GoalStatus, Match, MatchExtension, OutcomeArea,
                        OutcomeReading, OutcomeScore, Programme, Urgency)


@dataclass
class Table:
    """A titled table: what the page shows and the CSV exports."""

    key: str
    title: str
    headers: list[str]
    rows: list[list] = field(default_factory=list)


@dataclass
class Period:
    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def overlap_days(self, first: date, last: date | None) -> int:
        """Days of [first, last] (open-ended when last is None) inside the period."""
        lo, hi = max(first, self.start), min(last or self.end, self.end)
        return max(0, (hi - lo).days + 1)


class MatchFigures(NamedTuple):
    """What the figures use of a match, read as columns: no match is loaded, its ending summary stays sealed."""

    id: uuid.UUID
    family_id: uuid.UUID
    mentor_id: uuid.UUID
    started_on: date
    agreed_end_on: date
    ended_on: date | None
    ending_reason: EndingReason | None


def _programme_matches(programme: Programme, *where) -> list[MatchFigures]:
    q = (sa.select(*(getattr(Match, name) for name in MatchFigures._fields)).join(Family, Family.id == Match.family_id)
         .where(Family.programme_id == programme.id, *where))
    return [MatchFigures(*row) for row in db.session.execute(q)]


def _matches(programme: Programme, period: Period) -> list[MatchFigures]:
    return _programme_matches(programme, Match.started_on <= period.end,
                              sa.or_(Match.is_active(), Match.ended_on >= period.start))


def how_much(programme: Programme, period: Period, matches: list[MatchFigures], counts: dict) -> Table:
    """Families supported, matches, visits, volunteer hours and their value, mentors."""
    count = sum(c.visits for c in counts.values())
    minutes = sum(c.minutes for c in counts.values())
    tenth_miles = sum(c.tenth_miles for c in counts.values())
    hours = minutes / 60
    active_at_end = sum(1 for m in matches if m.ended_on is None or m.ended_on > period.end)
    value = hours * programme.hourly_value_pence / 100
    rows = [
        ["Families supported", len({m.family_id for m in matches})],
        ["Matches active during the period", len(matches)],
        ["Matches active at the end of the period", active_at_end],
        ["Mentors active", len({m.mentor_id for m in matches})],
        ["Visits and contacts logged", count],
        ["Volunteer hours", round(hours, 1)],
        [f"Value of volunteer time (£{programme.hourly_value_pence / 100:.2f} an hour)", money(value)],
        ["Miles travelled", round(tenth_miles / 10, 1)],
    ]
    return Table("how_much", "How much did we do?", ["Measure", "Figure"], rows)


def visit_rates(programme: Programme, period: Period, matches: list[MatchFigures],
                counts: dict) -> tuple[float | None, int, int]:
    """(mean visits per family per week, families at or above plan, families counted)."""
    rates = []
    for m in matches:
        weeks = period.overlap_days(m.started_on, m.ended_on) / 7
        if weeks >= 1:
            rates.append((counts[m.id].visits if m.id in counts else 0) / weeks)
    at_plan = sum(1 for r in rates if r >= programme.planned_visits_per_week)
    return (statistics.mean(rates) if rates else None), at_plan, len(rates)


_share = share


def reviewed_within_week(counts: dict) -> tuple[int, int]:
    """(entries reviewed within 7 days of being written, entries written)."""
    return sum(c.reviewed_fast for c in counts.values()), sum(c.visits for c in counts.values())


def _minutes(later, earlier) -> sa.ColumnElement:
    """SQL: the minutes from one timestamp to another (null when either is)."""
    if db.session.get_bind().dialect.name == "sqlite":
        return (sa.func.julianday(later) - sa.func.julianday(earlier)) * 1440
    return sa.extract("epoch", later - earlier) / 60


def acknowledgement_minutes(programme: Programme, period: Period) -> dict[Urgency, tuple[float | None, int, int]]:
    """Per urgency: (median minutes to acknowledge, acknowledged, raised) for concerns raised in the period."""
    lo = local_start(period.start)
    hi = local_start(period.end + timedelta(days=1))
    rows = columns(
        sa.select(Concern.urgency, _minutes(Concern.acknowledged_at, Concern.created_at)).join(Family)
        .where(Family.programme_id == programme.id, Concern.created_at >= lo, Concern.created_at < hi)).all()
    out = {}
    for urgency in Urgency:
        mine = [wait for u, wait in rows if u is urgency]
        waits = [float(wait) for wait in mine if wait is not None]
        out[urgency] = (statistics.median(waits) if waits else None, len(waits), len(mine))
    return out


def local_start(day: date):
    """Midnight at the start of a local day, as an aware datetime."""
    from datetime import datetime

    from pwa.core import clock

    return datetime(day.year, day.month, day.day, tzinfo=clock.zone())


def endings(programme: Programme, period: Period) -> list[MatchFigures]:
    """Matches that ended in the period."""
    return _programme_matches(programme, Match.ended_on.between(period.start, period.end))


GRACE_DAYS = 14  # an ending this close to the agreed end is on time


def ending_kinds(ended: list[MatchFigures], extended: set) -> dict[str, int]:
    """Endings split: on time, early, after an extension, past the agreed end without a decision."""
    kinds = dict.fromkeys(("on_time", "early", "extended", "overran"), 0)
    for m in ended:
        if m.id in extended:
            kinds["extended"] += 1
        elif m.ended_on < m.agreed_end_on - timedelta(days=GRACE_DAYS):
            kinds["early"] += 1
        elif m.ended_on <= m.agreed_end_on + timedelta(days=GRACE_DAYS):
            kinds["on_time"] += 1
        else:
            kinds["overran"] += 1
    return kinds


def extended_matches(ids: list) -> set:
    """Which of these matches (live or ended) have an explicit extension decision."""
    if not ids:
        return set()
    return set(db.session.scalars(sa.select(MatchExtension.match_id).where(MatchExtension.match_id.in_(ids))))


def how_well(programme: Programme, period: Period, matches: list[MatchFigures], ended: list[MatchFigures], acks: dict,
             counts: dict) -> Table:
    """Visit frequency against plan, reviews within a week, acknowledgement times, endings and extensions."""
    mean_rate, at_plan, counted = visit_rates(programme, period, matches, counts)
    fast, total = reviewed_within_week(counts)
    extended = extended_matches([m.id for m in matches] + [m.id for m in ended])
    kinds = ending_kinds(ended, extended)
    rows = [
        [f"Visits per family per week (plan: {programme.planned_visits_per_week})", rate(mean_rate, "visits a week")],
        ["Families visited at least as often as planned", share(at_plan, counted)],
        ["Diary entries reviewed within 7 days", share(fast, total)],
    ]
    for urgency, (median, acked, raised) in acks.items():
        rows.append([f"Median time to acknowledge a concern: {urgency.value.lower()}", minutes(median, acked, raised)])
    rows += [
        ["Matches extended by an explicit decision (live and ended)",
         share(sum(1 for m in matches if m.id in extended), len(matches))],
        [f"Matches ended on time (within {GRACE_DAYS} days of the agreed end, without extension)",
         share(kinds["on_time"], len(ended))],
        [f"Matches ended early (more than {GRACE_DAYS} days before the agreed end)", share(kinds["early"], len(ended))],
        ["Matches ended after an extension", share(kinds["extended"], len(ended))],
        ["Matches that ran past their agreed end without a decision", share(kinds["overran"], len(ended))],
    ]
    return Table("how_well", "How well did we do it?", ["Measure", "Figure"], rows)


def outcome_movement(programme: Programme, period: Period) -> tuple[Table, list[tuple[str, float]]]:
    """Per outcome area: change from each family's first reading to its latest in the period."""
    # The ids and days only group and order rows here: read as stored (SQLite's ISO days compare as text),
    # not made into tens of thousands of uuid and date objects.
    rows = columns(
        sa.select(sa.type_coerce(OutcomeReading.family_id, sa.String), sa.type_coerce(OutcomeReading.taken_on, sa.String),
                  sa.type_coerce(OutcomeScore.area_id, sa.String), OutcomeScore.family_score, OutcomeScore.mentor_score)
        .join(OutcomeScore, OutcomeScore.reading_id == OutcomeReading.id).join(Family)
        .where(Family.programme_id == programme.id, OutcomeReading.taken_on <= period.end)
        .order_by(OutcomeReading.taken_on)).all()
    first, latest = {}, {}
    start = period.start.isoformat() if rows and isinstance(rows[0][1], str) else period.start
    for family_id, taken_on, area_id, fam, men in rows:
        key = (family_id, area_id)
        first.setdefault(key, (taken_on, fam, men))
        if taken_on >= start:
            latest[key] = (taken_on, fam, men)
    per_area: dict[str, list] = {}  # area id as read -> (first, latest) of each family that moved
    for key, last in latest.items():
        pairs = per_area.setdefault(key[1], [])
        if first[key][0] < last[0]:
            pairs.append((first[key], last))
    raw = {uuid.UUID(str(area)): area for area in per_area}  # the area's id -> its id as read
    areas = {raw[a.id]: a for a in db.session.scalars(sa.select(OutcomeArea).where(OutcomeArea.id.in_(raw)))}
    table = Table("better_off", "Is anyone better off? Movement per outcome area",
                  ["Outcome area", "Families", "Better", "Same", "Worse", "Mean change (family)",
                   "Mean change (mentor)"])
    chart = []
    for area_id, area in sorted(areas.items(), key=lambda kv: (kv[1].framework_id, kv[1].position)):
        pairs = per_area[area_id]
        fam = [b[1] - a[1] for a, b in pairs if a[1] is not None and b[1] is not None]
        men = [b[2] - a[2] for a, b in pairs if a[2] is not None and b[2] is not None]
        moves = fam or men
        mean_fam = _mean(fam)
        table.rows.append([area.name, len(pairs), sum(1 for d in moves if d > 0), sum(1 for d in moves if d == 0),
                           sum(1 for d in moves if d < 0), change(mean_fam), change(_mean(men))])
        if mean_fam is not None:
            chart.append((area.name, round(mean_fam, 1)))
    return table, chart


def _mean(changes: list[int]) -> float | None:
    """The mean of whole-number changes (statistics.mean works in fractions, slowly)."""
    return sum(changes) / len(changes) if changes else None


def goals_and_plans(programme: Programme, period: Period, ended: list[MatchFigures]) -> Table:
    """Goals closed in the period by result, and how matches ended."""
    goal_rows = dict(db.session.execute(
        sa.select(Goal.status, sa.func.count()).join(Family, Family.id == Goal.family_id)
        .where(Family.programme_id == programme.id, Goal.closed_on.between(period.start, period.end))
        .group_by(Goal.status)).all())
    closed = sum(goal_rows.values())
    reasons = {r: sum(1 for m in ended if m.ending_reason is r) for r in EndingReason}
    rows = [["Goals achieved", _share(goal_rows.get(GoalStatus.achieved, 0), closed)],
            ["Goals not achieved", _share(goal_rows.get(GoalStatus.not_achieved, 0), closed)],
            ["Goals dropped", _share(goal_rows.get(GoalStatus.dropped, 0), closed)]]
    rows += [[f"Matches ended: {r.value.lower()}", _share(n, len(ended))] for r, n in reasons.items()]
    return Table("goals", "Is anyone better off? Goals and plans", ["Measure", "Figure"], rows)


@dataclass
class Report:
    programme: Programme
    period: Period
    tables: list[Table]
    movement_chart: list[tuple[str, float]]
    acknowledgement_chart: list[tuple[str, float]]


def build(programme: Programme, period: Period) -> Report:
    """The whole report for a programme and period."""
    matches, ended = _matches(programme, period), endings(programme, period)
    counts = tallies.per_match(programme.id, period.start, period.end)
    acks = acknowledgement_minutes(programme, period)
    movement, chart = outcome_movement(programme, period)
    tables = [how_much(programme, period, matches, counts), how_well(programme, period, matches, ended, acks, counts),
              movement, goals_and_plans(programme, period, ended)]
    ack_chart = [(u.value, round(m, 1)) for u, (m, _, _) in acks.items() if m is not None]
    return Report(programme, period, tables, chart, ack_chart)

