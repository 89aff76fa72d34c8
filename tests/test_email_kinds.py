"""Every kind of email, as a mail app sees it: a text part and a real HTML part, both with the link,
neither with a name or case text. Each is queued through the real service, sent over real SMTP
and parsed with the standard library's email parser (policy=default)."""
import email
import email.policy
import uuid
from datetime import timedelta
from html.parser import HTMLParser

import pytest

from pwa.core import clock
from pwa.core.extensions import db
from pwa.models import (Concern, Goal, GoalStatus, MailKind, OutboxMessage, TokenPurpose, User, Visit,
                        VisitKind)
from tests.support.concern_fixtures import deliver, escalate
from tests.support.concern_world import CANARY_ACTIONS, CANARY_SEEN, CANARY_WORDS, add_to_concern, raise_concern
from tests.support.diary_helpers import add_goal

BASE = "http://bridge.test"
CANARY_GOAL = "CANARY-GOAL Quintessa reads to her nan"
CANARY_VISIT = "CANARY-VISIT baked with Marmaduke"
NOTICE = "Your export is ready & waiting <for you>.\n\nFetch it here (sign-in needed): {link}\n"


def _in_app(app, fn):
    with app.test_request_context():
        try:
            result = fn()
            db.session.commit()
            return result
        finally:
            db.session.remove()


def _invitation(app, c):
    from pwa.auth import services

    _in_app(app, lambda: services.send_link(db.session.get(User, c.new_social_worker.id), TokenPurpose.invite,
                                            db.session.get(User, c.coordinator.id)))
    return "You have been invited to Bridge", f"{BASE}/account/set-password/"


def _password_reset(app, c):
    from pwa.auth import services

    _in_app(app, lambda: services.send_link(db.session.get(User, c.mentor.id), TokenPurpose.reset))
    return "Reset your Bridge password", f"{BASE}/account/set-password/"


def _digest(app, c):
    from pwa.supervision import reminders

    _in_app(app, lambda: reminders.queue_digests(clock.today()))
    return "Your weekly Bridge digest", f"{BASE}/dashboard"


def _contact_reminder(app, c):
    from pwa.supervision import reminders

    def queue():
        db.session.add(Visit(family_id=c.family.id, match_id=c.match.id, author_id=c.mentor.id,
                             visit_on=clock.today() - timedelta(days=3), started_at=clock.now() - timedelta(days=3),
                             duration_minutes=60, kind=VisitKind.home_visit, what_done=CANARY_VISIT,
                             next_contact_on=clock.today(), client_uuid=uuid.uuid4(), body_hash="x" * 64))
        db.session.flush()
        assert reminders.queue_contact_reminders(clock.today()) == 1
    _in_app(app, queue)
    return "Reminder: a contact you planned for today", f"{BASE}/"


def _concern_alert(app, c):
    concern = raise_concern(app, c.mentor, c.family, urgency="immediate")
    return f"Safeguarding concern {concern.reference}: immediate danger", f"{BASE}/concerns/{concern.id}"


def _addendum_alert(app, c):
    concern = raise_concern(app, c.mentor, c.family)
    deliver(app)  # the concern's own alert goes first
    add_to_concern(app, c.mentor, concern)
    return f"Update to safeguarding concern {concern.reference}: urgent", f"{BASE}/concerns/{concern.id}"


def _escalation(app, c):
    concern = raise_concern(app, c.mentor, c.family, urgency="immediate")
    deliver(app)
    clock.advance(16 * 60)
    assert escalate(app) == 1
    return f"ESCALATION: safeguarding concern {concern.reference} not acknowledged", f"{BASE}/concerns/{concern.id}"


def _undelivered_escalation(app, c):
    from pwa.concerns import alerts

    concern = raise_concern(app, c.mentor, c.family, urgency="immediate")
    _in_app(app, lambda: alerts.queue_escalation(db.session.get(Concern, concern.id), clock.now(), count=0,
                                                 undelivered="the mail server refused it: 550"))
    return f"ESCALATION: alert for safeguarding concern {concern.reference} could not", f"{BASE}/concerns/{concern.id}"


