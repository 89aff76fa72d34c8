"""argon2id password hashing at or above OWASP's minimum (m=19 MiB, t=2, p=1)."""
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

_hashers: dict[tuple[int, int], PasswordHasher] = {}
# A fixed hash to verify against when the account is unknown, so timing does not reveal it.
_DUMMY = {}


def hasher() -> PasswordHasher:
    """The argon2id hasher with the configured cost."""
    key = (current_app.config["ARGON2_TIME_COST"], current_app.config["ARGON2_MEMORY_KIB"])
    if key not in _hashers:
        _hashers[key] = PasswordHasher(time_cost=key[0], memory_cost=key[1], parallelism=1)
    return _hashers[key]


def hash_password(password: str) -> str:
    """Hash a new password."""
    return hasher().hash(password)


def check_password(stored: str | None, password: str) -> bool:
    """Verify a password; an account without one never matches (but costs the same)."""
    h = hasher()
    if stored is None:
        key = id(h)
        _DUMMY.setdefault(key, h.hash("not-a-password"))
        stored, password = _DUMMY[key], password + "\x00"
    try:
        return h.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    """The stored hash uses weaker parameters than configured."""
    return hasher().check_needs_rehash(stored)
