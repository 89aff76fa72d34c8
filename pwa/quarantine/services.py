"""Holding what the sync endpoint could not store, telling the coordinators, and dealing with it. Flush only.

An entry is held with the reason, still encrypted: the opened body re-encrypted
as an EncryptedText (key rotation covers it like any field), or the HPKE
envelope as received when it never opened. The programme's coordinators see it
on their dashboard and get an email that carries only a link. A coordinator
turns it into a record (through the same kind's store, as its author) or
dismisses it with a note; both are audited.
"""
import json
import uuid

import sqlalchemy as sa
from flask import current_app
from werkzeug.datastructures import MultiDict

from pwa.core import audit, clock
from pwa.core.extensions import db
from pwa.models import Family, HeldOutcome, HeldReason, QuarantinedItem, Role, User
from pwa.outbox.mailer import queue_notice

HELD_STATE = "Held for your coordinator to check — they have been told"
CHECKED_STATE = "Checked by your coordinator"
RECORDED_STATE = "Checked and stored by your coordinator"
RECORD_NAMESPACE = uuid.UUID("6b1f4c52-4a51-4d0e-9a3e-6e0e4f3c2a17")  # a record made from a held entry


def held_entry(client_uuid) -> QuarantinedItem | None:
    """The held entry under this client UUID, if any."""
    return db.session.scalar(sa.select(QuarantinedItem).where(QuarantinedItem.client_uuid == client_uuid))


def hold(author: User, client_uuid, kind: str, reason: HeldReason, *, body: bytes | None = None,
         sealed: dict | None = None, family_id=None, errors: list | None = None) -> QuarantinedItem:
    """Keep an entry the server could not store, in the caller's transaction (once per client UUID)."""
    found = held_entry(client_uuid)
    if found is not None:
        return found
    item = QuarantinedItem(
        client_uuid=client_uuid, kind=kind, author_id=author.id, programme_id=author.programme_id,
        family_id=_existing_family(family_id), reason=reason, received_at=clock.now(),
        errors=json.dumps(errors or [], ensure_ascii=False),
        body=body.decode("utf-8") if body is not None else None,
        sealed=json.dumps(sealed, sort_keys=True) if sealed is not None else None)
    db.session.add(item)
    audit.record(db.session, author, "entry held", item)
    db.session.flush()
    return item


def _existing_family(family_id):
    try:
        wanted = uuid.UUID(str(family_id))
    except ValueError:
        return None
    return wanted if db.session.get(Family, wanted) is not None else None


def tell_coordinators(programme_id, count: int) -> None:
    """Email the programme's coordinators that entries are held (a link only: no names, no case text)."""
    link = f"{current_app.config['BASE_URL']}/quarantine/"
    what = "An entry" if count == 1 else f"{count} entries"
    subject = f"{what} from a mentor's phone could not be stored: please check"
    text = (f"{what} sent from a mentor's phone could not be stored as a record, so Bridge is holding "
            f"{'it' if count == 1 else 'them'} for you. If one is a safeguarding concern, act on it now.\n\n"
            f"Sign in to open {'it' if count == 1 else 'them'}, then turn each into a record or dismiss it "
            f"with a note:\n{link}\n")
    q = sa.select(User.id).where(User.programme_id == programme_id, User.role == Role.coordinator,
                                 User.active.is_(True))
    for coordinator_id in db.session.scalars(q):
        queue_notice(coordinator_id, subject, text)


def contents(item: QuarantinedItem) -> tuple[str | None, MultiDict]:
    """The held entry's family id and fields as the form posts them (empty if it never opened)."""
    formdata = MultiDict()
    if item.body is None:
        return None, formdata
    doc = json.loads(item.body)
    for name, value in (doc.get("fields") or {}).items():
        for one in value if isinstance(value, list) else [value]:
            formdata.add(name, one)
    return doc.get("family"), formdata


def errors_of(item: QuarantinedItem) -> list[dict]:
    """What was wrong with it, as {field, label, message}."""
    return json.loads(item.errors or "[]")


def record_uuid(item: QuarantinedItem) -> uuid.UUID:
    """The client UUID a record made from this entry is stored under (its own, unless that was taken)."""
    if item.reason is HeldReason.conflict:
        return uuid.uuid5(RECORD_NAMESPACE, str(item.id))
    return item.client_uuid


def mark_recorded(coordinator: User, item: QuarantinedItem, record_id) -> None:
    """Note that the entry is now a record."""
    item.outcome, item.record_id = HeldOutcome.recorded, record_id
    item.dealt_at, item.dealt_by_id = clock.now(), coordinator.id
    audit.record(db.session, coordinator, "held entry recorded", item)
    db.session.flush()


def dismiss(coordinator: User, item: QuarantinedItem, note: str) -> None:
    """Set the entry aside, saying why (for example: phoned the mentor, re-entered it as a new concern)."""
    if item.dealt_at is None:
        item.outcome, item.note = HeldOutcome.dismissed, note.strip()
        item.dealt_at, item.dealt_by_id = clock.now(), coordinator.id
        audit.record(db.session, coordinator, "held entry dismissed", item)
        db.session.flush()


def make_record(coordinator: User, item: QuarantinedItem, family: Family):
    """Store a held entry as its author's record through its kind's own path (a concern is alerted as usual).

    Raises what the kind's store raises (Invalid, IdempotencyConflict, ValueError); the caller runs this in a
    savepoint and shows the reasons when it fails."""
    from pwa.offline.kinds import KINDS

    _, formdata = contents(item)
    client_uuid = record_uuid(item)
    formdata["client_uuid"] = str(client_uuid)
    stored = KINDS[item.kind].store(item.author, family, formdata, client_uuid)
    mark_recorded(coordinator, item, stored.record_id)
    return stored
