"""The family record: its children and the people around it (read with the family, audited)."""

import sqlalchemy as sa


from pwa.core import audit
from pwa.access.policy import FAMILY_ACTIONS, _as_uuid, refuse
from pwa.core.extensions import db
from pwa.models import Family, User


def child_for(user: User, family: Family, child_id, action: str = "edit"):
    """One of the family's children (not removed), for a user allowed to act on the family, or 404/403."""
    from pwa.models import Child

    if user.role not in FAMILY_ACTIONS[action]:
        refuse(user, 403, action, object_type="children", object_id=child_id)
    child = db.session.scalar(sa.select(Child).where(Child.id == _as_uuid(user, Child, child_id, action),
                                                     Child.family_id == family.id, Child.removed_at.is_(None)))
    if child is None:
        refuse(user, 404, action, object_type="children", object_id=child_id)
    audit.record(db.session, user, f"open:{action}", child)
    return child


def person_for(user: User, family: Family, person_id, action: str = "edit"):
    """A parent, carer or professional on the family's record, or 404/403."""
    from pwa.models import FamilyPerson

    if user.role not in FAMILY_ACTIONS[action]:
        refuse(user, 403, action, object_type="family_people", object_id=person_id)
    person = db.session.scalar(sa.select(FamilyPerson).where(
        FamilyPerson.id == _as_uuid(user, FamilyPerson, person_id, action), FamilyPerson.family_id == family.id,
        FamilyPerson.removed_at.is_(None)))
    if person is None:
        refuse(user, 404, action, object_type="family_people", object_id=person_id)
    audit.record(db.session, user, f"open:{action}", person)
    return person


def family_record(user: User, family: Family) -> tuple:
    """The family's plan details and the people around it, for a user who has opened the family; audited."""
    from pwa.families import record

    audit.record(db.session, user, "read record", family)
    return record.plan_of(family), record.people_of(family)
