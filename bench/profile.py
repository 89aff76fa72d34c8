"""Profile one scenario in-process with cProfile: `python -m bench.profile "family page (mentor)" [-n 50]`.

Runs on a fresh copy of the cached large dataset (run `make bench` once first; `--database postgresql`
restores it into a throwaway cluster as the benchmark does), through
Flask's test client, signed in like the benchmark. Prints where the time goes: by
function (own time) and by call tree (cumulative), trimmed to the top rows.
"""
import argparse
import cProfile
import io
import os
import pstats
import re
import secrets
import shutil
import time
import uuid
from pathlib import Path
from typing import Callable

from werkzeug.datastructures import MultiDict

from bench import dataset, pgdata, scenarios
from bench.scenarios import Target
from bench.seed import SIZES
from bench.server import Response, csrf_token


class InProcess:
    """The little of bench.server.Server that scenarios use, over Flask's test client."""

    def __init__(self, client):
        self.client = client

    def get(self, path: str, token=None) -> Response:
        """GET through the test client (the client keeps its own session cookie)."""
        r = self.client.get(path)
        return Response(r.status_code, r.status, list(r.headers.items()), r.get_data())


def _client(role: str | None, fixtures: dict):
    from bench.app import create_bench_app  # the app the benchmark serves, /bench/hello included

    client = create_bench_app().test_client()
    if role:
        token = csrf_token(client.get("/login").get_data())
        answer = client.post("/login", data={"email": fixtures["people"][role], "password": fixtures["password"],
                                             "csrf_token": token})
        assert answer.status_code == 302, f"sign-in as {role} failed"
    return client


def _request(scenario, client, fixtures: dict) -> Callable[[], int]:
    """One request of the scenario: a GET, or for a POST the benchmark's body with a fresh client UUID."""
    target = Target(InProcess(client), fixtures, None, scenario.path_for(fixtures))
    if not scenario.wrk_lua:
        return lambda: client.get(target.path).status_code
    from bench import visit_post

    if scenario.probe is not visit_post.probe:
        raise SystemExit(f"profiling {scenario.name} needs its POST body here, as for the visit POST")
    body = visit_post.body_fields(target)
    return lambda: client.post(target.path, data=MultiDict(body + [("client_uuid", str(uuid.uuid4()))])).status_code


def main(argv=None) -> None:
    """Profile the named scenario."""
    p = argparse.ArgumentParser(prog="python -m bench.profile")
    p.add_argument("name", help="a scenario name (or part of one), e.g. 'family page (mentor)'")
    p.add_argument("-n", type=int, default=50, help="requests to profile (default 50)")
    p.add_argument("--top", type=int, default=30, help="rows to print (default 30)")
    p.add_argument("--plain", action="store_true", help="only time the requests, without the profiler")
    p.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite",
                   help="profile on a copy of the SQLite dataset (default) or in a throwaway PostgreSQL cluster")
    args = p.parse_args(argv)
    scenario = next((s for s in scenarios.PAGES if args.name.lower() in s.name.lower()), None)
    if scenario is None:
        raise SystemExit(f"no scenario matches {args.name!r}: " + ", ".join(s.name for s in scenarios.PAGES))
    secret = secrets.token_urlsafe(32)
    [large] = dataset.prepare([SIZES["large"]], secret)
    if args.database == "postgresql":
        with pgdata.Cluster() as cluster:
            [served] = pgdata.prepare(cluster, [large], secret)
            return profile(scenario, served, args)
    copy = dataset.RUN / "profile.db"
    for leftover in (copy.with_name(copy.name + "-wal"), copy.with_name(copy.name + "-shm")):
        leftover.unlink(missing_ok=True)  # an earlier run's log would be replayed onto the fresh copy
    shutil.copyfile(large.path, copy)
    profile(scenario, dataset.Dataset(large.spec, copy, large.fixtures), args)


def profile(scenario, served: dataset.Dataset, args) -> None:
    """Sign in and warm up on the served copy of the dataset, then time or profile args.n requests."""
    os.environ.update(dataset.app_env(served.path, secrets.token_urlsafe(32)))
    client = _client(scenario.role, served.fixtures)
    request = _request(scenario, client, served.fixtures)
    for _ in range(3):  # warm caches (templates, compiled queries)
        assert request() == scenario.expect_status
    if args.plain:
        return print_plain(scenario.name, request, args.n)
    with client.application.app_context():
        print_slowest_statements(request)
    profiler, started = cProfile.Profile(), time.perf_counter()
    profiler.enable()
    for _ in range(args.n):
        request()
    profiler.disable()
    elapsed = time.perf_counter() - started
    print(f"{scenario.name}: {args.n} requests, {1000 * elapsed / args.n:.1f} ms each under the profiler\n")
    report(pstats.Stats(profiler), args.n, args.top)


