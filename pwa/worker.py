"""The outbox worker: claims due emails, sends them, retries, dead-letters.

Safe to run as several processes: on PostgreSQL rows are claimed with
`FOR UPDATE SKIP LOCKED`; on SQLite a claim is a lease written under the
database's single write lock. A crash mid-send leaves the lease to expire, and
the message is sent again with the same Message-ID.
"""
import logging
import os
import socket
import time
from datetime import timedelta

import sqlalchemy as sa
from flask import Flask, current_app

from pwa import clock, mail
from pwa.extensions import db
from pwa.models import MailStatus, OutboxMessage

log = logging.getLogger("bridge.worker")
LEASE = timedelta(seconds=60)
SEND_TIMEOUT = 5.0
RESOLVERS: dict = {}  # recipient_rule -> function(message) -> list of addresses


def _claim(limit: int, worker_id: str) -> list[OutboxMessage]:
    now = clock.now()
    due = (sa.select(OutboxMessage)
           .where(OutboxMessage.status == MailStatus.pending, OutboxMessage.next_attempt_at <= now,
                  sa.or_(OutboxMessage.lease_until.is_(None), OutboxMessage.lease_until < now))
           .order_by(OutboxMessage.next_attempt_at).limit(limit))
    if db.engine.dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    rows = list(db.session.scalars(due))
    for row in rows:
        row.lease_until = now + LEASE
    db.session.commit()
    return rows


def recipients(message: OutboxMessage) -> list[str]:
    """Resolve who gets a message now (not when it was queued)."""
    if message.recipient_rule:
        return RESOLVERS[message.recipient_rule](message)
    return [message.to_address]


def send_one(message: OutboxMessage) -> None:
    """Try to send one claimed message and record the outcome."""
    cfg = current_app.config
    try:
        to = recipients(message)
        email = mail.Email(to=tuple(to), subject=message.subject, text=message.body_text,
                           html=message.body_html or "", message_id=message.message_id)
        reply = mail.deliver(email, smtp_url=cfg["SMTP_URL"], sender=cfg["MAIL_FROM"],
                             outbox_dir=__import__("pathlib").Path(cfg["MAIL_DIR"]), timeout=SEND_TIMEOUT)
    except mail.PermanentMailError as exc:
        message.status, message.last_error = MailStatus.dead, exc.reason[:300]
        log.error("outbox %s dead after %s attempts: %s", message.id, message.attempts + 1, exc.reason)
    except (mail.TransientMailError, OSError) as exc:
        reason = getattr(exc, "reason", type(exc).__name__)
        message.next_attempt_at = clock.now() + timedelta(seconds=mail.backoff_delay(message.attempts))
        message.last_error = reason[:300]
        log.warning("outbox %s attempt %s failed, will retry: %s", message.id, message.attempts + 1, reason)
    else:
        message.status, message.sent_at, message.sent_to = MailStatus.sent, clock.now(), ", ".join(to)
        message.last_error = None
        log.info("outbox %s sent (%s): %s", message.id, message.kind.name, reply[:80])
    message.attempts += 1
    message.lease_until = None
    db.session.commit()


def deliver_due(limit: int = 20) -> int:
    """Send everything due now; returns how many were attempted."""
    worker_id = f"{socket.gethostname()}:{os.getpid()}"
    claimed = _claim(limit, worker_id)
    for message in claimed:
        send_one(message)
    return len(claimed)


def run(app: Flask, *, once: bool = False, idle_sleep: float = 1.0) -> None:
    """Loop forever (or once): deliver what is due, then wait briefly."""
    with app.app_context():
        while True:
            try:
                worked = deliver_due()
            except sa.exc.OperationalError as exc:  # database locked or away: try again shortly
                db.session.rollback()
                log.warning("worker: database unavailable (%s); retrying", type(exc).__name__)
                worked = 0
            if once:
                return
            if not worked:
                time.sleep(idle_sleep)
