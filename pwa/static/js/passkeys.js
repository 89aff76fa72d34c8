// Passkeys: register one, or use one for the second step, through navigator.credentials (WebAuthn).
// Each <form data-passkey="register|login" data-options=URL data-finish=URL> is shown only where the
// browser has WebAuthn; the server keeps the challenge in the session and checks everything.

const decode = (text) => {
  const b64 = text.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(text.length / 4) * 4, "=");
  return Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0)).buffer;
};
const encode = (buffer) => btoa(String.fromCharCode(...new Uint8Array(buffer)))
  .replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
const withIds = (list) => (list || []).map((c) => ({ ...c, id: decode(c.id) }));

function creationOptions(json) {
  return { ...json, challenge: decode(json.challenge), user: { ...json.user, id: decode(json.user.id) },
           excludeCredentials: withIds(json.excludeCredentials) };
}

function requestOptions(json) {
  return { ...json, challenge: decode(json.challenge), allowCredentials: withIds(json.allowCredentials) };
}

function credentialJSON(cred) {
  if (typeof cred.toJSON === "function") return cred.toJSON();
  const r = cred.response, response = { clientDataJSON: encode(r.clientDataJSON) };
  if (r.attestationObject) {
    response.attestationObject = encode(r.attestationObject);
    response.transports = r.getTransports ? r.getTransports() : [];
  } else {
    Object.assign(response, { authenticatorData: encode(r.authenticatorData), signature: encode(r.signature),
                              userHandle: r.userHandle ? encode(r.userHandle) : null });
  }
  return { id: cred.id, rawId: encode(cred.rawId), type: cred.type, response,
           clientExtensionResults: cred.getClientExtensionResults() };
}

async function post(url, token, body) {
  const answer = await fetch(url, { method: "POST", credentials: "same-origin", body: JSON.stringify(body || {}),
                                    headers: { "Content-Type": "application/json", "X-CSRFToken": token } });
  const data = await answer.json().catch(() => ({}));
  if (!answer.ok) throw new Error(data.error || "That did not work. Try again, or use a code.");
  return data;
}

async function ceremony(form) {
  const token = form.querySelector("[name=csrf_token]").value;
  const options = await post(form.dataset.options, token);
  const extra = {};
  if (form.dataset.passkey === "register") {
    const cred = await navigator.credentials.create({ publicKey: creationOptions(options) });
    extra.label = form.querySelector("[name=label]")?.value || "";
    return post(form.dataset.finish, token, { credential: credentialJSON(cred), ...extra });
  }
  const cred = await navigator.credentials.get({ publicKey: requestOptions(options) });
  extra.remember = Boolean(document.querySelector(form.dataset.rememberFrom || "#none")?.checked);
  return post(form.dataset.finish, token, { credential: credentialJSON(cred), ...extra });
}

for (const form of document.querySelectorAll("form[data-passkey]")) {
  if (!window.PublicKeyCredential) continue;
  (form.closest(".passkey-only") || form).hidden = false;
  form.hidden = false;
  const error = form.querySelector("[data-passkey-error]");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.hidden = true;
    try {
      const done = await ceremony(form);
      window.location.assign(done.next);
    } catch (problem) {
      error.textContent = problem.name === "NotAllowedError"
        ? "The passkey step was cancelled or timed out. Try again, or use a code." : problem.message;
      error.hidden = false;
    }
  });
}
