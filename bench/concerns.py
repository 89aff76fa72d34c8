"""Concern alerts, measured against a real local SMTP server.

1. Commit → accepted: a mentor raises 200 concerns one after another over HTTP (after 5
   unmeasured ones); for each, the time from the concern's created_at (stamped inside the
   committing transaction, before the alert is rendered: an over-estimate) to the moment the
   SMTP server has the whole message and answers 250. Budget: p99 ≤ 250 ms. Also reported:
   the same from the moment the POST's answer arrived (after the commit: an under-estimate).
2. The concern POST while the SMTP server stalls for 5 s on every message, as a ratio of its
   median latency to a normal run's (blocks of posts alternate, so drift hits both alike).
   Budget: ≤ 1.2 (the POST never waits on SMTP).

The worker is the real one (`flask --app wsgi worker`), started here with SMTP_URL pointing at
the test server; the web process wakes it after each commit (UDP on SQLite, NOTIFY on PostgreSQL).

Use:
- `python -m bench` runs it after the page scenarios (bench.run.EXTENSIONS) as run(ctx), on
  the large dataset's running gunicorn;
- `python -m bench.concerns [--concerns 200] [--stall-posts 40]` seeds the tiny dataset and
  starts its own gunicorn;
- `measure(port, token, family_id, env)` from any code with a running server: port of the
  server, a signed-in mentor's session token, one of their families, the server's environment.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import subprocess
import sys
import time
import uuid

import sqlalchemy as sa

from bench.dataset import ROOT, RUN
from bench.server import csrf_token, fetch, free_port

BUDGET_P99_MS = 250.0
BUDGET_STALL_RATIO = 1.2
STALL_SECONDS = 5.0
WARM_UP = 5
FORM = {"urgency": "urgent", "categories": ["neglect", "emotional"], "who_called": "", "called_at": "",
        "what_seen": "When I arrived the youngest was alone in the front room for ten minutes.",
        "child_words": "\"Mummy goes out when the baby is asleep.\"", "actions_taken": "Stayed until mum came back."}


def _smtp_server():
    sys.path.insert(0, str(ROOT))
    from tests.support.smtp_server import SMTPTestServer

    class TimedSMTPServer(SMTPTestServer):
        """The test SMTP server, noting when each message was accepted (just before its 250)."""

        def __init__(self, **kw) -> None:
            super().__init__(**kw)
            self.accepted_at: dict[int, float] = {}

        def _record(self, envelope) -> int:
            number = super()._record(envelope)
            self.accepted_at[number] = time.time()
            return number

    return TimedSMTPServer(stall_seconds=STALL_SECONDS)


def _start_worker(env: dict, smtp_url: str) -> subprocess.Popen:
    log = (RUN / f"worker-concerns-{os.getpid()}.log").open("wb")
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "worker"], cwd=ROOT,
                            env=dict(env, SMTP_URL=smtp_url), stdout=log, stderr=subprocess.STDOUT)


def _pending(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.text("SELECT count(*) FROM outbox_messages WHERE status = 'pending'")).scalar()


def _wait_quiet(engine, seconds: float = 6.0, limit: float = 180.0) -> None:
    """Let the worker clear what was waiting (overdue escalations in a seeded dataset, digests)."""
    deadline, quiet_since = time.monotonic() + limit, None
    while time.monotonic() < deadline:
        if _pending(engine) == 0:
            quiet_since = quiet_since or time.monotonic()
            if time.monotonic() - quiet_since >= seconds:
                return
        else:
            quiet_since = None
        time.sleep(0.2)


def _post(port: int, token: str, path: str, csrf: str) -> tuple[float, str]:
    """One concern POST: (seconds it took, the new concern's id)."""
    form = dict(FORM, client_uuid=str(uuid.uuid4()), csrf_token=csrf)
    started = time.perf_counter()
    answer = fetch(port, path, token=token, method="POST", form=_flatten(form))
    took = time.perf_counter() - started
    where = answer.header("Location") or ""
    if answer.status != 302 or "/concerns/" not in where:
        raise SystemExit(f"bench: concern POST answered HTTP {answer.status}")
    return took, where.rsplit("/", 1)[-1]


def _flatten(form: dict) -> list[tuple[str, str]]:
    return [(k, v) for k, vs in form.items() for v in (vs if isinstance(vs, list) else [vs])]


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(pct / 100 * len(ordered) + 0.5)) - 1))]


