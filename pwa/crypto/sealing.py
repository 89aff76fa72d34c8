"""The server's HPKE sealing keys: P-256 private keys by id, kept like the data keys.

Phones seal entries to the current key's public half and name its id; every
key in the file still opens, so a key can rotate while sealed entries are
waiting on phones. The file (JSON, mode 0600) lives outside the database; only
on a development run (BRIDGE_ENV=development) is one generated into the instance folder.
"""
import json
import os
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from pwa.crypto import KeyError_
from pwa.crypto.hpke import SealedOpenError, generate_private_key_pem, open_sealed, public_key_raw

KEY_ID = re.compile(r"^[A-Za-z0-9-]{1,40}$")


@dataclass
class SealingKeys:
    """Sealing keys by id; phones seal to `current`, every key opens."""

    keys: dict[str, bytes] = field(default_factory=dict)
    current: str = ""

    def public_key(self) -> tuple[str, bytes]:
        """The current key id and its 65-byte public point."""
        return self.current, public_key_raw(self.keys[self.current])

    def open(self, key_id: str, enc: bytes, ct: bytes, info: bytes) -> bytes:
        """Open an entry sealed to one of our keys; SealedOpenError otherwise."""
        if key_id not in self.keys:
            raise SealedOpenError(f"no sealing key {key_id!r}")
        return open_sealed(self.keys[key_id], enc, ct, info)

    def add_key(self) -> str:
        """Generate a fresh key, make it current and return its id."""
        key_id = f"s{len(self.keys) + 1}-{secrets.token_hex(4)}"
        self.keys[key_id] = generate_private_key_pem()
        self.current = key_id
        return key_id


def load(path: Path, *, create: bool) -> SealingKeys:
    """Read the sealing key file, generating one (mode 0600) when allowed and absent."""
    if not path.exists():
        if not create:
            raise KeyError_(f"no sealing key: provide {path} (BRIDGE_SEALING_KEY_FILE)")
        ring = SealingKeys()
        ring.add_key()
        save(ring, path)
        return ring
    doc = json.loads(path.read_text())
    ring = SealingKeys(keys={k: v.encode() for k, v in doc["keys"].items()}, current=doc["current"])
    if ring.current not in ring.keys or not all(KEY_ID.match(k) for k in ring.keys):
        raise KeyError_(f"{path}: malformed sealing key file")
    return ring


def save(ring: SealingKeys, path: Path) -> None:
    """Write the sealing keys atomically with owner-only permissions."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump({"current": ring.current, "keys": {k: v.decode() for k, v in ring.keys.items()}}, fh)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


_cache: dict[str, tuple[int, SealingKeys]] = {}


def keys_for(settings: dict) -> SealingKeys:
    """The sealing keys named by the settings, re-read when the file changes (rotation)."""
    path = Path(settings["SEALING_KEY_FILE"])
    if not path.exists():
        load(path, create=bool(settings.get("DEVELOPMENT")))
    stamp = path.stat().st_mtime_ns
    cached = _cache.get(str(path))
    if cached is None or cached[0] != stamp:
        cached = (stamp, load(path, create=False))
        _cache[str(path)] = cached
    return cached[1]
