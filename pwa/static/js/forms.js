// Forms that survive no signal. What is typed is kept as an encrypted draft
// (24 hours; cleared on save and at sign-out). Saving first checks the form
// against the server's own rules (check.js), showing every error at once;
// then it seals the entry into the outbox at once and tries to send it. On
// the site's own pages (data-family) an entry the server still rejects is
// posted the ordinary way, so its page shows what to fix; the offline shells
// fill their family choices from the encrypted snapshot and show the
// server's reasons themselves. With no signal it says "saved" once the
// entry is sealed and kept, and tries nothing. A form's page carries the
// server's public sealing key, so it can seal even if the signal goes
// before /offline/key answers. Everything Save needs is imported statically
// (one preload round trip, and Save works as soon as the form is enhanced,
// signal or not); the shells read their snapshot through vault.js, so they need no more.
import { get, lapsed, put, write } from "./idb.js";
import { DAY, encrypted, forget, load, save, snapshot } from "./vault.js";
import { sealEntry } from "./seal.js";
import { changed, discard, replay } from "./outbox.js";
import { clearErrors, h, showErrors } from "./dom.js";
import { check, prepare, rulesFor } from "./check.js";

const CANNOT_SEAL = "This phone cannot seal entries yet. Open Bridge once while online.";
const SAVED = {
  visit: "Visit saved.",
  concern: "Concern sent. The social worker and coordinator are being emailed now.",
};

/** Every field's values by name (lists), without the CSRF token and the submission id. */
const HELD = "The server has this entry, sealed, but could not file it: it is held for your coordinator, "
  + "who has been told. If a child is in danger, phone now.";

function collect(form) {
  const fields = {};
  for (const [name, value] of new FormData(form)) {
    if (name !== "csrf_token" && name !== "client_uuid" && typeof value === "string") (fields[name] ??= []).push(value);
  }
  return fields;
}

function fill(form, fields) {
  for (const [name, values] of Object.entries(fields)) {
    for (const el of form.querySelectorAll(`[name="${CSS.escape(name)}"]`)) {
      if (el.type === "checkbox" || el.type === "radio") el.checked = values.includes(el.value);
      else el.value = values[0] ?? "";
    }
  }
}

function say(form, text) {
  const out = document.querySelector("[data-offline-status]") || form.parentNode.insertBefore(
    h("p", { role: "status" }), form);
  out.dataset.offlineStatus = "";
  out.textContent = text;
  out.classList.add("flash");
  out.scrollIntoView({ block: "center" });
  return out;
}

/** What the server would refuse in this form, checked by its own published rules (all at once). */
function problems(form) {
  const rules = rulesFor(form.dataset.outbox);
  const names = [...new Set([...form.elements].map((el) => el.name).filter(Boolean))];
  const errors = rules ? check(rules, collect(form), names) : [];
  for (const error of errors) { // a goal's fields are named by the goal, as the server names them
    const goal = form.querySelector(`#${CSS.escape(error.field)}`)?.closest("fieldset.goal");
    if (goal) error.label = `${goal.querySelector("legend").textContent} — ${error.label}`;
  }
  const family = form.querySelector("select[data-required]"); // the offline pages' own choice
  if (family && !family.value) {
    errors.unshift({ field: family.id, label: family.labels[0].textContent, message: family.dataset.required });
  }
  return errors;
}

function goals(form, family) {
  const box = form.querySelector("[data-goals]");
  const template = document.getElementById("goal-template").content.firstElementChild;
  box.querySelectorAll("fieldset.goal").forEach((g) => g.remove());
  family.goals.forEach((goal, i) => {
    const fieldset = template.cloneNode(true);
    for (const el of fieldset.querySelectorAll("[id], [name], [for], [aria-describedby]")) {
      for (const name of ["id", "name", "for", "aria-describedby"]) {
        if (el.hasAttribute(name)) el.setAttribute(name, el.getAttribute(name).replaceAll("__N__", String(i)));
      }
    }
    fieldset.querySelector("legend").textContent = goal.title;
    fieldset.querySelector(`[name="goals-${i}-goal_id"]`).value = goal.id;
    box.append(fieldset);
  });
  box.hidden = !family.goals.length;
}

