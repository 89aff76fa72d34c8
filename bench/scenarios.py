"""What the benchmark measures: each page (or POST) as one Scenario.

To measure a new page, append a Scenario to PAGES. A POST gives `wrk_lua` (Lua that sets
wrk.method/wrk.body or defines request(); the CSRF token and fixtures come from the Target)
and `probe` (one request in Python, for its query count). `needs` names a module that must
exist, so a scenario for a feature still being built is skipped until it lands.
"""
import importlib.util
from dataclasses import dataclass
from typing import Callable

from bench import visit_post
from bench.server import Response, Server

SIZE_BUDGET = 14_000  # bytes: each HTML response, gzipped, headers included (one round trip)
PAGE_RATIO = 0.2  # page throughput >= 0.2 x hello (DESIGN.md's Budgets)
PEER_RATIO = 1.0  # page throughput >= 1.0 x the plain Flask page (bench/peer.py)
SINGLE_MS = 10.0  # one request of any page, alone, on the large dataset
POST_RATIO = 0.1  # visit POST throughput >= 0.1 x hello ...
POST_P99_MS = 250.0  # ... with p99 <= 250 ms under 8 connections


@dataclass
class Target:
    """A scenario aimed at one running server, as one signed-in person (or nobody)."""

    server: Server
    fixtures: dict
    token: str | None
    path: str


@dataclass
class Scenario:
    """One thing to load: a path, who asks, and its budgets (None: no budget)."""

    name: str
    path: str | Callable[[dict], str]  # or fixtures -> path
    role: str | None = None  # a key of fixtures["people"]
    ratio_budget: float | None = PAGE_RATIO
    size_budget: int | None = SIZE_BUDGET
    peer_budget: float | None = PEER_RATIO
    single_budget_ms: float | None = SINGLE_MS
    p99_budget_ms: float | None = None
    wrk_lua: Callable[[Target], str] | None = None
    probe: Callable[[Target], Response] | None = None
    needs: str | None = None
    expect_status: int = 200

    def path_for(self, fixtures: dict) -> str:
        """The path in a given dataset."""
        return self.path(fixtures) if callable(self.path) else self.path

    def available(self) -> bool:
        """The feature it measures exists in this tree."""
        return self.needs is None or importlib.util.find_spec(self.needs) is not None

    def fetch_once(self, target: Target) -> Response:
        """One request in Python: for the gzipped size and the query count."""
        return self.probe(target) if self.probe else target.server.get(target.path, target.token)


def family_path(f: dict) -> str:
    return f"/families/{f['family_id']}"


def _visit_post(name: str) -> Scenario:
    return Scenario(name, visit_post.form_path, "mentor", ratio_budget=POST_RATIO, size_budget=None, peer_budget=None,
                    single_budget_ms=None, p99_budget_ms=POST_P99_MS,
                    wrk_lua=visit_post.wrk_lua, probe=visit_post.probe, needs="pwa.diary.views", expect_status=302)


NO_BUDGETS = dict(ratio_budget=None, size_budget=None, peer_budget=None, single_budget_ms=None)
HELLO = Scenario("hello", "/bench/hello", **NO_BUDGETS)

PAGES: list[Scenario] = [
    # Not a page: hello with a session cookie shows what the server-side session costs every page.
    Scenario("hello, signed in", "/bench/hello", "mentor", **NO_BUDGETS),
    Scenario("healthz", "/healthz", **NO_BUDGETS),  # not a page: what the probe of a load balancer costs
    Scenario("login page", "/login"),
    Scenario("mentor home (diary)", "/diary", "mentor", needs="pwa.diary.views"),
    Scenario("coordinator dashboard", "/dashboard", "coordinator", needs="pwa.supervision.views"),
    Scenario("families list (coordinator)", "/families/", "coordinator"),
    Scenario("families list (social worker)", "/families/", "social_worker"),
    Scenario("families list (mentor)", "/families/", "mentor"),
    # Issue 11: a name search through the blind index, and a filtered, sorted list (1,000 families).
    Scenario("families search (coordinator)", "/families/?q=ash", "coordinator"),
    Scenario("families filtered (coordinator)", "/families/?stage=support&overdue=1&sort=last_visit", "coordinator"),
    # The measured family has fixtures["busy_family_entries"] (500) diary entries.
    Scenario("family page, 500 entries (mentor)", family_path, "mentor"),
    Scenario("family page, 500 entries (coordinator)", family_path, "coordinator"),
    Scenario("who has seen, busy family (coordinator)", lambda f: f"/families/{f['family_id']}/who-has-seen",
             "coordinator", needs="pwa.subject_access"),
    Scenario("match page (coordinator)", lambda f: f"/matches/{f['match_id']}", "coordinator"),
    Scenario("mentors list (coordinator)", "/mentors", "coordinator"),
    Scenario("accounts list (admin)", "/admin/users", "admin"),
    Scenario("concerns list (social worker)", "/concerns/", "social_worker", needs="pwa.concerns.views"),
    Scenario("impact report (coordinator)", "/reports/impact", "coordinator", needs="pwa.reports.views"),
    Scenario("visit form page (mentor)", visit_post.form_path, "mentor", needs="pwa.diary.views"),
    _visit_post("visit POST (mentor)"),  # last: its new entries must not change the pages above
]


def selected(names: list[str] | None) -> list[Scenario]:
    """The scenarios to run: all available ones, or those whose name contains one of `names`."""
    pages = [s for s in PAGES if s.available()]
    if names:
        pages = [s for s in pages if any(n.lower() in s.name.lower() for n in names)]
    return pages
