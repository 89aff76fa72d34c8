"""Goals: set by staff or proposed by a mentor, agreed, closed with a date and reason. Flush only."""
import uuid
from datetime import date

from flask import current_app

from pwa.core import audit, clock
from pwa.outbox import mailer
from pwa.core.extensions import db
from pwa.models import Family, Goal, GoalStatus, Role, User

STAFF = (Role.coordinator, Role.social_worker)


class GoalRefused(Exception):
    """The change does not fit the goal's state; the message says why."""


def add_goal(actor: User, family: Family, *, title: str, success_looks_like: str, outcome_area_id: uuid.UUID | None,
             target_on: date | None, family_agreed_on: date | None) -> Goal:
    """A coordinator or social worker sets an active goal; a mentor proposes one for the social worker to agree."""
    staff = actor.role in STAFF
    goal = Goal(family_id=family.id, title=title.strip(), success_looks_like=success_looks_like.strip(),
                outcome_area_id=outcome_area_id, target_on=target_on,
                status=GoalStatus.active if staff else GoalStatus.proposed, proposed_by_id=actor.id,
                agreed_by_id=actor.id if staff else None, agreed_at=clock.now() if staff else None,
                family_agreed_on=family_agreed_on, family_agreement_by_id=actor.id if family_agreed_on else None)
    db.session.add(goal)
    db.session.flush()
    audit.record(db.session, actor, "goal set" if staff else "goal proposed", goal)
    return goal


def agree(actor: User, goal: Goal) -> None:
    """The social worker agrees a mentor's proposal: it becomes active."""
    if goal.status is not GoalStatus.proposed:
        raise GoalRefused("Only a proposed goal can be agreed.")
    goal.status, goal.agreed_by_id, goal.agreed_at = GoalStatus.active, actor.id, clock.now()
    audit.record(db.session, actor, "goal agreed", goal)
    db.session.flush()


def record_family_agreement(actor: User, goal: Goal, agreed_on: date) -> None:
    """Record the day the family agreed the goal."""
    goal.family_agreed_on, goal.family_agreement_by_id = agreed_on, actor.id
    audit.record(db.session, actor, "goal family agreement", goal)
    db.session.flush()


def close(actor: User, goal: Goal, status: GoalStatus, closed_on: date, reason: str | None) -> None:
    """Close a goal as achieved, not achieved or dropped, with the date and reason."""
    if not goal.is_open:
        raise GoalRefused("This goal is already closed.")
    if goal.status is GoalStatus.proposed and status is not GoalStatus.dropped:
        raise GoalRefused("A proposal not yet agreed can only be dropped.")
    if status in (GoalStatus.not_achieved, GoalStatus.dropped) and not (reason or "").strip():
        raise GoalRefused("Say why the goal was not achieved or was dropped.")
    goal.status, goal.closed_on, goal.closed_by_id = status, closed_on, actor.id
    goal.close_reason = (reason or "").strip() or None
    audit.record(db.session, actor, f"goal {status.name.replace('_', ' ')}", goal)
    db.session.flush()
    if status is GoalStatus.achieved:
        _tell_social_worker(actor, goal)


def _tell_social_worker(actor: User, goal: Goal) -> None:
    """Schemes report achievements as well as concerns: the social worker hears of one (no goal text)."""
    family = db.session.get(Family, goal.family_id)
    if family.social_worker_id == actor.id:
        return
    base = current_app.config["BASE_URL"]
    mailer.queue_notice(family.social_worker_id, "A goal has been achieved", template="goal_achieved",
                        reference=family.reference, link=f"{base}/goals/{goal.id}")
