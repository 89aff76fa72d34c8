"""Queueing email in the outbox (same transaction as the work) and sending what is due."""
import uuid

from flask import current_app

from pwa import wake
from pwa.extensions import db
from pwa.models import MailKind, OutboxMessage


def queue_account_email(to: str, subject: str, text: str) -> OutboxMessage:
    """Queue an account email (invitation, reset) to a fixed address."""
    msg = OutboxMessage(kind=MailKind.account, to_address=to, subject=subject, body_text=text,
                        message_id=f"<account-{uuid.uuid4()}@{_domain()}>")
    db.session.add(msg)
    db.session.flush()
    wake.after_commit(db.session, current_app.config)  # sent as soon as the work commits
    return msg


def queue_notice(user_id, subject: str, text: str) -> OutboxMessage:
    """Queue a short notice (no case content) to a person."""
    from pwa.models import User

    user = db.session.get(User, user_id)
    msg = OutboxMessage(kind=MailKind.notice, to_address=user.email, subject=subject, body_text=text,
                        message_id=f"<notice-{uuid.uuid4()}@{_domain()}>")
    db.session.add(msg)
    db.session.flush()
    wake.after_commit(db.session, current_app.config)  # sent as soon as the work commits
    return msg


def _domain() -> str:
    from urllib.parse import urlsplit

    return urlsplit(current_app.config["BASE_URL"]).hostname or "bridge"
