"""Families, matches, people and programmes, scoped to the user."""

import sqlalchemy as sa
from sqlalchemy.orm import defaultload, joinedload, lazyload, load_only


from pwa.core import audit
from pwa.access.kept import prepared
from pwa.access.policy import FAMILY_ACTIONS, one, refuse_if_closed
from pwa.core.database import columns
from pwa.core.extensions import db
from pwa.models import Family, Match, MatchExtension, Programme, Role, SupervisionSession, User


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


def about_visible_families(user: User, programme_id: sa.ColumnElement, family_id: sa.ColumnElement) -> sa.ColumnElement:
    """Rows of a table that carries its family's programme (the dashboard's queues) about families the user may see.

    A coordinator's are their programme's (visible_families' rule), read by the table's own index with no
    family joined; anyone else's are their visible families'.
    """
    if user.role is Role.coordinator:
        return programme_id == user.programme_id
    return family_id.in_(visible_families(user).with_only_columns(Family.id))


def family_for(user: User, family_id, action: str = "read") -> Family:
    """Fetch one family the user may act on, auditing the access, or 404/403 (409: its case is closed)."""
    family = one(user, visible_families, Family, family_id, action, user.role in FAMILY_ACTIONS[action])
    refuse_if_closed(user, family, action)
    return family


def list_families(user: User, *, stage=None, limit: int | None = None, offset: int = 0) -> list[Family]:
    """The user's families, newest referral first, auditing the listing (only a list's columns loaded and opened)."""
    families = db.session.scalars(prepared(_family_list, user, stage, limit, offset)).unique().all()
    audit.record(db.session, user, "list", object_type="families")
    return list(families)


def _family_list(user: User, stage, limit: int | None, offset: int) -> sa.Select:
    """list_families' select, built once for each user's scope and choice (pwa.access.kept)."""
    q = (visible_families(user).order_by(Family.referred_at.desc(), Family.id)
         .options(load_only(Family.programme_id, Family.reference, Family.display_name, Family.stage,
                            Family.referred_at, Family.closed_on), lazyload(Family.social_worker)))
    if stage is not None:
        q = q.where(Family.stage == stage)
    if limit is not None:
        q = q.limit(limit).offset(offset)
    return q


def visible_matches(user: User) -> sa.Select:
    """Matches on families the user may see (a mentor: only their own, active)."""
    q = sa.select(Match).join(Match.family)
    if user.role is Role.mentor:
        return q.where(Match.mentor_id == user.id, Match.is_active())
    # The family is joined, so the families' own condition applies to it: an IN list of every visible
    # family (500 ids for a coordinator, built on each run) cost the dashboard's match counts 1.5 ms each.
    return q.where(visible_families(user).whereclause)


def match_for(user: User, match_id, action: str = "read") -> Match:
    """Fetch one match: anyone who can see it may read; only its coordinator may change it (not once closed).

    Read, it comes with only what the match page shows of its family and mentor (_shown_matches).
    """
    rule = _shown_matches if action == "read" else visible_matches
    match = one(user, rule, Match, match_id, action, action == "read" or user.role is Role.coordinator)
    refuse_if_closed(user, match.family, action)
    return match


def _shown_matches(user: User) -> sa.Select:
    """visible_matches with only the family's name (and whether its case is closed) and the mentor's name.

    Loaded whole, the family and both people's accounts with their programmes came along, every sealed
    field of them opened (the referral, the plan, consent notes, email addresses): work for nothing.
    """
    family, mentor = joinedload(Match.family), joinedload(Match.mentor)
    decided_by = defaultload(Match.extensions).joinedload(MatchExtension.decided_by)  # its lazy load, as shown
    return visible_matches(user).options(
        family.load_only(Family.programme_id, Family.display_name, Family.closed_on),
        family.lazyload(Family.social_worker), mentor.load_only(User.name), mentor.lazyload(User.programme),
        decided_by.load_only(User.name), decided_by.lazyload(User.programme))


def active_matches_for_families(user: User, family_ids) -> dict:
    """The active match of each listed family, in one query."""
    if not family_ids:
        return {}
    rows = db.session.scalars(prepared(_active_match_rows, user), {"families": list(family_ids)}).unique()
    return {m.family_id: m for m in rows}


def _active_match_rows(user: User) -> sa.Select:
    """The matches with their mentor's name only (kept): the family page shows no more of them.

    Left to the models' joined loading, each match came with its family (already loaded, the page's
    own) and its mentor's whole account, each with its programme: a row of some 90 columns.
    """
    return _active_matches(user).options(lazyload(Match.family), joinedload(Match.mentor).options(
        load_only(User.name), lazyload(User.programme)))


def active_match_starts(user: User, family_ids) -> dict:
    """The day each listed family's active match started, in one query (no match loaded)."""
    if not family_ids:
        return {}
    return dict(columns(prepared(_active_starts, user), {"families": list(family_ids)}).all())


def _active_starts(user: User) -> sa.Select:
    return _active_matches(user).with_only_columns(Match.family_id, Match.started_on)


def _active_matches(user: User) -> sa.Select:
    """active_matches_for_families' select, the families bound at each run (pwa.access.kept)."""
    return visible_matches(user).where(Match.family_id.in_(sa.bindparam("families", expanding=True)), Match.is_active())


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
    return one(user, manageable_users, User, user_id)


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
