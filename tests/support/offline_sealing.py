"""Seal outbox entries in Python with cryptography's audited HPKE, exactly as the phone does (seal.js)."""
import base64
import json
import uuid
from datetime import date, timedelta

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.hpke import AEAD, KDF, KEM, Suite

from pwa.crypto import sealing
from pwa.crypto.hpke import public_key_raw
from pwa.offline import sync

SUITE = Suite(KEM.P256, KDF.HKDF_SHA256, AEAD.AES_256_GCM)


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def visit_fields(**overrides) -> dict:
    """A valid visit as the form posts it."""
    fields = {"visit_on": (date.today() - timedelta(days=1)).isoformat(), "started_at": "14:30", "duration_minutes": "45", "kind": "home_visit",
              "what_done": "Played football in the park", "children_seen": [], "children_spoken": []}
    fields.update(overrides)
    return fields


def concern_fields(**overrides) -> dict:
    """A valid concern as the form posts it."""
    fields = {"urgency": "urgent", "categories": ["neglect"], "what_seen": "No food in the house",
              "child_words": "I am hungry"}
    fields.update(overrides)
    return fields


def seal(app, author, kind: str, family_id, fields: dict, *, client_uuid=None, kid=None,
         info_author=None) -> dict:
    """One wire item, sealed to the server's key for `author` (or, to test refusal, for `info_author`)."""
    keys = sealing.keys_for(app.config)
    kid = kid or keys.current
    client_uuid = client_uuid or uuid.uuid4()
    point = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), public_key_raw(keys.keys[kid]))
    body = json.dumps({"family": str(family_id), "fields": fields, "sealed_at": "2026-01-05T14:31:00Z"}).encode()
    info = sync.info(kid, (info_author or author).id, kind, client_uuid)
    sealed = SUITE.encrypt(body, point, info=info)
    return {"v": 1, "uuid": str(client_uuid), "kind": kind, "kid": kid, "enc": b64u(sealed[:65]),
            "ct": b64u(sealed[65:])}


def send(auth, items, *, token: str | None = None):
    """POST a batch as the outbox does: JSON, with the CSRF token in X-CSRFToken."""
    headers = {"Accept": "application/json"}
    if token is not False:
        headers["X-CSRFToken"] = token or auth.client.get("/sync/token").get_json()["csrf_token"]
    return auth.client.post("/sync/items", json={"items": items}, headers=headers)
