"""Chronology sources for match decisions, goal events and outcome readings (and, in record_sources,
the referral, consent and the record itself).

These are the social worker's and coordinator's record; a mentor's view of a
family's chronology is their own diary and concerns, so these give mentors nothing.
"""
from datetime import date, datetime, time

import sqlalchemy as sa

from pwa import access
from pwa.core import audit
from pwa.casework import chronology
from pwa.core.extensions import db
from pwa.models import Family, Match, MatchExtension, MatchReview, Role, User
from pwa.core import clock


def on_day(day: date) -> datetime:
    """A date-only event placed at midday local time, so it sorts among the day's timed events."""
    return clock.at_local(day, time(12))


def within(at: datetime, since: date | None, until: date | None) -> bool:
    """The moment falls between the two local dates (inclusive), when they are given."""
    day = at.astimezone(clock.zone()).date()
    return (since is None or day >= since) and (until is None or day <= until)


def _newest(items: list, limit: int, since, until) -> list:
    kept = [i for i in items if within(i.at, since, until)]
    return sorted(kept, key=lambda i: i.at, reverse=True)[:limit]


@chronology.source(kinds=("match",))
def match_items(user: User, family: Family, limit: int, since=None, until=None) -> list[chronology.Item]:
    """Matches made, reviews, extension decisions and endings."""
    if user.role is Role.mentor:
        return []
    matches = list(db.session.scalars(access.visible_matches(user).where(Match.family_id == family.id)).unique())
    ids = [m.id for m in matches]
    reviews = db.session.scalars(sa.select(MatchReview).where(MatchReview.match_id.in_(ids))).all() if ids else []
    extensions = db.session.scalars(sa.select(MatchExtension).where(MatchExtension.match_id.in_(ids))).all() \
        if ids else []
    by_id = {m.id: m for m in matches}
    item = chronology.Item
    tpl = "casework/_match_item.html"
    items = [item("match", on_day(m.started_on), f"Matched with {m.mentor.name}", tpl, ("made", m),
                  recorded_at=m.created_at, timed=False) for m in matches]
    items += [item("match", m.support_started_at, "Support started", tpl, ("support", m))
              for m in matches if m.support_started_at]
    items += [item("match", on_day(m.ended_on), "Match ended", tpl, ("ended", m), timed=False)
              for m in matches if m.ended_on]
    items += [item("match", on_day(r.held_on), "Match review", tpl, ("review", r, by_id[r.match_id]),
                   recorded_at=r.recorded_at, timed=False) for r in reviews]
    items += [item("match", e.decided_at, "Match extended", tpl, ("extended", e, by_id[e.match_id]))
              for e in extensions]
    audit.record(db.session, user, "read match history", family)
    return _newest(items, limit, since, until)


@chronology.source(kinds=("goal",))
def goal_items(user: User, family: Family, limit: int, since=None, until=None) -> list[chronology.Item]:
    """Goals proposed or set, agreed, and closed."""
    if user.role is Role.mentor:
        return []
    items = []
    for goal in access.family_goals(user, family):
        items.append(chronology.Item("goal", goal.created_at, "Goal set", "casework/_goal_item.html", ("set", goal)))
        if goal.agreed_at:
            items.append(chronology.Item("goal", goal.agreed_at, "Goal agreed by the social worker",
                                         "casework/_goal_item.html", ("agreed", goal)))
        if goal.family_agreed_on:
            items.append(chronology.Item("goal", on_day(goal.family_agreed_on), "Goal agreed with the family",
                                         "casework/_goal_item.html", ("family", goal), timed=False))
        if goal.closed_on:
            items.append(chronology.Item("goal", on_day(goal.closed_on), f"Goal {goal.status.value.lower()}",
                                         "casework/_goal_item.html", ("closed", goal), timed=False))
    return _newest(items, limit, since, until)


@chronology.source(kinds=("reading",))
def reading_items(user: User, family: Family, limit: int, since=None, until=None) -> list[chronology.Item]:
    """Outcome readings (journey of change)."""
    if user.role is Role.mentor:
        return []
    items = [chronology.Item("reading", on_day(r.taken_on), f"Outcome reading ({r.occasion.value.lower()})",
                             "casework/_reading_item.html", r, recorded_at=r.created_at, timed=False)
             for r in access.family_readings(user, family)]
    return _newest(items, limit, since, until)
