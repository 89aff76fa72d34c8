"""The outbox worker (`flask --app wsgi worker`): delivers mail, runs the periodic jobs; safe as several processes.

Delivery itself is pwa.outbox.delivery (claims, leases, SMTP, outcomes). The Worker
is the loop: it sleeps until woken (pwa.outbox.wake: NOTIFY on PostgreSQL, a UDP
datagram on SQLite) or until the next message falls due, polling at least every
second, so an alert whose wake-up was lost (the web process died after its commit)
still goes within about a second. A second thread runs the jobs the features
registered (pwa.outbox.rules: escalations every 5 s, reminders, session purges), and a third the
slow ones (drawing report packs), so an escalation never waits behind a pack.

Timings (pwa.config.WORKER_TIMINGS): a failed attempt is retried at most RETRY_CAP
(20 s) later, an attempt gives up after SMTP_TIMEOUT (5 s) of silence and the worker
looks at least every POLL (1 s), so mail goes out within 20 + 5 + 1 < 30 s of the
SMTP server returning. The worker claims one message at a time: a crash leaves only
the message in flight leased (20 s); it then goes again with the same Message-ID,
so the duplicate is recognisable. SIGTERM finishes the message in hand and stops.
"""
from __future__ import annotations

import logging
import math
import os
import signal
import threading
import time

from flask import Flask

from pwa.core.extensions import db
from pwa.outbox import delivery, faults, rules, wake
from pwa.outbox.delivery import patiently

log = logging.getLogger("bridge.worker")


class Worker:
    """One worker process: its loop, its jobs thread, and the state they share."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.stopping = False
        self._busy = False  # sending: SIGTERM waits for the outcome to be recorded
        self._carry: list = []  # the last outcome, committed with the next claim
        self._last_run: dict[str, float] = {}

    def run(self, *, once: bool = False) -> None:
        """Loop until stopped (or once): deliver, then sleep until woken or the next poll."""
        with self.app.app_context():
            if faults.armed():
                log.warning("FAULT INJECTION ARMED (%s): for the crash tests only", faults.armed())
            if once:
                self.run_jobs(force=True)
                deliver_due()
                return
            signal.signal(signal.SIGTERM, self._on_sigterm)
            delivery.eager_sqlite_lock(db.engine)
            waker = wake.Waker(db.engine, self.app.config)
            threading.Thread(target=self._jobs_loop, args=(False,), name="jobs", daemon=True).start()
            threading.Thread(target=self._jobs_loop, args=(True,), name="slow-jobs", daemon=True).start()
            log.info("worker %s started", os.getpid())
            try:
                while not self.stopping:
                    wait = self.deliver()
                    if wait > 0 and not self.stopping:
                        waker.wait(wait)
            finally:
                if self._carry:
                    patiently(delivery.record, self._carry)
                waker.close()

    def deliver(self) -> float:
        """Send what is due, one claim at a time; how long to sleep before looking again."""
        self._busy = True
        try:
            while not self.stopping:
                claim, wait = patiently(delivery.claim_next, self._carry)
                self._carry = []
                if claim is None:
                    return wait
                self._carry = [(claim, delivery.attempt(claim))]
            return 0.0
        except Exception as exc:  # database locked or away, or a bug: keep going, the poll retries
            db.session.rollback()
            log.warning("worker cycle failed (%s); retrying shortly", type(exc).__name__, exc_info=True)
            return delivery.setting("WORKER_POLL_SECONDS")
        finally:
            self._busy = False

    def run_jobs(self, force: bool = False, slow: bool | None = None) -> None:
        """Run the registered jobs that are due (slow: only those, or only the others); one failing never stops the rest."""
        for job in list(rules.registry(self.app).jobs.values()):
            if slow is not None and job.slow is not slow:
                continue
            if not force and time.monotonic() - self._last_run.get(job.name, -math.inf) < job.every:
                continue
            self._last_run[job.name] = time.monotonic()
            try:
                patiently(_run_task, job.task)  # mail it queues wakes the delivery loop (pwa.outbox.wake)
            except Exception:
                db.session.rollback()
                log.exception("periodic task %s failed; will run again", job.name)

    def _jobs_loop(self, slow: bool) -> None:
        """The jobs' own threads, so a slow one never holds up an alert, nor a report pack an escalation."""
        with self.app.app_context():
            while not self.stopping:
                self.run_jobs(slow=slow)
                db.session.remove()
                time.sleep(0.5)

    def _on_sigterm(self, signum, frame) -> None:
        self.stopping = True
        if not self._busy:
            raise SystemExit(0)


def _run_task(task) -> None:
    task()
    db.session.commit()


def deliver_due(limit: int = 500) -> int:
    """Send everything due now in this process, one claim at a time (tests, `worker --once`); how many."""
    done, carry = 0, []
    while done < limit:
        claim, _ = patiently(delivery.claim_next, carry)
        carry = []
        if claim is None:
            return done
        carry, done = [(claim, delivery.attempt(claim))], done + 1
    patiently(delivery.record, carry)
    return done
