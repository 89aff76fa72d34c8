// The one small DOM helper, and the one way an error is shown: beside its
// field and in a summary at the top of the form, each reading once. An error
// is {field, label, message} (the server's newer shape and what save.js's check
// gives) or {field, message} with the label already in the message.
export function h(tag, props, ...kids) {
  const el = Object.assign(document.createElement(tag), props);
  el.append(...kids);
  return el;
}

/** Every field's values by name (lists), without the CSRF token and the submission id. */
export function collect(form) {
  const fields = {};
  for (const [name, value] of new FormData(form)) {
    if (name !== "csrf_token" && name !== "client_uuid" && typeof value === "string") (fields[name] ??= []).push(value);
  }
  return fields;
}

/** Say something about the form in its status line (made if the page has none). */
export function say(form, text) {
  const out = document.querySelector("[data-offline-status]") || form.parentNode.insertBefore(
    h("p", { role: "status" }), form);
  out.dataset.offlineStatus = "";
  out.textContent = text;
  out.classList.add("flash");
  out.scrollIntoView({ block: "center" });
  return out;
}

/** Post the form the ordinary way, past the outbox. */
export function native(form) {
  form.dataset.native = "1";
  HTMLFormElement.prototype.submit.call(form);
}

/** An error as the summary reads it: "Date: This date is in the future.", "How urgent is it? Choose …". */
export const errorText = (e) => (!e.label ? e.message : /[?.!:]$/.test(e.label) ? `${e.label} ${e.message}`
  : `${e.label}: ${e.message}`);

function byId(form, id) {
  return id ? form.querySelector(`#${CSS.escape(id)}`) : null;
}

function beside(form, e) {
  const el = byId(form, e.field);
  const box = el && (el.matches("fieldset.field") ? el : el.closest(".field"));
  if (!box) return false;
  box.classList.add("has-error");
  const id = `${e.field}-error`;
  const line = byId(form, id) || h("p", { className: "error", id });
  line.textContent = line.isConnected ? `${line.textContent} ${e.message}` : e.message;
  if (!line.isConnected) {
    const after = box.querySelector(":scope > .hint") || box.querySelector(":scope > legend, :scope > label");
    after ? after.after(line) : box.prepend(line);
  }
  const input = el.matches("input, select, textarea") ? el : null;
  input?.setAttribute("aria-invalid", "true");
  (input || box).setAttribute("aria-describedby",
    [...new Set([...(input || box).getAttribute("aria-describedby")?.split(" ") ?? [], id])].join(" ").trim());
  return true;
}

/** Take away every error shown on the form. */
export function clearErrors(form) {
  form.querySelector(".error-summary")?.remove();
  form.querySelectorAll("p.error").forEach((p) => p.remove());
  form.querySelectorAll(".has-error").forEach((el) => el.classList.remove("has-error"));
  form.querySelectorAll("[aria-invalid]").forEach((el) => el.removeAttribute("aria-invalid"));
}

/** Show every error at once: beside its field and in a summary at the top, which takes the focus. */
export function showErrors(form, errors) {
  clearErrors(form);
  const at = (e) => byId(form, e.field);
  errors = [...errors].sort((a, b) => (at(a) && at(b) && at(a) !== at(b)
    ? (at(a).compareDocumentPosition(at(b)) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1) : 0));
  const items = errors.map((e) => h("li", {}, beside(form, e) ? h("a", { href: `#${e.field}` }, errorText(e))
    : errorText(e)));
  const box = h("div", { className: "error-summary", role: "alert", tabIndex: -1 },
    h("h2", {}, errors.length === 1 ? "Please check this" : "Please check these"), h("ul", {}, ...items));
  form.prepend(box);
  box.focus();
}
