"""Fixtures for the concern tests: an app wired to the test SMTP server, and a canary-named world."""
import email
import email.policy

import pytest

from pwa.outbox import worker
from pwa.core.extensions import db
from pwa.models import Role


@pytest.fixture
def mail_to(app, smtp_server):
    """Point the in-process worker at the real test SMTP server, with quick time-outs."""
    saved = {k: app.config.get(k) for k in ("SMTP_URL", "SMTP_TIMEOUT_SECONDS")}
    app.config.update(SMTP_URL=smtp_server.url, SMTP_TIMEOUT_SECONDS=0.5)
    yield smtp_server
    app.config.update(saved)


def deliver(app) -> int:
    """Run one delivery pass of the worker in this process."""
    with app.app_context():
        try:
            return worker.deliver_due()
        finally:
            db.session.remove()


def escalate(app) -> int:
    """Run the escalation check once, as the worker does every few seconds."""
    from pwa.concerns import alerts

    with app.app_context():
        try:
            count = alerts.escalate_due()
            db.session.commit()
            return count
        finally:
            db.session.remove()


def parsed(received) -> email.message.EmailMessage:
    """A received message, parsed."""
    return email.message_from_bytes(received.raw, policy=email.policy.default)


def text_of(received) -> str:
    """Everything a reader could see: headers and both decoded parts."""
    msg = parsed(received)
    parts = [msg.get_body(("plain",)).get_content(), msg.get_body(("html",)).get_content()]
    return "\n".join([received.raw.decode("ascii", "replace"), *parts])


class Canaries:
    """A world whose names and texts must never appear in an email or a log."""


@pytest.fixture
def canaries(make_programme, make_user, make_family, make_match):
    c = Canaries()
    c.programme = make_programme("Canary Programme")
    c.coordinator = make_user(Role.coordinator, c.programme, name="Ottoline Coordcanary")
    c.other_coordinator = make_user(Role.coordinator, c.programme, name="Bartholomew Coordcanary")
    c.retired_coordinator = make_user(Role.coordinator, c.programme, name="Retired Coordcanary", active=False)
    c.social_worker = make_user(Role.social_worker, c.programme, name="Perpetua Swcanary")
    c.new_social_worker = make_user(Role.social_worker, c.programme, name="Cornelius Swcanary")
    c.mentor = make_user(Role.mentor, c.programme, name="Hildegard Mentorcanary")
    c.family = make_family(c.social_worker, name="The Ravensworth-Canary family",
                           children=(("Quintessa", None), ("Marmaduke", None)))
    c.match = make_match(c.family, c.mentor, c.coordinator)
    elsewhere = make_programme("Elsewhere Canary")
    c.far_coordinator = make_user(Role.coordinator, elsewhere, name="Far Coordcanary")
    c.names = ["Ottoline", "Bartholomew", "Perpetua", "Cornelius", "Hildegard", "Ravensworth", "Quintessa",
               "Marmaduke", "canary", "Canary", "CANARY", "Zanzibar", "Quillfeather", "police"]
    return c
