"""The outbox worker (`flask --app wsgi worker`): delivers mail, escalates, purges; safe as several processes.

Delivery itself is pwa.outbox.delivery (claims, leases, SMTP, outcomes). This module is the
loop: it sleeps until woken (pwa.outbox.wake: NOTIFY on PostgreSQL, a UDP datagram on
SQLite) or until the next message falls due, polling at least every second, so an
alert whose wake-up was lost (the web process died after its commit) still goes
within about a second. A second thread runs the periodic tasks registered in
PERIODIC (escalations every 5 s, session purges, reminders), each of which must
be safe to run in several workers at once.

Timings (all overridable, see pwa.outbox.delivery.setting): a failed attempt is retried
at most RETRY_CAP (20 s) later, an attempt gives up after SMTP_TIMEOUT (5 s) of
silence and the worker looks at least every POLL (1 s), so mail goes out within
20 + 5 + 1 < 30 s of the SMTP server returning. A crash between the server's 250
and recording it leaves the lease (20 s) to expire; the message then goes again
with the same Message-ID, so the duplicate is recognisable. SIGTERM finishes the
message in hand and stops.
"""
from __future__ import annotations

import logging
import math
import os
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app

from pwa.outbox import delivery, faults, wake
from pwa.outbox.delivery import (BATCH, ON_DEAD, RESOLVERS, Claim, claim_due, deliver_batch, deliver_due,  # noqa: F401
                          patiently, record, send, setting)
from pwa.core.extensions import db

log = logging.getLogger("bridge.worker")
CARRY_SECONDS = 0.1  # how long the last outcome of a batch may wait to share the next claim's commit


@dataclass
class Periodic:
    """A task the worker runs every few seconds (escalations, purges); must be safe in several workers."""

    every: float
    task: Callable[[], object]
    last: float = -math.inf


PERIODIC: dict[str, Periodic] = {}
_busy = {"now": False}


def run_periodic(force: bool = False) -> None:
    """Run the periodic tasks that are due; one failing never stops the others."""
    for name, job in PERIODIC.items():
        if not force and time.monotonic() - job.last < job.every:
            continue
        job.last = time.monotonic()
        try:
            patiently(_run_task, job.task)  # mail it queues wakes the delivery loop (pwa.outbox.wake)
        except Exception:
            db.session.rollback()
            log.exception("periodic task %s failed; will run again", name)


def _run_task(task) -> None:
    task()
    db.session.commit()


def _periodic_loop(app: Flask) -> None:
    """The periodic tasks' own thread, so a slow one (a digest) never holds up an alert."""
    with app.app_context():
        while not delivery.state["stopping"]:
            run_periodic()
            db.session.remove()
            time.sleep(0.5)


def _cycle(carry: list) -> float:
    """One delivery pass; returns how long to sleep (0: go again at once)."""
    _busy["now"], delivery.state["more"] = True, False
    try:
        count, wait = deliver_batch(BATCH, carry)
        return 0.0 if count == BATCH or delivery.state["more"] else wait
    except Exception as exc:  # database locked or away, or a bug: keep going, the poll retries
        db.session.rollback()
        log.warning("worker cycle failed (%s); retrying shortly", type(exc).__name__, exc_info=True)
        return setting("WORKER_POLL_SECONDS")
    finally:
        _busy["now"] = False


def _sleep(waker: wake.Waker, wait: float, carry: list) -> None:
    """Sleep until woken or `wait` ends; commit a carried outcome if no claim comes for it soon."""
    if carry and wait > 0:
        started = time.monotonic()
        if waker.wait(min(wait, CARRY_SECONDS)):
            return  # the next claim commits it
        try:
            patiently(record, carry)
            carry.clear()
        except Exception as exc:  # noqa: BLE001 - the database is away: the next cycle tries again
            db.session.rollback()
            log.warning("could not record an outcome yet (%s)", type(exc).__name__)
        wait -= time.monotonic() - started
    if wait > 0 and not delivery.state["stopping"]:
        waker.wait(wait)


def _on_sigterm(signum, frame) -> None:
    delivery.state["stopping"] = True
    if not _busy["now"]:
        raise SystemExit(0)


def run(app: Flask, *, once: bool = False) -> None:
    """Loop until stopped (or once): deliver, escalate, then sleep until woken or the next poll."""
    with app.app_context():
        if faults.armed():
            log.warning("FAULT INJECTION ARMED (%s): for the crash tests only", faults.armed())
        if once:
            run_periodic(force=True)
            deliver_due()
            return
        signal.signal(signal.SIGTERM, _on_sigterm)
        delivery.eager_sqlite_lock(db.engine)
        waker, carry = wake.Waker(db.engine, app.config), []
        threading.Thread(target=_periodic_loop, args=(app,), name="periodic", daemon=True).start()
        log.info("worker %s started", os.getpid())
        try:
            while not delivery.state["stopping"]:
                _sleep(waker, _cycle(carry), carry)
        finally:
            if carry:
                patiently(record, carry)
            waker.close()


def _purge_sessions() -> int:
    from pwa.core import sessions

    return sessions.purge_expired(current_app)


PERIODIC["sessions"] = Periodic(every=300.0, task=_purge_sessions)
