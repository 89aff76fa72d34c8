"""Queueing email: the only way mail enters the outbox, in the same transaction as the work that causes it.

Every email gets a text part and an HTML part (pwa.outbox.render): from its own
templates (`template="digest"`, with the template's context as keywords), or,
for mail queued as plain text, the text put into the shared HTML layout.
Recipients are a fixed address (`to`) or a recipient rule resolved by the worker
when it sends (`rule`, see pwa.outbox.rules), with `subject_id` naming the row it
is about. The Message-ID is fixed here, so every resend of a row carries it.
"""
from __future__ import annotations

import uuid
from urllib.parse import urlsplit

from flask import current_app

from pwa.core.extensions import db
from pwa.models import MailKind, OutboxMessage, User
from pwa.outbox import render, wake


def queue_email(kind: MailKind, to: str | None, subject: str, text: str | None = None, *,
                template: str | None = None, rule: str | None = None, subject_id=None,
                **context) -> OutboxMessage:
    """Queue one email (plain `text`, or rendered from `template` with `context`); the worker wakes on commit."""
    if (text is None) == (template is None):
        raise TypeError("queue_email needs either text or a template")
    text, html = render.render(template, subject=subject, **context) if template else render.from_text(subject, text)
    message = OutboxMessage(id=uuid.uuid4(), kind=kind, to_address=to, recipient_rule=rule, subject_id=subject_id,
                            subject=subject, body_text=text, body_html=html)
    message.message_id = f"<{rule or kind.name}-{message.id}@{_domain()}>"
    db.session.add(message)
    db.session.flush()
    wake.after_commit(db.session, current_app.config)
    return message


def queue_account_email(to: str, subject: str, text: str | None = None, **template) -> OutboxMessage:
    """Queue an account email (invitation, reset)."""
    return queue_email(MailKind.account, to, subject, text, **template)


def queue_notice(user_id, subject: str, text: str | None = None, **template) -> OutboxMessage:
    """Queue a short notice (no case content) to a person."""
    return queue_email(MailKind.notice, db.session.get(User, user_id).email, subject, text, **template)


def _domain() -> str:
    return urlsplit(current_app.config["BASE_URL"]).hostname or "bridge"
