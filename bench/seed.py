"""The benchmark's dataset, written fast through the ORM.

Run as `python -m bench.seed SIZE FIXTURES_JSON` with DATABASE_URL and BRIDGE_DATA_KEY_FILE
set, after `flask db upgrade`. Encrypted columns need mapped objects, so rows go in with
`add_all` and a commit every few thousand; the one password is hashed once. Steps in STEPS
run in order; a feature adds its data by appending a step (see bench/__init__.py).
"""
import json
import random
import sys
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from pwa.core import clock
from pwa.core.extensions import db

PASSWORD = "bench-password-not-secret"
BATCH = 2000
SURNAMES = ["Ash", "Birch", "Cedar", "Damson", "Elm", "Fir", "Hazel", "Holly", "Juniper", "Larch", "Maple",
            "Oak", "Pine", "Rowan", "Spruce", "Willow", "Yew", "Alder", "Beech", "Hawthorn"]
FIRST_NAMES = ["Amy", "Ben", "Cal", "Dee", "Eli", "Fay", "Gus", "Hal", "Ivy", "Jay", "Kit", "Lia", "Max", "Noa",
               "Ola", "Pip", "Rae", "Sol", "Tia", "Zac"]
REASON = ("Parent asked for practical and emotional support with routines and school attendance. "
          "Two school moves this year; the children's attendance is below 80% and the parent feels isolated.")
PLAN = ("Weekly home visits; support with morning routines and getting to school on time; go with the "
        "family to appointments and help the parent build a support network. The volunteer does not "
        "supervise contact and does not hold the family's money.")
REVIEW = ("Review with the family and the social worker: routines are improving, attendance up this half "
          "term. Keep the weekly visit; next focus is the health visitor appointments.")


@dataclass(frozen=True)
class Spec:
    """How much data: per-person caseloads stay the same, only the totals change."""

    name: str
    families: int
    mentors: int
    programmes: int = 2
    families_per_social_worker: int = 20
    visits: int = 0  # used by a visits step once the diary exists
    concerns: int = 0  # used by a concerns step once concerns exist
    busy_family_entries: int = 500  # entries on the one family measured with a long diary


SIZES = {
    "tiny": Spec("tiny", families=4, mentors=2, programmes=1, visits=40, concerns=4, busy_family_entries=10),
    "small": Spec("small", families=50, mentors=15, visits=5_000, concerns=250),
    "large": Spec("large", families=1_000, mentors=300, visits=100_000, concerns=5_000),
}


@dataclass
class SeedContext:
    """What the steps share: ids of what is made so far, and the fixtures for the benchmark."""

    spec: Spec
    rng: random.Random
    today: date
    password_hash: str
    programmes: list = field(default_factory=list)  # programme ids
    people: dict = field(default_factory=dict)  # (programme index, role name) -> [user ids]
    families: list = field(default_factory=list)  # (family id, programme index, social worker id, stage)
    matches: list = field(default_factory=list)  # (match id, family id, mentor id, active)
    children: dict = field(default_factory=dict)  # family id -> [child ids]
    match_started: dict = field(default_factory=dict)  # match id -> date
    match_ended: dict = field(default_factory=dict)  # match id -> date (ended matches only)
    fixtures: dict = field(default_factory=dict)
    pending: list = field(default_factory=list)

    def add(self, obj):
        """Queue a new row, commit every BATCH rows, and return its id (read before the commit expires it)."""
        key = getattr(obj, "id", None)
        self.pending.append(obj)
        if len(self.pending) >= BATCH:
            self.commit()
        return key

    def commit(self) -> None:
        """Write what is queued and let the session forget it."""
        db.session.add_all(self.pending)
        db.session.commit()
        db.session.expunge_all()
        self.pending.clear()


