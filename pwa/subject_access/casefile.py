"""The family's case file for the export: visits, goals, readings, concerns (with addenda and alerts),
and the whole record put together (`build`)."""
import sqlalchemy as sa

from pwa import access
from pwa.core import clock
from pwa.core.extensions import db
from pwa.models import Family, OutcomeArea, User
from pwa.subject_access import gather, trail

ALL = 100_000  # no family comes near this many entries or concerns


def visits_part(user: User, family: Family, staff) -> list[dict]:
    """Every diary entry, attempted visits and corrections included, oldest first."""
    out = []
    for v in reversed(access.family_visits(user, family, ALL)):
        out.append({"visit_on": v.visit_on, "started_at": v.started_at, "duration_minutes": v.duration_minutes,
                    "kind": v.kind.value, "outcome": v.outcome.value, "attempted": v.attempted,
                    "by": staff(v.author_id), "present": v.present, "children_seen": [c.first_name for c in v.seen],
                    "children_spoken_to": [c.first_name for c in v.spoken_to], "child_words": v.child_words,
                    "what_done": v.what_done, "next_contact_on": v.next_contact_on,
                    "unknown_adult": v.unknown_adult, "unknown_adult_note": v.unknown_adult_note,
                    "goals": [{"goal": g.goal.title, "progress": g.mark.value, "note": g.note} for g in v.goals],
                    "is_a_correction": v.corrects_id is not None, "correction_reason": v.correction_reason,
                    "recorded_at": v.created_at})
    return out


def goals_part(user: User, family: Family, staff) -> list[dict]:
    """The family's goals and what became of each."""
    return [{"title": g.title, "success_looks_like": g.success_looks_like,
             "area": g.outcome_area.name if g.outcome_area else None, "target_on": g.target_on,
             "status": g.status.value, "proposed_by": staff(g.proposed_by_id), "agreed_by": staff(g.agreed_by_id),
             "agreed_at": g.agreed_at, "family_agreed_on": g.family_agreed_on, "closed_on": g.closed_on,
             "close_reason": g.close_reason} for g in access.family_goals(user, family)]


def readings_part(user: User, family: Family, staff) -> list[dict]:
    """Outcome readings: each area's score by the family and by the mentor."""
    readings = access.family_readings(user, family)
    ids = {s.area_id for r in readings for s in r.scores}
    names = dict(db.session.execute(sa.select(OutcomeArea.id, OutcomeArea.name).where(OutcomeArea.id.in_(ids)))) \
        if ids else {}
    return [{"taken_on": r.taken_on, "occasion": r.occasion.value, "note": r.note, "by": staff(r.recorded_by_id),
             "scores": [{"area": names.get(s.area_id), "family": s.family_score, "mentor": s.mentor_score}
                        for s in r.scores]} for r in readings]


def _alert(item, staff) -> dict:
    """How the alert for a concern or addendum was received: acknowledged when and by whom, escalations."""
    return {"acknowledged_at": item.acknowledged_at, "acknowledged_by": staff(item.acknowledged_by_id),
            "escalations": item.escalations}


def concerns_part(user: User, family: Family, staff) -> list[dict]:
    """Every safeguarding concern, oldest first, with its addenda and how each alert was received."""
    out = []
    for c in reversed(access.list_concerns(user, family=family, limit=ALL)):
        out.append({"reference": c.reference, "raised_at": c.created_at, "by": staff(c.author_id),
                    "urgency": c.urgency.value, "categories": [k.value for k in c.categories],
                    "about": [a.child.first_name for a in c.about], "what_seen": c.what_seen,
                    "child_words": c.child_words, "actions_taken": c.actions_taken, "who_called": c.who_called,
                    "called_at": c.called_at, "alert": _alert(c, staff), "action_taken_note": c.action_taken_note,
                    "action_taken_at": c.action_taken_at,
                    "addenda": [{"added_at": a.created_at, "by": staff(a.author_id), "facts": a.facts,
                                 "child_words": a.child_words, "alert": _alert(a, staff)} for a in c.addenda]})
    return out


def accesses_part(family: Family) -> list[dict]:
    """Who looked at or changed the record, and when, from the audit trail (oldest first)."""
    return [{"at": s.at, "who": s.who, "role": s.role, "what": s.what, "kind": s.kind}
            for s in trail.everything(family)]


def build(user: User, family: Family) -> dict:
    """Everything held about the family, section by section (before redaction)."""
    staff = gather.Staff(family)
    return {
        "family": gather.family_part(family, staff), "consent": gather.consent_part(family, staff),
        "plan": gather.plan_part(family), "children": gather.children_part(family, staff),
        **gather.people_part(family, staff), "matches": gather.matches_part(user, family, staff),
        "visits": visits_part(user, family, staff), "goals": goals_part(user, family, staff),
        "outcome_readings": readings_part(user, family, staff), "concerns": concerns_part(user, family, staff),
        "held_from_phones": gather.held_part(family, staff), **gather.closure_part(family, staff),
        "accesses": accesses_part(family),
        "_staff": staff.users, "_made_at": clock.now(),
    }
