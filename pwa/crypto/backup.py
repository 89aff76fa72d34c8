"""Backup files: a database snapshot encrypted to the backup public key, in authenticated chunks.

A file reads `BRIDGE-BACKUP 1\\n`, one line of header JSON, then chunks (a 4-byte big-endian length and
an AES-256-GCM ciphertext of up to 1 MiB). The file key is random per backup and sealed with HPKE
(RFC 9180 base mode: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-256-GCM) to the backup public key,
so a server that writes backups holds only the public half; the private key, kept off the servers,
opens them. A chunk's nonce is its counter and a last-chunk flag and the header is every chunk's
associated data, so an edited, reordered, dropped or truncated chunk, or an edited header, never opens.
The backup key is neither the data key nor the sealing key, and none of them is in the snapshot.
"""
import base64
import hashlib
import json
import os
import struct
from collections.abc import Iterator
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hpke import AEAD, KDF, KEM, Suite

MAGIC = b"BRIDGE-BACKUP 1\n"
CHUNK = 1 << 20
INFO = b"bridge backup v1"
SUITE = Suite(KEM.X25519, KDF.HKDF_SHA256, AEAD.AES_256_GCM)
MAX_HEADER = 64 * 1024


class BackupError(Exception):
    """A backup key or file is unreadable, not for this key, damaged or truncated."""


def new_key_pair() -> tuple[bytes, bytes]:
    """A fresh backup key pair as (private PKCS#8 PEM, public SubjectPublicKeyInfo PEM)."""
    key = X25519PrivateKey.generate()
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    public = key.public_key().public_bytes(serialization.Encoding.PEM,
                                           serialization.PublicFormat.SubjectPublicKeyInfo)
    return private, public


def load_public(pem: bytes) -> X25519PublicKey:
    """Read a backup public key; BackupError if it is not an X25519 public key."""
    try:
        key = serialization.load_pem_public_key(pem)
    except ValueError as exc:
        raise BackupError("the backup public key is not a readable PEM public key") from exc
    if not isinstance(key, X25519PublicKey):
        raise BackupError("the backup public key is not an X25519 key")
    return key


def load_private(pem: bytes) -> X25519PrivateKey:
    """Read a backup private key; BackupError if it is not an X25519 private key."""
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError) as exc:
        raise BackupError("the backup private key is not a readable PEM private key") from exc
    if not isinstance(key, X25519PrivateKey):
        raise BackupError("the backup private key is not an X25519 key")
    return key


def fingerprint(public: X25519PublicKey) -> str:
    """A short name for a backup key pair: the first 16 hex digits of its public key's SHA-256."""
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def _nonce(counter: int, last: bool) -> bytes:
    return counter.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


class Writer:
    """Encrypt a stream of snapshot bytes into a backup file; `close()` seals the last chunk."""

    def __init__(self, out: BinaryIO, public: X25519PublicKey, meta: dict) -> None:
        file_key = AESGCM.generate_key(bit_length=256)
        sealed = SUITE.encrypt(file_key, public, info=INFO)
        header = dict(meta, format=1, key=fingerprint(public), sealed_key=base64.b64encode(sealed).decode())
        self._ad = MAGIC + json.dumps(header, sort_keys=True).encode() + b"\n"
        self._aead, self._out, self._buffer, self._counter = AESGCM(file_key), out, bytearray(), 0
        out.write(self._ad)

    def write(self, data: bytes) -> None:
        """Add snapshot bytes; full chunks are encrypted as soon as a later byte shows they are not last."""
        self._buffer += data
        while len(self._buffer) > CHUNK:
            self._emit(bytes(self._buffer[:CHUNK]), last=False)
            del self._buffer[:CHUNK]

    def close(self) -> None:
        """Encrypt what is left as the last chunk (possibly empty)."""
        self._emit(bytes(self._buffer), last=True)
        self._buffer.clear()

    def _emit(self, plain: bytes, *, last: bool) -> None:
        sealed = self._aead.encrypt(_nonce(self._counter, last), plain, self._ad)
        self._out.write(struct.pack(">I", len(sealed)) + sealed)
        self._counter += 1


def read_header(inp: BinaryIO) -> tuple[dict, bytes]:
    """The header of a backup file (and its bytes, the chunks' associated data)."""
    if inp.read(len(MAGIC)) != MAGIC:
        raise BackupError("this is not a Bridge backup file")
    line = inp.readline(MAX_HEADER)
    try:
        header = json.loads(line)
    except ValueError as exc:
        raise BackupError("the backup header is damaged") from exc
    if not isinstance(header, dict) or header.get("format") != 1 or "sealed_key" not in header:
        raise BackupError("the backup header is damaged")
    return header, MAGIC + line


def _chunks(inp: BinaryIO) -> Iterator[tuple[bytes, bool]]:
    """Each stored chunk, and whether it is the last in the file."""
    pending = inp.read(4)
    while pending:
        if len(pending) < 4:
            raise BackupError("the backup is truncated")
        (size,) = struct.unpack(">I", pending)
        if size > CHUNK + 16:
            raise BackupError("the backup is damaged")
        body = inp.read(size)
        if len(body) < size:
            raise BackupError("the backup is truncated")
        pending = inp.read(4)
        yield body, not pending


def open_stream(inp: BinaryIO, private: X25519PrivateKey) -> tuple[dict, Iterator[bytes]]:
    """Check the key and return the header and the snapshot's bytes, chunk by authenticated chunk."""
    header, ad = read_header(inp)
    mine = fingerprint(private.public_key())
    if header.get("key") != mine:
        raise BackupError(f"this backup was encrypted to backup key {header.get('key')}, not to {mine}")
    try:
        file_key = SUITE.decrypt(base64.b64decode(header["sealed_key"]), private, info=INFO)
    except (InvalidTag, ValueError) as exc:
        raise BackupError("the backup's file key does not open with this private key") from exc
    return header, _plain(inp, AESGCM(file_key), ad)


def _plain(inp: BinaryIO, aead: AESGCM, ad: bytes) -> Iterator[bytes]:
    counter, ended = 0, False
    for body, last in _chunks(inp):
        try:
            yield aead.decrypt(_nonce(counter, last), body, ad)
        except InvalidTag as exc:
            raise BackupError(f"the backup is damaged or truncated (chunk {counter} does not open)") from exc
        counter, ended = counter + 1, last
    if not ended:
        raise BackupError("the backup is truncated (no last chunk)")


def write_private_file(path: str, data: bytes) -> None:
    """Write a file readable by its owner only, refusing to replace one."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