function chooseFamily(form, snap, id) {
  const family = snap.families.find((f) => f.id === id) || { children: [], goals: [] };
  const kids = form.querySelector("[data-children]");
  if (kids) {
    for (const name of ["children_seen", "children_spoken"]) {
      const set = document.getElementById(name);
      set.querySelectorAll("label.check").forEach((l) => l.remove());
      set.append(...family.children.map((c, i) => h("label", { className: "check" },
        h("input", { type: "checkbox", name, value: c.id, id: `${name}-${i}` }), ` ${c.name}`)));
    }
    kids.hidden = !family.children.length;
  }
  if (form.querySelector("[data-goals]")) goals(form, family);
}

// Dates by hand: a slow phone spends ~100 ms on its first Intl call, before the form is usable.
const pad = (n) => String(n).padStart(2, "0");
const today = (d = new Date()) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;

function defaults(form, snap) {
  const select = form.elements.family;
  if (snap.families.length === 1) select.value = snap.families[0].id;
  chooseFamily(form, snap, select.value);
  const visitOn = form.elements.visit_on;
  if (visitOn && !visitOn.value) visitOn.value = today();
}

/** The shell's families from the vault: every read at once (a slow phone waits once), none over the network. */
async function prepareShell(form, vaultOwner) {
  const [snap, owner, key, contact] = await Promise.all([snapshot(), vaultOwner, get("meta", "serverKey"),
    get("meta", "contact")]);
  if (!snap || !owner || !key || lapsed(contact)) { // lapsed: app.js wipes the vault just after
    say(form, "This phone is not ready to work offline yet. Open Bridge once while online and signed in.");
    return null;
  }
  const select = form.elements.family;
  select.append(...snap.families.map((f) => h("option", { value: f.id }, f.label)));
  select.addEventListener("change", () => chooseFamily(form, snap, select.value));
  defaults(form, snap);
  const duty = document.querySelector("a[data-duty]");
  if (duty && snap.duty_phone) {
    duty.href = `tel:${snap.duty_phone.replace(/[^\d+]/g, "")}`;
    duty.textContent = `Call the duty line (${snap.duty_phone})`;
    duty.hidden = false;
  }
  form.hidden = false;
  return { snap, owner };
}

function restoreInto(form, ready, fields) {
  if (ready && fields.family) {
    form.elements.family.value = fields.family[0];
    chooseFamily(form, ready.snap, fields.family[0]);
  }
  fill(form, fields);
}

function restore(form, ready, draftName, draft) {
  if (!draft) return;
  restoreInto(form, ready, draft.value.fields);
  const again = h("button", { type: "button", className: "link" }, "Clear the form");
  again.addEventListener("click", async () => { await forget(draftName); location.reload(); });
  const kept = new Date(draft.at);
  const at = `${pad(kept.getHours())}:${pad(kept.getMinutes())}`;
  say(form, `What you typed at ${at} was kept on this phone. `).append(again);
}

function native(form) {
  form.dataset.native = "1";
  HTMLFormElement.prototype.submit.call(form);
}

/** Keep the sealed entry, its copy to enter again and its family for the outbox card, and drop the
 * draft: one transaction, so the entry and its copy are kept together or not at all. */
async function keepEntry(item, family, fields, draftName) {
  const records = [[`copy:${item.uuid}`, { family, fields }], [`about:${item.uuid}`, { family }]];
  const sealed = await Promise.all(records.map(([name, value]) => encrypted(name, value)));
  await write(["outbox", "vault"], (store) => {
    store("outbox").put(item);
    records.forEach(([name], i) => store("vault").put(sealed[i], name));
    store("vault").delete(draftName);
  });
}

async function outcome(uuid) {
  const item = await get("outbox", uuid);
  if (!item) return { sent: await get("sent", uuid) };
  return item.state === "failed" ? { failed: item } : item.state === "held" ? { held: item } : {};
}

