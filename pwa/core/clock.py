"""The one source of the current time, so tests can move it, and the scheme's time zone.

Times are stored in UTC; what "today", "later than now" and a time typed on a form mean is local
time in the zone set by `configure` (BRIDGE_TIMEZONE, read in pwa.config; Europe/London by default).
"""
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

_offset_seconds = 0.0
_zone = ZoneInfo("Europe/London")


def configure(zone_name: str) -> None:
    """Set the scheme's time zone (create_app does, from the settings)."""
    global _zone
    _zone = ZoneInfo(zone_name)


def zone() -> ZoneInfo:
    """The scheme's time zone."""
    return _zone


def now() -> datetime:
    """Return the current time in UTC (shifted when a test has moved the clock)."""
    return datetime.now(timezone.utc) + timedelta(seconds=_offset_seconds)


def today() -> date:
    """Return today's date in UTC."""
    return now().date()


def local(value: datetime) -> datetime:
    """A UTC time in the scheme's local time."""
    return value.astimezone(_zone)


def at_local(day: date, at: time) -> datetime:
    """A local day and time of day as an aware datetime."""
    return datetime.combine(day, at, tzinfo=_zone)


def local_now() -> datetime:
    """Return the current time in the scheme's time zone (what "today" and "later than now" mean)."""
    return local(now())


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
