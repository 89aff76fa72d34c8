"""The coordinator dashboard's concern sections: unacknowledged, undelivered, debriefs to do."""
from datetime import date

from pwa import access
from pwa.core import clock
from pwa.concerns.status import minutes_between
from pwa.models import User
from pwa.supervision.dashboard import SHOWN, Section, section


def _waiting(coordinator: User, limit: int, offset: int) -> list:
    now = clock.now()
    return [(line, minutes_between(line.waiting_since, now))
            for line in access.waiting_concerns(coordinator, limit=limit, offset=offset)]


@section(10, "concerns")
def concerns_waiting(coordinator: User, today: date) -> Section:
    """Concerns (or their addenda) nobody has acknowledged yet, oldest first, with how long they have waited."""
    return Section("concerns", "Concerns not yet acknowledged", _waiting(coordinator, SHOWN, 0),
                   "concerns/_dash_waiting.html", total=access.count_concerns(coordinator, open_only=True),
                   fetch=lambda limit, offset: _waiting(coordinator, limit, offset))


@section(11)
def alerts_undelivered(coordinator: User, today: date) -> Section:
    """Alert emails that failed for good: phone the social worker, fix the address, retry."""
    return Section("undelivered", "Alert emails that could not be delivered", access.undelivered_mail(coordinator),
                   "concerns/_dash_undelivered.html")


@section(12, "debriefs")
def debriefs_due(coordinator: User, today: date) -> Section:
    """Mentors who raised a concern and have not yet been debriefed, oldest first."""
    return Section("debriefs", "Debriefs to do after a concern", access.debrief_queue(coordinator, limit=SHOWN),
                   "concerns/_dash_debriefs.html", total=access.count_debriefs(coordinator),
                   fetch=lambda limit, offset: access.debrief_queue(coordinator, limit=limit, offset=offset))
