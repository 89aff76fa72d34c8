"""Delivery starts the moment a concern commits (no waiting for a poll), and the POST never waits on SMTP."""
import signal
import time

import pytest

from tests.support.concern_processes import free_port, start_worker
from tests.support.concern_world import concern_form_data

pytestmark = pytest.mark.slow


@pytest.fixture
def idle_worker(app, smtp_server, tmp_path):
    """A worker subprocess that polls only every 60 s, so anything faster was a wake-up."""
    port = free_port()
    worker = start_worker(app, smtp_server.url, tmp_path, BRIDGE_WORKER_POLL_SECONDS="60",
                          BRIDGE_WORKER_WAKE_PORT=port)
    deadline = time.monotonic() + 20
    while "started" not in worker.output():
        assert time.monotonic() < deadline and worker.proc.poll() is None, worker.output()
        time.sleep(0.05)
    time.sleep(1.0)  # let its first pass finish and the worker settle into its wait
    saved = {k: app.config.get(k) for k in ("WORKER_WAKE", "WORKER_WAKE_PORT")}
    app.config.update(WORKER_WAKE=True, WORKER_WAKE_PORT=port)
    yield worker
    app.config.update(saved)
    worker.kill()


def _post(auth, c):
    path = f"/families/{c.family.id}/concerns/new"
    return auth.post(path, concern_form_data(), token_from=path + "?urgency=urgent")


def test_a_committed_concern_wakes_the_worker_at_once(canaries, auth, smtp_server, idle_worker):
    auth.login(canaries.mentor)
    before = len(smtp_server.messages)
    started = time.monotonic()
    assert _post(auth, canaries).status_code == 302
    smtp_server.wait_for(before + 1, timeout=5)
    assert time.monotonic() - started < 5  # far sooner than the 60 s poll: it was woken


def test_the_concern_post_never_waits_on_smtp(canaries, auth, smtp_server, idle_worker):
    auth.login(canaries.mentor)
    smtp_server.mode, smtp_server.stall_seconds = "stall-data", 5.0
    started = time.monotonic()
    assert _post(auth, canaries).status_code == 302
    assert time.monotonic() - started < 2.5  # the server is stalling the worker for 5 s meanwhile


def test_sigterm_stops_an_idle_worker_cleanly(idle_worker):
    idle_worker.proc.send_signal(signal.SIGTERM)
    assert idle_worker.wait(5) == 0


def test_the_running_worker_escalates_an_overdue_concern(app, canaries, smtp_server, idle_worker):
    """The worker's own escalation check (every few seconds) finds an overdue concern and sends at once."""
    from datetime import timedelta

    from pwa.core import clock
    from pwa.core.extensions import db
    from pwa.models import Concern
    from tests.support.concern_world import raise_concern

    concern = raise_concern(app, canaries.mentor, canaries.family, urgency="immediate")
    with app.app_context():
        row = db.session.get(Concern, concern.id)
        row.next_escalation_at = clock.now() - timedelta(seconds=1)  # as if 15 minutes had passed
        db.session.commit()
        db.session.remove()
    deadline = time.monotonic() + 10
    while not any(str(m.message()["Subject"]).startswith("ESCALATION") for m in smtp_server.messages):
        assert time.monotonic() < deadline, idle_worker.output()
        time.sleep(0.1)


def test_three_worker_processes_send_each_alert_exactly_once(app, canaries, smtp_server, tmp_path):
    from collections import Counter

    from tests.support.concern_world import raise_concern

    port = free_port()
    # The default lease: the crash tests' 2 s lease can run out on a busy machine and send a copy.
    workers = [start_worker(app, smtp_server.url, tmp_path, BRIDGE_WORKER_WAKE_PORT=port,
                            BRIDGE_WORKER_LEASE_SECONDS="20") for _ in range(3)]
    saved = {k: app.config.get(k) for k in ("WORKER_WAKE", "WORKER_WAKE_PORT")}
    app.config.update(WORKER_WAKE=True, WORKER_WAKE_PORT=port)
    try:
        references = [raise_concern(app, canaries.mentor, canaries.family).reference for _ in range(20)]
        deadline = time.monotonic() + 20
        while True:
            subjects = Counter(str(m.message()["Subject"]).split(":")[0] for m in smtp_server.messages)
            if all(subjects[f"Safeguarding concern {r}"] for r in references) or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        time.sleep(0.5)  # any double send would have arrived by now
        subjects = Counter(str(m.message()["Subject"]).split(":")[0] for m in smtp_server.messages)
        assert [subjects[f"Safeguarding concern {r}"] for r in references] == [1] * 20
    finally:
        app.config.update(saved)
        for worker in workers:
            worker.kill()
