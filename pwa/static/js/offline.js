// Getting ready for no signal, and the outbox page. While a mentor is online,
// fetch what the offline forms need (families' labels, children's first
// names, goal titles) into the vault, and the server's sealing key.
import { all, get, put } from "./idb.js";
import { load, save } from "./vault.js";

const JSON_HEADERS = { Accept: "application/json" };
const KINDS = { visit: "Visit", concern: "Concern" };

async function fetchJSON(url) {
  const r = await fetch(url, { headers: JSON_HEADERS, cache: "no-store" });
  return r.ok ? r.json() : null;
}

/** Refresh the snapshot and the sealing key for the signed-in mentor; resolve to the snapshot. */
export async function refresh(user) {
  try {
    const [snap, key] = await Promise.all([fetchJSON("/offline/snapshot"), fetchJSON("/offline/key")]);
    if (key) await put("meta", key, "serverKey");
    if (!snap || snap.user !== user) return null;
    await save("snapshot", snap);
    await put("meta", Date.now(), "snapshotAt");
    await put("meta", Date.now(), "contact");
    if (snap.duty_phone) await put("meta", snap.duty_phone, "duty");
    return snap;
  } catch {
    return null; // offline: keep what we have
  }
}

/** The snapshot kept in the vault (null if none). */
export async function snapshot() {
  const kept = await load("snapshot");
  return kept && kept.value;
}

const when = (ms) => new Date(ms).toLocaleString("en-GB",
  { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });

function h(tag, props, ...kids) {
  const el = Object.assign(document.createElement(tag), props);
  el.append(...kids);
  return el;
}

function card(title, ...lines) {
  return h("li", { className: "card" }, h("h3", {}, title), ...lines.filter(Boolean));
}

function failedCard(item, discard) {
  const reasons = item.errors?.length ? item.errors.map((e) => h("li", {}, e.message))
    : [h("li", {}, "The server could not accept it.")];
  const remove = h("button", { type: "button", className: "link" }, "Remove it");
  remove.addEventListener("click", () => confirm("Remove this entry from the phone? It was not saved.")
    && discard(item.uuid));
  return card(`${KINDS[item.kind]} — not accepted`, h("p", {}, `Saved on this phone ${when(item.created)}.`),
    h("ul", {}, ...reasons),
    h("p", {}, h("a", { className: "button primary", href: `/offline/${item.kind}?again=${item.uuid}` },
      "Enter it again"), " ", remove));
}

/** Fill the outbox page: failed, waiting and sent entries (kinds and times only: content stays sealed). */
export async function outboxPage(root) {
  const { discard, replay } = await import("./outbox.js");
  const items = (await all("outbox")).sort((a, b) => a.created - b.created);
  const sent = (await all("sent")).sort((a, b) => b.sent - a.sent);
  const paused = await get("meta", "paused");
  const list = (name, cards, empty) => root.querySelector(`[data-list=${name}]`)
    .replaceChildren(...(cards.length ? cards : [h("li", {}, empty)]));
  list("failed", items.filter((i) => i.state === "failed").map((i) => failedCard(i, discard)), "None.");
  const waitingCard = (i) => card(KINDS[i.kind], h("p", {}, `Sealed ${when(i.created)}. `,
    paused === "sign-in" ? "Sign in to send it." : i.attempts
      ? `Tried ${i.attempts} time${i.attempts > 1 ? "s" : ""}; will try again.` : "Waiting for a connection."));
  list("waiting", items.filter((i) => i.state === "waiting").map(waitingCard), "Nothing waiting.");
  list("sent", sent.map((s) => card(KINDS[s.kind], h("p", {}, `Sent ${when(s.sent)}.`), h("p", {}, `${s.state}.`),
    s.url ? h("p", {}, h("a", { href: s.url }, "See it")) : "")), "Nothing sent lately.");
  const button = document.querySelector("[data-send-now]");
  if (button && !button.dataset.ready) {
    button.dataset.ready = "1";
    button.addEventListener("click", () => replay(true));
  }
}
