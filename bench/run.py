"""One benchmark run: seed, serve, probe every scenario on both sizes, load them with wrk, report."""
import importlib
import importlib.util
import inspect
import os
import secrets
import time
import traceback
from dataclasses import dataclass

from bench import dataset, scenarios, wrk
from bench.report import Row, extension_misses, print_report, write_json
from bench.scenarios import HELLO, Scenario, Target
from bench.seed import SIZES
from bench.server import Server

EXTENSIONS = ("bench.concerns", "bench.supervision", "bench.pwa_budgets", "bench.records", "bench.aggregates")  # modules with run(ctx) -> dict | list[Row]


@dataclass
class BenchContext:
    """What an extension (bench/concerns.py) gets: the running server on the large dataset and its sessions."""

    server: Server
    dataset: dataset.Dataset
    env: dict  # the server's environment: start a worker with it (plus SMTP_URL) to measure delivery
    tokens: dict  # role -> bridge_session token
    options: object
    baseline_rps: float  # mean hello req/s, for ratios


def main(options) -> int:
    """Run everything; 0 when measured (budgets may miss), 2 when the measurement broke, 1 for --strict misses."""
    wrk.require_wrk()
    started, secret, load_before = time.monotonic(), secrets.token_urlsafe(48), _load()
    small, large = dataset.prepare([SIZES["small"], SIZES["large"]], secret, reseed=options.reseed)
    pages = scenarios.selected(options.only)
    rows = {s.name: Row(s.name, s.path_for(large.fixtures), s.role, s.ratio_budget, s.size_budget) for s in pages}
    server_args = dict(workers=options.workers, worker_class=options.worker_class, threads=options.threads)
    with Server(dataset.app_env(small.path, secret), "small", **server_args) as server:
        tokens = sign_in(server, small.fixtures, pages)
        for s in pages:
            rows[s.name].queries_small = probe(s, server, small.fixtures, tokens, rows[s.name])[1]
    with Server(dataset.app_env(large.path, secret), "large", **server_args) as server:
        tokens = sign_in(server, large.fixtures, pages)
        for s in pages:
            rows[s.name].gz_bytes, rows[s.name].queries_large = probe(s, server, large.fixtures, tokens, rows[s.name])
        hello, loaded = load_all(server, large.fixtures, tokens, pages, rows, options)
        ctx = BenchContext(server, large, dict(server.env), tokens, options, hello["mean"])
        extensions, extra_rows = run_extensions(ctx)
    meta = describe(options, large, hello, started)
    meta.update(load_before=load_before, load_after=_load())
    table_rows = [loaded[0], *rows.values(), *extra_rows, loaded[1]]
    print_report(table_rows, meta, extensions)
    print(f"results: {write_json(table_rows, meta, extensions)}")
    if any(r.errors for r in table_rows):
        return 2
    missed = any(r.misses() for r in table_rows) or extension_misses(extensions)
    return 1 if options.strict and missed else 0


def sign_in(server: Server, fixtures: dict, pages: list[Scenario]) -> dict:
    """Sign in over HTTP as each role the scenarios need."""
    roles = sorted({s.role for s in pages if s.role})
    return {role: server.login(fixtures["people"][role], fixtures["password"]) for role in roles}


def target(s: Scenario, server: Server, fixtures: dict, tokens: dict) -> Target:
    return Target(server, fixtures, tokens.get(s.role), s.path_for(fixtures))


def probe(s: Scenario, server: Server, fixtures: dict, tokens: dict, row: Row) -> tuple[int | None, int | None]:
    """Fetch once to warm up (it may refresh the session), then three times alone, timed.

    Keeps the last answer's gzipped size and query count, and the median time of one
    request with nothing else running (the "1× ms" column: the page's own cost).
    """
    t = target(s, server, fixtures, tokens)
    s.fetch_once(t)
    times = []
    for _ in range(3):
        started = time.perf_counter()
        answer = s.fetch_once(t)
        times.append(1000 * (time.perf_counter() - started))
    row.single_ms = sorted(times)[1]
    if answer.status != s.expect_status:
        row.errors.append(f"{server.name}: HTTP {answer.status} (expected {s.expect_status}) for {t.path}")
        return None, None
    count = answer.header("X-Query-Count")
    return answer.gzipped_size(), int(count) if count else None


