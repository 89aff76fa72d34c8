"""Who may see and do what: the one place that decides.

Views never query case tables directly. They ask for an object through a
function here, which scopes the query to the current user, answers 404 for
anything outside that scope (so ids reveal nothing), and audits the read.

- a mentor sees only families they have an active match with;
- a coordinator sees only their programme;
- a social worker sees only the families they are responsible for;
- an admin sees no case content (accounts and programme settings only).
"""
import uuid
from functools import wraps

import sqlalchemy as sa
from sqlalchemy.orm import defer, selectinload
from typing import NoReturn

from flask import abort, request
from flask_login import current_user, login_required

from pwa.core import audit, refusals
from pwa.core.extensions import db
from pwa.models import Family, Match, Programme, Role, SupervisionSession, User
from pwa.models import Goal, OutcomeReading, Visit, VisitGoal  # diary, goals, outcome readings
from pwa.models import GoalStatus  # the offline snapshot's active goals
from pwa.models import Concern, ConcernAddendum, DebriefTask, MailStatus, OutboxMessage  # concerns
from pwa.models import QuarantinedItem  # entries held from the phone's outbox

CASE_ROLES = (Role.coordinator, Role.social_worker, Role.mentor)

# What each role may do to a family it can see.
FAMILY_ACTIONS: dict[str, set[Role]] = {
    "read": set(CASE_ROLES),
    "edit": {Role.coordinator, Role.social_worker},
    "record_consent": {Role.coordinator, Role.social_worker},
    "reassign": {Role.coordinator},
    "match": {Role.coordinator},
    "log_visit": {Role.mentor},
    "add_goal": set(CASE_ROLES),
    "record_reading": set(CASE_ROLES),
    "raise_concern": set(CASE_ROLES),  # staff raise one through the same path and alerts
}


def roles_required(*roles: Role):
    """Let only signed-in users with one of these roles reach a view."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                refuse(current_user, 403, "route", object_type="route", object_id=request.endpoint)
            return view(*args, **kwargs)

        wrapped.allowed_roles = roles
        return wrapped

    return decorator


def refuse(user: User, status: int, action: str, *, object_type: str, object_id) -> NoReturn:
    """Answer 403/404, first recording who asked for what in its own short transaction."""
    refusals.record(user, action, object_type, object_id)
    abort(status)


def _as_uuid(user: User, model, value, action: str) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        refuse(user, 404, action, object_type=model.__tablename__, object_id=value)


def _verb(action: str) -> str:
    return "read" if action == "read" else f"open:{action}"


def one(user: User, visible: sa.Select, model, object_id, action: str = "read", may=True, audit_as=None):
    """Fetch one object of a scoped select, or 404 (out of scope) / 403 (`may` false); audit either way.

    `may` is a bool or a callable given the object; a refusal is audited as
    such and never as a read.
    """
    wanted = _as_uuid(user, model, object_id, action)
    found = db.session.scalars(visible.where(model.id == wanted)).unique().one_or_none()
    if found is None:
        refuse(user, 404, action, object_type=model.__tablename__, object_id=wanted)
    if not (may(found) if callable(may) else may):
        refuse(user, 403, action, object_type=model.__tablename__, object_id=wanted)
    audit.record(db.session, user, audit_as or _verb(action), found)
    return found


def visible_families(user: User) -> sa.Select:
    """Families the user may see, as a select to refine."""
    q = sa.select(Family)
    if user.role is Role.coordinator:
        return q.where(Family.programme_id == user.programme_id)
    if user.role is Role.social_worker:
        return q.where(Family.social_worker_id == user.id)
    if user.role is Role.mentor:
        active = sa.select(Match.family_id).where(Match.mentor_id == user.id, Match.is_active())
        return q.where(Family.id.in_(active))
    return q.where(sa.false())


def family_for(user: User, family_id, action: str = "read") -> Family:
    """Fetch one family the user may act on, auditing the access, or 404/403."""
    return one(user, visible_families(user), Family, family_id, action, user.role in FAMILY_ACTIONS[action])


def list_families(user: User, *, stage=None, limit: int | None = None, offset: int = 0) -> list[Family]:
    """The user's families, newest referral first, auditing the listing (long texts left unopened)."""
    q = (visible_families(user).order_by(Family.referred_at.desc(), Family.id)
         .options(defer(Family.referral_reason), defer(Family.involvement_plan), defer(Family.address)))
    if stage is not None:
        q = q.where(Family.stage == stage)
    if limit is not None:
        q = q.limit(limit).offset(offset)
    families = db.session.scalars(q).unique().all()
    audit.record(db.session, user, "list", object_type="families")
    return list(families)


