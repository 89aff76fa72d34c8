"""The one source of the current time, so tests can move it."""
from datetime import date, datetime, timezone

_offset_seconds = 0.0


def now() -> datetime:
    """Return the current time in UTC (shifted when a test has moved the clock)."""
    from datetime import timedelta

    return datetime.now(timezone.utc) + timedelta(seconds=_offset_seconds)


def today() -> date:
    """Return today's date in UTC."""
    return now().date()


def local_now() -> datetime:
    """Return the current time in the scheme's time zone (what "today" and "later than now" mean)."""
    from pwa.web.templating import ZONE  # the zone is defined once, there

    return now().astimezone(ZONE)


def local_today() -> date:
    """Return today's date in the scheme's time zone (a visit at 00:30 in summer is already tomorrow in UTC)."""
    return local_now().date()


def advance(seconds: float) -> None:
    """Move the clock forward (tests only)."""
    global _offset_seconds
    _offset_seconds += seconds


def reset() -> None:
    """Put the clock back to real time (tests only)."""
    global _offset_seconds
    _offset_seconds = 0.0
