// The sealed outbox: entries wait in IndexedDB until the server acknowledges
// them. Replay sends the signed-in author's entries oldest first, in batches
// of up to 50, one run at a time across tabs and the service worker (Web
// Locks). Only an answer "stored" or "duplicate" removes an entry; "invalid"
// or "conflict" marks it failed with the server's reasons; "quarantined" (the
// server opened it but could not store it, and holds it for the coordinator)
// marks it held, with nothing left to send, until /sync/states says a person
// has dealt with it; 400/401/403 pause until a fresh token or a new sign-in;
// 5xx and network errors back off. One entry's answer never holds back the
// others. Runs in pages and in the service worker, so it touches no DOM.
import { all, del, get, put, write } from "./idb.js";

const BATCH = 50;
const BATCH_BYTES = 1e6; // the server takes 2 MiB a request
const MAX_WAIT = 5 * 60e3;
const SENT_KEPT = 14 * 864e5;
const channel = new BroadcastChannel("bridge-outbox");
const JSON_HEADERS = { Accept: "application/json" };

const here = new Set(); // a channel does not hear its own messages
const oldestFirst = (a, b) => a.created - b.created;

/** Tell this page's listeners, other tabs and the worker that the outbox changed. */
export function changed() {
  channel.postMessage("changed");
  for (const fn of here) fn();
}

/** Call `fn` whenever the outbox changes (here, in another tab or in the worker). */
export function onChange(fn) {
  here.add(fn);
  channel.addEventListener("message", fn);
}

/** Queue a sealed entry. */
export async function enqueue(item) {
  await put("outbox", item);
  changed();
}

/** Drop a failed entry (it is entered again as a new one). */
export async function discard(uuid) {
  await del("outbox", uuid);
  await del("vault", `copy:${uuid}`);
  await del("vault", `about:${uuid}`);
  changed();
}

/** Entries waiting, held and failed, entries sent lately, and why sending is paused (if it is). */
export async function summary() {
  const items = (await all("outbox")).sort(oldestFirst);
  const sent = (await all("sent")).filter((s) => Date.now() - s.sent < SENT_KEPT).sort((a, b) => b.sent - a.sent);
  const only = (state) => items.filter((i) => i.state === state);
  return { waiting: only("waiting"), held: only("held"), failed: only("failed"), sent,
    paused: await get("meta", "paused") };
}

/** When the server last answered this page or worker (ms; 0 = not yet). */
export let answeredAt = 0;

let queued = null;
let tail = Promise.resolve();

/** Send what is due (everything when `force`); resolves to how many of the author's entries still wait. */
export function replay(force = false) {
  if (queued) {
    queued.force ||= force;
    return queued.done;
  }
  const run = { force };
  run.done = tail.then(() => {
    queued = null;
    return navigator.locks ? navigator.locks.request("bridge-outbox", () => drain(run.force)) : drain(run.force);
  }).catch(() => -1);
  queued = run;
  tail = run.done;
  return run.done;
}

async function drain(force) {
  const waiting = (await all("outbox")).filter((i) => i.state === "waiting").sort(oldestFirst);
  if (!waiting.length) return 0;
  const session = await signedIn();
  if (!session) return waiting.length;
  // A new sign-in resumes the queue at once: back-off from before it no longer applies.
  if ((await get("meta", "user")) !== session.user) {
    await put("meta", session.user, "user");
    force = true;
  }
  const now = Date.now();
  let mine = waiting.filter((i) => i.author === session.user && (force || i.next <= now));
  while (mine.length) {
    const batch = [];
    let bytes = 0;
    while (mine.length && batch.length < BATCH && (!batch.length || bytes + mine[0].ct.length < BATCH_BYTES)) {
      bytes += mine[0].ct.length;
      batch.push(mine.shift());
    }
    if (!(await send(batch, session.csrf_token))) break;
  }
  return (await all("outbox")).filter((i) => i.state === "waiting" && i.author === session.user).length;
}

