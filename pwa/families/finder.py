"""Finding families: search by reference or name (blind index), filters, sorts, paging; overdue per family.

Everything starts from access.visible_families, so the scoping rules stay in one place. The lists
themselves (the families list, the caseload, the dashboard's queues) read their rows through
pwa.families.listed: one select a page, whatever the data size, and audited.

Closed families (governance) leave working lists: a module appends a function returning a
SQL condition to WORKING_FILTERS (e.g. `lambda: Family.closed_at.is_(None)`), and every list
built here (families, caseload, dashboard queues) applies it.
"""
import re
import uuid
from dataclasses import dataclass, fields
from datetime import date, timedelta
from typing import Callable

import sqlalchemy as sa

from pwa import access
from pwa.core.extensions import db
from pwa.crypto import blind
from pwa.crypto.runtime import keyring
from pwa.models import Family, FamilySearchToken, Match, PlanType, Stage, User

WORKING_FILTERS: list[Callable[[], sa.ColumnElement]] = []
SORTS = {"referred": "Newest referral", "last_visit": "Last visit, oldest first",
         "next_review": "Next review, soonest first", "end": "Days to agreed end, fewest first"}
AWAITING_STAGES = (Stage.engagement, Stage.matching)
MATCH_SORTS = ("next_review", "end")  # the sorts by a column of the active match


@dataclass
class Criteria:
    """What the person asked for; every field comes from (and goes back to) the URL."""

    q: str = ""
    stage: str = ""
    plan: str = ""
    social_worker: str = ""
    mentor: str = ""
    overdue: bool = False
    awaiting: bool = False
    consent: str = ""  # "none": referrals still waiting for consent
    closed: bool = False  # closed cases only (they are left out of every working list)
    sort: str = "referred"

    @classmethod
    def from_args(cls, args) -> "Criteria":
        """Read ?q=&stage=&plan=&social_worker=&mentor=&overdue=1&awaiting=1&sort=, ignoring nonsense."""
        c = cls(q=(args.get("q") or "").strip()[:100], overdue=args.get("overdue") == "1",
                awaiting=args.get("awaiting") == "1", consent="none" if args.get("consent") == "none" else "",
                closed=args.get("closed") == "1")
        c.stage = args.get("stage", "") if args.get("stage") in Stage.__members__ else ""
        c.plan = args.get("plan", "") if args.get("plan") in PlanType.__members__ else ""
        c.social_worker = _uuid_text(args.get("social_worker"))
        c.mentor = _uuid_text(args.get("mentor"))
        c.sort = args.get("sort") if args.get("sort") in SORTS else "referred"
        return c

    def as_args(self) -> dict:
        """The non-default choices, for links that keep them."""
        defaults = Criteria()
        out = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value != getattr(defaults, f.name):
                out[f.name] = "1" if value is True else value
        return out

    @property
    def any_filter(self) -> bool:
        return bool(set(self.as_args()) - {"sort"})


def _uuid_text(raw) -> str:
    try:
        return str(uuid.UUID(str(raw))) if raw else ""
    except ValueError:
        return ""


def _since_visit():
    """The date a family's overdue window runs from: the later of its last visit and its match's start."""
    return sa.case((Family.last_visit_on > Match.started_on, Family.last_visit_on), else_=Match.started_on)


def _search(q: sa.Select, text: str) -> tuple[sa.Select, bool]:
    terms = blind.for_keyring(keyring()).query(text)
    compact = re.sub(r"[^A-Z0-9]", "", text.upper())
    conditions = []
    if terms:
        having = sa.func.count(sa.distinct(FamilySearchToken.token)) == len(terms)
        named = (sa.select(FamilySearchToken.family_id).where(FamilySearchToken.token.in_(terms))
                 .group_by(FamilySearchToken.family_id).having(having))
        conditions.append(Family.id.in_(named))
    if len(compact) >= 3:
        conditions.append(sa.func.replace(Family.reference, "-", "").contains(compact, autoescape=True))
    if not conditions:
        return q.where(sa.false()), True
    return q.where(sa.or_(*conditions)), False


def with_match(q: sa.Select) -> sa.Select:
    return q.outerjoin(Match, sa.and_(Match.family_id == Family.id, Match.is_active()))


def overdue_window(user: User) -> int:
    """Days without a visit before a matched family is overdue: the programme's window (7 without one)."""
    return user.programme.overdue_days if user.programme else 7


def reads(user: User) -> tuple:
    """What `filtered` reads beyond its arguments: part of the key of a select of it kept (pwa.access.kept)."""
    return overdue_window(user), keyring().current


def filtered(user: User, c: Criteria, today: date, *, matched: bool = True) -> tuple[sa.Select, bool]:
    """The families asked for; joined to their active match unless `matched` is false and no choice needs it."""
    q = access.visible_families(user)
    if matched or c.mentor or c.overdue or c.awaiting or c.consent:
        q = with_match(q)  # at most one active match a family (pwa/matches/services.py), so no family twice
    for condition in () if c.closed else WORKING_FILTERS:
        q = q.where(condition())
    if c.closed:
        q = q.where(Family.closed_on.is_not(None))
    too_short = False
    if c.q:
        q, too_short = _search(q, c.q)
    if c.stage:
        q = q.where(Family.stage == Stage[c.stage])
    if c.plan:
        q = q.where(Family.plan_type == PlanType[c.plan])
    if c.social_worker:
        q = q.where(Family.social_worker_id == uuid.UUID(c.social_worker))
    if c.mentor:
        q = q.where(Match.mentor_id == uuid.UUID(c.mentor))
    if c.overdue:
        q = q.where(Match.id.is_not(None), _since_visit() < today - timedelta(days=overdue_window(user)))
    if c.awaiting:
        q = q.where(Family.consent_given_on.is_not(None), Match.id.is_(None), Family.stage.in_(AWAITING_STAGES))
    if c.consent == "none":
        q = q.where(Family.consent_given_on.is_(None), Match.id.is_(None))
    return q, too_short


def ordered(q: sa.Select, sort: str) -> sa.Select:
    if sort == "last_visit":
        return q.order_by(Family.last_visit_on.is_not(None), Family.last_visit_on, Family.referred_at, Family.id)
    if sort == "next_review":
        return q.order_by(Match.next_review_on.is_(None), Match.next_review_on, Family.id)
    if sort == "end":
        return q.order_by(Match.agreed_end_on.is_(None), Match.agreed_end_on, Family.id)
    if sort == "waiting":
        return q.order_by(Family.consent_given_on, Family.referred_at, Family.id)
    return q.order_by(Family.referred_at.desc(), Family.id)


def count(user: User, c: Criteria, today: date) -> int:
    """How many families match, in one query (joining their matches only when a choice needs them)."""
    q, _ = filtered(user, c, today, matched=False)
    return db.session.scalar(q.with_only_columns(sa.func.count()).select_from(Family))


def overdue_rule(user: User, today: date) -> Callable[[date | None, date | None], bool]:
    """Whether a matched family is overdue, given its last visit and its match's start."""
    cutoff = today - timedelta(days=overdue_window(user))

    def overdue(last_visit_on, started_on) -> bool:
        since = max(filter(None, (last_visit_on, started_on)), default=None)
        return bool(since and since < cutoff)

    return overdue
