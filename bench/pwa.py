"""The PWA's budgets, measured in real headless Chromium against a running server.

    run(base_url, fixtures) -> dict      (fixtures: the dataset's "people", "password", "family_id")
    python -m bench.pwa                  (seeds the tiny dataset and serves it with gunicorn)

- every HTML response (crawled per role), gzipped with its headers: <= 14,000 bytes;
- the first load of each main page (fresh cache, no service worker yet): <= 50 KiB gzipped and <= 5
  requests until `load`, no third-party request; what the page fetches after `load` (the offline
  snapshot, the sealing key) is reported beside it;
- JavaScript on first load <= 20 KiB gzipped; all of it, lazily loaded modules included, <= 40 KiB;
- a repeat visit makes 0 network requests for static files (with the service worker, and with the
  HTTP cache alone);
- 50 entries queued in the sealed outbox are all committed <= 1 s after the phone is back online, each
  stored once (a second send of the same sealed entries is answered "duplicate" for every one).
"""
import argparse
import gzip
import json
import secrets
import sys
import time
from urllib.parse import urljoin, urlsplit

from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run"]
HTML_BUDGET, PAGE_BUDGET, PAGE_REQUESTS = 14_000, 50 * 1024, 5
FIRST_JS_BUDGET, ALL_JS_BUDGET, REPLAY_BUDGET_S, ENTRIES = 20 * 1024, 40 * 1024, 1.0, 50
SKIP = ("/static/", "/logout", "/sw.js", "/manifest.webmanifest", "/sync/", "/offline/snapshot", "/offline/key")


def gz(body: bytes) -> int:
    """Bytes of a body gzipped at level 6 (a common server setting)."""
    return len(gzip.compress(body, compresslevel=6, mtime=0))


def on_wire(status: int, reason: str, headers: list[dict], body: bytes) -> int:
    """Status line, headers (Content-Length for the gzipped body) and gzipped body."""
    size = gz(body)
    lines = [f"HTTP/1.1 {status} {reason}", "Content-Encoding: gzip"]
    lines += [f"{h['name']}: {size if h['name'].lower() == 'content-length' else h['value']}" for h in headers]
    return len(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")) + size


def sign_in(browser, base: str, email: str | None, password: str, **context_options):
    """A browser context signed in through the real form (anonymous when email is None)."""
    context = browser.new_context(base_url=base, viewport={"width": 360, "height": 780}, **context_options)
    if email:
        page = context.new_page()
        page.goto("/login")
        page.fill("#email", email)
        page.fill("#password", password)
        with page.expect_navigation():
            page.click("button[type=submit]")
        page.close()
    return context


def crawl(context, base: str, limit: int = 60) -> dict:
    """Every same-origin HTML page reachable by links from the start page: gzipped size with headers."""
    seen, queue, sizes = set(), ["/", "/login", "/offline", "/offline/visit", "/offline/concern"], {}
    while queue and len(sizes) < limit:
        path = queue.pop(0)
        if path in seen or path.startswith(SKIP) or path.endswith(".csv"):
            continue
        seen.add(path)
        r = context.request.get(base + path, max_redirects=0)
        if r.status in (301, 302, 303):
            queue.append(urlsplit(urljoin(base + path, r.headers["location"])).path)
            continue
        if "text/html" not in r.headers.get("content-type", ""):
            continue
        body = r.body()
        sizes[path] = on_wire(r.status, r.status_text, r.headers_array, body)
        for href in _links(body.decode("utf-8", "replace")):
            url = urlsplit(urljoin(base + path, href))
            if f"{url.scheme}://{url.netloc}" == base and url.path not in seen:
                queue.append(url.path + (f"?{url.query}" if url.query and "page=" not in url.query else ""))
    return sizes


def _links(html: str) -> list[str]:
    import re

    return re.findall(r'<a [^>]*href="([^"#][^"]*)"', html)


def main_pages(context, base: str) -> list[str]:
    """The signed-in start page and the pages the header's navigation links to."""
    page = context.new_page()
    page.goto("/")
    paths = [urlsplit(page.url).path] + [urlsplit(a).path for a in page.eval_on_selector_all(
        "header nav a", "links => links.map((a) => a.href)")]
    page.close()
    return list(dict.fromkeys(paths))


def first_load(browser, state, base: str, path: str) -> dict:
    """One page with an empty cache and no service worker: requests and gzipped bytes, at load and after."""
    context = browser.new_context(base_url=base, storage_state=state, service_workers="block",
                                  viewport={"width": 360, "height": 780})
    page, seen, loaded = context.new_page(), [], []
    page.on("requestfinished", lambda req: seen.append(req))
    page.on("load", lambda: loaded.append(len(seen)))
    page.goto(path, wait_until="load")
    at_load = len(seen) if not loaded else loaded[0]
    page.wait_for_timeout(1500)  # deferred work: offline snapshot and sealing key for a mentor
    rows = []
    for n, req in enumerate(seen):
        resp = req.response()
        body = resp.body() if resp and resp.status not in (204, 304) else b""
        rows.append(dict(url=req.url, js=req.url.split("?")[0].endswith(".js"), early=n < at_load,
                         bytes=on_wire(resp.status, resp.status_text, resp.headers_array(), body) if resp else 0))
    context.close()
    early = [r for r in rows if r["early"]]
    return {"requests_at_load": len(early), "kib_at_load": round(sum(r["bytes"] for r in early) / 1024, 1),
            "requests_after_load": len(rows) - len(early),
            "kib_after_load": round(sum(r["bytes"] for r in rows if not r["early"]) / 1024, 1),
            "js_kib_at_load": round(sum(r["bytes"] for r in early if r["js"]) / 1024, 1),
            "third_party": [r["url"] for r in rows if not r["url"].startswith(base)],
            "after_load": [urlsplit(r["url"]).path for r in rows if not r["early"]]}


def all_javascript(context, base: str) -> dict:
    """Every module the app can load (the service worker's allowlist), gzipped."""
    source = context.request.get(base + "/sw.js").text()
    shell = json.loads(source.split("const SHELL = ", 1)[1].split(";\n", 1)[0])
    sizes = {u.split("?")[0].rsplit("/", 1)[1]: gz(context.request.get(base + u).body()) for u in shell
             if u.split("?")[0].endswith(".js")}
    sizes["sw.js"] = gz(source.encode())
    return sizes


def static_requests_on_repeat(browser, state, base: str, paths: list[str], worker: bool) -> int:
    """Static files fetched from the network when the pages are visited a second time."""
    context = browser.new_context(base_url=base, storage_state=state, viewport={"width": 360, "height": 780},
                                  service_workers="allow" if worker else "block")
    page = context.new_page()
    for path in paths:  # the first visits, each with its work after load (passkeys.js on /account) done
        page.goto(path, wait_until="load")
        page.wait_for_timeout(300)
    if worker:
        page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=15000)
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    fetched, cached = [], set()  # a memory-cache hit still reports a response, after requestServedFromCache
    cdp.on("Network.requestServedFromCache", lambda e: cached.add(e["requestId"]))
    cdp.on("Network.responseReceived", lambda e: fetched.append(e) if "/static/" in e["response"]["url"] else None)
    for path in paths:
        page.goto(path, wait_until="load")
        page.wait_for_timeout(300)
    context.close()
    local = ("fromDiskCache", "fromServiceWorker", "fromPrefetchCache", "fromMemoryCache")
    return sum(1 for e in fetched if e["requestId"] not in cached and not any(e["response"].get(k) for k in local))


