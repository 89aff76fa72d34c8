"""The coordinator dashboard's concern sections: unacknowledged, undelivered, debriefs to do."""
from datetime import date

from pwa import access
from pwa.core import clock
from pwa.concerns.status import minutes_between
from pwa.models import User
from pwa.supervision.dashboard import Section, section


def _waiting(coordinator: User, limit: int, offset: int) -> list:
    now = clock.now()
    return [(line, minutes_between(line.waiting_since, now))
            for line in access.waiting_concerns(coordinator, limit=limit, offset=offset)]


@section(10, "concerns")
def concerns_waiting(coordinator: User, today: date) -> Section:
    """Concerns (or their addenda) nobody has acknowledged yet, oldest first, with how long they have waited."""
    return Section("concerns", "Concerns not yet acknowledged", [], "concerns/_dash_waiting.html",
                   counted=(access.waiting_counted,), fetch=lambda limit, offset: _waiting(coordinator, limit, offset))


def _undelivered(items: list, **lazy) -> Section:
    return Section("undelivered", "Alert emails that could not be delivered", items, "concerns/_dash_undelivered.html",
                   **lazy)


@section(11)
def alerts_undelivered(coordinator: User, today: date) -> Section:
    """Alert emails that failed for good: phone the social worker, fix the address, retry."""
    return _undelivered([], probe=(access.undelivered_listed,),
                        then=lambda: _undelivered(access.undelivered_mail(coordinator)))


@section(12, "debriefs")
def debriefs_due(coordinator: User, today: date) -> Section:
    """Mentors who raised a concern and have not yet been debriefed, oldest first."""
    return Section("debriefs", "Debriefs to do after a concern", [], "concerns/_dash_debriefs.html",
                   counted=(access.debriefs_counted,),
                   fetch=lambda limit, offset: access.debrief_queue(coordinator, limit=limit, offset=offset))
