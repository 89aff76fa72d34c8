"""Two web servers and two workers on one PostgreSQL: each concern's alert is emailed exactly once, and the
audit chain stays one unbroken chain.

Real processes: two gunicorn servers (each its own process, on its own port) and two `flask worker`
processes, one database, one loopback SMTP server. Four mentors, two on each server, raise concerns at the
same time through the form (no JavaScript) and through the phone's /sync/items. Then: every concern has one
alert row, sent on its first attempt, and the SMTP server received exactly one copy of each; `flask --app
wsgi audit verify` passes and names every concern.
"""
import re
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from pwa.core.extensions import db
from pwa.models import Concern, MailStatus, OutboxMessage
from tests.conftest import PASSWORD
from tests.support.concern_fixtures import parsed
from tests.support.concern_processes import free_port, start_worker
from tests.support.concern_world import concern_form_data
from tests.support.load import Mentor, audit_verify, busy_page, make_team, start_web_processes, stored_concerns, wait_for
from tests.support.offline_sealing import concern_fields, seal

pytestmark = pytest.mark.slow
EACH = 5  # concerns per mentor by each route (form, sync)


@pytest.fixture
def cluster(app, smtp_server, tmp_path):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("several servers share one PostgreSQL (SQLite serves one host); runs in the PostgreSQL pass")
    ports = [free_port(), free_port()]
    started = [start_web_processes(app, port, tmp_path, workers=1) for port in ports]
    started += [start_worker(app, smtp_server.url, tmp_path) for _ in range(2)]
    yield ports
    for process in started:
        process.kill()


def _raise_all(mentor: Mentor) -> list[str]:
    """EACH concerns through the form and EACH through the outbox, all sent again until answered."""
    raised = []
    for _ in range(EACH):
        client_uuid = str(uuid.uuid4())
        fields = dict(concern_form_data(), client_uuid=client_uuid, csrf_token=mentor.csrf)
        answer = mentor.post_form(f"/families/{mentor.family.id}/concerns/new", fields)
        while busy_page(answer):
            answer = mentor.post_form(f"/families/{mentor.family.id}/concerns/new", fields)
        assert answer.status == 302, (answer.status, answer.text[:300])
        raised.append(client_uuid)
    items = [seal(mentor.app, mentor.user, "concern", mentor.family.id, concern_fields()) for _ in range(EACH)]
    answer = mentor.sync(items)
    while busy_page(answer):
        answer = mentor.sync(items)
    assert {r["status"] for r in answer.json()["results"]} == {"stored"}, answer.text[:300]
    return raised + [item["uuid"] for item in items]


def _alert_rows(app) -> dict:
    with app.app_context():
        rows = db.session.execute(sa.select(Concern.reference, OutboxMessage.status, OutboxMessage.attempts,
                                            OutboxMessage.message_id)
                                  .join(OutboxMessage, OutboxMessage.subject_id == Concern.id)
                                  .where(OutboxMessage.recipient_rule == "concern-alert")).all()
        db.session.remove()
    return {reference: (status, attempts, message_id) for reference, status, attempts, message_id in rows}


def test_two_servers_two_workers_one_database(app, cluster, smtp_server, make_programme, make_user, make_family,
                                              make_match, tmp_path, figures):
    team = make_team(make_programme, make_user, make_family, make_match, 4)
    mentors = [Mentor(cluster[n % 2], app, user, family) for n, (user, family) in enumerate(team)]
    for mentor in mentors:
        mentor.wait_up(timeout=120)
        mentor.sign_in(PASSWORD)
    with ThreadPoolExecutor(4) as pool:
        raised = [u for batch in pool.map(_raise_all, mentors) for u in batch]
    assert len(set(raised)) == len(raised) == 4 * 2 * EACH
    concerns = stored_concerns(app)
    assert set(concerns) == set(raised) and set(concerns.values()) == {(1, 1)}  # one audit row, one alert each
    rows = wait_for(lambda: (r := _alert_rows(app)) and all(s is MailStatus.sent for s, _, _ in r.values()) and r,
                    120, "every alert sent")
    assert len(rows) == len(raised)
    assert {attempts for _, attempts, _ in rows.values()} == {1}  # no alert was sent twice
    copies = Counter()
    for message in smtp_server.messages:
        found = re.match(r"Safeguarding concern (SC-[A-Z0-9]{4}-[A-Z0-9]{4})", str(parsed(message)["Subject"]))
        if found:
            copies[found.group(1)] += 1
            assert message.message_id == rows[found.group(1)][2]
    assert copies == Counter({reference: 1 for reference in rows})  # exactly once each
    verified = audit_verify(app, tmp_path)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "audit chain intact" in verified.stdout + verified.stderr
    figures.add(web_servers=2, workers=2, concerns=len(raised), alerts_delivered=sum(copies.values()),
                duplicates=sum(c - 1 for c in copies.values()), lost=len(raised) - len(copies))
