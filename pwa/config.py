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


def _float(name: str, default: float) -> float:
    """Read a number of seconds from the environment."""
    value = os.environ.get(name)
    return float(value) if value else default


# The outbox worker's timings (see pwa.outbox.worker): a failed attempt is retried at most
# RETRY_CAP later, an attempt gives up after SMTP_TIMEOUT of silence, the worker looks at
# least every POLL, and a claim it dies holding is free again after LEASE.
WORKER_TIMINGS = {
    "WORKER_LEASE_SECONDS": 20.0,
    "SMTP_TIMEOUT_SECONDS": 5.0,
    "WORKER_POLL_SECONDS": 1.0,
    "WORKER_RETRY_CAP_SECONDS": 20.0,
}


def _outbox_settings() -> dict:
    """The worker's timings, its wake-up port, and the crash tests' fault point."""
    return {
        "WORKER_WAKE_PORT": _int("BRIDGE_WORKER_WAKE_PORT", 0),  # 0: derived from the database URL
        **{name: _float(f"BRIDGE_{name}", default) for name, default in WORKER_TIMINGS.items()},
        # Crash tests only (pwa.outbox.faults): SIGKILL this process at a named point.
        "FAULT": os.environ.get("BRIDGE_FAULT") or None,
    }


def _dev_base_url() -> str:
    """Where `make run` serves (bin/run-dev's BRIDGE_DEV_HOST and BRIDGE_DEV_PORT), for email links."""
    host = os.environ.get("BRIDGE_DEV_HOST") or "127.0.0.1"
    host = "127.0.0.1" if host in ("0.0.0.0", "::") else host  # nosec B104  # a link to this machine, no bind
    return f"http://{host}:{os.environ.get('BRIDGE_DEV_PORT') or 5000}"


def from_environment(instance_path: str) -> dict:
    """Build the settings mapping from the environment, reading `.env` first."""
    load_dotenv(Path.cwd() / ".env")
    instance = Path(instance_path)
    base_url = (os.environ.get("BASE_URL") or _dev_base_url()).rstrip("/")
    return {**_storage_settings(instance), **_mail_settings(instance, base_url), **_account_settings(base_url),
            **_outbox_settings(),
            "TRUSTED_PROXIES": _int("TRUSTED_PROXIES", 0),
            "TIMEZONE": os.environ.get("BRIDGE_TIMEZONE") or "Europe/London",
            # Kill switch: serve a service worker that clears its caches and unregisters itself.
            "SW_KILL": _bool("BRIDGE_SW_KILL", False),
            "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
            **_compression_settings()}


def _compression_settings() -> dict:
    """Compress the app's static files (public, the same for everyone), never pages or JSON.

    A page can hold a CSRF token beside text the visitor chose (a search box): compressing the two
    together lets an attacker who can watch response sizes guess the token a byte at a time (BREACH).
    Scripts, styles and the manifest hold no secret, and they are most of a first load's bytes.
    """
    return {"COMPRESS_MIMETYPES": ["text/css", "text/javascript", "application/javascript",
                                   "application/manifest+json", "image/svg+xml"],
            "COMPRESS_ALGORITHM": ["br", "gzip"], "COMPRESS_LEVEL": 6, "COMPRESS_BR_LEVEL": 5,
            "COMPRESS_MIN_SIZE": 500, "COMPRESS_STREAMS": False}


