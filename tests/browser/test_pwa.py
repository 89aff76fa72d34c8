"""Bridge as an installed, offline-first app in real Chromium against the live server.

Going offline means what it means on a phone: the page loses its network
(Playwright's offline switch, which fires `online`/`offline`) and the server
stops answering anyone, the service worker included (the live server's port is
closed). Regaining signal reverses both.
"""
import json
import re
import uuid

import pytest
import sqlalchemy as sa

from pwa.core import clock
from pwa.core.extensions import db
from pwa.models import Concern, Visit
from tests.browser.phone import (controlled, eventually, idb, lose_signal, outbox_counts, regain_signal, sign_in)

pytestmark = pytest.mark.browser
VISIT_PAGE = re.compile(r"/visits/[0-9a-f-]{36}$")


def visits(app, **where) -> list[Visit]:
    with app.app_context():
        q = sa.select(Visit).filter_by(**where)
        return [db.session.get(Visit, v.id) for v in db.session.scalars(q)]


def concerns(app) -> list[Concern]:
    with app.app_context():
        return list(db.session.scalars(sa.select(Concern)))


def log_visit_offline(page, what_done: str, *, next_contact: str = "", child_words: str = "",
                      fresh: bool = True) -> None:
    """Fill the offline visit form the way a mentor does and save it."""
    if fresh:
        page.goto("/offline/visit")
    page.wait_for_selector("form[data-outbox]:visible")
    page.fill("#started_at", "00:00")
    page.fill("#duration_minutes", "45")
    page.check("#children_seen-0")
    page.fill("#child_words", child_words)
    page.fill("#what_done", what_done)
    page.fill("#next_contact_on", next_contact)
    page.click("text=Save visit")
    page.wait_for_selector("text=Saved on this phone and sealed")


def raise_concern_offline(page, what_seen: str, child_words: str = "") -> None:
    """Fill the offline concern form and send it (it is sealed and waits for a connection)."""
    page.goto("/offline/concern")
    page.wait_for_selector("form[data-outbox]:visible")
    page.check("text=Worried")
    page.check("text=Neglect")
    page.fill("#what_seen", what_seen)
    page.fill("#child_words", child_words)
    page.click("text=Send the concern")
    page.wait_for_selector("text=Saved on this phone and sealed")


def badge(page) -> str:
    return page.locator("#outbox .badge").inner_text()


def queue_visits(app, page, family_id, count: int) -> list[str]:
    """Seal and queue `count` visits with the app's own (cached) modules, as the form does, oldest first."""
    from pwa.offline.assets import static_url

    with app.test_request_context():
        modules = [static_url("js/seal.js"), static_url("js/outbox.js")]
    return page.evaluate("""async ([family, count, [sealJs, outboxJs]]) => {
        const { sealEntry } = await import(sealJs);
        const { enqueue } = await import(outboxJs);
        const author = document.getElementById("bridge-app").dataset.user;
        const ids = [];
        for (let n = 0; n < count; n++) {
            const fields = { visit_on: [new Date(Date.now() - 864e5).toISOString().slice(0, 10)],
                started_at: ["10:00"], duration_minutes: ["30"], kind: ["phone_call"], what_done: [`Call ${n}`] };
            const item = await sealEntry("visit", author, family, fields);
            await enqueue(item);
            ids.push(item.uuid);
        }
        return ids;
    }""", [str(family_id), count, modules])


def test_installable_and_the_worker_controls_the_page(playwright_instance, tmp_path, world, live):
    """In an ordinary (not incognito) profile, Chrome finds nothing stopping installation."""
    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

    context = playwright_instance.chromium.launch_persistent_context(
        str(tmp_path / "profile"), executable_path=CHROMIUM, args=CHROMIUM_ARGS, base_url=live.url,
        viewport={"width": 360, "height": 780})
    try:
        page = context.new_page()
        sign_in(page, world.mentor)
        controlled(page)
        cdp = context.new_cdp_session(page)
        assert cdp.send("Page.getInstallabilityErrors")["installabilityErrors"] == []
        manifest = cdp.send("Page.getAppManifest")
        assert manifest["errors"] == [] and manifest["url"].endswith("/manifest.webmanifest")
        assert page.evaluate("() => navigator.serviceWorker.controller.scriptURL") == f"{live.url}/sw.js"
        shell = page.evaluate("""async () => {
            const names = await caches.keys();
            const keys = await (await caches.open(names[0])).keys();
            return { names, urls: keys.map((r) => r.url) };
        }""")
    finally:
        context.close()
    assert len(shell["names"]) == 1 and shell["names"][0].startswith("bridge-shell-")
    assert f"{live.url}/offline" in shell["urls"] and f"{live.url}/offline/visit" in shell["urls"]


