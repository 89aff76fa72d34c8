// A tiny promise wrapper over IndexedDB: one request per transaction, so no
// other work is ever awaited inside one. Database "bridge", version 1:
//   keys   the vault's non-extractable AES-GCM CryptoKey
//   vault  encrypted records: the offline snapshot, drafts, copies to re-enter
//   outbox sealed entries waiting or failed (keyPath uuid)
//   sent   acknowledged entries: kind, time, server status (no content)
//   meta   plain settings: server key, duty phone, last contact, pause reason
// A shipped version is never edited: a change adds version 2 with an upgrade.
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
