"""Diary entries, goals and outcome readings (a mentor reads only their own entries)."""

import sqlalchemy as sa
from sqlalchemy.orm import defer, selectinload


from pwa.core import audit
from pwa.access.policy import CASE_ROLES, _as_uuid, one, refuse_if_closed
from pwa.access.people import visible_families
from pwa.core.extensions import db
from pwa.models import Family, Role, User
from pwa.models import Goal, OutcomeReading, Visit, VisitGoal  # diary, goals, outcome readings
from pwa.models import GoalStatus  # the offline snapshot's active goals


GOAL_ACTIONS: dict[str, set[Role]] = {
    "read": set(CASE_ROLES),
    "agree": {Role.social_worker},
    "family_agreement": {Role.coordinator, Role.social_worker},
    "close": {Role.coordinator, Role.social_worker},
}


def may_record_agreement(user: User) -> bool:
    """Only staff record that a family (or the social worker) agreed a goal; a mentor's post changes nothing."""
    return user.role in GOAL_ACTIONS["family_agreement"]


def _family_ids(user: User) -> sa.Select:
    return visible_families(user).with_only_columns(Family.id)


def visible_visits(user: User) -> sa.Select:
    """Diary entries the user may read: a mentor only their own, on families with an active match."""
    q = sa.select(Visit).where(Visit.family_id.in_(_family_ids(user)))
    return q.where(Visit.author_id == user.id) if user.role is Role.mentor else q


def visit_for(user: User, visit_id, action: str = "read") -> Visit:
    """Fetch one diary entry, auditing the read; only its author may correct it."""
    return one(user, visible_visits, Visit, visit_id, action,
               lambda visit: action == "read" or visit.author_id == user.id)


def _family_visits(user: User, family_id, since, until, child_id) -> sa.Select:
    q = visible_visits(user).where(Visit.family_id == family_id)
    if child_id is not None:
        from pwa.models import VisitChild

        q = q.where(Visit.id.in_(sa.select(VisitChild.visit_id).where(VisitChild.child_id == child_id)))
    if since is not None:
        q = q.where(Visit.visit_on >= since)
    if until is not None:
        q = q.where(Visit.visit_on <= until)
    return q.order_by(Visit.started_at.desc(), Visit.created_at.desc())


def child_id(user: User, child):
    """The id of the child a diary is asked about (None: any), checked: a malformed id is a 404."""
    return None if child is None else _as_uuid(user, Visit, child, "read")


def family_visits(user: User, family: Family, limit: int, *, since=None, until=None, child=None) -> list[Visit]:
    """A family's newest diary entries the user may read (naming a child, when given), audited once."""
    q = (_family_visits(user, family.id, since, until, child_id(user, child)).limit(limit)
         .options(selectinload(Visit.corrected_by).load_only(Visit.id, Visit.created_at).lazyload("*")))
    visits = list(db.session.scalars(q))
    audit.record(db.session, user, "read diary", family)
    return visits


def goal_for(user: User, goal_id, action: str = "read") -> Goal:
    """Fetch one goal on a family the user may see, auditing the access, or 404/403 (409: the case is closed)."""
    visible = sa.select(Goal).where(Goal.family_id.in_(_family_ids(user)))
    goal = one(user, visible, Goal, goal_id, action, user.role in GOAL_ACTIONS[action])
    if action != "read":
        refuse_if_closed(user, db.session.get(Family, goal.family_id), action)
    return goal


def family_goals(user: User, family: Family) -> list[Goal]:
    """A family's goals, oldest first, auditing the listing."""
    q = sa.select(Goal).where(Goal.family_id == family.id, Goal.family_id.in_(_family_ids(user)))
    goals = list(db.session.scalars(q.order_by(Goal.created_at)))
    audit.record(db.session, user, "list goals", family)
    return goals


def proposed_goals(user: User, limit: int = 100) -> list[tuple[Goal, Family]]:
    """Goals proposed on the user's families, waiting for agreement, oldest first, each with its family; audited."""
    q = (sa.select(Goal, Family).join(Family, Family.id == Goal.family_id)
         .where(Goal.family_id.in_(_family_ids(user)), Goal.status == GoalStatus.proposed)
         .order_by(Goal.created_at).limit(limit)
         .options(defer(Family.referral_reason), defer(Family.involvement_plan), defer(Family.address)))
    rows = [tuple(row) for row in db.session.execute(q)]
    audit.record(db.session, user, "list", object_type="proposed_goals")
    return rows


def _progress(user: User, goal: Goal) -> sa.Select:
    readable = visible_visits(user).where(Visit.is_current()).with_only_columns(Visit.id)
    return (sa.select(VisitGoal, Visit).join(Visit, Visit.id == VisitGoal.visit_id)
            .where(VisitGoal.goal_id == goal.id, Visit.id.in_(readable)))


def count_goal_progress(user: User, goal: Goal) -> int:
    """How many entries the user may read recorded progress on a goal (for its paged list)."""
    return db.session.scalar(_progress(user, goal).with_only_columns(sa.func.count()))


def goal_progress(user: User, goal: Goal, *, limit: int, offset: int = 0) -> list[tuple[VisitGoal, Visit]]:
    """A page of the progress on a goal from the current diary entries the user may read, newest first."""
    q = _progress(user, goal).order_by(Visit.started_at.desc(), Visit.id).limit(limit).offset(offset)
    rows = [tuple(row) for row in db.session.execute(q)]
    audit.record(db.session, user, "read goal progress", goal)
    return rows


def family_readings(user: User, family: Family) -> list[OutcomeReading]:
    """A family's outcome readings, oldest first, auditing the read."""
    q = (sa.select(OutcomeReading)
         .where(OutcomeReading.family_id == family.id, OutcomeReading.family_id.in_(_family_ids(user)))
         .order_by(OutcomeReading.taken_on, OutcomeReading.created_at))
    readings = list(db.session.scalars(q))
    audit.record(db.session, user, "read outcome readings", family)
    return readings
