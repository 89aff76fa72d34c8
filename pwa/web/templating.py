"""Jinja filters: local dates and times, and small display helpers."""
import functools
from datetime import date, datetime

from flask import Flask
from markupsafe import Markup, escape

from pwa.core import clock

local = clock.local  # filters below show times in the scheme's zone


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


@functools.lru_cache(maxsize=128)
def options(choices: tuple, chosen: str = "") -> Markup:
    """The <option>s of (value, label) pairs, `chosen` selected: one join, not a template loop over 200 people.

    Kept for the last 128 lists and choices asked for: the same people are drawn on every families page,
    and hashing them costs a tenth of escaping them again. A list changes (an account added or renamed)
    as a new tuple (pwa.access.staff), so it is drawn anew.
    """
    html = "".join(f'<option value="{escape(value)}"{" selected" if value == chosen else ""}>{escape(label)}</option>'
                   for value, label in choices)
    return Markup(html)  # nosec B704  # every value and label in it was escaped just above


def _form_rules(form) -> dict:
    """The rules the phone checks for this form (pwa.web.rules), for a form's fields partial."""
    from pwa.web.rules import published

    return published(form)


def first_names(people) -> str:
    """'Amy, Jo', or 'none': the children an entry names (one join, not a macro imported into every row)."""
    return ", ".join(str(p.first_name) for p in people) or "none"


def duration(minutes: int | None) -> str:
    """'15 minutes', '1 hour', '24 hours' (a whole day reads '1 day' only when asked in days)."""
    if minutes is None:
        return ""
    if minutes % (24 * 60) == 0 and minutes > 24 * 60:
        days = minutes // (24 * 60)
        return f"{days} days"
    if minutes % 60 == 0:
        hours = minutes // 60
        return f"{hours} hour{'s' if hours != 1 else ''}"
    if minutes > 60:
        return f"{minutes // 60} h {minutes % 60} min"
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def register(app: Flask) -> None:
    """Install the filters and globals."""
    from pwa.web import controls
    from pwa.web.paging import page_url, row_url

    app.jinja_env.filters.update(hhmm=hhmm, when=when, day=day, days_phrase=days_phrase, duration=duration,
                               first_names=first_names)
    app.jinja_env.globals["today"] = clock.today
    app.jinja_env.globals["form_rules"] = _form_rules
    app.jinja_env.globals["page_url"] = page_url
    app.jinja_env.globals["row_url"] = row_url
    app.jinja_env.globals["options"] = options
    app.jinja_env.globals.update(control=controls.control, label_of=controls.label, choice_inputs=controls.choice_inputs,
                                 hidden_tag=controls.hidden_tag)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
