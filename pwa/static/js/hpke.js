// HPKE (RFC 9180), base mode, single-shot seal for one suite:
// DHKEM(P-256, HKDF-SHA256) 0x0010, HKDF-SHA256 0x0001, AES-256-GCM 0x0002.
// Built on WebCrypto only: ECDH gives the DH x-coordinate, HMAC-SHA256 gives
// HKDF's Extract and Expand (HPKE labels them separately), AES-GCM seals.
// Opened on the server by pwa/crypto/hpke.py. Needs a secure context.
const S = crypto.subtle;
const EC = { name: "ECDH", namedCurve: "P-256" };
const utf8 = (t) => new TextEncoder().encode(t);

function cat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) out.set(p, at), (at += p.length);
  return out;
}

const V1 = utf8("HPKE-v1");
const KEM_ID = cat(utf8("KEM"), [0, 0x10]);
const SUITE_ID = cat(utf8("HPKE"), [0, 0x10, 0, 1, 0, 2]);

async function hmac(key, data) {
  // WebCrypto refuses an empty HMAC key; HKDF's default salt is Nh zero
  // bytes, which HMAC treats exactly like an empty key.
  const k = await S.importKey("raw", key.length ? key : new Uint8Array(32),
    { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return new Uint8Array(await S.sign("HMAC", k, data));
}

const extract = (suite, salt, label, ikm) =>
  hmac(salt, cat(V1, suite, utf8(label), ikm));

async function expand(suite, prk, label, info, len) {
  // Every length used here is at most Nh = 32, so one HKDF block is enough.
  const t = await hmac(prk, cat([0, len], V1, suite, utf8(label), info, [1]));
  return t.slice(0, len);
}

function rawPoint(p) {
  if (!(p instanceof Uint8Array) || p.length !== 65 || p[0] !== 4) {
    throw new TypeError("expected a 65-byte uncompressed P-256 point");
  }
  return p;
}

async function sealWith(skE, enc, pkR, info, aad, pt, seq) {
  const pkRKey = await S.importKey("raw", rawPoint(pkR), EC, false, []);
  const dh = new Uint8Array(await S.deriveBits({ name: "ECDH", public: pkRKey }, skE, 256));
  const kemContext = cat(enc, pkR);
  const prk = await extract(KEM_ID, [], "eae_prk", dh);
  const sharedSecret = await expand(KEM_ID, prk, "shared_secret", kemContext, 32);
  const ctx = cat([0],
    await extract(SUITE_ID, [], "psk_id_hash", []),
    await extract(SUITE_ID, [], "info_hash", info));
  const secret = await extract(SUITE_ID, sharedSecret, "secret", []);
  const key = await expand(SUITE_ID, secret, "key", ctx, 32);
  const baseNonce = await expand(SUITE_ID, secret, "base_nonce", ctx, 12);
  const nonce = baseNonce.slice();
  for (let i = 11, n = seq; n > 0; i--, n = Math.floor(n / 256)) nonce[i] ^= n & 255;
  const aes = await S.importKey("raw", key, "AES-GCM", false, ["encrypt"]);
  const ct = new Uint8Array(await S.encrypt(
    { name: "AES-GCM", iv: nonce, additionalData: aad }, aes, pt));
  dh.fill(0), prk.fill(0), secret.fill(0);
  return { enc, ct, sharedSecret, key, baseNonce };
}

/**
 * Seal `plaintext` to the recipient's P-256 public key (65-byte uncompressed
 * point) with a fresh ephemeral key. Returns {enc, ct}: enc is the 65-byte
 * ephemeral public point, ct the AES-256-GCM ciphertext with its 16-byte tag.
 * All arguments are Uint8Arrays.
 */
export async function seal(recipientPublicKeyRaw, info, aad, plaintext) {
  const eph = await S.generateKey(EC, false, ["deriveBits"]);
  const enc = new Uint8Array(await S.exportKey("raw", eph.publicKey));
  const r = await sealWith(eph.privateKey, enc, recipientPublicKeyRaw, info, aad, plaintext, 0);
  r.sharedSecret.fill(0), r.key.fill(0), r.baseNonce.fill(0);
  return { enc: r.enc, ct: r.ct };
}

const b64u = (b) => btoa(String.fromCharCode(...b))
  .replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

/**
 * Testing only: seal with a given ephemeral key (skE: 32-byte scalar, pkE:
 * its 65-byte point) at sequence number `seq`, returning the key schedule
 * too: {enc, ct, sharedSecret, key, baseNonce}. Never use it to send data.
 */
export async function sealWithEphemeral(skE, pkE, pkR, info, aad, pt, seq = 0) {
  rawPoint(pkE);
  const jwk = { kty: "EC", crv: "P-256", d: b64u(skE),
    x: b64u(pkE.subarray(1, 33)), y: b64u(pkE.subarray(33)) };
  const sk = await S.importKey("jwk", jwk, EC, false, ["deriveBits"]);
  return sealWith(sk, pkE.slice(), pkR, info, aad, pt, seq);
}
