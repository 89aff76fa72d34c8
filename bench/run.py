"""One benchmark run: seed, serve, probe every scenario on both sizes, load them with wrk, report."""
import argparse
import importlib
import importlib.util
import inspect
import os
import secrets
import statistics
import time
import traceback
from dataclasses import dataclass

from bench import budgets, dataset, peer, pgdata, scenarios, wrk
from bench.dataset import RUN
from bench.report import Row, extension_misses, print_machine, print_report, write_json
from bench.scenarios import HELLO, Scenario, Target
from bench.seed import SIZES
from bench.server import Server

# Modules with run(ctx) -> dict | list[Row]; a missing one is skipped. Each runs on the databases in its
# DATABASES tuple (default: SQLite only), as ctx.database.
EXTENSIONS = ("bench.concerns", "bench.supervision", "bench.pwa_budgets", "bench.records", "bench.phone",
              "bench.aggregates")
DATABASE_LABELS = {"sqlite": "SQLite", "postgresql": "PostgreSQL 15"}
WARM_PER_WORKER, TIMED = 8, 7  # the probe: fetches per worker to warm each up, then fetches timed alone
PEER = Scenario("plain Flask page (peer)", peer.PATH, "peer", **scenarios.NO_BUDGETS)


@dataclass
class BenchContext:
    """What an extension (bench/concerns.py) gets: the running server on the large dataset and its sessions."""

    server: Server
    dataset: dataset.Dataset
    env: dict  # the server's environment: start a worker with it (plus SMTP_URL) to measure delivery
    tokens: dict  # role -> bridge_session token
    options: object
    baseline_rps: float  # mean hello req/s, for ratios
    database: str = "sqlite"  # or "postgresql"
    peer_rps: float | None = None  # mean req/s of the plain Flask page (bench/peer.py)


def main(options) -> int:
    """Run everything; 0 when measured (budgets may miss), 2 when the measurement broke, 1 for --strict misses."""
    wrk.require_wrk()
    started, secret, load_before = time.monotonic(), secrets.token_urlsafe(48), _load()
    print(f"machine: {os.cpu_count()} CPUs, 1-minute load average {load_before or 0:.1f} at the start", flush=True)
    small, large = dataset.prepare([SIZES["small"], SIZES["large"]], secret, reseed=options.reseed)
    pages = scenarios.selected(options.only)
    runs = {}
    if "sqlite" in options.databases:
        runs["sqlite"] = measure(small, large, secret, pages, options, peer_url=f"sqlite:///{RUN / 'peer.db'}")
    if "postgresql" in options.databases:
        with pgdata.Cluster() as cluster:
            pg_small, pg_large = pgdata.prepare(cluster, [small, large], secret)
            pg_options = argparse.Namespace(**dict(vars(options), workers=options.pg_workers,
                                                   duration=options.pg_duration))
            runs["postgresql"] = measure(pg_small, pg_large, secret, pages, pg_options,
                                         peer_url=cluster.url_for(cluster.dbname))
    meta = dict(load_before=load_before, load_after=_load(), seconds=round(time.monotonic() - started, 1))
    for run in runs.values():
        print_report(run)
    print_machine(meta)
    print(f"results: {write_json(runs, meta)}")
    every_row = [r for run in runs.values() for r in run["rows"]]
    if any(r.errors for r in every_row):
        return 2
    missed = any(r.misses() for r in every_row) or any(extension_misses(run["extensions"]) for run in runs.values())
    return 1 if options.strict and missed else 0


def measure(small: dataset.Dataset, large: dataset.Dataset, secret: str, pages: list[Scenario], options,
            peer_url: str) -> dict:
    """One database: query counts on small, then sizes, single requests and load on large, then the extensions."""
    database = large.database
    print(f"\n== {DATABASE_LABELS[database]}: gunicorn {options.worker_class} ×{options.workers}, "
          f"{options.duration}s of load per scenario", flush=True)
    rows = {s.name: row_for(s, large.fixtures) for s in [PEER, *pages]}
    server_args = dict(workers=options.workers, worker_class=options.worker_class, threads=options.threads)
    with Server(dataset.app_env(small.path, secret), f"small-{database}", **server_args) as server:
        tokens = sign_in(server, small.fixtures, pages)
        for s in pages:
            rows[s.name].queries_small = probe(s, server, small.fixtures, tokens, rows[s.name])[1]
    peer.seed(peer_url)
    peer_env = dataset.app_env(peer_url, secret)
    with Server(dataset.app_env(large.path, secret), f"large-{database}", **server_args) as server, \
            Server(peer_env, f"peer-{database}", app="bench.peer:create_peer_app()", cookie=peer.COOKIE,
                   **server_args) as peer_server:
        tokens = sign_in(server, large.fixtures, pages)
        peer_tokens = {"peer": peer.sign_in(peer_server)}
        probe(PEER, peer_server, large.fixtures, peer_tokens, rows[PEER.name])
        for s in pages:
            rows[s.name].gz_bytes, rows[s.name].queries_large = probe(s, server, large.fixtures, tokens, rows[s.name])
        hello, loaded = load_all(server, (peer_server, peer_tokens), large.fixtures, tokens, pages, rows, options)
        ctx = BenchContext(server, large, dict(server.env), tokens, options, hello["mean"], database, hello["peer"])
        extensions, extra_rows, skipped = run_extensions(ctx)
    page_rows = [rows[s.name] for s in pages]
    meta = describe(options, large, hello)
    return {"meta": meta, "rows": [loaded[0], rows[PEER.name], *page_rows, *sum(extra_rows.values(), []), loaded[1]],
            "extensions": extensions,
            "budgets": budgets.summarise(page_rows, extra_rows, extensions, skipped)}