def visible_matches(user: User) -> sa.Select:
    """Matches on families the user may see (a mentor: only their own, active)."""
    q = sa.select(Match).join(Match.family)
    if user.role is Role.mentor:
        return q.where(Match.mentor_id == user.id, Match.is_active())
    return q.where(Family.id.in_(visible_families(user).with_only_columns(Family.id)))


def match_for(user: User, match_id, action: str = "read") -> Match:
    """Fetch one match: anyone who can see it may read; only its coordinator may change it."""
    return one(user, visible_matches(user), Match, match_id, action, action == "read" or user.role is Role.coordinator)


def active_matches_for_families(user: User, family_ids) -> dict:
    """The active match of each listed family, in one query."""
    if not family_ids:
        return {}
    rows = db.session.scalars(
        visible_matches(user).where(Match.family_id.in_(family_ids), Match.is_active())
    ).unique()
    return {m.family_id: m for m in rows}


def manageable_users(user: User) -> sa.Select:
    """Accounts the user may manage: an admin all, a coordinator their programme's."""
    q = sa.select(User)
    if user.role is Role.admin:
        return q
    if user.role is Role.coordinator:
        return q.where(User.programme_id == user.programme_id, User.role != Role.admin)
    return q.where(sa.false())


def user_for(user: User, user_id) -> User:
    """Fetch one account the user may manage, or 404."""
    return one(user, manageable_users(user), User, user_id)


def mentors_of(user: User) -> list[User]:
    """The coordinator's programme's mentors."""
    q = manageable_users(user).where(User.role == Role.mentor).order_by(User.created_at)
    return list(db.session.scalars(q))


def social_workers_of(programme_id) -> list[User]:
    """Active social workers in a programme."""
    q = sa.select(User).where(
        User.programme_id == programme_id, User.role == Role.social_worker, User.active.is_(True)
    )
    return list(db.session.scalars(q))


def supervision_notes(user: User, mentor: User) -> list[SupervisionSession]:
    """A mentor's supervision sessions, newest first, for their programme's coordinator; audited."""
    if user.role is not Role.coordinator or mentor.programme_id != user.programme_id:
        return []
    q = sa.select(SupervisionSession).where(SupervisionSession.mentor_id == mentor.id)
    found = list(db.session.scalars(q.order_by(SupervisionSession.held_on.desc())))
    audit.record(db.session, user, "read supervision", mentor)
    return found


def programmes_for(user: User) -> list[Programme]:
    """Programmes the user may manage: an admin all of them."""
    if user.role is not Role.admin:
        return []
    return list(db.session.scalars(sa.select(Programme).order_by(Programme.name)))


def programme_for(user: User, programme_id) -> Programme:
    """Fetch a programme the user may manage, or 404."""
    visible = sa.select(Programme).where(sa.true() if user.role is Role.admin else sa.false())
    return one(user, visible, Programme, programme_id)


# --- Diary entries, goals and outcome readings (a mentor reads only their own entries) ---

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
    return one(user, visible_visits(user), Visit, visit_id, action,
               lambda visit: action == "read" or visit.author_id == user.id)


