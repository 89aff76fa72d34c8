"""The OpenAPI 3.0 description of Bridge's JSON endpoints: the phone's outbox and what it needs.

Served at /openapi.json and checked against the running app by tests/test_openapi.py (schemathesis):
every answer must match what is written here, and none may be a server error. The wire format of a
sealed entry is pwa/offline/sync.py's; the envelope's fields are restated here only as a contract.
"""
from pwa.crypto.sealing import KEY_ID
from pwa.offline.kinds import KINDS
from pwa.offline.sync import MAX_BATCH

UUID_PATTERN = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
B64URL = {"type": "string", "pattern": "^[A-Za-z0-9_-]*$", "description": "base64url, unpadded"}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


REFUSALS = {
    "401": _json(_ref("Error"), "Signed out: sign in again (the outbox pauses, nothing is lost)."),
    "403": _json(_ref("Error"), "This role does not use the outbox."),
}

SCHEMAS = {
    "Error": {"type": "object", "required": ["error", "message"], "properties": {
        "error": {"type": "string"}, "message": {"type": "string"}}},
    "Envelope": {"type": "object", "required": ["v", "uuid", "kind", "kid", "enc", "ct"], "properties": {
        "v": {"type": "integer", "enum": [1]},
        "uuid": {"type": "string", "pattern": UUID_PATTERN},
        "kind": {"type": "string", "enum": sorted(KINDS)},
        "kid": {"type": "string", "pattern": KEY_ID.pattern},
        "present": {"type": "boolean", "description": "sent from the online form: a failed check is answered "
                                                      "422 with the errors instead of being held"},
        "enc": dict(B64URL, description="the sender's 65-byte ephemeral P-256 point, base64url"),
        "ct": dict(B64URL, description="the HPKE ciphertext and tag, base64url (at most 64 KiB)")}},
    "Batch": {"type": "object", "required": ["items"], "properties": {
        "items": {"type": "array", "minItems": 1, "maxItems": MAX_BATCH,
                  "description": "each an Envelope; an entry that is not one is answered as invalid in its place",
                  "items": {}}}},
    "FieldError": {"type": "object", "required": ["field", "message"], "properties": {
        "field": {"type": "string"}, "message": {"type": "string"}}},
    "Result": {"type": "object", "required": ["uuid", "status", "code"], "properties": {
        "uuid": {"type": "string"},
        "status": {"type": "string", "enum": ["stored", "duplicate", "invalid", "conflict"]},
        "code": {"type": "integer", "enum": [200, 201, 409, 422]},
        "errors": {"type": "array", "items": _ref("FieldError")},
        "url": {"type": "string"}, "state": {"type": "string"}}},
    "Results": {"type": "object", "required": ["results"], "properties": {
        "results": {"type": "array", "items": _ref("Result")}}},
    "States": {"type": "object", "required": ["states"], "properties": {"states": {
        "type": "object", "additionalProperties": {"type": "object", "required": ["state", "url"], "properties": {
            "state": {"type": "string"}, "url": {"type": "string"}}}}}},
    "Token": {"type": "object", "required": ["user", "csrf_token"], "properties": {
        "user": {"type": "string"}, "csrf_token": {"type": "string"}}},
    "Key": {"type": "object", "required": ["kid", "public_key", "format"], "properties": {
        "kid": {"type": "string", "pattern": KEY_ID.pattern}, "public_key": B64URL,
        "format": {"type": "integer", "enum": [1]}}},
    "Named": {"type": "object", "required": ["id"], "properties": {
        "id": {"type": "string"}, "name": {"type": "string"}, "title": {"type": "string"}}},
    "Snapshot": {"type": "object", "required": ["user", "taken_at", "duty_phone", "families"], "properties": {
        "user": {"type": "string"}, "taken_at": {"type": "string", "format": "date-time"},
        "duty_phone": {"type": "string", "nullable": True},
        "families": {"type": "array", "items": {"type": "object", "required": ["id", "label", "children", "goals"],
                                                "properties": {
            "id": {"type": "string"}, "label": {"type": "string"},
            "children": {"type": "array", "items": _ref("Named")},
            "goals": {"type": "array", "items": _ref("Named")}}}}}},
}


def _get(summary: str, schema: str, **extra) -> dict:
    return {"get": {"summary": summary, "responses": {"200": _json(_ref(schema), summary), **REFUSALS}, **extra}}


def spec() -> dict:
    """The OpenAPI document."""
    items = {"post": {
        "summary": f"Send up to {MAX_BATCH} sealed entries; each is stored once and answered by its UUID.",
        "parameters": [{"name": "X-CSRFToken", "in": "header", "required": True, "schema": {"type": "string"},
                        "description": "from GET /sync/token"}],
        "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("Batch")}}},
        "responses": {
            "200": _json(_ref("Results"), "One answer per entry, in order."),
            "400": _json(_ref("Error"), "The CSRF token is missing or stale: fetch a new one."),
            "413": _json(_ref("Error"), "The request is larger than the server takes."),
            "422": _json(_ref("Error"), "The body is not a batch in wire format 1."), **REFUSALS}}}
    states = _get("Where the signed-in author's sent entries stand now, by UUID.", "States", parameters=[{
        "name": "uuid", "in": "query", "required": False, "style": "form", "explode": True,
        "description": f"entry UUIDs; anything that is not one is ignored, and only the first {MAX_BATCH} are looked up",
        "schema": {"type": "array", "items": {"type": "string"}}}])
    return {
        "openapi": "3.0.3",
        "info": {"title": "Bridge outbox API", "version": "1",
                 "description": "JSON endpoints used by the phone's offline outbox. Every call needs a signed-in "
                                "session cookie; POSTs also need the CSRF token from /sync/token."},
        "paths": {
            "/sync/token": _get("Who is signed in, and a fresh CSRF token for the outbox.", "Token"),
            "/offline/key": _get("The current sealing key: its id and public point.", "Key"),
            "/offline/snapshot": _get("What a mentor's offline forms need: families, children, goals.",
                                      "Snapshot"),
            "/sync/states": states,
            "/sync/items": items,
        },
        "components": {"schemas": SCHEMAS},
    }
