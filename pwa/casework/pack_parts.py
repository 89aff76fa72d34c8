"""Parts of the report pack read through pwa.access: the family's matches, goals and journeys."""
from pwa import access
from pwa.core.extensions import db
from pwa.models import Family, Match, User


def matches_of(user: User, family: Family) -> list[Match]:
    """Every match the family has had, oldest first."""
    q = access.visible_matches(user).where(Match.family_id == family.id).order_by(Match.started_on)
    return list(db.session.scalars(q).unique())


def goals_and_journeys(user: User, family: Family, visits: list) -> tuple[list, dict, list]:
    """The family's goals, each goal's progress in the pack's visits (newest first), and the family's journey."""
    from pwa.outcomes import journey, services as outcomes

    goals = access.family_goals(user, family)
    progress: dict = {g.id: [] for g in goals}
    for visit in sorted(visits, key=lambda v: v.started_at, reverse=True):
        for vg in visit.goals:  # loaded with the visit: no query per goal
            progress.setdefault(vg.goal_id, []).append((vg, visit))
    current = outcomes.framework_for(family.programme_id)
    readings = access.family_readings(user, family)
    frameworks = outcomes.frameworks_by_id({r.framework_id for r in readings} - {current.id})
    return goals, progress, journey.for_family(current, frameworks, readings, "family")

