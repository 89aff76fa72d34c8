"""Reviewing diary entries, and the dashboard sections that come from the diary."""
from datetime import date, timedelta

import sqlalchemy as sa

from pwa import access
from pwa.core import audit
from pwa.core.extensions import db
from pwa.models import Family, Match, ReviewQueue, User, Visit, VisitReview
from pwa.supervision.dashboard import Section, section

LISTED = 20  # the dashboard lists 20 a section


def review_entry(coordinator: User, visit: Visit, comment: str | None) -> VisitReview:
    """Mark an entry reviewed, perhaps with a comment the mentor will see on it."""
    review = db.session.scalar(sa.select(VisitReview).where(VisitReview.visit_id == visit.id))
    if review is None:
        review = VisitReview(visit_id=visit.id, reviewer_id=coordinator.id)
        db.session.add(review)
    if comment and comment.strip():
        review.comment = comment.strip()
    review.reviewer_id = coordinator.id
    db.session.flush()
    audit.record(db.session, coordinator, "entry reviewed", review)
    return review


def review_of(visit: Visit) -> VisitReview | None:
    """The review of an entry, if any."""
    return db.session.scalar(sa.select(VisitReview).where(VisitReview.visit_id == visit.id))


def _queued(coordinator: User) -> sa.Select:
    """The review queue of the coordinator's programme (current entries nobody has reviewed)."""
    families = access.visible_families(coordinator).with_only_columns(Family.id)
    return sa.select(ReviewQueue).where(ReviewQueue.family_id.in_(families))


def _listed(queue: sa.Select) -> tuple[list, int]:
    total = db.session.scalar(queue.with_only_columns(sa.func.count()))
    oldest = queue.with_only_columns(ReviewQueue.visit_id).order_by(ReviewQueue.created_at).limit(LISTED)
    visits = db.session.scalars(sa.select(Visit).where(Visit.id.in_(oldest)).order_by(Visit.created_at))
    return list(visits), total


@section(20)
def awaiting_review(coordinator: User, today: date) -> Section:
    """Diary entries nobody has reviewed yet, oldest first."""
    items, total = _listed(_queued(coordinator))
    return Section("entries", "Diary entries awaiting review", items, "supervision/_entries.html", total=total)


@section(21)
def talk_flags(coordinator: User, today: date) -> Section:
    """Mentors who ticked 'I'd like to talk to my coordinator' on an entry not yet reviewed."""
    items, total = _listed(_queued(coordinator).where(ReviewQueue.talk_to_coordinator.is_(True)))
    return Section("talk", "Mentors asking to talk to you", items, "supervision/_entries.html", total=total)


@section(30)
def no_recent_visit(coordinator: User, today: date) -> Section:
    """Mentors with an active match and no visit for the programme's number of days (from visits, not logins)."""
    days = coordinator.programme.overdue_days
    active = access.visible_matches(coordinator).where(Match.is_active())
    matches = db.session.scalars(active).unique().all()
    mentor_ids = {m.mentor_id for m in matches}
    last = dict(db.session.execute(
        sa.select(Visit.author_id, sa.func.max(Visit.visit_on)).where(Visit.author_id.in_(mentor_ids))
        .group_by(Visit.author_id)).all()) if mentor_ids else {}
    mentors = {m.mentor_id: m.mentor for m in matches}
    overdue = []
    for mentor_id, mentor in mentors.items():
        seen = last.get(mentor_id)
        if seen is None or seen < today - timedelta(days=days):
            overdue.append((mentor, seen))
    overdue.sort(key=lambda pair: (pair[1] is not None, pair[1] or date.min))
    return Section("quiet", f"Mentors without a visit in {days} days", overdue, "supervision/_quiet.html")
