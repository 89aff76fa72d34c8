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


def advance(seconds: float) -> None:
    """Move the clock forward (tests only)."""
    global _offset_seconds
    _offset_seconds += seconds


def reset() -> None:
    """Put the clock back to real time (tests only)."""
    global _offset_seconds
    _offset_seconds = 0.0
