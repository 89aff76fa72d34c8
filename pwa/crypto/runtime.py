"""The keyring in force for this process, loaded once from the app's settings.

Keys are invented only in development (`BRIDGE_ENV=development`): anywhere else
a missing data or sealing key stops start-up, because a second server that
quietly generated its own keys would split the data between two keyrings.
"""
from pathlib import Path

from pwa.crypto import Keyring, KeyError_, load_key_file, parse_env_keys

_ring: Keyring | None = None

HOW_TO_MAKE_KEYS = ("Make the keys once with `python -m pwa.crypto.keygen` and copy the same files to every "
                    "server, or set BRIDGE_ENV=development on a development machine.")


class StartupError(Exception):
    """The process must not start: a key or secret it needs is missing."""


def configure(settings: dict, *, allow_generate: bool) -> Keyring:
    """Load the keyring from the environment or the key file."""
    global _ring
    if settings.get("DATA_KEYS"):
        _ring = parse_env_keys(settings["DATA_KEYS"])
    else:
        _ring = load_key_file(Path(settings["DATA_KEY_FILE"]), create=allow_generate)
    return _ring


def configure_for_start(settings: dict) -> Keyring:
    """Load the data and sealing keys, generating them only in development."""
    from pwa.crypto import sealing

    develop = bool(settings.get("DEVELOPMENT"))
    try:
        ring = configure(settings, allow_generate=develop and not settings.get("DATA_KEYS"))
        sealing.keys_for(settings)
    except KeyError_ as exc:
        raise StartupError(f"{exc}. {HOW_TO_MAKE_KEYS}") from exc
    return ring


def keyring() -> Keyring:
    """Return the configured keyring."""
    if _ring is None:
        raise RuntimeError("keyring not configured: create the app first")
    return _ring


def missing_keys(settings: dict) -> list[str]:
    """Name the keys this process cannot find now (empty when all are in place)."""
    from pwa.crypto import sealing

    missing = []
    if _ring is None or not _ring.keys or (_ring.source != "environment" and not Path(_ring.source).exists()):
        missing.append("data")
    try:
        sealing.keys_for(settings)
    except (KeyError_, OSError, ValueError):
        missing.append("sealing")
    return missing
