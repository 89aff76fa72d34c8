"""Another process holds SQLite's write lock while mentors post: each post is saved or plainly refused.

Real processes: gunicorn serving the app, a second Python process holding BEGIN IMMEDIATE on the same
database file. Mentors post visits and concerns through the form (no JavaScript) and visits through the
phone's /sync/items. Every answer is either a success or a 503 with Retry-After that says the entry was
NOT saved (the form page offers Save again; the outbox's JSON says retry, so the phone keeps the item).
Nothing is half-written: each visit has its audit row, each concern its audit row and its alert. Pressing
Save again (or the phone sending again) afterwards stores each entry exactly once.
"""
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.conftest import PASSWORD
from tests.support.concern_processes import free_port, start_web
from tests.support.concern_world import concern_form_data
from tests.support.load import (LockHolder, Mentor, Tally, again_fields, busy_page, make_team, stored_concerns,
                                stored_visits)

pytestmark = pytest.mark.slow


@pytest.fixture
def server(app, tmp_path):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("SQLite's write lock (PostgreSQL has row locks: see test_faults_load and test_faults_cluster)")
    port = free_port()
    web = start_web(app, port, tmp_path, threads=8, BRIDGE_SEALING_KEY_FILE=app.config["SEALING_KEY_FILE"])
    yield port
    web.kill()


@pytest.fixture
def mentors(app, server, make_programme, make_user, make_family, make_match):
    team = make_team(make_programme, make_user, make_family, make_match, 4)
    signed_in = [Mentor(server, app, user, family) for user, family in team]
    signed_in[0].wait_up()
    for mentor in signed_in:
        mentor.sign_in(PASSWORD)
    return signed_in


class Post:
    """One entry a mentor sends, and how to send it again as the person (or the phone) would."""

    def __init__(self, mentor: Mentor, kind: str) -> None:
        self.mentor, self.kind, self.uuid = mentor, kind, str(uuid.uuid4())
        self.marker = f"LOCKTEST {self.uuid}"
        self.item = mentor.sealed_visit(self.uuid, self.marker) if kind == "sync" else None
        self.path = f"/families/{mentor.family.id}/{'concerns' if kind == 'concern' else 'visits'}/new"

    def send(self):
        if self.kind == "sync":
            return self.mentor.sync([self.item])
        if self.kind == "concern":
            return self.mentor.post_form(self.path, dict(concern_form_data(), client_uuid=self.uuid,
                                                         csrf_token=self.mentor.csrf))
        return self.mentor.post_visit(self.uuid, self.marker)

    def again(self, refused):
        """Save again on the busy page (its hidden fields), or the outbox sending the same item."""
        if self.kind == "sync":
            return self.send()
        return self.mentor.post_form(self.path, again_fields(refused))

    def saved(self, answer) -> bool:
        if self.kind == "sync":
            return answer.status == 200 and answer.json()["results"][0]["status"] in ("stored", "duplicate")
        return answer.status == 302


def _outcome(post: Post, answer, tally: Tally) -> str:
    if post.saved(answer):
        return "saved"
    assert busy_page(answer), (post.kind, answer.status, answer.text[:500])
    tally.note(f"refused {post.kind}")
    return "refused"


def _send_all(posts, tally: Tally) -> list:
    tally.tried += len(posts)
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda p: p.send(), posts))
    return [(post, answer, _outcome(post, answer, tally)) for post, answer in zip(posts, answers)]


def _assert_whole(app, posts) -> None:
    """Nothing half-written: a visit has its audit row, a concern its audit row and its alert."""
    for marker, audits in (v for rows in stored_visits(app).values() for v in rows):
        assert audits == 1, marker
    for audits, alerts in stored_concerns(app).values():
        assert (audits, alerts) == (1, 1)


def _retry_refused(app, results, tally: Tally) -> None:
    for post, answer, outcome in results:
        if outcome == "refused":
            tally.refused_retry += 1
            assert post.saved(post.again(answer)), post.kind


def _assert_each_once(app, posts) -> dict:
    visits, concerns = stored_visits(app), stored_concerns(app)
    for post in posts:
        if post.kind == "concern":
            assert concerns[post.uuid] == (1, 1)
        else:
            assert [marker for marker, _ in visits[post.uuid]] == [post.marker]
    lost = sum(1 for p in posts if p.uuid not in (concerns if p.kind == "concern" else visits))
    duplicated = sum(len(rows) - 1 for rows in visits.values())
    return {"lost": lost, "duplicated": duplicated}


def test_a_ten_second_lock_while_mentors_post(app, mentors, figures):
    posts = [Post(m, kind) for m in mentors for kind in ("visit", "visit", "concern", "sync", "sync")]
    tally = Tally()
    holder = LockHolder(app.config["SQLALCHEMY_DATABASE_URI"], 10)
    try:
        results = _send_all(posts, tally)
        holder.wait()
    finally:
        holder.kill()
    _assert_whole(app, posts)
    _retry_refused(app, results, tally)
    counts = _assert_each_once(app, posts)
    assert counts == {"lost": 0, "duplicated": 0}
    figures.add(tried=tally.tried, refused_retry=tally.refused_retry, faults=1, lock_seconds=10, **counts)


def test_a_lock_held_past_the_busy_timeout_is_answered_not_saved(app, mentors, figures):
    """The lock is kept until every post has been answered: each one must be the clear retry answer."""
    posts = [Post(m, kind) for m in mentors[:2] for kind in ("visit", "concern", "sync")]
    tally = Tally()
    holder = LockHolder(app.config["SQLALCHEMY_DATABASE_URI"], -1)
    try:
        results = _send_all(posts, tally)
        assert [outcome for _, _, outcome in results] == ["refused"] * len(posts)
    finally:
        holder.release()
        holder.kill()
    assert not stored_visits(app) and not stored_concerns(app)  # a refused post left nothing behind
    _retry_refused(app, results, tally)
    counts = _assert_each_once(app, posts)
    assert counts == {"lost": 0, "duplicated": 0}
    figures.add(tried=tally.tried, refused_retry=tally.refused_retry, faults=1, **counts)


def test_what_counts_as_busy():
    """SQLite's lock and PostgreSQL's lock and statement timeouts ask for a retry; other errors do not."""
    import sqlite3

    from sqlalchemy import exc

    from pwa.core.errors import retryable

    class PgError(Exception):
        def __init__(self, sqlstate):
            super().__init__("canceling statement due to lock timeout")
            self.sqlstate = sqlstate

    assert retryable(exc.OperationalError("BEGIN IMMEDIATE", (), sqlite3.OperationalError("database is locked")))
    assert retryable(exc.OperationalError("SELECT 1", (), PgError("55P03")))
    assert retryable(exc.TimeoutError("QueuePool limit reached"))
    assert not retryable(exc.OperationalError("SELECT 1", (), sqlite3.OperationalError("no such table: x")))
    assert not retryable(exc.IntegrityError("INSERT", (), PgError("23505")))
    assert not retryable(ValueError("database is locked"))
