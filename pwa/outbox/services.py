"""Changing queued mail on a person's request. Flush only."""
from flask import current_app

from pwa.core import audit, clock
from pwa.core.extensions import db
from pwa.models import MailStatus, OutboxMessage, User
from pwa.outbox import wake


def retry_mail(user: User, message: OutboxMessage) -> None:
    """Send a dead letter again (after, say, a wrong address was corrected); keeps its Message-ID."""
    if message.status is MailStatus.dead:
        message.status, message.next_attempt_at, message.lease_until = MailStatus.pending, clock.now(), None
        audit.record(db.session, user, "mail retried", message)
        wake.after_commit(db.session, current_app.config)
        db.session.flush()
