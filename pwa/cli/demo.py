"""Demo data: one programme, its people, and six families at different stages."""
import uuid
from datetime import time, timedelta

import click
from flask.cli import with_appcontext
import sqlalchemy as sa

from pwa.cli.demo_code import enrol_demo, print_how
from pwa.core import clock
from pwa.auth.passwords import hash_password
from pwa.core.extensions import db
from pwa.families import services as families
from pwa.goals import services as goals
from pwa.matches import services as matches
from pwa.models import (ConsentMethod, EndingReason, PlanType, Programme, ProgressMark, ReadingOccasion, Role, User,
                        Visit, VisitChild, VisitGoal, VisitKind)
from pwa.outcomes import services as outcomes

DEMO_PASSWORD = "bridge-demo-password"  # nosec B105  # the published demo password (README), demo data only
PEOPLE = [
    ("admin@bridge.example", "Ada Admin", Role.admin),
    ("coordinator@bridge.example", "Cora Coordinator", Role.coordinator),
    ("sw1@bridge.example", "Sam Social-Worker", Role.social_worker),
    ("sw2@bridge.example", "Tess Social-Worker", Role.social_worker),
    ("mentor1@bridge.example", "Mo Mentor", Role.mentor),
    ("mentor2@bridge.example", "Nia Mentor", Role.mentor),
    ("mentor3@bridge.example", "Olu Mentor", Role.mentor),
]
FAMILIES = [
    ("The Ash family", PlanType.cp, "Amy 2017-03-04\nBen 2020-09-12", "support"),
    ("The Birch family", PlanType.cin, "Cal 2015-06-30", "support"),
    ("The Cedar family", PlanType.cp, "Dee 2019-01-15\nEli 2021-11-02", "matching"),
    ("The Damson family", PlanType.early_help, "Fay 2016-02-20", "engagement"),
    ("The Elm family", PlanType.cin, "Gus 2018-08-08", "referral"),
    ("The Fir family", PlanType.cp, "Hal 2014-05-05", "ended"),
]


def seed() -> dict[str, User]:
    """Create the demo programme, accounts and families."""
    today = clock.today()
    programme = Programme(name="Riverside Family Mentoring", duty_email="duty@bridge.example",
                          duty_phone="01632 960000")
    db.session.add(programme)
    db.session.flush()
    people, pw = {}, hash_password(DEMO_PASSWORD)
    for email, name, role in PEOPLE:
        user = User(email=email, name=name, role=role, password_hash=pw, password_changed_at=clock.now(),
                    programme_id=None if role is Role.admin else programme.id, approved_at=clock.now())
        if role is Role.mentor and "not yet" not in name:
            user.dbs_checked_on, user.cp_trained_on = today - timedelta(days=400), today - timedelta(days=300)
            user.inducted_on = today - timedelta(days=290)
        elif role is Role.mentor:
            user.dbs_checked_on = today - timedelta(days=20)
        db.session.add(user)
        enrol_demo(user)
        people[email] = user
    db.session.flush()
    coordinator = people["coordinator@bridge.example"]
    workers = [people["sw1@bridge.example"], people["sw2@bridge.example"]]
    mentors = [people["mentor1@bridge.example"], people["mentor2@bridge.example"]]
    for i, (name, plan, kids, stage) in enumerate(FAMILIES):
        _seed_family(i, name, plan, kids, stage, workers[i % 2], coordinator, mentors[i % 2], today)
    return people


def _seed_family(i, name, plan, kids, stage, worker, coordinator, mentor, today) -> None:
    family = families.refer_family(
        worker, display_name=name, address=f"{10 + i} River Street, Riverside", plan_type=plan,
        referral_reason="Parent asked for practical and emotional support with routines and school attendance.",
        involvement_plan="Weekly home visits; support with morning routines and getting to school on time; "
                         "go with the family to appointments. The volunteer does not supervise contact.",
        children=families.parse_children(kids))
    if stage == "referral":
        return
    families.record_consent(worker, family, today - timedelta(days=90 - i), ConsentMethod.written,
                            "Weekly home visits; the diary shared with the social worker.")
    if i == 0:
        _seed_record(worker, family, today)
    if stage == "engagement":
        return
    started = today - timedelta(days=200 if stage == "ended" else 60 - i * 5)
    match = matches.create_match(coordinator, family, mentor, started, None)
    if stage == "matching":
        return
    matches.start_support(coordinator, match)
    _seed_diary(family, match, worker, mentor, today)
    if stage == "ended":
        matches.end_match(coordinator, match, ended_on=today - timedelta(days=10), reason=EndingReason.plan_completed,
                          summary="Routines are settled and the children get to school on time. Plan stepped down.")


