"""Receiving the sealed outbox: open each entry for the signed-in author, store it once, answer per entry.

Wire format 1 (POST /sync/items, JSON): {"items": [{"v": 1, "uuid", "kind",
"kid", "enc", "ct"}, ...]} with at most 50 items; enc and ct are base64url.
Each was sealed with HPKE (DHKEM(P-256), HKDF-SHA256, AES-256-GCM, base mode,
aad empty) to the sealing key `kid`, under the info

    bridge-sealed-entry\\n1\\n<kid>\\n<author user id>\\n<kind>\\n<uuid>

so an entry opens only for the author who sealed it, as the kind and UUID it
was sealed as. Inside: JSON {"family": id, "fields": {name: text | [text]},
"sealed_at": ISO time}. The answer lists, in order, {"uuid", "status",
"code"} with status
  stored (201) | duplicate (200): also url and state;
  quarantined (202): it opened but could not be stored as a record (failed the
    form's checks, family out of reach, id used for other content, storing
    failed), so the server holds it for the coordinator; also state (plain
    words), url null, held (true until a person has dealt with it) and kind;
  invalid (422, errors): not in the wire format, or it could not be opened
    (sealed for another account, or damaged); one that fails to open is held too.
  An entry sent with "present": true (outside the seal: the online form, its
    author still on the page) that fails the form's checks is answered invalid
    with the errors instead of held, so the page shows them and nothing is kept.
Errors are [{"field", "label", "message"}]. GET /sync/states?uuid=... answers
{uuid: {"state", "url"?, "held", "kind"}}: a held entry stays held: true until
a coordinator records it (then the record's state and url) or dismisses it
(state "Checked by your coordinator").
"""
import base64
import binascii
import json
import logging
import re
import uuid
from contextlib import contextmanager
from dataclasses import dataclass

from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException

from pwa import access
from pwa.core import audit, errors
from pwa.core.extensions import db
from pwa.crypto.hpke import SealedOpenError
from pwa.crypto.sealing import KEY_ID, SealingKeys
from pwa.core.idempotency import IdempotencyConflict
from pwa.models import HeldReason, User
from pwa.offline.kinds import KINDS, Invalid, Stored
from pwa.quarantine import services as quarantine

logger = logging.getLogger(__name__)

FORMAT = 1
MAX_BATCH = 50
MAX_SEALED = 64 * 1024  # ciphertext bytes in one entry (a request is capped by MAX_CONTENT_LENGTH)
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


class Malformed(Exception):
    """The batch itself is not in the wire format."""


@dataclass(frozen=True)
class Envelope:
    """One sealed entry as sent: what it claims to be, and its sealed bytes."""

    uuid: uuid.UUID
    kind: str
    kid: str
    enc: bytes
    ct: bytes
    present: bool = False  # sent from the online form, its author at the page to correct it


def info(kid: str, author_id, kind: str, client_uuid) -> bytes:
    """The HPKE info an entry is sealed under (the browser builds the same, in seal.js)."""
    return "\n".join(("bridge-sealed-entry", str(FORMAT), kid, str(author_id), kind, str(client_uuid))).encode()


def _unb64(text) -> bytes:
    if not isinstance(text, str):
        raise ValueError("not base64url text")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def parse_batch(doc) -> list:
    """The batch's entries, each an Envelope or an error answer; Malformed if the batch is not a batch."""
    if not isinstance(doc, dict) or not isinstance(doc.get("items"), list):
        raise Malformed('expected {"items": [...]}')
    if not 0 < len(doc["items"]) <= MAX_BATCH:
        raise Malformed(f"send between 1 and {MAX_BATCH} items")
    return [_envelope(raw) for raw in doc["items"]]


def _envelope(raw):
    claimed = raw.get("uuid") if isinstance(raw, dict) else None
    if not isinstance(claimed, str) or not UUID.match(claimed):
        return _answer(str(claimed), "invalid", errors=[_error("This entry has no valid id.")])
    try:
        if raw.get("v") != FORMAT or raw.get("kind") not in KINDS or not KEY_ID.match(str(raw.get("kid"))):
            raise ValueError("unknown format, kind or key id")
        enc, ct = _unb64(raw.get("enc")), _unb64(raw.get("ct"))
        if len(ct) > MAX_SEALED:
            raise ValueError("entry too large")
    except (ValueError, TypeError, binascii.Error):  # TypeError: a list or object where text belongs
        return _answer(claimed, "invalid", errors=[_error("This entry is not in a format Bridge can read.")])
    return Envelope(uuid.UUID(claimed), raw["kind"], raw["kid"], enc, ct, raw.get("present") is True)


