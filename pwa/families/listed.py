"""The families list's rows: only what a card shows, read as plain columns with their total in one select.

Criteria, filters and sorts come from pwa.families.finder (every list of families starts there).
"""
import uuid
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from pwa import access
from pwa.core import audit
from pwa.core.extensions import db
from pwa.families.finder import (MENTOR, WORKER, MATCH_SORTS, Criteria, Found, filtered, ordered, overdue_rule,
                                 with_match, count)
from pwa.models import Family, Match, PlanType, Stage, User
from pwa.models.base import open_column


@dataclass(slots=True)
class Listed:
    """A family on the families list: only what its card shows, read as plain columns (no ORM objects).

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
    mentor_name: str | None
    social_worker_name: str | None
    overdue: bool = False

    has_consent = Family.has_consent
    closed = Family.closed
    days_to_end = Match.days_to_end


_LISTED = (Family.id, Family.reference, Family.display_name, Family.stage, Family.plan_type, Family.closed_on,
           Family.consent_given_on, Family.consent_withdrawn_at, Family.referred_at, Family.last_visit_on,
           Match.id.is_not(None), Match.started_on, Match.next_review_on, Match.agreed_end_on,
           Match.mentor_id, MENTOR.name, Family.social_worker_id, WORKER.name)


def find(user: User, c: Criteria, today: date, *, limit: int, offset: int = 0) -> Found:
    """One page of matching families for the families list and their total, in one select; audited.

    The total rides on the page's rows (a window count over the matching ids), so the list costs one
    query; a page past the end has no rows to carry it, so it is counted and the last page read instead.
    Each family's name is opened here (the only sealed field a card shows); the people's names
    through access.staff_name, each opened once per process.
    """
    q, too_short = filtered(user, c, today, matched=c.sort in MATCH_SORTS)
    audit.record(db.session, user, "list", object_type="families")
    rows, total = _listed(user, q, c.sort, today, limit, offset)
    if not rows and offset:
        total = count(user, c, today)
        offset = max(0, (total - 1) // limit * limit)
        rows, _ = _listed(user, q, c.sort, today, limit, offset) if total else ([], 0)
    return Found(rows, total, too_short, offset)


def _listed(user: User, q: sa.Select, sort: str, today: date, limit: int, offset: int) -> tuple[list, int]:
    ids = (ordered(q.with_only_columns(Family.id, sa.func.count().over().label("total")), sort)
           .limit(limit).offset(offset).subquery())
    q = (ordered(with_match(sa.select(*_LISTED, ids.c.total)).join(ids, ids.c.id == Family.id), sort)
         .outerjoin(MENTOR, MENTOR.id == Match.mentor_id).outerjoin(WORKER, WORKER.id == Family.social_worker_id))
    overdue, rows, total = overdue_rule(user, today), [], 0
    for *family, mentor_id, mentor, worker_id, worker, total in db.session.execute(q):  # noqa: B007 (the last row's total)
        row = Listed(*family, mentor_name=access.staff_name(mentor_id, mentor),
                     social_worker_name=access.staff_name(worker_id, worker))
        row.display_name = open_column(Family.display_name, row.id, row.display_name)
        row.overdue = row.matched and overdue(row.last_visit_on, row.started_on)
        rows.append(row)
    return rows, total
