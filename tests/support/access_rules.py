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

from tests.support.concern_world import concern_id, dead_letter_id, debrief_id, held_id

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


def entry(w, rel):
    """A diary entry by the relation's mentor on the relation's family, made on first use."""
    cache = w.__dict__.setdefault("_entries", {})
    if rel not in cache:
        import uuid

        from pwa.core import clock
        from pwa.core.extensions import db
        from pwa.models import Visit, VisitKind

        m = match(w, rel)
        with w.app.app_context():
            v = Visit(family_id=m.family_id, match_id=m.id, author_id=m.mentor_id, visit_on=clock.today(),
                      started_at=clock.now(), duration_minutes=45, kind=VisitKind.home_visit, what_done="Played",
                      client_uuid=uuid.uuid4(), body_hash="0" * 64)
            db.session.add(v)
            db.session.commit()
            cache[rel] = db.session.get(Visit, v.id)
            db.session.expunge(cache[rel])
    return cache[rel]


def goal_id(w, rel):
    """An active goal on the relation's family, made on first use."""
    cache = w.__dict__.setdefault("_goal_ids", {})
    if rel not in cache:
        from pwa.core import clock
        from pwa.core.extensions import db
        from pwa.models import Goal, GoalStatus

        m = match(w, rel)
        with w.app.app_context():
            g = Goal(family_id=m.family_id, title="Bedtime by eight", success_looks_like="Calm evenings",
                     status=GoalStatus.active, proposed_by_id=m.matched_by_id, agreed_by_id=m.matched_by_id,
                     agreed_at=clock.now())
            db.session.add(g)
            db.session.commit()
            cache[rel] = g.id
    return cache[rel]


def child_id(w, rel):
    """The relation's family's first child."""
    return family(w, rel).children[0].id


def person_id(w, rel):
    """A parent on the relation's family's record, made on first use."""
    cache = w.__dict__.setdefault("_person_ids", {})
    if rel not in cache:
        from pwa.core.extensions import db
        from pwa.models import FamilyPerson, PersonKind

        f = family(w, rel)
        with w.app.app_context():
            p = FamilyPerson(family_id=f.id, kind=PersonKind.parent_carer, name="Kelly", added_by_id=f.social_worker_id)
            db.session.add(p)
            db.session.commit()
            cache[rel] = p.id
    return cache[rel]


CASE_READ = {"admin": NONE, "coordinator": PROGRAMME, "social_worker": OWN, "mentor": OWN}
COORDINATOR_ONLY = {"admin": NONE, "coordinator": PROGRAMME, "social_worker": NONE, "mentor": NONE}
COORD_OR_SW = {"admin": NONE, "coordinator": PROGRAMME, "social_worker": OWN, "mentor": NONE}
USER_ADMIN = {"admin": ALL, "coordinator": PROGRAMME, "social_worker": NONE, "mentor": NONE}