def print_plain(name: str, request: Callable[[], int], n: int) -> None:
    """Time n requests in-process, without the profiler: the median and the best of five rounds."""
    rounds = []
    for _ in range(5):
        started = time.perf_counter()
        for _ in range(n):
            request()
        rounds.append(1000 * (time.perf_counter() - started) / n)
    rounds.sort()
    print(f"{name}: {n} requests x 5 rounds in-process, median {rounds[2]:.2f} ms, best {rounds[0]:.2f} ms each")


def print_slowest_statements(request: Callable[[], int], top: int = 5) -> None:
    """Run one request with SQL timing on, and print its slowest statements and rows returned."""
    from sqlalchemy import event

    from pwa.core.extensions import db

    timings: list[tuple[float, str]] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        conn.info["bench_started"] = time.perf_counter()

    def after(conn, cursor, statement, parameters, context, executemany):
        timings.append((time.perf_counter() - conn.info.pop("bench_started"), " ".join(statement.split())))

    event.listen(db.engine, "before_cursor_execute", before)
    event.listen(db.engine, "after_cursor_execute", after)
    try:
        request()
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
        event.remove(db.engine, "after_cursor_execute", after)
    print(f"one request: {len(timings)} statements, {1000 * sum(t for t, _ in timings):.1f} ms executing; slowest:")
    for seconds, statement in sorted(timings, reverse=True)[:top]:
        print(f"  {1000 * seconds:7.2f} ms  {statement[:300]}")
    print()


def report(stats: pstats.Stats, n: int, top: int) -> None:
    """Own time by package, then the top functions by own and by cumulative time."""
    print("own time by package (where the work is):")
    total = sum(v[2] for v in stats.stats.values())
    for name, seconds in sorted(by_package(stats).items(), key=lambda kv: -kv[1])[:15]:
        print(f"  {100 * seconds / total:5.1f}%  {1000 * seconds / n:6.2f} ms/request  {name}")
    print("\nphases (cumulative, ms/request; they overlap where one calls another):")
    for label, seconds in phases(stats).items():
        print(f"  {1000 * seconds / n:7.2f}  {label}")
    stats.strip_dirs()
    for order in ("tottime", "cumulative"):
        out = io.StringIO()
        stats.stream = out
        stats.sort_stats(order).print_stats(top)
        print(out.getvalue().split("\n", 4)[-1] if order == "tottime" else out.getvalue())


PHASES = {  # label -> (file ending, function name)
    "whole request (wsgi_app)": ("flask/app.py", "wsgi_app"),
    "open session (server-side row)": ("pwa/core/sessions.py", "open_session"),
    "load the signed-in user": ("pwa/core/requests.py", "load_user"),
    "render templates": ("flask/templating.py", "render_template"),
    "commit (audit rows of reads)": ("pwa/core/requests.py", "finish_transaction"),
    "save session": ("pwa/core/sessions.py", "save_session"),
    "SQL: SQLAlchemy execute (all)": ("sqlalchemy/orm/session.py", "_execute_internal"),
    "SQL: sqlite3 cursor execute": ("~", "<method 'execute' of 'sqlite3.Cursor' objects>"),
    "open encrypted fields": ("pwa/models/base.py", "_open"),
}


def phases(stats: pstats.Stats) -> dict[str, float]:
    """Cumulative time of the request's main steps."""
    out = {}
    for label, (ending, func) in PHASES.items():
        out[label] = sum(v[3] for (filename, _, name), v in stats.stats.items()
                         if name == func and filename.endswith(ending))
    return out


def by_package(stats: pstats.Stats) -> dict[str, float]:
    """Own (not cumulative) time summed by library, app module, template, or C call."""
    out: dict[str, float] = {}
    for (filename, _, func), (_, _, own, _, _) in stats.stats.items():
        out[_bucket(filename, func)] = out.get(_bucket(filename, func), 0.0) + own
    return out


def _bucket(filename: str, func: str) -> str:
    if filename == "~":  # a C function: name its type, e.g. sqlite3.Cursor
        found = re.search(r"of '([\w.]+)' objects", func)
        return f"C: {found.group(1) if found else func.strip('{}<>').split()[-1]}"
    if "site-packages/" in filename:
        return filename.split("site-packages/", 1)[1].split("/", 1)[0]
    if "/pwa/" in filename:
        return "pwa/" + filename.split("/pwa/", 1)[1]
    if filename.endswith(".html"):
        return "templates"
    return "stdlib: " + Path(filename).stem


if __name__ == "__main__":
    main()
