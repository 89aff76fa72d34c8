"""Accounts: sign-in with throttling, one-time links, password changes. Flush only."""
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from pwa.core import audit, clock
from pwa.outbox import mailer
from pwa.auth.passwords import check_password, hash_password, needs_rehash
from pwa.crypto import token_digest
from pwa.core.extensions import db
from pwa.models import AccountToken, LoginThrottle, TokenPurpose, User
from pwa.core.sessions import end_all_sessions

INVITE_DAYS = 7
RESET_HOURS = 2


class LockedOut(Exception):
    """Too many failed sign-ins for this account or address."""

    def __init__(self, minutes: int):
        super().__init__(minutes)
        self.minutes = minutes


def _throttle(key: str) -> LoginThrottle:
    row = db.session.get(LoginThrottle, key)
    if row is None:
        row = LoginThrottle(key=key, failures=0, window_started_at=clock.now())
        db.session.add(row)
    return row


def _check_lock(row: LoginThrottle) -> None:
    now = clock.now()
    if row.locked_until and row.locked_until > now:
        raise LockedOut(max(1, int((row.locked_until - now).total_seconds() // 60) + 1))


def _fail(row: LoginThrottle, limit: int) -> None:
    now, lock = clock.now(), timedelta(minutes=current_app.config["LOGIN_LOCK_MINUTES"])
    if now - row.window_started_at > lock:
        row.failures, row.window_started_at = 0, now
    row.failures += 1
    if row.failures >= limit:
        row.locked_until, row.failures, row.window_started_at = now + lock, 0, now


def authenticate(email: str, password: str, address: str) -> User | None:
    """Check a sign-in; count failures per account and per address; raise LockedOut."""
    email = email.strip().lower()
    by_account, by_address = _throttle(f"account:{token_digest(email)[:40]}"), _throttle(f"address:{address}")
    _check_lock(by_account)
    _check_lock(by_address)
    user = db.session.scalar(sa.select(User).where(User.email == email))
    ok = check_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.active:
        _fail(by_account, current_app.config["LOGIN_MAX_FAILURES_ACCOUNT"])
        _fail(by_address, current_app.config["LOGIN_MAX_FAILURES_ADDRESS"])
        audit.record(db.session, user, "sign-in failed", object_type="users", object_id=user.id if user else None)
        db.session.flush()
        return None
    by_account.failures = 0
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    audit.record(db.session, user, "sign-in", user)
    return user


def issue_link(user: User, purpose: TokenPurpose) -> str:
    """Create a one-time link token (only its hash is stored) and return the token."""
    token = secrets.token_urlsafe(32)
    life = timedelta(days=INVITE_DAYS) if purpose is TokenPurpose.invite else timedelta(hours=RESET_HOURS)
    db.session.execute(
        sa.update(AccountToken)
        .where(AccountToken.user_id == user.id, AccountToken.used_at.is_(None))
        .values(used_at=clock.now())
    )
    db.session.add(AccountToken(token_hash=token_digest(token), user_id=user.id, purpose=purpose,
                                expires_at=clock.now() + life))
    db.session.flush()
    return token


def redeem_link(token: str) -> AccountToken | None:
    """Find an unused, unexpired link token."""
    row = db.session.scalar(sa.select(AccountToken).where(AccountToken.token_hash == token_digest(token)))
    if row is None or row.used_at is not None or row.expires_at < clock.now():
        return None
    return row


def set_password(user: User, password: str, *, link: AccountToken | None = None) -> None:
    """Set a new password, spend the link, and end every existing session."""
    user.password_hash = hash_password(password)
    user.password_changed_at = clock.now()
    if link is not None:
        link.used_at = clock.now()
    end_all_sessions(user.id)
    audit.record(db.session, user, "password set", user)
    db.session.flush()


def send_link(user: User, purpose: TokenPurpose, inviter: User | None = None) -> None:
    """Email a one-time link to set a password."""
    token = issue_link(user, purpose)
    url = f"{current_app.config['BASE_URL']}/account/set-password/{token}"
    if purpose is TokenPurpose.invite:
        mailer.queue_account_email(user.email, "You have been invited to Bridge", template="invitation",
                                   url=url, days=INVITE_DAYS)
    else:
        mailer.queue_account_email(user.email, "Reset your Bridge password", template="password_reset",
                                   url=url, hours=RESET_HOURS)
    audit.record(db.session, inviter or user, f"{purpose.value} sent", user)


def disable(user: User, actor: User) -> None:
    """Disable an account and end its sessions at once."""
    user.active = False
    end_all_sessions(user.id)
    audit.record(db.session, actor, "account disabled", user)
    db.session.flush()


def enable(user: User, actor: User) -> None:
    """Re-enable a disabled account."""
    user.active = True
    audit.record(db.session, actor, "account enabled", user)
    db.session.flush()


def set_preferences(user: User, *, digest: bool, reminders: bool) -> None:
    """Record which reminder emails a person wants."""
    user.digest_emails, user.reminder_emails = digest, reminders
    audit.record(db.session, user, "email choices saved", user)
    db.session.flush()