/** Who the server says is signed in, with a fresh CSRF token; null (and paused) when nobody is. */
async function signedIn() {
  let r;
  try {
    r = await fetch("/sync/token", { headers: JSON_HEADERS, cache: "no-store" });
  } catch {
    return null; // offline: nothing was tried, so nothing backs off
  }
  if (r.status === 401 || r.status === 403) return pause("sign-in");
  if (!r.ok) return null;
  answeredAt = Date.now();
  if (await get("meta", "paused")) await put("meta", null, "paused");
  return r.json();
}

async function pause(reason) {
  await put("meta", reason, "paused");
  changed();
  return null;
}

async function send(batch, csrf) {
  let r;
  try {
    r = await fetch("/sync/items", { method: "POST", cache: "no-store",
      headers: { ...JSON_HEADERS, "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({ items: batch.map(({ v, uuid, kind, kid, enc, ct, present }) => ({ v, uuid, kind, kid, enc, ct, present: present === true })) }) });
  } catch {
    return backOff(batch);
  }
  if (r.status === 400) return pause("token");
  if (r.status === 401 || r.status === 403) return pause("sign-in");
  if (!r.ok) return backOff(batch);
  const { results } = await r.json();
  await settle(batch, results);
  await put("meta", Date.now(), "contact");
  changed();
  return true;
}

function settle(batch, results) {
  const answered = new Map(results.map((res) => [res.uuid, res]));
  return write(["outbox", "sent", "vault"], (store) => {
    for (const item of batch) {
      const res = answered.get(item.uuid);
      if (!res) continue; // not answered: stays waiting
      if (res.status === "stored" || res.status === "duplicate") {
        store("sent").put({ uuid: item.uuid, kind: item.kind, author: item.author, created: item.created,
          sent: Date.now(), state: res.state || "Sent", url: res.url || "" });
        store("outbox").delete(item.uuid);
        store("vault").delete(`copy:${item.uuid}`);
      } else if (res.status === "quarantined") { // the server keeps it (sealed): nothing is sent again
        const { enc, ct, ...kept } = item;
        store("outbox").put({ ...kept, state: "held", status: res.status, held: res.state || "", errors: [] });
        store("vault").delete(`copy:${item.uuid}`);
      } else {
        store("outbox").put({ ...item, state: "failed", status: res.status, errors: res.errors || [] });
      }
    }
  });
}

async function backOff(batch) {
  await write(["outbox"], (store) => {
    for (const item of batch) {
      const attempts = item.attempts + 1;
      const wait = Math.min(MAX_WAIT, 1000 * 2 ** attempts) * (0.5 + Math.random() / 2);
      store("outbox").put({ ...item, attempts, next: Date.now() + wait });
    }
  });
  changed();
  return false;
}

/** Ask the server how the author's held entries and sent concerns stand now (dealt with? acknowledged?). */
export async function refreshStates(author) {
  const held = (await all("outbox")).filter((i) => i.state === "held" && (!author || i.author === author));
  const sent = (await all("sent")).filter((s) => s.kind === "concern" && Date.now() - s.sent < SENT_KEPT);
  const asked = [...held, ...sent].slice(0, BATCH);
  if (!asked.length) return;
  let states;
  try {
    const r = await fetch(`/sync/states?${asked.map((s) => `uuid=${s.uuid}`).join("&")}`,
      { headers: JSON_HEADERS, cache: "no-store" });
    if (!r.ok) return;
    answeredAt = Date.now();
    ({ states } = await r.json());
  } catch {
    return; // offline: try again later
  }
  await write(["outbox", "sent"], (store) => {
    for (const item of asked) {
      const now = states[item.uuid];
      if (!now) continue;
      if (item.state !== "held") store("sent").put({ ...item, ...now });
      else if (now.held === false) { // a person on the server side has dealt with it
        store("outbox").delete(item.uuid);
        store("sent").put({ uuid: item.uuid, kind: item.kind, author: item.author, created: item.created,
          sent: Date.now(), state: now.state || "Dealt with by your coordinator", url: now.url || "" });
      } else if (now.state) store("outbox").put({ ...item, held: now.state });
    }
  });
  changed();
}
