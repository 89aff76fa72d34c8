// Forms that survive no signal. What is typed is kept as an encrypted draft
// (24 hours; cleared on save and at sign-out); Save is save.js's. The offline
// shells fill their family choices from the encrypted snapshot. A form's page
// carries the server's public sealing key, so it can seal even if the signal
// goes before /offline/key answers. An online form's page is usable only once
// Save's modules are there (preloaded with the page: one round trip), so Save
// works as soon as the form is enhanced, signal or not (the outbox's module
// loads once the form is usable: Save keeps the entry without it); the
// shells' load just after, from the worker's cache, so nothing but the form
// comes before it.
import { DAY, forget, get, lapsed, load, put, save, snapshot } from "./idb.js";
import { collect, h, native, say, showErrors } from "./dom.js";

const NOT_YET = "This phone cannot save entries yet. Open Bridge once while online.";
let saving = null;
/** Save's modules (the rules check, sealing, the outbox): imported once. */
const saver = () => (saving ??= import("./save.js"));

function fill(form, fields) {
  for (const [name, values] of Object.entries(fields)) {
    for (const el of form.querySelectorAll(`[name="${CSS.escape(name)}"]`)) {
      if (el.type === "checkbox" || el.type === "radio") el.checked = values.includes(el.value);
      else el.value = values[0] ?? "";
    }
  }
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
    const ctx = { ready, author, draftName, again, refill: () => ready && defaults(form, ready.snap) };
    saver().then((m) => m.submit(form, ctx), () => (!ready && navigator.onLine ? native(form) : say(form, NOT_YET)));
  });
}

/** Keep the sealing key the page came with: the phone can seal without waiting for /offline/key. */
const keepKey = (boot) => boot.seal && put("meta", JSON.parse(boot.seal), "serverKey").catch(() => {});

/** Enhance every outbox form on the page, then, while idle, make the clock the check needs. An online
 * form's page is usable only once Save's modules are there, so a signal lost just after still saves;
 * the shells' come from the worker's cache, signal or not, so they load just after the form is usable. */
export async function enhance(boot) {
  const kept = keepKey(boot);
  const forms = [...document.querySelectorAll("form[data-outbox]")];
  const first = forms.some((form) => !("offline" in form.dataset)) ? saver().catch(() => {}) : null;
  for (const form of forms) await setUp(form, boot);
  await Promise.all([kept, first]);
  setTimeout(() => saver().then((m) => forms.forEach((form) => m.prepare(form.dataset.outbox))).catch(() => {}));
}
