"""Client UUIDs: a replayed submission returns what the first one stored; a changed body is refused.

Every record a person submits (a form post, or the offline outbox replaying it)
carries a UUID made by the client and a hash of its body, stored under a unique
constraint in the same transaction as the record. A replay with the same body
finds the stored row; the same UUID with a different body raises
IdempotencyConflict, which views answer with 422.
"""
import enum
import hashlib
import json
import uuid
from collections.abc import Mapping
from datetime import date, datetime, time

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session


class IdempotencyConflict(Exception):
    """The client UUID was already used for a different body (answer 422)."""

    def __init__(self, client_uuid) -> None:
        super().__init__(f"client UUID {client_uuid} was already used for different content")
        self.client_uuid = client_uuid


def parse_client_uuid(value) -> uuid.UUID:
    """Read a client UUID (raises ValueError when it is not one)."""
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value).strip())


def _plain(value):
    if isinstance(value, enum.Enum):
        return value.name
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, (set, frozenset)):
        return sorted(_plain(v) if not isinstance(v, str) else v for v in value)
    raise TypeError(f"cannot hash a {type(value).__name__}")


def body_hash(body: Mapping) -> str:
    """sha256 of the body as canonical JSON (sorted keys, no spaces, UTF-8)."""
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_plain)
    return hashlib.sha256(text.encode()).hexdigest()


def stored(session: Session, model, client_uuid: uuid.UUID, digest: str):
    """The row already stored under this UUID (None if new); IdempotencyConflict if its body differs."""
    row = session.scalar(sa.select(model).where(model.client_uuid == client_uuid))
    if row is not None and row.body_hash != digest:
        raise IdempotencyConflict(client_uuid)
    return row


def add_once(session: Session, row, model) -> tuple[object, bool]:
    """Insert a row under its client UUID; if a concurrent twin won the race, return the twin."""
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        twin = stored(session, model, row.client_uuid, row.body_hash)
        if twin is None:
            raise
        return twin, False
    return row, True
