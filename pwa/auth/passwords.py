"""argon2id password hashing at or above OWASP's minimum (m=19 MiB, t=2, p=1)."""
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

# Per cost setting: the hasher, and a dummy hash made once at start-up. An unknown email is
# verified against the dummy, so it costs exactly what a known one does (one verification).
_hashers: dict[tuple[int, int], tuple[PasswordHasher, str]] = {}


def _entry(config) -> tuple[PasswordHasher, str]:
    key = (config["ARGON2_TIME_COST"], config["ARGON2_MEMORY_KIB"])
    if key not in _hashers:
        h = PasswordHasher(time_cost=key[0], memory_cost=key[1], parallelism=1)
        _hashers[key] = (h, h.hash(secrets.token_urlsafe(16)))
    return _hashers[key]


def prepare(app) -> None:
    """Make the hasher and its dummy hash at start-up, not on the first sign-in."""
    _entry(app.config)


def hasher() -> PasswordHasher:
    """The argon2id hasher with the configured cost."""
    return _entry(current_app.config)[0]


def hash_password(password: str) -> str:
    """Hash a new password."""
    return hasher().hash(password)


def check_password(stored: str | None, password: str) -> bool:
    """Verify a password; an account without one never matches (but costs the same)."""
    h, dummy = _entry(current_app.config)
    try:
        return h.verify(stored or dummy, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    """The stored hash uses weaker parameters than configured."""
    return hasher().check_needs_rehash(stored)
