"""The write path: a request reads without SQLite's write lock, and writes in one short transaction.

A POST reads and validates holding no lock; its first write takes the lock (BEGIN IMMEDIATE,
waiting in SQLite), and its inserts, audit rows and session touch share one commit.
"""
import sqlite3
import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from pwa.core import audit, clock
from pwa.core.extensions import db
from pwa.models import AuditEvent, Visit, WebSession
from tests.conftest import Auth
from tests.support.diary_helpers import open_visit_form, visit_data


def _visit_count(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Visit))


class _Commits:
    """Count the transactions the engine commits while in the block."""

    def __init__(self, app):
        with app.app_context():
            self.engine = db.engine
        self.count = 0

    def _one(self, conn):
        self.count += 1

    def __enter__(self):
        sa.event.listen(self.engine, "commit", self._one)
        return self

    def __exit__(self, *exc):
        sa.event.remove(self.engine, "commit", self._one)


def _age_sessions(app, seconds: int = 120) -> None:
    """Make the signed-in sessions old enough for their next request to touch them."""
    with app.app_context():
        db.session.execute(sa.update(WebSession).values(last_seen_at=clock.now() - timedelta(seconds=seconds)))
        db.session.commit()


def test_a_post_reads_and_validates_while_another_process_holds_the_write_lock(world, auth, client, app,
                                                                                 database_url):
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite's write lock")
    auth.login(world.mentor)
    _, fields = open_visit_form(client, world.family.id)
    holder = sqlite3.connect(database_url.removeprefix("sqlite:///"), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process is writing, and keeps the lock for now
    try:
        response = client.post(f"/families/{world.family.id}/visits/new",
                               data={**fields, **visit_data(what_done="")})
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    # Before, the POST took the lock first and waited on it; now its reads and the refusal need none.
    assert response.status_code == 422
    assert "What you did: Say what you did." in response.get_data(as_text=True)
    assert _visit_count(app) == 0


def test_a_visit_post_commits_once_its_entry_audit_row_and_session_touch(world, auth, client, app):
    auth.login(world.mentor)
    _, fields = open_visit_form(client, world.family.id)
    _age_sessions(app)
    with _Commits(app) as commits:
        response = client.post(f"/families/{world.family.id}/visits/new", data={**fields, **visit_data()})
    assert response.status_code == 302
    assert commits.count == 1  # the entry, its audit row, the flash message and the session touch: one commit
    with app.app_context():
        [visit] = db.session.scalars(sa.select(Visit))
        assert "visit recorded" in set(db.session.scalars(
            sa.select(AuditEvent.action).where(AuditEvent.object_id == str(visit.id))))
        [seen] = db.session.scalars(sa.select(WebSession.last_seen_at).where(WebSession.user_id == world.mentor.id))
        assert clock.now() - seen < timedelta(seconds=60)
    assert "Visit saved." in client.get(response.headers["Location"]).get_data(as_text=True)


def test_a_page_read_writes_its_audit_rows_and_session_touch_in_one_commit(world, auth, client, app):
    auth.login(world.mentor)
    _age_sessions(app)
    audited = []
    for _ in range(2):  # aged: the read's audit rows and the touch; touched a moment ago: its audit rows only
        with _Commits(app) as commits:
            assert client.get("/diary").status_code == 200
        assert commits.count == 1
        with app.app_context():
            audited.append(db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)))
            [seen] = db.session.scalars(sa.select(WebSession.last_seen_at)
                                        .where(WebSession.user_id == world.mentor.id))
            assert clock.now() - seen < timedelta(seconds=60)
    assert audited[1] > audited[0]


def test_concurrent_posts_all_land_and_keep_the_audit_chain_whole(world, app, make_user, make_match, make_family):
    mentors = [world.mentor]
    families = [world.family]
    for _ in range(3):
        family = make_family(world.social_worker)
        mentor = make_user(world.mentor.role, world.programme)
        make_match(family, mentor, world.coordinator)
        mentors.append(mentor)
        families.append(family)
    clients = []
    for mentor, family in zip(mentors, families):
        client = app.test_client()
        Auth(client).login(mentor)
        clients.append((client, family, [open_visit_form(client, family.id)[1] for _ in range(3)]))
    failures = []

    def post_all(client, family, forms):
        for fields in forms:
            r = client.post(f"/families/{family.id}/visits/new", data={**fields, **visit_data()})
            if r.status_code != 302:
                failures.append(r.status_code)

    threads = [threading.Thread(target=post_all, args=c) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert failures == []
    assert _visit_count(app) == 12
    with app.app_context():
        verdict = audit.verify(db.session)
        assert verdict.ok, verdict.message


def test_a_post_that_cannot_get_the_lock_stores_nothing_and_a_resend_stores_it_once(world, auth, client, app,
                                                                                    database_url):
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite's write lock")
    auth.login(world.mentor)
    _, fields = open_visit_form(client, world.family.id)
    holder = sqlite3.connect(database_url.removeprefix("sqlite:///"), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # held past the busy timeout
    try:
        try:  # raised as SQLAlchemy's OperationalError, or answered "busy, try again" once a handler exists
            answer = client.post(f"/families/{world.family.id}/visits/new", data={**fields, **visit_data()}).status_code
        except sa.exc.OperationalError as exc:
            answer = "locked" if "database is locked" in str(exc) else str(exc)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert answer in ("locked", 503)
    assert _visit_count(app) == 0
    again = client.post(f"/families/{world.family.id}/visits/new", data={**fields, **visit_data()})
    assert again.status_code == 302 and _visit_count(app) == 1


def test_writers_queue_at_the_gate_and_one_held_past_the_timeout_is_answered_busy(world, auth, client, app,
                                                                                 database_url, monkeypatch):
    """Writers of every process take the gate beside the database in turn; it is let go at each commit."""
    import fcntl
    import os

    from pwa.core import database

    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite's writers' gate")
    gate_path = database_url.removeprefix("sqlite:///") + ".writers"
    auth.login(world.mentor)
    _, fields = open_visit_form(client, world.family.id)
    assert client.post(f"/families/{world.family.id}/visits/new", data={**fields, **visit_data()}).status_code == 302
    _, fields = open_visit_form(client, world.family.id)
    other = os.open(gate_path, os.O_RDWR)
    try:
        fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)  # free after the commit: another process may take it
        monkeypatch.setattr(database, "BUSY_TIMEOUT_MS", 300)  # that process is stuck holding it
        answer = client.post(f"/families/{world.family.id}/visits/new", data={**fields, **visit_data()})
        assert answer.status_code == 503 and "Save again" in answer.get_data(as_text=True)
    finally:
        fcntl.flock(other, fcntl.LOCK_UN)
        os.close(other)
    assert _visit_count(app) == 1
    again = client.post(f"/families/{world.family.id}/visits/new", data={**fields, **visit_data()})
    assert again.status_code == 302 and _visit_count(app) == 2
