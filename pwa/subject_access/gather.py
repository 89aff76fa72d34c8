"""Everything Bridge holds about one family, as plain data (dates left as dates) for JSON and the document.

The family comes through pwa.access (scoped to the coordinator, audited); every other row here is
read by that family's id. Staff and volunteers appear by name and role only (see redact.py).
"""
import sqlalchemy as sa

from pwa.casework import pack_parts
from pwa.core.extensions import db
from pwa.families import record
from pwa.models import (
    Child, ChildChange, Family, FamilyClosure, FamilyPerson, LegalHold, Programme, QuarantinedItem, User,
)


class Staff:
    """The programme's accounts, to name people by name and role (never their email or phone)."""

    def __init__(self, family: Family):
        q = sa.select(User).where(sa.or_(User.programme_id == family.programme_id, User.id == family.social_worker_id))
        self.users = {u.id: u for u in db.session.scalars(q)}

    def __call__(self, user_id) -> dict | None:
        if user_id is None:
            return None
        user = self.users.get(user_id) or db.session.get(User, user_id)
        self.users[user_id] = user
        return {"name": user.name, "role": user.role.value} if user else None


def family_part(family: Family, staff: Staff) -> dict:
    """The family itself: who, where, the plan type and stage, the referral."""
    return {"reference": family.reference, "name": family.display_name, "address": family.address,
            "programme": db.session.get(Programme, family.programme_id).name,
            "plan_type": family.plan_type.value, "stage": family.stage.value, "referred_at": family.referred_at,
            "referred_by": staff(family.referred_by_id), "referral_reason": family.referral_reason,
            "involvement_plan": family.involvement_plan, "social_worker": staff(family.social_worker_id)}


def consent_part(family: Family, staff: Staff) -> dict:
    """The family's consent: given (when, how, scope, by whom) and any withdrawal."""
    method, withdrawn = family.consent_method, family.consent_withdrawn_method
    return {"given_on": family.consent_given_on, "method": method.value if method else None,
            "scope": family.consent_scope, "recorded_by": staff(family.consent_recorded_by_id),
            "recorded_at": family.consent_recorded_at, "withdrawn_on": family.consent_withdrawn_on,
            "withdrawn_method": withdrawn.value if withdrawn else None,
            "withdrawn_by": staff(family.consent_withdrawn_by_id), "withdrawn_at": family.consent_withdrawn_at,
            "withdrawal_note": family.consent_withdrawal_note}


def plan_part(family: Family) -> dict | None:
    """The plan as the council holds it, and the notes for visiting."""
    plan = record.plan_of(family)
    if plan is None:
        return None
    return {"started_on": plan.plan_started_on, "cp_category": plan.cp_category.value if plan.cp_category else None,
            "council_reference": plan.council_reference, "next_conference_on": plan.next_conference_on,
            "next_core_group_on": plan.next_core_group_on, "next_review_on": plan.next_review_on,
            "risks": plan.risks, "lone_working": plan.lone_working}


def children_part(family: Family, staff: Staff) -> list[dict]:
    """Every child on the record, removed ones too, with each correction and why."""
    kids = list(db.session.scalars(sa.select(Child).where(Child.family_id == family.id)
                                   .order_by(Child.date_of_birth, Child.expected_on)))
    changes: dict = {}
    if kids:
        for c in db.session.scalars(sa.select(ChildChange).where(ChildChange.child_id.in_([k.id for k in kids]))
                                    .order_by(ChildChange.changed_at)):
            changes.setdefault(c.child_id, []).append({"kind": c.kind.value, "reason": c.reason,
                                                       "by": staff(c.changed_by_id), "at": c.changed_at})
    return [{"first_name": k.first_name, "date_of_birth": k.date_of_birth, "expected_on": k.expected_on,
             "removed_at": k.removed_at, "changes": changes.get(k.id, [])} for k in kids]


def people_part(family: Family, staff: Staff) -> dict:
    """Parents and carers, and key professionals (removed ones too); professionals' contact details withheld."""
    rows = db.session.scalars(sa.select(FamilyPerson).where(FamilyPerson.family_id == family.id)
                              .order_by(FamilyPerson.added_at))
    out = {"parents_carers": [], "professionals": []}
    for p in rows:
        carer = p.kind.name == "parent_carer"
        out["parents_carers" if carer else "professionals"].append(
            {"name": p.name, "role": p.role, "agency": p.agency, "contact": p.contact if carer else None,
             "added_at": p.added_at, "added_by": staff(p.added_by_id), "removed_at": p.removed_at})
    return out


def matches_part(user: User, family: Family, staff: Staff) -> list[dict]:
    """Every match: the mentor (name only), its dates, reviews, extensions and ending."""
    out = []
    for m in pack_parts.matches_of(user, family):
        out.append({"mentor": staff(m.mentor_id), "matched_by": staff(m.matched_by_id), "started_on": m.started_on,
                    "agreed_end_on": m.agreed_end_on, "stage": m.stage.value, "ended_on": m.ended_on,
                    "ending_reason": m.ending_reason.value if m.ending_reason else None,
                    "ending_summary": m.ending_summary,
                    "reviews": [{"held_on": r.held_on, "notes": r.notes, "next_review_on": r.next_review_on,
                                 "by": staff(r.recorded_by_id)} for r in m.reviews],
                    "extensions": [{"from": x.previous_end_on, "to": x.new_end_on, "reason": x.reason,
                                    "by": staff(x.decided_by_id), "at": x.decided_at} for x in m.extensions]})
    return out


def held_part(family: Family, staff: Staff) -> list[dict]:
    """Entries sent from a phone that were held for the coordinator (what was in them, and what became of them)."""
    rows = db.session.scalars(sa.select(QuarantinedItem).where(QuarantinedItem.family_id == family.id)
                              .order_by(QuarantinedItem.received_at))
    return [{"kind": h.kind, "reason": h.reason.value, "received_at": h.received_at, "from": staff(h.author_id),
             "entry": h.body, "unopened": h.body is None and h.sealed is not None,
             "outcome": h.outcome.value if h.outcome else None, "dealt_at": h.dealt_at, "note": h.note}
            for h in rows]


def closure_part(family: Family, staff: Staff) -> dict:
    """The case's closures and reopenings, and any legal hold on its records, oldest first."""
    closures = db.session.scalars(sa.select(FamilyClosure).where(FamilyClosure.family_id == family.id)
                                  .order_by(FamilyClosure.closed_at))
    holds = db.session.scalars(sa.select(LegalHold).where(LegalHold.family_id == family.id).order_by(LegalHold.set_at))
    return {
        "case_closures": [{"closed_on": c.closed_on, "reason": c.reason.value, "note": c.note,
                           "by": staff(c.closed_by_id), "reopened_at": c.reopened_at,
                           "reopened_by": staff(c.reopened_by_id) if c.reopened_by_id else None,
                           "reopen_reason": c.reopen_reason} for c in closures],
        "legal_holds": [{"set_at": h.set_at, "reason": h.reason, "by": staff(h.set_by_id), "lifted_at": h.lifted_at,
                         "lift_reason": h.lift_reason} for h in holds],
    }
