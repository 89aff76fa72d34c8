"""The phone's offline snapshot and outbox, and the entries held from it."""

import sqlalchemy as sa


from pwa.core import audit
from pwa.access.kept import prepared
from pwa.access.policy import one
from pwa.access.people import visible_families
from pwa.access.diary import visible_visits
from pwa.access.concerns import visible_concerns
from pwa.core.extensions import db
from pwa.models import Family, Role, User
from pwa.models import Goal, Visit  # diary, goals, outcome readings
from pwa.models import GoalStatus  # the offline snapshot's active goals
from pwa.models import Concern  # concerns
from pwa.models import QuarantinedItem  # entries held from the phone's outbox


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


def _sent_by(user: User, q: sa.Select, model, client_uuids, audited: bool = True) -> list:
    """The user's own rows of `model` within `q` stored under these client UUIDs, each read audited."""
    ids = list(client_uuids)
    if not ids:
        return []
    rows = list(db.session.scalars(q.where(model.client_uuid.in_(ids), model.author_id == user.id)).unique())
    for row in rows if audited else ():
        audit.record(db.session, user, "read status", row)
    return rows


def concerns_sent_by(user: User, client_uuids) -> list[Concern]:
    """The user's own concerns stored under these client UUIDs (how the phone's sent ones stand); audited."""
    return _sent_by(user, visible_concerns(user), Concern, client_uuids)


def visits_sent_by(user: User, client_uuids) -> list[Visit]:
    """The user's own diary entries stored under these client UUIDs (for the phone's states); audited."""
    return _sent_by(user, visible_visits(user), Visit, client_uuids)


# --- Entries held from the phone's outbox (a coordinator: their programme's; a mentor: the state of their own) ---

def visible_held(user: User) -> sa.Select:
    """Held entries the user may open: a coordinator their programme's."""
    q = sa.select(QuarantinedItem)
    if user.role is Role.coordinator:
        return q.where(QuarantinedItem.programme_id == user.programme_id)
    return q.where(sa.false())


HELD_SHOWN = 200  # held entries listed at most (a coordinator checks and clears them as they come)


def held_items(user: User, *, open_only: bool = True, limit: int = HELD_SHOWN) -> list[QuarantinedItem]:
    """Held entries, oldest waiting first (or every one, newest first), audited as a listing."""
    items = list(db.session.scalars(prepared(_held, user, open_only, limit)).unique())
    audit.record(db.session, user, "list", object_type="quarantined_items")
    return items


def _held(user: User, open_only: bool, limit: int) -> sa.Select:
    q = visible_held(user)
    q = q.where(QuarantinedItem.dealt_at.is_(None)).order_by(QuarantinedItem.received_at) if open_only else \
        q.order_by(QuarantinedItem.received_at.desc())
    return q.limit(limit)


def held_item_for(user: User, item_id, action: str = "read") -> QuarantinedItem:
    """Fetch one held entry of the coordinator's programme, auditing the opening, or 404."""
    return one(user, visible_held, QuarantinedItem, item_id, action)


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
    return _sent_by(user, sa.select(QuarantinedItem), QuarantinedItem, client_uuids, audited=False)
