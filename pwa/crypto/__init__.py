"""Field encryption at rest: AES-256-GCM with a key id in every value.

The only package that imports `cryptography`. A stored value reads
`v1.<key id>.<base64url(nonce || ciphertext)>`; the associated data names the
table, column and row, so a ciphertext copied to another row will not open.
"""
import base64
import json
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

PREFIX = "v1"


class KeyError_(Exception):
    """The keyring is missing, malformed, or lacks the key a value names."""


class DecryptError(Exception):
    """A stored value did not open: wrong row, wrong key, or tampered."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Keyring:
    """Data keys by id; `current` encrypts, every key decrypts."""

    keys: dict[str, bytes] = field(default_factory=dict)
    current: str = ""
    source: str = ""
    _ciphers: dict = field(default_factory=dict, repr=False)

    def _cipher(self, key_id: str) -> AESGCM:
        """The AES-GCM object for a key, built once (its key schedule is the costly part)."""
        cipher = self._ciphers.get(key_id)
        if cipher is None:
            cipher = self._ciphers[key_id] = AESGCM(self.keys[key_id])
        return cipher

    def encrypt(self, plaintext: str, ad: str) -> str:
        """Seal a string under the current key, bound to `ad`."""
        nonce = os.urandom(12)
        sealed = self._cipher(self.current).encrypt(nonce, plaintext.encode(), ad.encode())
        return f"{PREFIX}.{self.current}.{_b64(nonce + sealed)}"

    def decrypt(self, stored: str, ad: str) -> str:
        """Open a stored value, checking it belongs where `ad` says."""
        try:
            prefix, key_id, body = stored.split(".", 2)
        except ValueError as exc:
            raise DecryptError("not an encrypted value") from exc
        if prefix != PREFIX or key_id not in self.keys:
            raise DecryptError(f"unknown key id {key_id!r}")
        raw = _unb64(body)
        try:
            return self._cipher(key_id).decrypt(raw[:12], raw[12:], ad.encode()).decode()
        except InvalidTag as exc:
            raise DecryptError(f"value does not open for {ad}") from exc

    def key_id_of(self, stored: str) -> str:
        """Return the key id a stored value names."""
        return stored.split(".", 2)[1]

    def add_key(self) -> str:
        """Generate a fresh key, make it current and return its id."""
        key_id = f"k{len(self.keys) + 1}-{secrets.token_hex(3)}"
        self.keys[key_id] = AESGCM.generate_key(bit_length=256)
        self.current = key_id
        return key_id


def parse_env_keys(value: str) -> Keyring:
    """Read `id:base64key;id:base64key` (the last one is current)."""
    ring = Keyring(source="environment")
    for part in filter(None, (p.strip() for p in value.split(";"))):
        key_id, _, b64key = part.partition(":")
        key = _unb64(b64key)
        if len(key) != 32 or not key_id or "." in key_id:
            raise KeyError_("BRIDGE_DATA_KEYS entries must be id:base64(32 bytes)")
        ring.keys[key_id] = key
        ring.current = key_id
    if not ring.keys:
        raise KeyError_("BRIDGE_DATA_KEYS is empty")
    return ring


def load_key_file(path: Path, *, create: bool) -> Keyring:
    """Read the key file, generating one (mode 0600) when allowed and absent."""
    if not path.exists():
        if not create:
            raise KeyError_(f"no data key: set BRIDGE_DATA_KEYS or provide {path}")
        ring = Keyring(source=str(path))
        ring.add_key()
        save_key_file(ring, path)
        return ring
    doc = json.loads(path.read_text())
    keys = {k: _unb64(v) for k, v in doc["keys"].items()}
    return Keyring(keys=keys, current=doc["current"], source=str(path))


def save_key_file(ring: Keyring, path: Path) -> None:
    """Write the keyring atomically with owner-only permissions."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump({"current": ring.current, "keys": {k: _b64(v) for k, v in ring.keys.items()}}, fh)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def export_env_value(ring: Keyring) -> str:
    """Render a keyring in the BRIDGE_DATA_KEYS format (current last)."""
    ordered = [k for k in ring.keys if k != ring.current] + [ring.current]
    return ";".join(f"{k}:{_b64(ring.keys[k])}" for k in ordered)


def token_digest(token: str) -> str:
    """Hash a bearer token (session, invite, reset) for storage."""
    from hashlib import sha256

    return sha256(token.encode()).hexdigest()
