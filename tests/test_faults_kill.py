"""SIGKILL of a web process mid-request leaves either the whole entry or nothing; a replay stores it once.

Real gunicorn processes. First at a fault point (pwa/outbox/faults.py): `web-before-commit` kills the
process with the visit or concern and its audit rows written but not committed (nothing must remain);
`web-after-commit` kills it after a concern's commit (all of it must remain: concern, audit row, alert).
Then at moments nobody chose: worker processes are SIGKILLed from outside while mentors post. Each time
the database is checked, and every entry is then sent again with its client UUID until it is answered;
each is stored exactly once and the audit chain verifies.
"""
import http.client
import os
import re
import signal
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.conftest import PASSWORD
from tests.support.concern_processes import free_port
from tests.support.concern_world import concern_form_data
from tests.support.load import (Mentor, Tally, audit_verify, busy_page, make_team, start_web_processes,
                                stored_concerns, stored_visits, wait_for)

pytestmark = pytest.mark.slow
DIED = (ConnectionError, OSError, http.client.HTTPException)


@pytest.fixture
def team(make_programme, make_user, make_family, make_match):
    return make_team(make_programme, make_user, make_family, make_match, 4)


@pytest.fixture
def servers(app, tmp_path):
    started = []

    def start(workers: int = 1, **extra):
        port = free_port()
        started.append(start_web_processes(app, port, tmp_path, workers=workers, **extra))
        return port, started[-1]

    yield start
    for web in started:
        web.kill()


def _signed_in(app, port, team) -> list[Mentor]:
    mentors = [Mentor(port, app, user, family) for user, family in team]
    mentors[0].wait_up(timeout=120)
    for mentor in mentors:
        mentor.sign_in(PASSWORD)
    return mentors


def _concern(mentor: Mentor, client_uuid: str):
    return mentor.post_form(f"/families/{mentor.family.id}/concerns/new",
                            dict(concern_form_data(), client_uuid=client_uuid, csrf_token=mentor.csrf))


def _send(mentor: Mentor, kind: str, client_uuid: str):
    if kind == "concern":
        return _concern(mentor, client_uuid)
    if kind == "sync":
        return mentor.sync([mentor.sealed_visit(client_uuid, f"KILL {client_uuid}")])
    return mentor.post_visit(client_uuid, f"KILL {client_uuid}")


def _replayed_until_saved(mentor: Mentor, kind: str, client_uuid: str, tally: Tally) -> None:
    """Send again (the person pressing Save again, the phone's outbox) until the server answers it."""
    for _ in range(20):
        try:
            answer = _send(mentor, kind, client_uuid)
        except DIED:
            tally.note("died again")
            continue
        if busy_page(answer):
            tally.note("busy")
            continue
        assert answer.status in (200, 302), (answer.status, answer.text[:300])
        return
    raise AssertionError(f"{kind} {client_uuid} was never answered")


def _assert_whole(app) -> tuple[dict, dict]:
    visits, concerns = stored_visits(app), stored_concerns(app)
    for client_uuid, rows in visits.items():
        assert rows == [(f"KILL {client_uuid}", 1)], rows
    for client_uuid, (audits, alerts) in concerns.items():
        assert (audits, alerts) == (1, 1), client_uuid
    return visits, concerns


@pytest.mark.parametrize("point", ["web-before-commit", "web-after-commit"])
def test_killed_at_a_fault_point(app, team, servers, tmp_path, figures, point):
    kinds = ("visit", "concern", "sync") if point == "web-before-commit" else ("concern",)
    mentors = _signed_in(app, servers(BRIDGE_FAULT=point)[0], team[:1])
    sent, tally = [], Tally()
    for mentor in mentors:
        for kind in kinds:
            client_uuid = str(uuid.uuid4())
            with pytest.raises(DIED):  # the process dies before it answers
                _send(mentor, kind, client_uuid)
            tally.faults += 1
            sent.append((mentor, kind, client_uuid))
            mentor.wait_up(timeout=120)  # gunicorn starts a new worker process
    visits, concerns = _assert_whole(app)
    if point == "web-before-commit":
        assert not visits and not concerns  # nothing of the killed transactions remains
    else:
        assert set(concerns) == {u for _, _, u in sent}  # committed: the whole entry remains
    mentors = _signed_in(app, servers()[0], [(m.user, m.family) for m in mentors])
    for (_, kind, client_uuid), mentor in zip(sent, [m for m in mentors for _ in kinds]):
        _replayed_until_saved(mentor, kind, client_uuid, tally)
    visits, concerns = _assert_whole(app)
    assert len(visits) + len(concerns) == len(sent)
    verified = audit_verify(app, tmp_path)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    figures.add(point=point, tried=len(sent), faults=tally.faults, lost=0, duplicated=0)


def _workers(web) -> list[int]:
    pids = [int(p) for p in re.findall(r"Booting worker with pid: (\d+)", web.output())]
    alive = []
    for pid in pids:
        try:
            os.kill(pid, 0)
            alive.append(pid)
        except ProcessLookupError:
            pass
    return alive


def test_workers_killed_while_mentors_post(app, team, servers, tmp_path, figures):
    """Two processes serve 4 mentors posting 24 visits and concerns; a worker is SIGKILLed three times."""
    port, web = servers(workers=2)
    mentors = _signed_in(app, port, team)
    plan = [(m, ("visit", "sync", "concern", "visit", "sync")[n % 5], str(uuid.uuid4()))
            for n in range(6) for m in mentors]
    tally = Tally()

    def first_try(entry):
        try:
            return _send(*entry).status
        except DIED:
            return "died"

    with ThreadPoolExecutor(8) as pool:
        tries = [pool.submit(first_try, entry) for entry in plan]
        for n in range(3):
            enough = (n + 1) * 6
            wait_for(lambda e=enough: sum(t.done() for t in tries) >= min(e, len(tries)), 120, "posts answered")
            pids = _workers(web)
            if pids:
                os.kill(pids[n % len(pids)], signal.SIGKILL)
                tally.faults += 1
        first = [t.result() for t in tries]
    _assert_whole(app)
    mentors[0].wait_up(timeout=120)
    for entry in plan:
        _replayed_until_saved(*entry, tally)
    visits, concerns = _assert_whole(app)
    assert set(visits) | set(concerns) == {u for _, _, u in plan} and len(visits) + len(concerns) == len(plan)
    verified = audit_verify(app, tmp_path)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    figures.add(tried=len(plan), faults=tally.faults, died_in_flight=first.count("died"),
                refused_retry=tally.answers["busy"], lost=0, duplicated=0)
