"""The outbox looks after itself: it retries by itself, holds what the server quarantined, and warns at sign-out."""
import json
import re
import time

import pytest
import sqlalchemy as sa
from flask import abort

from pwa.core.extensions import db
from pwa.models import Concern, Visit
from pwa.offline import sync
from tests.browser.phone import eventually, idb, outbox_counts, sign_in

pytestmark = pytest.mark.browser
SHOTS = "/work/shots/offline"
BANNER = "Concern not sent yet — if a child is in danger, phone now."
OTHERS = "This phone holds entries from another account; they will be sent when that person signs in."


def stored(app, model) -> list:
    with app.app_context():
        return list(db.session.scalars(sa.select(model)))


def save_visit(page, what_done: str) -> None:
    """Fill the offline visit form and save it (it waits, sealed, when the server cannot be reached)."""
    page.goto("/offline/visit")
    page.wait_for_selector("form[data-outbox]:visible")
    page.fill("#started_at", "00:00")
    page.fill("#duration_minutes", "30")
    page.fill("#what_done", what_done)
    page.click("text=Save visit")


def raise_concern(page, what_seen: str) -> None:
    page.goto("/offline/concern")
    page.wait_for_selector("form[data-outbox]:visible")
    page.check("text=Worried")
    page.check("text=Neglect")
    page.fill("#what_seen", what_seen)
    page.click("text=Send the concern")


def test_signal_back_without_an_online_event_drains_the_queue_by_itself(app, live, phone):
    phone.goto("/offline/visit")
    phone.wait_for_selector("form[data-outbox]:visible")
    phone.evaluate("() => addEventListener('online', () => { window.heardOnline = true; })")
    live.stop()  # the server is gone; the browser is never told it is offline, nor online again
    save_visit_here = phone.fill
    save_visit_here("#started_at", "00:00")
    phone.fill("#duration_minutes", "30")
    phone.fill("#what_done", "Sent by the timer")
    phone.click("text=Save visit")
    phone.wait_for_selector("text=Saved on this phone and sealed")
    assert outbox_counts(phone)["waiting"] == 1
    live.start()
    back = time.monotonic()
    eventually(lambda: len(stored(app, Visit)) == 1, timeout=30)
    drained = time.monotonic() - back
    eventually(lambda: outbox_counts(phone) == {"waiting": 0, "failed": 0, "sent": 1})
    assert phone.evaluate("() => window.heardOnline === undefined")  # no `online` event helped
    print(f"\ndrained {drained:.1f} s after the server came back")


def quarantine_concerns(page, held: dict) -> None:
    """Route the outbox as the quarantining server answers: concerns held, everything else really sent."""
    def items(route):
        body = json.loads(route.request.post_data)
        concerns = [i for i in body["items"] if i["kind"] == "concern"]
        others = [i for i in body["items"] if i["kind"] != "concern"]
        results = {}
        if others:
            real = route.fetch(post_data=json.dumps({"items": others}))
            results = {r["uuid"]: r for r in real.json()["results"]}
        for item in concerns:
            held[item["uuid"]] = True
            results[item["uuid"]] = {"uuid": item["uuid"], "status": "quarantined", "code": 202,
                                     "state": "Held for your coordinator to check", "url": None}
        route.fulfill(status=200, content_type="application/json",
                      body=json.dumps({"results": [results[i["uuid"]] for i in body["items"]]}))

    def states(route):
        asked = re.findall(r"uuid=([0-9a-f-]{36})", route.request.url)
        route.fulfill(status=200, content_type="application/json", body=json.dumps({"states": {
            u: {"state": "Held for your coordinator to check" if held[u] else "Filed by your coordinator",
                "held": held[u], "kind": "concern"} for u in asked if u in held}}))

    page.route("**/sync/items", items)
    page.route(re.compile(r".*/sync/states\?.*"), states)


@pytest.fixture
def plain_phone(browser, live, world):
    """A phone whose requests the test can route: no service worker (it would send around the routes)."""
    ctx = browser.new_context(viewport={"width": 360, "height": 780}, base_url=live.url, service_workers="block")
    ctx.set_default_timeout(10_000)
    page = ctx.new_page()
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    sign_in(page, world.mentor)
    eventually(lambda: idb(page, "meta", "serverKey") and idb(page, "vault", "snapshot") is not None)
    yield page
    assert page.errors == []
    ctx.close()