RULES: list[Rule] = [
    # public
    Rule("bench.bare", "GET", lambda w, r: "/bench/hello", public=True),  # the test app is the bench app
    Rule("main.healthz", "GET", lambda w, r: "/healthz", public=True),
    Rule("api.openapi_json", "GET", lambda w, r: "/openapi.json", public=True),
    Rule("static", "GET", lambda w, r: "/static/css/app.css", public=True),
    Rule("auth.login", "GET", lambda w, r: "/login", public=True),
    Rule("auth.login", "POST", lambda w, r: "/login", public=True),
    Rule("auth.reset_request", "GET", lambda w, r: "/account/reset", public=True),
    Rule("auth.reset_request", "POST", lambda w, r: "/account/reset", public=True),
    Rule("auth.set_password", "GET", lambda w, r: "/account/set-password/not-a-real-token", public=True),
    Rule("auth.set_password", "POST", lambda w, r: "/account/set-password/not-a-real-token", public=True),
    Rule("auth.logout", "POST", lambda w, r: "/logout", public=True),
    Rule("sso.start", "GET", lambda w, r: "/sso", public=True),
    Rule("sso.start", "POST", lambda w, r: "/sso", public=True),
    Rule("sso.callback", "GET", lambda w, r: "/sso/callback?state=not-a-real-state&code=x", public=True),
    # any signed-in user
    Rule("main.home", "GET", lambda w, r: "/", allowed=dict.fromkeys(ROLES, True)),
    Rule("auth.account", "GET", lambda w, r: "/account", allowed=dict.fromkeys(ROLES, True)),
    Rule("auth.change_password", "GET", lambda w, r: "/account/password", allowed=dict.fromkeys(ROLES, True)),
    Rule("auth.change_password", "POST", lambda w, r: "/account/password", allowed=dict.fromkeys(ROLES, True)),
    Rule("auth.preferences", "POST", lambda w, r: "/account/preferences", allowed=dict.fromkeys(ROLES, True)),
    # second factors (a fully signed-in session; tests/test_mfa.py covers the password-only one)
    *[Rule(f"mfa.{name}", method, lambda w, r, path=path: f"/account/mfa/{path}", allowed=dict.fromkeys(ROLES, True))
      for name, method, path in [
          ("enrol", "GET", "enrol"), ("enrol", "POST", "enrol"), ("verify", "GET", "verify"),
          ("verify", "POST", "verify"), ("recovery_codes", "GET", "recovery-codes"),
          ("recovery_codes", "POST", "recovery-codes"), ("forget_devices", "POST", "devices/forget"),
          ("passkey_options", "POST", "passkeys/new/options"), ("passkey_register", "POST", "passkeys/new"),
          ("passkey_login_options", "POST", "passkeys/login/options"), ("passkey_login", "POST", "passkeys/login")]],
    # nobody removes a passkey that is not theirs (this one is nobody's)
    Rule("mfa.passkey_remove", "POST", lambda w, r: "/account/mfa/passkeys/6f1c2f0e-0000-4000-8000-000000000000/remove"),
    Rule("mfa.reset_for", "POST", lambda w, r: f"/account/mfa/reset/{mentor(w, r).id}", allowed=USER_ADMIN),
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
    # the two-person rule and single sign-on settings
    Rule("approvals.queue", "GET", lambda w, r: "/admin/approvals", allowed={"admin": True, "coordinator": True}),
    Rule("approvals.approve", "POST", lambda w, r: f"/admin/users/{mentor(w, r).id}/approve", allowed=USER_ADMIN),
    Rule("approvals.change_access", "GET", lambda w, r: f"/admin/users/{mentor(w, r).id}/access",
         allowed=USER_ADMIN),
    Rule("approvals.change_access", "POST", lambda w, r: f"/admin/users/{mentor(w, r).id}/access",
         allowed=USER_ADMIN),
    Rule("sso_settings.edit", "GET", lambda w, r: f"/admin/programmes/{programme(w, r).id}/sso",
         allowed={"admin": ALL}),
    Rule("sso_settings.edit", "POST", lambda w, r: f"/admin/programmes/{programme(w, r).id}/sso",
         allowed={"admin": ALL}),
    # families
    Rule("families.index", "GET", lambda w, r: "/families/",
         allowed={"coordinator": True, "social_worker": True, "mentor": True}),
    Rule("families.refer", "GET", lambda w, r: "/families/refer", allowed={"social_worker": True}),
    Rule("families.refer", "POST", lambda w, r: "/families/refer", allowed={"social_worker": True}),
    Rule("families.show", "GET", lambda w, r: f"/families/{family(w, r).id}", allowed=CASE_READ),
    Rule("families.consent", "POST", lambda w, r: f"/families/{family(w, r).id}/consent", allowed=COORD_OR_SW),
    Rule("families.add_child", "POST", lambda w, r: f"/families/{family(w, r).id}/children", allowed=COORD_OR_SW),
    Rule("families.update_plan", "POST", lambda w, r: f"/families/{family(w, r).id}/plan", allowed=COORD_OR_SW),
    Rule("families.add_person", "POST", lambda w, r: f"/families/{family(w, r).id}/people", allowed=COORD_OR_SW),
    Rule("families.remove_person", "POST", lambda w, r: f"/families/{family(w, r).id}/people/{person_id(w, r)}/remove",
         allowed=COORD_OR_SW),
    Rule("families.correct_child", "POST", lambda w, r: f"/families/{family(w, r).id}/children/{child_id(w, r)}",
         allowed=COORD_OR_SW),
    Rule("families.remove_child", "POST",
         lambda w, r: f"/families/{family(w, r).id}/children/{child_id(w, r)}/remove", allowed=COORD_OR_SW),
    Rule("families.withdraw_consent", "POST", lambda w, r: f"/families/{family(w, r).id}/consent/withdraw",
         allowed=COORD_OR_SW),
    Rule("families.reassign", "POST", lambda w, r: f"/families/{family(w, r).id}/social-worker",
         allowed=COORDINATOR_ONLY),
    # closing a case, legal holds and the retention report (the coordinator of the family's programme)
    Rule("closure.close", "GET", lambda w, r: f"/families/{family(w, r).id}/close", allowed=COORDINATOR_ONLY),
    Rule("closure.close", "POST", lambda w, r: f"/families/{family(w, r).id}/close", allowed=COORDINATOR_ONLY),
    Rule("closure.reopen", "POST", lambda w, r: f"/families/{family(w, r).id}/reopen", allowed=COORDINATOR_ONLY),
    Rule("closure.hold", "GET", lambda w, r: f"/families/{family(w, r).id}/hold", allowed=COORDINATOR_ONLY),
    Rule("closure.hold", "POST", lambda w, r: f"/families/{family(w, r).id}/hold", allowed=COORDINATOR_ONLY),
    Rule("closure.report", "GET", lambda w, r: "/retention", allowed={"coordinator": True}),
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
    # the social worker's view
    Rule("casework.caseload", "GET", lambda w, r: "/caseload", allowed={"coordinator": True, "social_worker": True}),
    Rule("casework.family_chronology", "GET", lambda w, r: f"/families/{family(w, r).id}/chronology",
         allowed=COORD_OR_SW),
    Rule("casework.family_report", "GET", lambda w, r: f"/families/{family(w, r).id}/report", allowed=COORD_OR_SW),
    Rule("casework.family_report_pdf", "GET", lambda w, r: f"/families/{family(w, r).id}/report.pdf",
         allowed=COORD_OR_SW),
    # data protection: who has seen a family's record, and its subject-access export (its coordinator)
    Rule("subject_access.who_has_seen", "GET", lambda w, r: f"/families/{family(w, r).id}/who-has-seen",
         allowed=COORDINATOR_ONLY),
    Rule("subject_access.subject_access", "GET", lambda w, r: f"/families/{family(w, r).id}/subject-access",
         allowed=COORDINATOR_ONLY),
    Rule("subject_access.subject_access", "POST", lambda w, r: f"/families/{family(w, r).id}/subject-access",
         allowed=COORDINATOR_ONLY, data=lambda w, r: {"reason": "Subject access request from the mother"}),
    # reports
    Rule("reports.impact_report", "GET", lambda w, r: "/reports/impact", allowed={"coordinator": True}),
    Rule("reports.impact_csv", "GET", lambda w, r: "/reports/impact.csv?table=how_much",
         allowed={"coordinator": True}),
    Rule("reports.visits_csv", "GET", lambda w, r: "/reports/visits.csv", allowed={"coordinator": True}),
    # supervision
    Rule("supervision.review_entry", "POST", lambda w, r: f"/visits/{entry(w, r).id}/review",
         allowed=COORDINATOR_ONLY),
    Rule("supervision.index", "GET", lambda w, r: "/dashboard", allowed={"coordinator": True}),
    Rule("supervision.section_all", "GET", lambda w, r: "/dashboard/overdue", allowed={"coordinator": True}),
    Rule("supervision.talked", "POST", lambda w, r: f"/visits/{entry(w, r).id}/talked", allowed=COORDINATOR_ONLY),
    Rule("supervision.mentor_supervision", "GET", lambda w, r: f"/mentors/{mentor(w, r).id}/supervision",
         allowed=COORDINATOR_ONLY),
    Rule("supervision.mentor_supervision", "POST", lambda w, r: f"/mentors/{mentor(w, r).id}/supervision",
         allowed=COORDINATOR_ONLY),
    # safeguarding concerns (objects made lazily by tests/concern_world.py)
    Rule("concerns.new", "GET", lambda w, r: f"/families/{family(w, r).id}/concerns/new", allowed=CASE_READ),
    Rule("concerns.new", "POST", lambda w, r: f"/families/{family(w, r).id}/concerns/new", allowed=CASE_READ),
    Rule("concerns.index", "GET", lambda w, r: "/concerns/",
         allowed={"coordinator": True, "social_worker": True, "mentor": True}),
    Rule("concerns.show", "GET", lambda w, r: f"/concerns/{concern_id(w, r)}", allowed=CASE_READ),
    Rule("concerns.acknowledge", "POST", lambda w, r: f"/concerns/{concern_id(w, r)}/acknowledge",
         allowed=COORD_OR_SW),
    Rule("concerns.action_taken", "POST", lambda w, r: f"/concerns/{concern_id(w, r)}/action",
         allowed={"social_worker": OWN}, data=lambda w, r: {"note": "Strategy discussion held"}),
    Rule("concerns.add_addendum", "POST", lambda w, r: f"/concerns/{concern_id(w, r)}/addenda",
         allowed={"mentor": OWN, "coordinator": PROGRAMME}),
    Rule("concerns.complete_debrief", "POST", lambda w, r: f"/concerns/debriefs/{debrief_id(w, r)}",
         allowed=COORDINATOR_ONLY, data=lambda w, r: {"note": "Talked it through by phone"}),
    Rule("concerns.status_json", "GET", lambda w, r: f"/concerns/{concern_id(w, r)}/status", allowed=CASE_READ),
    # entries held from phones (the coordinator of the sender's programme)
    Rule("quarantine.index", "GET", lambda w, r: "/quarantine/", allowed={"coordinator": True}),
    Rule("quarantine.show", "GET", lambda w, r: f"/quarantine/{held_id(w, r)}", allowed=COORDINATOR_ONLY),
    Rule("quarantine.record", "POST", lambda w, r: f"/quarantine/{held_id(w, r)}/record", allowed=COORDINATOR_ONLY),
    Rule("quarantine.dismiss", "POST", lambda w, r: f"/quarantine/{held_id(w, r)}/dismiss", allowed=COORDINATOR_ONLY,
         data=lambda w, r: {"note": "Phoned the mentor"}),
    Rule("outbox.undelivered", "GET", lambda w, r: "/mail/undelivered", allowed={"admin": True, "coordinator": True}),
    Rule("outbox.retry_mail", "POST", lambda w, r: f"/mail/undelivered/{dead_letter_id(w, r)}/retry",
         allowed={"admin": ALL, "coordinator": PROGRAMME}),
    # diary, goals and outcome readings
    Rule("diary.home", "GET", lambda w, r: "/diary", allowed={"mentor": True}),
    Rule("diary.new_visit", "GET", lambda w, r: f"/families/{family(w, r).id}/visits/new", allowed={"mentor": OWN}),
    Rule("diary.new_visit", "POST", lambda w, r: f"/families/{family(w, r).id}/visits/new", allowed={"mentor": OWN}),
    Rule("diary.show_visit", "GET", lambda w, r: f"/visits/{entry(w, r).id}", allowed=CASE_READ),
    Rule("diary.correct_visit", "GET", lambda w, r: f"/visits/{entry(w, r).id}/correct", allowed={"mentor": OWN}),
    Rule("diary.correct_visit", "POST", lambda w, r: f"/visits/{entry(w, r).id}/correct", allowed={"mentor": OWN}),
    Rule("goals.index", "GET", lambda w, r: f"/families/{family(w, r).id}/goals", allowed=CASE_READ),
    Rule("goals.create", "POST", lambda w, r: f"/families/{family(w, r).id}/goals", allowed=CASE_READ),
    Rule("goals.show", "GET", lambda w, r: f"/goals/{goal_id(w, r)}", allowed=CASE_READ),
    Rule("goals.agree", "POST", lambda w, r: f"/goals/{goal_id(w, r)}/agree", allowed={"social_worker": OWN}),
    Rule("goals.family_agreement", "POST", lambda w, r: f"/goals/{goal_id(w, r)}/family-agreement",
         allowed=COORD_OR_SW),
    Rule("goals.close", "POST", lambda w, r: f"/goals/{goal_id(w, r)}/close", allowed=COORD_OR_SW),
    Rule("outcomes.show_journey", "GET", lambda w, r: f"/families/{family(w, r).id}/journey", allowed=CASE_READ),
    Rule("outcomes.new_reading", "GET", lambda w, r: f"/families/{family(w, r).id}/readings/new", allowed=CASE_READ),
    Rule("outcomes.new_reading", "POST", lambda w, r: f"/families/{family(w, r).id}/readings/new",
         allowed=CASE_READ),
    # offline: the shell is public and holds no case data; the outbox's JSON is the mentor's own
    Rule("offline.service_worker", "GET", lambda w, r: "/sw.js", public=True),
    Rule("offline.manifest", "GET", lambda w, r: "/manifest.webmanifest", public=True),
    Rule("offline.fallback", "GET", lambda w, r: "/offline", public=True),
    Rule("offline.visit_form", "GET", lambda w, r: "/offline/visit", public=True),
    Rule("offline.concern_form", "GET", lambda w, r: "/offline/concern", public=True),
    Rule("offline.outbox", "GET", lambda w, r: "/offline/outbox", public=True),
    Rule("offline.snapshot", "GET", lambda w, r: "/offline/snapshot", allowed={"mentor": True}),
    Rule("offline.key", "GET", lambda w, r: "/offline/key", allowed={"mentor": True}),
    Rule("offline.token", "GET", lambda w, r: "/sync/token", allowed={"mentor": True}),
    Rule("offline.items", "POST", lambda w, r: "/sync/items", allowed={"mentor": True}),
    Rule("offline.states", "GET", lambda w, r: "/sync/states", allowed={"mentor": True}),
]
