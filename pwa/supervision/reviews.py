"""Reviewing diary entries, and the dashboard sections that come from the diary."""
from datetime import date

import sqlalchemy as sa

from pwa import access
from pwa.core import audit, clock
from pwa.core.extensions import db
from sqlalchemy.orm import defer, load_only, noload

from pwa.models import Family, ReviewQueue, TalkRequest, User, Visit, VisitReview
from pwa.supervision.dashboard import Section, section

LISTED = 20  # the dashboard lists 20 a section
_LIGHT = (defer(Family.referral_reason), defer(Family.involvement_plan), defer(Family.address))
# The dashboard's card shows an entry's day, kind, author and talk flag: its sealed text stays sealed.
_CARD = (load_only(Visit.family_id, Visit.author_id, Visit.visit_on, Visit.kind, Visit.talk_to_coordinator,
                   Visit.created_at), noload(Visit.children), noload(Visit.goals))


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


def _with_families(visits: list[Visit]) -> list[tuple[Visit, Family]]:
    """Each entry with its family (one query), so the dashboard can name the family."""
    ids = {v.family_id for v in visits}
    families = {f.id: f for f in db.session.scalars(
        sa.select(Family).where(Family.id.in_(ids)).options(*_LIGHT))} if ids else {}
    return [(v, families[v.family_id]) for v in visits]


def _page_of(queue: sa.Select, limit: int, offset: int = 0) -> list[tuple[Visit, Family]]:
    oldest = (queue.with_only_columns(ReviewQueue.visit_id).order_by(ReviewQueue.created_at, ReviewQueue.visit_id)
              .limit(limit).offset(offset))
    visits = db.session.scalars(sa.select(Visit).where(Visit.id.in_(oldest)).order_by(Visit.created_at).options(*_CARD))
    return _with_families(list(visits))


@section(20, "entries")
def awaiting_review(coordinator: User, today: date) -> Section:
    """Diary entries nobody has reviewed yet, oldest first."""
    queue = _queued(coordinator)
    total = db.session.scalar(queue.with_only_columns(sa.func.count()))
    return Section("entries", "Diary entries awaiting review", _page_of(queue, LISTED), "supervision/_entries.html",
                   total=total, fetch=lambda limit, offset: _page_of(queue, limit, offset))


def _open_talks(coordinator: User) -> sa.Select:
    families = access.visible_families(coordinator).with_only_columns(Family.id)
    return sa.select(TalkRequest).where(TalkRequest.family_id.in_(families), TalkRequest.talked_at.is_(None))


def _talks(q: sa.Select, limit: int, offset: int = 0) -> list[tuple[TalkRequest, Family]]:
    talks = list(db.session.scalars(q.order_by(TalkRequest.created_at, TalkRequest.visit_id).limit(limit).offset(offset)))
    ids = {t.family_id for t in talks}
    families = {f.id: f for f in db.session.scalars(
        sa.select(Family).where(Family.id.in_(ids)).options(*_LIGHT))} if ids else {}
    return [(t, families[t.family_id]) for t in talks]


@section(21, "talk")
def talk_flags(coordinator: User, today: date) -> Section:
    """Mentors who asked to talk to their coordinator, until the coordinator records that they talked."""
    q = _open_talks(coordinator)
    total = db.session.scalar(q.with_only_columns(sa.func.count()))
    return Section("talk", "Mentors asking to talk to you", _talks(q, LISTED), "supervision/_talk.html",
                   total=total, fetch=lambda limit, offset: _talks(q, limit, offset))


def talk_request_for(coordinator: User, visit: Visit) -> TalkRequest | None:
    """The open talk request on an entry the coordinator can see (visit comes from access.visit_for)."""
    return db.session.scalar(_open_talks(coordinator).where(TalkRequest.visit_id == visit.id))


def talked(coordinator: User, request: TalkRequest) -> None:
    """The coordinator has talked with the mentor: the request leaves the dashboard."""
    request.talked_at, request.talked_by_id = clock.now(), coordinator.id
    audit.record(db.session, coordinator, "talked with mentor", object_type="talk_request",
                 object_id=str(request.visit_id))
    db.session.flush()
