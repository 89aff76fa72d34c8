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


def _counted(coordinator: User, model, family_id, *where) -> sa.Select:
    """How many rows of model are about families the coordinator can see: joined to their family, whose own
    condition then applies (an IN list of every visible family, 500 ids, was built on each count)."""
    return (sa.select(sa.func.count()).select_from(model).join(Family, Family.id == family_id)
            .where(access.visible_families(coordinator).whereclause, *where))


def _seen_by(coordinator: User, family_id, *, each: bool = False) -> sa.ColumnElement:
    """The row is about a family the coordinator can see.

    each=True asks it of each row in turn (a correlated EXISTS), so a list in the order of an indexed
    column stops at its first page; a count is quicker with one IN list of the families.
    """
    families = access.visible_families(coordinator)
    if each:
        return families.with_only_columns(sa.literal(1)).where(Family.id == family_id).correlate_except(Family).exists()
    return family_id.in_(families.with_only_columns(Family.id))


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
    """The review queue, oldest first, as the columns a card shows (no entry, family or person loaded); its count."""
    counted = _counted(coordinator, ReviewQueue, ReviewQueue.family_id)
    return (sa.select(Visit.id, Visit.visit_on, Visit.kind, Visit.talk_to_coordinator, Family.id, Family.display_name,
                      User.id, User.name).select_from(ReviewQueue)
            .join(Visit, Visit.id == ReviewQueue.visit_id).join(Family, Family.id == ReviewQueue.family_id)
            .join(User, User.id == Visit.author_id).where(_seen_by(coordinator, ReviewQueue.family_id, each=True))
            .order_by(ReviewQueue.created_at, ReviewQueue.visit_id)), counted


def _entry_line(row) -> EntryLine:
    vid, on, kind, talk, fid, family_name, uid, name = row
    return EntryLine(vid, on, kind, talk, fid, open_column(Family.display_name, fid, family_name), uid,
                     access.staff_name(uid, name))


@section(20, "entries")
def awaiting_review(coordinator: User, today: date) -> Section:
    """Diary entries nobody has reviewed yet, oldest first."""
    return listed("entries", "Diary entries awaiting review", _entry_lines, coordinator, today,
                  "supervision/_entries.html", shape=_entry_line)


def _talk_open(coordinator: User, *, each: bool = False) -> tuple:
    return _seen_by(coordinator, TalkRequest.family_id, each=each), TalkRequest.talked_at.is_(None)


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
             .join(Family, Family.id == TalkRequest.family_id).where(*_talk_open(coordinator, each=True))
             .order_by(TalkRequest.created_at, TalkRequest.visit_id))  # by ix_talk_requests_open, to the tenth
    return lines, _counted(coordinator, TalkRequest, TalkRequest.family_id, TalkRequest.talked_at.is_(None))


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