def _seed_record(worker, family, today) -> None:
    """Plan details and the people around one family, so the record and the report pack show them."""
    from pwa.families import record
    from pwa.models import CPCategory, PersonKind

    record.update_plan(worker, family, dict(
        plan_started_on=today - timedelta(days=120), cp_category=CPCategory.neglect, council_reference="RCC-204417",
        next_conference_on=today + timedelta(days=40), next_core_group_on=today + timedelta(days=12),
        risks="Mum's ex-partner is not allowed at the address; leave and call the coordinator if he is there.",
        lone_working="Text the coordinator when you arrive and when you leave. Large dog: ask for it to be shut away."))
    record.add_person(worker, family, PersonKind.parent_carer, name="Kerry Ash", role="Mother")
    record.add_person(worker, family, PersonKind.professional, name="Priya Shah", role="Health visitor",
                      agency="Riverside NHS Trust", contact="01632 960123")
    record.add_person(worker, family, PersonKind.professional, name="Mr Jones", role="Designated safeguarding lead",
                      agency="Riverside Primary School")


VISIT_NOTES = [
    ("Helped get the children ready for school; we tried the picture timetable.", "I like the timetable"),
    ("Walked to the park after school, talked about the new bedtime routine.", "Bedtime is boring"),
    ("Went with mum to the GP appointment; waited with the children.", ""),
    ("Phone call to plan the week; mum feels calmer about mornings.", ""),
]


def _seed_diary(family, match, worker, mentor, today) -> None:
    """A few weeks of visits, two goals and two outcome readings for a family in Support."""
    area = outcomes.framework_for(family.programme_id).areas
    routine = goals.add_goal(worker, family, title="Children at school on time every day",
                             success_looks_like="On time at least 4 days a week for a month",
                             outcome_area_id=area[5].id if len(area) > 5 else None,
                             target_on=today + timedelta(days=60), family_agreed_on=today - timedelta(days=40))
    goals.add_goal(mentor, family, title="A calm bedtime routine", success_looks_like="Lights out by 8pm",
                   outcome_area_id=None, target_on=None, family_agreed_on=None)
    for week in range(6, 0, -1):
        day = today - timedelta(days=7 * week - 1)
        what, words = VISIT_NOTES[week % len(VISIT_NOTES)]
        visit = Visit(family_id=family.id, match_id=match.id, author_id=mentor.id, visit_on=day,
                      started_at=clock.at_local(day, time(15, 30)), duration_minutes=90,
                      kind=VisitKind.phone_call if week % 4 == 3 else VisitKind.home_visit, present="Mum and the children",
                      child_words=words or None, what_done=what, next_contact_on=day + timedelta(days=7),
                      travel_tenth_miles=34, talk_to_coordinator=week == 1, client_uuid=uuid.uuid4(), body_hash="demo")
        visit.children = [VisitChild(child_id=c.id, position=i, seen=True, spoken_to=i == 0)
                          for i, c in enumerate(family.children)]
        visit.goals = [VisitGoal(goal_id=routine.id, position=0,
                                 mark=ProgressMark.forward if week % 2 else ProgressMark.same, note="Two late days")]
        db.session.add(visit)
    framework = outcomes.framework_for(family.programme_id)
    for taken, occasion, base in ((today - timedelta(days=45), ReadingOccasion.start, 3),
                                  (today - timedelta(days=3), ReadingOccasion.review, 5)):
        scores = {a.id: (min(10, base + i % 3), min(10, base + 1 + i % 2)) for i, a in enumerate(framework.areas)}
        outcomes.record_reading(mentor, family, framework, taken_on=taken, occasion=occasion, scores=scores,
                                note=None)
    db.session.flush()


@click.command("demo-data")
@with_appcontext
@click.option("--if-empty", is_flag=True, help="Only seed when the database has no accounts yet.")
def demo_data_command(if_empty: bool) -> None:
    """Seed a demo programme and print the demo logins."""
    if db.session.scalar(sa.select(sa.func.count()).select_from(User)):
        if if_empty:
            click.echo("Database already has accounts; demo data not added.")
            _print_logins()
            return
        raise click.ClickException("the database already has accounts; demo data is for an empty database")
    seed()
    db.session.commit()
    click.echo("Demo data created.")
    _print_logins()


def _print_logins() -> None:
    click.echo(f"Demo logins (password for all: {DEMO_PASSWORD}):")
    for email, name, role in PEOPLE:
        click.echo(f"  {role.value:<14} {email:<30} {name}")
    print_how()
