"""Receiving the sealed outbox: open each entry for the signed-in author, store it once, answer per entry.

Wire format 1 (POST /sync/items, JSON): {"items": [{"v": 1, "uuid", "kind",
"kid", "enc", "ct"}, ...]} with at most 50 items; enc and ct are base64url.
Each was sealed with HPKE (DHKEM(P-256), HKDF-SHA256, AES-256-GCM, base mode,
aad empty) to the sealing key `kid`, under the info

    bridge-sealed-entry\\n1\\n<kid>\\n<author user id>\\n<kind>\\n<uuid>

so an entry opens only for the author who sealed it, as the kind and UUID it
was sealed as. Inside: JSON {"family": id, "fields": {name: text | [text]},
"sealed_at": ISO time}. The answer lists, in order, {"uuid", "status",
"code"} with status stored (201) | duplicate (200) | invalid (422, errors) |
conflict (409, errors); stored and duplicate also carry url and state.
"""
import base64
import binascii
import json
import re
import uuid
from dataclasses import dataclass

from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException

from pwa import access
from pwa.crypto.hpke import SealedOpenError
from pwa.crypto.sealing import KEY_ID, SealingKeys
from pwa.core.idempotency import IdempotencyConflict
from pwa.models import User
from pwa.offline.kinds import KINDS, Invalid, Stored

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
    return Envelope(uuid.UUID(claimed), raw["kind"], raw["kid"], enc, ct)


def _error(message: str, field: str = "") -> dict:
    return {"field": field, "message": message}


def _answer(client_uuid, status: str, **extra) -> dict:
    code = {"stored": 201, "duplicate": 200, "invalid": 422, "conflict": 409}[status]
    return {"uuid": str(client_uuid), "status": status, "code": code, **extra}


def receive(user: User, keys: SealingKeys, entries: list) -> list[dict]:
    """Open, validate and store each entry in order (the caller commits once); answer each."""
    families: dict = {}  # a batch mostly names one family: scope (and audit) it once
    return [receive_one(user, keys, e, families) if isinstance(e, Envelope) else e for e in entries]


def _family(user: User, family_id: str, action: str, families: dict):
    """The family scoped to the user for this action, or None when it is out of their reach."""
    if (family_id, action) not in families:
        try:
            families[family_id, action] = access.family_for(user, family_id, action)
        except HTTPException:
            families[family_id, action] = None
    return families[family_id, action]


def receive_one(user: User, keys: SealingKeys, entry: Envelope, families: dict | None = None) -> dict:
    """Store one sealed entry for the signed-in user, once."""
    kind = KINDS[entry.kind]
    if user.role not in kind.roles:
        return _answer(entry.uuid, "invalid", errors=[_error("Your role cannot send this kind of entry.")])
    try:
        body = keys.open(entry.kid, entry.enc, entry.ct, info(entry.kid, user.id, entry.kind, entry.uuid))
        family_id, formdata = _contents(body)
    except (SealedOpenError, ValueError, RecursionError):  # RecursionError: JSON nested too deeply
        return _answer(entry.uuid, "invalid", errors=[_error(
            "This entry was sealed for another account or has been damaged, so it cannot be opened.")])
    family = _family(user, family_id, kind.family_action, {} if families is None else families)
    if family is None:
        return _answer(entry.uuid, "invalid", errors=[_error(
            "You can no longer add entries for this family.", "family")])
    formdata["client_uuid"] = str(entry.uuid)
    try:
        stored: Stored = kind.store(user, family, formdata, entry.uuid)
    except Invalid as bad:
        return _answer(entry.uuid, "invalid", errors=bad.errors)
    except IdempotencyConflict:
        return _answer(entry.uuid, "conflict", errors=[_error(
            "An entry with this id was already saved with different content. Enter it again as a new entry.")])
    return _answer(entry.uuid, "stored" if stored.created else "duplicate", url=stored.url, state=stored.state)


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
    """Where the user's sent entries stand now (for kinds that track it), by UUID."""
    ids = [uuid.UUID(u) for u in client_uuids if UUID.match(u)][:MAX_BATCH]
    out: dict = {}
    for kind in KINDS.values():
        if kind.states and user.role in kind.roles:
            out.update(kind.states(user, ids))
    return out
