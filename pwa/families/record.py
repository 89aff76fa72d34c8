"""The family record: plan details, the people around the family, corrections to the children,
and the withdrawal of consent. Flush only; every change audited."""
from datetime import date

import sqlalchemy as sa
from flask import current_app

from pwa.core import audit, clock
from pwa.core.extensions import db
from pwa.models import (Child, ChildChange, ChildChangeKind, ConsentMethod, Family, FamilyPerson, PersonKind,
                        PlanDetails, Role, User)
from pwa.outbox.mailer import queue_notice

PLAN_FIELDS = ("plan_started_on", "cp_category", "council_reference", "next_conference_on", "next_core_group_on",
               "next_review_on", "risks", "lone_working")


def plan_of(family: Family) -> PlanDetails | None:
    """The family's plan details, when any have been recorded."""
    return db.session.scalar(sa.select(PlanDetails).where(PlanDetails.family_id == family.id))


def update_plan(actor: User, family: Family, values: dict) -> PlanDetails:
    """Record the plan's details (start, category, council reference, meeting dates, risks)."""
    plan = plan_of(family) or PlanDetails(family_id=family.id)
    for name in PLAN_FIELDS:
        setattr(plan, name, values.get(name))
    plan.updated_by_id, plan.updated_at = actor.id, clock.now()
    db.session.add(plan)
    db.session.flush()
    audit.record(db.session, actor, "plan details changed", family)
    return plan


def people_of(family: Family) -> list[FamilyPerson]:
    """Parents, carers and professionals still on the record, in the order added."""
    q = (sa.select(FamilyPerson).where(FamilyPerson.family_id == family.id, FamilyPerson.removed_at.is_(None))
         .order_by(FamilyPerson.added_at))
    return list(db.session.scalars(q))


def add_person(actor: User, family: Family, kind: PersonKind, *, name: str, role: str | None = None,
               agency: str | None = None, contact: str | None = None) -> FamilyPerson:
    """Add a parent or carer, or a key professional."""
    clean = {k: (v or "").strip() or None for k, v in dict(role=role, agency=agency, contact=contact).items()}
    person = FamilyPerson(family_id=family.id, kind=kind, name=name.strip(), added_by_id=actor.id,
                          added_at=clock.now(), **clean)
    db.session.add(person)
    db.session.flush()
    audit.record(db.session, actor, "person added", person)
    return person


def remove_person(actor: User, person: FamilyPerson) -> None:
    """Take a person off the record (kept, marked removed)."""
    person.removed_at, person.removed_by_id = clock.now(), actor.id
    audit.record(db.session, actor, "person removed", person)
    db.session.flush()


def correct_child(actor: User, child: Child, *, first_name: str, date_of_birth: date | None,
                  expected_on: date | None, reason: str) -> ChildChange:
    """Correct a child's name or dates, saying why."""
    child.first_name, child.date_of_birth, child.expected_on = first_name.strip(), date_of_birth, expected_on
    return _change(actor, child, ChildChangeKind.corrected, reason)


def remove_child(actor: User, child: Child, reason: str) -> ChildChange:
    """Remove a child from the family's record (kept for the entries that name them)."""
    child.removed_at = clock.now()
    return _change(actor, child, ChildChangeKind.removed, reason)


def _change(actor: User, child: Child, kind: ChildChangeKind, reason: str) -> ChildChange:
    change = ChildChange(child_id=child.id, kind=kind, reason=reason.strip(), changed_by_id=actor.id,
                         changed_at=clock.now())
    db.session.add(change)
    db.session.flush()
    audit.record(db.session, actor, f"child {kind.name}", child)
    return change


def withdraw_consent(actor: User, family: Family, *, withdrawn_on: date, method: ConsentMethod,
                     note: str | None) -> None:
    """The family withdraws its consent: new visits stop at once; the coordinator and social worker hear."""
    family.consent_withdrawn_on, family.consent_withdrawn_method = withdrawn_on, method
    family.consent_withdrawn_by_id, family.consent_withdrawn_at = actor.id, clock.now()
    family.consent_withdrawal_note = (note or "").strip() or None
    audit.record(db.session, actor, "consent withdrawn", family)
    db.session.flush()
    tell_team(family, f"Consent withdrawn: family {family.reference}",
              "The family has withdrawn its consent to having a volunteer. No new visits can be recorded.")


def tell_team(family: Family, subject: str, what: str) -> None:
    """A reference-only notice to the family's social worker and the programme's coordinators."""
    link = f"{current_app.config['BASE_URL'].rstrip('/')}/families/{family.id}"
    text = f"{what}\n\nFamily reference: {family.reference}\nSign in to see the record: {link}\n"
    q = sa.select(User.id).where(User.programme_id == family.programme_id, User.role == Role.coordinator,
                                 User.active.is_(True))
    for user_id in {family.social_worker_id, *db.session.scalars(q)}:
        queue_notice(user_id, subject, text)