def family_visits(user: User, family: Family, limit: int, *, since=None, until=None, child=None) -> list[Visit]:
    """A family's newest diary entries the user may read (naming a child, when given), audited once."""
    q = visible_visits(user).where(Visit.family_id == family.id)
    if child is not None:
        from pwa.models import VisitChild

        q = q.where(Visit.id.in_(sa.select(VisitChild.visit_id).where(VisitChild.child_id == _as_uuid(user, Visit, child, "read"))))
    if since is not None:
        q = q.where(Visit.visit_on >= since)
    if until is not None:
        q = q.where(Visit.visit_on <= until)
    q = (q
         .order_by(Visit.started_at.desc(), Visit.created_at.desc()).limit(limit)
         .options(selectinload(Visit.corrected_by).load_only(Visit.id, Visit.created_at).lazyload("*")))
    visits = list(db.session.scalars(q))
    audit.record(db.session, user, "read diary", family)
    return visits


def goal_for(user: User, goal_id, action: str = "read") -> Goal:
    """Fetch one goal on a family the user may see, auditing the access, or 404/403."""
    visible = sa.select(Goal).where(Goal.family_id.in_(_family_ids(user)))
    return one(user, visible, Goal, goal_id, action, user.role in GOAL_ACTIONS[action])


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


def goal_progress(user: User, goal: Goal) -> list[tuple[VisitGoal, Visit]]:
    """Progress on a goal from the current diary entries the user may read, newest first."""
    readable = visible_visits(user).where(Visit.is_current()).with_only_columns(Visit.id)
    q = (sa.select(VisitGoal, Visit).join(Visit, Visit.id == VisitGoal.visit_id)
         .where(VisitGoal.goal_id == goal.id, Visit.id.in_(readable))
         .order_by(Visit.started_at.desc()))
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


# --- Safeguarding concerns (a mentor sees only the status of concerns they raised) ---

CONCERN_ACTIONS: dict[str, set[Role]] = {
    "read": set(CASE_ROLES),
    "status": set(CASE_ROLES),
    "acknowledge": {Role.social_worker, Role.coordinator},
    "action_taken": {Role.social_worker},
    "addendum": {Role.mentor, Role.coordinator},
}


def visible_concerns(user: User) -> sa.Select:
    """Concerns the user may see: a mentor only those they raised, on families they still mentor."""
    q = sa.select(Concern).where(Concern.family_id.in_(visible_families(user).with_only_columns(Family.id)))
    return q.where(Concern.author_id == user.id) if user.role is Role.mentor else q


def concern_for(user: User, concern_id, action: str = "read") -> Concern:
    """Fetch one concern the user may act on, auditing the opening, or 404/403."""
    return one(user, visible_concerns(user), Concern, concern_id, action, user.role in CONCERN_ACTIONS[action])


def _open_concern():
    waiting = sa.select(ConcernAddendum.concern_id).where(ConcernAddendum.acknowledged_at.is_(None))
    return sa.or_(Concern.acknowledged_at.is_(None), Concern.id.in_(waiting))


def count_concerns(user: User) -> int:
    """How many concerns the user may see (for the paged concerns list)."""
    return db.session.scalar(visible_concerns(user).with_only_columns(sa.func.count()))


def list_concerns(user: User, *, open_only: bool = False, family: Family | None = None, limit: int = 200,
                  after=None, before=None, offset: int = 0, child=None) -> list[Concern]:
    """The user's concerns, newest first (open: something unacknowledged; after/before: it or an addendum), audited."""
    q = visible_concerns(user).order_by(Concern.created_at.desc(), Concern.id).limit(limit).offset(offset)
    if child is not None:
        from pwa.models import ConcernChild

        wanted = _as_uuid(user, Concern, child, "read")
        q = q.where(Concern.id.in_(sa.select(ConcernChild.concern_id).where(ConcernChild.child_id == wanted)))
    if open_only:
        q = q.where(_open_concern())
    if family is not None:
        q = q.where(Concern.family_id == family.id)
    if before is not None:
        q = q.where(Concern.created_at < before)
    if after is not None:
        later = sa.select(ConcernAddendum.concern_id).where(ConcernAddendum.created_at >= after)
        q = q.where(sa.or_(Concern.created_at >= after, Concern.id.in_(later)))
    concerns = list(db.session.scalars(q).unique())
    if family is not None:
        audit.record(db.session, user, "list concerns", family)
    else:
        audit.record(db.session, user, "list", object_type="concerns")
    return concerns


