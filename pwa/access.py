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
from flask import abort
from flask_login import current_user, login_required

from pwa import audit
from pwa.extensions import db
from pwa.models import Family, Match, Programme, Role, User

CASE_ROLES = (Role.coordinator, Role.social_worker, Role.mentor)

# What each role may do to a family it can see.
FAMILY_ACTIONS: dict[str, set[Role]] = {
    "read": set(CASE_ROLES),
    "edit": {Role.coordinator, Role.social_worker},
    "record_consent": {Role.coordinator, Role.social_worker},
    "reassign": {Role.coordinator},
    "match": {Role.coordinator},
}


def roles_required(*roles: Role):
    """Let only signed-in users with one of these roles reach a view."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        wrapped.allowed_roles = roles
        return wrapped

    return decorator


def _as_uuid(value) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        abort(404)


def visible_families(user: User) -> sa.Select:
    """Families the user may see, as a select to refine."""
    q = sa.select(Family)
    if user.role is Role.coordinator:
        return q.where(Family.programme_id == user.programme_id)
    if user.role is Role.social_worker:
        return q.where(Family.social_worker_id == user.id)
    if user.role is Role.mentor:
        active = sa.select(Match.family_id).where(Match.mentor_id == user.id, Match.ended_on.is_(None))
        return q.where(Family.id.in_(active))
    return q.where(sa.false())


def family_for(user: User, family_id, action: str = "read") -> Family:
    """Fetch one family the user may act on, auditing the access, or 404/403."""
    family = db.session.scalar(visible_families(user).where(Family.id == _as_uuid(family_id)))
    if family is None:
        abort(404)
    if user.role not in FAMILY_ACTIONS[action]:
        abort(403)
    audit.record(db.session, user, "read" if action == "read" else f"open:{action}", family)
    return family


def list_families(user: User, *, stage=None) -> list[Family]:
    """The user's families, newest referral first, auditing the listing."""
    q = visible_families(user).order_by(Family.referred_at.desc())
    if stage is not None:
        q = q.where(Family.stage == stage)
    families = db.session.scalars(q).unique().all()
    audit.record(db.session, user, "list", object_type="families")
    return list(families)


def visible_matches(user: User) -> sa.Select:
    """Matches on families the user may see (a mentor: only their own, active)."""
    q = sa.select(Match).join(Match.family)
    if user.role is Role.mentor:
        return q.where(Match.mentor_id == user.id, Match.ended_on.is_(None))
    return q.where(Family.id.in_(visible_families(user).with_only_columns(Family.id)))


def match_for(user: User, match_id, action: str = "read") -> Match:
    """Fetch one match: anyone who can see it may read; only its coordinator may change it."""
    match = db.session.scalar(visible_matches(user).where(Match.id == _as_uuid(match_id)))
    if match is None:
        abort(404)
    if action != "read" and user.role is not Role.coordinator:
        abort(403)
    audit.record(db.session, user, "read" if action == "read" else f"open:{action}", match)
    return match


def active_matches_for_families(user: User, family_ids) -> dict:
    """The active match of each listed family, in one query."""
    if not family_ids:
        return {}
    rows = db.session.scalars(
        visible_matches(user).where(Match.family_id.in_(family_ids), Match.ended_on.is_(None))
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
    found = db.session.scalar(manageable_users(user).where(User.id == _as_uuid(user_id)))
    if found is None:
        abort(404)
    audit.record(db.session, user, "read", found)
    return found


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


def programmes_for(user: User) -> list[Programme]:
    """Programmes the user may manage: an admin all of them."""
    if user.role is not Role.admin:
        return []
    return list(db.session.scalars(sa.select(Programme).order_by(Programme.name)))


def programme_for(user: User, programme_id) -> Programme:
    """Fetch a programme the user may manage, or 404."""
    programme = db.session.get(Programme, _as_uuid(programme_id))
    if programme is None or user.role is not Role.admin:
        abort(404)
    return programme