def _error(message: str, field: str = "", label: str = "") -> dict:
    return {"field": field, "label": label, "message": message}


CODES = {"stored": 201, "duplicate": 200, "quarantined": 202, "invalid": 422}


def _answer(client_uuid, status: str, **extra) -> dict:
    return {"uuid": str(client_uuid), "status": status, "code": CODES[status], **extra}


def receive(user: User, keys: SealingKeys, entries: list) -> list[dict]:
    """Open, validate and store each entry in order (the caller commits once); answer each.

    Whatever opens but cannot be stored is held for the coordinator (one notice per batch)."""
    families: dict = {}  # a batch mostly names one family: scope (and audit) it once
    answers = [receive_one(user, keys, e, families) if isinstance(e, Envelope) else e for e in entries]
    newly_held = sum(1 for a in answers if a.pop("_newly_held", False))
    if newly_held and user.programme_id:
        quarantine.tell_coordinators(user.programme_id, newly_held)
    return answers


def _family(user: User, family_id: str, action: str, families: dict):
    """The family scoped to the user for this action, or None when it is out of their reach.

    Out of reach is audited in this transaction: a refusal's own transaction (access.refuse) would
    roll back the entries this batch has already held."""
    if (family_id, action) not in families:
        families[family_id, action] = None
        if _reachable(user, family_id):
            try:
                families[family_id, action] = access.family_for(user, family_id, action)
            except HTTPException:
                pass
        if families[family_id, action] is None:
            audit.record(db.session, user, f"refused {action}"[:40], object_type="families",
                         object_id=str(family_id)[:40])
    return families[family_id, action]


def _reachable(user: User, family_id) -> bool:
    """The user can see the family and its case is open (so family_for will not refuse)."""
    from pwa.models import Family

    try:
        wanted = uuid.UUID(str(family_id))
    except ValueError:
        return False
    q = access.visible_families(user).with_only_columns(Family.closed_on).where(Family.id == wanted)
    row = db.session.execute(q).first()
    return row is not None and row[0] is None


