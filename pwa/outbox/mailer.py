"""Queueing email in the outbox, in the same transaction as the work that causes it."""
import uuid
from urllib.parse import urlsplit

from flask import current_app

from pwa.outbox import wake
from pwa.core.extensions import db
from pwa.models import MailKind, OutboxMessage, User


def queue_email(kind: MailKind, to: str, subject: str, text: str) -> OutboxMessage:
    """Queue an email to a fixed address; the worker is woken as soon as the work commits."""
    domain = urlsplit(current_app.config["BASE_URL"]).hostname or "bridge"
    msg = OutboxMessage(kind=kind, to_address=to, subject=subject, body_text=text,
                        message_id=f"<{kind.name}-{uuid.uuid4()}@{domain}>")
    db.session.add(msg)
    db.session.flush()
    wake.after_commit(db.session, current_app.config)
    return msg


def queue_account_email(to: str, subject: str, text: str) -> OutboxMessage:
    """Queue an account email (invitation, reset)."""
    return queue_email(MailKind.account, to, subject, text)


def queue_notice(user_id, subject: str, text: str) -> OutboxMessage:
    """Queue a short notice (no case content) to a person."""
    return queue_email(MailKind.notice, db.session.get(User, user_id).email, subject, text)
