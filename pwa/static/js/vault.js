// The vault: what a mentor needs offline (the snapshot of their families),
// unfinished drafts and copies of failed entries, encrypted with AES-256-GCM
// under a non-extractable WebCrypto key kept in IndexedDB. Script can use the
// key but never read it out. Wiped at sign-out and after 14 days without
// contact with the server; each record's name is its associated data.
import { all, clear, del, get, keep, put } from "./idb.js";

const S = crypto.subtle;
const utf8 = new TextEncoder();
export const DAY = 864e5;

async function key(create) {
  const stored = await get("keys", "vault");
  if (stored || !create) return stored;
  const fresh = await S.generateKey({ name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"]);
  return keep("keys", "vault", fresh); // another tab may have made one first
}

/** The vault record of a JSON-able value under `name` (encrypted), to store in the vault under that name. */
export async function encrypted(name, value) {
  const k = await key(true);
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ct = await S.encrypt({ name: "AES-GCM", iv, additionalData: utf8.encode(name) },
    k, utf8.encode(JSON.stringify(value)));
  return { iv, ct, at: Date.now() };
}

/** Encrypt and store a JSON-able value under `name`. */
export async function save(name, value) {
  await put("vault", await encrypted(name, value), name);
}

/** The value stored under `name`, or null when absent, older than maxAge, or unreadable. */
export async function load(name, maxAge = 0) {
  const [rec, k] = await Promise.all([get("vault", name), key(false)]); // both at once: a slow phone waits once
  if (!rec) return null;
  if (!k || (maxAge && Date.now() - rec.at > maxAge)) return forget(name).then(() => null);
  try {
    const pt = await S.decrypt({ name: "AES-GCM", iv: rec.iv, additionalData: utf8.encode(name) }, k, rec.ct);
    return { value: JSON.parse(new TextDecoder().decode(pt)), at: rec.at };
  } catch {
    return forget(name).then(() => null);
  }
}

export const forget = (name) => del("vault", name);

/** The offline snapshot kept in the vault (null if none): here, so the shell forms need no other module. */
export const snapshot = async () => (await load("snapshot"))?.value ?? null;

/** Forget everything in the vault and its key (sign-out, another user, no contact). */
export async function wipe() {
  await clear("vault");
  await del("keys", "vault");
}

/** Sign-out: the vault, the list of sent entries and whose the phone was. The sealed outbox stays. */
export async function wipeAtSignOut() {
  await wipe();
  await clear("sent");
  for (const item of await all("outbox")) {
    // A failed entry's reasons may name a goal: they go; the sealed entry stays.
    if (item.errors?.length) await put("outbox", { ...item, errors: [] });
  }
  for (const name of ["vaultOwner", "paused", "snapshotAt"]) await del("meta", name);
  sessionStorage.clear();
}
