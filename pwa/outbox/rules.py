"""What features tell the outbox, registered explicitly by each feature's register(app).

- A mail rule: who gets a rule's mail, asked when the worker sends it (so a family
  reassigned after a concern alerts its new social worker), and what to do if it
  fails for good (an undelivered alert escalates at once).
- A job: a task the worker runs every few seconds (escalations, reminders, purges);
  each must be safe to run in several workers at once.

The registry lives on the app (app.extensions), not in module globals.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Flask, current_app

from pwa.models import OutboxMessage

_KEY = "bridge.outbox"


@dataclass(frozen=True)
class MailRule:
    """Recipients of a rule's mail at send time, and a hook for when it is dead-lettered."""

    name: str
    recipients: Callable[[OutboxMessage], list[str]]
    on_dead: Callable[[OutboxMessage], None] | None = None


@dataclass(frozen=True)
class Job:
    """A periodic task for the worker."""

    name: str
    every: float
    task: Callable[[], object]
    # A slow job (drawing report packs: seconds each) runs in a thread of its own, so the others
    # (escalations every 5 s) never wait behind it.
    slow: bool = False


@dataclass
class Registry:
    """The mail rules and jobs one app declares."""

    rules: dict[str, MailRule] = field(default_factory=dict)
    jobs: dict[str, Job] = field(default_factory=dict)


def registry(app: Flask | None = None) -> Registry:
    """This app's registry (made on first use)."""
    app = app or current_app
    return app.extensions.setdefault(_KEY, Registry())


def add_rule(app: Flask, rule: MailRule) -> None:
    """Declare a recipient rule (a feature's register(app) calls this)."""
    registry(app).rules[rule.name] = rule


def add_job(app: Flask, job: Job) -> None:
    """Declare a periodic task for the worker."""
    registry(app).jobs[job.name] = job


def recipients(message: OutboxMessage) -> list[str]:
    """Resolve who gets a message now (not when it was queued), without duplicates."""
    rule = message.recipient_rule
    found = registry().rules[rule].recipients(message) if rule else [message.to_address]
    return list(dict.fromkeys(str(a).strip().lower() for a in found if a and str(a).strip()))


def died(message: OutboxMessage) -> None:
    """Run the rule's dead-letter hook, if it has one, in the dead-lettering transaction."""
    rule = registry().rules.get(message.recipient_rule or "")
    if rule is not None and rule.on_dead is not None:
        rule.on_dead(message)
