// Bridge's service worker, served from /sw.js (pwa/offline/views.py fills in
// the version and the allowlist). It keeps one versioned cache of the app
// shell and nothing else: pages go to the network first and fall back to the
// offline shell; a response is stored only if its URL is on the allowlist,
// it came from this origin with 200, and it is not marked no-store. The
// precache is fetched without cookies, so the server answers it as nobody.
// The shell pages (the offline forms, the outbox) are the same for everyone
// and versioned with the worker, so they open from the cache at once: on a
// poor signal the visit form is usable without waiting for a round trip.
import { replay } from {{ outbox_url | tojson }};

const VERSION = {{ version | tojson }};
const SHELL = {{ shell | tojson }};
const PAGES = {{ pages | tojson }};
const CACHE = `bridge-shell-${VERSION}`;
let shell = null;
/** The shell's cache, opened once per worker start: a navigation or a module is answered by one match. */
const cached = () => (shell ??= caches.open(CACHE));

function storable(url, response) {
  return SHELL.includes(url) && response.status === 200 && response.type === "basic" &&
    !response.redirected && !/no-store/i.test(response.headers.get("Cache-Control") || "");
}

async function precache() {
  const answers = await Promise.all(SHELL.map((url) =>
    fetch(url, { credentials: "omit", cache: url.includes("?v=") ? "default" : "no-cache" })));
  answers.forEach((response, i) => {
    if (!storable(SHELL[i], response)) throw new Error(`refusing to cache ${SHELL[i]}`);
  });
  const cache = await cached();
  try {
    await Promise.all(answers.map((response, i) => cache.put(SHELL[i], response)));
  } catch (failed) {
    shell = null;
    await caches.delete(CACHE); // no half-filled version is left behind
    throw failed;
  }
}

self.addEventListener("install", (event) => {
  event.waitUntil(precache().then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) if (name !== CACHE) await caches.delete(name);
    await self.clients.claim();
  })());
});

self.addEventListener("message", (event) => {
  if (event.data === "claim") event.waitUntil(self.clients.claim());
});

async function page(event) {
  const request = event.request;
  const path = new URL(request.url).pathname;
  if (PAGES.includes(path)) {
    const hit = await (await cached()).match(path);
    if (hit) return hit;
  }
  try {
    const answer = await fetch(request);
    // The server answered: whatever waits in the outbox can go now (the page's own timer may be asleep).
    event.waitUntil(replay(true).catch(() => {}));
    return answer;
  } catch (offline) {
    return (await (await cached()).match(PAGES.includes(path) ? path : "/offline")) || Response.error();
  }
}

async function shellFile(request, key) {
  const hit = await (await cached()).match(key);
  return hit || fetch(request);
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (request.mode === "navigate") event.respondWith(page(event));
  else if (SHELL.includes(url.pathname + url.search)) event.respondWith(shellFile(request, url.pathname + url.search));
});

// Background Sync (Chromium): one more trigger for the outbox, never the only one.
self.addEventListener("sync", (event) => {
  if (event.tag === "bridge-outbox") {
    event.waitUntil(replay(true).then((left) => { if (left) throw new Error("entries still waiting"); }));
  }
});