REPLAY = """async ([family, count]) => {
    const base = (name) => document.querySelector("#bridge-app").src.replace("app.js", name).split("?")[0];
    const url = (name) => { for (const s of performance.getEntriesByType("resource"))
        if (s.name.includes(`/${name}?v=`)) return s.name; return base(name); };
    const { sealEntry } = await import(url("seal.js"));
    const { enqueue, replay } = await import(url("outbox.js"));
    const author = document.getElementById("bridge-app").dataset.user;
    const day = new Date(Date.now() - 864e5).toISOString().slice(0, 10);
    const items = [];
    for (let n = 0; n < count; n++) {
        const item = await sealEntry("visit", author, family, { visit_on: [day], started_at: ["10:00"],
            duration_minutes: ["30"], kind: ["phone_call"], what_done: [`Benchmark call ${n}`] });
        await enqueue(item);
        items.push(item);
    }
    const answers = [];
    const realFetch = fetch;
    self.fetch = async (...args) => { const r = await realFetch(...args);
        if (String(args[0]).includes("/sync/items")) answers.push(...(await r.clone().json()).results); return r; };
    const started = performance.now();
    await replay(true);  // what the `online` event does
    const seconds = (performance.now() - started) / 1000;
    self.fetch = realFetch;
    const token = (await (await fetch("/sync/token")).json()).csrf_token;
    const again = await (await fetch("/sync/items", { method: "POST", headers: { "Content-Type": "application/json",
        Accept: "application/json", "X-CSRFToken": token }, body: JSON.stringify({ items: items.map(
        ({ v, uuid, kind, kid, enc, ct }) => ({ v, uuid, kind, kid, enc, ct })) }) })).json();
    return { seconds, stored: answers.filter((a) => a.status === "stored").map((a) => a.uuid),
             resent: again.results.map((a) => a.status), left: items.length - answers.length };
}"""


HAS_KEY = """async () => {
    if (!(await indexedDB.databases()).some((d) => d.name === "bridge")) return false;
    const db = await new Promise((ok) => { const r = indexedDB.open("bridge"); r.onsuccess = () => ok(r.result); });
    const q = db.transaction("meta").objectStore("meta").get("serverKey");
    const found = await new Promise((ok) => { q.onsuccess = () => ok(Boolean(q.result)); });
    db.close();
    return found;
}"""


