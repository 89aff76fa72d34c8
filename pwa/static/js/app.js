// Every page: register the service worker, show the outbox badge (waiting /
// sent / failed) and a red banner while a concern waits, replay the outbox
// on load, on `online` and when the page is shown again, and wipe the vault
// at sign-out. Only this module and idb.js load up front; the rest on demand.
import { all, get, put } from "./idb.js";

const boot = document.getElementById("bridge-app").dataset;
const user = boot.user || null;
const channel = new BroadcastChannel("bridge-outbox");
const SNAPSHOT_EVERY = 10 * 60e3;
const STATES_EVERY = 60e3;
const outboxPage = document.getElementById("outbox-page");

function h(tag, props, ...kids) {
  const el = Object.assign(document.createElement(tag), props);
  el.append(...kids);
  return el;
}

function registerWorker() {
  const sw = navigator.serviceWorker;
  if (!sw) return;
  if (!boot.sw) return sw.getRegistrations().then((regs) => regs.forEach((r) => r.unregister()));
  sw.register(boot.sw, { type: "module", scope: "/" }).catch(() => {});
  // A page that was loading while the worker activated is not claimed by it: ask.
  sw.ready.then((reg) => sw.controller || reg.active.postMessage("claim"));
}

function banner(count, duty) {
  const tel = (number, label, cls) => h("a", { href: `tel:${number.replace(/[^\d+]/g, "")}`, className: cls }, label);
  return h("div", { className: "banner", role: "alert" },
    h("p", {}, h("strong", {}, count > 1 ? `${count} concerns not sent yet` : "Concern not sent yet"),
      " — if a child is in danger, phone now."),
    h("p", { className: "calls" }, tel("999", "Call 999", "button danger"),
      duty ? tel(duty, `Call the duty line (${duty})`, "button") : ""));
}

async function render() {
  const box = document.getElementById("outbox");
  if (!box) return;
  const items = await all("outbox");
  const sent = (await all("sent")).filter((s) => Date.now() - s.sent < 14 * 864e5);
  const waiting = items.filter((i) => i.state === "waiting");
  const failed = items.length - waiting.length;
  const concerns = waiting.filter((i) => i.kind === "concern").length;
  box.hidden = !(items.length || sent.length || boot.mentor);
  const alert = concerns ? banner(concerns, await get("meta", "duty")) : "";
  const badge = box.querySelector(".badge") || h("p", { className: "badge", role: "status" });
  badge.replaceChildren(h("a", { href: "/offline/outbox" }, "Outbox"),
    `: ${waiting.length} waiting · ${sent.length} sent · ${failed} failed`);
  const paused = waiting.length && (await get("meta", "paused")) === "sign-in"
    ? h("p", { className: "warn" }, "Sign in to send the entries waiting on this phone.") : "";
  box.replaceChildren(alert, badge, paused);
  return waiting.length;
}

async function replay(force) {
  const waiting = await render();
  const asked = (await get("meta", "statesAt")) || 0; // sent concerns: email accepted? acknowledged?
  const concerns = (await all("sent")).some((s) => s.kind === "concern") && (force || outboxPage
    || Date.now() - asked > STATES_EVERY);
  if (!waiting && !force && !concerns) return;
  const outbox = await import("./outbox.js");
  if (waiting || force) await outbox.replay(force);
  if (concerns) await outbox.refreshStates().then(() => put("meta", Date.now(), "statesAt"));
}

async function checkVault() {
  const owner = await get("meta", "vaultOwner");
  const contact = await get("meta", "contact");
  if ((user && owner && owner !== user) || (contact && Date.now() - contact > 14 * 864e5)) {
    await (await import("./vault.js")).wipe();
  }
  if (user) await put("meta", user, "vaultOwner");
}

function wipeAtSignOut() {
  const form = document.querySelector("form.signout");
  form?.addEventListener("submit", (event) => {
    event.preventDefault();
    const wiped = import("./vault.js").then((v) => v.wipeAtSignOut());
    const late = new Promise((resolve) => setTimeout(resolve, 3000));
    Promise.race([wiped, late]).finally(() => form.submit());
  }, { once: true });
}

async function prepareOffline() {
  const at = await get("meta", "snapshotAt");
  if (!at || Date.now() - at > SNAPSHOT_EVERY) (await import("./offline.js")).refresh(user);
}

function notice() {
  const text = sessionStorage.getItem("bridge-notice");
  if (!text) return;
  sessionStorage.removeItem("bridge-notice");
  document.getElementById("outbox")?.before(h("p", { className: "flash", role: "status" }, text));
}

registerWorker();
wipeAtSignOut();
notice();
channel.addEventListener("message", render);
if (outboxPage) {
  const show = () => import("./offline.js").then((m) => m.outboxPage(outboxPage));
  show();
  channel.addEventListener("message", show);
}
checkVault().then(() => replay(false));
if (document.querySelector("form[data-outbox]")) import("./forms.js").then((m) => m.enhance(boot));
if (boot.mentor) addEventListener("load", () => setTimeout(prepareOffline, 500));
addEventListener("online", () => {
  replay(true);
  if (boot.mentor) prepareOffline();
});
document.addEventListener("visibilitychange", () => document.visibilityState === "visible" && replay(false));
