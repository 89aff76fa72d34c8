// Getting ready for no signal, and the outbox page. While a mentor is online,
// fetch what the offline forms need (families' labels, children's first
// names, goal titles) into the vault, and the server's sealing key.
import { all, get, load, put, save, snapshot } from "./idb.js";
import { errorText, h } from "./dom.js";

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
    if (!snap || snap.user !== user || !(await save("snapshot", snap))) return null;
    await put("meta", Date.now(), "snapshotAt");
    await put("meta", Date.now(), "contact");
    if (snap.duty_phone) await put("meta", snap.duty_phone, "duty");
    return snap;
  } catch {
    return null; // offline: keep what we have
  }
}

const when = (ms) => new Date(ms).toLocaleString("en-GB",
  { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });

function card(title, ...lines) {
  return h("li", { className: "card" }, h("h3", {}, title), ...lines.filter(Boolean));
}

/** "Visit — <family label>": the family from the encrypted snapshot, never stored in the clear. */
async function titler() {
  const snap = await snapshot();
  const labels = new Map((snap?.families || []).map((f) => [f.id, f.label]));
  return async (item) => {
    const about = (await load(`about:${item.uuid}`))?.value || (await load(`copy:${item.uuid}`))?.value;
    const label = about && labels.get(about.family);
    return label ? `${KINDS[item.kind]} — ${label}` : KINDS[item.kind];
  };
}

function failedCard(item, title, discard) {
  const reasons = item.errors?.length ? item.errors.map((e) => h("li", {}, errorText(e)))
    : [h("li", {}, "The server could not accept it.")];
  const remove = h("button", { type: "button", className: "link" }, "Remove it");
  remove.addEventListener("click", () => confirm("Remove this entry from the phone? It was not saved.")
    && discard(item.uuid));
  return card(`${title} — not accepted`, h("p", {}, `Saved on this phone ${when(item.created)}.`),
    h("ul", {}, ...reasons),
    h("p", {}, h("a", { className: "button primary", href: `/offline/${item.kind}?again=${item.uuid}` },
      "Enter it again"), " ", remove));
}

function heldCard(item, title) {
  return card(`${title} — held for your coordinator`, h("p", {}, `Saved on this phone ${when(item.created)}.`),
    h("p", {}, "The server has it, sealed, but could not file it. Your coordinator has been told and will "
      + "deal with it; nothing more to do here."), item.held ? h("p", {}, `${item.held}.`) : "");
}

function waitingCard(item, title, paused, mine) {
  const how = !mine ? "From another account: it will be sent when that person signs in."
    : paused === "sign-in" ? "Sign in to send it." : item.attempts
      ? `Tried ${item.attempts} time${item.attempts > 1 ? "s" : ""}; will try again.` : "Waiting for a connection.";
  return card(title, h("p", {}, `Sealed ${when(item.created)}. `, how));
}

/** Fill the outbox page: failed, held, waiting and sent entries (kinds, families and times: content stays sealed). */
export async function outboxPage(root, owner) {
  const { discard, replay } = await import("./outbox.js");
  const me = await owner();
  const items = (await all("outbox")).sort((a, b) => a.created - b.created);
  const sent = (await all("sent")).sort((a, b) => b.sent - a.sent);
  const paused = await get("meta", "paused");
  const title = await titler();
  const titles = new Map(await Promise.all([...items, ...sent].map(async (i) => [i.uuid, await title(i)])));
  const list = (name, cards, empty) => root.querySelector(`[data-list=${name}]`)
    .replaceChildren(...(cards.length ? cards : [h("li", {}, empty)]));
  const of = (state) => items.filter((i) => i.state === state);
  list("failed", of("failed").map((i) => failedCard(i, titles.get(i.uuid), discard)), "None.");
  list("held", of("held").map((i) => heldCard(i, titles.get(i.uuid))), "None.");
  list("waiting", of("waiting").map((i) => waitingCard(i, titles.get(i.uuid), paused, !me || i.author === me)),
    "Nothing waiting.");
  list("sent", sent.map((s) => card(titles.get(s.uuid), h("p", {}, `Sent ${when(s.sent)}.`), h("p", {}, `${s.state}.`),
    s.url ? h("p", {}, h("a", { href: s.url }, "See it")) : "")), "Nothing sent lately.");
  const button = document.querySelector("[data-send-now]");
  if (button && !button.dataset.ready) {
    button.dataset.ready = "1";
    button.addEventListener("click", () => replay(true));
  }
}
