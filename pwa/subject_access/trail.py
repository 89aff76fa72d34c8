"""A family's audit trail, filtered and paged: who did what to its record, and when.

Events are found by audit_events.family_id (indexed with the id, newest first), so a page costs
the same however long the trail or the whole audit table grows.
"""
import functools
import uuid
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa

from pwa import access
from pwa.casework.chronology import moment
from pwa.core.database import columns
from pwa.core.extensions import db
from pwa.models import AuditEvent, Family, User
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


def _events(shape: tuple, *shown) -> sa.Select:
    """The events of the family bound as :family that a filter's shape lets through (its values bound later).

    Whole AuditEvents, or only the columns `shown`.
    """
    person, kind, since, until = shape
    q = sa.select(*shown or (AuditEvent,)).where(AuditEvent.family_id == sa.bindparam("family"))
    if person:
        q = q.where(AuditEvent.actor_id == sa.bindparam("person"))
    if kind is not None:
        q = q.where(words.kind_sql() == kind)
    if since:
        q = q.where(AuditEvent.at >= sa.bindparam("since"))
    if until:
        q = q.where(AuditEvent.at < sa.bindparam("until"))
    return q


def _shape(f: Filters) -> tuple:
    """Which filters are set (and the kind, which is part of the SQL): what names a kept select."""
    return f.person is not None, f.kind, f.since is not None, f.until is not None


def _values(family: Family, f: Filters) -> dict:
    """The values bound into a select of `_events`."""
    return {"family": family.id, "person": f.person, "since": f.since and moment(f.since),
            "until": f.until and moment(f.until, end=True)}


CAP = 10_000  # counted exactly up to this; past it the page says "more than 10,000" (counting is O(n))


class CappedPage(paging.Page):
    """A page whose total was counted only up to CAP (+1 meaning "more")."""

    @property
    def showing(self) -> str:
        if self.total <= CAP:
            return super().showing
        return f"Showing {self.first}–{self.last} of more than {CAP:,}"


def _counted(shape: tuple, cap: int) -> sa.ScalarSelect:
    """How many events match, counted up to cap + 1 (as a subquery)."""
    matching = _events(shape, sa.literal(1)).limit(cap + 1).subquery()
    return sa.select(sa.func.count()).select_from(matching).scalar_subquery()


# Built once for each filter's shape and page, and kept: building a select and its cache key cost more than
# running it. Only the statements are kept; each run reads the trail as it is now.
@functools.lru_cache(maxsize=64)
def _count_select(shape: tuple, cap: int) -> sa.Select:
    return sa.select(_counted(shape, cap))


@functools.lru_cache(maxsize=64)
def _page_select(shape: tuple, cap: int, limit: int, offset: int) -> sa.Select:
    return (_events(shape, AuditEvent.at, AuditEvent.actor_id, AuditEvent.action, AuditEvent.object_type,
                    _counted(shape, cap)).order_by(AuditEvent.id.desc()).limit(limit).offset(offset))


def count(family: Family, f: Filters) -> int:
    """How many events match, counted up to CAP + 1."""
    return db.session.scalar(_count_select(_shape(f), CAP), _values(family, f))


def _rows(family: Family, f: Filters, limit: int, offset: int) -> tuple[list, int]:
    """One page of events (only the columns a row shows), newest first, and their capped total, in one select."""
    rows = columns(_page_select(_shape(f), CAP, limit, offset), _values(family, f)).all()
    return rows, rows[-1][-1] if rows else 0


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


def page(family: Family, f: Filters) -> tuple[paging.Page, list[access.Staff]]:
    """One page of the family's events, newest first, and everyone in its trail by name (for the person filter).

    Two selects: the page's rows with their total, then the trail's people with their names. The people
    are read after the rows, so everyone on the page is among them (the trail is only ever appended to).
    """
    limit = paging.PER_PAGE
    rows, found = paging.read_page(lambda at, kept: _rows(family, f, limit, at), lambda: count(family, f),
                                   limit, paging.asked_offset(limit))
    people = _people(family)
    found = CappedPage(found.number, found.total, found.per_page, seen(rows, people))
    return found, sorted(people.values(), key=lambda u: u.name.lower())


def everything(family: Family) -> list[Seen]:
    """Every event about the family, oldest first (for the export)."""
    f = Filters()
    events = db.session.scalars(_events(_shape(f)).order_by(AuditEvent.id), _values(family, f)).all()
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
# Built once: everyone in a family's trail with the columns access.staff_from opens, in one select.
_PEOPLE = sa.select(User.id, User.name, User.role).where(User.id.in_(
    sa.text(DISTINCT_ACTORS).bindparams(sa.bindparam("family", type_=sa.Uuid)).columns(id=sa.Uuid)))


def _people(family: Family) -> dict:
    """Everyone who appears in the family's trail, by id."""
    return access.staff_from(columns(_PEOPLE, {"family": family.id}))
