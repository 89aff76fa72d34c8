"""Safeguarding concerns, debriefs and undelivered alerts (a mentor sees only the status of concerns they raised)."""

import uuid
from datetime import datetime
from typing import NamedTuple

import sqlalchemy as sa


from pwa.core import audit
from pwa.access.policy import CASE_ROLES, _as_uuid, one
from pwa.access.kept import prepared
from pwa.access.people import visible_families
from pwa.core.database import columns
from pwa.core.extensions import db
from pwa.models import Family, Role, Urgency, User
from pwa.models.base import open_column
from pwa.web import paging
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
    return one(user, visible_concerns, Concern, concern_id, action, user.role in CONCERN_ACTIONS[action])


def _open_concern():
    waiting = sa.select(ConcernAddendum.concern_id).where(ConcernAddendum.acknowledged_at.is_(None))
    return sa.or_(Concern.acknowledged_at.is_(None), Concern.id.in_(waiting))


def count_concerns(user: User, *, open_only: bool = False) -> int:
    """How many concerns the user may see (for the paged concerns list; open: something unacknowledged)."""
    return db.session.scalar(prepared(_counted, user, open_only))


def _counted(user: User, open_only: bool) -> sa.Select:
    q = visible_concerns(user).with_only_columns(sa.func.count())
    return q.where(_open_concern()) if open_only else q


def list_concerns(user: User, *, open_only: bool = False, family: Family | None = None, limit: int = 200,
                  after=None, before=None, offset: int = 0, child=None, oldest_first: bool = False) -> list[Concern]:
    """The user's concerns, newest first (open: something unacknowledged; after/before: it or an addendum), audited.

    The select is built once for the user's scope and these choices (pwa.access.kept).
    """
    q = prepared(_concerns, user, *_about(user, family, child), open_only, limit, after, before, offset, oldest_first)
    concerns = list(db.session.scalars(q).unique())
    audit_listing(user, family)
    return concerns


class IndexLine(NamedTuple):
    """A concern on the concerns page: what its card shows, no text opened (the family's name only for staff)."""

    id: uuid.UUID
    reference: str
    urgency: Urgency
    created_at: datetime
    acknowledged_at: datetime | None
    escalations: int
    action_taken: bool
    acknowledged_by_role: Role | None
    family_name: str | None
    waiting_addenda: int  # additions not yet acknowledged

    @property
    def acknowledged(self) -> bool:
        """Someone responsible has read it and taken it on."""
        return self.acknowledged_at is not None


def concern_index(user: User, *, limit: int, offset: int = 0) -> tuple[list[IndexLine], paging.Page]:
    """A page of the user's concerns, newest first, as lines, and where it sits (past the end: the last); audited.

    One select: the total rides on the rows (a window count over the page's ids), and only what a card
    shows is read.
    """
    staff = user.role is not Role.mentor

    def read(at: int, kept: bool) -> tuple[list[IndexLine], int]:
        lines, total = [], 0
        for *plain, family_id, name, waiting, total in columns(prepared(_index, user, limit, at) if kept  # noqa: B007
                                                               else _index(user, limit, at)):
            lines.append(IndexLine(*plain, open_column(Family.display_name, family_id, name) if staff else None,
                                   waiting))
        return lines, total

    found = paging.read_page(read, lambda: count_concerns(user), limit, offset)
    audit_listing(user, None)
    return found


def _index(user: User, limit: int, offset: int) -> sa.Select:
    ids = (_concerns(user, None, None, False, limit, None, None, offset, False)
           .with_only_columns(Concern.id, sa.func.count().over().label("total")).subquery())
    waiting = (sa.select(sa.func.count()).where(ConcernAddendum.concern_id == Concern.id,
                                                ConcernAddendum.acknowledged_at.is_(None)).scalar_subquery())
    return (sa.select(Concern.id, Concern.reference, Concern.urgency, Concern.created_at, Concern.acknowledged_at,
                      Concern.escalations, Concern.action_taken_at.is_not(None), User.role, Family.id,
                      Family.display_name, waiting, ids.c.total)
            .join(ids, ids.c.id == Concern.id).join(Family, Family.id == Concern.family_id)
            .outerjoin(User, User.id == Concern.acknowledged_by_id).order_by(Concern.created_at.desc(), Concern.id))