def seed_people(ctx: SeedContext) -> None:
    """Programmes, an admin, and per programme a coordinator, social workers and mentors."""
    from pwa.models import Programme, Role, User

    spec, now = ctx.spec, clock.now()
    per_programme = -(-spec.families // spec.programmes)
    workers = max(1, -(-per_programme // spec.families_per_social_worker))
    mentors = max(1, spec.mentors // spec.programmes)

    def person(email, name, role, programme_id, index=0):
        user = User(email=email, name=name, role=role, programme_id=programme_id,
                    password_hash=ctx.password_hash, password_changed_at=now)
        if role is Role.mentor:
            ready = index % 20 != 19  # one mentor in twenty is not yet inducted
            user.dbs_checked_on = ctx.today - timedelta(days=30 + index % 900)
            user.cp_trained_on = ctx.today - timedelta(days=20 + index % 700)
            user.inducted_on = ctx.today - timedelta(days=10 + index % 600) if ready else None
        return ctx.add(user)

    for p in range(spec.programmes):
        ctx.programmes.append(ctx.add(Programme(name=f"Bench programme {p}", duty_email=f"duty{p}@bench.example",
                                                duty_phone="01632 960000")))
    ctx.people[(None, "admin")] = [person("admin@bench.example", "Ada Admin", Role.admin, None)]
    for p, pid in enumerate(ctx.programmes):
        ctx.people[(p, "coordinator")] = [person(f"coordinator{p}@bench.example", f"Cora Coordinator {p}",
                                                 Role.coordinator, pid)]
        ctx.people[(p, "social_worker")] = [person(f"sw{p}-{i}@bench.example", f"Sam Social-Worker {p}-{i}",
                                                   Role.social_worker, pid) for i in range(workers)]
        ctx.people[(p, "mentor")] = [person(f"mentor{p}-{i}@bench.example", f"Mo Mentor {p}-{i}", Role.mentor, pid, i)
                                     for i in range(mentors)]
    ctx.commit()


STAGES = (("referral", 5), ("engagement", 5), ("matching", 5), ("support", 75), ("ending", 10))


def seed_families(ctx: SeedContext) -> None:
    """Families spread over programmes and social workers, each with one to three children."""
    from pwa.models import Child, ConsentMethod, Family, PlanType, Stage

    names, weights = zip(*STAGES)
    for n in range(ctx.spec.families):
        p = n % len(ctx.programmes)
        workers = ctx.people[(p, "social_worker")]
        sw = workers[(n // len(ctx.programmes)) % len(workers)]
        stage = Stage[ctx.rng.choices(names, weights)[0]] if n >= len(ctx.programmes) else Stage.support
        family = Family(programme_id=ctx.programmes[p], display_name=f"The {SURNAMES[n % 20]} family ({n})",
                        address=f"{n % 200 + 1} River Street, Riverside RS{n % 9 + 1}", plan_type=list(PlanType)[n % 3],
                        social_worker_id=sw, referred_by_id=sw, referral_reason=REASON, involvement_plan=PLAN,
                        stage=stage, referred_at=clock.now() - timedelta(days=400 - n % 365))
        if stage is not Stage.referral:
            family.consent_given_on = ctx.today - timedelta(days=300 - n % 200)
            family.consent_method, family.consent_recorded_by_id = ConsentMethod.written, sw
        family_id = ctx.add(family)
        ctx.children[family_id] = [
            ctx.add(Child(family_id=family_id, first_name=FIRST_NAMES[(n + c) % 20],
                          date_of_birth=ctx.today - timedelta(days=365 * (2 + (n + 5 * c) % 14) + n % 300)))
            for c in range(1 + n % 3)]
        ctx.families.append((family_id, p, sw, stage.name))
    ctx.commit()


def seed_matches(ctx: SeedContext) -> None:
    """A match for every family past engagement (ended ones for Ending); reviews and some extensions."""
    from pwa.models import EndingReason, Match, MatchExtension, MatchReview, Stage

    count: dict = {}
    for n, (family_id, p, sw, stage) in enumerate(ctx.families):
        if stage not in ("matching", "support", "ending"):
            continue
        coordinator, mentors = ctx.people[(p, "coordinator")][0], ctx.people[(p, "mentor")]
        mentor = mentors[count.setdefault(p, 0) % len(mentors)]
        count[p] += 1
        started = ctx.today - timedelta(days=(20 if stage == "matching" else 60 + n % 120))
        extended = stage == "support" and n % 10 == 0
        match = Match(family_id=family_id, mentor_id=mentor, matched_by_id=coordinator, started_on=started,
                      agreed_end_on=started + timedelta(days=273 if extended else 182),
                      next_review_on=ctx.today + timedelta(days=n % 42), stage=Stage[stage])
        if stage == "ending":
            match.ended_on, match.ending_reason = ctx.today - timedelta(days=n % 30), EndingReason.plan_completed
            match.ending_summary, match.next_review_on = "Routines settled; plan stepped down.", None
        ended_on = match.ended_on  # read before ctx.add: a batch commit detaches the object
        match_id = ctx.add(match)
        ctx.match_started[match_id] = started
        if ended_on:
            ctx.match_ended[match_id] = ended_on
        for r in range(2 if stage != "matching" else 0):
            ctx.add(MatchReview(match_id=match_id, held_on=started + timedelta(weeks=6 * (r + 1)), notes=REVIEW,
                                next_review_on=started + timedelta(weeks=6 * (r + 2)), recorded_by_id=coordinator))
        if extended:
            ctx.add(MatchExtension(match_id=match_id, previous_end_on=started + timedelta(days=182),
                                   new_end_on=started + timedelta(days=273), decided_by_id=coordinator,
                                   reason="The family asked for more time; school attendance still improving."))
        ctx.matches.append((match_id, family_id, mentor, stage != "ending"))
    ctx.commit()


def measured_match(ctx: SeedContext) -> tuple:
    """The match (and family) the benchmark loads: programme 0's mentor 0's first active one."""
    mentor = ctx.people[(0, "mentor")][0]
    return next((m, f) for m, f, who, active in ctx.matches if who == mentor and active)


def choose_fixtures(ctx: SeedContext) -> None:
    """Name who and what the benchmark measures: programme 0's people and mentor 0's first family."""
    mentor = ctx.people[(0, "mentor")][0]
    match_id, family_id = measured_match(ctx)
    sw = next(sw for f, p, sw, stage in ctx.families if f == family_id)
    emails = _emails([ctx.people[(None, "admin")][0], ctx.people[(0, "coordinator")][0], sw, mentor])
    mine = [f for m, f, who, active in ctx.matches if who == mentor and active]
    ctx.fixtures.update(
        password=PASSWORD, family_id=str(family_id), match_id=str(match_id), post_family_id=str(mine[1 % len(mine)]),
        people=dict(zip(("admin", "coordinator", "social_worker", "mentor"), emails)),
        counts=_counts(),
    )


def _counts() -> dict:
    """Rows in the main tables (those that exist in this tree)."""
    import sqlalchemy as sa

    present = set(sa.inspect(db.session.connection()).get_table_names())
    tables = [t for t in ("families", "users", "matches", "visits", "concerns") if t in present]
    return {t: db.session.scalar(sa.text(f"SELECT count(*) FROM {t}")) for t in tables}


def _emails(user_ids) -> list[str]:
    import sqlalchemy as sa

    from pwa.models import User

    rows = dict(db.session.execute(sa.select(User.id, User.email).where(User.id.in_(user_ids))).all())
    return [rows[uid] for uid in user_ids]


STEPS = [seed_people, seed_families, seed_matches, choose_fixtures]


def optional_steps() -> list:
    """Steps for features that may not exist yet (bench/seed_<feature>.py, each with available() and seed())."""
    import importlib

    steps = []
    for name in ("bench.seed_diary", "bench.seed_concerns"):
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        if module.available():
            steps.append(module.seed)
    return steps


def seed(spec: Spec, seed_value: int = 20251122) -> dict:
    """Write the whole dataset inside the current app context; return the fixtures."""
    from pwa.auth.passwords import hash_password

    ctx = SeedContext(spec=spec, rng=random.Random(seed_value), today=clock.today(),
                      password_hash=hash_password(PASSWORD))
    for step in STEPS[:-1] + optional_steps() + STEPS[-1:]:
        step(ctx)
        ctx.commit()
    return ctx.fixtures


def complete_schema() -> dict:
    """Make what the migrations lack: new tables by create_all; new columns by rebuilding from the models.

    Features add models before the lead regenerates the migrations; the report names what
    the migrations did not build, so the gap stays visible.
    """
    from sqlalchemy import inspect

    def columns():
        found = inspect(db.engine)
        return {t: {c["name"] for c in found.get_columns(t)} for t in found.get_table_names()}

    before = columns()
    db.create_all()
    lagging = [f"{t.name}.{c.name}" for t in db.metadata.sorted_tables if t.name in before
               for c in t.columns if c.name not in before[t.name]]
    if lagging:
        db.drop_all()
        db.create_all()
    return {"tables_outside_migrations": sorted(set(columns()) - set(before)), "columns_outside_migrations": lagging}


def main(argv: list[str]) -> None:
    """Seed SIZE into DATABASE_URL and write the fixtures JSON."""
    size, out = argv[0], Path(argv[1])
    from pwa import create_app

    app = create_app()
    with app.app_context():
        gaps = complete_schema()
        fixtures = seed(SIZES[size])
    out.write_text(json.dumps(dict(fixtures, **gaps), indent=2))


if __name__ == "__main__":
    main(sys.argv[1:])
