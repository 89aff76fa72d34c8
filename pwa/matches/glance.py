"""Mentors at a glance, for matching and the mentors list: current families, last visit, readiness, profile.

One select for any number of mentors: each mentor's shown columns, their current families and last
visit as subqueries (one index lookup each), their profile joined, and on the paged list the total
riding on the rows (a window count over the page's ids). No User object is loaded: a line carries
the columns the readiness rules (User.readiness_gaps, User.expiries) read, and only the name and the
profile's two fields are opened. Built once for each coordinator's scope (pwa.access.kept).
"""
import uuid
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

import sqlalchemy as sa

from pwa import access
from pwa.core import audit
from pwa.core.database import columns
from pwa.core.extensions import db
from pwa.models import Match, MentorProfile, Programme, Role, User, Visit
from pwa.models.base import open_column
from pwa.web import paging


@dataclass(eq=False)
class Mentor:
    """What a glance shows of a mentor, and what User's readiness rules read (the programme's validity)."""

    id: uuid.UUID
    name: str
    active: bool
    dbs_checked_on: date | None
    cp_trained_on: date | None
    inducted_on: date | None
    programme: Programme

    readiness_gaps = User.readiness_gaps  # the rules defined once, on User
    expiries = User.expiries


class Profile(NamedTuple):
    languages: str | None
    area: str | None


@dataclass
class Glance:
    mentor: Mentor
    current_families: int
    last_visit: date | None
    gaps: list
    profile: Profile | None

    @property
    def ready(self) -> bool:
        return not self.gaps


_SHOWN = (User.id, User.name, User.active, User.dbs_checked_on, User.cp_trained_on, User.inducted_on)


def _mentors(coordinator: User, active_only: bool) -> sa.Select:
    q = access.manageable_users(coordinator).where(User.role == Role.mentor)
    return q.where(User.active.is_(True)) if active_only else q


def _glances(coordinator: User, ids: sa.Subquery, total) -> sa.Select:
    current = (access.visible_matches(coordinator).where(Match.mentor_id == User.id, Match.is_active())
               .with_only_columns(sa.func.count()).scalar_subquery())
    # One index lookup per mentor (author, visit date), not a scan of every visit they ever logged.
    newest = sa.select(sa.func.max(Visit.visit_on)).where(Visit.author_id == User.id).scalar_subquery()
    return (sa.select(*_SHOWN, current, newest, MentorProfile.id, MentorProfile.languages, MentorProfile.area, total)
            .join(ids, ids.c.id == User.id).outerjoin(MentorProfile, MentorProfile.user_id == User.id)
            .order_by(User.created_at, User.id))


def _page(coordinator: User, limit: int, offset: int) -> sa.Select:
    ids = (_mentors(coordinator, False).with_only_columns(User.id, sa.func.count().over().label("total"))
           .order_by(User.created_at, User.id).limit(limit).offset(offset).subquery())
    return _glances(coordinator, ids, ids.c.total)


def _every_active(coordinator: User) -> sa.Select:
    ids = _mentors(coordinator, True).with_only_columns(User.id).subquery()
    return _glances(coordinator, ids, sa.null())


def _read(coordinator: User, q: sa.Select, today: date) -> tuple[list[Glance], int]:
    found, total, programme = [], 0, coordinator.programme
    for uid, name, *plain, current, last, pid, languages, area, total in columns(q):  # noqa: B007 (the last row's)
        mentor = Mentor(uid, access.staff_name(uid, name), *plain, programme)
        profile = None if pid is None else Profile(open_column(MentorProfile.languages, pid, languages),
                                                   open_column(MentorProfile.area, pid, area))
        found.append(Glance(mentor, current, last, mentor.readiness_gaps(today), profile))
    return found, total


def mentor_page(coordinator: User, limit: int, offset: int, today: date) -> tuple[list[Glance], paging.Page]:
    """One page of the programme's mentors at a glance (oldest account first), and where it sits; audited."""
    def read(at: int, kept: bool) -> tuple[list[Glance], int]:
        return _read(coordinator, access.prepared(_page, coordinator, limit, at) if kept
                     else _page(coordinator, limit, at), today)

    found = paging.read_page(read, lambda: db.session.scalar(access.prepared(_counted, coordinator)), limit, offset)
    audit.record(db.session, coordinator, "list", object_type="mentors")
    return found


def _counted(coordinator: User) -> sa.Select:
    return _mentors(coordinator, False).with_only_columns(sa.func.count())


def for_matching(coordinator: User, today: date) -> list[Glance]:
    """Every active mentor, ready ones first, then those with fewest current families; audited."""
    found, _ = _read(coordinator, access.prepared(_every_active, coordinator), today)
    audit.record(db.session, coordinator, "list", object_type="mentors")
    return sorted(found, key=lambda g: (not g.ready, g.current_families, g.mentor.name))


def profile_of(mentor: User) -> MentorProfile | None:
    return db.session.scalar(sa.select(MentorProfile).where(MentorProfile.user_id == mentor.id))
