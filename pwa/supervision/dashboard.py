"""The coordinator's dashboard: one screen of what needs acting on.

Each section is a function (coordinator, today) -> Section that runs a fixed
number of queries, whatever the size of the programme. Features register
their own sections (diary reviews, concerns): `section` marks one, and the feature's
register(app) adds its modules with `add`.

Every section has a "see all" page (/dashboard/<key>), paged with a count. A section
that lists everything in `items` needs nothing more; one that lists only its first
items (and sets `total`) gives `fetch(limit, offset)` for the rest. Passing `key=` to
`section` lets the see-all page run only that section.
"""
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Callable, NamedTuple

import sqlalchemy as sa

from pwa import access
from pwa.core import clock, refusals, registry
from pwa.core.database import columns
from pwa.core.dates import add_months
from pwa.core.extensions import db
from pwa.models import AuditEvent, Family, Match, Role, SupervisionSession, User
from pwa.models.base import open_column
from pwa.web.paging import Page

SOON_DAYS = 30
REFUSAL_DAYS, REFUSALS_SHOWN_FROM = 7, 3  # accounts refused this often in a week are worth a look
REVIEW_WARNING_DAYS = 7


@dataclass
class Section:
    """A heading, how many things need acting on, and the things themselves."""

    key: str
    title: str
    items: list = field(default_factory=list)
    template: str = ""
    empty: str = "Nothing to act on."
    total: int | None = None  # when only the first items are listed
    fetch: Callable[[int, int], list] | None = None  # (limit, offset) -> items, when `items` is not all

    @property
    def count(self) -> int:
        return len(self.items) if self.total is None else self.total


@dataclass
class Sections:
    """The sections the features put on the dashboard, in page order, and those with a see-all key."""

    ordered: list[tuple[int, Callable[[User, date], Section]]] = field(default_factory=list)
    keyed: dict[str, Callable[[User, date], Section]] = field(default_factory=dict)


def section(order: int, key: str | None = None):
    """Mark a function as a dashboard section at a position on the page (key: its see-all page's name)."""

    def mark(fn):
        fn.dashboard_section = (order, key)
        return fn

    return mark


def add(app, *modules) -> None:
    """Put the sections marked in these modules on the app's dashboard (a feature's register calls this)."""
    sections = registry.of("dashboard", Sections, app)
    for fn, (order, key) in registry.marked(modules, "dashboard_section"):
        if all(fn is not known for _, known in sections.ordered):
            sections.ordered.append((order, fn))
        if key:
            sections.keyed[key] = fn
    sections.ordered.sort(key=lambda pair: pair[0])


def _sections() -> Sections:
    return registry.of("dashboard", Sections)


SHOWN = 10  # items listed per section, the most urgent first; the heading gives the full count, "See all" the rest


def build(coordinator: User, today: date) -> list[Section]:
    """Every section for a coordinator's programme, each listing its first SHOWN items."""
    sections = [fn(coordinator, today) for _, fn in _sections().ordered]
    for s in sections:
        s.total, s.items = s.count, s.items[:SHOWN]
    return sections


def one(key: str, coordinator: User, today: date, page: Page) -> Section | None:
    """One section with one page of its items (the see-all page); None for an unknown key."""
    found, sections = None, _sections()
    if key in sections.keyed:
        found = sections.keyed[key](coordinator, today)
    else:
        for _, fn in sections.ordered:
            if fn not in sections.keyed.values() and (candidate := fn(coordinator, today)).key == key:
                found = candidate
                break
    if found is None:
        return None
    page.total = found.count
    page.number = min(page.number, page.pages)
    items = found.fetch(page.per_page, page.offset) if found.fetch else found.items[page.offset:page.last]
    found.total, found.items = page.total, list(items)
    return found


def listed(key: str, title: str, build: Callable, coordinator: User, today: date, template: str, *,
           shape: Callable, **more) -> Section:
    """A section from one select: its count, its first SHOWN rows, and the rest on its see-all page.

    build(coordinator, today) gives the select of the columns a card shows and a cheaper count than
    counting it (or None); both are built once per coordinator and day and kept (pwa.access.kept).
    shape makes each row into the line a card shows: no object is loaded, and only the names shown are
    opened (people's through access.staff_name, kept per process).
    """
    q, counted, first = access.prepared(_statements, coordinator, build, today)
    total = columns(counted).scalar()

    def fetch(limit: int, offset: int) -> list:
        return [shape(r) for r in columns(first if (limit, offset) == (SHOWN, 0) else q.limit(limit).offset(offset))]

    return Section(key, title, fetch(SHOWN, 0) if total else [], template, total=total, fetch=fetch, **more)


def _statements(coordinator: User, build: Callable, today: date) -> tuple[sa.Select, sa.Select, sa.Select]:
    q, counted = build(coordinator, today)
    if counted is None:
        counted = sa.select(sa.func.count()).select_from(q.order_by(None).subquery())
    return q, counted, q.limit(SHOWN)


class MatchLine(NamedTuple):
    """A match on the dashboard: its family, its mentor, and the date that puts it there."""

    id: uuid.UUID
    family_name: str
    mentor_id: uuid.UUID
    mentor_name: str
    on: date


def _match_line(row) -> MatchLine:
    mid, fid, family_name, uid, name, on = row
    return MatchLine(mid, open_column(Family.display_name, fid, family_name), uid, access.staff_name(uid, name), on)


