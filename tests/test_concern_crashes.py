"""Crashes: SIGKILL the worker and the web process at the worst moments; no alert is ever lost.

Each scenario runs ~5 times with real processes (see tests/concern_processes.py).
Every concern's alert must be delivered at least once, and every copy of it
must carry the same Message-ID, so a duplicate sent after a crash is recognisable.
"""
import re
import time
from collections import defaultdict

import pytest
import sqlalchemy as sa

from pwa.core.extensions import db
from pwa.models import Concern, MailStatus, OutboxMessage
from tests.support.concern_processes import Browser, WatchedSMTPServer, free_port, start_web, start_worker
from tests.support.concern_fixtures import parsed
from tests.support.concern_world import concern_form_data, raise_concern
from tests.conftest import PASSWORD

pytestmark = pytest.mark.slow
ROUNDS = 5


@pytest.fixture
def smtp():
    server = WatchedSMTPServer(stall_seconds=30.0)
    server.start()
    yield server
    server.close()


@pytest.fixture
def processes():
    started = []
    yield started
    for process in started:
        process.kill()


def _alerts(app) -> dict:
    """Each concern's reference -> its alert row (detached)."""
    with app.app_context():
        rows = db.session.execute(
            sa.select(Concern.reference, OutboxMessage).join(OutboxMessage, OutboxMessage.subject_id == Concern.id)
            .where(OutboxMessage.recipient_rule == "concern-alert")).all()
        db.session.expunge_all()
        db.session.remove()
        return {ref: row for ref, row in rows}


def _assert_each_delivered_once_or_more_with_one_message_id(app, smtp, references) -> None:
    rows = _alerts(app)
    copies = defaultdict(set)
    for got in smtp.messages:
        found = re.match(r"Safeguarding concern (SC-[A-Z0-9]{4}-[A-Z0-9]{4})", str(parsed(got)["Subject"]))
        if found:  # other mail (a digest, say) may go out too
            copies[found.group(1)].add(got.message_id)
    for reference in references:
        assert copies[reference] == {rows[reference].message_id}, reference
        assert rows[reference].status is MailStatus.sent


def _alert_copies(smtp) -> list:
    return [m for m in smtp.messages if str(parsed(m)["Subject"]).startswith("Safeguarding concern SC-")]


