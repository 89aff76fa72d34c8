"""pwa/static/js/hpke.js in real Chromium: RFC 9180 vectors byte for byte,
then browser-sealed payloads opened by pwa/crypto/hpke.py."""
import gzip
import json
import os
from pathlib import Path

import pytest

from pwa.crypto.hpke import SealedOpenError, generate_private_key_pem, open_sealed, public_key_raw

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
HPKE_JS = ROOT / "pwa" / "static" / "js" / "hpke.js"
VECTOR = json.loads((ROOT / "tests" / "data" / "hpke_p256_sha256_aes256gcm.json").read_text())
ORIGIN = "https://bridge.test"

PAGE = """<!doctype html><meta charset="utf-8"><title>hpke</title>
<script>
window.hx = (h) => Uint8Array.from(h.match(/../g) || [], (b) => parseInt(b, 16));
window.xh = (u) => Array.from(u, (b) => b.toString(16).padStart(2, "0")).join("");
</script>"""


def _serve(route):
    path = route.request.url[len(ORIGIN):].split("?")[0]
    if path == "/":
        route.fulfill(status=200, content_type="text/html; charset=utf-8", body=PAGE)
    elif path == "/static/js/hpke.js":
        route.fulfill(status=200, content_type="text/javascript; charset=utf-8", body=HPKE_JS.read_text())
    else:
        route.fulfill(status=404, body="not found")


@pytest.fixture(scope="module")
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    page.route(f"{ORIGIN}/**", _serve)
    page.goto(f"{ORIGIN}/")
    assert page.evaluate("window.isSecureContext") is True
    page.evaluate("async () => { window.hpke = await import('/static/js/hpke.js'); }")
    yield page
    context.close()


def _seal(page, pk: bytes, info: bytes, aad: bytes, pt: bytes) -> tuple[bytes, bytes]:
    out = page.evaluate(
        """async ([pk, info, aad, pt]) => {
            const r = await hpke.seal(hx(pk), hx(info), hx(aad), hx(pt));
            return [xh(r.enc), xh(r.ct)];
        }""",
        [pk.hex(), info.hex(), aad.hex(), pt.hex()],
    )
    return bytes.fromhex(out[0]), bytes.fromhex(out[1])


def test_module_is_small_and_self_contained():
    source = HPKE_JS.read_bytes()
    assert len(gzip.compress(source, 9)) < 4096
    assert b"import " not in source and b"require(" not in source


def test_key_schedule_matches_rfc_vector(page):
    r = page.evaluate(
        """async (v) => {
            const e = v.encryptions[0];
            const r = await hpke.sealWithEphemeral(hx(v.skEm), hx(v.pkEm), hx(v.pkRm),
                hx(v.info), hx(e.aad), hx(e.pt), 0);
            return {enc: xh(r.enc), ct: xh(r.ct), shared_secret: xh(r.sharedSecret),
                    key: xh(r.key), base_nonce: xh(r.baseNonce)};
        }""",
        VECTOR,
    )
    assert r["shared_secret"] == VECTOR["shared_secret"]
    assert r["key"] == VECTOR["key"]
    assert r["base_nonce"] == VECTOR["base_nonce"]
    assert r["enc"] == VECTOR["enc"]
    assert r["ct"] == VECTOR["encryptions"][0]["ct"]


def test_every_vector_encryption_matches_byte_for_byte(page):
    cts = page.evaluate(
        """async (v) => {
            const out = [];
            for (const e of v.encryptions) {
                const r = await hpke.sealWithEphemeral(hx(v.skEm), hx(v.pkEm), hx(v.pkRm),
                    hx(v.info), hx(e.aad), hx(e.pt), e.seq);
                out.push(xh(r.ct));
            }
            return out;
        }""",
        VECTOR,
    )
    expected = [e["ct"] for e in VECTOR["encryptions"]]
    assert [e["seq"] for e in VECTOR["encryptions"]] == list(range(len(expected)))
    assert len(expected) == 257
    assert cts == expected


def test_seal_to_vector_key_opens_in_python_with_skRm(page):
    pem = _pem_from_scalar(VECTOR["skRm"])
    enc, ct = _seal(page, bytes.fromhex(VECTOR["pkRm"]), b"bridge/test", b"", b"hello")
    assert open_sealed(pem, enc, ct, b"bridge/test") == b"hello"