def receive_one(user: User, keys: SealingKeys, entry: Envelope, families: dict | None = None) -> dict:
    """Store one sealed entry for the signed-in user, once; hold it for the coordinator if it cannot be."""
    kind = KINDS[entry.kind]
    if user.role not in kind.roles:
        return _answer(entry.uuid, "invalid", errors=[_error("Your role cannot send this kind of entry.")])
    held = quarantine.held_entry(entry.uuid)
    if held is not None and held.author_id == user.id:  # sent again: answered as the first time
        return _unopened(user, entry) if held.reason is HeldReason.unopenable else held_answer(user, held)
    try:
        body = keys.open(entry.kid, entry.enc, entry.ct, info(entry.kid, user.id, entry.kind, entry.uuid))
        family_id, formdata = _contents(body)
    except (SealedOpenError, ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: JSON nested too deeply
        return _unopened(user, entry)
    family = _family(user, family_id, kind.family_action, {} if families is None else families)
    if family is None:
        return _hold(user, entry, body, family_id, HeldReason.out_of_reach, [_error(
            "You can no longer add entries for this family.", "family", "Family")])
    formdata["client_uuid"] = str(entry.uuid)
    try:
        with all_or_nothing():
            stored: Stored = kind.store(user, family, formdata, entry.uuid)
    except Invalid as bad:
        if entry.present:  # the person is at the form: show them what to put right
            return _answer(entry.uuid, "invalid", errors=bad.errors)
        return _hold(user, entry, body, family_id, HeldReason.invalid, bad.errors)
    except IdempotencyConflict:
        return _hold(user, entry, body, family_id, HeldReason.conflict, [_error(
            "An entry with this id was already saved with different content.")])
    except Exception as crash:
        if errors.retryable(crash):  # the database is busy: the batch is answered 503 and the phone sends it again
            raise
        logger.exception("storing sealed entry %s (%s) failed: held", entry.uuid, entry.kind, exc_info=crash)
        return _hold(user, entry, body, family_id, HeldReason.error, [_error(
            f"Bridge could not store it ({type(crash).__name__}).")])
    return _answer(entry.uuid, "stored" if stored.created else "duplicate", url=stored.url, state=stored.state)


@contextmanager
def all_or_nothing():
    """A savepoint whose audit rows go with it: a store that fails leaves nothing behind."""
    before = audit.take_pending(db.session)
    try:
        with db.session.begin_nested():
            yield
    except Exception:
        audit.take_pending(db.session)
        raise
    finally:
        audit.requeue(db.session, before + audit.take_pending(db.session))


def _hold(user, entry: Envelope, body: bytes, family_id, reason, errors) -> dict:
    held = quarantine.hold(user, entry.uuid, entry.kind, reason, body=body, family_id=family_id, errors=errors)
    return held_answer(user, held) | {"_newly_held": True}


def _unopened(user, entry: Envelope) -> dict:
    """Sealed for another account or damaged: kept as received (nothing dropped), answered as invalid."""
    sealed = {"v": FORMAT, "uuid": str(entry.uuid), "kind": entry.kind, "kid": entry.kid,
              "enc": base64.urlsafe_b64encode(entry.enc).decode(), "ct": base64.urlsafe_b64encode(entry.ct).decode()}
    held = quarantine.held_entry(entry.uuid)
    newly = held is None
    if newly:
        quarantine.hold(user, entry.uuid, entry.kind, HeldReason.unopenable, sealed=sealed)
    return _answer(entry.uuid, "invalid", errors=[_error(
        "This entry was sealed for another account or has been damaged, so it cannot be opened.")],
        _newly_held=newly)


def held_answer(user: User, held) -> dict:
    """The answer for an entry the server holds (or held): quarantined until a person has dealt with it."""
    state = held_state(user, held)
    if state.get("url"):  # a coordinator turned it into a record: the phone may forget it
        return _answer(held.client_uuid, "duplicate", url=state["url"], state=state["state"])
    return _answer(held.client_uuid, "quarantined", state=state["state"], url=None, held=state["held"],
                   kind=held.kind)


def held_state(user: User, held) -> dict:
    """What the phone shows for a held entry: held, checked (dismissed) or, once recorded, the record's state."""
    if held.held:
        return {"state": quarantine.HELD_STATE, "held": True, "kind": held.kind}
    kind = KINDS.get(held.kind)
    if held.record_id is not None and kind is not None and kind.states:
        record_uuid = quarantine.record_uuid(held)
        found = kind.states(user, [record_uuid]).get(str(record_uuid))
        return found or {"state": quarantine.RECORDED_STATE, "held": False, "kind": held.kind}  # out of reach now
    return {"state": quarantine.CHECKED_STATE, "held": False, "kind": held.kind}


def _contents(body: bytes) -> tuple[str, MultiDict]:
    """The family id and the form fields inside an opened entry."""
    doc = json.loads(body.decode("utf-8"))
    fields = doc.get("fields") if isinstance(doc, dict) else None
    if not isinstance(fields, dict) or not isinstance(doc.get("family"), str):
        raise ValueError("not an entry")
    formdata = MultiDict()
    for name, value in fields.items():
        for item in value if isinstance(value, list) else [value]:
            if not isinstance(item, str):
                raise ValueError("field values are text")
            formdata.add(name, item)
    return doc["family"], formdata


def states(user: User, client_uuids: list[str]) -> dict:
    """Where the user's sent entries stand now (for kinds that track it, and any held entry), by UUID."""
    ids = [uuid.UUID(u) for u in client_uuids if UUID.match(u)][:MAX_BATCH]
    out: dict = {}
    for kind in KINDS.values():
        if kind.states and user.role in kind.roles:
            out.update(kind.states(user, ids))
    for held in access.held_sent_by(user, ids):
        if str(held.client_uuid) not in out or held.held:
            out[str(held.client_uuid)] = held_state(user, held)
    return out
