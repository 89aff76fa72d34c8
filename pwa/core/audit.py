"""Audit rows written in the same transaction as the work they record.

`record()` queues an event on the session; just before commit the queue is
appended to the chain under a lock on the single head row, so concurrent
writers (several gunicorn workers on PostgreSQL) still form one chain.
"""
import hashlib
import json
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from pwa.core import audit_family, clock
from pwa.models import AuditEvent, AuditHead

GENESIS = "0" * 64
_PENDING = "audit_pending"


def record(session: Session, actor, action: str, obj=None, *, object_type: str | None = None, object_id=None,
           family_id=None) -> None:
    """Queue an audit row: who (a user or None), did what, to which record (and which family's it is)."""
    if obj is not None:
        object_type = object_type or obj.__tablename__
        object_id = obj.id
        family_id = family_id or audit_family.of_object(session, obj)
    session.info.setdefault(_PENDING, []).append(
        (getattr(actor, "id", actor), action, object_type or "-", None if object_id is None else str(object_id),
         family_id)
    )


def take_pending(session: Session) -> list:
    """Remove and return the queued rows (to re-queue in another transaction)."""
    return session.info.pop(_PENDING, [])


def requeue(session: Session, pending: list) -> None:
    """Queue rows taken with take_pending."""
    if pending:
        session.info.setdefault(_PENDING, []).extend(pending)


def digest(prev_hash: str, row: AuditEvent) -> str:
    """Hash a row's content together with the hash before it."""
    body = json.dumps(
        [prev_hash, row.id, row.at.isoformat(), str(row.actor_id or ""), row.action, row.object_type, row.object_id or ""],
        separators=(",", ":"),
    )
    return hashlib.sha256(body.encode()).hexdigest()


def _head(session: Session) -> AuditHead:
    head = session.scalar(sa.select(AuditHead).where(AuditHead.id == 1).with_for_update())
    if head is None:
        head = AuditHead(id=1, last_hash=GENESIS, count=0)
        session.add(head)
        session.flush()
    return head


def _append(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    session.flush()
    head = _head(session)
    prev, now, next_id = head.last_hash, clock.now(), head.count + 1
    for actor_id, action, object_type, object_id, family_id in pending:
        # Ids come from the locked head, so each row is one INSERT with its hash.
        row = AuditEvent(id=next_id, at=now, actor_id=actor_id, action=action, object_type=object_type,
                         object_id=object_id, prev_hash=prev, hash="", family_id=family_id)
        row.hash = prev = digest(row.prev_hash, row)
        session.add(row)
        next_id += 1
    head.last_hash, head.count = prev, next_id - 1
    session.flush()


@dataclass
class Verdict:
    ok: bool
    checked: int
    message: str


def verify(session: Session, batch: int = 5000) -> Verdict:
    """Walk the chain in order and report the first break."""
    prev, checked, last_id = GENESIS, 0, 0
    while True:
        rows = session.scalars(
            sa.select(AuditEvent).where(AuditEvent.id > last_id).order_by(AuditEvent.id).limit(batch)
        ).all()
        for row in rows:
            if row.prev_hash != prev or digest(prev, row) != row.hash:
                return Verdict(False, checked, f"chain broken at audit row {row.id} ({row.action} {row.object_type})")
            prev, last_id, checked = row.hash, row.id, checked + 1
        if len(rows) < batch:
            break
    head = session.get(AuditHead, 1)
    if head is not None and (head.last_hash != prev or head.count != checked):
        return Verdict(False, checked, "rows are missing from the end of the chain")
    return Verdict(True, checked, f"audit chain intact: {checked} rows")


def install(session_factory) -> None:
    """Hook the queue into commit and rollback for a session class."""
    event.listen(session_factory, "before_commit", _append)
    event.listen(session_factory, "after_soft_rollback", _forget)
    event.listen(session_factory, "after_commit", _committed)
    # Remember that this transaction wrote, so a GET that wrote commits as a whole.
    event.listen(session_factory, "after_flush", lambda s, ctx: s.info.__setitem__("wrote", True))


def _forget(session: Session, previous_transaction) -> None:
    if previous_transaction.nested:  # a SAVEPOINT rolled back: the transaction and its queue go on
        return
    session.info.pop(_PENDING, None)
    session.info.pop("wrote", None)


def _committed(session: Session) -> None:
    if session.in_transaction():  # a SAVEPOINT was released: the transaction goes on
        return
    session.info.pop("wrote", None)


