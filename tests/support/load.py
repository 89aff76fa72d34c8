"""Faults and load with real processes: a process holding SQLite's write lock, mentors posting through
gunicorn (the visit form and the phone's /sync/items), and the figures each test reports.

The figures (requests tried, refused with a retry message, faults injected, lost, duplicated) are printed in
pytest's terminal summary by tests/support/figures.py.
"""
from __future__ import annotations

import http.client
import json
import re
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlencode

import sqlalchemy as sa

from pwa.core.extensions import db
from tests.support.concern_processes import Browser, process_env
from tests.support.offline_sealing import seal, visit_fields

_HOLDER = r"""
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=60)
conn.execute("BEGIN IMMEDIATE")
conn.execute("UPDATE audit_head SET count = count WHERE id = 1")
print("locked", flush=True)
sys.stdin.readline() if float(sys.argv[2]) < 0 else __import__("time").sleep(float(sys.argv[2]))
conn.execute("COMMIT")
print("released", flush=True)
"""


class LockHolder:
    """Another process that takes SQLite's write lock and keeps it for `seconds` (or until release())."""

    def __init__(self, database_url: str, seconds: float) -> None:
        path = database_url.removeprefix("sqlite:///")
        self.proc = subprocess.Popen([sys.executable, "-c", _HOLDER, path, str(seconds)], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout.readline().strip() == "locked", "the holder could not take the lock"
        self.taken_at = time.monotonic()

    def release(self) -> None:
        if self.proc.poll() is None:
            self.proc.stdin.write("\n")
            self.proc.stdin.flush()

    def wait(self, timeout: float = 60) -> None:
        assert self.proc.stdout.readline().strip() == "released"
        self.proc.wait(timeout)

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(10)
        self.proc.stdin.close()
        self.proc.stdout.close()


@dataclass
class Answer:
    status: int
    headers: dict
    text: str

    def json(self) -> dict:
        return json.loads(self.text)


class Mentor(Browser):
    """A signed-in mentor posting to a real server: the visit form (no JavaScript) and the phone's outbox."""

    def __init__(self, port: int, app, user, family) -> None:
        super().__init__(port)
        self.app, self.user, self.family = app, user, family
        self.csrf = ""

    def sign_in(self, password: str) -> None:
        self.login(self.user.email, password)
        self.csrf = self.token(f"/families/{self.family.id}/visits/new")

    def send(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None,
             timeout: float = 60.0) -> Answer:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers={"Cookie": self.cookie, **(headers or {})})
            resp = conn.getresponse()
            return Answer(resp.status, dict(resp.getheaders()), resp.read().decode("utf-8", "replace"))
        finally:
            conn.close()

    def post_visit(self, client_uuid: str, marker: str, path: str | None = None) -> Answer:
        """The visit form as a browser without JavaScript posts it."""
        fields = {"csrf_token": self.csrf, "client_uuid": client_uuid, **visit_fields(what_done=marker)}
        return self.post_form(path or f"/families/{self.family.id}/visits/new", fields)

    def post_form(self, path: str, fields) -> Answer:
        return self.send("POST", path, urlencode(fields, doseq=True).encode(),
                         {"Content-Type": "application/x-www-form-urlencoded"})

    def sync(self, items: list[dict]) -> Answer:
        """POST a batch as the phone's outbox does."""
        return self.send("POST", "/sync/items", json.dumps({"items": items}).encode(),
                         {"Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": self.csrf})

    def sealed_visit(self, client_uuid: str, marker: str) -> dict:
        return seal(self.app, self.user, "visit", self.family.id, visit_fields(what_done=marker),
                    client_uuid=uuid.UUID(client_uuid))


def busy_page(answer: Answer) -> bool:
    """A 503 that tells the person plainly: not saved, try again (the form page or the outbox's JSON)."""
    if answer.status != 503 or not answer.headers.get("Retry-After", "").isdigit():
        return False
    if answer.headers.get("Content-Type", "").startswith("application/json"):
        doc = answer.json()
        return doc.get("retry") is True and "did NOT save" in doc.get("message", "")
    return "Your entry was NOT saved" in answer.text and ">Save again</button>" in answer.text


