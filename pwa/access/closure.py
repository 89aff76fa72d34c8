"""Closed cases and what the retention schedule deleted (a coordinator: their programme's)."""
import sqlalchemy as sa
from sqlalchemy.orm import defer

from pwa.access.people import visible_families
from pwa.core import audit
from pwa.core.extensions import db
from pwa.models import Family, RetentionDeletion, Role, User


def closed_families(user: User, ids) -> dict:
    """The user's closed families among these ids, by id (long texts left unopened); audited as a listing."""
    if not ids:
        return {}
    q = (visible_families(user).where(Family.id.in_(list(ids)), Family.closed_on.is_not(None))
         .options(defer(Family.referral_reason), defer(Family.involvement_plan), defer(Family.address)))
    found = {f.id: f for f in db.session.scalars(q).unique()}
    audit.record(db.session, user, "list", object_type="closed_families")
    return found


def retention_deletions(user: User, limit: int = 50) -> list[RetentionDeletion]:
    """What the schedule deleted from the coordinator's programme, newest first (no content in them)."""
    if user.role is not Role.coordinator:
        return []
    q = (sa.select(RetentionDeletion).where(RetentionDeletion.programme_id == user.programme_id)
         .order_by(RetentionDeletion.deleted_at.desc()).limit(limit))
    return list(db.session.scalars(q))
