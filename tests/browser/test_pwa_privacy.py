"""What the phone keeps: after sign-out, none of the words typed into Bridge's forms anywhere in its storage,
only allowlisted shell files in its cache, and a sealed outbox that only its author's sign-in sends."""
import json
import re
import time

import pytest
import sqlalchemy as sa
from flask import abort

from pwa.core.extensions import db
from pwa.models import Visit
from pwa.offline import sync
from tests.browser.phone import eventually, idb, outbox_counts, sign_in

pytestmark = pytest.mark.browser

CANARIES = ["CANARY-DONE-7f3a9", "CANARY-WORDS-91bce", "CANARY-PRESENT-44d1", "CANARY-DRAFT-0a1bf",
            "CANARY-OFFLINE-DRAFT-e5c7"]

# Everything a page of this origin can reach: every IndexedDB store (bytes as Latin-1 text, so plaintext
# would show), every cached response with its URL, localStorage and sessionStorage.
EVERYTHING = """async () => {
    const bytes = (b) => Array.from(new Uint8Array(b.buffer || b), (c) => String.fromCharCode(c)).join("");
    const plain = (v) => v instanceof CryptoKey ? `[CryptoKey extractable=${v.extractable}]`
        : v instanceof ArrayBuffer || ArrayBuffer.isView(v) ? bytes(v)
        : Array.isArray(v) ? v.map(plain)
        : v && typeof v === "object" ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)])) : v;
    const out = { idb: {}, cache: {}, local: { ...localStorage }, session: { ...sessionStorage } };
    for (const { name } of await indexedDB.databases()) {
        const db = await new Promise((ok) => { const r = indexedDB.open(name); r.onsuccess = () => ok(r.result); });
        for (const store of db.objectStoreNames) {
            const s = db.transaction(store).objectStore(store);
            const [keys, values] = await Promise.all([s.getAllKeys(), s.getAll()].map((q) =>
                new Promise((ok) => { q.onsuccess = () => ok(q.result); })));
            out.idb[`${name}/${store}`] = keys.map((k, i) => [plain(k), plain(values[i])]);
        }
        db.close();
    }
    for (const name of await caches.keys()) {
        const cache = await caches.open(name);
        for (const request of await cache.keys()) out.cache[request.url] = await (await cache.match(request)).text();
    }
    return out;
}"""


@pytest.fixture
def phone(context, world):
    page = context.new_page()
    sign_in(page, world.mentor)
    from tests.browser.phone import ready_for_offline

    ready_for_offline(page)
    return page


def wait_for_draft(page, name: str) -> None:
    eventually(lambda: idb(page, "vault", name) is not None)


def test_after_sign_out_no_typed_words_remain_and_the_queue_replays_only_for_its_author(
        app, live, phone, world, monkeypatch):
    monkeypatch.setattr(sync, "receive", lambda *a, **kw: abort(503))  # the server cannot take entries yet
    family = world.family
    phone.goto(f"/families/{family.id}/visits/new")
    phone.fill("#started_at", "00:00")
    phone.fill("#duration_minutes", "30")
    phone.fill("#present", CANARIES[2])
    phone.fill("#child_words", CANARIES[1])
    phone.fill("#what_done", CANARIES[0])
    phone.click("text=Save visit")
    phone.wait_for_selector("text=Saved on this phone and sealed")
    assert outbox_counts(phone)["waiting"] == 1

    phone.goto(f"/families/{family.id}/concerns/new?urgency=worried")
    phone.fill("#what_seen", CANARIES[3])  # typed, never sent: an encrypted draft
    wait_for_draft(phone, f"draft:concern:{family.id}:{world.mentor.id}")
    phone.goto("/offline/visit")
    phone.wait_for_selector("form[data-outbox]:visible")
    phone.fill("#what_done", CANARIES[4])
    wait_for_draft(phone, f"draft:visit:offline:{world.mentor.id}")

    before = json.dumps(phone.evaluate(EVERYTHING))
    for secret in CANARIES + ["The Own family", family.reference]:
        assert secret not in before, f"{secret} stored in plain text while signed in"

    phone.goto("/diary")
    phone.click("text=Sign out")
    phone.locator("dialog.warning").locator("text=Sign out anyway").click()  # warned: a visit is waiting
    phone.wait_for_url(re.compile(r"/login$"))
    after = phone.evaluate(EVERYTHING)
    dumped = json.dumps(after)
    for secret in CANARIES + ["The Own family", family.reference, str(family.children[0].id)]:
        assert secret not in dumped, f"{secret} left on the phone after sign-out"
    assert after["idb"]["bridge/vault"] == [] and after["idb"]["bridge/keys"] == []
    assert after["idb"]["bridge/sent"] == [] and after["local"] == {} and after["session"] == {}
    [(_, sealed)] = after["idb"]["bridge/outbox"]
    assert sealed["state"] == "waiting" and sealed["author"] == str(world.mentor.id)  # the sealed queue stays
    allowlist = json.loads(live.app.test_client().get("/sw.js").get_data(as_text=True)
                           .split("const SHELL = ", 1)[1].split(";\n", 1)[0])
    assert set(after["cache"]) == {live.url + path for path in allowlist}

    monkeypatch.undo()  # the server takes entries again
    sign_in(phone, world.other_mentor)  # another mentor on the same phone: the entry is not theirs to send
    phone.evaluate("() => dispatchEvent(new Event('online'))")
    time.sleep(1)
    assert outbox_counts(phone)["waiting"] == 1 and _visits(app) == []
    phone.click("text=Sign out")
    phone.wait_for_url(re.compile(r"/login$"))
    sign_in(phone, world.mentor)
    eventually(lambda: len(_visits(app)) == 1)
    [visit] = _visits(app)
    assert (visit.what_done, visit.child_words, visit.present) == (CANARIES[0], CANARIES[1], CANARIES[2])
    assert visit.author_id == world.mentor.id