def _wait_delivered(app, smtp, references, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rows = _alerts(app)
        if all(rows[r].status is MailStatus.sent for r in references):
            return
        time.sleep(0.1)
    raise AssertionError(f"not all delivered: {[(r, rows[r].status, rows[r].last_error) for r in references]}")


def _killed_by_fault(process, timeout: float = 15.0) -> None:
    assert process.wait(timeout) == -9, process.output()


def test_worker_killed_after_the_commit_before_sending(app, canaries, smtp, processes, tmp_path):
    references = []
    for _ in range(ROUNDS):
        references.append(raise_concern(app, canaries.mentor, canaries.family).reference)
        doomed = start_worker(app, smtp.url, tmp_path, BRIDGE_FAULT="worker-before-send")
        processes.append(doomed)
        _killed_by_fault(doomed)
    assert not _alert_copies(smtp)
    processes.append(start_worker(app, smtp.url, tmp_path))
    _wait_delivered(app, smtp, references)
    _assert_each_delivered_once_or_more_with_one_message_id(app, smtp, references)


def test_worker_killed_during_data(app, canaries, smtp, processes, tmp_path):
    smtp.mode = "stall-data"
    references = []
    for _ in range(ROUNDS):
        references.append(raise_concern(app, canaries.mentor, canaries.family).reference)
        smtp.in_data.clear()
        worker = start_worker(app, smtp.url, tmp_path)
        processes.append(worker)
        assert smtp.in_data.wait(15), worker.output()
        worker.kill()  # SIGKILL while the server holds the message data
    smtp.mode = "accept"
    processes.append(start_worker(app, smtp.url, tmp_path))
    _wait_delivered(app, smtp, references)
    _assert_each_delivered_once_or_more_with_one_message_id(app, smtp, references)


def test_worker_killed_after_the_250_before_marking_sent(app, canaries, smtp, processes, tmp_path):
    references = []
    for n in range(ROUNDS):
        references.append(raise_concern(app, canaries.mentor, canaries.family).reference)
        doomed = start_worker(app, smtp.url, tmp_path, BRIDGE_FAULT="worker-after-250")
        processes.append(doomed)
        _killed_by_fault(doomed)
        assert len(_alert_copies(smtp)) >= n + 1  # the server accepted it; the worker died before noting so
    processes.append(start_worker(app, smtp.url, tmp_path))
    _wait_delivered(app, smtp, references)
    _assert_each_delivered_once_or_more_with_one_message_id(app, smtp, references)
    assert len(_alert_copies(smtp)) >= 2 * ROUNDS  # each was sent again: the duplicates are recognisable


def test_web_process_killed_right_after_the_commit(app, canaries, smtp, processes, tmp_path):
    """The wake-up is never sent; the worker's poll still delivers every alert within about a second."""
    port, wake = free_port(), free_port()
    processes.append(start_worker(app, smtp.url, tmp_path, BRIDGE_WORKER_POLL_SECONDS="1",
                                  BRIDGE_WORKER_WAKE_PORT=wake))
    processes.append(start_web(app, port, tmp_path, BRIDGE_FAULT="web-after-commit", BRIDGE_WORKER_WAKE_PORT=wake))
    browser = Browser(port)
    browser.wait_up()
    browser.login(canaries.mentor.email, PASSWORD)
    path = f"/families/{canaries.family.id}/concerns/new"
    for n in range(ROUNDS):
        data = dict(concern_form_data(), csrf_token=browser.token(path + "?urgency=urgent"))
        with pytest.raises((ConnectionError, OSError, http_client_errors())):
            browser.request("POST", path, data)  # the process dies after COMMIT, before answering
        deadline = time.monotonic() + 3
        while len(_alert_copies(smtp)) < n + 1:
            assert time.monotonic() < deadline, "the committed concern's alert was not delivered by the poll"
            time.sleep(0.05)
        browser.wait_up()  # gunicorn starts a new worker process
    references = list(_alerts(app))
    assert len(references) == ROUNDS
    _wait_delivered(app, smtp, references)
    _assert_each_delivered_once_or_more_with_one_message_id(app, smtp, references)


def http_client_errors():
    import http.client

    return http.client.HTTPException


def _sent_and_pending(app, references) -> tuple[list, list]:
    rows = _alerts(app)
    sent = [r for r in references if rows[r].status is MailStatus.sent]
    return sent, [rows[r] for r in references if rows[r].status is MailStatus.pending]


def _freeze(app, process) -> None:
    """SIGSTOP a worker at a moment it holds no SQLite write lock (its jobs take it briefly every few seconds)."""
    import os
    import signal
    import sqlite3

    url = app.config["SQLALCHEMY_DATABASE_URI"]
    for _ in range(100):
        os.kill(process.proc.pid, signal.SIGSTOP)
        if not url.startswith("sqlite"):
            return
        probe = sqlite3.connect(url.removeprefix("sqlite:///"), timeout=0.2, isolation_level=None)
        try:
            probe.execute("BEGIN IMMEDIATE")
            probe.execute("ROLLBACK")
            return
        except sqlite3.OperationalError:
            os.kill(process.proc.pid, signal.SIGCONT)
            time.sleep(0.05)
        finally:
            probe.close()
    raise AssertionError("the worker never let go of the database lock")


def _wake_workers(app, port: int) -> None:
    """Commit a wake-up, as the web process does after queueing mail (NOTIFY, or a datagram on SQLite)."""
    from pwa.outbox import wake

    with app.app_context():
        wake.after_commit(db.session, {**app.config, "WORKER_WAKE": True, "WORKER_WAKE_PORT": port})
        db.session.commit()
        db.session.remove()


@pytest.mark.parametrize("point", ["worker-before-send", "worker-after-250"])
def test_a_killed_worker_holds_back_only_the_alert_in_flight(app, canaries, smtp, processes, tmp_path, point):
    """Six alerts due, a worker killed sending the first: the other worker sends the five others at once.

    The second worker is running before the crash but frozen (SIGSTOP) until the first
    has died, so it cannot take the alerts first; then it is thawed and woken. The lease
    (8 s) is longer than the 5 s allowed, so alerts held by the dead worker would fail.
    """
    import os
    import signal

    port, lease = free_port(), dict(BRIDGE_WORKER_LEASE_SECONDS="8")
    other = start_worker(app, smtp.url, tmp_path, BRIDGE_WORKER_POLL_SECONDS="60", BRIDGE_WORKER_WAKE_PORT=port,
                         **lease)
    processes.append(other)
    deadline = time.monotonic() + 30
    while "started" not in other.output():
        assert time.monotonic() < deadline and other.proc.poll() is None, other.output()
        time.sleep(0.05)
    time.sleep(1.0)  # let its first pass and jobs finish
    _freeze(app, other)
    references = [raise_concern(app, canaries.mentor, canaries.family).reference for _ in range(6)]
    doomed = start_worker(app, smtp.url, tmp_path, BRIDGE_FAULT=point, **lease)
    processes.append(doomed)
    _killed_by_fault(doomed, timeout=30)
    killed_at = time.monotonic()
    os.kill(other.proc.pid, signal.SIGCONT)
    _wake_workers(app, port)
    while len(_sent_and_pending(app, references)[0]) < 5:
        assert time.monotonic() - killed_at < 5.0, (_sent_and_pending(app, references), other.output())
        time.sleep(0.02)
    print(f"\n{point}: five alerts accepted {time.monotonic() - killed_at:.2f} s after the SIGKILL")
    sent, [in_flight] = _sent_and_pending(app, references)
    assert in_flight.attempts == 1 and in_flight.lease_until is not None  # the one it was sending waits its lease
    _wait_delivered(app, smtp, references, timeout=20)
    _assert_each_delivered_once_or_more_with_one_message_id(app, smtp, references)
