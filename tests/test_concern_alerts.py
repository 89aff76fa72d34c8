"""Concern alerts over real SMTP: the right people, no names or text, outages, dead letters, escalation."""
import logging
import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from pwa.core import clock
from pwa.core.extensions import db
from pwa.models import Concern, ConcernAddendum, MailKind, MailStatus, OutboxMessage, Role, User
from tests.support.concern_world import CANARY_ACTIONS, CANARY_SEEN, CANARY_WORDS, add_to_concern, raise_concern
from tests.support.concern_fixtures import deliver, escalate, parsed, text_of


def _outbox(app) -> list[OutboxMessage]:
    with app.app_context():
        rows = list(db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.created_at)))
        for row in rows:
            _ = row.body_text, row.sent_to
        db.session.expunge_all()
        db.session.remove()
        return rows


def _assert_clean(received, c) -> None:
    """No name, no concern text in anything a mail reader (or a mail server) sees."""
    seen = text_of(received)
    for canary in [*c.names, CANARY_SEEN, CANARY_WORDS, CANARY_ACTIONS, "CANARY-ADDENDUM", "999 police"]:
        assert canary not in seen, f"{canary!r} leaked into an email"


def _reassign(app, c, to: User) -> None:
    from pwa.families import services
    from pwa.models import Family

    with app.app_context():
        services.reassign(db.session.get(User, c.coordinator.id), db.session.get(Family, c.family.id),
                          db.session.get(User, to.id))
        db.session.commit()
        db.session.remove()


def test_alert_goes_to_the_social_worker_and_the_active_coordinators(app, canaries, mail_to):
    c = canaries
    concern = raise_concern(app, c.mentor, c.family, urgency="immediate")
    assert deliver(app) == 1
    [got] = mail_to.wait_for(1)
    assert set(got.rcpt_tos) == {c.social_worker.email, c.coordinator.email, c.other_coordinator.email}
    [row] = _outbox(app)
    assert got.message_id == row.message_id and row.status is MailStatus.sent and row.sent_at
    msg = parsed(got)
    assert msg["Subject"] == f"Safeguarding concern {concern.reference}: immediate danger"
    plain, html = msg.get_body(("plain",)).get_content(), msg.get_body(("html",)).get_content()
    link = f"http://bridge.test/concerns/{concern.id}"
    for part in (plain, html):
        assert concern.reference in part and "Immediate danger" in part and link in part
        assert "15 minutes" in part  # the programme's deadline for immediate danger
    _assert_clean(got, c)


def test_the_link_in_the_email_needs_a_sign_in(app, canaries, client):
    concern = raise_concern(app, canaries.mentor, canaries.family)
    r = client.get(f"/concerns/{concern.id}")
    assert r.status_code == 302 and "/login" in r.headers["Location"]


def test_no_email_holds_a_name_or_the_concern_text(app, canaries, mail_to, caplog):
    caplog.set_level(logging.DEBUG)
    c = canaries
    concern = raise_concern(app, c.mentor, c.family, urgency="immediate")
    add_to_concern(app, c.mentor, concern)
    clock.advance(16 * 60)
    assert escalate(app) == 2  # the concern and its addendum
    deliver(app)
    received = mail_to.wait_for(4)
    assert {parsed(m)["Subject"].split(":")[0] for m in received} >= {
        f"Safeguarding concern {concern.reference}", f"Update to safeguarding concern {concern.reference}",
        "ESCALATION"}
    for got in received:
        _assert_clean(got, c)
    for canary in [*c.names[:8], CANARY_SEEN, CANARY_WORDS]:
        assert canary not in caplog.text


def test_a_family_reassigned_after_the_concern_alerts_the_new_social_worker(app, canaries, mail_to):
    c = canaries
    raise_concern(app, c.mentor, c.family)
    _reassign(app, c, c.new_social_worker)
    deliver(app)
    [got] = mail_to.wait_for(1)
    assert c.new_social_worker.email in got.rcpt_tos and c.social_worker.email not in got.rcpt_tos