def replay_fifty(context, base: str, family_id: str) -> dict:
    """Queue 50 sealed entries, reconnect, and time until the server has acknowledged every one."""
    page = context.new_page()
    page.goto("/diary")
    deadline = time.monotonic() + 15
    while not page.evaluate(HAS_KEY):  # app.js fetches the sealing key shortly after load
        if time.monotonic() > deadline:
            raise RuntimeError("the page never fetched the sealing key")
        time.sleep(0.1)
    result = page.evaluate(REPLAY, [family_id, ENTRIES])
    page.close()
    unique = len(set(result["stored"]))
    return {"entries": ENTRIES, "seconds": round(result["seconds"], 3), "stored_once": unique,
            "second_send": {s: result["resent"].count(s) for s in set(result["resent"])},
            "budget_s": REPLAY_BUDGET_S,
            "ok": result["seconds"] <= REPLAY_BUDGET_S and unique == ENTRIES
            and result["resent"] == ["duplicate"] * ENTRIES}


def run(base_url: str, fixtures: dict, chromium: str = CHROMIUM) -> dict:
    """Measure every PWA budget against the server at base_url; each part says ok: true/false."""
    base = base_url.rstrip("/")
    people, password = fixtures["people"], fixtures["password"]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=ARGS)
        try:
            html, pages, repeat = {}, {}, {"with_service_worker": 0, "http_cache_only": 0}
            for role in (None, *sorted(people)):
                context = sign_in(browser, base, people.get(role), password)
                html.update({f"{role or 'anonymous'} {k}": v for k, v in crawl(context, base).items()})
                if role:
                    state, mains = context.storage_state(), main_pages(context, base)
                    pages.update({f"{role} {path}": first_load(browser, state, base, path) for path in mains})
                    for worker, key in ((True, "with_service_worker"), (False, "http_cache_only")):
                        repeat[key] += static_requests_on_repeat(browser, state, base, mains, worker)
                if role == "mentor":
                    replay = replay_fifty(context, base, fixtures.get("post_family_id", fixtures["family_id"]))
                    javascript = all_javascript(context, base)
                context.close()
        finally:
            browser.close()
    return _verdicts(html, pages, javascript, repeat, replay)


def _verdicts(html, pages, javascript, repeat, replay) -> dict:
    biggest = max(html, key=html.get)
    worst = lambda key: max(pages.values(), key=lambda v: v[key])[key]  # noqa: E731
    first_js = max(v["js_kib_at_load"] for v in pages.values())
    return {
        "html_gzipped_bytes": {"pages": len(html), "largest": biggest, "bytes": html[biggest],
                               "over_budget": {k: v for k, v in sorted(html.items(), key=lambda kv: -kv[1])
                                               if v > HTML_BUDGET},
                               "budget": HTML_BUDGET, "ok": html[biggest] <= HTML_BUDGET},
        "first_load": {"pages": {k: {x: v[x] for x in ("requests_at_load", "kib_at_load", "requests_after_load",
                                                        "kib_after_load")} for k, v in pages.items()},
                       "max_requests_at_load": worst("requests_at_load"), "max_kib_at_load": worst("kib_at_load"),
                       "deferred_after_load": sorted({p for v in pages.values() for p in v["after_load"]}),
                       "third_party": sorted({u for v in pages.values() for u in v["third_party"]}),
                       "budget_kib": PAGE_BUDGET / 1024, "budget_requests": PAGE_REQUESTS,
                       "ok": worst("kib_at_load") * 1024 <= PAGE_BUDGET and worst("requests_at_load") <= PAGE_REQUESTS
                       and not any(v["third_party"] for v in pages.values())},
        "javascript_gzipped": {"first_load_kib": first_js, "all_kib": round(sum(javascript.values()) / 1024, 1),
                               "modules": javascript, "budget_first_kib": FIRST_JS_BUDGET / 1024,
                               "budget_all_kib": ALL_JS_BUDGET / 1024,
                               "ok": first_js * 1024 <= FIRST_JS_BUDGET and sum(javascript.values()) <= ALL_JS_BUDGET},
        "repeat_visit_static_requests": dict(repeat, budget=0, ok=repeat["with_service_worker"] == 0
                                             and repeat["http_cache_only"] == 0),
        "outbox_replay_50": replay,
    }


def standalone(argv: list[str], prog: str, doc: str, measure, ok) -> int:
    """`python -m bench.<prog>`: seed a small dataset, serve it with gunicorn, measure(base, fixtures), print."""
    from bench import dataset
    from bench.seed import SIZES
    from bench.server import Server

    p = argparse.ArgumentParser(prog=f"python -m bench.{prog}", description=doc.split("\n\n")[0])
    p.add_argument("--size", choices=sorted(SIZES), default="tiny", help="dataset (default tiny)")
    args = p.parse_args(argv)
    secret = secrets.token_urlsafe(48)
    [data] = dataset.prepare([SIZES[args.size]], secret)
    with Server(dataset.app_env(data.path, secret), prog, workers=2) as server:
        result = measure(server.base, data.fixtures)
    print(json.dumps(result, indent=2))
    return 0 if ok(result) else 1


def main(argv: list[str]) -> int:
    """Seed the tiny dataset, serve it with gunicorn, measure, print."""
    return standalone(argv, "pwa", __doc__, run, lambda result: all(part.get("ok") for part in result.values()))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
