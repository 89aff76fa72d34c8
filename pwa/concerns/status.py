"""Where each concern and addendum stands: saved, email accepted, acknowledged, action taken."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from pwa.concerns.alerts import ALERT_RULE
from pwa.core.database import columns
from pwa.core.extensions import db
from pwa.models import MailStatus, OutboxMessage


@dataclass
class Delivery:
    """What became of an item's alert email."""

    state: str  # "sent", "waiting", "retrying", "dead"
    sent_at: datetime | None = None
    attempts: int = 0
    error: str | None = None

    @property
    def label(self) -> str:
        """The phrase a person reads."""
        return {"sent": "Email accepted by the mail server", "waiting": "Email being sent",
                "retrying": "Email not yet accepted: retrying", "dead": "Email could not be delivered"}[self.state]


# Only what a delivery's line shows, as plain columns: the ORM rows opened every message's sealed
# address and bodies (four decryptions a message) to show its status. Built once.
_M = OutboxMessage.__table__.c
_DELIVERIES = sa.select(_M.subject_id, _M.status, _M.sent_at, _M.attempts, _M.last_error).where(
    _M.subject_id.in_(sa.bindparam("items", expanding=True)), _M.recipient_rule == ALERT_RULE)


def deliveries(item_ids) -> dict:
    """Each item's alert delivery, from its outbox rows, in one query."""
    ids = list(item_ids)
    if not ids:
        return {}
    db.session.flush()  # an alert queued by this very request (a concern just sent from the phone) counts
    found: dict = {}
    for message in columns(_DELIVERIES, {"items": ids}):
        found[message.subject_id] = _better(found.get(message.subject_id), _delivery(message))
    return found


def _delivery(message) -> Delivery:
    """A message's delivery, from its row of _DELIVERIES (status, when sent, attempts, last error)."""
    if message.status is MailStatus.sent:
        return Delivery("sent", message.sent_at, message.attempts)
    if message.status is MailStatus.dead:
        return Delivery("dead", None, message.attempts, message.last_error)
    state = "retrying" if message.last_error else "waiting"
    return Delivery(state, None, message.attempts, message.last_error)


_RANK = {"sent": 0, "waiting": 1, "retrying": 2, "dead": 3}


def _better(a: Delivery | None, b: Delivery) -> Delivery:
    if a is None:
        return b
    if a.state == b.state == "sent":
        return a if a.sent_at <= b.sent_at else b
    return a if _RANK[a.state] <= _RANK[b.state] else b


def minutes_between(start: datetime, end: datetime) -> int:
    """Whole minutes from start to end."""
    return int((end - start).total_seconds() // 60)