def load(s: Scenario, server: Server, fixtures: dict, tokens: dict, options, label: str) -> wrk.WrkResult:
    """Warm up, then measure one scenario with wrk."""
    t = target(s, server, fixtures, tokens)
    kw = dict(token=t.token, threads=options.wrk_threads, connections=options.connections, label=label,
              expect_status=s.expect_status)
    server.wait_idle()
    if options.warmup > 0:  # a fresh script each time: a POST's client UUIDs must not repeat
        wrk.run(server.base + t.path, duration=options.warmup, lua=s.wrk_lua(t) if s.wrk_lua else "", **kw)
        server.wait_idle()
    result = wrk.run(server.base + t.path, duration=options.duration, lua=s.wrk_lua(t) if s.wrk_lua else "", **kw)
    print(f"  {label:<32} {result.rps:8.0f} req/s  p99 {result.p99_ms:8.1f} ms", flush=True)
    return result


def load_all(server, fixtures, tokens, pages, rows, options):
    """Hello first, every page, hello last; ratios against the mean of the two hellos."""
    print(f"loading each scenario for {options.duration}s (after {options.warmup}s warm-up):", flush=True)
    first = load(HELLO, server, fixtures, tokens, options, "hello (first)")
    results = {s.name: load(s, server, fixtures, tokens, options, s.name) for s in pages if not rows[s.name].errors}
    last = load(HELLO, server, fixtures, tokens, options, "hello (last)")
    mean = (first.rps + last.rps) / 2
    hello_rows = []
    for label, r in (("hello (first)", first), ("hello (last)", last)):
        hello_rows.append(Row(label, HELLO.path_for(fixtures), None, rps=r.rps, ratio=r.rps / mean, p99_ms=r.p99_ms))
    for name, r in results.items():
        row = rows[name]
        row.rps, row.ratio = r.rps, r.rps / mean
        row.p50_ms, row.p99_ms = (r.p50_ms, r.p99_ms) if r.requests else (None, None)
        if not r.requests:
            row.notes.append(f"no request finished within {options.duration}s of load")
        if r.not_200 or r.socket_errors:
            row.errors.append(f"{r.not_200} unexpected statuses, {r.socket_errors} socket errors under load")
    return dict(first=first.rps, last=last.rps, mean=mean), hello_rows


def run_extensions(ctx: BenchContext) -> tuple[dict, list[Row]]:
    """Call run() of each extension module present; a failure is reported, not fatal."""
    results, rows = {}, []
    for name in EXTENSIONS:
        if importlib.util.find_spec(name) is None:
            continue
        short = name.rsplit(".", 1)[-1]
        print(f"running {name}.run()", flush=True)
        started = time.monotonic()
        try:
            run = importlib.import_module(name).run
            result = run(ctx) if inspect.signature(run).parameters else run()
            print(f"  {name} took {time.monotonic() - started:.0f}s", flush=True)
        except Exception:  # noqa: BLE001 - an extension's bug must not cost the whole table
            traceback.print_exc()
            rows.append(Row(short, "-", None, errors=[f"{name}.run() raised; see the traceback above"]))
            continue
        if isinstance(result, list) and all(isinstance(r, Row) for r in result):
            rows.extend(result)
        else:
            results[short] = result
    return results, rows


def _load() -> float | None:
    """The 1-minute load average: other work on the machine skews every figure."""
    try:
        return os.getloadavg()[0]
    except OSError:
        return None


def describe(options, large: dataset.Dataset, hello: dict, started: float) -> dict:
    """The run's settings, for the table header and the JSON."""
    counts = large.fixtures.get("counts", {})
    return dict(
        dataset=", ".join(f"{v:,} {k}" for k, v in counts.items()) + " (large); small for query counts",
        server=f"{options.worker_class} ×{options.workers}" + (f" ×{options.threads} threads" if options.threads > 1 else ""),
        load=f"-t{options.wrk_threads} -c{options.connections} -d{options.duration}s",
        hello=hello["mean"], hello_first=hello["first"], hello_last=hello["last"],
        hello_drift_pct=100 * (hello["last"] - hello["first"]) / hello["first"],
        seconds=round(time.monotonic() - started, 1),
    )