def _visits(app) -> list[Visit]:
    with app.app_context():
        return list(db.session.scalars(sa.select(Visit)))


IDB_PATCH = """async ([store, key, change]) => {
    const db = await new Promise((ok) => { const r = indexedDB.open("bridge"); r.onsuccess = () => ok(r.result); });
    const s = db.transaction(store, "readwrite").objectStore(store);
    await new Promise((ok) => { const q = s.get(key); q.onsuccess = () => {
        const value = q.result;
        const next = typeof value === "object" && value !== null ? Object.assign(value, change) : change;
        s.put(next, key).onsuccess = ok;
    }; });
    db.close();
}"""


def test_fourteen_days_without_contact_wipe_the_vault(phone):
    assert idb(phone, "vault", "snapshot") is not None
    phone.evaluate(IDB_PATCH, ["meta", "contact", int(time.time() * 1000) - 15 * 86_400_000])
    phone.goto("/offline/outbox")  # any page load checks, signed in or not
    eventually(lambda: idb(phone, "vault") == [] and idb(phone, "keys") == [])


def test_the_offline_form_shows_no_family_from_a_vault_fourteen_days_old(phone, world):
    """The wipe runs once the page is usable; the shell form checks the last contact itself first."""
    phone.evaluate(IDB_PATCH, ["meta", "contact", int(time.time() * 1000) - 15 * 86_400_000])
    phone.goto("/offline/visit")
    phone.wait_for_function("() => performance.getEntriesByName('bridge-ready').length > 0")
    assert "not ready to work offline yet" in phone.locator("[data-offline-status]").inner_text()
    assert phone.locator("form[data-outbox]").is_hidden()
    assert phone.locator("#family option[value]:not([value=''])").count() == 0  # no family from the old snapshot
    eventually(lambda: idb(phone, "vault") == [] and idb(phone, "keys") == [])


def test_an_unfinished_form_survives_a_reload_for_24_hours_only(phone, world):
    draft = f"draft:visit:offline:{world.mentor.id}"
    phone.goto("/offline/visit")
    phone.wait_for_selector("form[data-outbox]:visible")
    phone.fill("#what_done", "Half-written entry")
    wait_for_draft(phone, draft)
    phone.reload()
    phone.wait_for_selector("form[data-outbox]:visible")
    eventually(lambda: phone.input_value("#what_done") == "Half-written entry")
    assert "was kept on this phone" in phone.locator("[data-offline-status]").inner_text()
    phone.evaluate(IDB_PATCH, ["vault", draft, {"at": int(time.time() * 1000) - 25 * 3600 * 1000}])
    phone.reload()
    phone.wait_for_selector("form[data-outbox]:visible")
    eventually(lambda: idb(phone, "vault", draft) is None)
    assert phone.input_value("#what_done") == ""


def test_another_mentor_on_the_same_phone_never_gets_the_first_ones_draft(phone, world):
    """The first mentor's session ends without signing out; the next one to sign in opens the same form."""
    from tests.browser.phone import ready_for_offline, sign_in

    phone.goto("/offline/visit")
    phone.wait_for_selector("form[data-outbox]:visible")
    phone.fill("#what_done", CANARIES[4])
    wait_for_draft(phone, f"draft:visit:offline:{world.mentor.id}")
    phone.context.clear_cookies()  # the session lapsed: no sign-out, so no wipe yet
    sign_in(phone, world.other_mentor)
    ready_for_offline(phone)  # the phone is now the other mentor's: their families and key
    phone.goto("/offline/visit")
    phone.wait_for_selector("form[data-outbox]:visible")
    phone.wait_for_timeout(500)  # time for a draft to be restored, had it been
    assert phone.input_value("#what_done") == ""
    assert "was kept on this phone" not in phone.locator("[data-offline-status]").inner_text()
    eventually(lambda: idb(phone, "vault", f"draft:visit:offline:{world.mentor.id}") is None)  # the vault was wiped


def test_a_write_still_in_flight_at_sign_out_leaves_nothing_in_the_vault(phone):
    """A snapshot refresh (or a draft) that began before sign-out and finishes after its wipe started keeps
    nothing: sign-out closes the vault first (before, a loaded phone kept the families under a new key)."""
    outcome = phone.evaluate("""async () => {
        const m = await import("/static/js/idb.js");
        const late = m.save("snapshot", { families: ["The Late family"] });  // began before the sign-out
        m.closeVault();
        await m.wipeAtSignOut();
        return { late: await late, after: await m.save("draft:visit:x", { fields: {} }) };
    }""")
    assert outcome == {"late": False, "after": False}
    left = phone.evaluate(EVERYTHING)
    assert left["idb"]["bridge/vault"] == [] and left["idb"]["bridge/keys"] == []
    assert "The Late family" not in json.dumps(left)
