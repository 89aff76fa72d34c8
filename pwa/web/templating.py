"""Jinja filters: local dates and times, and small display helpers."""
import os
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import Flask

from pwa.core import clock

ZONE = ZoneInfo(os.environ.get("BRIDGE_TIMEZONE", "Europe/London"))


def local(value: datetime) -> datetime:
    """Convert a UTC time to the scheme's local time."""
    return value.astimezone(ZONE)


def hhmm(value: datetime | None) -> str:
    """14:32, in local time."""
    return local(value).strftime("%H:%M") if value else ""


def when(value: datetime | None) -> str:
    """Sun 22 Nov 2026, 14:32, in local time."""
    return local(value).strftime("%a %-d %b %Y, %H:%M") if value else ""


def day(value: date | None) -> str:
    """22 Nov 2026."""
    return value.strftime("%-d %b %Y") if value else "—"


def days_phrase(days: int) -> str:
    """'in 3 days', 'today', '2 days ago'."""
    if days == 0:
        return "today"
    if days > 0:
        return f"in {days} day{'s' if days != 1 else ''}"
    return f"{-days} day{'s' if days != -1 else ''} ago"


def _form_rules(form) -> dict:
    """The rules the phone checks for this form (pwa.web.rules), for a form's fields partial."""
    from pwa.web.rules import published

    return published(form)


def register(app: Flask) -> None:
    """Install the filters and globals."""
    app.jinja_env.filters.update(hhmm=hhmm, when=when, day=day, days_phrase=days_phrase)
    app.jinja_env.globals["today"] = clock.today
    app.jinja_env.globals["form_rules"] = _form_rules
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
