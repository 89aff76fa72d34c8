"""Settings from the environment (and a `.env` file), plus the test settings."""
import os
from pathlib import Path

from dotenv import load_dotenv


def _bool(name: str, default: bool) -> bool:
    """Read a yes/no environment variable."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    """Read a whole-number environment variable."""
    value = os.environ.get(name)
    return int(value) if value else default


def _names(name: str, default: str) -> frozenset[str]:
    """Read a comma-separated list of names."""
    return frozenset(n.strip() for n in os.environ.get(name, default).split(",") if n.strip())


def _host(url: str) -> str:
    """The host name of a URL (a WebAuthn relying party id)."""
    from urllib.parse import urlsplit

    return urlsplit(url).hostname or "localhost"


def _origin(url: str) -> str:
    """The scheme, host and port of a URL."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def from_environment(instance_path: str) -> dict:
    """Build the settings mapping from the environment, reading `.env` first."""
    load_dotenv(Path.cwd() / ".env")
    instance = Path(instance_path)
    return {
        "SECRET_KEY": os.environ.get("SECRET_KEY"),
        "SQLALCHEMY_DATABASE_URI": os.environ.get(
            "DATABASE_URL", f"sqlite:///{instance / 'bridge.db'}"
        ),
        # Never put bound values (emails, ciphertexts) into exception messages or logs.
        "SQLALCHEMY_ENGINE_OPTIONS": {"hide_parameters": True},
        "DATA_KEYS": os.environ.get("BRIDGE_DATA_KEYS"),
        "DATA_KEY_FILE": os.environ.get("BRIDGE_DATA_KEY_FILE", str(instance / "data-keys.json")),
        "SEALING_KEY_FILE": os.environ.get(
            "BRIDGE_SEALING_KEY_FILE", str(instance / "sealing-keys.json")
        ),
        "SMTP_URL": os.environ.get("SMTP_URL") or None,
        "MAIL_FROM": os.environ.get("MAIL_FROM", "Bridge <bridge@localhost>"),
        "BASE_URL": os.environ.get("BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
        "MAIL_DIR": os.environ.get("BRIDGE_MAIL_DIR", str(instance / "mail")),
        "SESSION_IDLE_MINUTES": _int("SESSION_IDLE_MINUTES", 30),
        "SESSION_ABSOLUTE_HOURS": _int("SESSION_ABSOLUTE_HOURS", 12),
        "SESSION_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", os.environ.get("BASE_URL", "").startswith("https")),
        "HSTS": _bool("HSTS", os.environ.get("BASE_URL", "").startswith("https")),
        # Throttling slows an attacker but never locks the real person out: after a few free failures each
        # further one doubles the wait, up to a short cap; an address is slowed only when it fails on many accounts.
        "LOGIN_FREE_FAILURES": _int("LOGIN_FREE_FAILURES", 3),
        "LOGIN_DELAY_MAX_SECONDS": _int("LOGIN_DELAY_MAX_SECONDS", 60),
        "LOGIN_ADDRESS_ACCOUNTS": _int("LOGIN_ADDRESS_ACCOUNTS", 10),
        "RESET_PER_ACCOUNT_HOUR": _int("RESET_PER_ACCOUNT_HOUR", 3),
        "RESET_PER_ADDRESS_HOUR": _int("RESET_PER_ADDRESS_HOUR", 10),
        "MFA_REQUIRED_ROLES": _names("MFA_REQUIRED_ROLES", "admin,coordinator,social_worker,mentor"),
        "WEBAUTHN_RP_ID": os.environ.get("WEBAUTHN_RP_ID") or _host(os.environ.get("BASE_URL", "http://127.0.0.1:5000")),
        "WEBAUTHN_ORIGIN": os.environ.get("WEBAUTHN_ORIGIN") or _origin(os.environ.get("BASE_URL", "http://127.0.0.1:5000")),
        # Set by bin/run-dev: allows the demo-code command (demo accounts share a published secret).
        "DEVELOPMENT": _bool("BRIDGE_DEVELOPMENT", False),
        "TRUSTED_PROXIES": _int("TRUSTED_PROXIES", 0),
        "ARGON2_TIME_COST": _int("ARGON2_TIME_COST", 3),
        "ARGON2_MEMORY_KIB": _int("ARGON2_MEMORY_KIB", 65536),
        "WORKER_WAKE": _bool("BRIDGE_WORKER_WAKE", True),
        # Kill switch: serve a service worker that clears its caches and unregisters itself.
        "SW_KILL": _bool("BRIDGE_SW_KILL", False),
        "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
    }


def for_tests(instance_path: str, database_url: str) -> dict:
    """Settings for the test suite: a throwaway instance folder and fast hashing."""
    settings = from_environment(instance_path)
    settings.update(
        TESTING=True,
        SECRET_KEY="test-secret-key",
        SQLALCHEMY_DATABASE_URI=database_url,
        DATA_KEYS=None,
        SMTP_URL=None,
        BASE_URL="http://bridge.test",
        WEBAUTHN_RP_ID="bridge.test",
        WEBAUTHN_ORIGIN="http://bridge.test",
        # OWASP's argon2id floor is m=19 MiB, t=2; tests use it so the suite stays quick.
        ARGON2_TIME_COST=2,
        ARGON2_MEMORY_KIB=19456,
        WORKER_WAKE=False,
    )
    return settings
