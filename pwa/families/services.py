"""Referring families, consent and children. Flush only."""
import re
from datetime import date

from pwa.core import audit, clock
from pwa.core.extensions import db
from pwa.models import Child, ConsentMethod, Family, PlanType, Stage, User

_CHILD_LINE = re.compile(r"^\s*(?P<name>.+?)\s+(?P<dob>\d{4}-\d{2}-\d{2})?\s*$")


class BadChildLine(ValueError):
    """A line of the children box could not be read."""


def parse_children(text: str) -> list[tuple[str, date | None]]:
    """Read 'Name YYYY-MM-DD' lines; the date is optional."""
    out = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = line.strip().rsplit(None, 1)
        dob = None
        if len(parts) == 2 and re.fullmatch(r"\d{4}-\d{2}-\d{2}", parts[1]):
            try:
                dob = date.fromisoformat(parts[1])
            except ValueError as exc:
                raise BadChildLine(f"Line {number}: {parts[1]} is not a real date.") from exc
            name = parts[0]
        else:
            name = line.strip()
        if any(ch.isdigit() for ch in name):
            raise BadChildLine(f"Line {number}: '{line.strip()}' has numbers in the name. Write the date of birth "
                               "as YYYY-MM-DD after the name (for example 'Zara 2019-03-12'), or leave it out "
                               "and add it on the family's page.")
        if dob and dob > clock.today():
            raise BadChildLine(f"Line {number}: the date of birth is in the future.")
        out.append((name[:80], dob))
    return out


def refer_family(referrer: User, *, display_name: str, address: str | None, plan_type: PlanType,
                 referral_reason: str, involvement_plan: str, children: list[tuple[str, date | None]]) -> Family:
    """A social worker refers a family; they become its responsible social worker."""
    family = Family(programme_id=referrer.programme_id, display_name=display_name.strip(),
                    address=(address or "").strip() or None, plan_type=plan_type,
                    social_worker_id=referrer.id, referred_by_id=referrer.id,
                    referral_reason=referral_reason.strip(), involvement_plan=involvement_plan.strip(),
                    stage=Stage.referral)
    db.session.add(family)
    db.session.flush()
    for name, dob in children:
        add_child(referrer, family, name, dob)
    audit.record(db.session, referrer, "family referred", family)
    return family


def add_child(actor: User, family: Family, first_name: str, dob: date | None,
              expected_on: date | None = None) -> Child:
    """Add a child to a family (an unborn child with its expected date)."""
    child = Child(family_id=family.id, first_name=first_name.strip(), date_of_birth=dob, expected_on=expected_on)
    db.session.add(child)
    db.session.flush()
    audit.record(db.session, actor, "child added", child)
    return child


def record_consent(actor: User, family: Family, given_on: date, method: ConsentMethod,
                   scope: str | None = None) -> None:
    """Record the family's agreement to having a volunteer (and to what); moves Referral to Engagement."""
    family.consent_given_on, family.consent_method, family.consent_recorded_by_id = given_on, method, actor.id
    family.consent_scope, family.consent_recorded_at = (scope or "").strip() or None, clock.now()
    if family.stage is Stage.referral:
        family.stage = Stage.engagement
    audit.record(db.session, actor, "consent recorded", family)
    db.session.flush()


def reassign(actor: User, family: Family, social_worker: User) -> None:
    """Make another social worker in the programme responsible for the family."""
    family.social_worker_id = social_worker.id
    audit.record(db.session, actor, "social worker changed", family)
    db.session.flush()
