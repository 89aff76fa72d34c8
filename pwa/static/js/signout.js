// Signing out. Entries of yours still unsent on this phone are named first,
// with "Send now" and "Sign out anyway"; then the vault is wiped (the sealed
// outbox stays: nobody can read it, and it is sent when you next sign in
// here) and the server is told. The offline pages carry no CSRF token, so
// one is fetched when the button is pressed there.
import { all, closeVault, get, wipeAtSignOut } from "./idb.js";
import { h } from "./dom.js";

const NAMES = { visit: ["visit", "visits"], concern: ["concern", "concerns"] };

/** "1 concern and 2 visits". */
function what(items) {
  const counts = { concern: 0, visit: 0 }; // concerns first: they matter most
  for (const i of items) counts[i.kind] = (counts[i.kind] || 0) + 1;
  const parts = Object.entries(counts).filter(([, n]) => n).map(([kind, n]) => `${n} ${NAMES[kind]?.[n > 1 ? 1 : 0] ?? "entry"}`);
  return parts.length > 1 ? `${parts.slice(0, -1).join(", ")} and ${parts.at(-1)}` : parts[0];
}

async function unsent(me) {
  return (await all("outbox")).filter((i) => i.state === "waiting" && i.author === me);
}

/** Ask before signing out with entries unsent; resolves true to sign out. */
function warn(me, items) {
  return new Promise((resolve) => {
    const text = h("p", {}, `Not sent yet: ${what(items)} ${items.length > 1 ? "are" : "is"} still on this phone. `
      + "If you sign out now, they stay sealed here and are sent when you next sign in on this phone.");
    const status = h("p", { role: "status" });
    const send = h("button", { type: "button", className: "primary" }, "Send now");
    const anyway = h("button", { type: "button" }, "Sign out anyway");
    const stay = h("button", { type: "button", className: "link" }, "Stay signed in");
    const dialog = h("dialog", { className: "warning", ariaLabel: "Entries not sent yet" },
      h("h2", {}, "Entries not sent yet"), text, status, h("p", { className: "actions" }, send, " ", anyway, " ", stay));
    const done = (answer) => { dialog.close(); dialog.remove(); resolve(answer); };
    send.addEventListener("click", async () => {
      send.disabled = true;
      status.textContent = "Sending…";
      await (await import("./outbox.js")).replay(true);
      const left = await unsent(me);
      send.disabled = false;
      if (!left.length) return done(true);
      status.textContent = `Still not sent: ${what(left)}. There is no connection just now, or the server did not answer.`;
    });
    anyway.addEventListener("click", () => done(true));
    stay.addEventListener("click", () => done(false));
    dialog.addEventListener("cancel", () => resolve(false));
    document.body.append(dialog);
    dialog.showModal();
  });
}

async function token(form) {
  const field = form.elements.csrf_token;
  if (field.value) return true;
  try {
    const r = await fetch("/sync/token", { headers: { Accept: "application/json" }, cache: "no-store" });
    if (r.ok) field.value = (await r.json()).csrf_token;
    return r.ok || r.status === 401 || r.status === 403; // signed out already: the server says so again
  } catch {
    return false;
  }
}

/** Sign out from `form` (after a warning if entries of yours wait), wiping the vault first. */
export async function signOut(form, user) {
  const me = user || (await get("meta", "vaultOwner"));
  const waiting = me ? await unsent(me) : [];
  if (waiting.length && !(await warn(me, waiting))) return;
  closeVault(); // a refresh or draft still in flight must not write after the wipe
  const wiped = wipeAtSignOut();
  await Promise.race([wiped, new Promise((resolve) => setTimeout(resolve, 3000))]);
  if (!(await token(form))) {
    form.after(h("p", { className: "warn", role: "alert" }, "This phone's copies are wiped. There is no "
      + "connection, so sign out again once there is signal to end your session on the server."));
    return;
  }
  form.dataset.going = "1";
  form.requestSubmit();
}