def row_for(s: Scenario, fixtures: dict) -> Row:
    """An empty row carrying the scenario's budgets."""
    return Row(s.name, s.path_for(fixtures), s.role, s.ratio_budget, s.size_budget, peer_budget=s.peer_budget,
               single_budget_ms=s.single_budget_ms, p99_budget_ms=s.p99_budget_ms)


def sign_in(server: Server, fixtures: dict, pages: list[Scenario]) -> dict:
    """Sign in over HTTP as each role the scenarios need."""
    roles = sorted({s.role for s in pages if s.role})
    return {role: server.login(fixtures["people"][role], fixtures["password"]) for role in roles}


def target(s: Scenario, server: Server, fixtures: dict, tokens: dict) -> Target:
    return Target(server, fixtures, tokens.get(s.role), s.path_for(fixtures))


def probe(s: Scenario, server: Server, fixtures: dict, tokens: dict, row: Row) -> tuple[int | None, int | None]:
    """Warm every worker up, then fetch TIMED times alone and keep the median.

    Keeps the last answer's gzipped size and query count, and the median time of one request with
    nothing else running (the "1× ms" column: the page's own cost). Each gunicorn worker builds a page's
    templates and statements on its first request of it (60-90 ms for the families search), and on
    PostgreSQL psycopg prepares a statement on its fifth run on a connection (until then the server plans
    it afresh each time: the search's select alone takes 0.6 ms to plan). Which worker answers is the
    kernel's choice, so each worker is warmed past both first (eight fetches per worker make it near
    certain), or a cold worker's requests would be counted as the page's cost.
    """
    t = target(s, server, fixtures, tokens)
    for _ in range(WARM_PER_WORKER * server.workers):
        s.fetch_once(t)
    times = []
    for _ in range(TIMED):
        started = time.perf_counter()
        answer = s.fetch_once(t)
        times.append(1000 * (time.perf_counter() - started))
    row.single_ms = statistics.median(times)
    if answer.status != s.expect_status:
        row.errors.append(f"{server.name}: HTTP {answer.status} (expected {s.expect_status}) for {t.path}")
        return None, None
    count = answer.header("X-Query-Count")
    return answer.gzipped_size(), int(count) if count else None


def load(s: Scenario, server: Server, fixtures: dict, tokens: dict, options, label: str) -> wrk.WrkResult:
    """Warm up, then measure one scenario with wrk."""
    t = target(s, server, fixtures, tokens)
    kw = dict(token=t.token, threads=options.wrk_threads, connections=options.connections,
              label=f"{server.name}-{label}", expect_status=s.expect_status, cookie=server.cookie)
    server.wait_idle()
    if options.warmup > 0:  # a fresh script each time: a POST's client UUIDs must not repeat
        wrk.run(server.base + t.path, duration=options.warmup, lua=s.wrk_lua(t) if s.wrk_lua else "", **kw)
        server.wait_idle()
    result = wrk.run(server.base + t.path, duration=options.duration, lua=s.wrk_lua(t) if s.wrk_lua else "", **kw)
    print(f"  {label:<32} {result.rps:8.0f} req/s  p99 {result.p99_ms:8.1f} ms", flush=True)
    return result


