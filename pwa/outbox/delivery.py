"""Outbox delivery: claim the next due email, address it, send it, record the outcome.

A claim is a lease (lease_until, attempts+1) on ONE message, committed before any
SMTP traffic: on PostgreSQL the row is picked with `FOR UPDATE SKIP LOCKED`; on
SQLite the claim runs under the database's single write lock (the worker's
transactions begin IMMEDIATE). Alerts and escalations go before any other mail.
Claiming one at a time means a worker killed mid-send holds back only the message
in flight; the rest stay free for the next worker at once. It costs no extra
round trip: the previous message's outcome is committed in the same transaction
as the next claim (one write-lock acquisition per message), and a claim that
finds nothing still commits the outcome it carried. Recipients are resolved when
a message is claimed (pwa.outbox.rules), not when it was queued; no transaction
is open while talking to SMTP.

Attempts is the lease's token: an outcome recorded after another worker re-claimed
the row (the lease ran out) leaves that claim alone, but a 'sent' always sticks.
"""
from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from pwa import config
from pwa.core import clock
from pwa.core.extensions import db
from pwa.models import MailKind, MailStatus, OutboxMessage
from pwa.outbox import faults, mail, rules

log = logging.getLogger("bridge.worker")
URGENT = (MailKind.alert, MailKind.escalation)


@dataclass
class Claim:
    """A leased message, addressed: the email to send, or why it could not be built."""

    id: uuid.UUID
    attempt: int  # attempts after this claim: the lease's token
    email: mail.Email | None = None
    problem: Exception | None = None


@dataclass(frozen=True)
class Outcome:
    """What one attempt came to: 'sent' (with the server's reply and when), 'retry' or 'dead' (why)."""

    kind: str
    reason: str
    at: datetime | None = None


def setting(name: str) -> float:
    """A worker timing from the app's config (pwa.config reads the environment and holds the defaults)."""
    return float(current_app.config.get(name) or config.WORKER_TIMINGS[name])


def _postgres() -> bool:
    return db.engine.dialect.name == "postgresql"


def _busy(exc: sa.exc.OperationalError) -> bool:
    text = str(exc.orig).lower()
    return "locked" in text or "busy" in text


def patiently(fn, *args, **kwargs):
    """Run a transaction, retrying at once while SQLite's write lock is taken (for up to 10 s).

    The worker turns SQLite's own busy handler off (eager_sqlite_lock): its sleeps (up to
    100 ms) keep missing the short gaps between web requests, each of which holds the lock.
    """
    deadline, pause = time.monotonic() + 10.0, 0.0005
    while True:
        try:
            return fn(*args, **kwargs)
        except sa.exc.OperationalError as exc:
            if not _busy(exc) or time.monotonic() > deadline:
                raise
            db.session.rollback()
            time.sleep(pause)
            pause = min(pause * 1.5, 0.004)


def eager_sqlite_lock(engine: sa.Engine) -> None:
    """Worker only: fail at once on a busy SQLite lock, so `patiently` can retry within a millisecond."""
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", lambda conn, record: conn.execute("PRAGMA busy_timeout = 0"))
        engine.dispose()


def _due(now):
    return sa.and_(OutboxMessage.status == MailStatus.pending, OutboxMessage.next_attempt_at <= now,
                   sa.or_(OutboxMessage.lease_until.is_(None), OutboxMessage.lease_until < now))


def _address(message: OutboxMessage) -> Claim:
    claim = Claim(message.id, message.attempts)
    try:
        with db.session.begin_nested():  # a failing resolver must not spoil the claim's transaction
            claim.email = mail.Email(to=tuple(rules.recipients(message)), subject=message.subject,
                                     text=str(message.body_text), html=str(message.body_html or ""),
                                     message_id=message.message_id)
    except Exception as exc:  # reported when the outcome is recorded
        claim.problem = exc
    return claim


