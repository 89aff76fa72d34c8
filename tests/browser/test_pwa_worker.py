"""The service worker's life: a new version takes over and clears stale caches; the kill switch removes it."""
import pytest

from pwa.offline import shell
from tests.browser.phone import controlled, eventually, idb, sign_in

pytestmark = pytest.mark.browser

STATE = """async () => {
    const regs = await navigator.serviceWorker.getRegistrations();
    const names = await caches.keys();
    const urls = names.length ? (await (await caches.open(names[0])).keys()).map((r) => r.url) : [];
    return { workers: regs.length, names, urls, controlled: Boolean(navigator.serviceWorker.controller) };
}"""
UPDATE = "() => navigator.serviceWorker.getRegistration().then((r) => r.update())"


@pytest.fixture
def page(context, world):
    page = context.new_page()
    sign_in(page, world.mentor)
    controlled(page)
    return page


def test_a_new_worker_version_replaces_the_old_and_removes_stale_caches(page, live, monkeypatch):
    before = page.evaluate(STATE)
    assert len(before["names"]) == 1
    # A release that changes the shell: the worker script's bytes change, so the browser installs it.
    monkeypatch.setattr(shell, "SHELL_STATIC", shell.SHELL_STATIC + ("icons/icon-512.png",))
    page.evaluate(UPDATE)  # what the browser does on navigation and at least daily

    def replaced():
        """one cache, of the new version, holding the new shell"""
        now = page.evaluate(STATE)
        return now if len(now["names"]) == 1 and now["names"] != before["names"] else None
    after = eventually(replaced)
    assert len(after["names"]) == 1 and after["names"][0].startswith("bridge-shell-")
    assert any("/static/icons/icon-512.png?v=" in url for url in after["urls"])
    assert after["workers"] == 1 and after["controlled"]
    page.reload()
    assert page.evaluate(STATE)["controlled"]


def test_the_kill_switch_clears_the_caches_and_unregisters_the_worker(page, live):
    assert page.evaluate(STATE)["names"]
    key = idb(page, "meta", "serverKey") or eventually(lambda: idb(page, "meta", "serverKey"))
    live.app.config["SW_KILL"] = True
    page.evaluate(UPDATE)

    def gone():
        """no worker, no cache, and the reloaded page registers none"""
        try:
            now = page.evaluate(STATE)
        except Exception:  # noqa: BLE001 - the worker is reloading the page
            return None
        return now if now["workers"] == 0 and not now["names"] and not now["controlled"] else None
    eventually(gone)
    assert page.get_attribute("#bridge-app", "data-sw") == ""
    page.reload()
    assert page.evaluate(STATE)["workers"] == 0
    assert idb(page, "meta", "serverKey") == key  # IndexedDB (the sealed outbox) is left alone


INSTALL_OUTCOME = """() => new Promise(async (resolve) => {
    const reg = await navigator.serviceWorker.getRegistration();
    reg.addEventListener("updatefound", () => {
        const worker = reg.installing;
        worker.addEventListener("statechange", () => {
            if (worker.state === "redundant" || worker.state === "activated") resolve(worker.state);
        });
    });
    reg.update();
})"""


def test_the_worker_refuses_to_cache_an_answer_marked_no_store(page, monkeypatch):
    """Enforced in the worker itself: even an allowlisted URL answered no-store is never cached."""
    before = page.evaluate(STATE)
    urls = shell.shell_urls
    monkeypatch.setattr(shell, "shell_urls", lambda: urls() + ["/healthz"])  # JSON, answered no-store
    assert page.evaluate(INSTALL_OUTCOME) == "redundant"  # the new version's install failed
    after = page.evaluate(STATE)
    assert after["names"] == before["names"] and after["urls"] == before["urls"] and after["controlled"]
    assert not any("/healthz" in url for url in after["urls"])
