"""The access matrix: every route, who may reach it, and for which objects.

Each rule names an endpoint, its method, how to build its URL for an object
in a relation to the signed-in user, and which roles may reach it for which
relations:
- "own": the object is the user's (their match's family; the family they are
  responsible for; a family in their programme; their programme's mentor);
- "others": another mentor's and another social worker's, same programme;
- "far": another programme's.
Routes with no object use relation None: a role either may or may not.
`tests/test_access_matrix.py` fails when a route in app.url_map has no rule.
"""
from dataclasses import dataclass, field
from typing import Callable

ALL = {"own", "others", "far"}
OWN = {"own"}
PROGRAMME = {"own", "others"}
NONE: set = set()
ROLES = ("admin", "coordinator", "social_worker", "mentor")


@dataclass
class Rule:
    endpoint: str
    method: str
    url: Callable  # (world, relation) -> path; relation is None for object-less routes
    allowed: dict = field(default_factory=dict)  # role -> set of relations (or True/False when object-less)
    public: bool = False  # reachable without signing in
    data: Callable | None = None  # (world, relation) -> form data for POSTs


def family(w, rel):
    return {"own": w.family, "others": w.others_family, "far": w.far_family}[rel]


def match(w, rel):
    return {"own": w.match, "others": w.others_match, "far": w.far_match}[rel]


def mentor(w, rel):
    return {"own": w.mentor, "others": w.other_mentor, "far": w.far_mentor}[rel]


def programme(w, rel):
    return {"own": w.programme, "others": w.programme, "far": w.other_programme}[rel]


CASE_READ = {"admin": NONE, "coordinator": PROGRAMME, "social_worker": OWN, "mentor": OWN}
COORDINATOR_ONLY = {"admin": NONE, "coordinator": PROGRAMME, "social_worker": NONE, "mentor": NONE}
COORD_OR_SW = {"admin": NONE, "coordinator": PROGRAMME, "social_worker": OWN, "mentor": NONE}
USER_ADMIN = {"admin": ALL, "coordinator": PROGRAMME, "social_worker": NONE, "mentor": NONE}