def debriefs_for(user: User, *, done: bool = False) -> list[DebriefTask]:
    """A coordinator's debrief tasks, to do (oldest first) or done (newest first)."""
    if user.role is not Role.coordinator:
        return []
    q = sa.select(DebriefTask).where(DebriefTask.concern_id.in_(visible_concerns(user).with_only_columns(Concern.id)))
    q = q.where(DebriefTask.done_at.is_not(None)).order_by(DebriefTask.done_at.desc()).limit(50) if done else \
        q.where(DebriefTask.done_at.is_(None)).order_by(DebriefTask.created_at)
    tasks = list(db.session.scalars(q).unique())
    audit.record(db.session, user, "list", object_type="debrief_tasks")
    return tasks


def debrief_for(user: User, task_id) -> DebriefTask:
    """Fetch one debrief task of the coordinator's programme, or 404."""
    tasks = sa.select(DebriefTask).where(
        DebriefTask.concern_id.in_(visible_concerns(user).with_only_columns(Concern.id)),
        sa.true() if user.role is Role.coordinator else sa.false())
    return one(user, tasks, DebriefTask, task_id, "debrief")


def _undelivered(user: User) -> sa.Select:
    q = sa.select(OutboxMessage).where(OutboxMessage.status == MailStatus.dead)
    if user.role is Role.admin:
        return q
    if user.role is not Role.coordinator:
        return q.where(sa.false())
    concerns = visible_concerns(user).with_only_columns(Concern.id)
    addenda = sa.select(ConcernAddendum.id).where(ConcernAddendum.concern_id.in_(concerns))
    return q.where(sa.or_(OutboxMessage.subject_id.in_(concerns), OutboxMessage.subject_id.in_(addenda)))


def undelivered_mail(user: User) -> list[OutboxMessage]:
    """Dead letters: an admin sees every one (shown without case content), a coordinator their programme's."""
    found = list(db.session.scalars(_undelivered(user).order_by(OutboxMessage.created_at.desc()).limit(200)))
    audit.record(db.session, user, "list", object_type="outbox_messages")
    return found


def undelivered_for(user: User, message_id) -> OutboxMessage:
    """Fetch one dead letter the user may retry, or 404."""
    return one(user, _undelivered(user), OutboxMessage, message_id, "retry")


# --- The phone's offline snapshot and outbox (a mentor's own families and concerns only) ---

def offline_snapshot(user: User) -> list[tuple[Family, list[Goal]]]:
    """A mentor's families with their children and active goals, for the encrypted offline snapshot; audited."""
    if user.role is not Role.mentor:
        return []
    families = list(db.session.scalars(visible_families(user).order_by(Family.referred_at)).unique())
    goals: dict = {}
    if families:
        q = (sa.select(Goal).where(Goal.family_id.in_([f.id for f in families]), Goal.status == GoalStatus.active)
             .order_by(Goal.created_at))
        for goal in db.session.scalars(q):
            goals.setdefault(goal.family_id, []).append(goal)
    for family in families:
        audit.record(db.session, user, "offline snapshot", family)
    return [(f, goals.get(f.id, [])) for f in families]


def concerns_sent_by(user: User, client_uuids) -> list[Concern]:
    """The user's own concerns stored under these client UUIDs (how the phone's sent ones stand); audited."""
    ids = list(client_uuids)
    if not ids:
        return []
    q = visible_concerns(user).where(Concern.client_uuid.in_(ids), Concern.author_id == user.id)
    concerns = list(db.session.scalars(q).unique())
    for concern in concerns:
        audit.record(db.session, user, "read status", concern)
    return concerns