def _about(user: User, family: Family | None, child) -> tuple:
    """The family's id and the child's (checked: a malformed id is a 404), as the selects take them."""
    return None if family is None else family.id, None if child is None else _as_uuid(user, Concern, child, "read")


def _concerns(user: User, family_id, child_id, open_only: bool, limit: int, after, before, offset: int,
              oldest_first: bool) -> sa.Select:
    order = (Concern.created_at, Concern.id) if oldest_first else (Concern.created_at.desc(), Concern.id)
    q = visible_concerns(user).order_by(*order).limit(limit).offset(offset)
    if child_id is not None:
        from pwa.models import ConcernChild

        q = q.where(Concern.id.in_(sa.select(ConcernChild.concern_id).where(ConcernChild.child_id == child_id)))
    if open_only:
        q = q.where(_open_concern())
    if family_id is not None:
        q = q.where(Concern.family_id == family_id)
    if before is not None:
        q = q.where(Concern.created_at < before)
    if after is not None:
        later = sa.select(ConcernAddendum.concern_id).where(ConcernAddendum.created_at >= after)
        q = q.where(sa.or_(Concern.created_at >= after, Concern.id.in_(later)))
    return q


def audit_listing(user: User, family: Family | None) -> None:
    """Audit that the user listed a family's concerns (or the concerns of everything they may see)."""
    if family is not None:
        audit.record(db.session, user, "list concerns", family)
    else:
        audit.record(db.session, user, "list", object_type="concerns")


def _debriefs(user: User, done: bool) -> sa.Select:
    # Joins, not "concern_id IN (every visible concern)" nor "family_id IN (every visible family)": the few
    # tasks to do are read by their index, each joined to its concern and family (an IN list of the
    # coordinator's 500 families, built on each run, was 1.4 of the dashboard's 1.7 ms for this count).
    q = (sa.select(DebriefTask).join(Concern, Concern.id == DebriefTask.concern_id)
         .join(Family, Family.id == Concern.family_id)
         .where(visible_families(user).whereclause, sa.true() if user.role is Role.coordinator else sa.false()))
    return q.where(DebriefTask.done_at.is_not(None) if done else DebriefTask.done_at.is_(None))


def count_debriefs(user: User) -> int:
    """How many debrief tasks a coordinator has still to do."""
    return db.session.scalar(prepared(_debriefs_counted, user))


def _debriefs_counted(user: User) -> sa.Select:
    return _debriefs(user, False).with_only_columns(sa.func.count())


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
    found = list(db.session.scalars(prepared(_undelivered_newest, user)))
    audit.record(db.session, user, "list", object_type="outbox_messages")
    return found


def count_undelivered(user: User) -> int:
    """How many dead letters undelivered_mail would list (the concerns page shows only the number), audited alike."""
    found = db.session.scalar(prepared(_undelivered_counted, user))
    audit.record(db.session, user, "list", object_type="outbox_messages")
    return found


def _undelivered_counted(user: User) -> sa.Select:
    return sa.select(sa.func.count()).select_from(_undelivered_newest(user).with_only_columns(OutboxMessage.id).subquery())


def _undelivered_newest(user: User) -> sa.Select:
    return _undelivered(user).order_by(OutboxMessage.created_at.desc()).limit(200)


def undelivered_for(user: User, message_id) -> OutboxMessage:
    """Fetch one dead letter the user may retry, or 404."""
    return one(user, _undelivered(user), OutboxMessage, message_id, "retry")
