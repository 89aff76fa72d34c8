"""The coordinator dashboard's section for entries held from phones (above the concerns: one may be a concern)."""
from datetime import date

from pwa import access
from pwa.models import User
from pwa.supervision.dashboard import Section, section


def _held(items: list, **lazy) -> Section:
    return Section("held", "Entries from phones held for you to check", items, "quarantine/_dash_held.html", **lazy)


@section(5)
def held_entries(coordinator: User, today: date) -> Section:
    """Entries a mentor's phone sent that could not be stored: open each, then record or dismiss it."""
    return _held([], probe=(access.held_listed,), then=lambda: _held(access.held_items(coordinator)))
