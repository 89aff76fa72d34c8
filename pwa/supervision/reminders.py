"""Reminder emails without case content, through the same outbox and worker as alerts.

- A coordinator's weekly digest of the dashboard's counts (switch-off: User.digest_emails).
- A mentor's reminder on the morning of a contact they planned (User.reminder_emails).
A row in reminders_sent with a unique key makes each go at most once, even with
several workers: one digest per person per day (and weekly), one reminder per planned contact.
The emails are rendered from templates/email/digest and contact_reminder (counts, references, links).
"""
from datetime import date, timedelta

import sqlalchemy as sa
from flask import Flask, current_app
from sqlalchemy.exc import IntegrityError

from pwa.core import clock
from pwa.outbox import mailer, rules
from pwa.core.extensions import db
from pwa.models import Family, MailKind, Match, ReminderSent, Role, User, Visit
from pwa.web.templating import local

SEND_FROM_HOUR = 7  # local time: nobody gets a reminder in the night
DIGEST_EVERY_DAYS = 7


def _claim(key: str, user: User, kind: str) -> bool:
    """Record that a reminder goes out; False if it already went (another worker, or earlier)."""
    try:
        with db.session.begin_nested():
            db.session.add(ReminderSent(key=key, user_id=user.id, kind=kind))
            db.session.flush()
    except IntegrityError:
        return False
    return True


def _digest_due(user: User, today: date) -> bool:
    last = db.session.scalar(sa.select(sa.func.max(ReminderSent.queued_at))
                             .where(ReminderSent.user_id == user.id, ReminderSent.kind == "digest"))
    return last is None or local(last).date() <= today - timedelta(days=DIGEST_EVERY_DAYS)


def queue_digests(today: date) -> int:
    """Queue a weekly digest for each coordinator who wants one and has not had one this week."""
    from pwa.supervision import dashboard

    coordinators = db.session.scalars(sa.select(User).where(
        User.role == Role.coordinator, User.active.is_(True), User.digest_emails.is_(True))).all()
    queued = 0
    for coordinator in coordinators:
        if not _digest_due(coordinator, today) or not _claim(f"digest:{coordinator.id}:{today}", coordinator, "digest"):
            continue
        counts = [(s.title, s.count) for s in dashboard.build(coordinator, today)]
        mailer.queue_email(MailKind.digest, coordinator.email, "Your weekly Bridge digest", template="digest",
                           counts=counts, total=sum(n for _, n in counts),
                           link=f"{current_app.config['BASE_URL']}/dashboard")
        queued += 1
    return queued


def queue_contact_reminders(today: date) -> int:
    """Remind mentors, on the day, of contacts they planned at their last visit."""
    rows = db.session.execute(
        sa.select(Visit.id, Family.reference, User)
        .join(Match, sa.and_(Match.id == Visit.match_id, Match.ended_on.is_(None)))
        .join(Family, Family.id == Visit.family_id).join(User, User.id == Visit.author_id)
        .where(Visit.next_contact_on == today, Visit.is_current(), User.active.is_(True),
               User.reminder_emails.is_(True))).all()
    queued = 0
    for visit_id, reference, mentor in rows:
        if not _claim(f"contact:{visit_id}", mentor, "contact"):
            continue
        mailer.queue_email(MailKind.reminder, mentor.email, "Reminder: a contact you planned for today",
                           template="contact_reminder", reference=reference,
                           link=f"{current_app.config['BASE_URL']}/")
        queued += 1
    return queued


def queue_due_reminders() -> int:
    """The worker's periodic task: from 07:00 local time, queue what is due today."""
    now = local(clock.now())
    if now.hour < SEND_FROM_HOUR:
        return 0
    return queue_digests(now.date()) + queue_contact_reminders(now.date())


def register(app: Flask) -> None:
    """Ask the outbox worker to look for due reminders every minute."""
    rules.add_job(app, rules.Job("reminders", every=60.0, task=queue_due_reminders))