async function submit(form, ctx) {
  const online = !ctx.ready && navigator.onLine;
  const errors = problems(form);
  if (errors.length) return showErrors(form, errors);
  clearErrors(form);
  const fields = collect(form);
  const family = form.dataset.family || fields.family?.[0];
  delete fields.family;
  const button = form.querySelector("button[type=submit]");
  let item;
  try {
    item = await sealEntry(form.dataset.outbox, ctx.author, family, fields, form.elements.client_uuid?.value || undefined);
  } catch {
    return online ? native(form) : say(form, CANNOT_SEAL);
  }
  // From the online form its author is at the page: a failed check comes back to it, not to a hold.
  await keepEntry(online ? { ...item, present: true } : item, family, fields, ctx.draftName);
  changed();
  navigator.serviceWorker?.getRegistration().then((r) => r?.sync?.register("bridge-outbox")).catch(() => {});
  if (ctx.again) await discard(ctx.again);
  if (!navigator.onLine) return saved(form, ctx, {}); // no signal: nothing to try now; the outbox sends it later
  button.disabled = true;
  await replay(true);
  const result = await outcome(item.uuid);
  button.disabled = false;
  const waiting = await get("outbox", item.uuid);
  if (waiting?.present) await put("outbox", { ...waiting, present: false }); // sent later: held if it cannot be stored
  if (result.sent) {
    sessionStorage.setItem("bridge-notice", SAVED[item.kind]);
    return location.assign(result.sent.url || "/offline/outbox");
  }
  if (result.failed) {
    await discard(item.uuid);
    return ctx.ready ? showErrors(form, result.failed.errors) : native(form);
  }
  saved(form, ctx, result);
}

/** Say the entry is kept (first: the phone's answer to the tap), then clear the form for the next one. */
function saved(form, ctx, result) {
  say(form, result.held ? HELD : "Saved on this phone and sealed. It will be sent as soon as there is a connection.");
  form.reset();
  if (ctx.ready) defaults(form, ctx.ready.snap);
  if (form.elements.client_uuid) form.elements.client_uuid.value = crypto.randomUUID();
}

async function reenter(form, ready, uuid) {
  const item = await get("outbox", uuid);
  const copy = await load(`copy:${uuid}`);
  if (copy) restoreInto(form, ready, { ...copy.value.fields, family: [copy.value.family] });
  else say(form, "The copy of this entry was cleared when you signed out: please type it again.");
  if (item?.errors?.length) showErrors(form, item.errors);
}

async function setUp(form, boot) {
  const shell = "offline" in form.dataset;
  const vaultOwner = shell ? get("meta", "vaultOwner") : null; // the shell's author, read once
  const again = shell && new URLSearchParams(location.search).get("again");
  // A draft is its author's: on a shared phone another mentor never gets it back, even before the vault check.
  const naming = Promise.resolve(boot.user || vaultOwner)
    .then((author) => `draft:${form.dataset.outbox}:${form.dataset.family || "offline"}:${author || "nobody"}`);
  const draft = again ? null : naming.then((name) => load(name, DAY)); // read beside the shell's snapshot
  const ready = shell ? await prepareShell(form, vaultOwner) : null;
  if (shell && !ready) return;
  const author = boot.user || ready?.owner;
  const draftName = await naming;
  if (again) await reenter(form, ready, again);
  else restore(form, ready, draftName, await draft);
  let timer;
  const keep = () => { clearTimeout(timer); timer = setTimeout(() => save(draftName, { fields: collect(form) }), 400); };
  form.addEventListener("input", keep);
  form.addEventListener("change", keep);
  form.addEventListener("submit", (event) => {
    if (form.dataset.native) return;
    event.preventDefault();
    clearTimeout(timer);
    submit(form, { ready, author, draftName, again });
  });
}

/** Keep the sealing key the page came with: the phone can seal without waiting for /offline/key. */
const keepKey = (boot) => boot.seal && put("meta", JSON.parse(boot.seal), "serverKey").catch(() => {});

/** Enhance every outbox form on the page; then, while idle, make the clock the check needs. */
export async function enhance(boot) {
  const kept = keepKey(boot);
  for (const form of document.querySelectorAll("form[data-outbox]")) await setUp(form, boot);
  await kept;
  setTimeout(() => document.querySelectorAll("form[data-outbox]").forEach((form) => prepare(form.dataset.outbox)));
}
