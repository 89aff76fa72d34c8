"""Audit events in words a person understands, and the kinds of action a page filters by."""
import sqlalchemy as sa

from pwa.models import AuditEvent

KINDS = {"read": "Looked at", "change": "Recorded or changed", "export": "Downloaded", "refused": "Refused"}

THINGS = {
    "families": "the family's page", "visits": "a diary entry", "concerns": "a safeguarding concern",
    "concern_addenda": "an addendum to a concern", "goals": "a goal", "matches": "the match",
    "children": "a child's details", "family_people": "a parent, carer or professional",
    "outcome_readings": "an outcome reading", "quarantined_items": "an entry held from a phone",
    "match_reviews": "a match review", "match_extensions": "a match extension", "visit_reviews": "a diary review",
    "debrief_tasks": "a debrief", "plan_details": "the plan details",
    "subject_access_exports": "a subject-access export",
}

PHRASES = {
    "read record": "Read the family's record (plan, parents and carers, professionals)",
    "read diary": "Read the visit diary",
    "list goals": "Looked at the family's goals",
    "read goal progress": "Read the progress on a goal",
    "read outcome readings": "Looked at the outcome readings",
    "list concerns": "Looked at the family's safeguarding concerns",
    "read match history": "Read the match history",
    "read status": "Checked that an entry sent from a phone had arrived",
    "offline snapshot": "Took the family's label and goals onto their phone for the offline forms",
    "export report pack": "Downloaded the report pack (PDF)",
    "export subject access": "Downloaded a subject-access export",
    "open:subject_access": "Opened the subject-access export page",
    "open:who_has_seen": "Looked at who has seen this record",
    "open:edit": "Opened the record to change it",
    "open:log_visit": "Opened the visit form",
    "open:raise_concern": "Opened the concern form",
    "open:record_consent": "Opened the record to record consent",
    "open:match": "Opened the family to match a mentor",
    "open:reassign": "Opened the family to change its social worker",
}


def kind_sql():
    """SQL: the kind of an event's action (one of KINDS)."""
    a = AuditEvent.action
    looked = sa.or_(a.like("read%"), a.like("open:%"), a.like("list%"), a == "offline snapshot")
    return sa.case((a.like("refused %"), "refused"), (a.like("export%"), "export"), (looked, "read"),
                   else_="change")


def kind_of(action: str) -> str:
    """The kind of one action, as kind_sql() decides it."""
    if action.startswith("refused "):
        return "refused"
    if action.startswith("export"):
        return "export"
    if action.startswith(("read", "open:", "list")) or action == "offline snapshot":
        return "read"
    return "change"


def describe(action: str, object_type: str) -> str:
    """What someone did, in a sentence ("Read a diary entry", "Was refused: open a safeguarding concern")."""
    thing = THINGS.get(object_type, "the record")
    if action.startswith("refused "):
        return f"Was refused: tried to {_attempt(action.removeprefix('refused '), thing)}"
    if action in PHRASES:
        return PHRASES[action]
    if action == "read":
        return f"Opened {thing}"
    if action.startswith("open:"):
        return f"Opened {thing} to {action.removeprefix('open:').replace('_', ' ')}"
    return f"{action[:1].upper()}{action[1:]}" + ("" if object_type in ("families", "-") else f" ({thing})")


def _attempt(action: str, thing: str) -> str:
    if action == "read":
        return f"open {thing}"
    if action.startswith("open:"):
        return f"{action.removeprefix('open:').replace('_', ' ')} ({thing})"
    if action == "route":
        return "open a page their role does not allow"
    return f"{action} ({thing})"
