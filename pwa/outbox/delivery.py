"""Outbox delivery: claim due emails, address them, send them, record the outcome.

A claim is a lease (lease_until, attempts+1) committed before any SMTP traffic:
on PostgreSQL rows are picked with `FOR UPDATE SKIP LOCKED`; on SQLite the claim
runs under the database's single write lock. Alerts and escalations go before any
other mail. A batch is claimed and addressed (recipients resolved now, not when
queued) in one short transaction; no transaction is open while talking to SMTP.
Each outcome is committed on its own, except that the worker may carry the last
one of a batch into its next claim (within 100 ms): one write-lock acquisition per
alert instead of two, which is what keeps up with a busy SQLite web server.

Attempts is the lease's token: an outcome recorded after another worker re-claimed
the row (the lease ran out) leaves that claim alone, but a 'sent' always sticks.
"""
from __future__ import annotations

import logging
import os
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from pwa.core import clock
from pwa.outbox import faults, mail
from pwa.core.extensions import db
from pwa.models import MailKind, MailStatus, OutboxMessage

log = logging.getLogger("bridge.worker")

DEFAULTS = {
    "WORKER_LEASE_SECONDS": 20.0,
    "SMTP_TIMEOUT_SECONDS": 5.0,
    "WORKER_POLL_SECONDS": 1.0,
    "WORKER_RETRY_CAP_SECONDS": 20.0,
}
BATCH = 20
URGENT = (MailKind.alert, MailKind.escalation)
RESOLVERS: dict[str, Callable[[OutboxMessage], list[str]]] = {}  # recipient_rule -> addresses, asked at send time
ON_DEAD: dict[str, Callable[[OutboxMessage], None]] = {}  # recipient_rule -> called in the dead-lettering transaction
state = {"stopping": False, "more": False}  # "more": something queued mail while recording


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
    """A worker timing: app config, else BRIDGE_<NAME> in the environment, else the default."""
    value = current_app.config.get(name) or os.environ.get(f"BRIDGE_{name}")
    return float(value) if value else DEFAULTS[name]


def _postgres() -> bool:
    return db.engine.dialect.name == "postgresql"


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
            text = str(exc.orig).lower()
            if "locked" not in text and "busy" not in text or time.monotonic() > deadline:
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


def recipients(message: OutboxMessage) -> list[str]:
    """Resolve who gets a message now (not when it was queued), without duplicates."""
    found = RESOLVERS[message.recipient_rule](message) if message.recipient_rule else [message.to_address]
    return list(dict.fromkeys(str(a).strip().lower() for a in found if a and str(a).strip()))


def _address(message: OutboxMessage) -> Claim:
    claim = Claim(message.id, message.attempts)
    try:
        with db.session.begin_nested():  # a failing resolver must not spoil the rest of the batch
            claim.email = mail.Email(to=tuple(recipients(message)), subject=message.subject,
                                     text=str(message.body_text), html=str(message.body_html or ""),
                                     message_id=message.message_id)
    except Exception as exc:  # noqa: BLE001 - any failure to build the email is reported when the outcome is recorded
        claim.problem = exc
    return claim


def claim_due(limit: int = BATCH, carried=()) -> tuple[list[Claim], float]:
    """Record carried outcomes, then lease and address up to `limit` due messages, in one transaction."""
    for claim, outcome in carried:
        apply(claim, outcome)
    now = clock.now()
    urgent_first = sa.case((OutboxMessage.kind.in_(URGENT), 0), else_=1)  # a burst of digests never delays an alert
    pick = sa.select(OutboxMessage).where(_due(now)).order_by(urgent_first, OutboxMessage.next_attempt_at).limit(limit)
    if _postgres():
        pick = pick.with_for_update(skip_locked=True, of=OutboxMessage)
    lease = now + timedelta(seconds=setting("WORKER_LEASE_SECONDS"))
    claims = []
    for message in db.session.scalars(pick).all():
        message.lease_until, message.attempts = lease, message.attempts + 1
        claims.append(_address(message))
    wait = _seconds_to_next(now)
    db.session.commit()
    return claims, wait


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
        if (hook := ON_DEAD.get(message.recipient_rule or "")) is not None:
            hook(message)
            state["more"] = True
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


def send(claim: Claim) -> str:
    """Attempt one claimed message and commit the outcome at once."""
    outcome = attempt(claim)
    patiently(record, [(claim, outcome)])
    return outcome.kind


def _release(claims: list[Claim]) -> None:
    """Give back leases not used (the batch ran long, or the worker is stopping)."""
    for claim in claims:
        db.session.execute(sa.update(OutboxMessage)
                           .where(OutboxMessage.id == claim.id, OutboxMessage.attempts == claim.attempt)
                           .values(lease_until=None, attempts=OutboxMessage.attempts - 1))
    db.session.commit()


def _record_now_or_later(pending: list, force: bool) -> bool:
    """Commit outcomes at once if the write lock is free (or `force`); else keep them for the next try."""
    if force:
        patiently(record, pending)
        return True
    try:
        record(pending)
        return True
    except sa.exc.OperationalError as exc:
        if "locked" not in str(exc.orig).lower() and "busy" not in str(exc.orig).lower():
            raise
        db.session.rollback()  # a web request holds SQLite's lock: send the next one meanwhile
        return False


def deliver_batch(limit: int = BATCH, carry: list | None = None) -> tuple[int, float]:
    """Claim one batch and send it; (messages attempted, seconds until more falls due).

    Each outcome is committed as soon as the write lock is free, and within 100 ms
    regardless. With `carry` (a list), outcomes in it are committed with the claim, and
    the batch's last outcomes are left in it for the caller (the next claim commits them).
    """
    claims, wait = patiently(claim_due, limit, list(carry or ()))
    if carry is not None:
        carry.clear()
    started, budget, pending, oldest = time.monotonic(), setting("WORKER_LEASE_SECONDS") / 2, [], 0.0
    for n, claim in enumerate(claims):
        if state["stopping"] or time.monotonic() - started > budget:
            patiently(_release, claims[n:])
            claims, wait = claims[:n], 0.0
            break
        pending.append((claim, attempt(claim)))
        oldest = oldest if len(pending) > 1 else time.monotonic()
        last = n == len(claims) - 1
        if carry is None or not last:
            if _record_now_or_later(pending, force=carry is None or time.monotonic() - oldest > 0.1):
                pending = []
    if carry is not None:
        carry.extend(pending)
    elif pending:
        patiently(record, pending)
    return len(claims), wait


def deliver_due(limit: int = 500) -> int:
    """Send everything due now, committing each outcome (tests, `worker --once`); how many were attempted."""
    done = 0
    while done < limit:
        count, _ = deliver_batch(min(BATCH, limit - done))
        if not count:
            break
        done += count
    return done