def visits_sent_by(user: User, client_uuids) -> list[Visit]:
    """The user's own diary entries stored under these client UUIDs (for the phone's states); audited."""
    ids = list(client_uuids)
    if not ids:
        return []
    visits = list(db.session.scalars(visible_visits(user).where(Visit.client_uuid.in_(ids),
                                                                Visit.author_id == user.id)))
    for visit in visits:
        audit.record(db.session, user, "read status", visit)
    return visits


# --- Entries held from the phone's outbox (a coordinator: their programme's; a mentor: the state of their own) ---

def visible_held(user: User) -> sa.Select:
    """Held entries the user may open: a coordinator their programme's."""
    q = sa.select(QuarantinedItem)
    if user.role is Role.coordinator:
        return q.where(QuarantinedItem.programme_id == user.programme_id)
    return q.where(sa.false())


def held_items(user: User, *, open_only: bool = True, limit: int = 200) -> list[QuarantinedItem]:
    """Held entries, oldest waiting first (or every one, newest first), audited as a listing."""
    q = visible_held(user)
    q = q.where(QuarantinedItem.dealt_at.is_(None)).order_by(QuarantinedItem.received_at) if open_only else \
        q.order_by(QuarantinedItem.received_at.desc())
    items = list(db.session.scalars(q.limit(limit)).unique())
    audit.record(db.session, user, "list", object_type="quarantined_items")
    return items


def held_item_for(user: User, item_id, action: str = "read") -> QuarantinedItem:
    """Fetch one held entry of the coordinator's programme, auditing the opening, or 404."""
    return one(user, visible_held(user), QuarantinedItem, item_id, action)


def held_family(user: User, item: QuarantinedItem) -> Family | None:
    """The family a held entry names, if it is in the coordinator's programme (audited), else None."""
    if item.family_id is None:
        return None
    family = db.session.scalar(visible_families(user).where(Family.id == item.family_id))
    if family is not None:
        audit.record(db.session, user, "read", family)
    return family


def held_sent_by(user: User, client_uuids) -> list[QuarantinedItem]:
    """The user's own held entries under these client UUIDs (how they stand, for the phone)."""
    ids = list(client_uuids)
    if not ids:
        return []
    q = sa.select(QuarantinedItem).where(QuarantinedItem.client_uuid.in_(ids), QuarantinedItem.author_id == user.id)
    return list(db.session.scalars(q).unique())


# --- The family record: its children and the people around it (read with the family, audited) ---

def child_for(user: User, family: Family, child_id, action: str = "edit"):
    """One of the family's children (not removed), for a user allowed to act on the family, or 404/403."""
    from pwa.models import Child

    if user.role not in FAMILY_ACTIONS[action]:
        refuse(user, 403, action, object_type="children", object_id=child_id)
    child = db.session.scalar(sa.select(Child).where(Child.id == _as_uuid(user, Child, child_id, action),
                                                     Child.family_id == family.id, Child.removed_at.is_(None)))
    if child is None:
        refuse(user, 404, action, object_type="children", object_id=child_id)
    audit.record(db.session, user, f"open:{action}", child)
    return child


def person_for(user: User, family: Family, person_id, action: str = "edit"):
    """A parent, carer or professional on the family's record, or 404/403."""
    from pwa.models import FamilyPerson

    if user.role not in FAMILY_ACTIONS[action]:
        refuse(user, 403, action, object_type="family_people", object_id=person_id)
    person = db.session.scalar(sa.select(FamilyPerson).where(
        FamilyPerson.id == _as_uuid(user, FamilyPerson, person_id, action), FamilyPerson.family_id == family.id,
        FamilyPerson.removed_at.is_(None)))
    if person is None:
        refuse(user, 404, action, object_type="family_people", object_id=person_id)
    audit.record(db.session, user, f"open:{action}", person)
    return person


def family_record(user: User, family: Family) -> tuple:
    """The family's plan details and the people around it, for a user who has opened the family; audited."""
    from pwa.families import record

    audit.record(db.session, user, "read record", family)
    return record.plan_of(family), record.people_of(family)
