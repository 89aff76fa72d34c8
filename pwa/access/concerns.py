"""Safeguarding concerns, debriefs and undelivered alerts (a mentor sees only the status of concerns they raised)."""

import sqlalchemy as sa


from pwa.core import audit
from pwa.access.policy import CASE_ROLES, _as_uuid, one
from pwa.access.people import visible_families
from pwa.core.extensions import db
from pwa.models import Family, Role, User
from pwa.models import Concern, ConcernAddendum, DebriefTask, MailStatus, OutboxMessage  # concerns


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