def _storage_settings(instance: Path) -> dict:
    """The database, the keys and the backups."""
    return {
        # Only an explicit BRIDGE_ENV=development (bin/run-dev, the tests) may invent keys or use demo-code.
        "DEVELOPMENT": os.environ.get("BRIDGE_ENV", "production").strip().lower() == "development",
        "SECRET_KEY": os.environ.get("SECRET_KEY"),
        "SQLALCHEMY_DATABASE_URI": os.environ.get("DATABASE_URL", f"sqlite:///{instance / 'bridge.db'}"),
        # Never put bound values (emails, ciphertexts) into exception messages or logs.
        "SQLALCHEMY_ENGINE_OPTIONS": {"hide_parameters": True},
        "DATA_KEYS": os.environ.get("BRIDGE_DATA_KEYS"),
        "DATA_KEY_FILE": os.environ.get("BRIDGE_DATA_KEY_FILE", str(instance / "data-keys.json")),
        "SEALING_KEY_FILE": os.environ.get("BRIDGE_SEALING_KEY_FILE", str(instance / "sealing-keys.json")),
        # A backup server holds only the public half; the private half is needed to restore.
        "BACKUP_PUBLIC_KEY_FILE": os.environ.get("BRIDGE_BACKUP_PUBLIC_KEY_FILE") or None,
        "BACKUP_PRIVATE_KEY_FILE": os.environ.get("BRIDGE_BACKUP_PRIVATE_KEY_FILE") or None,
        "PG_BINDIR": os.environ.get("BRIDGE_PG_BINDIR") or None,
    }


def _mail_settings(instance: Path, base_url: str) -> dict:
    """Where mail goes and what its links point at."""
    return {
        "SMTP_URL": os.environ.get("SMTP_URL") or None,
        "MAIL_FROM": os.environ.get("MAIL_FROM", "Bridge <bridge@localhost>"),
        "BASE_URL": base_url,
        "MAIL_DIR": os.environ.get("BRIDGE_MAIL_DIR", str(instance / "mail")),
        "WORKER_WAKE": _bool("BRIDGE_WORKER_WAKE", True),
    }


def _account_settings(base_url: str) -> dict:
    """Sessions, cookies, sign-in throttling, the second factor and password hashing."""
    https = os.environ.get("BASE_URL", "").startswith("https")
    return {
        "SESSION_IDLE_MINUTES": _int("SESSION_IDLE_MINUTES", 30),
        "SESSION_ABSOLUTE_HOURS": _int("SESSION_ABSOLUTE_HOURS", 12),
        # A form's CSRF token lives as long as its session (idle and absolute timeouts above): a person who
        # takes an hour over a concern is not refused for it.
        "WTF_CSRF_TIME_LIMIT": None,
        "SESSION_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", https),
        "HSTS": _bool("HSTS", https),
        # Throttling slows an attacker but never locks the real person out: after a few free failures each
        # further one doubles the wait, up to a short cap; an address is slowed only when it fails on many accounts.
        "LOGIN_FREE_FAILURES": _int("LOGIN_FREE_FAILURES", 3),
        "LOGIN_DELAY_MAX_SECONDS": _int("LOGIN_DELAY_MAX_SECONDS", 60),
        "LOGIN_ADDRESS_ACCOUNTS": _int("LOGIN_ADDRESS_ACCOUNTS", 10),
        "RESET_PER_ACCOUNT_HOUR": _int("RESET_PER_ACCOUNT_HOUR", 3),
        "RESET_PER_ADDRESS_HOUR": _int("RESET_PER_ADDRESS_HOUR", 10),
        "MFA_REQUIRED_ROLES": _names("MFA_REQUIRED_ROLES", "admin,coordinator,social_worker,mentor"),
        "WEBAUTHN_RP_ID": os.environ.get("WEBAUTHN_RP_ID") or _host(base_url),
        "WEBAUTHN_ORIGIN": os.environ.get("WEBAUTHN_ORIGIN") or _origin(base_url),
        "ARGON2_TIME_COST": _int("ARGON2_TIME_COST", 3),
        "ARGON2_MEMORY_KIB": _int("ARGON2_MEMORY_KIB", 65536),
    }


def child_environment(**extra: str) -> dict:
    """The environment a helper program (pg_dump, pg_restore) runs in: this process's, plus `extra`."""
    return {**os.environ, **extra}


def for_tests(instance_path: str, database_url: str) -> dict:
    """Settings for the test suite: a throwaway instance folder and fast hashing."""
    settings = from_environment(instance_path)
    settings.update(
        TESTING=True,
        DEVELOPMENT=True,
        SECRET_KEY="test-secret-key",  # nosec B106  # the test suite's throwaway key
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
