"""Lists of families: only what a card shows, read as plain columns with their total in one select.

The families list, the caseload and the dashboard's queues are all pages of this one read.
Criteria, filters and sorts come from pwa.families.finder (every list of families starts there).
"""
import uuid
from dataclasses import astuple, dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from pwa import access
from pwa.core import audit
from pwa.core.database import columns
from pwa.core.extensions import db
from pwa.families.finder import MATCH_SORTS, Criteria, count, filtered, ordered, overdue_rule, reads, with_match
from pwa.models import Family, Match, PlanType, Stage, User
from pwa.models.base import open_column
from pwa.web import paging


@dataclass
class Found:
    rows: list = field(default_factory=list)
    total: int = 0
    too_short: bool = False  # a search with no word long enough to look up by name
    offset: int = 0  # where the page starts (a page past the end is moved to the last)


@dataclass(slots=True)
class Listed:
    """A family on a list: only what its card shows, read as plain columns (no ORM objects).

    `has_consent`, `closed` and `days_to_end` are the models' own definitions, read off these fields.
    """

    id: uuid.UUID
    reference: str
    display_name: str
    stage: Stage
    plan_type: PlanType
    closed_on: date | None
    consent_given_on: date | None
    consent_withdrawn_at: object
    referred_at: object
    last_visit_on: date | None
    matched: bool
    started_on: date | None
    next_review_on: date | None
    agreed_end_on: date | None
    mentor_id: uuid.UUID | None
    mentor_name: str | None
    social_worker_name: str | None
    overdue: bool = False

    has_consent = Family.has_consent
    closed = Family.closed
    days_to_end = Match.days_to_end

    @property
    def waiting_since(self) -> date:
        """Since when a family waits: for a match once consented, else for consent since its referral."""
        return self.consent_given_on or self.referred_at.date()


MENTOR, WORKER = aliased(User, name="mentor"), aliased(User, name="worker")


_LISTED = (Family.id, Family.reference, Family.display_name, Family.stage, Family.plan_type, Family.closed_on,
           Family.consent_given_on, Family.consent_withdrawn_at, Family.referred_at, Family.last_visit_on,
           Match.id.is_not(None), Match.started_on, Match.next_review_on, Match.agreed_end_on,
           Match.mentor_id, MENTOR.name, Family.social_worker_id, WORKER.name)


def find(user: User, c: Criteria, today: date, *, limit: int, offset: int = 0) -> Found:
    """One page of matching families and their total, in one select; audited.

    The total rides on the page's rows (a window count over the matching ids), so the list costs one
    query; a page past the end is counted and the last page read instead (paging.read_page).
    Each family's name is opened here (the only sealed field a card shows); the people's names
    through access.staff_name, each opened once per process.
    """
    settings = reads(user)
    too_short = access.prepared(_select, user, astuple(c), today, limit, offset, settings)[1]
    audit.record(db.session, user, "list", object_type="families")

    def read(at: int, kept: bool) -> tuple[list, int]:
        values = (user, astuple(c), today, limit, at, settings)
        return _listed(user, (access.prepared(_select, *values) if kept else _select(*values))[0], today)

    rows, where = paging.read_page(read, lambda: count(user, c, today), limit, offset)
    return Found(rows, where.total, too_short, where.offset)


def page(user: User, c: Criteria, today: date, per_page: int = paging.PER_PAGE) -> tuple[Found, paging.Page]:
    """The page of families the URL asks for (moved to the last page if past it), and where it sits."""
    found = find(user, c, today, limit=per_page, offset=paging.asked_offset(per_page))
    return found, paging.Page(found.offset // per_page + 1, found.total, per_page)


def _select(user: User, criteria: tuple, today: date, limit: int, offset: int, settings: tuple) -> tuple[sa.Select, bool]:
    """The page's select (built once for each user, choice and day: pwa.access.kept), and whether words were too short.

    The page's ids are picked first with their total (joined to the matches only when a choice or the
    sort needs them); only those rows are then read in full and joined to their people.
    """
    c = Criteria(*criteria)
    q, too_short = filtered(user, c, today, matched=c.sort in MATCH_SORTS)
    ids = (ordered(q.with_only_columns(Family.id, sa.func.count().over().label("total")), c.sort)
           .limit(limit).offset(offset).subquery())
    q = (ordered(with_match(sa.select(*_LISTED, ids.c.total)).join(ids, ids.c.id == Family.id), c.sort)
         .outerjoin(MENTOR, MENTOR.id == Match.mentor_id).outerjoin(WORKER, WORKER.id == Family.social_worker_id))
    return q, too_short


def _listed(user: User, q: sa.Select, today: date) -> tuple[list, int]:
    overdue, rows, total = overdue_rule(user, today), [], 0
    for *family, mentor_id, mentor, worker_id, worker, total in columns(q):  # noqa: B007 (the last row's total)
        row = Listed(*family, mentor_id=mentor_id, mentor_name=access.staff_name(mentor_id, mentor),
                     social_worker_name=access.staff_name(worker_id, worker))
        row.display_name = open_column(Family.display_name, row.id, row.display_name)
        row.overdue = row.matched and overdue(row.last_visit_on, row.started_on)
        rows.append(row)
    return rows, total