def again_fields(answer: Answer) -> list[tuple[str, str]]:
    """The hidden fields of the busy page's Save again form (what pressing it sends)."""
    import html

    return [(html.unescape(n), html.unescape(v))
            for n, v in re.findall(r'<input type="hidden" name="([^"]*)" value="([^"]*)">', answer.text)]


@dataclass
class Tally:
    """What a run tried and what it got back."""

    tried: int = 0
    refused_retry: int = 0
    faults: int = 0
    answers: Counter = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def note(self, what: str) -> None:
        with self.lock:
            self.answers[what] += 1


def stored_visits(app) -> dict[str, list]:
    """Every visit in the database by its client UUID: [(marker text, audit rows naming it)]."""
    from pwa.models import AuditEvent, Visit

    with app.app_context():
        audits = Counter(db.session.scalars(sa.select(AuditEvent.object_id).where(
            AuditEvent.action == "visit recorded")))
        out: dict[str, list] = {}
        for visit in db.session.scalars(sa.select(Visit)):
            out.setdefault(str(visit.client_uuid), []).append((visit.what_done, audits[str(visit.id)]))
        db.session.remove()
        return out


def stored_concerns(app) -> dict[str, tuple]:
    """Every concern by client UUID: (audit rows naming it, alert rows for it)."""
    from pwa.models import AuditEvent, Concern, OutboxMessage

    with app.app_context():
        audits = Counter(db.session.scalars(sa.select(AuditEvent.object_id).where(
            AuditEvent.action == "concern raised")))
        alerts = Counter(str(s) for s in db.session.scalars(sa.select(OutboxMessage.subject_id).where(
            OutboxMessage.recipient_rule == "concern-alert")))
        out = {str(c.client_uuid): (audits[str(c.id)], alerts[str(c.id)])
               for c in db.session.scalars(sa.select(Concern))}
        db.session.remove()
        return out


def audit_verify(app, tmp) -> subprocess.CompletedProcess:
    """`flask --app wsgi audit verify` as a deployment runs it."""
    return subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "audit", "verify"],
                          env=process_env(app, None, tmp), cwd=tmp, capture_output=True, text=True, timeout=120)


def wait_for(check, timeout: float, what: str, step: float = 0.05):
    """Poll until check() is truthy (returning it); fail after timeout saying what never happened."""
    deadline = time.monotonic() + timeout
    while True:
        got = check()
        if got:
            return got
        assert time.monotonic() < deadline, f"timed out waiting: {what}"
        time.sleep(step)


def make_team(make_programme, make_user, make_family, make_match, size: int) -> list[tuple]:
    """`size` mentors in one programme, each matched with a family of their own: [(mentor, family)]."""
    from pwa.models import Role

    programme = make_programme()
    coordinator = make_user(Role.coordinator, programme)
    social_worker = make_user(Role.social_worker, programme)
    team = []
    for n in range(size):
        mentor = make_user(Role.mentor, programme)
        family = make_family(social_worker, name=f"The Load family {n}")
        make_match(family, mentor, coordinator)
        team.append((mentor, family))
    return team


def start_web_processes(app, port: int, tmp, *, workers: int, threads: int = 2, **extra):
    """gunicorn with `workers` processes sharing one port (the load and kill tests)."""
    from tests.support.concern_processes import Process

    # --preload: a killed worker is replaced by a fork of the loaded app, not a fresh import.
    args = [sys.executable, "-m", "gunicorn", "-w", str(workers), "--threads", str(threads), "-b",
            f"127.0.0.1:{port}", "--graceful-timeout", "1", "--timeout", "120", "--no-control-socket", "--preload",
            "wsgi:app"]
    extra.setdefault("BRIDGE_SEALING_KEY_FILE", app.config["SEALING_KEY_FILE"])
    return Process(args, process_env(app, None, tmp, **extra), tmp, "web")