@pytest.mark.parametrize("mode", ["closed", "421", "421-connect", "451", "stall"])
def test_transient_failures_are_retried_until_the_server_returns(app, canaries, mail_to, mode):
    raise_concern(app, canaries.mentor, canaries.family)
    if mode == "closed":
        mail_to.stop()
    else:
        mail_to.mode = mode
    for attempt in range(1, 4):
        before = clock.now()
        assert deliver(app) == 1
        [row] = _outbox(app)
        assert row.status is MailStatus.pending and row.attempts == attempt and row.last_error
        delay = (row.next_attempt_at - before).total_seconds()
        assert -0.1 <= delay <= min(20.0, 2.0 ** (attempt - 1)) + 1  # exponential, jittered, capped
        if (row.next_attempt_at - clock.now()).total_seconds() > 0.5:  # full jitter may pick ~0 s
            assert deliver(app) == 0  # not due again before its time
        clock.advance(delay + 0.01)
    assert not mail_to.messages
    mail_to.start() if mode == "closed" else setattr(mail_to, "mode", "accept")
    deliver(app)
    [got] = mail_to.wait_for(1)
    [row] = _outbox(app)
    assert row.status is MailStatus.sent and got.message_id == row.message_id


def test_mail_goes_out_within_30_seconds_of_a_long_outage_ending(app, canaries, mail_to):
    raise_concern(app, canaries.mentor, canaries.family)
    mail_to.stop()
    for _ in range(15):  # a long outage: the retry delay has reached its cap
        deliver(app)
        [row] = _outbox(app)
        clock.advance(max(0.0, (row.next_attempt_at - clock.now()).total_seconds()) + 0.01)
    clock.advance(-19.5)  # the server returns at a moment just after a failed attempt
    mail_to.start()
    waited = 0.0
    while not mail_to.messages:
        clock.advance(1.0)  # the worker looks every second
        waited += 1.0
        deliver(app)
        assert waited <= 30
    assert waited <= 21  # retry cap (20 s) + one poll


def test_a_stall_during_data_loses_nothing(app, canaries, mail_to):
    raise_concern(app, canaries.mentor, canaries.family)
    mail_to.mode, mail_to.stall_seconds = "stall-data", 5.0
    deliver(app)  # gives up after 0.5 s of silence, hangs up; the server drops the half-finished message
    [row] = _outbox(app)
    assert row.status is MailStatus.pending and "timed out" in row.last_error
    mail_to.mode = "accept"
    clock.advance(2)
    deliver(app)
    [got] = mail_to.wait_for(1)
    assert got.message_id == row.message_id and _outbox(app)[0].status is MailStatus.sent


def test_a_permanent_failure_is_a_dead_letter_escalated_and_shown(app, canaries, mail_to, auth):
    c = canaries
    concern = raise_concern(app, c.mentor, c.family)
    for user in (c.social_worker, c.coordinator, c.other_coordinator):  # every address of the alert bounces
        mail_to.refuse[user.email] = "550 5.1.1 No such user"
    deliver(app)
    alert, escalation = _outbox(app)
    assert alert.status is MailStatus.dead and "550" in alert.last_error
    assert escalation.kind is MailKind.escalation and "could not be delivered" in escalation.subject
    [got] = mail_to.wait_for(1)
    assert got.rcpt_tos == ("duty@example.org",)  # the duty inbox still hears of it at once
    assert "Please telephone the responsible social worker" in parsed(got).get_body(("plain",)).get_content()
    _assert_clean(got, c)
    auth.login(c.coordinator)
    assert "1 alert email could not be delivered" in auth.client.get("/concerns/").get_data(as_text=True)
    assert "Alert emails that could not be delivered (1)" in auth.client.get("/dashboard").get_data(as_text=True)
    mentor_view = _page_as(auth, c.mentor, concern)
    assert "Email could not be delivered" in mentor_view and "phone now" in mentor_view


def _page_as(auth, user, concern) -> str:
    auth.logout()
    auth.login(user)
    return auth.client.get(f"/concerns/{concern.id}").get_data(as_text=True)


def test_admin_sees_dead_letters_without_case_content_and_can_retry(app, canaries, mail_to, auth, world):
    c = canaries
    concern = raise_concern(app, c.mentor, c.family)
    mail_to.mode = "550"
    deliver(app)
    deliver(app)  # the escalation dies too: the mail server refuses everything
    auth.login(world.admin)
    page = auth.client.get("/mail/undelivered").get_data(as_text=True)
    assert concern.reference in page and "550" in page
    for canary in [*c.names, CANARY_SEEN, "Quillfeather"]:
        assert canary not in page
    mail_to.mode = "accept"
    alert = _outbox(app)[0]
    auth.post(f"/mail/undelivered/{alert.id}/retry", token_from="/mail/undelivered")
    deliver(app)
    [got] = mail_to.wait_for(1)
    assert got.message_id == alert.message_id and _outbox(app)[0].status is MailStatus.sent


