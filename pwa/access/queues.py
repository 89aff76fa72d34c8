"""The coordinator dashboard's concern queues, as lines: the columns a card shows, no object loaded.

A line opens only the family's or mentor's name; a concern's text stays sealed. The paged
concerns list and the concern page load the concerns themselves (pwa/access/concerns.py).
"""
import uuid
from datetime import datetime
from typing import NamedTuple

import sqlalchemy as sa

from pwa.access.concerns import _counted, _debriefs, _debriefs_counted, _open_concern, _undelivered_newest, \
    visible_concerns
from pwa.access.kept import prepared
from pwa.access.phone import HELD_SHOWN, _held
from pwa.access.staff import staff_name
from pwa.core import audit
from pwa.core.database import columns
from pwa.core.extensions import db
from pwa.models import Concern, ConcernAddendum, DebriefTask, Family, Role, Urgency, User
from pwa.models.base import open_column


def waiting_counted(user: User) -> sa.Select:
    """The select of how many concerns waiting_concerns would list (the dashboard reads it with its other counts)."""
    return _counted(user, True)


def debriefs_counted(user: User) -> sa.Select:
    """The select of how many debrief tasks debrief_queue would list."""
    return _debriefs_counted(user)


def undelivered_listed(user: User) -> sa.Select:
    """The select of the dead letters undelivered_mail lists (the dashboard asks only whether it has any)."""
    return _undelivered_newest(user)


def held_listed(user: User) -> sa.Select:
    """The select of the held entries held_items lists (the dashboard asks only whether it has any)."""
    return _held(user, True, HELD_SHOWN)


class WaitingLine(NamedTuple):
    """A concern with something unacknowledged, and since when the oldest of it has waited."""

    id: uuid.UUID
    reference: str
    urgency: Urgency
    escalations: int
    family_name: str
    waiting_since: datetime


def waiting_concerns(user: User, *, limit: int, offset: int = 0) -> list[WaitingLine]:
    """Concerns (or their addenda) nobody has acknowledged, oldest first; audited as a concerns list."""
    lines = [WaitingLine(cid, ref, urgency, escalations, open_column(Family.display_name, fid, name),
                         created if acknowledged is None else addendum)
             for cid, ref, urgency, escalations, fid, name, created, acknowledged, addendum
             in columns(prepared(_waiting, user, limit, offset))]
    audit.record(db.session, user, "list", object_type="concerns")
    return lines


def _waiting(user: User, limit: int, offset: int) -> sa.Select:
    oldest_addendum = (sa.select(sa.func.min(ConcernAddendum.created_at))
                       .where(ConcernAddendum.concern_id == Concern.id, ConcernAddendum.acknowledged_at.is_(None))
                       .scalar_subquery())
    return (visible_concerns(user).with_only_columns(
            Concern.id, Concern.reference, Concern.urgency, Concern.escalations, Family.id, Family.display_name,
            Concern.created_at, Concern.acknowledged_at, oldest_addendum)
            .join(Family, Family.id == Concern.family_id).where(_open_concern())
            .order_by(Concern.created_at, Concern.id).limit(limit).offset(offset))


class DebriefLine(NamedTuple):
    """A debrief to do: whose, after which concern, and what the concern was missing."""

    concern_id: uuid.UUID
    reference: str
    missing_keys: list[str]
    mentor_name: str
    created_at: datetime


def debrief_queue(user: User, *, limit: int, offset: int = 0) -> list[DebriefLine]:
    """A coordinator's debrief tasks to do, oldest first; audited as the debrief list."""
    if user.role is not Role.coordinator:
        return []
    lines = [DebriefLine(cid, ref, Concern.keys_of(missing), staff_name(uid, name), at)
             for cid, ref, missing, uid, name, at in columns(prepared(_debrief_lines, user, limit, offset))]
    audit.record(db.session, user, "list", object_type="debrief_tasks")
    return lines


def _debrief_lines(user: User, limit: int, offset: int) -> sa.Select:
    return (_debriefs(user, False).with_only_columns(DebriefTask.concern_id, Concern.reference, Concern.missing,
                                                     User.id, User.name, DebriefTask.created_at)
            .join(User, User.id == DebriefTask.mentor_id)
            .order_by(DebriefTask.created_at, DebriefTask.concern_id).limit(limit).offset(offset))
