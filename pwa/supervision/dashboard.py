"""The coordinator's dashboard: one screen of what needs acting on.

Each section is a function (coordinator, today) -> Section that runs a fixed
number of queries, whatever the size of the programme. Features register
their own sections (diary reviews, concerns): `section` marks one, and the feature's
register(app) adds its modules with `add`.

Every section has a "see all" page (/dashboard/<key>), paged with a count. A section
that lists everything in `items` needs nothing more; one that lists only its first
items (and sets `total`) gives `fetch(limit, offset)` for the rest. Passing `key=` to
`section` lets the see-all page run only that section.

A section need not read anything itself. One that gives `counted` (the select of its count) or
`probe` (a select of its rows: has it any?) is read with every other section's count in one
select of scalar subqueries, kept per coordinator and day; then only the sections with something
to show run their own select (`fetch` for a counted one, `then` for a probed one). The page's
statements are the counts, one per section with rows, and the request's own.
"""
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Callable, NamedTuple

import sqlalchemy as sa

from pwa import access
from pwa.core import registry
from pwa.core.database import columns
from pwa.core.extensions import db
from pwa.models import Family, Match, User
from pwa.models.base import open_column
from pwa.web.paging import Page

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
    counted: tuple | None = None  # (builder, *values): builder(coordinator, *values) is the select of its count
    probe: tuple | None = None  # (builder, *values) of a select of its rows; when it has none, nothing else runs
    then: Callable[[], "Section"] | None = None  # the section read in full, when its probe found rows
    params: dict = field(default_factory=dict)  # values for bind parameters of its selects

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
    sections = _counts(coordinator, [fn(coordinator, today) for _, fn in _sections().ordered])
    for s in sections:
        if s.counted and s.total:
            s.items = list(s.fetch(SHOWN, 0))
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
    [found] = _counts(coordinator, [found])
    page.total = found.count
    page.number = min(page.number, page.pages)
    items = found.fetch(page.per_page, page.offset) if found.fetch else found.items[page.offset:page.last]
    found.total, found.items = page.total, list(items)
    return found


def _counts(coordinator: User, sections: list[Section]) -> list[Section]:
    """Read the sections' counts and probes in one select; a probed section with rows is then read in full."""
    asked = [s for s in sections if s.counted or s.probe]
    if not asked:
        return sections
    together = access.prepared(_together, coordinator, tuple((s.counted, s.probe) for s in asked))
    params = {name: value for s in asked for name, value in s.params.items()}
    values = dict(zip(map(id, asked), db.session.connection().execute(together, params).one()))
    for s in asked:
        if s.counted:
            s.total = values[id(s)]
    return [s.then() if s.probe and values[id(s)] else s for s in sections]


def _together(coordinator: User, asks: tuple) -> sa.Select:
    """One select of every section's count (a scalar subquery) or probe (an EXISTS), in page order."""
    return sa.select(*(_asked(coordinator, counted, probe) for counted, probe in asks))


def _asked(coordinator: User, counted: tuple | None, probe: tuple | None) -> sa.ColumnElement:
    if counted:
        build, *values = counted
        return build(coordinator, *values).scalar_subquery()
    build, *values = probe
    return build(coordinator, *values).exists()


def listed(key: str, title: str, build: Callable, coordinator: User, today: date, template: str, *,
           shape: Callable, **more) -> Section:
    """A section from one select: its count (read with the others'), its first SHOWN rows, the rest on its see-all page.

    build(coordinator, today) gives the select of the columns a card shows and a cheaper count than
    counting it (or None); both are built once per coordinator and day and kept (pwa.access.kept).
    shape makes each row into the line a card shows: no object is loaded, and only the names shown are
    opened (people's through access.staff_name, kept per process).
    """
    def fetch(limit: int, offset: int) -> list:
        q, _, first = access.prepared(_statements, coordinator, build, today)
        return [shape(r) for r in columns(first if (limit, offset) == (SHOWN, 0) else q.limit(limit).offset(offset))]

    return Section(key, title, [], template, fetch=fetch, counted=(_count_of, build, today), **more)


def _statements(coordinator: User, build: Callable, today: date) -> tuple[sa.Select, sa.Select, sa.Select]:
    q, counted = build(coordinator, today)
    if counted is None:
        counted = sa.select(sa.func.count()).select_from(q.order_by(None).subquery())
    return q, counted, q.limit(SHOWN)


def _count_of(coordinator: User, build: Callable, today: date) -> sa.Select:
    return access.prepared(_statements, coordinator, build, today)[1]


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