@pytest.fixture
def goal(app, world):
    """An agreed goal on the mentor's family, so the offline form offers it."""
    from pwa.models import Goal, GoalStatus

    with app.app_context():
        g = Goal(family_id=world.family.id, title="Reading together", success_looks_like="A book a week",
                 status=GoalStatus.active, proposed_by_id=world.social_worker.id,
                 agreed_by_id=world.social_worker.id, agreed_at=clock.now())
        db.session.add(g)
        db.session.commit()
        return g.id


def test_a_visit_and_a_concern_made_offline_are_stored_after_reconnecting(app, goal, context, live, phone, world,
                                                                          smtp_server):
    lose_signal(context, live)
    phone.goto("/diary")  # a page that needs the server: the worker answers with the offline fallback
    assert phone.locator("h1").inner_text() == "No connection just now"
    phone.click("text=Log a visit")
    goal_set = phone.locator("fieldset.goal", has_text="Reading together")
    goal_set.locator("text=Moved forward").click()
    phone.fill("#goals-0-note", "Finished the first chapter")
    log_visit_offline(phone, "Offline visit: read stories", child_words="I like the red book", fresh=False)
    raise_concern_offline(phone, "Offline concern: no food in the house", "I am hungry")
    assert "2 waiting" in badge(phone)
    banner = phone.locator("#outbox .banner")
    assert "Concern not sent yet — if a child is in danger, phone now." in banner.inner_text()
    assert banner.locator("a[href='tel:999']").is_visible()
    assert banner.locator("a[href='tel:01632960000']").is_visible()
    assert visits(app) == [] and concerns(app) == []

    regain_signal(context, live)
    eventually(lambda: len(visits(app)) == 1 and len(concerns(app)) == 1)
    [visit] = visits(app)
    assert visit.what_done == "Offline visit: read stories" and visit.child_words == "I like the red book"
    assert [c.first_name for c in visit.seen] == ["Amy"]
    assert [(str(g.goal_id), g.mark.name, g.note) for g in visit.goals] == [
        (str(goal), "forward", "Finished the first chapter")]
    [concern] = concerns(app)
    assert concern.what_seen == "Offline concern: no food in the house" and concern.author_id == world.mentor.id
    eventually(lambda: "0 waiting · 2 sent · 0 failed" in badge(phone))
    assert phone.locator("#outbox .banner").count() == 0

    app.config["SMTP_URL"] = smtp_server.url
    try:
        with app.app_context():
            from pwa.outbox import worker
            worker.deliver_due()
    finally:
        app.config["SMTP_URL"] = None
    [mail] = smtp_server.wait_for(1)
    assert concern.reference in mail.message()["Subject"]
    assert world.social_worker.email in mail.rcpt_tos
    assert b"no food" not in mail.raw and b"hungry" not in mail.raw
    phone.goto("/offline/outbox")
    eventually(lambda: "Email accepted by the mail server" in phone.locator("[data-list=sent]").inner_text())


def test_an_entry_whose_answer_was_lost_is_replayed_and_stored_once(app, context, live, phone, world):
    lose_signal(context, live)
    log_visit_offline(phone, "Answer lost on the way back")
    [item] = idb(phone, "outbox")
    live.lose_next_answer("/sync/items")  # the server stores it, the answer never arrives
    regain_signal(context, live)
    eventually(lambda: live.lost)
    status, body = live.lost[0]
    assert status == "200 OK" and json.loads(body)["results"][0]["status"] == "stored"
    # No acknowledgement, so the entry stays until a later replay (the `online` event or Background Sync,
    # whichever comes first) is answered, here with "duplicate".
    phone.evaluate("() => dispatchEvent(new Event('online'))")
    eventually(lambda: outbox_counts(phone) == {"waiting": 0, "failed": 0, "sent": 1})
    assert idb(phone, "sent", item["uuid"])["state"] == "Saved in the diary"
    assert len(visits(app, client_uuid=uuid.UUID(item["uuid"]))) == 1
    assert live.requests.count(("POST", "/sync/items")) == 2


