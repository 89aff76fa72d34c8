"""Reviewing diary entries, and the dashboard sections that come from the diary."""
import uuid
from datetime import date, datetime
from typing import NamedTuple

import sqlalchemy as sa

from pwa import access
from pwa.core import audit, clock
from pwa.core.extensions import db
from pwa.models import Family, ReviewQueue, TalkRequest, User, Visit, VisitKind, VisitReview
from pwa.models.base import open_column
from pwa.supervision.dashboard import Section, listed, section



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


class EntryLine(NamedTuple):
    """An entry on the dashboard: its day, kind, family and author; its sealed text stays sealed."""

    id: uuid.UUID
    visit_on: date
    kind: VisitKind
    talk_to_coordinator: bool
    family_id: uuid.UUID
    family_name: str
    author_id: uuid.UUID
    author_name: str


def _entry_lines(coordinator: User, today: date) -> tuple[sa.Select, sa.Select]:
    """The review queue, oldest first, as the columns a card shows (no entry, family or person loaded); its count.

    Both read ix_review_queue_programme: the count is one range of it, the lines its first ten."""
    queued = access.about_visible_families(coordinator, ReviewQueue.programme_id, ReviewQueue.family_id)
    return (sa.select(Visit.id, Visit.visit_on, Visit.kind, Visit.talk_to_coordinator, Family.id, Family.display_name,
                      User.id, User.name).select_from(ReviewQueue)
            .join(Visit, Visit.id == ReviewQueue.visit_id).join(Family, Family.id == ReviewQueue.family_id)
            .join(User, User.id == Visit.author_id).where(queued)
            .order_by(ReviewQueue.created_at, ReviewQueue.visit_id)), sa.select(sa.func.count()).select_from(ReviewQueue).where(queued)


def _entry_line(row) -> EntryLine:
    vid, on, kind, talk, fid, family_name, uid, name = row
    return EntryLine(vid, on, kind, talk, fid, open_column(Family.display_name, fid, family_name), uid,
                     access.staff_name(uid, name))


@section(20, "entries")
def awaiting_review(coordinator: User, today: date) -> Section:
    """Diary entries nobody has reviewed yet, oldest first."""
    return listed("entries", "Diary entries awaiting review", _entry_lines, coordinator, today,
                  "supervision/_entries.html", shape=_entry_line)


def _talk_open(coordinator: User) -> tuple:
    """Open talk requests about the coordinator's families: by ix_talk_requests_open (a count, or the oldest ten)."""
    return (access.about_visible_families(coordinator, TalkRequest.programme_id, TalkRequest.family_id),
            TalkRequest.talked_at.is_(None))


class TalkLine(NamedTuple):
    """A mentor's request to talk, with the family it is about."""

    visit_id: uuid.UUID
    created_at: datetime
    mentor_id: uuid.UUID
    mentor_name: str
    family_id: uuid.UUID
    family_name: str


def _talk_line(row) -> TalkLine:
    vid, at, uid, name, fid, family_name = row
    return TalkLine(vid, at, uid, access.staff_name(uid, name), fid, open_column(Family.display_name, fid, family_name))


def _talk_lines(coordinator: User, today: date) -> tuple[sa.Select, sa.Select]:
    lines = (sa.select(TalkRequest.visit_id, TalkRequest.created_at, User.id, User.name, Family.id, Family.display_name)
             .select_from(TalkRequest).join(User, User.id == TalkRequest.mentor_id)
             .join(Family, Family.id == TalkRequest.family_id).where(*_talk_open(coordinator))
             .order_by(TalkRequest.created_at, TalkRequest.visit_id))
    return lines, sa.select(sa.func.count()).select_from(TalkRequest).where(*_talk_open(coordinator))


@section(21, "talk")
def talk_flags(coordinator: User, today: date) -> Section:
    """Mentors who asked to talk to their coordinator, until the coordinator records that they talked."""
    return listed("talk", "Mentors asking to talk to you", _talk_lines, coordinator, today, "supervision/_talk.html",
                  shape=_talk_line)


def talk_request_for(coordinator: User, visit: Visit) -> TalkRequest | None:
    """The open talk request on an entry the coordinator can see (visit comes from access.visit_for)."""
    return db.session.scalar(sa.select(TalkRequest).where(*_talk_open(coordinator), TalkRequest.visit_id == visit.id))


def talked(coordinator: User, request: TalkRequest) -> None:
    """The coordinator has talked with the mentor: the request leaves the dashboard."""
    request.talked_at, request.talked_by_id = clock.now(), coordinator.id
    audit.record(db.session, coordinator, "talked with mentor", object_type="talk_request",
                 object_id=str(request.visit_id))
    db.session.flush()
