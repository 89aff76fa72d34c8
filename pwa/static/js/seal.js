// Seal one entry for the outbox with HPKE (hpke.js) to the server's public
// key. Format 1: the plaintext is JSON {family, fields, sealed_at}; the HPKE
// info binds the format, the key id, the author's user id, the kind and the
// entry's UUID, and aad is empty. Nothing on the phone can open it again.
import { seal } from "./hpke.js";
import { get } from "./idb.js";

export const FORMAT = 1;
const utf8 = new TextEncoder();

export function b64u(bytes) {
  let s = "";
  for (let i = 0; i < bytes.length; i += 8192) s += String.fromCharCode(...bytes.subarray(i, i + 8192));
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function unb64u(text) {
  const s = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

/** The HPKE info an entry is sealed under. */
export const info = (kid, author, kind, uuid) =>
  utf8.encode(["bridge-sealed-entry", FORMAT, kid, author, kind, uuid].join("\n"));

/** Seal an entry (under its form's submission id, if it has one); returns the outbox item (waiting). */
export async function sealEntry(kind, author, family, fields, uuid = crypto.randomUUID()) {
  const key = await get("meta", "serverKey");
  if (!key || !author || !family) throw new Error("not ready to seal");
  const body = utf8.encode(JSON.stringify({ family, fields, sealed_at: new Date().toISOString() }));
  const { enc, ct } = await seal(unb64u(key.public_key), info(key.kid, author, kind, uuid),
    new Uint8Array(0), body);
  body.fill(0);
  return { v: FORMAT, uuid, kind, kid: key.kid, author, enc: b64u(enc), ct: b64u(ct),
    created: Date.now(), state: "waiting", attempts: 0, next: 0 };
}
