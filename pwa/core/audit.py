"""Audit rows written in the same transaction as the work they record.

`record()` queues an event on the session; just before commit the queue is
appended to the chain under a lock on the single head row, so concurrent
writers (several gunicorn workers on PostgreSQL) still form one chain.
"""
import hashlib
import json
from dataclasses import dataclass
from typing import NamedTuple

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


def digest(prev_hash: str, row) -> str:
    """Hash a row's content (an AuditEvent, or anything with its fields) together with the hash before it."""
    body = json.dumps(
        [prev_hash, row.id, row.at.isoformat(), str(row.actor_id or ""), row.action, row.object_type, row.object_id or ""],
        separators=(",", ":"),
    )
    return hashlib.sha256(body.encode()).hexdigest()


class _Row(NamedTuple):
    """One audit row as it is inserted (the columns of audit_events)."""

    id: int
    at: object
    actor_id: object
    action: str
    object_type: str
    object_id: str | None
    family_id: object
    prev_hash: str
    hash: str = ""


_EVENTS, _HEADS = AuditEvent.__table__, AuditHead.__table__
# Built once: a statement built for each append cost more to build and key than to run.
_READ_HEAD = sa.select(_HEADS.c.last_hash, _HEADS.c.count).where(_HEADS.c.id == 1).with_for_update()
_WRITE_HEAD = (sa.update(_HEADS).where(_HEADS.c.id == 1)
               .values(last_hash=sa.bindparam("new_hash"), count=sa.bindparam("new_count")))
_INSERT = sa.insert(_EVENTS)


def _head(connection: sa.Connection) -> tuple[str, int]:
    """The chain's latest hash and length, with the head row locked (created on the first append)."""
    found = connection.execute(_READ_HEAD).first()
    if found is None:
        connection.execute(sa.insert(_HEADS).values(id=1, last_hash=GENESIS, count=0))
        return GENESIS, 0
    return found.last_hash, found.count


def _append(session: Session) -> None:
    """Append the queued rows to the chain: the head read locked, the rows and the head written.

    Three Core statements on the session's own connection (its transaction): the unit of work's
    bookkeeping, and the ORM's way through a Core statement, each cost more than the statement.
    """
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    session.flush()
    connection = session.connection()
    prev, count = _head(connection)
    now, rows = clock.now(), []
    for next_id, (actor_id, action, object_type, object_id, family_id) in enumerate(pending, start=count + 1):
        # Ids come from the locked head, so each row is one INSERT with its hash.
        row = _Row(next_id, now, actor_id, action, object_type, object_id, family_id, prev)
        rows.append(row._replace(hash=(prev := digest(prev, row)))._asdict())
    connection.execute(_INSERT, rows[0] if len(rows) == 1 else rows)
    connection.execute(_WRITE_HEAD, {"new_hash": prev, "new_count": count + len(rows)})
    session.info["wrote"] = True  # as a flush would have said (pwa.core.errors)


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


