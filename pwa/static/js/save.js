// Saving an outbox form: check it against the server's own rules (check.js),
// showing every error at once; seal the entry into the outbox and keep it
// with its copy in one transaction; with a signal try to send it at once. On
// the site's own pages an entry the server still rejects is posted the
// ordinary way, so its page shows what to fix; the shells show the server's
// reasons themselves. With no signal it says "saved" once the entry is sealed
// and kept, and tries nothing. Imported by forms.js: before an online form's
// page is usable, just after on the shells (which the worker keeps cached).
import { get, put, write } from "./idb.js";
import { encrypted } from "./vault.js";
import { sealEntry } from "./seal.js";
import { changed, discard, replay } from "./outbox.js";
import { clearErrors, collect, native, say, showErrors } from "./dom.js";
import { check, rulesFor } from "./check.js";

export { prepare } from "./check.js";

const CANNOT_SEAL = "This phone cannot seal entries yet. Open Bridge once while online.";
const SAVED = {
  visit: "Visit saved.",
  concern: "Concern sent. The social worker and coordinator are being emailed now.",
};

const HELD = "The server has this entry, sealed, but could not file it: it is held for your coordinator, "
  + "who has been told. If a child is in danger, phone now.";

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

export async function submit(form, ctx) {
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
  ctx.refill();
  if (form.elements.client_uuid) form.elements.client_uuid.value = crypto.randomUUID();
}

