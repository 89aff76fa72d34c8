"""A family's audit trail, filtered and paged: who did what to its record, and when.

Events are found by audit_events.family_id (indexed with the id, newest first), so a page costs
the same however long the trail or the whole audit table grows.
"""
import uuid
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa

from pwa import access
from pwa.casework.chronology import moment
from pwa.core.extensions import db
from pwa.models import AuditEvent, Family
from pwa.subject_access import words
from pwa.web import dates, paging


@dataclass
class Filters:
    person: uuid.UUID | None = None
    kind: str | None = None
    since: date | None = None
    until: date | None = None

    @property
    def any(self) -> bool:
        return any((self.person, self.kind, self.since, self.until))


@dataclass
class Seen:
    at: datetime
    who: str
    role: str
    what: str
    kind: str


def filters_from(args) -> tuple[Filters, str | None]:
    """?person=, ?kind=, ?since=, ?until= from the URL, with any problem to show."""
    found, problem = Filters(kind=args.get("kind") if args.get("kind") in words.KINDS else None), None
    try:
        found.person = uuid.UUID(args["person"]) if args.get("person") else None
    except ValueError:
        problem = "That person is not in this list; showing everyone."
    try:
        found.since, found.until = dates.optional_day(args.get("since")), dates.optional_day(args.get("until"))
    except ValueError:
        return found, "Dates must look like 2026-04-01; showing every date."
    if found.since and found.until and found.since > found.until:
        found.since, found.until = found.until, found.since
        problem = "The dates were back to front, so they have been swapped."
    return found, problem


def _events(family: Family, f: Filters) -> sa.Select:
    q = sa.select(AuditEvent).where(AuditEvent.family_id == family.id)
    if f.person is not None:
        q = q.where(AuditEvent.actor_id == f.person)
    if f.kind is not None:
        q = q.where(words.kind_sql() == f.kind)
    if f.since is not None:
        q = q.where(AuditEvent.at >= moment(f.since))
    if f.until is not None:
        q = q.where(AuditEvent.at < moment(f.until, end=True))
    return q


CAP = 10_000  # counted exactly up to this; past it the page says "more than 10,000" (counting is O(n))


class CappedPage(paging.Page):
    """A page whose total was counted only up to CAP (+1 meaning "more")."""

    @property
    def showing(self) -> str:
        if self.total <= CAP:
            return super().showing
        return f"Showing {self.first}–{self.last} of more than {CAP:,}"


def count(family: Family, f: Filters) -> int:
    """How many events match, counted up to CAP + 1."""
    matching = _events(family, f).with_only_columns(sa.literal(1)).order_by(None).limit(CAP + 1).subquery()
    return db.session.scalar(sa.select(sa.func.count()).select_from(matching))


def people_by_id(ids) -> dict:
    """The people named in events, by id, in one select (each name opened once per process)."""
    return access.staff_by_id(ids)


def seen(events, people: dict) -> list[Seen]:
    """Events as a person reads them."""
    rows = []
    for e in events:
        who = people.get(e.actor_id)
        rows.append(Seen(e.at, who.name if who else "Bridge itself (a command or the worker)",
                         who.role.value if who else "", words.describe(e.action, e.object_type),
                         words.kind_of(e.action)))
    return rows


def page(family: Family, f: Filters) -> paging.Page:
    """One page of the family's events, newest first."""
    found = paging.from_request(count(family, f))
    found = CappedPage(found.number, found.total, found.per_page)
    events = db.session.scalars(_events(family, f).order_by(AuditEvent.id.desc())
                                .limit(found.per_page).offset(found.offset)).all()
    found.items = seen(events, people_by_id(e.actor_id for e in events))
    return found


def everything(family: Family) -> list[Seen]:
    """Every event about the family, oldest first (for the export)."""
    events = db.session.scalars(_events(family, Filters()).order_by(AuditEvent.id)).all()
    return seen(events, people_by_id({e.actor_id for e in events}))


# A skip scan down ix_audit_events_family_actor: one index probe per person, not one per event.
DISTINCT_ACTORS = """
WITH RECURSIVE actor(id) AS (
  SELECT (SELECT actor_id FROM audit_events WHERE family_id = :family AND actor_id IS NOT NULL
          ORDER BY actor_id LIMIT 1)
  UNION ALL
  SELECT (SELECT actor_id FROM audit_events WHERE family_id = :family AND actor_id > actor.id
          ORDER BY actor_id LIMIT 1)
  FROM actor WHERE actor.id IS NOT NULL)
SELECT id FROM actor WHERE id IS NOT NULL"""


def people(family: Family) -> list[access.Staff]:
    """Everyone who appears in the family's trail, by name, for the person filter."""
    q = sa.text(DISTINCT_ACTORS).bindparams(sa.bindparam("family", type_=sa.Uuid)).columns(id=sa.Uuid)
    ids = db.session.scalars(q, {"family": family.id})
    return sorted(people_by_id(ids).values(), key=lambda u: u.name.lower())
