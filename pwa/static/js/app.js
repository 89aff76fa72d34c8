// Every page: register the service worker, show the outbox badge (waiting /
// sent / failed / held) and a red banner while one of your concerns is not
// yet safely stored, replay the outbox (on load, on `online`, when the page
// is shown again, after the server answers, and by a timer with back-off
// while anything waits), warn before signing out with entries unsent, and
// wipe the vault at sign-out. Only this module, idb.js and dom.js load up
// front; the rest on demand.
import { all, get, lapsed, open, put, wipe, wipeAtSignOut } from "./idb.js";
import { h } from "./dom.js";

// Every page reads the database; opening it now, while forms.js is still being loaded and run, means a
// shell form's first reads do not wait for the open (a slow phone's IndexedDB open is tens of ms).
open().catch(() => {});

const boot = document.getElementById("bridge-app").dataset;
const user = boot.user || null;
const channel = new BroadcastChannel("bridge-outbox");
const SNAPSHOT_EVERY = 10 * 60e3;
const STATES_EVERY = 60e3;
const RETRY_FIRST = 15e3; // then doubling, up to RETRY_MOST; reset when the server answers
const RETRY_MOST = 5 * 60e3;
const outboxPage = document.getElementById("outbox-page");
const OTHERS = "This phone holds entries from another account; they will be sent when that person signs in.";

function registerWorker() {
  const sw = navigator.serviceWorker;
  if (!sw) return;
  if (!boot.sw) return sw.getRegistrations().then((regs) => regs.forEach((r) => r.unregister()));
  sw.register(boot.sw, { type: "module", scope: "/" }).catch(() => {});
  // A page that was loading while the worker activated is not claimed by it: ask.
  sw.ready.then((reg) => sw.controller || reg.active.postMessage("claim"));
}

/** Whose phone it is now: the signed-in user, or on the shell pages the vault's owner. */
const owner = async () => user || (await get("meta", "vaultOwner")) || null;

function banner(count, held, duty) {
  const tel = (number, label, cls) => h("a", { href: `tel:${number.replace(/[^\d+]/g, "")}`, className: cls }, label);
  return h("div", { className: "banner", role: "alert" },
    h("p", {}, h("strong", {}, count > 1 ? `${count} concerns not sent yet` : "Concern not sent yet"),
      " — if a child is in danger, phone now."),
    held ? h("p", {}, "The server is holding it for your coordinator, who has been told.") : "",
    h("p", { className: "calls" }, tel("999", "Call 999", "button danger"),
      duty ? tel(duty, `Call the duty line (${duty})`, "button") : ""));
}

/** The badge, the banner and any note; resolves to how many entries wait (anyone's). */
async function render() {
  const box = document.getElementById("outbox");
  if (!box) return 0;
  const me = await owner();
  const items = await all("outbox");
  const sent = (await all("sent")).filter((s) => Date.now() - s.sent < 14 * 864e5);
  const mine = items.filter((i) => !me || i.author === me);
  const count = (state) => items.filter((i) => i.state === state).length;
  const concerns = mine.filter((i) => i.kind === "concern" && (i.state === "waiting" || i.state === "held"));
  const held = count("held");
  box.hidden = !(items.length || sent.length || boot.mentor);
  const alert = concerns.length
    ? banner(concerns.length, concerns.some((i) => i.state === "held"), await get("meta", "duty")) : "";
  const badge = box.querySelector(".badge") || h("p", { className: "badge", role: "status" });
  badge.replaceChildren(h("a", { href: "/offline/outbox" }, "Outbox"),
    `: ${count("waiting")} waiting · ${sent.length} sent · ${count("failed")} failed`,
    held ? ` · ${held} held for your coordinator` : "");
  const paused = mine.some((i) => i.state === "waiting") && (await get("meta", "paused")) === "sign-in"
    ? h("p", { className: "warn" }, "Sign in to send the entries waiting on this phone.") : "";
  const others = me && items.length > mine.length ? h("p", { className: "note" }, OTHERS) : "";
  box.replaceChildren(alert, badge, paused, others);
  return count("waiting");
}

let retryIn = RETRY_FIRST;
let retryTimer = 0;

/** While anything waits (or is held), try again later: 15 s, doubling to 5 min; reset once the server answers. */
function keepTrying(pending, { answered = false, timed = false } = {}) {
  if (answered || !pending) retryIn = RETRY_FIRST;
  if (!pending || timed) {
    clearTimeout(retryTimer);
    retryTimer = 0;
  }
  if (!pending || retryTimer) return;
  retryTimer = setTimeout(() => { retryTimer = 0; replay(true, true); }, retryIn);
  retryIn = Math.min(2 * retryIn, RETRY_MOST);
}

