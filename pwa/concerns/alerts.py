"""Concern alerts and escalations: queued in the concern's transaction, addressed when sent.

An alert or escalation is an OutboxMessage whose subject_id is the concern or
addendum and whose recipients are resolved by the worker at send time, so a
family reassigned after the concern was raised alerts its new social worker.
The email carries a reference, the urgency, times and a link that needs a
sign-in: never a name, never the concern's text. It is queued through
pwa.outbox.mailer like all mail (templates email/concern_alert and
email/escalation); register(app) declares the recipient rules and the job.
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import Flask, current_app

from pwa.core import clock
from pwa.web import templating
from pwa.outbox import mailer, rules
from pwa.core.extensions import db
from pwa.models import (Concern, ConcernAddendum, Family, MailKind, OutboxMessage, Programme, Role, Urgency,
                        User)

ALERT_RULE = "concern-alert"
ESCALATION_RULE = "concern-escalation"


def deadline_minutes(programme: Programme, urgency: Urgency) -> int:
    """Minutes the programme allows before an unacknowledged concern of this urgency escalates."""
    return getattr(programme, f"ack_minutes_{urgency.name}")


def first_escalation_at(programme: Programme, urgency: Urgency, raised_at: datetime) -> datetime:
    """When a concern raised now escalates if nobody has acknowledged it."""
    return raised_at + timedelta(minutes=deadline_minutes(programme, urgency))


def concern_of(item) -> Concern:
    """The concern an item belongs to (itself for a concern)."""
    return item if isinstance(item, Concern) else item.concern


def waited_phrase(minutes: int) -> str:
    """'17 minutes', '2 hours 5 minutes', '1 day 3 hours'."""
    days, rest = divmod(max(0, minutes), 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = [(days, "day"), (hours, "hour"), (mins, "minute")]
    words = [f"{n} {unit}{'s' if n != 1 else ''}" for n, unit in parts if n]
    return " ".join(words[:2]) or "less than a minute"


def _context(item, now: datetime) -> dict:
    concern = concern_of(item)
    programme = db.session.get(Programme, concern.family.programme_id)
    return dict(reference=concern.reference, urgency=item.urgency.value, addendum=item is not concern,
                raised=templating.when(item.created_at), deadline=waited_phrase(deadline_minutes(programme, item.urgency)),
                waited=waited_phrase(int((now - item.created_at).total_seconds() // 60)),
                link=f"{current_app.config['BASE_URL']}/concerns/{concern.id}")


def queue_alert(item: Concern | ConcernAddendum) -> OutboxMessage:
    """Queue the alert for a new concern or addendum, in the caller's transaction."""
    ctx = _context(item, clock.now())
    what = "Update to safeguarding concern" if ctx["addendum"] else "Safeguarding concern"
    subject = f"{what} {ctx['reference']}: {item.urgency.value.lower()}"
    return mailer.queue_email(MailKind.alert, None, subject, template="concern_alert", rule=ALERT_RULE,
                              subject_id=item.id, **ctx)


def queue_escalation(item, now: datetime, *, count: int, undelivered: str | None = None) -> OutboxMessage:
    """Queue an escalation to the duty inbox and coordinators, saying how long the item has waited."""
    ctx = _context(item, now) | dict(count=count, undelivered=undelivered)
    if undelivered:
        subject = f"ESCALATION: alert for safeguarding concern {ctx['reference']} could not be delivered"
    else:
        subject = f"ESCALATION: safeguarding concern {ctx['reference']} not acknowledged after {ctx['waited']}"
    return mailer.queue_email(MailKind.escalation, None, subject, template="escalation", rule=ESCALATION_RULE,
                              subject_id=item.id, **ctx)


def _item(subject_id):
    return db.session.get(Concern, subject_id) or db.session.get(ConcernAddendum, subject_id)


def _coordinators(programme_id) -> list[str]:
    q = sa.select(User.email).where(User.programme_id == programme_id, User.role == Role.coordinator,
                                    User.active.is_(True)).order_by(User.email)
    return list(db.session.scalars(q))


def alert_recipients(message: OutboxMessage) -> list[str]:
    """The family's social worker now (if their account is active) and the programme's coordinators."""
    family: Family = concern_of(_item(message.subject_id)).family
    social_worker = db.session.get(User, family.social_worker_id)
    own = [social_worker.email] if social_worker.active else []
    return own + _coordinators(family.programme_id)


def escalation_recipients(message: OutboxMessage) -> list[str]:
    """The programme's duty inbox and its coordinators."""
    family: Family = concern_of(_item(message.subject_id)).family
    programme = db.session.get(Programme, family.programme_id)
    return [programme.duty_email] + _coordinators(family.programme_id)


def alert_died(message: OutboxMessage) -> None:
    """An alert failed for good: escalate at once to the duty inbox and coordinators."""
    item = _item(message.subject_id)
    if item is not None and not item.acknowledged:
        queue_escalation(item, clock.now(), count=item.escalations, undelivered=failure_phrase(message.last_error))


def failure_phrase(reason: str | None) -> str:
    """Say why mail failed without repeating the server's text (which may hold an address)."""
    if reason == "no recipients":
        return "nobody active to send it to"
    code = re.search(r"\b[45]\d\d\b", reason or "")
    return f"the mail server refused it: {code.group(0)}" if code else "the mail server refused it"


def escalate_due(now: datetime | None = None) -> int:
    """Escalate every unacknowledged concern and addendum past its deadline; safe in several workers."""
    now = now or clock.now()
    return sum(_escalate(model, now) for model in (Concern, ConcernAddendum))


def _escalate(model, now: datetime) -> int:
    q = (sa.select(model).where(model.acknowledged_at.is_(None), model.next_escalation_at <= now)
         .order_by(model.next_escalation_at).limit(200))
    if db.engine.dialect.name == "postgresql":
        q = q.with_for_update(skip_locked=True, of=model)
    done = 0
    for item in db.session.scalars(q).unique().all():
        concern = concern_of(item)
        interval = timedelta(minutes=deadline_minutes(db.session.get(Programme, concern.family.programme_id),
                                                      item.urgency))
        due, following = item.next_escalation_at, item.next_escalation_at + interval
        while following <= now:  # the worker was down: one escalation now, then back on the interval
            following += interval
        won = db.session.execute(
            sa.update(model).where(model.id == item.id, model.next_escalation_at == due,
                                   model.acknowledged_at.is_(None))
            .values(next_escalation_at=following, escalations=model.escalations + 1)
            .execution_options(synchronize_session=False)).rowcount
        if won:
            queue_escalation(item, now, count=item.escalations + 1)
            db.session.expire(item, ["next_escalation_at", "escalations"])
            done += 1
    return done



def register(app: Flask) -> None:
    """Tell the outbox who gets alerts and escalations, what an undelivered alert does, and to escalate."""
    rules.add_rule(app, rules.MailRule(ALERT_RULE, alert_recipients, on_dead=alert_died))
    rules.add_rule(app, rules.MailRule(ESCALATION_RULE, escalation_recipients))
    rules.add_job(app, rules.Job("escalations", every=5.0, task=escalate_due))
