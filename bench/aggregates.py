"""Issue 15 point 2: the coordinator dashboard (p95 ≤ 50 ms) and a year's impact report (≤ 200 ms), flat as
visits grow tenfold.

Measures both on the running large server (100,000 visits), then on a copy whose visits are grown
tenfold in SQL (each reviewed entry copied nine times with new ids and uuids, with its review, so
the review queue, talk requests and every other table stay as they were: ten times the history,
the same backlog), its tallies rebuilt with `flask aggregates rebuild`, served by a second gunicorn.
The copies carry the originals' sealed text, which opens only under the original row's id: they
are for these two pages, which never open a visit's text, not for the diary.
"""
import sqlite3
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

from bench.dataset import RUN
from bench.server import Server
from bench.supervision import measure

FACTOR = 10
GROWTH_ALLOWED = 1.5  # "flat": p95 at ten times the visits within half again of the p95 at the large size
BUDGETS = {"coordinator dashboard": 50.0, "impact report, one year": 200.0}
NEW_ID = "lower(hex(randomblob(16)))"
VISIT_COLUMNS = ("family_id", "match_id", "author_id", "visit_on", "started_at", "duration_minutes", "kind",
                 "present", "child_words", "what_done", "next_contact_on", "travel_tenth_miles",
                 "talk_to_coordinator", "body_hash", "created_at", "outcome", "unknown_adult", "unknown_adult_note")


def _paths() -> dict:
    end = date.today()
    return {"coordinator dashboard": "/dashboard",
            "impact report, one year": f"/reports/impact?start={end - timedelta(days=364)}&end={end}"}


def _measure_all(server: Server, token: str, label: str) -> dict:
    return {f"{name}, {label}": measure(server.port, token, path, BUDGETS[name]) for name, path in _paths().items()}


def grow(path: Path, factor: int = FACTOR) -> int:
    """Copy every reviewed, current entry factor-1 times (new id, client uuid, review); return visits now."""
    cols = ", ".join(VISIT_COLUMNS)
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TEMP TABLE originals AS SELECT v.id AS id, r.reviewer_id, r.reviewed_at FROM visits v "
                     "JOIN visit_reviews r ON r.visit_id = v.id WHERE v.corrects_id IS NULL "
                     "AND NOT EXISTS (SELECT 1 FROM visits l WHERE l.corrects_id = v.id)")
        for _ in range(factor - 1):
            conn.execute(f"CREATE TEMP TABLE copies AS SELECT id AS old, {NEW_ID} AS new FROM originals")
            conn.execute(f"INSERT INTO visits (id, client_uuid, {cols}) SELECT c.new, {NEW_ID}, "
                         + ", ".join(f"v.{c}" for c in VISIT_COLUMNS) + " FROM copies c JOIN visits v ON v.id = c.old")
            conn.execute(f"INSERT INTO visit_reviews (id, visit_id, reviewer_id, reviewed_at) SELECT {NEW_ID}, c.new, "
                         "o.reviewer_id, o.reviewed_at FROM copies c JOIN originals o ON o.id = c.old")
            conn.execute("DROP TABLE copies")
        count = conn.execute("SELECT count(*) FROM visits").fetchone()[0]
    conn.close()
    return count


def _copy(source: Path, target: Path) -> None:
    """A consistent copy of a database the server is writing to (SQLite's online backup)."""
    for leftover in (target, target.with_name(target.name + "-wal"), target.with_name(target.name + "-shm")):
        leftover.unlink(missing_ok=True)
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()


def _flask(env: dict, *args: str) -> str:
    flask = Path(sys.executable).with_name("flask")
    cli = [str(flask)] if flask.exists() else [sys.executable, "-m", "flask"]
    done = subprocess.run(cli + ["--app", "wsgi", *args], env=env, capture_output=True, text=True, check=True,
                          cwd=Path(__file__).resolve().parent.parent)
    return done.stdout.strip()


def run(ctx) -> dict:
    """bench.run's hook: both pages at 100,000 visits (the running server) and at ten times that."""
    fixtures = ctx.dataset.fixtures
    coordinator = fixtures["people"]["coordinator"]
    token = ctx.tokens.get("coordinator") or ctx.server.login(coordinator, fixtures["password"])
    small = _measure_all(ctx.server, token, "100k visits")
    print(f"  at 100k visits: {small}", flush=True)
    grown_path, started = RUN / "aggregates-10x.db", time.monotonic()
    _copy(ctx.dataset.path, grown_path)
    visits = grow(grown_path)
    env = dict(ctx.env, DATABASE_URL=f"sqlite:///{grown_path}")
    rebuilt = _flask(env, "aggregates", "rebuild")
    print(f"  grown to {visits:,} visits and rebuilt in {time.monotonic() - started:.0f}s ({rebuilt})", flush=True)
    options = ctx.options
    with Server(env, "aggregates-10x", workers=options.workers, worker_class=options.worker_class,
                threads=options.threads) as server:
        big = _measure_all(server, server.login(coordinator, fixtures["password"]), f"{visits // 1000:,}k visits")
    out = {**small, **big}
    for name in BUDGETS:
        before, after = small[f"{name}, 100k visits"], big[f"{name}, {visits // 1000:,}k visits"]
        if "p95_ms" in before and "p95_ms" in after:
            ratio = after["p95_ms"] / before["p95_ms"]
            out[f"{name}, growth ×{FACTOR}"] = {"p95_ratio": round(ratio, 2), "ok": ratio <= GROWTH_ALLOWED}
    return {**out, **summary(out)}


def summary(out: dict) -> dict:
    """The budget line's figures (each measurement's p95, or its growth ratio) and one verdict for them all."""
    shown = {f"{name} ({'×' if 'p95_ratio' in m else 'p95 ms'})": m.get("p95_ratio", m.get("p95_ms", m.get("error")))
             for name, m in out.items()}
    return {**shown, f"budget growth ≤ ×{GROWTH_ALLOWED}": GROWTH_ALLOWED,
            "ok": all(m.get("ok") for m in out.values())}
