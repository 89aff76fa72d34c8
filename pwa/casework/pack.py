"""The report pack for a child protection conference, core group or CIN review.

`build(user, family, since, until)` gathers everything the pack shows for a period, scoped and
audited through pwa.access: it is what the on-screen report and the PDF draw, and what a
subject-access export can reuse. Internal notes are left out: the talk-to-coordinator flag,
supervision and diary review comments never reach it.
"""
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from pwa import access
from pwa.casework import chronology
from pwa.core import clock
from pwa.core.dates import add_months
from pwa.models import Family, User, VisitKind, VisitOutcome

LIMIT = 1000  # events in one pack; a longer period says so and asks for a shorter one
FACE_TO_FACE = (VisitKind.home_visit, VisitKind.outing, VisitKind.appointment)


@dataclass
class Month:
    start: date
    planned: int = 0
    completed: int = 0
    attempted: int = 0
    calls: int = 0


@dataclass
class ChildCount:
    child: object
    seen: int = 0
    spoken_to: int = 0
    last_seen: date | None = None


@dataclass
class Pack:
    family: Family
    since: date
    until: date
    printed: datetime
    printed_by: User
    plan: object
    people: dict
    match: object
    months: list[Month]
    children: list[ChildCount]
    words: list[tuple[date, str, str]]  # (day, where from, the child's words)
    goals: list
    progress: dict
    journeys: list
    concerns: list
    items: list
    truncated: bool
    totals: dict = field(default_factory=dict)
    rate: int = 1


def _months(since: date, until: date) -> list[Month]:
    months, start = [], since.replace(day=1)
    while start <= until:
        months.append(Month(start))
        start = add_months(start, 1)
    return months


def visit_months(family: Family, visits: list, matches: list, since: date, until: date) -> list[Month]:
    """Per month: visits planned (the scheme's rate over the days a match ran), completed, attempted, calls."""
    months = _months(since, until)
    rate = family_programme(family).planned_visits_per_week
    for month in months:
        last = min(add_months(month.start, 1).toordinal() - 1, until.toordinal())
        first = max(month.start.toordinal(), since.toordinal())
        days = sum(max(0, min(last, (m.ended_on or until).toordinal()) - max(first, m.started_on.toordinal()) + 1)
                   for m in matches)
        month.planned = round(rate * days / 7)
    index = {(m.start.year, m.start.month): m for m in months}
    for v in visits:
        month = index.get((v.visit_on.year, v.visit_on.month))
        if month is None:
            continue
        if v.outcome is not VisitOutcome.completed:
            month.attempted += 1
        elif v.kind in FACE_TO_FACE:
            month.completed += 1
        else:
            month.calls += 1
    return months


def family_programme(family: Family):
    """The family's programme (for its planned visit rate)."""
    from pwa.core.extensions import db
    from pwa.models import Programme

    return db.session.get(Programme, family.programme_id)


def child_counts(family: Family, visits: list) -> list[ChildCount]:
    """How often each child was seen and spoken to in completed visits."""
    counts = {c.id: ChildCount(c) for c in family.children}
    for v in visits:
        if v.outcome is not VisitOutcome.completed:
            continue
        for vc in v.children:
            count = counts.get(vc.child_id)
            if count is None:
                continue
            count.seen += vc.seen
            count.spoken_to += vc.spoken_to
            if vc.seen and (count.last_seen is None or v.visit_on > count.last_seen):
                count.last_seen = v.visit_on
    return list(counts.values())


def childs_words(visits: list, concerns: list) -> list[tuple[date, str, str]]:
    """The child's words, verbatim, from visits and concerns, oldest first."""
    words = [(v.visit_on, f"{v.kind.value}, {v.author.name}", v.child_words) for v in visits if v.child_words]
    words += [(clock.local(c.created_at).date(), f"Concern {c.reference}", c.child_words) for c in concerns
              if c.child_words]
    return sorted(words, key=lambda w: w[0])


def first_day(family: Family, plan, matches: list) -> date:
    """The day the family's record begins: referral, consent, plan start or first match, whichever is first."""
    days = [clock.local(family.referred_at).date(), family.consent_given_on, plan.plan_started_on if plan else None,
            *(m.started_on for m in matches)]
    return min(d for d in days if d is not None)


def period(user: User, family: Family, since: date | None, until: date | None) -> tuple[date, date]:
    """The pack's dates: those asked for, or from the day the record begins to today."""
    from pwa.casework.pack_parts import matches_of

    if since is None:
        since = first_day(family, access.family_record(user, family)[0], matches_of(user, family))
    return since, until or clock.today()


def build(user: User, family: Family, since: date | None = None, until: date | None = None) -> Pack:
    """Everything the pack shows for a family and period (default: from the referral to today)."""
    from pwa.casework.pack_parts import goals_and_journeys, matches_of

    plan, people = access.family_record(user, family)
    matches = matches_of(user, family)
    since = since or first_day(family, plan, matches)
    until = until or clock.today()
    visits = [v for v in access.family_visits(user, family, 100_000, since=since, until=until)
              if v.corrected_by is None]
    lo, hi = chronology.moment(since), chronology.moment(until, end=True)
    concerns = [c for c in access.list_concerns(user, family=family, limit=LIMIT) if lo <= c.created_at < hi]
    items = chronology.page(user, family, 1, LIMIT, since=since, until=until).items
    goals, progress, journeys = goals_and_journeys(user, family, visits)
    months = visit_months(family, visits, matches, since, until)
    totals = Counter()
    for month in months:
        totals.update(planned=month.planned, completed=month.completed, attempted=month.attempted, calls=month.calls)
    return Pack(family=family, since=since, until=until, printed=clock.now(), printed_by=user, plan=plan,
                people={k: [p for p in people if p.kind.name == k] for k in ("parent_carer", "professional")},
                match=next((m for m in matches if m.ended_on is None), None), months=months,
                children=child_counts(family, visits), words=childs_words(visits, concerns), goals=goals,
                progress=progress, journeys=journeys, concerns=concerns, items=items,
                truncated=len(items) >= LIMIT, totals=dict(totals),
                rate=family_programme(family).planned_visits_per_week)

