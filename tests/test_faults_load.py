"""Load: 4 web processes take 500 writes each from mentors at once; 0 lost, 0 duplicated, counted afterwards.

gunicorn runs 4 worker processes on one port. Four mentors each send 500 visits: 50 through the visit
form (no JavaScript), 450 through the phone's /sync/items in batches of 50, all at once from 12 client
threads. Some are replayed on purpose: every tenth form post is sent again with its client UUID, and each
mentor's last two batches are sent twice at the same moment (a phone retrying while the first try is still
in flight). A 503 (busy) answer is sent again, as the person or the phone would. Afterwards the database is
counted: each client UUID is one visit with its own text and one audit row, and the audit chain verifies.
"""
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.conftest import PASSWORD
from tests.support.concern_processes import free_port
from tests.support.load import Mentor, Tally, audit_verify, busy_page, make_team, start_web_processes, stored_visits

pytestmark = pytest.mark.slow
PROCESSES, PER_PROCESS, FORM_SHARE, BATCH = 4, 500, 50, 50


@pytest.fixture
def server(app, tmp_path):
    port = free_port()
    web = start_web_processes(app, port, tmp_path, workers=PROCESSES)
    yield port
    web.kill()


def _until_answered(send, tally: Tally):
    """Send; while the answer is the clear busy one, send the same again (what the person or the phone does)."""
    while True:
        answer = send()
        if not busy_page(answer):
            return answer
        tally.note("refused, sent again")


def _form_stream(mentor: Mentor, entries, tally: Tally) -> None:
    for n, (client_uuid, marker) in enumerate(entries):
        for _ in range(2 if n % 10 == 0 else 1):  # every tenth is sent twice
            answer = _until_answered(lambda u=client_uuid, m=marker: mentor.post_visit(u, m), tally)
            assert answer.status == 302, (answer.status, answer.text[:300])
            tally.note("form answered")


def _sync_batch(mentor: Mentor, items, tally: Tally) -> None:
    answer = _until_answered(lambda: mentor.sync(items), tally)
    assert answer.status == 200, (answer.status, answer.text[:300])
    statuses = {r["status"] for r in answer.json()["results"]}
    assert statuses <= {"stored", "duplicate"}, answer.text[:500]
    tally.note("batch answered")


def _batches(mentor: Mentor, entries) -> list[list[dict]]:
    items = [mentor.sealed_visit(u, m) for u, m in entries]
    batches = [items[i:i + BATCH] for i in range(0, len(items), BATCH)]
    return batches + batches[-2:]  # the last two are sent twice, at the same moment as the first time


def _plan(mentor: Mentor, marks: dict) -> tuple[list, list]:
    entries = []
    for _ in range(PER_PROCESS):
        client_uuid = str(uuid.uuid4())
        marks[client_uuid] = f"LOAD {client_uuid}"
        entries.append((client_uuid, marks[client_uuid]))
    return entries[:FORM_SHARE], _batches(mentor, entries[FORM_SHARE:])


def test_four_processes_five_hundred_writes_each(app, server, make_programme, make_user, make_family, make_match,
                                                 tmp_path, figures):
    team = [Mentor(server, app, u, f) for u, f in make_team(make_programme, make_user, make_family, make_match, 4)]
    team[0].wait_up(timeout=120)
    marks, tally, jobs = {}, Tally(), []
    for mentor in team:
        mentor.sign_in(PASSWORD)
        form_entries, batches = _plan(mentor, marks)
        jobs.append(lambda m=mentor, e=form_entries: _form_stream(m, e, tally))
        for batch in batches[:-2]:
            jobs.append(lambda m=mentor, b=batch: _sync_batch(m, b, tally))
            if any(batch is twin for twin in batches[-2:]):  # its twin goes at the same time
                jobs.append(lambda m=mentor, b=batch: _sync_batch(m, b, tally))
    with ThreadPoolExecutor(12) as pool:
        for done in [pool.submit(job) for job in jobs]:
            done.result()
    tally.tried = sum(tally.answers.values())
    stored = stored_visits(app)
    lost = sum(1 for u in marks if u not in stored)
    duplicated = sum(len(rows) - 1 for rows in stored.values())
    assert (lost, duplicated) == (0, 0)
    assert set(stored) == set(marks)
    for client_uuid, rows in stored.items():
        assert rows == [(marks[client_uuid], 1)]  # its own text, one audit row
    verified = audit_verify(app, tmp_path)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    figures.add(processes=PROCESSES, writes=len(marks), requests=tally.tried,
                replayed=len(team) * (FORM_SHARE // 10 + 2 * BATCH),
                refused_retry=tally.answers["refused, sent again"], lost=lost, duplicated=duplicated)