def load_all(server, peer_server, fixtures, tokens, pages, rows, options):
    """Hello and the peer first, every page, the peer and hello last; ratios against the means of the two."""
    print(f"loading each scenario for {options.duration}s (after {options.warmup}s warm-up):", flush=True)
    peer_server, peer_tokens = peer_server
    first = load(HELLO, server, fixtures, tokens, options, "hello (first)")
    peer_first = load(PEER, peer_server, fixtures, peer_tokens, options, "peer (first)")
    results = {s.name: load(s, server, fixtures, tokens, options, s.name) for s in pages if not rows[s.name].errors}
    peer_last = load(PEER, peer_server, fixtures, peer_tokens, options, "peer (last)")
    last = load(HELLO, server, fixtures, tokens, options, "hello (last)")
    mean, peer_mean = (first.rps + last.rps) / 2, (peer_first.rps + peer_last.rps) / 2
    hello_rows = []
    for label, r in (("hello (first)", first), ("hello (last)", last)):
        hello_rows.append(Row(label, HELLO.path_for(fixtures), None, rps=r.rps, ratio=r.rps / mean, p99_ms=r.p99_ms))
    peer_row = rows[PEER.name]
    peer_row.rps, peer_row.ratio, peer_row.peer_ratio = peer_mean, peer_mean / mean, 1.0
    peer_row.p99_ms = max(peer_first.p99_ms, peer_last.p99_ms)
    peer_row.notes.append(f"{peer_first.rps:.0f} req/s first, {peer_last.rps:.0f} last (the row shows the mean)")
    for name, r in results.items():
        row = rows[name]
        row.rps, row.ratio, row.peer_ratio = r.rps, r.rps / mean, r.rps / peer_mean
        row.p50_ms, row.p99_ms = (r.p50_ms, r.p99_ms) if r.requests else (None, None)
        if not r.requests:
            row.notes.append(f"no request finished within {options.duration}s of load")
        if r.not_200 or r.socket_errors:
            row.errors.append(f"{r.not_200} unexpected statuses, {r.socket_errors} socket errors under load")
    hello = dict(first=first.rps, last=last.rps, mean=mean, peer=peer_mean, peer_first=peer_first.rps,
                 peer_last=peer_last.rps)
    return hello, hello_rows


def run_extensions(ctx: BenchContext) -> tuple[dict, dict, list[str]]:
    """Call run() of each extension module present and meant for ctx.database; a failure is reported, not fatal.

    Returns the dict results by short name, the Rows by short name, and the names skipped on this database.
    """
    results, rows, skipped = {}, {}, []
    for name in EXTENSIONS:
        if importlib.util.find_spec(name) is None:
            continue
        short = name.rsplit(".", 1)[-1]
        if ctx.options.extensions is not None and short not in ctx.options.extensions:
            continue
        module = importlib.import_module(name)
        if ctx.database not in getattr(module, "DATABASES", ("sqlite",)):
            skipped.append(short)
            continue
        print(f"running {name}.run() on {ctx.database}", flush=True)
        started = time.monotonic()
        try:
            run = module.run
            result = run(ctx) if inspect.signature(run).parameters else run()
            print(f"  {name} took {time.monotonic() - started:.0f}s", flush=True)
        except Exception:  # noqa: BLE001 - an extension's bug must not cost the whole table
            traceback.print_exc()
            rows[short] = [Row(short, "-", None, errors=[f"{name}.run() raised; see the traceback above"])]
            continue
        if isinstance(result, list) and all(isinstance(r, Row) for r in result):
            rows[short] = result
        else:
            results[short] = result
    return results, rows, skipped


def _load() -> float | None:
    """The 1-minute load average: other work on the machine skews every figure."""
    try:
        return os.getloadavg()[0]
    except OSError:
        return None


def describe(options, large: dataset.Dataset, hello: dict) -> dict:
    """One database's settings and baselines, for its table header and the JSON."""
    counts = large.fixtures.get("counts", {})
    note = None
    if large.database == "postgresql" and (options.duration, options.workers) != (options.sqlite_duration, 3):
        note = (f"on PostgreSQL each scenario is loaded {options.duration}s (SQLite: {options.sqlite_duration}s) "
                f"to keep the whole run near 15 minutes; {options.workers} workers (SQLite's sync workers hold "
                "its single write lock, PostgreSQL takes more concurrent work)")
    return dict(
        database=large.database, database_label=DATABASE_LABELS[large.database],
        dataset=", ".join(f"{v:,} {k}" for k, v in counts.items()) + " (large); small for query counts",
        server=f"{options.worker_class} ×{options.workers}" + (f" ×{options.threads} threads" if options.threads > 1 else ""),
        load=f"-t{options.wrk_threads} -c{options.connections} -d{options.duration}s",
        hello=hello["mean"], hello_first=hello["first"], hello_last=hello["last"],
        hello_drift_pct=100 * (hello["last"] - hello["first"]) / hello["first"],
        peer=hello["peer"], peer_first=hello["peer_first"], peer_last=hello["peer_last"], note=note,
    )
