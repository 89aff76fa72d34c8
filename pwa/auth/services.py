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
from pwa.models import AccountToken, TokenPurpose, User
from pwa.core.sessions import end_all_sessions
from pwa.auth import throttle

INVITE_DAYS = 7
RESET_HOURS = 2


def _signed_known(known_device: str | None, email: str) -> bool:
    """The browser holds a valid cookie saying it completed a sign-in to this account before."""
    from pwa.auth import devices

    return devices.known_for(known_device, email)


def authenticate(email: str, password: str, address: str, known_device: str | None = None) -> User | None:
    """Check a sign-in, slowing repeated failures; raise throttle.Slowed while a wait is due.

    A browser that signed in to this account before counts its own failures, so an attacker
    hammering the account elsewhere does not keep the real person out.
    """
    email = email.strip().lower()
    if _signed_known(known_device, email):
        keys = [throttle.key("device", email, known_device)]
    else:
        keys = [throttle.key("account", email), throttle.key("address", address)]
    throttle.check(*keys)
    user = db.session.scalar(sa.select(User).where(User.email == email))
    ok = check_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.active:
        _count_failure(keys[0], email, address)
        audit.record(db.session, user, "sign-in failed", object_type="users", object_id=user.id if user else None)
        db.session.flush()
        return None
    throttle.clear(keys[0])
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    audit.record(db.session, user, "sign-in", user)
    return user


def _count_failure(first_key: str, email: str, address: str) -> None:
    """Slow the account; slow the address only once it has failed on many different accounts."""
    throttle.fail(first_key)
    throttle.fail(throttle.key("pair", address, email), free=10**6)
    if throttle.distinct_accounts(throttle.key("pair", address)) > current_app.config["LOGIN_ADDRESS_ACCOUNTS"]:
        throttle.fail(throttle.key("address", address), free=0)


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
    """Set a new password; every earlier link, session and remembered device dies; tell the person."""
    from pwa.auth import devices

    first = user.password_hash is None
    user.password_hash = hash_password(password)
    user.password_changed_at = clock.now()
    db.session.execute(sa.update(AccountToken).where(AccountToken.user_id == user.id, AccountToken.used_at.is_(None))
                       .values(used_at=clock.now()))
    end_all_sessions(user.id)
    devices.forget_all(user.id)
    audit.record(db.session, user, "password set", user)
    if not first:
        notify_change(user, "Your Bridge password was changed")
    db.session.flush()


def notify_change(user: User, subject: str) -> None:
    """Email the person that a password or sign-in method changed (no secrets in it)."""
    mailer.queue_notice(user.id, subject, (
        f"{subject} at {clock.now():%H:%M UTC on %d %B %Y}.\n\n"
        "If this was you, there is nothing to do. If it was not, reset your password from the sign-in page "
        "and tell your coordinator at once.\n"))


def request_reset(email: str, address: str) -> None:
    """Email a reset link, at most a few per hour per account and per address (silently either way)."""
    email = email.strip().lower()
    config = current_app.config
    by_address = throttle.count(throttle.key("reset-address", address), config["RESET_PER_ADDRESS_HOUR"])
    by_account = throttle.count(throttle.key("reset-account", email), config["RESET_PER_ACCOUNT_HOUR"])
    user = db.session.scalar(sa.select(User).where(User.email == email))
    if by_address and by_account and user is not None and user.active:
        send_link(user, TokenPurpose.reset)
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
