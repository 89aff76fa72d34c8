"""Open what the browser sealed with HPKE (RFC 9180), pwa/static/js/hpke.js.

One suite, base mode, single shot: DHKEM(P-256, HKDF-SHA256),
HKDF-SHA256, AES-256-GCM (kem 0x0010, kdf 0x0001, aead 0x0002). The
browser sends `enc` (its 65-byte ephemeral point) and `ct` (ciphertext with
the 16-byte tag); the server keeps the P-256 private key as PKCS#8 PEM.

Only cryptography's public API opens: its `Suite.decrypt` takes no associated
data, so Bridge binds everything an entry must be tied to (format version,
key id, author, kind, UUID) into HPKE's `info` and always seals with aad = b"".
"""
from cryptography.exceptions import InvalidTag, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.hpke import AEAD, KDF, KEM, Suite

SUITE = Suite(KEM.P256, KDF.HKDF_SHA256, AEAD.AES_256_GCM)
ENC_LEN = 65
TAG_LEN = 16


class SealedOpenError(Exception):
    """A sealed payload did not open: wrong key, info or aad, tampered, or malformed."""


def generate_private_key_pem() -> bytes:
    """Generate a P-256 recipient key, returned as unencrypted PKCS#8 PEM."""
    key = ec.generate_private_key(ec.SECP256R1())
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _load(private_pem: bytes) -> ec.EllipticCurvePrivateKey:
    try:
        key = serialization.load_pem_private_key(private_pem, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise SealedOpenError("the recipient key is not a readable PEM private key") from exc
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(key.curve, ec.SECP256R1):
        raise SealedOpenError("the recipient key is not a P-256 key")
    return key


def public_key_raw(private_pem: bytes) -> bytes:
    """The 65-byte uncompressed point the browser seals to."""
    return _load(private_pem).public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )


def open_sealed(private_pem: bytes, enc: bytes, ct: bytes, info: bytes, aad: bytes = b"") -> bytes:
    """Open one single-shot HPKE seal (aad must be empty); raise SealedOpenError on any failure."""
    key = _load(private_pem)
    enc, ct, info = bytes(enc), bytes(ct), bytes(info)
    if aad:
        raise SealedOpenError("associated data is not supported: bind it into info")
    if len(enc) != ENC_LEN or enc[0] != 4:
        raise SealedOpenError("enc is not a 65-byte uncompressed P-256 point")
    if len(ct) < TAG_LEN:
        raise SealedOpenError("ciphertext is shorter than its tag")
    try:
        return SUITE.decrypt(enc + ct, key, info=info)
    except (InvalidTag, ValueError) as exc:
        raise SealedOpenError("sealed payload did not open") from exc