const heldOf = async (me) => (await all("outbox")).filter((i) => i.state === "held" && i.author === me).length;

async function replay(force, timed = false) {
  const waiting = await render();
  const me = await owner();
  const asked = (await get("meta", "statesAt")) || 0; // sent concerns: email accepted? acknowledged?
  const states = (await heldOf(me)) > 0 || ((await all("sent")).some((s) => s.kind === "concern")
    && (force || outboxPage || Date.now() - asked > STATES_EVERY));
  if (!waiting && !force && !states) return keepTrying(0);
  const outbox = await import("./outbox.js").catch(() => null);
  if (!outbox) return keepTrying(waiting); // its module never came (the signal went first): a later page sends
  const before = outbox.answeredAt;
  const left = waiting || force ? await outbox.replay(force) : 0;
  if (states) await outbox.refreshStates(me).then(() => put("meta", Date.now(), "statesAt"));
  const pending = (left < 0 ? waiting : left) + (await heldOf(me));
  const signIn = (await get("meta", "paused")) === "sign-in"; // a new sign-in loads a page, which replays
  keepTrying(signIn ? 0 : pending, { answered: outbox.answeredAt > before, timed });
}

async function checkVault() {
  const vaultOwner = await get("meta", "vaultOwner");
  const contact = await get("meta", "contact");
  if (user && vaultOwner && vaultOwner !== user) {
    // Someone else's phone until now (their session lapsed, no sign-out): as if they had signed out, so
    // their sent list goes too and this mentor's snapshot is fetched at once.
    await wipeAtSignOut();
  } else if (lapsed(contact)) {
    await wipe();
  }
  if (user) await put("meta", user, "vaultOwner");
}

function signOutWarned() {
  for (const form of document.querySelectorAll("form.signout")) {
    form.addEventListener("submit", (event) => {
      if (form.dataset.going) return;
      event.preventDefault();
      import("./signout.js").then((m) => m.signOut(form, user));
    });
  }
}

async function prepareOffline() {
  const at = await get("meta", "snapshotAt");
  if (!at || Date.now() - at > SNAPSHOT_EVERY) {
    // No module (the signal went before it came): the next page, or the next `online`, tries again.
    const snap = await import("./offline.js").then((m) => m.refresh(user), () => null);
    if (snap) replay(true); // the server answered: whatever waits can go now
  }
}

function notice() {
  const text = sessionStorage.getItem("bridge-notice");
  if (!text) return;
  sessionStorage.removeItem("bridge-notice");
  document.getElementById("outbox")?.before(h("p", { className: "flash", role: "status" }, text));
}

async function shellMenu() {
  const menu = document.querySelector("[data-shell-menu]");
  if (menu && (await get("meta", "vaultOwner"))) menu.hidden = false;
}

/** What the page does once it is usable: none of it is needed to type and save an entry, and on a slow
 * phone every IndexedDB read or module before "ready" is time the form is not there. The owner check
 * may wait: drafts are named by their author, and the shell pages check the vault's age themselves. */
function afterReady() {
  performance.mark("bridge-ready");
  registerWorker();
  shellMenu();
  channel.addEventListener("message", () => render().then((waiting) => waiting && !retryTimer && keepTrying(waiting)));
  checkVault().then(() => replay(false));
}

signOutWarned();
notice();
if (outboxPage) {
  const show = () => import("./offline.js").then((m) => m.outboxPage(outboxPage, owner));
  show();
  channel.addEventListener("message", show);
}
// "bridge-ready": the page is usable (its outbox form enhanced); the benchmark times the phone by it.
const enhanced = document.querySelector("form[data-outbox]") ? import("./forms.js").then((m) => m.enhance(boot)) : null;
Promise.resolve(enhanced).finally(afterReady);
if (boot.mentor) addEventListener("load", () => setTimeout(prepareOffline, 500));
// Passkey forms (account, second step) come alive just after the page has loaded: one request fewer at load.
if (document.querySelector("form[data-passkey]")) addEventListener("load", () => import("./passkeys.js"));
addEventListener("online", () => {
  replay(true);
  if (boot.mentor) prepareOffline();
});
document.addEventListener("visibilitychange", () => document.visibilityState === "visible" && replay(false));
