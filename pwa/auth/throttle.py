"""Throttles that slow an attacker without locking the real person out. Flush only.

Each key (an account, an address, a known browser) counts failures. After a few free
failures every further one doubles the wait before the next try, up to a short cap,
so the person whose account is under attack can still get in within a minute.
"""
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from pwa.core import clock
from pwa.core.extensions import db
from pwa.crypto import token_digest
from pwa.models import LoginThrottle

WINDOW = timedelta(hours=1)


class Slowed(Exception):
    """The next try is allowed only after a wait."""

    def __init__(self, seconds: int):
        super().__init__(seconds)
        self.seconds = seconds

    @property
    def wait(self) -> str:
        """The wait in words: "1 second", "8 seconds"."""
        return f"{self.seconds} second{'' if self.seconds == 1 else 's'}"


def key(kind: str, *parts: str) -> str:
    """A throttle key that holds no email or address in the clear."""
    return ":".join([kind] + [token_digest(p.strip().lower())[:32] for p in parts])


def _row(name: str) -> LoginThrottle:
    row = db.session.get(LoginThrottle, name)
    if row is None:
        row = LoginThrottle(key=name, failures=0, window_started_at=clock.now())
        db.session.add(row)
    elif clock.now() - row.window_started_at > WINDOW:
        row.failures, row.window_started_at, row.locked_until = 0, clock.now(), None
    return row


def check(*names: str) -> None:
    """Raise Slowed if any key must still wait."""
    now, waits = clock.now(), []
    for name in names:
        row = db.session.get(LoginThrottle, name)
        if row is not None and row.locked_until and row.locked_until > now:
            waits.append(int((row.locked_until - now).total_seconds() + 0.999))
    if waits:
        raise Slowed(max(waits))


def delay_for(failures: int, free: int) -> int:
    """Seconds to wait after this many failures: none while free, then 1, 2, 4 … up to the cap."""
    if failures <= free:
        return 0
    return min(current_app.config["LOGIN_DELAY_MAX_SECONDS"], 2 ** min(failures - free - 1, 16))


def _bump(row: LoginThrottle) -> int:
    """Add one to a key's count in the database itself, so two servers counting at once both count.

    (`row.failures += 1` wrote back what this request had read: a failure counted by another server in
    between was lost.) A new row, or one whose window has just restarted, counts from what it was set to.
    """
    state = sa.inspect(row)
    if state.persistent and not state.attrs.failures.history.has_changes():
        row.failures = LoginThrottle.failures + 1
        db.session.flush()  # the UPDATE; reading failures then gives the stored count
    else:
        row.failures += 1
    return row.failures


def fail(name: str, free: int | None = None) -> int:
    """Count a failure on a key and set its wait; returns the failures in the window."""
    row = _row(name)
    _bump(row)
    free = current_app.config["LOGIN_FREE_FAILURES"] if free is None else free
    wait = delay_for(row.failures, free)
    row.locked_until = clock.now() + timedelta(seconds=wait) if wait else None
    return row.failures


def clear(name: str) -> None:
    """Forget a key's failures (after a success)."""
    db.session.execute(sa.delete(LoginThrottle).where(LoginThrottle.key == name))


def count(name: str, limit: int) -> bool:
    """Count one use of a rationed action (e.g. a reset email); False once the hour's ration is spent."""
    return _bump(_row(name)) <= limit


def distinct_accounts(prefix: str) -> int:
    """How many keys under a prefix failed in the window (accounts tried from one address)."""
    since = clock.now() - WINDOW
    return db.session.scalar(sa.select(sa.func.count()).select_from(LoginThrottle).where(
        LoginThrottle.key.like(f"{prefix}:%"), LoginThrottle.window_started_at > since)) or 0
