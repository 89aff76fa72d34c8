"""Deleting one record type of one family, rows and all: encrypted fields go with their rows, and so do
the rows that exist only because of them (blind-index tokens, queued and sent emails about them, entries
held from a phone, review-queue and talk-request rows). Core deletes, in the order the foreign keys need,
in the caller's transaction; each answers how many of the type's own records went.

Audit rows are never deleted: they name only who, what action, a table and a random id, and the chain's
hashes cover them. After a deletion those ids resolve to nothing; the RetentionDeletion row and its audit
row say what went.
"""
import sqlalchemy as sa

from pwa.core.extensions import db
from pwa.models import (
    Child, ChildChange, Concern, ConcernAddendum, ConcernCategoryMark, ConcernChild, DebriefTask, Family,
    FamilyClosure, FamilyPerson, FamilySearchToken, Goal, LegalHold, Match, MatchExtension, MatchReview,
    OutboxMessage, OutcomeReading, OutcomeScore, PlanDetails, QuarantinedItem, ReviewQueue, TalkRequest, Visit,
    VisitChild, VisitGoal, VisitReview, VisitTally,
)
from pwa.models.base import Base


def _ids(model, column, value) -> list:
    return list(db.session.scalars(sa.select(model.id).where(column == value)))


def _delete(model, condition) -> int:
    return db.session.execute(sa.delete(model.__table__).where(condition)).rowcount or 0


def _mail_about(ids) -> None:
    if ids:
        _delete(OutboxMessage, OutboxMessage.subject_id.in_(ids))


def _held(family_id, kind: str | None = None) -> None:
    condition = QuarantinedItem.family_id == family_id
    _delete(QuarantinedItem, condition if kind is None else sa.and_(condition, QuarantinedItem.kind == kind))


def concerns(family_id) -> int:
    """Concerns, addenda, category marks, the children named, debriefs, alerts and escalations, held concerns."""
    ids = _ids(Concern, Concern.family_id, family_id)
    addenda = list(db.session.scalars(sa.select(ConcernAddendum.id).where(ConcernAddendum.concern_id.in_(ids))))
    _mail_about(ids + addenda)
    for model in (ConcernChild, ConcernCategoryMark, DebriefTask, ConcernAddendum):
        _delete(model, model.concern_id.in_(ids))
    _held(family_id, "concern")
    return _delete(Concern, Concern.family_id == family_id)


def visits(family_id) -> int:
    """Diary entries with the children seen, progress marks, reviews, queue and talk rows, held visits."""
    ids = _ids(Visit, Visit.family_id, family_id)
    _mail_about(ids)
    for model in (VisitGoal, VisitChild, VisitReview, ReviewQueue, TalkRequest):
        _delete(model, model.visit_id.in_(ids))
    _held(family_id, "visit")
    gone = _delete(Visit, Visit.family_id == family_id)
    _delete(VisitTally, VisitTally.family_id == family_id)  # the impact report's monthly counts of them
    db.session.execute(sa.update(Family.__table__).where(Family.id == family_id).values(last_visit_on=None))
    return gone


def goals(family_id) -> int:
    """Goals and the progress marks made on them."""
    ids = _ids(Goal, Goal.family_id, family_id)
    _mail_about(ids)
    _delete(VisitGoal, VisitGoal.goal_id.in_(ids))
    return _delete(Goal, Goal.family_id == family_id)


def readings(family_id) -> int:
    """Outcome readings and their scores."""
    ids = _ids(OutcomeReading, OutcomeReading.family_id, family_id)
    _delete(OutcomeScore, OutcomeScore.reading_id.in_(ids))
    return _delete(OutcomeReading, OutcomeReading.family_id == family_id)


def matches(family_id) -> int:
    """Matches with their reviews and extensions (the diary entries pointing at them went first)."""
    ids = _ids(Match, Match.family_id, family_id)
    _mail_about(ids)
    _delete(MatchReview, MatchReview.match_id.in_(ids))
    _delete(MatchExtension, MatchExtension.match_id.in_(ids))
    return _delete(Match, Match.family_id == family_id)


def family(family_id) -> int:
    """The family's own record and everything left that names it (the last type to go)."""
    children = _ids(Child, Child.family_id, family_id)
    _delete(ChildChange, ChildChange.child_id.in_(children))
    _mail_about([family_id])
    _held(family_id)
    for model in (PlanDetails, FamilyPerson, FamilySearchToken, FamilyClosure, LegalHold, Child):
        _delete(model, model.family_id == family_id)
    _remaining_references(family_id)
    return _delete(Family, Family.id == family_id)


def _remaining_references(family_id) -> None:
    """Rows of any other table keyed to the family (a feature added since): they go with it."""
    families = Family.__table__
    for table in Base.metadata.sorted_tables:
        for fk in table.foreign_keys:
            if fk.column.table is families and table is not families:
                db.session.execute(sa.delete(table).where(fk.parent == family_id))


DELETERS = {"concerns": concerns, "visits": visits, "goals": goals, "readings": readings, "matches": matches,
            "family": family}
COUNTED = {"concerns": Concern, "visits": Visit, "goals": Goal, "readings": OutcomeReading, "matches": Match,
           "family": Family}
