"""The server side of HPKE against RFC 9180's vectors for our one suite."""
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from pwa.crypto.hpke import SealedOpenError, generate_private_key_pem, open_sealed, public_key_raw

VECTOR = json.loads((Path(__file__).parent / "data" / "hpke_p256_sha256_aes256gcm.json").read_text())


def _hex(name: str) -> bytes:
    return bytes.fromhex(VECTOR[name])


def _vector_key_pem() -> bytes:
    key = ec.derive_private_key(int(VECTOR["skRm"], 16), ec.SECP256R1())
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def test_vector_is_the_suite_we_ship():
    assert (VECTOR["mode"], VECTOR["kem_id"], VECTOR["kdf_id"], VECTOR["aead_id"]) == (0, 16, 1, 2)
    assert VECTOR["enc"] == VECTOR["pkEm"]
    assert "source" in VECTOR


def test_public_key_raw_matches_vector_pkRm():
    assert public_key_raw(_vector_key_pem()) == _hex("pkRm")


def test_the_vector_key_opens_what_cryptography_seals_to_pkRm():
    """cryptography's own Suite.encrypt to the vector's recipient, opened with skRm (aad empty)."""
    from pwa.crypto.hpke import SUITE

    pk = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), _hex("pkRm"))
    sealed = SUITE.encrypt(b"Beauty is truth, truth beauty", pk, info=_hex("info"))
    enc, ct = sealed[:65], sealed[65:]
    assert open_sealed(_vector_key_pem(), enc, ct, _hex("info")) == b"Beauty is truth, truth beauty"


def test_associated_data_is_refused_not_ignored():
    """The RFC's ciphertexts carry aad; Bridge binds everything into info, so aad is refused."""
    first = VECTOR["encryptions"][0]
    assert first["aad"]
    with pytest.raises(SealedOpenError, match="info"):
        open_sealed(_vector_key_pem(), _hex("enc"), bytes.fromhex(first["ct"]), _hex("info"),
                    bytes.fromhex(first["aad"]))
    with pytest.raises(SealedOpenError):  # and without its aad the vector's tag does not verify
        open_sealed(_vector_key_pem(), _hex("enc"), bytes.fromhex(first["ct"]), _hex("info"))


@pytest.mark.parametrize("what", ["ct_bit", "tag_bit", "enc_byte", "info", "no_info", "truncated", "other_key"])
def test_tampered_seal_does_not_open(what):
    from pwa.crypto.hpke import SUITE

    pem = _vector_key_pem()
    pk = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), _hex("pkRm"))
    info = b"bridge-sealed-entry/1"
    sealed = SUITE.encrypt(b"safeguarding concern", pk, info=info)
    enc, ct = bytearray(sealed[:65]), bytearray(sealed[65:])
    assert open_sealed(pem, bytes(enc), bytes(ct), info) == b"safeguarding concern"
    if what == "ct_bit":
        ct[0] ^= 1
    elif what == "tag_bit":
        ct[-1] ^= 0x80
    elif what == "enc_byte":
        enc[64] ^= 1  # almost surely off the curve; either way it must not open
    elif what == "info":
        info = info + b"!"
    elif what == "no_info":
        info = b""
    elif what == "truncated":
        ct = ct[:-1]
    elif what == "other_key":
        pem = generate_private_key_pem()
    with pytest.raises(SealedOpenError):
        open_sealed(pem, bytes(enc), bytes(ct), info)


@pytest.mark.parametrize(
    "enc,ct",
    [
        (b"", b"\x00" * 32),
        (b"\x04" + b"\x00" * 64, b"\x00" * 32),  # not a curve point
        (b"\x02" + b"\x11" * 32, b"\x00" * 32),  # compressed form is not accepted
        (b"\x04" + b"\x11" * 64, b"\x00" * 15),  # shorter than a tag
    ],
)
def test_malformed_inputs_raise_sealed_open_error(enc, ct):
    with pytest.raises(SealedOpenError):
        open_sealed(_vector_key_pem(), enc, ct, b"")


@pytest.mark.parametrize("pem", [b"", b"not a pem", None])
def test_unreadable_key_raises_sealed_open_error(pem):
    with pytest.raises(SealedOpenError):
        open_sealed(pem, _hex("enc"), b"\x00" * 32, b"")


def test_non_p256_key_is_refused():
    other = ec.generate_private_key(ec.SECP384R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    with pytest.raises(SealedOpenError):
        public_key_raw(other)


def test_generated_key_is_p256_pkcs8_pem():
    pem = generate_private_key_pem()
    assert pem.startswith(b"-----BEGIN PRIVATE KEY-----")
    raw = public_key_raw(pem)
    assert len(raw) == 65 and raw[0] == 4