def _goal_achieved(app, c):
    from pwa.goals import services

    goal_id = add_goal(app, c.family, c.coordinator, title=CANARY_GOAL)
    _in_app(app, lambda: services.close(db.session.get(User, c.coordinator.id), db.session.get(Goal, goal_id),
                                        GoalStatus.achieved, clock.today(), None))
    return "A goal has been achieved", f"{BASE}/goals/{goal_id}"


def _notice_as_plain_text(app, c):
    """The helpers other features queue plain text through still get a real HTML part."""
    from pwa.outbox import mailer

    link = f"{BASE}/reports/exports/{uuid.uuid4()}"
    _in_app(app, lambda: mailer.queue_notice(c.coordinator.id, "Your export is ready", NOTICE.format(link=link)))
    return "Your export is ready", link


def _account_email_as_plain_text(app, c):
    from pwa.outbox import mailer

    link = f"{BASE}/account"
    _in_app(app, lambda: mailer.queue_email(MailKind.account, c.mentor.email, "Your sign-in changed",
                                            f"Your sign-in settings changed. Check them here: {link}\n"))
    return "Your sign-in changed", link


KINDS = [_invitation, _password_reset, _digest, _contact_reminder, _concern_alert, _addendum_alert, _escalation,
         _undelivered_escalation, _goal_achieved, _notice_as_plain_text, _account_email_as_plain_text]


class _Page(HTMLParser):
    """The text a reader sees in an HTML part, and its links."""

    def __init__(self) -> None:
        super().__init__()
        self.text, self.links, self.tags = [], [], set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        if tag == "a":
            self.links.append(dict(attrs).get("href", ""))

    def handle_data(self, data):
        self.text.append(data)


def _secrets(c) -> list[str]:
    return [*c.names, CANARY_SEEN, CANARY_WORDS, CANARY_ACTIONS, "CANARY-ADDENDUM", "999 police", CANARY_GOAL,
            CANARY_VISIT, "Test Street", "Referral reason"]


@pytest.mark.parametrize("queue", KINDS, ids=[k.__name__.strip("_") for k in KINDS])
def test_every_email_has_a_text_and_an_html_part_with_the_link_and_no_names(app, canaries, mail_to, queue):
    subject, link = queue(app, canaries)
    deliver(app)
    received = [m for m in mail_to.messages
                if str(email.message_from_bytes(m.raw, policy=email.policy.default)["Subject"]).startswith(subject)]
    assert received, [str(email.message_from_bytes(m.raw, policy=email.policy.default)["Subject"])
                      for m in mail_to.messages]
    for got in received:
        msg = email.message_from_bytes(got.raw, policy=email.policy.default)
        assert msg.get_content_type() == "multipart/alternative"
        plain, html = msg.get_body(("plain",)).get_content(), msg.get_body(("html",)).get_content()
        page = _Page()
        page.feed(html)
        seen = " ".join(" ".join(page.text).split())
        assert len(plain.strip()) > 40 and len(seen) > 40, (plain, html)
        assert {"html", "body", "p"} <= page.tags
        assert link in plain and link in seen
        assert any(href.startswith(link) for href in page.links), page.links
        everything = "\n".join([got.raw.decode("ascii", "replace"), plain, html])
        for secret in _secrets(canaries):
            assert secret not in everything, f"{secret!r} is in the email {subject!r}"


def test_plain_text_is_escaped_in_the_html_part(app, canaries, mail_to):
    _notice_as_plain_text(app, canaries)
    deliver(app)
    [got] = mail_to.wait_for(1)
    html = email.message_from_bytes(got.raw, policy=email.policy.default).get_body(("html",)).get_content()
    assert "ready &amp; waiting &lt;for you&gt;." in html and "<for you>" not in html
    assert '<a href="http://bridge.test/reports/exports/' in html


def test_each_kind_has_its_own_message_id_kept_on_the_row(app, canaries, mail_to):
    _concern_alert(app, canaries)
    _invitation(app, canaries)
    deliver(app)
    received = {m.message_id for m in mail_to.wait_for(2)}
    with app.app_context():
        rows = db.session.query(OutboxMessage).all()
        assert {r.message_id for r in rows} == received
        assert {r.message_id.split("-")[0] for r in rows} == {"<concern", "<account"}
        assert all(r.body_html and r.body_text for r in rows)
        db.session.remove()
