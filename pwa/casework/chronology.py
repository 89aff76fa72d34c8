"""A family's chronology: items from every registered source, newest first, a page at a time.

A source is `source(user, family, limit) -> list[Item]`: the user's readable items for the
family, newest first, at most `limit`, scoped and audited through pwa.access. Each feature
registers its own (diary entries, concerns and their addenda ...); each item names the
template that draws it, which receives `item`.

An item sits at the moment the event happened (`at`; a date-only event at midday, `timed`
False), not when it was typed; `recorded_at` is when it reached the record, shown beside it
when it is another day. A source marked with `by_child=True` also answers `child=<id>`
with only the items about that child; a child filter leaves out the other sources.
"""
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from pwa.core import clock, registry
from pwa.models import Family, User

PER_PAGE = 20
MAX_PAGE = 500


@dataclass(frozen=True)
class Item:
    kind: str
    at: datetime
    title: str
    template: str
    obj: Any
    recorded_at: datetime | None = None
    timed: bool = True

    @property
    def on(self) -> date:
        """The local day the event happened."""

        return self.at.astimezone(clock.zone()).date()

    @property
    def recorded_later(self) -> bool:
        """It was recorded on another day than it happened (so both are shown)."""

        return self.recorded_at is not None and self.recorded_at.astimezone(clock.zone()).date() != self.on


Source = Callable[..., list[Item]]
KIND_NAMES = {"visit": "Visits", "concern": "Concerns and addenda", "goal": "Goals",
              "reading": "Outcome readings", "match": "Match decisions", "record": "Referral, consent and record"}


def source(*, kinds: tuple[str, ...] = (), by_child: bool = False):
    """Mark a function as a chronology source giving these item kinds (by_child: it answers child=<id>).

    A source answers `source(user, family, limit, since=None, until=None)`: at
    most `limit` items, newest first, taken between the two dates when given.
    A feature's register(app) adds the module it is in with `add`.
    """
    def mark(fn: Source) -> Source:
        fn.chronology_source = (tuple(kinds), by_child)
        return fn

    return mark


@dataclass
class Sources:
    """The sources every family's chronology asks, with the kinds each gives and those that filter by child."""

    ordered: list[Source] = field(default_factory=list)
    kinds: dict[Source, tuple[str, ...]] = field(default_factory=dict)
    by_child: set[Source] = field(default_factory=set)


def add(app, *modules) -> None:
    """Add the sources marked in these modules to the app's chronology."""
    sources = registry.of("chronology", Sources, app)
    for fn, (kinds, by_child) in registry.marked(modules, "chronology_source"):
        if fn not in sources.ordered:
            sources.ordered.append(fn)
        if kinds:
            sources.kinds[fn] = kinds
        if by_child:
            sources.by_child.add(fn)


@dataclass(frozen=True)
class Page:
    items: list[Item]
    number: int
    has_previous: bool
    has_next: bool


def page_number(raw) -> int:
    """Read ?page=N: a whole number from 1 (anything else is page 1)."""
    try:
        return min(max(int(raw), 1), MAX_PAGE)
    except (TypeError, ValueError):
        return 1


def page(user: User, family: Family, number: int = 1, per_page: int = PER_PAGE, *,
         kinds: set[str] | None = None, since: date | None = None, until: date | None = None,
         child=None) -> Page:
    """One page of the family's chronology: each source asked once, so queries do not grow with items."""
    wanted = number * per_page + 1
    window = {} if since is None and until is None else {"since": since, "until": until}
    items, sources = [], registry.of("chronology", Sources)
    for fn in sources.ordered:
        if kinds and fn in sources.kinds and not kinds & set(sources.kinds[fn]):
            continue
        if child is not None and fn not in sources.by_child:
            continue
        items += fn(user, family, wanted, **window, **({"child": child} if child is not None else {}))
    if kinds:
        items = [item for item in items if item.kind in kinds]
    items.sort(key=lambda item: (item.at, item.recorded_at or item.at), reverse=True)
    start = (number - 1) * per_page
    return Page(items[start:start + per_page], number, number > 1, len(items) > number * per_page)


def by_day(items: list[Item]) -> list[tuple[date, list[Item]]]:
    """Items grouped under the day they happened, in the order given."""
    days: list[tuple[date, list[Item]]] = []
    for item in items:
        if not days or days[-1][0] != item.on:
            days.append((item.on, []))
        days[-1][1].append(item)
    return days


def moment(day: date, *, end: bool = False) -> datetime:
    """Local midnight at the start of a day (or, with end, of the day after), as an aware time."""
    from datetime import time, timedelta


    return datetime.combine(day + timedelta(days=1) if end else day, time(0), tzinfo=clock.zone())
