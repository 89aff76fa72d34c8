"""Concerns and their addenda in a family's chronology, beside the visits (a mentor: only their own)."""
from datetime import date, datetime, time, timedelta

from pwa import access
from pwa.casework import chronology
from pwa.models import Family, User
from pwa.core import clock

TEMPLATE = "concerns/_chronology_item.html"


def _start_of(day: date | None) -> datetime | None:
    return None if day is None else clock.at_local(day, time(0))


@chronology.source(kinds=("concern",), by_child=True)
def concern_items(user: User, family: Family, limit: int, since=None, until=None, child=None) -> list[chronology.Item]:
    """Each concern and each addendum, newest first, between two local dates (about a child) when given."""
    after, before = _start_of(since), _start_of(until + timedelta(days=1) if until else None)
    items = []
    for concern in access.family_concern_lines(user, family, limit, after=after, before=before, child=child):
        items.append(chronology.Item("concern", concern.created_at,
                                     f"Safeguarding concern {concern.reference} ({concern.urgency.value.lower()})",
                                     TEMPLATE, concern))
        items += [chronology.Item("concern", a.created_at, f"Addition to concern {concern.reference}", TEMPLATE, a)
                  for a in concern.addenda]
    kept = [i for i in items if (after is None or i.at >= after) and (before is None or i.at < before)]
    return sorted(kept, key=lambda i: i.at, reverse=True)[:limit]