def claim_next(carried=()) -> tuple[Claim | None, float]:
    """Record carried outcomes, then lease and address the next due message, in one transaction.

    Returns the claim (None if nothing is due) and, if nothing is, the seconds until
    something may fall due (at most one poll).
    """
    for claim, outcome in carried:
        apply(claim, outcome)
    now = clock.now()
    urgent_first = sa.case((OutboxMessage.kind.in_(URGENT), 0), else_=1)  # a burst of digests never delays an alert
    pick = sa.select(OutboxMessage).where(_due(now)).order_by(urgent_first, OutboxMessage.next_attempt_at).limit(1)
    if _postgres():
        pick = pick.with_for_update(skip_locked=True, of=OutboxMessage)
    message, claim, wait = db.session.scalars(pick).first(), None, 0.0
    if message is not None:
        message.lease_until = now + timedelta(seconds=setting("WORKER_LEASE_SECONDS"))
        message.attempts += 1
        claim = _address(message)
    else:
        wait = _seconds_to_next(now)
    db.session.commit()
    return claim, wait


def _seconds_to_next(now) -> float:
    """Until the next pending message is due or its lease ends, at most one poll."""
    poll = setting("WORKER_POLL_SECONDS")
    at = sa.case((OutboxMessage.lease_until > OutboxMessage.next_attempt_at, OutboxMessage.lease_until),
                 else_=OutboxMessage.next_attempt_at)
    nxt = db.session.scalar(sa.select(sa.func.min(at)).where(OutboxMessage.status == MailStatus.pending, at > now))
    return poll if nxt is None else min(poll, max(0.02, (nxt - now).total_seconds()))


def attempt(claim: Claim) -> Outcome:
    """Talk to the SMTP server for one claimed message (no database)."""
    faults.hit("worker-before-send")
    cfg = current_app.config
    try:
        if claim.problem is not None:
            raise claim.problem
        reply = mail.deliver(claim.email, smtp_url=cfg["SMTP_URL"], sender=cfg["MAIL_FROM"],
                             outbox_dir=Path(cfg["MAIL_DIR"]), timeout=setting("SMTP_TIMEOUT_SECONDS"))
    except mail.PermanentMailError as exc:
        return Outcome("dead", exc.reason)
    except mail.TransientMailError as exc:
        return Outcome("retry", exc.reason)
    except Exception as exc:  # a resolver, the database or the configuration: retry, never drop
        log.error("outbox %s attempt %s failed inside Bridge (%s); will retry", claim.id, claim.attempt,
                  type(exc).__name__, exc_info=exc)
        return Outcome("retry", f"internal error ({type(exc).__name__})")
    outcome = Outcome("sent", reply, clock.now())
    faults.hit("worker-after-250")
    return outcome


def apply(claim: Claim, outcome: Outcome) -> str:
    """Write an attempt's outcome into the session (the caller commits); a later claimer's lease is left alone."""
    q = sa.select(OutboxMessage).where(OutboxMessage.id == claim.id)
    message = db.session.scalar(q.with_for_update() if _postgres() else q)
    ours, pending = message.attempts == claim.attempt, message.status is MailStatus.pending
    if ours:
        message.lease_until = None
    if outcome.kind == "sent":
        if message.status is not MailStatus.sent:  # keep the first acceptance time
            message.status, message.sent_at, message.sent_to = MailStatus.sent, outcome.at, ", ".join(claim.email.to)
        message.last_error = outcome.reason if "refused" in outcome.reason else None
        log.info("outbox %s sent (%s, attempt %s): %s", message.id, message.kind.name, claim.attempt, outcome.reason[:80])
    elif ours and pending and outcome.kind == "dead":
        message.status, message.last_error = MailStatus.dead, outcome.reason[:300]
        log.error("outbox %s (%s) dead after %s attempts: %s", message.id, message.kind.name, claim.attempt,
                  outcome.reason)
        rules.died(message)  # mail it queues is claimed by the same transaction's next pick
    elif ours and pending:
        message.last_error = outcome.reason[:300]
        delay = mail.backoff_delay(claim.attempt - 1, cap=setting("WORKER_RETRY_CAP_SECONDS"))
        message.next_attempt_at = clock.now() + timedelta(seconds=delay)
        log.warning("outbox %s attempt %s failed, retry in %.1fs: %s", message.id, claim.attempt, delay, outcome.reason)
    else:
        return "stale"
    return outcome.kind


def record(pairs) -> None:
    """Commit outcomes: [(claim, outcome), ...]."""
    for claim, outcome in pairs:
        apply(claim, outcome)
    db.session.commit()

