"""Raising concerns and addenda, acknowledging them, action notes and debriefs. Flush only.

The one write path: a browser post and a replayed offline entry both call
raise_concern / add_addendum with the same plain data (ConcernForm.concern_data(),
AddendumForm.addendum_data()). The concern, its categories, its alert and its
debrief task go into the caller's transaction, so they commit together or not at all.
"""
import uuid

from pwa.core import audit, clock, idempotency
from pwa.concerns import alerts
from pwa.concerns.data import ConcernData
from pwa.core.extensions import db
from pwa.core.idempotency import IdempotencyConflict
from pwa.models import (Concern, ConcernAddendum, ConcernCategoryMark, ConcernChild, DebriefTask, Family, Programme,
                        Role, User)

__all__ = ["IdempotencyConflict", "acknowledge", "add_addendum", "complete_debrief", "raise_concern",
           "record_action_taken"]


def raise_concern(author: User, family: Family, data: ConcernData, client_uuid) -> tuple[Concern, bool]:
    """Store a concern with its alert and debrief task, marked with what it lacks; a replay returns the first."""
    client_uuid = idempotency.parse_client_uuid(client_uuid)
    digest = idempotency.body_hash({"family_id": str(family.id), **data.canonical()})
    found = idempotency.stored(db.session, Concern, client_uuid, digest)
    if found is not None:
        return found, False
    now = clock.now()
    urgency = data.stored_urgency
    programme = db.session.get(Programme, family.programme_id)
    concern = Concern(
        family_id=family.id, author_id=author.id, urgency=urgency, what_seen=data.what_seen,
        child_words=data.child_words, actions_taken=data.actions_taken, who_called=data.who_called,
        called_at=data.called_at_utc(now), missing=",".join(data.missing()) or None, client_uuid=client_uuid,
        body_hash=digest, created_at=now, next_escalation_at=alerts.first_escalation_at(programme, urgency, now),
        family=family, marks=[ConcernCategoryMark(category=c) for c in data.categories])
    concern, created = idempotency.add_once(db.session, concern, Concern)
    if not created:
        return concern, False
    if author.role is Role.mentor:  # raising one is hard for a volunteer; staff raise them as part of the job
        db.session.add(DebriefTask(concern_id=concern.id, mentor_id=author.id, created_at=now))
    known = {str(c.id) for c in family.children}
    for child_id in data.children:
        if child_id in known:
            db.session.add(ConcernChild(concern_id=concern.id, child_id=uuid.UUID(child_id)))
    alerts.queue_alert(concern)
    audit.record(db.session, author, "concern raised", concern)
    db.session.flush()
    return concern, True


def add_addendum(author: User, concern: Concern, data: dict, client_uuid) -> tuple[ConcernAddendum, bool]:
    """Append later facts ({facts, child_words}) to a concern; it alerts and escalates like the concern itself."""
    client_uuid = idempotency.parse_client_uuid(client_uuid)
    digest = idempotency.body_hash({"concern_id": str(concern.id), **data})
    found = idempotency.stored(db.session, ConcernAddendum, client_uuid, digest)
    if found is not None:
        return found, False
    now = clock.now()
    programme = db.session.get(Programme, concern.family.programme_id)
    addendum = ConcernAddendum(
        concern_id=concern.id, author_id=author.id, urgency=concern.urgency, facts=data["facts"],
        child_words=data["child_words"], client_uuid=client_uuid, body_hash=digest, created_at=now,
        next_escalation_at=alerts.first_escalation_at(programme, concern.urgency, now))
    addendum, created = idempotency.add_once(db.session, addendum, ConcernAddendum)
    if not created:
        return addendum, False
    db.session.expire(concern, ["addenda"])
    alerts.queue_alert(addendum)
    audit.record(db.session, author, "addendum added", addendum)
    db.session.flush()
    return addendum, True


def _acknowledge_one(user: User, item, now) -> bool:
    if item.acknowledged:
        return False
    item.acknowledged_at, item.acknowledged_by_id, item.next_escalation_at = now, user.id, None
    audit.record(db.session, user, "acknowledged", item)
    return True


def acknowledge(user: User, concern: Concern, addendum_ids=()) -> int:
    """'I have read this and I am taking it from here': stops escalation of the concern and the addenda read."""
    now = clock.now()
    seen = {uuid.UUID(str(a)) for a in addendum_ids}
    count = int(_acknowledge_one(user, concern, now))
    for addendum in concern.addenda:
        if addendum.id in seen:
            count += _acknowledge_one(user, addendum, now)
    db.session.flush()
    return count


def record_action_taken(user: User, concern: Concern, note: str) -> None:
    """The social worker's short note for the mentor (no details); acknowledges if not yet done."""
    now = clock.now()
    _acknowledge_one(user, concern, now)
    concern.action_taken_note, concern.action_taken_at, concern.action_taken_by_id = note.strip(), now, user.id
    audit.record(db.session, user, "action taken recorded", concern)
    db.session.flush()


def complete_debrief(coordinator: User, task: DebriefTask, note: str) -> None:
    """Mark the mentor's debrief done, with a note."""
    if task.done_at is None:
        task.done_at, task.done_by_id, task.note = clock.now(), coordinator.id, note.strip()
        audit.record(db.session, coordinator, "debrief completed", task)
        db.session.flush()