def _match_lines(on: sa.ColumnElement, where: Callable[[date], sa.ColumnElement]) -> Callable:
    """A builder of the active matches the coordinator can see by the date `on` (where(today): which of them)."""

    def build(coordinator: User, today: date) -> tuple[sa.Select, sa.Select]:
        active = access.visible_matches(coordinator).where(Match.is_active(), where(today))
        lines = (active.with_only_columns(Match.id, Family.id, Family.display_name, User.id, User.name, on)
                 .join(User, User.id == Match.mentor_id).order_by(on, Match.id))
        return lines, active.with_only_columns(sa.func.count())

    return build


_REVIEWS_DUE = _match_lines(Match.next_review_on,
                            lambda today: Match.next_review_on <= today + timedelta(days=REVIEW_WARNING_DAYS))
_OVERRUN = _match_lines(Match.agreed_end_on, lambda today: Match.agreed_end_on < today)


@section(40, "reviews")
def reviews_due(coordinator: User, today: date) -> Section:
    """Active matches whose review is overdue or falls due within a week."""
    return listed("reviews", "Reviews due or overdue", _REVIEWS_DUE, coordinator, today, "supervision/_reviews.html",
                  shape=_match_line)


@section(50, "overrun")
def past_agreed_end(coordinator: User, today: date) -> Section:
    """Active matches past their agreed end: extend with a reason, or end."""
    return listed("overrun", "Matches past their agreed end", _OVERRUN, coordinator, today,
                  "supervision/_overrun.html", shape=_match_line)


def readiness_alerts(mentors: list[User], today: date) -> list[tuple[User, str, date]]:
    """(mentor, which check, when it lapses) for checks lapsed or lapsing within 30 days."""
    alerts = []
    for mentor in mentors:
        for what, lapses in mentor.expiries().items():
            if lapses <= today + timedelta(days=SOON_DAYS):
                alerts.append((mentor, what, lapses))
    return sorted(alerts, key=lambda a: a[2])


def _active_mentors(coordinator: User) -> sa.Select:
    return access.manageable_users(coordinator).where(User.role == Role.mentor, User.active.is_(True))


def _lapsing(coordinator: User, today: date, valid: tuple[int, int]) -> sa.Select:
    soon, (dbs_months, training_months) = today + timedelta(days=SOON_DAYS + 3), valid
    lapsing = sa.or_(User.dbs_checked_on <= add_months(soon, -dbs_months),
                     User.cp_trained_on <= add_months(soon, -training_months))
    return _active_mentors(coordinator).where(lapsing).order_by(User.created_at)


@section(60, "readiness")
def readiness(coordinator: User, today: date) -> Section:
    """Readiness checks expired (blocking new matches) or expiring within 30 days.

    The database picks the mentors whose check was made long enough ago to lapse by then (a few days'
    margin for months of different lengths); expiries() then gives each one's exact date.
    """
    valid = (coordinator.programme.dbs_valid_months, coordinator.programme.training_valid_months)
    mentors = db.session.scalars(access.prepared(_lapsing, coordinator, today, valid)).all()
    return Section("readiness", "Readiness checks expiring or expired", readiness_alerts(mentors, today),
                   "supervision/_readiness.html")


def _supervision_lines(coordinator: User, today: date) -> tuple[sa.Select, None]:
    newest = (sa.select(SupervisionSession.mentor_id, sa.func.max(SupervisionSession.held_on).label("held_on"))
              .group_by(SupervisionSession.mentor_id).subquery())
    last = SupervisionSession  # the latest session: the select is of mentors, so no alias is needed
    q = (_active_mentors(coordinator).with_only_columns(User.id, User.name, last.next_on)
         .outerjoin(newest, newest.c.mentor_id == User.id)
         .outerjoin(last, sa.and_(last.mentor_id == User.id, last.held_on == newest.c.held_on))
         .where(sa.or_(newest.c.mentor_id.is_(None), last.next_on <= today)).order_by(User.created_at, User.id))
    return q, None


def _supervision_line(row) -> tuple:
    return row[0], access.staff_name(row[0], row[1]), row[2]


@section(70, "supervision")
def supervision_due(coordinator: User, today: date) -> Section:
    """Mentors whose next supervision date has come, or who have never had one (their latest session decides)."""
    return listed("supervision", "Supervision due", _supervision_lines, coordinator, today,
                  "supervision/_supervision_due.html", shape=_supervision_line)


@section(80)
def repeated_refusals(coordinator: User, today: date) -> Section:
    """Accounts of the programme refused several times this week: probing, or someone who lacks access."""
    since = clock.now() - timedelta(days=REFUSAL_DAYS)
    people = access.manageable_users(coordinator).with_only_columns(User.id)
    n = sa.func.count(AuditEvent.id)
    q = (sa.select(AuditEvent.actor_id, n, sa.func.max(AuditEvent.at))
         .where(AuditEvent.at >= since, AuditEvent.action.like(refusals.PREFIX + "%"), AuditEvent.actor_id.in_(people))
         .group_by(AuditEvent.actor_id).having(n >= REFUSALS_SHOWN_FROM).order_by(n.desc()))
    rows = db.session.execute(q).all()
    users = {u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_([r[0] for r in rows])))}
    items = [(users[actor], count, last) for actor, count, last in rows]
    return Section("refusals", "Accounts refused access repeatedly", items, "supervision/_refusals.html",
                   empty=f"No account was refused {REFUSALS_SHOWN_FROM} or more times in the last {REFUSAL_DAYS} days.")