def test_a_batch_replayed_after_the_server_was_killed_makes_one_record_each(app, context, live, phone, world):
    lose_signal(context, live)
    ids = queue_visits(app, phone, world.family.id, 12)
    live.lose_next_answer("/sync/items", then=live.stop)  # commits the batch, then dies before answering
    regain_signal(context, live)
    eventually(lambda: live.lost and not live.running)
    assert [r["status"] for r in json.loads(live.lost[0][1])["results"]] == ["stored"] * 12
    assert len(visits(app)) == 12 and outbox_counts(phone)["waiting"] == 12
    live.start()
    phone.evaluate("() => dispatchEvent(new Event('online'))")
    eventually(lambda: outbox_counts(phone)["sent"] == 12)
    stored = visits(app)
    assert sorted(str(v.client_uuid) for v in stored) == sorted(ids)
    assert sorted(v.what_done for v in stored) == sorted(f"Call {n}" for n in range(12))


def test_after_the_session_expires_offline_signing_in_again_sends_the_queue(app, context, live, phone, world):
    lose_signal(context, live)
    log_visit_offline(phone, "Sent after signing in again")
    clock.advance((app.config["SESSION_IDLE_MINUTES"] + 1) * 60)  # the session ends while the phone is offline
    regain_signal(context, live)
    eventually(lambda: "Sign in to send" in phone.locator("#outbox").inner_text())
    assert outbox_counts(phone)["waiting"] == 1 and visits(app) == []
    sign_in(phone, world.mentor)
    eventually(lambda: len(visits(app)) == 1)
    eventually(lambda: outbox_counts(phone)["waiting"] == 0)
    assert visits(app)[0].what_done == "Sent after signing in again"


def test_an_entry_the_server_cannot_store_is_held_for_the_coordinator_with_the_reason(app, goal, context, live, phone):
    """The server never drops a sealed item (issue 9): held, not refused; how the phone shows it is its own test."""
    from pwa.models import QuarantinedItem
    from pwa.quarantine.services import errors_of

    lose_signal(context, live)
    phone.goto("/offline/visit")
    phone.wait_for_selector("form[data-outbox]:visible")
    phone.fill("#goals-0-note", "A note, but how it went is not chosen")  # a rule only the server checks
    log_visit_offline(phone, "Rejected then held", fresh=False)
    regain_signal(context, live)
    eventually(lambda: outbox_counts(phone)["waiting"] == 0)
    with app.app_context():
        [held] = db.session.scalars(sa.select(QuarantinedItem)).all()
        messages = [e["message"] for e in errors_of(held)]
    assert "Choose how it went, or clear the note." in messages and held.kind == "visit"
    assert visits(app) == []


def test_the_online_visit_form_goes_through_the_sealed_outbox(app, context, live, phone, world):
    phone.goto(f"/families/{world.family.id}/visits/new")
    client_uuid = phone.input_value("input[name=client_uuid]")
    phone.fill("#started_at", "00:00")
    phone.fill("#duration_minutes", "20")
    phone.fill("#what_done", "Sealed while online")
    live.requests.clear()
    phone.click("text=Save visit")
    phone.wait_for_url(VISIT_PAGE)
    assert phone.locator("text=Visit saved.").is_visible()
    assert [r for r in live.requests if r[0] == "POST"] == [("POST", "/sync/items")]  # no plain form post
    [visit] = visits(app)
    assert str(visit.client_uuid) == client_uuid and visit.what_done == "Sealed while online"


def test_a_server_side_error_on_the_online_form_falls_back_to_the_plain_post(app, goal, context, live, phone, world):
    phone.goto(f"/families/{world.family.id}/visits/new")
    phone.fill("#started_at", "00:00")
    phone.fill("#duration_minutes", "20")
    phone.fill("#what_done", "A goal note without a mark")
    phone.fill("#goals-0-note", "Read a page")  # only the server checks that a note has a mark
    with phone.expect_response(lambda r: r.request.method == "POST" and "/visits/new" in r.url) as posted:
        phone.click("text=Save visit")
    assert posted.value.status == 422
    assert phone.locator(".error-summary").inner_text().count("Choose how it went, or clear the note.") == 1
    assert phone.input_value("#what_done") == "A goal note without a mark"
    assert visits(app) == [] and outbox_counts(phone) == {"waiting": 0, "failed": 0, "sent": 0}
