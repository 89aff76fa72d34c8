"""Issue 6's budgets: the coordinator dashboard (p95 ≤ 50 ms) and a year's impact report (≤ 200 ms since issue 15);
issue 11's: a families search and a filtered families list (p95 ≤ 50 ms).

Both single client: requests one after another on the large dataset, after a
warm-up, with the query count of each answer (constant as the data grows).
"""
import statistics
import time
from datetime import date, timedelta

from bench.server import fetch

REQUESTS = 30
WARM_UP = 3
DATABASES = ("sqlite", "postgresql")  # bench.run runs it on both
PAGES = {
    "coordinator dashboard": ("/dashboard", 50.0),
    "impact report, one year": (None, 200.0),
    "families search": ("/families/?q=ash", 50.0),
    "families filtered": ("/families/?stage=support&overdue=1&sort=last_visit", 50.0),
}


def _p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def measure(port: int, token: str, path: str, budget_ms: float, requests: int = REQUESTS, warm_up: int = WARM_UP) -> dict:
    """p50/p95 of sequential requests to one page, and its query counts."""
    for _ in range(warm_up):
        fetch(port, path, token=token)
    samples, queries = [], set()
    for _ in range(requests):
        started = time.perf_counter()
        answer = fetch(port, path, token=token)
        samples.append((time.perf_counter() - started) * 1000)
        if answer.status != 200:
            return {"ok": False, "error": f"{path} answered {answer.status}"}
        queries.add(answer.header("X-Query-Count"))
    p95 = _p95(samples)
    return {"p50_ms": round(statistics.median(samples), 1), "p95_ms": round(p95, 1), "budget_ms": budget_ms,
            "queries": sorted(queries), "ok": p95 <= budget_ms and len(queries) == 1}


def run(ctx) -> dict:
    """bench.run's hook: both pages as the large dataset's coordinator."""
    fixtures = ctx.dataset.fixtures
    token = ctx.tokens.get("coordinator") or ctx.server.login(fixtures["people"]["coordinator"], fixtures["password"])
    end = date.today()
    year = f"/reports/impact?start={end - timedelta(days=364)}&end={end}"
    return {name: measure(ctx.server.port, token, path or year, budget) for name, (path, budget) in PAGES.items()}
