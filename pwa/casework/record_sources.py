"""The chronology's record events: referral, consent given and withdrawn, the plan's start, and
corrections to the children's record, each at the date it happened."""
import sqlalchemy as sa

from pwa import access
from pwa.casework import chronology
from pwa.casework.sources import _newest, on_day
from pwa.core.extensions import db
from pwa.models import Child, ChildChange, Family, Role, User

TEMPLATE = "casework/_record_item.html"


def _child_changes(family: Family) -> list[tuple[ChildChange, Child]]:
    q = (sa.select(ChildChange, Child).join(Child, Child.id == ChildChange.child_id)
         .where(Child.family_id == family.id))
    return [tuple(row) for row in db.session.execute(q)]


@chronology.source(kinds=("record",))
def record_items(user: User, family: Family, limit: int, since=None, until=None) -> list[chronology.Item]:
    """Referral, consent, withdrawal, plan start and children corrected or removed."""
    if user.role is Role.mentor:
        return []
    item = chronology.Item
    items = [item("record", family.referred_at, f"Referred by {family.social_worker.name}"
                  if family.referred_by_id == family.social_worker_id else "Referred", TEMPLATE, ("referral", family))]
    if family.consent_given_on:
        items.append(item("record", on_day(family.consent_given_on), "Consent given", TEMPLATE, ("consent", family),
                          recorded_at=family.consent_recorded_at, timed=False))
    if family.consent_withdrawn_on:
        items.append(item("record", on_day(family.consent_withdrawn_on), "Consent withdrawn", TEMPLATE,
                          ("withdrawn", family), recorded_at=family.consent_withdrawn_at, timed=False))
    plan, _ = access.family_record(user, family)
    if plan is not None and plan.plan_started_on:
        items.append(item("record", on_day(plan.plan_started_on), "Plan started", TEMPLATE, ("plan", plan),
                          recorded_at=plan.updated_at, timed=False))
    items += [item("record", change.changed_at, f"Child's record {change.kind.value.lower()}", TEMPLATE,
                   ("child", change, child)) for change, child in _child_changes(family)]
    return _newest(items, limit, since, until)