def _commit_to_accepted(engine, smtp, ids: list[str], answered: dict, timeout: float = 60.0):
    """Milliseconds to each alert's acceptance by the SMTP server: from the concern's created_at
    (stamped before the commit: an upper bound) and from the POST's answer (after it: a lower bound)."""
    from pwa.models import Concern

    with engine.connect() as conn:
        rows = conn.execute(sa.select(Concern.reference, Concern.created_at, Concern.id)
                            .where(Concern.id.in_([uuid.UUID(i) for i in ids]))).all()
    created = {ref: at.timestamp() for ref, at, _ in rows}
    answer = {ref: answered[str(concern_id)] for ref, _, concern_id in rows}
    deadline, accepted = time.monotonic() + timeout, {}
    while len(accepted) < len(created) and time.monotonic() < deadline:
        for number, received in enumerate(smtp.messages, start=1):
            found = re.match(r"Safeguarding concern (SC-\S+):", str(received.message()["Subject"] or ""))
            if found and found.group(1) in created and found.group(1) not in accepted:
                accepted[found.group(1)] = smtp.accepted_at[number]
        time.sleep(0.05)
    missing = len(created) - len(accepted)
    if missing:
        raise SystemExit(f"bench: {missing} of {len(created)} concern alerts never reached the SMTP server")
    return ([1000 * (accepted[ref] - created[ref]) for ref in created],
            [1000 * (accepted[ref] - answer[ref]) for ref in created])


def measure(port: int, token: str, family_id: str, env: dict, *, concerns: int = 200,
            stall_posts: int = 40) -> dict:
    """Both measurements against a running server; returns the figures and whether each budget holds."""
    engine = sa.create_engine(env["DATABASE_URL"])
    path = f"/families/{family_id}/concerns/new"
    csrf = csrf_token(fetch(port, path + "?urgency=urgent", token=token).body)
    smtp = _smtp_server()
    smtp.start()
    worker = _start_worker(env, smtp.url)
    try:
        for _ in range(WARM_UP):  # the first requests compile templates in the web process
            _post(port, token, path, csrf)
        _wait_quiet(engine)
        ids, answered = [], {}
        for _ in range(concerns):
            concern_id = _post(port, token, path, csrf)[1]
            ids.append(concern_id)
            answered[concern_id] = time.time()
        delays, after_answer = _commit_to_accepted(engine, smtp, ids, answered)
        normal, stalled = [], []
        for block in range(2 * max(1, stall_posts // 10)):
            smtp.mode = "stall-data" if block % 2 else "accept"
            (stalled if block % 2 else normal).extend(_post(port, token, path, csrf)[0] for _ in range(10))
    finally:
        smtp.mode = "accept"
        worker.terminate()
        try:
            worker.wait(15)
        except subprocess.TimeoutExpired:
            worker.kill()
        smtp.close()
        engine.dispose()
    p99 = _percentile(delays, 99)
    ratio = _percentile(stalled, 50) / _percentile(normal, 50)
    return {
        "commit_to_smtp_accepted_ms": {"n": len(delays), "p50": round(_percentile(delays, 50), 1),
                                       "p99": round(p99, 1), "max": round(max(delays), 1),
                                       "from_post_answer_p50": round(_percentile(after_answer, 50), 1),
                                       "from_post_answer_p99": round(_percentile(after_answer, 99), 1),
                                       "budget_p99": BUDGET_P99_MS, "ok": p99 <= BUDGET_P99_MS},
        "concern_post_with_smtp_stalled_5s": {
            "n": len(stalled), "normal_p50_ms": round(1000 * _percentile(normal, 50), 1),
            "stalled_p50_ms": round(1000 * _percentile(stalled, 50), 1),
            "stalled_p99_ms": round(1000 * _percentile(stalled, 99), 1), "ratio": round(ratio, 3),
            "budget_ratio": BUDGET_STALL_RATIO, "ok": ratio <= BUDGET_STALL_RATIO},
    }


def run(ctx) -> dict:
    """bench.run's hook: measure on the large dataset's server as its mentor."""
    fixtures = ctx.dataset.fixtures
    token = ctx.tokens.get("mentor") or ctx.server.login(fixtures["people"]["mentor"], fixtures["password"])
    family_id = fixtures.get("post_family_id", fixtures["family_id"])
    return measure(ctx.server.port, token, family_id, ctx.env)


def main(argv: list[str]) -> int:
    """Seed the tiny dataset, serve it with gunicorn, and measure."""
    from bench import dataset
    from bench.seed import SIZES
    from bench.server import Server

    p = argparse.ArgumentParser(prog="python -m bench.concerns", description=__doc__.split("\n\n")[0])
    p.add_argument("--concerns", type=int, default=200)
    p.add_argument("--stall-posts", type=int, default=40)
    p.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    args = p.parse_args(argv)
    secret = secrets.token_urlsafe(48)
    [tiny] = dataset.prepare([SIZES["tiny"]], secret)
    env = dataset.app_env(tiny.path, secret, BRIDGE_WORKER_WAKE_PORT=str(free_port()))
    with Server(env, "concerns", workers=args.workers) as server:
        fixtures = tiny.fixtures
        token = server.login(fixtures["people"]["mentor"], fixtures["password"])
        result = measure(server.port, token, fixtures.get("post_family_id", fixtures["family_id"]), env,
                         concerns=args.concerns, stall_posts=args.stall_posts)
    print(json.dumps(result, indent=2))
    return 0 if all(part["ok"] for part in result.values()) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
