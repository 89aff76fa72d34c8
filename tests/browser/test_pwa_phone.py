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


def test_a_form_opened_before_the_key_was_fetched_still_seals_with_no_signal(app, context, live, world):
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(page, world.mentor)
    # The signal goes before the phone's deferred fetches (sealing key, snapshot) ever get an answer.
    context.route(DEFERRED, lambda route: route.abort("internetdisconnected"))
    page.goto(f"/families/{world.family.id}/visits/new")
    page.wait_for_function("() => performance.getEntriesByName('bridge-ready').length > 0")
    lose_signal(context, live)
    page.fill("#started_at", "00:00")
    page.fill("#duration_minutes", "25")
    page.fill("#what_done", "Typed as the signal went")
    page.click("text=Save visit")
    page.wait_for_selector("text=Saved on this phone and sealed")
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
