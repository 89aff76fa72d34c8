"""Seed step for the diary: goals, visits (with children seen and goals worked on) and outcome readings.

`spec.visits` entries in all, `spec.busy_family_entries` of them on the measured family
(fixtures["family_id"], the one the family page is loaded for), the rest spread evenly
over the other matches, from each match's start to today (or its end). Entries older than
a week have been reviewed by the coordinator, as a scheme that keeps up would have.
"""
import hashlib
import uuid
from datetime import datetime, time, timedelta, timezone

from bench.seed import SeedContext, measured_match

WHAT_DONE = ("Walked to school with the children and met the class teacher about attendance. Helped "
             "mum write the week's plan on the fridge; talked through the health visitor appointment.")
CHILD_WORDS = "Amy said: \"I like it when you walk with us, it's not so scary at the gate.\""
GOALS = (("Children get to school on time every day", "Attendance above 95% for a half term"),
         ("Mum gets to every health appointment", "No missed appointments for three months"))


def available() -> bool:
    """The diary's models exist."""
    import pwa.models as models

    return all(hasattr(models, name) for name in ("Visit", "VisitChild", "VisitGoal", "Goal", "OutcomeReading"))


def seed(ctx: SeedContext) -> None:
    """Goals for every matched family, then the visits, then outcome readings."""
    goals = seed_goals(ctx)
    seed_visits(ctx, goals)
    seed_readings(ctx)
    ctx.commit()


def seed_goals(ctx: SeedContext) -> dict:
    """Two agreed, active goals per matched family; returns family id -> goal ids."""
    from pwa.core import clock
    from pwa.models import Goal, GoalStatus

    sw_of = {f: sw for f, p, sw, stage in ctx.families}
    goals: dict = {}
    for match_id, family_id, mentor, active in ctx.matches:
        goals[family_id] = [
            ctx.add(Goal(family_id=family_id, title=title, success_looks_like=success, status=GoalStatus.active,
                         proposed_by_id=mentor, agreed_by_id=sw_of[family_id], agreed_at=clock.now(),
                         target_on=ctx.today + timedelta(days=90)))
            for title, success in GOALS]
    return goals


def _shares(ctx: SeedContext, busy_match) -> dict:
    """How many entries each match gets: the measured one its fixed number, the others the rest evenly."""
    others = [m for m, f, who, active in ctx.matches if m != busy_match]
    rest = max(0, ctx.spec.visits - ctx.spec.busy_family_entries)
    shares = {m: rest // len(others) + (1 if i < rest % len(others) else 0) for i, m in enumerate(others)} \
        if others else {}
    shares[busy_match] = ctx.spec.busy_family_entries
    return shares


def seed_visits(ctx: SeedContext, goals: dict) -> None:
    """The diary entries, each naming a child seen (some spoken to); every other one a goal worked on."""
    import pwa.models as models
    from pwa.core import clock

    busy_match, busy_family = measured_match(ctx)
    shares = _shares(ctx, busy_match)
    coordinator_of = {f: ctx.people[(p, "coordinator")][0] for f, p, sw, stage in ctx.families}
    reviewed_before = clock.now() - timedelta(days=7) if hasattr(models, "VisitReview") else None
    for n, (match_id, family_id, mentor, active) in enumerate(ctx.matches):
        first, last = _span(ctx, match_id, active)
        count = shares[match_id]
        for k in range(count):
            started = first + (last - first) * (k / max(1, count))
            visit_id = _visit(ctx, n + k, match_id, family_id, mentor, started, goals[family_id])
            if reviewed_before and started < reviewed_before:
                ctx.add(models.VisitReview(visit_id=visit_id, reviewer_id=coordinator_of[family_id],
                                           reviewed_at=started + timedelta(days=2)))
    ctx.fixtures["busy_family_entries"] = shares[busy_match]


def _span(ctx: SeedContext, match_id, active) -> tuple[datetime, datetime]:
    """From the match's start to now (or its end), as afternoon times in UTC."""
    started_on = ctx.match_started[match_id]
    ended_on = ctx.today - timedelta(days=1) if active else ctx.match_ended[match_id]
    first = datetime.combine(started_on, time(15, 0), tzinfo=timezone.utc)
    return first, datetime.combine(max(started_on, ended_on), time(15, 0), tzinfo=timezone.utc)


def _visit(ctx: SeedContext, n: int, match_id, family_id, mentor, started: datetime, goal_ids):
    from pwa.models import ProgressMark, Visit, VisitChild, VisitGoal, VisitKind

    client_uuid = uuid.uuid4()
    visit_id = ctx.add(Visit(
        family_id=family_id, match_id=match_id, author_id=mentor, visit_on=started.date(), started_at=started,
        duration_minutes=30 + n % 6 * 15, kind=list(VisitKind)[n % 4], present="Mum and the children",
        child_words=CHILD_WORDS if n % 3 == 0 else None, what_done=WHAT_DONE,
        next_contact_on=started.date() + timedelta(days=3 + n % 4), travel_tenth_miles=20 + n % 80,
        talk_to_coordinator=n % 25 == 0, client_uuid=client_uuid,
        body_hash=hashlib.sha256(client_uuid.bytes).hexdigest(), created_at=started + timedelta(hours=1)))
    child = ctx.children[family_id][n % len(ctx.children[family_id])]
    ctx.add(VisitChild(visit_id=visit_id, child_id=child, position=0, seen=True, spoken_to=n % 3 == 0))
    if n % 2 == 0:
        ctx.add(VisitGoal(visit_id=visit_id, goal_id=goal_ids[n % len(goal_ids)], position=0,
                          mark=list(ProgressMark)[n % 3]))
    return visit_id


def seed_readings(ctx: SeedContext) -> None:
    """Readings on the default framework at the start and at each review, every area scored twice."""
    from pwa.models import OutcomeReading, OutcomeScore, ReadingOccasion
    from pwa.outcomes.services import default_framework

    framework = default_framework()
    areas, low, high = [a.id for a in framework.areas], framework.scale_min, framework.scale_max
    framework_id = framework.id
    ctx.commit()
    for n, (match_id, family_id, mentor, active) in enumerate(ctx.matches):
        started = ctx.match_started[match_id]
        for r, occasion in enumerate((ReadingOccasion.start, ReadingOccasion.review, ReadingOccasion.review)):
            reading_id = ctx.add(OutcomeReading(family_id=family_id, framework_id=framework_id,
                                                taken_on=started + timedelta(weeks=6 * r), occasion=occasion,
                                                recorded_by_id=mentor))
            for a, area in enumerate(areas):
                score = min(high, max(low, low + (n + a) % 5 + r))
                ctx.add(OutcomeScore(reading_id=reading_id, area_id=area, family_score=score,
                                     mentor_score=min(high, score + a % 2)))
