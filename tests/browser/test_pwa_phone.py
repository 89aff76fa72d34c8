"""The phone whose signal drops just after a form arrived: it can still seal and keep what is typed."""
import re

import pytest
import sqlalchemy as sa

from pwa.core.extensions import db
from pwa.models import Visit
from tests.browser.phone import eventually, idb, lose_signal, outbox_counts, regain_signal, sign_in

pytestmark = pytest.mark.browser
SHOTS = "/work/shots/phone"
DEFERRED = re.compile(r"/offline/(key|snapshot)$")
OUTBOX_JS = re.compile(r"/static/js/outbox\.js")


def _save_with_no_signal(page, context, live, world, never_answered, minutes: str, what_done: str) -> None:
    """Sign in, open the visit form with requests matching never_answered cut off, lose the signal, and Save."""
    sign_in(page, world.mentor)
    context.route(never_answered, lambda route: route.abort("internetdisconnected"))
    page.goto(f"/families/{world.family.id}/visits/new")
    page.wait_for_function("() => performance.getEntriesByName('bridge-ready').length > 0")
    lose_signal(context, live)
    page.fill("#started_at", "00:00")
    page.fill("#duration_minutes", minutes)
    page.fill("#what_done", what_done)
    page.click("text=Save visit")
    page.wait_for_selector("text=Saved on this phone and sealed")


def test_a_form_opened_before_the_key_was_fetched_still_seals_with_no_signal(app, context, live, world):
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    # The signal goes before the phone's deferred fetches (sealing key, snapshot) ever get an answer.
    _save_with_no_signal(page, context, live, world, DEFERRED, "25", "Typed as the signal went")
    assert not page.locator("text=cannot seal").count()
    assert outbox_counts(page) == {"waiting": 1, "failed": 0, "sent": 0}
    assert idb(page, "meta", "serverKey")["kid"]
    page.set_viewport_size({"width": 360, "height": 780})
    page.screenshot(path=f"{SHOTS}/visit-form-saved-offline-360.png", full_page=True)
    context.unroute(DEFERRED)
    regain_signal(context, live)

    def stored():
        """the visit typed offline is stored once"""
        with app.app_context():
            return [v.what_done for v in db.session.scalars(sa.select(Visit))] == ["Typed as the signal went"]
    eventually(stored, timeout=30)
    assert errors == []
    context.close()


def test_a_form_saved_before_the_outbox_module_came_keeps_the_entry_and_sends_it_later(app, browser, live, world):
    """The outbox's module loads once the form is usable and is not waited for: on a first visit (no worker yet) whose signal
    went before it came, Save still seals and keeps the entry, the badge says it waits, the next page sends it."""
    context = browser.new_context(viewport={"width": 360, "height": 780}, base_url=live.url, service_workers="block")
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    _save_with_no_signal(page, context, live, world, OUTBOX_JS, "20", "Saved before the outbox module came")
    assert outbox_counts(page) == {"waiting": 1, "failed": 0, "sent": 0}
    eventually(lambda: "1 waiting" in page.locator("#outbox .badge").inner_text())
    context.unroute(OUTBOX_JS)
    regain_signal(context, live)
    page.goto("/diary")

    def stored():
        """the visit is stored once, sent by the next page"""
        with app.app_context():
            return [v.what_done for v in db.session.scalars(sa.select(Visit))] == ["Saved before the outbox module came"]
    eventually(stored, timeout=30)
    assert errors == []
    context.close()
