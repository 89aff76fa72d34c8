"""Browsers Bridge recognises: a signed "signed in here before" cookie, and remembered devices.

The known-device cookie only exempts a browser from throttling that others caused; it never
skips a step. A remembered device (where the programme allows it) skips the second factor
for a while: a random token whose hash is checked against the database, so changing the
password or a second factor revokes it at once.
"""
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from pwa.core import clock
from pwa.core.extensions import db
from pwa.crypto import token_digest
from pwa.models import RememberedDevice, User

KNOWN_COOKIE = "bridge_known"
REMEMBER_COOKIE = "bridge_device"
KNOWN_DAYS = 365


def _signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="known-device")


def known_token(email: str) -> str:
    """A signed cookie value naming (by digest) the account this browser signed in to."""
    return _signer().dumps({"a": token_digest(email.lower())[:32], "n": secrets.token_hex(8)})


def known_for(value: str | None, email: str) -> bool:
    """The cookie is genuine, recent and for this account."""
    if not value:
        return False
    try:
        data = _signer().loads(value, max_age=KNOWN_DAYS * 86400)
    except BadSignature:
        return False
    return isinstance(data, dict) and data.get("a") == token_digest(email.lower())[:32]


def remember_days(user: User) -> int:
    """How long this person's programme lets a device skip the second factor (0: not at all)."""
    return user.programme.remember_device_days if user.programme else 0


def remember(user: User) -> str:
    """Remember this device; returns the token for its cookie."""
    token = secrets.token_urlsafe(32)
    db.session.add(RememberedDevice(user_id=user.id, token_hash=token_digest(token),
                                    expires_at=clock.now() + timedelta(days=remember_days(user))))
    db.session.flush()
    return token


def remembered(user: User, token: str | None) -> bool:
    """The device token is this person's, unexpired, and their programme still allows it."""
    if not token or remember_days(user) <= 0:
        return False
    row = db.session.scalar(sa.select(RememberedDevice).where(RememberedDevice.token_hash == token_digest(token)))
    return row is not None and row.user_id == user.id and row.expires_at > clock.now()


def count(user_id) -> int:
    """How many devices are remembered for a person."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(RememberedDevice).where(
        RememberedDevice.user_id == user_id, RememberedDevice.expires_at > clock.now())) or 0


def forget_all(user_id) -> None:
    """Revoke every remembered device (password or second factor changed)."""
    db.session.execute(sa.delete(RememberedDevice).where(RememberedDevice.user_id == user_id))
