"""The keyring in force for this process, loaded once from the app's settings."""
from pathlib import Path

from pwa.crypto import Keyring, load_key_file, parse_env_keys

_ring: Keyring | None = None


def configure(settings: dict, *, allow_generate: bool) -> Keyring:
    """Load the keyring from the environment or the key file."""
    global _ring
    if settings.get("DATA_KEYS"):
        _ring = parse_env_keys(settings["DATA_KEYS"])
    else:
        _ring = load_key_file(Path(settings["DATA_KEY_FILE"]), create=allow_generate)
    return _ring


def keyring() -> Keyring:
    """Return the configured keyring."""
    if _ring is None:
        raise RuntimeError("keyring not configured: create the app first")
    return _ring
