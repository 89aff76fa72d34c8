// Saving an outbox form: check it against the server's own rules (below),
// showing every error at once; seal the entry into the outbox and keep it
// with its copy in one transaction; with a signal try to send it at once. On
// the site's own pages an entry the server still rejects is posted the
// ordinary way, so its page shows what to fix; the shells show the server's
// reasons themselves. With no signal it says "saved" once the entry is sealed
// and kept, and tries nothing. Imported by forms.js: before an online form's
// page is usable, just after on the shells (which the worker keeps cached).
// The check lives here, not in a module of its own: on a poor signal every
// module before an online form is usable is one more request, and the sixth
// connection's requests wait a whole round trip for a free one. For the same
// reason the outbox's code (sending, news for the badge) is not waited for:
// it loads once the form is usable (prepare), and Save keeps the entry without it.
import { encrypted, get, put, write } from "./idb.js";
import { sealEntry } from "./seal.js";
import { clearErrors, collect, native, say, showErrors } from "./dom.js";

/** The outbox module, or null if it never came (the signal went before it did): the entry is kept
 * all the same, the page's badge is told directly, and the next page sends it. */
const outbox = () => import("./outbox.js").catch(() => null);

// The check of a form before it is sealed: the server's own rules,
// published from the form class (pwa/web/rules.py) in the page as
// <script type="application/json" id="rules-KIND">, applied in the order the
// server applies them and answered in its words. Nothing here restates a rule.
const INTEGER = /^\s*[-+]?\d+\s*$/;
const DECIMAL = /^\s*[-+]?(\d+\.?\d*|\.\d+)\s*$/;
const PARSES = {
  date: (v) => /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(v)),
  time: (v) => /^([01]\d|2[0-3]):[0-5]\d$/.test(v),
  integer: (v) => INTEGER.test(v),
  decimal: (v) => DECIMAL.test(v),
};

const clocks = new Map();
/** The scheme's clock, made once per zone: a slow phone's first Intl formatter takes ~100 ms. */
const clockOf = (zone) => clocks.get(zone) || clocks.set(zone, new Intl.DateTimeFormat("en-GB", { timeZone: zone,
  hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" })).get(zone);

/** The local date (YYYY-MM-DD) and minutes past midnight in the scheme's time zone. */
function localNow(zone, now) {
  const parts = Object.fromEntries(clockOf(zone).formatToParts(now).map((p) => [p.type, p.value]));
  return { day: `${parts.year}-${parts.month}-${parts.day}`, minutes: +parts.hour * 60 + +parts.minute };
}

const minutes = (hhmm) => +hhmm.slice(0, 2) * 60 + +hhmm.slice(3, 5);

function later(rule, values, value, clock) {
  const { on, slack_minutes: slack, message } = rule.not_future;
  if (!on) return value > clock.day ? message : null;
  const day = values[on]?.[0];
  return day === clock.day && minutes(value) > clock.minutes + slack ? message : null;
}

/** What the server would say of one field's values (a list of texts), in order. */
function checkField(rule, vs, values, clock) {
  const raw = vs[0] ?? "";
  const many = rule.type === "choices";
  const blank = many ? !vs.length : raw.trim() === "";
  const out = [];
  const parses = PARSES[rule.type];
  const bad = parses && raw !== "" && !parses(raw);
  if (bad) out.push(rule.invalid);
  if (!bad && rule.choices) {
    const unknown = (many ? vs : [raw]).filter((v) => !rule.choices.includes(v));
    const empty = many ? !vs.length : raw === "";
    if (many && unknown.length) out.push(rule.choice_message.replace("{value}", unknown.join("', '")));
    else if (!many && unknown.length && !(empty && rule.required)) out.push(rule.choice_message);
  }
  if (rule.required && (rule.blank_ok ? (many ? !vs.length : raw === "") : blank)) return [...out, rule.required];
  if (rule.optional && blank) return [];
  if (rule.type === "bool" || (many && !rule.max_length)) return out;
  const value = bad ? null : raw;
  if (rule.max_length && [...raw].length > rule.max_length[0]) out.push(rule.max_length[1]);
  if (rule.range) {
    const [min, max, message] = rule.range;
    const n = value === null || value.trim() === "" ? NaN : Number(value);
    if (Number.isNaN(n) || (min !== null && n < min) || (max !== null && n > max)) out.push(message);
  }
  if (rule.not_future && value) {
    const said = later(rule, values, value, clock);
    if (said) out.push(said);
  }
  if (rule.not_before && value) {
    const [other, message] = rule.not_before;
    const earlier = values[other]?.[0];
    if (earlier && PARSES.date(earlier) && value < earlier) out.push(message);
  }
  return out;
}

/** The field names a rule covers: `goals-N-note` covers goals-0-note, goals-1-note, … */
function namesOf(name, names) {
  if (!name.includes("-N-")) return [name];
  const [head, tail] = name.split("-N-");
  return names.filter((n) => n.startsWith(`${head}-`) && n.endsWith(`-${tail}`)
    && /^\d+$/.test(n.slice(head.length + 1, n.length - tail.length - 1)));
}

/** Every error in `values` ({name: [texts]}) under `rules`, as {field, name, label, message}. */
export function check(rules, values, names, now = new Date()) {
  const clock = localNow(rules.zone, now);
  const errors = [];
  for (const [pattern, rule] of Object.entries(rules.fields)) {
    for (const name of namesOf(pattern, names)) {
      for (const message of checkField(rule, values[name] || [], values, clock)) {
        if (message) errors.push({ field: name, name, label: rule.label, message });
      }
    }
  }
  return errors;
}

/** The rules a page publishes for a kind of form (null when it publishes none). */
export function rulesFor(kind) {
  const el = document.getElementById(`rules-${kind}`);
  return el ? JSON.parse(el.textContent) : null;
}

/** While the phone is idle once the form is usable, not when Save is tapped: make the clock a form's check
 * needs, and fetch the outbox's module (no page preloads it, so its bytes never delay the form's own). */
export function prepare(kind) {
  const rules = rulesFor(kind);
  if (rules) localNow(rules.zone, new Date());
  outbox();
}

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
  const box = await outbox();
  // From the online form its author is at the page: a failed check comes back to it, not to a hold.
  await keepEntry(online && box ? { ...item, present: true } : item, family, fields, ctx.draftName);
  if (box) box.changed();
  else new BroadcastChannel("bridge-outbox").postMessage("changed"); // app.js redraws the badge
  navigator.serviceWorker?.getRegistration().then((r) => r?.sync?.register("bridge-outbox")).catch(() => {});
  if (ctx.again) await box?.discard(ctx.again); // the shells' module is the worker's: always there
  if (!navigator.onLine || !box) return saved(form, ctx, {}); // nothing to try now; the outbox sends it later
  button.disabled = true;
  await box.replay(true);
  const result = await outcome(item.uuid);
  button.disabled = false;
  const waiting = await get("outbox", item.uuid);
  if (waiting?.present) await put("outbox", { ...waiting, present: false }); // sent later: held if it cannot be stored
  if (result.sent) {
    sessionStorage.setItem("bridge-notice", SAVED[item.kind]);
    return location.assign(result.sent.url || "/offline/outbox");
  }
  if (result.failed) {
    await box.discard(item.uuid);
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

