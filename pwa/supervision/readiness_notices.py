"""Notices before a mentor's DBS check or child protection training lapses, and on the day it does.

The worker queues, for each active mentor, a notice to the mentor and to each of the
programme's coordinators 60, 30 and 7 days before a check lapses and on the day it lapses
(matching is then refused, see User.readiness_gaps). A row in reminders_sent per recipient,
check, lapse date and threshold makes each go once; a renewed check has a new lapse date, so
its own notices follow in time. A threshold passed while the worker was stopped is caught up
with the most urgent one only. Notices name no one: the coordinator follows a link (sign-in
needed) to see which mentor.
"""
from datetime import date

import sqlalchemy as sa
from flask import Flask, current_app

from pwa.core import clock
from pwa.core.extensions import db
from pwa.models import ReminderSent, Role, User
from pwa.outbox import mailer, rules
from pwa.supervision.reminders import SEND_FROM_HOUR, _claim
from pwa.web.templating import day

THRESHOLDS = (60, 30, 7, 0)  # days before the lapse; 0 is the day it lapses
LATE_DAYS = 30  # a lapse first noticed later than this (e.g. old data) is on the dashboard already
KIND = "lapse"
CODES = {"DBS check": "dbs", "Child protection training": "cp"}


def threshold(days_left: int) -> int | None:
    """The most urgent threshold reached with this many days left (None: nothing to send)."""
    if days_left > THRESHOLDS[0] or days_left < -LATE_DAYS:
        return None
    return min(t for t in THRESHOLDS if days_left <= t) if days_left > 0 else 0


def _text(what: str, lapses: date, days_left: int, *, own: bool, link: str) -> tuple[str, str]:
    whose = "Your" if own else "A mentor's"
    when = f"lapses on {day(lapses)} ({days_left} days from today)" if days_left > 0 else f"lapsed on {day(lapses)}"
    subject = f"{whose} {what} {'has lapsed' if days_left <= 0 else f'lapses in {days_left} days'}"
    body = f"{whose} {what} {when}.\n\n"
    if days_left <= 0:
        body += "Until it is renewed and recorded, no new match can be made with this mentor.\n\n"
    body += ("Please arrange the renewal with your coordinator.\n" if own else
             f"See which mentor and record the renewal (sign-in needed): {link}\n")
    return subject, body


def _due(today: date) -> list[tuple[User, str, date, int]]:
    """(mentor, check, lapse date, threshold) for every notice that may be due today."""
    mentors = db.session.scalars(sa.select(User).where(User.role == Role.mentor, User.active.is_(True), sa.or_(
        User.dbs_checked_on.is_not(None), User.cp_trained_on.is_not(None)))).all()
    due = []
    for mentor in mentors:
        for what, lapses in mentor.expiries().items():
            reached = threshold((lapses - today).days)
            if reached is not None:
                due.append((mentor, what, lapses, reached))
    return due


def queue_readiness_notices(today: date) -> int:
    """Queue what is due today and not yet sent; returns notices queued."""
    due = _due(today)
    if not due:
        return 0
    coordinators: dict = {}
    for c in db.session.scalars(sa.select(User).where(User.role == Role.coordinator, User.active.is_(True))):
        coordinators.setdefault(c.programme_id, []).append(c)
    wanted = [(f"{KIND}:{r.id}:{m.id}:{CODES.get(what, what)}:{lapses}:{reached}", r, m, what, lapses)
              for m, what, lapses, reached in due for r in (m, *coordinators.get(m.programme_id, []))]
    already = set(db.session.scalars(sa.select(ReminderSent.key).where(ReminderSent.key.in_([w[0] for w in wanted]))))
    base, queued = current_app.config["BASE_URL"], 0
    for key, recipient, mentor, what, lapses in wanted:
        if key in already or not _claim(key, recipient, KIND):
            continue
        subject, text = _text(what, lapses, (lapses - today).days, own=recipient.id == mentor.id,
                              link=f"{base}/mentors/{mentor.id}/readiness")
        mailer.queue_notice(recipient.id, subject, text)
        queued += 1
    return queued


def sent_keys() -> set[str]:
    """Keys of readiness notices already queued (for tests and the curious)."""
    return set(db.session.scalars(sa.select(ReminderSent.key).where(ReminderSent.kind == KIND)))


def run() -> int:
    """The worker's periodic task: from 07:00 local time."""
    now = clock.local(clock.now())
    return 0 if now.hour < SEND_FROM_HOUR else queue_readiness_notices(now.date())



def register(app: Flask) -> None:
    """Ask the outbox worker to look for readiness checks about to lapse every ten minutes."""
    rules.add_job(app, rules.Job("readiness-notices", every=600.0, task=run))