def test_a_quarantined_concern_keeps_its_banner_until_a_person_has_dealt_with_it(app, plain_phone, world):
    phone, held = plain_phone, {}
    quarantine_concerns(phone, held)
    raise_concern(phone, "Held by the server")
    phone.wait_for_selector("text=held for your coordinator")
    save_visit(phone, "Sent past the held concern")
    phone.wait_for_url(re.compile(r"/visits/[0-9a-f-]{36}$"))  # nothing blocks the rest of the queue
    assert [v.what_done for v in stored(app, Visit)] == ["Sent past the held concern"]
    for path in ("/diary", f"/families/{world.family.id}", "/offline/outbox"):  # on every page
        phone.goto(path)
        banner = phone.locator("#outbox .banner")
        banner.wait_for()
        assert BANNER in banner.inner_text()
        assert banner.locator("a[href='tel:999']").is_visible()
        assert banner.locator("a[href='tel:01632960000']").is_visible()
    held_list = phone.locator("[data-list=held]")
    eventually(lambda: "held for your coordinator" in held_list.inner_text())
    assert f"Concern — The Own family ({world.family.reference}) — held for your coordinator" in held_list.inner_text()
    assert "None." in phone.locator("[data-list=failed]").inner_text()
    assert "1 held for your coordinator" in phone.locator("#outbox .badge").inner_text()
    assert "not accepted" not in phone.locator("#outbox-page").inner_text()
    phone.screenshot(path=f"{SHOTS}/outbox-held-concern-360.png", full_page=True)
    phone.set_viewport_size({"width": 1280, "height": 900})
    phone.screenshot(path=f"{SHOTS}/outbox-held-concern-1280.png", full_page=True)
    phone.set_viewport_size({"width": 360, "height": 780})

    [uuid] = held
    held[uuid] = False  # a person on the server side has filed it
    phone.goto("/diary")
    eventually(lambda: phone.locator("#outbox .banner").count() == 0 and idb(phone, "sent", uuid))
    assert idb(phone, "sent", uuid)["state"] == "Filed by your coordinator"
    assert (idb(phone, "outbox") or []) == []


def test_signing_out_with_unsent_entries_warns_first(app, live, phone, world, monkeypatch):
    monkeypatch.setattr(sync, "receive", lambda *a, **kw: abort(503))  # the server cannot take entries yet
    raise_concern(phone, "Waiting at sign-out")
    phone.wait_for_selector("text=Saved on this phone and sealed")
    save_visit(phone, "Also waiting")
    phone.wait_for_selector("text=Saved on this phone and sealed")
    phone.goto("/offline/outbox")
    phone.click("text=Sign out")
    dialog = phone.locator("dialog.warning")
    dialog.wait_for()
    assert "Not sent yet: 1 concern and 1 visit are still on this phone." in dialog.inner_text()
    phone.screenshot(path=f"{SHOTS}/signout-warning-360.png")
    dialog.locator("text=Send now").click()
    eventually(lambda: "Still not sent: 1 concern and 1 visit." in dialog.inner_text())
    assert phone.url.endswith("/offline/outbox")

    monkeypatch.undo()  # the server takes entries again
    dialog.locator("text=Send now").click()
    phone.wait_for_url(re.compile(r"/login$"))  # all sent, then signed out
    assert len(stored(app, Visit)) == 1 and len(stored(app, Concern)) == 1


def test_someone_else_signing_in_sees_a_neutral_note_not_a_banner(app, live, phone, world, monkeypatch):
    monkeypatch.setattr(sync, "receive", lambda *a, **kw: abort(503))
    raise_concern(phone, "Another person's concern")
    phone.wait_for_selector("text=Saved on this phone and sealed")
    assert BANNER in phone.locator("#outbox .banner").inner_text()
    phone.click("text=Sign out")
    phone.locator("dialog.warning").locator("text=Sign out anyway").click()
    phone.wait_for_url(re.compile(r"/login$"))
    sign_in(phone, world.other_mentor)
    note = phone.locator("#outbox .note")
    note.wait_for()
    assert note.inner_text() == OTHERS
    assert phone.locator("#outbox .banner").count() == 0
    assert outbox_counts(phone)["waiting"] == 1 and stored(app, Concern) == []
