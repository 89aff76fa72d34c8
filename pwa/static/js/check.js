// The phone's check of a form before it is sealed: the server's own rules,
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

/** Make the clock a form's check needs now, while the phone is idle, not when Save is tapped. */
export function prepare(kind) {
  const rules = rulesFor(kind);
  if (rules) localNow(rules.zone, new Date());
}