def test_nobody_to_alert_is_a_dead_letter_that_reaches_the_duty_inbox(app, canaries, mail_to):
    c = canaries
    raise_concern(app, c.mentor, c.family)
    with app.app_context():
        for user in db.session.scalars(sa.select(User).where(User.programme_id == c.programme.id,
                                                             User.role.in_([Role.coordinator, Role.social_worker]))):
            user.active = False
        db.session.commit()
        db.session.remove()
    deliver(app)
    deliver(app)
    [got] = mail_to.wait_for(1)
    assert got.rcpt_tos == ("duty@example.org",)
    assert "nobody active to send it to" in parsed(got).get_body(("plain",)).get_content()


def test_escalation_fires_at_each_deadline_and_stops_at_acknowledgement(app, canaries, mail_to, auth):
    c = canaries
    concern = raise_concern(app, c.mentor, c.family, urgency="urgent")  # deadline: 60 minutes
    deliver(app)
    mail_to.wait_for(1)
    mail_to.clear()
    clock.advance(59 * 60)
    assert escalate(app) == 0
    clock.advance(2 * 60)
    assert escalate(app) == 1
    assert escalate(app) == 0  # once per deadline
    deliver(app)
    [first] = mail_to.wait_for(1)
    assert set(first.rcpt_tos) == {"duty@example.org", c.coordinator.email, c.other_coordinator.email}
    assert parsed(first)["Subject"] == (f"ESCALATION: safeguarding concern {concern.reference} "
                                        "not acknowledged after 1 hour 1 minute")
    clock.advance(60 * 60)
    assert escalate(app) == 1
    deliver(app)
    second = mail_to.wait_for(2)[1]
    assert "2 hours 1 minute" in parsed(second)["Subject"] and "Escalation number: 2" in text_of(second)
    auth.login(c.social_worker)
    auth.post(f"/concerns/{concern.id}/acknowledge", token_from=f"/concerns/{concern.id}")
    clock.advance(5 * 60 * 60)
    assert escalate(app) == 0
    with app.app_context():
        assert db.session.get(Concern, concern.id).escalations == 2
        db.session.remove()


def test_after_a_long_stop_escalation_catches_up_once_then_keeps_its_interval(app, canaries):
    concern = raise_concern(app, canaries.mentor, canaries.family, urgency="immediate")  # every 15 minutes
    clock.advance(5 * 60 * 60 + 60)
    assert escalate(app) == 1
    assert escalate(app) == 0
    with app.app_context():
        nxt = db.session.get(Concern, concern.id).next_escalation_at
        db.session.remove()
    assert timedelta(0) < nxt - clock.now() <= timedelta(minutes=15)


@pytest.mark.parametrize("urgency, minutes", [("immediate", 15), ("urgent", 60), ("worried", 24 * 60)])
def test_each_urgency_has_the_programmes_deadline(app, canaries, urgency, minutes):
    raise_concern(app, canaries.mentor, canaries.family, urgency=urgency)
    clock.advance(minutes * 60 - 30)
    assert escalate(app) == 0
    clock.advance(31)
    assert escalate(app) == 1


def test_an_unacknowledged_addendum_escalates_on_its_own(app, canaries, auth):
    c = canaries
    concern = raise_concern(app, c.mentor, c.family, urgency="urgent")
    auth.login(c.social_worker)
    auth.post(f"/concerns/{concern.id}/acknowledge", token_from=f"/concerns/{concern.id}")
    clock.advance(10 * 60)
    addendum_id = add_to_concern(app, c.mentor, concern)
    clock.advance(61 * 60)
    assert escalate(app) == 1
    with app.app_context():
        assert db.session.get(ConcernAddendum, addendum_id).escalations == 1
        assert db.session.get(Concern, concern.id).escalations == 0
        db.session.remove()


def test_several_workers_escalating_at_once_escalate_once(app, canaries):
    raise_concern(app, canaries.mentor, canaries.family, urgency="immediate")
    clock.advance(16 * 60)
    results, errors = [], []

    def one_worker():
        try:
            results.append(escalate(app))
        except Exception as exc:  # noqa: BLE001  (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=one_worker) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and sum(results) == 1
    assert [m.kind for m in _outbox(app)].count(MailKind.escalation) == 1


def test_several_workers_send_each_alert_exactly_once(app, canaries, mail_to):
    for _ in range(12):
        raise_concern(app, canaries.mentor, canaries.family)
    errors = []

    def one_worker():
        try:
            while deliver(app):
                pass
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=one_worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    received = mail_to.wait_for(12)
    assert len(received) == 12 and len({m.message_id for m in received}) == 12
    assert all(row.status is MailStatus.sent and row.attempts == 1 for row in _outbox(app))
