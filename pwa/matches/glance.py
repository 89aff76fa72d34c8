"""Mentors at a glance, for matching and the mentors list: current families, last visit, readiness, profile.

A fixed number of queries for any number of mentors (one each for matches, visits, profiles).
"""
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import defer

from pwa import access
from pwa.core import audit
from pwa.core.extensions import db
from pwa.models import Match, MentorProfile, Role, User, Visit


@dataclass
class Glance:
    mentor: User
    current_families: int
    last_visit: date | None
    gaps: list
    profile: MentorProfile | None

    @property
    def ready(self) -> bool:
        return not self.gaps


def mentor_page(coordinator: User, limit: int, offset: int) -> tuple[list[User], int]:
    """One page of the programme's mentors (oldest account first) and how many there are."""
    q = access.manageable_users(coordinator).where(User.role == Role.mentor)
    total = db.session.scalar(q.with_only_columns(sa.func.count()))
    page = q.order_by(User.created_at, User.id).limit(limit).offset(offset).options(defer(User.phone))  # not shown
    return list(db.session.scalars(page)), total


def glance(coordinator: User, mentors: list[User], today: date) -> list[Glance]:
    """What a coordinator weighs when choosing a mentor, for each of these mentors."""
    ids = [m.id for m in mentors]
    if not ids:
        return []
    active = (access.visible_matches(coordinator).where(Match.mentor_id.in_(ids), Match.is_active())
              .with_only_columns(Match.mentor_id, sa.func.count()).group_by(Match.mentor_id))
    current = dict(db.session.execute(active).all())
    # One index lookup per mentor (author, visit date), not a scan of every visit they ever logged.
    newest = sa.select(sa.func.max(Visit.visit_on)).where(Visit.author_id == User.id).scalar_subquery()
    last = dict(db.session.execute(sa.select(User.id, newest).where(User.id.in_(ids))).all())
    profiles = {p.user_id: p for p in db.session.scalars(sa.select(MentorProfile).where(MentorProfile.user_id.in_(ids)))}
    audit.record(db.session, coordinator, "list", object_type="mentors")
    return [Glance(m, current.get(m.id, 0), last.get(m.id), m.readiness_gaps(today), profiles.get(m.id))
            for m in mentors]


def for_matching(coordinator: User, today: date) -> list[Glance]:
    """Every active mentor, ready ones first, then those with fewest current families."""
    mentors = [m for m in access.mentors_of(coordinator) if m.active]
    return sorted(glance(coordinator, mentors, today), key=lambda g: (not g.ready, g.current_families, g.mentor.name))


def profile_of(mentor: User) -> MentorProfile | None:
    return db.session.scalar(sa.select(MentorProfile).where(MentorProfile.user_id == mentor.id))
