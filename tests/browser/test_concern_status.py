"""The concern page keeps a mentor up to date on their phone without a reload: sent, accepted, acknowledged."""
from pwa.core.extensions import db
from pwa.models import Concern, User
from pwa.web import templating
from tests.browser.phone import sign_in
from tests.support.concern_fixtures import deliver
from tests.support.concern_world import raise_concern


def test_the_status_page_updates_itself_from_sent_to_acknowledged(app, canaries, context, mail_to):
    from pwa.concerns import services

    c = canaries
    concern = raise_concern(app, c.mentor, c.family)
    page = context.new_page()
    sign_in(page, c.mentor)
    page.goto(f"/concerns/{concern.id}")
    status = page.locator(f'[data-item="{concern.id}"]')
    assert "Email being sent now." in status.inner_text()
    page.evaluate("window.__marker = 'the same page'")
    deliver(app)
    status.get_by_text("Email accepted by the mail server at").wait_for(timeout=15_000)
    with app.app_context():
        services.acknowledge(db.session.get(User, c.social_worker.id), db.session.get(Concern, concern.id))
        db.session.commit()
        at = templating.hhmm(db.session.get(Concern, concern.id).acknowledged_at)
    status.get_by_text(f"Acknowledged by the social worker at {at}").wait_for(timeout=30_000)
    assert page.evaluate("window.__marker") == "the same page"  # no reload: the module did it