RULES: list[Rule] = [
    # public
    Rule("main.healthz", "GET", lambda w, r: "/healthz", public=True),
    Rule("main.hello", "GET", lambda w, r: "/bench/hello", public=True),
    Rule("static", "GET", lambda w, r: "/static/css/app.css", public=True),
    Rule("auth.login", "GET", lambda w, r: "/login", public=True),
    Rule("auth.login", "POST", lambda w, r: "/login", public=True),
    Rule("auth.reset_request", "GET", lambda w, r: "/account/reset", public=True),
    Rule("auth.reset_request", "POST", lambda w, r: "/account/reset", public=True),
    Rule("auth.set_password", "GET", lambda w, r: "/account/set-password/not-a-real-token", public=True),
    Rule("auth.set_password", "POST", lambda w, r: "/account/set-password/not-a-real-token", public=True),
    Rule("auth.logout", "POST", lambda w, r: "/logout", public=True),
    # any signed-in user
    Rule("main.home", "GET", lambda w, r: "/", allowed=dict.fromkeys(ROLES, True)),
    Rule("auth.account", "GET", lambda w, r: "/account", allowed=dict.fromkeys(ROLES, True)),
    Rule("auth.change_password", "GET", lambda w, r: "/account/password", allowed=dict.fromkeys(ROLES, True)),
    Rule("auth.change_password", "POST", lambda w, r: "/account/password", allowed=dict.fromkeys(ROLES, True)),
    # admin
    Rule("admin.programmes", "GET", lambda w, r: "/admin/programmes", allowed={"admin": True}),
    Rule("admin.new_programme", "GET", lambda w, r: "/admin/programmes/new", allowed={"admin": True}),
    Rule("admin.new_programme", "POST", lambda w, r: "/admin/programmes/new", allowed={"admin": True}),
    Rule("admin.edit_programme", "GET", lambda w, r: f"/admin/programmes/{programme(w, r).id}",
         allowed={"admin": ALL}),
    Rule("admin.edit_programme", "POST", lambda w, r: f"/admin/programmes/{programme(w, r).id}",
         allowed={"admin": ALL}),
    Rule("admin.users", "GET", lambda w, r: "/admin/users", allowed={"admin": True, "coordinator": True}),
    Rule("admin.invite", "GET", lambda w, r: "/admin/users/invite", allowed={"admin": True, "coordinator": True}),
    Rule("admin.invite", "POST", lambda w, r: "/admin/users/invite", allowed={"admin": True, "coordinator": True}),
    Rule("admin.disable", "POST", lambda w, r: f"/admin/users/{mentor(w, r).id}/disable", allowed=USER_ADMIN),
    Rule("admin.enable", "POST", lambda w, r: f"/admin/users/{mentor(w, r).id}/enable", allowed=USER_ADMIN),
    Rule("admin.resend", "POST", lambda w, r: f"/admin/users/{mentor(w, r).id}/resend", allowed=USER_ADMIN),
    # families
    Rule("families.index", "GET", lambda w, r: "/families/",
         allowed={"coordinator": True, "social_worker": True, "mentor": True}),
    Rule("families.refer", "GET", lambda w, r: "/families/refer", allowed={"social_worker": True}),
    Rule("families.refer", "POST", lambda w, r: "/families/refer", allowed={"social_worker": True}),
    Rule("families.show", "GET", lambda w, r: f"/families/{family(w, r).id}", allowed=CASE_READ),
    Rule("families.consent", "POST", lambda w, r: f"/families/{family(w, r).id}/consent", allowed=COORD_OR_SW),
    Rule("families.add_child", "POST", lambda w, r: f"/families/{family(w, r).id}/children", allowed=COORD_OR_SW),
    Rule("families.reassign", "POST", lambda w, r: f"/families/{family(w, r).id}/social-worker",
         allowed=COORDINATOR_ONLY),
    # mentors and matches
    Rule("matches.mentors", "GET", lambda w, r: "/mentors", allowed={"coordinator": True}),
    Rule("matches.readiness", "GET", lambda w, r: f"/mentors/{mentor(w, r).id}/readiness",
         allowed=COORDINATOR_ONLY),
    Rule("matches.readiness", "POST", lambda w, r: f"/mentors/{mentor(w, r).id}/readiness",
         allowed=COORDINATOR_ONLY),
    Rule("matches.new_match", "GET", lambda w, r: f"/families/{family(w, r).id}/match", allowed=COORDINATOR_ONLY),
    Rule("matches.new_match", "POST", lambda w, r: f"/families/{family(w, r).id}/match", allowed=COORDINATOR_ONLY),
    Rule("matches.show", "GET", lambda w, r: f"/matches/{match(w, r).id}", allowed=CASE_READ),
    Rule("matches.start_support", "POST", lambda w, r: f"/matches/{match(w, r).id}/support",
         allowed=COORDINATOR_ONLY),
    Rule("matches.review", "POST", lambda w, r: f"/matches/{match(w, r).id}/review", allowed=COORDINATOR_ONLY),
    Rule("matches.extend", "POST", lambda w, r: f"/matches/{match(w, r).id}/extend", allowed=COORDINATOR_ONLY),
    Rule("matches.end", "POST", lambda w, r: f"/matches/{match(w, r).id}/end", allowed=COORDINATOR_ONLY),
    # supervision
    Rule("supervision.index", "GET", lambda w, r: "/dashboard", allowed={"coordinator": True}),
    Rule("supervision.mentor_supervision", "GET", lambda w, r: f"/mentors/{mentor(w, r).id}/supervision",
         allowed=COORDINATOR_ONLY),
    Rule("supervision.mentor_supervision", "POST", lambda w, r: f"/mentors/{mentor(w, r).id}/supervision",
         allowed=COORDINATOR_ONLY),
]
