// A tiny promise wrapper over IndexedDB: one request per transaction, so no
// other work is ever awaited inside one. Database "bridge", version 1:
//   keys   the vault's non-extractable AES-GCM CryptoKey
//   vault  encrypted records: the offline snapshot, drafts, copies to re-enter
//   outbox sealed entries waiting or failed (keyPath uuid)
//   sent   acknowledged entries: kind, time, server status (no content)
//   meta   plain settings: server key, duty phone, last contact, pause reason
// A shipped version is never edited: a change adds version 2 with an upgrade.
// The vault's code (below) is here too: every form needs it before it is
// usable, and on a poor signal each module is one more request.
const NAME = "bridge";
const VERSION = 1;
let opening = null;

export function open() {
  opening ??= new Promise((resolve, reject) => {
    const req = indexedDB.open(NAME, VERSION);
    req.onupgradeneeded = () => {
      const db = req.result;
      for (const name of ["keys", "vault", "meta"]) db.createObjectStore(name);
      db.createObjectStore("outbox", { keyPath: "uuid" });
      db.createObjectStore("sent", { keyPath: "uuid" });
    };
    req.onsuccess = () => {
      const db = req.result;
      db.onversionchange = () => { db.close(); opening = null; };
      resolve(db);
    };
    req.onerror = () => { opening = null; reject(req.error); };
  });
  return opening;
}

async function run(store, mode, act) {
  const db = await open();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(store, mode);
    const req = act(tx.objectStore(store));
    tx.oncomplete = () => resolve(req && req.result);
    tx.onerror = tx.onabort = () => reject(tx.error);
  });
}

export const get = (store, key) => run(store, "readonly", (s) => s.get(key));
export const all = (store) => run(store, "readonly", (s) => s.getAll());
export const put = (store, value, key) => run(store, "readwrite", (s) => s.put(value, key));
export const del = (store, key) => run(store, "readwrite", (s) => s.delete(key));
export const clear = (store) => run(store, "readwrite", (s) => s.clear());

/** Several writes in one transaction: `act(store)` queues them, `store(name)` names an object store. */
export async function write(stores, act) {
  const db = await open();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(stores, "readwrite");
    act((name) => tx.objectStore(name));
    tx.oncomplete = () => resolve();
    tx.onerror = tx.onabort = () => reject(tx.error);
  });
}

/** No contact with the server for 14 days (meta "contact"): the vault is wiped, and not read before that. */
export const lapsed = (contact) => Boolean(contact) && Date.now() - contact > 14 * 864e5;

/** Store `value` under `key` unless one is there already; resolve to the stored one. */
export async function keep(store, key, value) {
  const db = await open();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(store, "readwrite");
    const s = tx.objectStore(store);
    let kept = value;
    s.get(key).onsuccess = (e) => {
      if (e.target.result !== undefined) kept = e.target.result;
      else s.add(value, key);
    };
    tx.oncomplete = () => resolve(kept);
    tx.onerror = tx.onabort = () => reject(tx.error);
  });
}

// The vault: what a mentor needs offline (the snapshot of their families),
// unfinished drafts and copies of failed entries, encrypted with AES-256-GCM
// under a non-extractable WebCrypto key kept in IndexedDB. Script can use the
// key but never read it out. Wiped at sign-out and after 14 days without
// contact with the server; each record's name is its associated data.
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

// Signing out on this page: nothing more goes into the vault, not even from a fetch already in flight
// (a snapshot refresh answered after the wipe made a new key and kept the families' names under it).
let closing = false;
export const closeVault = () => { closing = true; };

/** Encrypt and store a JSON-able value under `name`; false if the vault closed for a sign-out meanwhile. */
export async function save(name, value) {
  if (closing) return false;
  const record = await encrypted(name, value);
  if (closing) return del("keys", "vault").then(() => false); // the wipe ran meanwhile: the key may be new
  await put("vault", record, name);
  return true;
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
