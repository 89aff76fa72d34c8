"""A keyed blind index: find a family by a name without storing or sending the name in clear.

Family names and children's first names are encrypted at rest with a random nonce, so the
database cannot compare them. Beside the ciphertext we store, per family, a set of *tokens*:
HMAC-SHA256 (truncated to 16 bytes) of every normalised word of its names and of each
prefix of that word from MIN_PREFIX to MAX_PREFIX characters. A search normalises what was
typed the same way, computes the same HMACs and looks them up by an index: one indexed
query, whatever the number of families, and neither the names nor the query ever reach SQL.

Normalising: Unicode NFKD, combining marks dropped, case folded, split on anything that is
not a letter or digit ("Zoë O'Brien" -> "zoe", "o", "brien", and joined "obrien"), so search
is case- and accent-insensitive and matches the start of any word ("bri" and "o'b" find O'Brien).

The HMAC key is derived (HKDF-SHA256) from the *current* data key, so it lives only where the
data keys live (environment or key file), never in the database. Rotating the data key
changes the index key: `keys rotate` rebuilds every token (pwa/crypto/rotation.py). Between
adding a key to BRIDGE_DATA_KEYS and running `keys rotate --reencrypt-only`, searches by
name find nothing (references still match); run the command straight after the restart.

The trade-off, written down. What someone holding a copy of the database (but not the keys)
learns from the tokens:
- equality: which families share a word or a prefix (two "Smith" families have the same
  token set for that word; families whose names start with the same two letters share the
  two-letter token). With outside knowledge of common names, token frequencies allow a
  guess at the most common words or first letters;
- rough length: the number of tokens per family grows with the length and number of words
  (capped at MAX_PREFIX characters per word), and the count of children's names shows.
They do not learn any name, letter or word directly: without the key no guess can be
checked, and tokens are not linked to the child or field they came from. Someone who also
holds the data keys can test guesses offline — but they can decrypt the names anyway.
A plain unencrypted name column or a deterministic encryption would leak far more (the
whole value, or exact equality of whole names across every table); decrypting every name
in Python on each search keeps nothing extra but costs O(families) per keystroke.
"""
import hashlib
import hmac
import re
import unicodedata

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

MIN_PREFIX = 2  # one letter would match half the caseload and leak first letters outright
MAX_PREFIX = 12  # longer words are indexed by their first 12 characters (and searched so)
DIGEST_BYTES = 16
_INFO = b"bridge blind index v1"
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_JOINERS = re.compile(r"['\u2019\u02bc-]")  # O'Brien, O’Brien, Smith-Jones: indexed split and joined


def normalise(text: str) -> list[str]:
    """Lower-case, accent-free words of a text, in order."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    return _WORD.findall(bare)


def index_terms(texts) -> set[str]:
    """Every word and word prefix (MIN_PREFIX..MAX_PREFIX characters) to index for these texts."""
    terms = set()
    for text in texts:
        for word in {*normalise(text), *normalise(_JOINERS.sub("", text or ""))}:
            word = word[:MAX_PREFIX]
            terms.update(word[:n] for n in range(MIN_PREFIX, len(word) + 1))  # none for a one-letter word
    return terms


def query_terms(text: str) -> list[str]:
    """The terms a search looks up: each typed word (cut to MAX_PREFIX), long enough to index."""
    words = [w[:MAX_PREFIX] for w in normalise(_JOINERS.sub("", text or ""))]
    return sorted({w for w in words if len(w) >= MIN_PREFIX})


def derive_key(data_key: bytes) -> bytes:
    """The index key, derived from a data key so that it is never stored anywhere else."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(data_key)


class BlindIndex:
    """HMACs of terms under one derived key."""

    def __init__(self, data_key: bytes):
        self._key = derive_key(data_key)

    def digest(self, term: str) -> bytes:
        """The stored token of one normalised term."""
        return hmac.new(self._key, term.encode(), hashlib.sha256).digest()[:DIGEST_BYTES]

    def tokens(self, texts) -> set[bytes]:
        """The tokens to store for a family's names."""
        return {self.digest(t) for t in index_terms(texts)}

    def query(self, text: str) -> list[bytes]:
        """The tokens a search must all find (one per typed word)."""
        return [self.digest(t) for t in query_terms(text)]


_cache: dict[bytes, BlindIndex] = {}


def for_keyring(ring) -> BlindIndex:
    """The blind index under the keyring's current data key."""
    key = ring.keys[ring.current]
    index = _cache.get(key)
    if index is None:
        index = _cache[key] = BlindIndex(key)
    return index
