"""Driving Bridge in Chromium like a mentor with a phone: sign in, lose signal, get it back; screenshots."""
import os
import shutil
import subprocess
import time
from pathlib import Path

from tests.conftest import PASSWORD
from tests.support import mfa as mfa_support

# Open the app's database only once the app has made it: opening a missing one would create it empty.
IDB_OPEN = """async () => {
    if (!(await indexedDB.databases()).some((d) => d.name === "bridge")) return null;
    return new Promise((ok, no) => { const r = indexedDB.open("bridge"); r.onsuccess = () => ok(r.result);
                                     r.onerror = () => no(r.error); });
}"""

IDB_READ = """async ([store, key]) => {
    const db = await (""" + IDB_OPEN + """)();
    if (!db) return null;
    const tx = db.transaction(store);
    const req = key === null ? tx.objectStore(store).getAll() : tx.objectStore(store).get(key);
    const out = await new Promise((ok) => { req.onsuccess = () => ok(req.result); });
    db.close();
    return JSON.parse(JSON.stringify(out ?? null));
}"""


def sign_in(page, user, password: str = PASSWORD) -> None:
    """Sign in through the real forms (password, then the authenticator code) and wait for the page it leads to."""
    page.goto("/login")
    page.fill("#email", user.email)
    page.fill("#password", password)
    with page.expect_navigation():
        page.click("button[type=submit]")
    if "/account/mfa/verify" in page.url:
        page.fill("#code", mfa_support.code_for(user.email))
        with page.expect_navigation():
            page.click("main form[method=post] button[type=submit]")


def idb(page, store: str, key=None):
    """Read one record (or every record) of a store in the phone's IndexedDB."""
    return page.evaluate(IDB_READ, [store, key])


def controlled(page) -> None:
    """Wait until the service worker controls the page."""
    def check():
        """a service worker controls the page"""
        return page.evaluate("() => Boolean(navigator.serviceWorker.controller)")
    eventually(check)


def eventually(check, timeout: float = 20.0, every: float = 0.1):
    """Poll `check` until it returns something truthy; return that, or fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"still not true after {timeout} s: {check.__doc__ or check}")
        time.sleep(every)


def ready_for_offline(page) -> None:
    """Wait until the phone holds the sealing key and the encrypted snapshot, and the shell is cached."""
    controlled(page)

    def ready():
        """the phone has its sealing key and snapshot"""
        return idb(page, "meta", "serverKey") and idb(page, "vault", "snapshot") is not None
    eventually(ready)


def lose_signal(context, live) -> None:
    """No network for the page (offline events fire) and no server for anyone, service worker included."""
    context.set_offline(True)
    live.stop()


def regain_signal(context, live) -> None:
    """The server answers again and the phone says it is online (the page hears `online`)."""
    live.start()
    context.set_offline(False)


def outbox_counts(page) -> dict:
    """Waiting, failed and sent entries as the phone has them."""
    items = idb(page, "outbox") or []
    return {"waiting": sum(i["state"] == "waiting" for i in items),
            "failed": sum(i["state"] == "failed" for i in items), "sent": len(idb(page, "sent") or [])}


def shots(feature: str) -> Path:
    """Where a feature's screenshots go for a person to look at: /work/shots/<feature>/ (or $BRIDGE_SHOTS)."""
    return Path(os.environ.get("BRIDGE_SHOTS", f"/work/shots/{feature}"))


def screenshot(page, folder: Path, name: str) -> None:
    """Save the whole page as folder/name."""
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / name), full_page=True)


def first_page_png(pdf: Path, out: Path, dpi: int = 70) -> None:
    """Save a PDF's first page as out.png to look at, where Debian's pdftoppm is installed (the tests don't need it)."""
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-f", "1", "-l", "1", "-singlefile", str(pdf), str(out)],
                       check=True)
