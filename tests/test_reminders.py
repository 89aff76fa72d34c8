"""Reminder emails: a weekly digest of counts for coordinators, planned-contact reminders for mentors."""
import uuid
from datetime import datetime, timedelta

import sqlalchemy as sa

from pwa.core import clock
from pwa.supervision import reminders
from pwa.outbox import worker
from pwa.core.extensions import db
from pwa.models import Match, MailKind, OutboxMessage, User, Visit, VisitKind
from pwa.web.templating import local


def _set_local_time(hour: int, days_ahead: int = 0) -> None:
    now = clock.now()
    target = local(now).replace(hour=hour, minute=0, second=0, microsecond=0) + timedelta(days=days_ahead)
    clock.advance((target - now).total_seconds())


def _queued(app, kind: MailKind) -> list[OutboxMessage]:
    with app.app_context():
        rows = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.kind == kind)).all()
        return [(r.to_address, r.subject, r.body_text) for r in rows]


def _run(app) -> int:
    with app.app_context():
        n = reminders.queue_due_reminders()
        db.session.commit()
        return n


def test_weekly_digest_once_a_day_at_most_and_weekly(world, app):
    _set_local_time(6)
    assert _run(app) == 0  # nobody is emailed in the night
    _set_local_time(8)
    _run(app)
    digests = _queued(app, MailKind.digest)
    assert sorted(d[0] for d in digests) == sorted([world.coordinator.email, world.far_coordinator.email])
    _run(app)
    _set_local_time(8, days_ahead=1)
    _run(app)
    assert len(_queued(app, MailKind.digest)) == 2  # not twice in a day, and not again within the week
    _set_local_time(9, days_ahead=7)
    _run(app)
    assert len(_queued(app, MailKind.digest)) == 4


def test_digest_holds_counts_and_a_link_but_no_names(world, app):
    with app.app_context():
        db.session.get(Match, world.match.id).agreed_end_on = clock.today() - timedelta(days=1)
        db.session.commit()
    _set_local_time(8)
    _run(app)
    [body] = [b for to, _, b in _queued(app, MailKind.digest) if to == world.coordinator.email]
    assert "1  Matches past their agreed end" in body and "http://bridge.test/dashboard" in body
    for secret in ("Own family", "Others family", world.mentor.name, world.social_worker.name):
        assert secret not in body


def test_digest_can_be_switched_off(world, app, auth):
    auth.login(world.coordinator)
    r = auth.post("/account/preferences", {"reminder_emails": "y"})
    assert r.status_code == 302
    assert 'name="digest_emails" type="checkbox" value="y">' in auth.client.get("/account").get_data(as_text=True)
    _set_local_time(8)
    _run(app)
    assert [d[0] for d in _queued(app, MailKind.digest)] == [world.far_coordinator.email]


def _visit(app, world, next_contact_on):
    with app.app_context():
        v = Visit(family_id=world.family.id, match_id=world.match.id, author_id=world.mentor.id,
                  visit_on=clock.today(), started_at=clock.now(), duration_minutes=60, kind=VisitKind.home_visit,
                  what_done="Homework together", next_contact_on=next_contact_on, client_uuid=uuid.uuid4(),
                  body_hash="x" * 64)
        db.session.add(v)
        db.session.commit()


def test_mentor_is_reminded_on_the_day_of_a_planned_contact(world, app, smtp_server):
    _set_local_time(8)
    _visit(app, world, clock.today() + timedelta(days=2))
    _run(app)
    assert _queued(app, MailKind.reminder) == []
    _set_local_time(8, days_ahead=2)
    _run(app)
    _run(app)
    [(to, subject, body)] = _queued(app, MailKind.reminder)
    assert to == world.mentor.email and world.family.reference in body
    assert "Own family" not in body and "Homework" not in body
    app.config["SMTP_URL"] = smtp_server.url
    try:
        with app.app_context():
            worker.deliver_due()
    finally:
        app.config["SMTP_URL"] = None
    received = [m for m in smtp_server.wait_for(1) if world.mentor.email in m.rcpt_tos]
    assert received and "Own family" not in received[0].raw.decode()


def test_mentor_can_switch_reminders_off(world, app, auth):
    auth.login(world.mentor)
    auth.post("/account/preferences", {})
    with app.app_context():
        assert db.session.get(User, world.mentor.id).reminder_emails is False
    _set_local_time(8)
    _visit(app, world, clock.today())
    _run(app)
    assert _queued(app, MailKind.reminder) == []
    assert datetime
