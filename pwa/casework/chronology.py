"""A family's chronology: items from every registered source, newest first, a page at a time.

A source is `source(user, family, limit) -> list[Item]`: the user's readable items for the
family, newest first, at most `limit`, scoped and audited through pwa.access. Each feature
registers its own (diary entries, concerns and their addenda ...); each item names the
template that draws it, which receives `item`.
"""
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

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


Source = Callable[..., list[Item]]
SOURCES: list[Source] = []
KINDS: dict[Source, tuple[str, ...]] = {}  # the item kinds a source gives, so a filter can skip it
KIND_NAMES = {"visit": "Visits", "concern": "Concerns and addenda", "goal": "Goals",
              "reading": "Outcome readings", "match": "Match decisions"}


def register(source: Source | None = None, *, kinds: tuple[str, ...] = ()):
    """Add a source to every family's chronology (once, however often it is imported).

    A source answers `source(user, family, limit, since=None, until=None)`: at
    most `limit` items, newest first, taken between the two dates when given.
    """
    def add(fn: Source) -> Source:
        if fn not in SOURCES:
            SOURCES.append(fn)
        if kinds:
            KINDS[fn] = kinds
        return fn

    return add(source) if source is not None else add


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
         kinds: set[str] | None = None, since: date | None = None, until: date | None = None) -> Page:
    """One page of the family's chronology: each source asked once, so queries do not grow with items."""
    wanted = number * per_page + 1
    window = {} if since is None and until is None else {"since": since, "until": until}
    items = []
    for source in SOURCES:
        if kinds and source in KINDS and not kinds & set(KINDS[source]):
            continue
        items += source(user, family, wanted, **window)
    if kinds:
        items = [item for item in items if item.kind in kinds]
    items.sort(key=lambda item: item.at, reverse=True)
    start = (number - 1) * per_page
    return Page(items[start:start + per_page], number, number > 1, len(items) > number * per_page)