def test_vector_ephemeral_seal_without_aad_opens_in_python(page):
    """The RFC's own key pair, the browser's key schedule, aad empty: opened by cryptography."""
    out = page.evaluate(
        """async (v) => {
            const r = await hpke.sealWithEphemeral(hx(v.skEm), hx(v.pkEm), hx(v.pkRm),
                hx(v.info), new Uint8Array(0), hx(v.encryptions[0].pt), 0);
            return [xh(r.enc), xh(r.ct), xh(r.key)];
        }""",
        VECTOR,
    )
    assert out[0] == VECTOR["enc"] and out[2] == VECTOR["key"]
    pt = open_sealed(_pem_from_scalar(VECTOR["skRm"]), bytes.fromhex(out[0]), bytes.fromhex(out[1]),
                     bytes.fromhex(VECTOR["info"]))
    assert pt == bytes.fromhex(VECTOR["encryptions"][0]["pt"])


def _pem_from_scalar(hex_scalar: str) -> bytes:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.derive_private_key(int(hex_scalar, 16), ec.SECP256R1())
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


@pytest.fixture(scope="module")
def server_key():
    pem = generate_private_key_pem()
    return pem, public_key_raw(pem)


PAYLOADS = {
    "empty": b"",
    "ascii": b"Visit 2024-03-01: all well.",
    "one_byte": b"\x00",
    "block_edge": bytes(range(16)),
    "random_1k": os.urandom(1000),
    "random_100k": os.urandom(100 * 1024),
}


@pytest.mark.parametrize("name", sorted(PAYLOADS))
def test_browser_seal_opens_in_python(page, server_key, name):
    pem, pk = server_key
    pt = PAYLOADS[name]
    info = b"bridge/visit-diary/v1"
    enc, ct = _seal(page, pk, info, b"", pt)
    assert len(enc) == 65 and enc[0] == 4
    assert len(ct) == len(pt) + 16
    assert open_sealed(pem, enc, ct, info) == pt


def test_non_ascii_text_is_utf8_end_to_end(page, server_key):
    pem, pk = server_key
    text = "Zoë’s visit — 安全 ✓ 🚸 Ünïcödé\u00a0\n\ttabs"
    out = page.evaluate(
        """async ([pk, text]) => {
            const te = new TextEncoder();
            const r = await hpke.seal(hx(pk), te.encode("info ✓"), new Uint8Array(0), te.encode(text));
            return [xh(r.enc), xh(r.ct)];
        }""",
        [pk.hex(), text],
    )
    enc, ct = bytes.fromhex(out[0]), bytes.fromhex(out[1])
    assert open_sealed(pem, enc, ct, "info ✓".encode()).decode("utf-8") == text


def test_each_seal_uses_a_fresh_ephemeral_key(page, server_key):
    _, pk = server_key
    a = _seal(page, pk, b"i", b"a", b"same")
    b = _seal(page, pk, b"i", b"a", b"same")
    assert a[0] != b[0] and a[1] != b[1]


@pytest.mark.parametrize(
    "tamper",
    ["ct_first_byte", "tag_last_byte", "truncated", "enc", "sealed_with_aad", "wrong_info", "other_key"],
)
def test_tampered_or_mismatched_seal_fails(page, server_key, tamper):
    pem, pk = server_key
    info, aad = b"bridge/visit-diary/v1", b""
    enc, ct = _seal(page, pk, info, b"visit:42" if tamper == "sealed_with_aad" else aad, b"safeguarding concern")
    enc, ct = bytearray(enc), bytearray(ct)
    if tamper == "ct_first_byte":
        ct[0] ^= 1
    elif tamper == "tag_last_byte":
        ct[-1] ^= 1
    elif tamper == "truncated":
        del ct[-1]
    elif tamper == "enc":
        enc[10] ^= 1
    elif tamper == "wrong_info":
        info = b"bridge/visit-diary/v2"
    elif tamper == "other_key":
        pem = generate_private_key_pem()
    with pytest.raises(SealedOpenError):
        open_sealed(pem, bytes(enc), bytes(ct), info)


@pytest.mark.parametrize(
    "bad_key",
    [
        "",  # empty
        "02" + "11" * 32,  # compressed form
        "04" + "00" * 64,  # not on the curve
        "04" + "11" * 63,  # too short
    ],
)
def test_seal_refuses_a_bad_recipient_key(page, bad_key):
    error = page.evaluate(
        """async (pk) => {
            try { await hpke.seal(hx(pk), new Uint8Array(0), new Uint8Array(0), new Uint8Array(1)); }
            catch (e) { return e.name; }
            return null;
        }""",
        bad_key,
    )
    assert error in {"TypeError", "DataError"}
