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


def from_environment(instance_path: str) -> dict:
    """Build the settings mapping from the environment, reading `.env` first."""
    load_dotenv(Path.cwd() / ".env")
    instance = Path(instance_path)
    return {
        # Only an explicit BRIDGE_ENV=development (bin/run-dev, the tests) may invent keys.
        "DEVELOPMENT": os.environ.get("BRIDGE_ENV", "production").strip().lower() == "development",
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
        # A backup server holds only the public half; the private half is needed to restore.
        "BACKUP_PUBLIC_KEY_FILE": os.environ.get("BRIDGE_BACKUP_PUBLIC_KEY_FILE") or None,
        "BACKUP_PRIVATE_KEY_FILE": os.environ.get("BRIDGE_BACKUP_PRIVATE_KEY_FILE") or None,
        "PG_BINDIR": os.environ.get("BRIDGE_PG_BINDIR") or None,
        "SMTP_URL": os.environ.get("SMTP_URL") or None,
        "MAIL_FROM": os.environ.get("MAIL_FROM", "Bridge <bridge@localhost>"),
        "BASE_URL": os.environ.get("BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
        "MAIL_DIR": os.environ.get("BRIDGE_MAIL_DIR", str(instance / "mail")),
        "SESSION_IDLE_MINUTES": _int("SESSION_IDLE_MINUTES", 30),
        "SESSION_ABSOLUTE_HOURS": _int("SESSION_ABSOLUTE_HOURS", 12),
        "SESSION_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", os.environ.get("BASE_URL", "").startswith("https")),
        "HSTS": _bool("HSTS", os.environ.get("BASE_URL", "").startswith("https")),
        "LOGIN_MAX_FAILURES_ACCOUNT": _int("LOGIN_MAX_FAILURES_ACCOUNT", 5),
        "LOGIN_MAX_FAILURES_ADDRESS": _int("LOGIN_MAX_FAILURES_ADDRESS", 20),
        "LOGIN_LOCK_MINUTES": _int("LOGIN_LOCK_MINUTES", 15),
        "TRUSTED_PROXIES": _int("TRUSTED_PROXIES", 0),
        "BENCH_HELLO": _bool("BRIDGE_BENCH_HELLO", False),
        "QUERY_COUNT_HEADER": _bool("BRIDGE_QUERY_COUNT_HEADER", False),
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
        DEVELOPMENT=True,
        SECRET_KEY="test-secret-key",  # nosec B106  # the test suite's throwaway key
        SQLALCHEMY_DATABASE_URI=database_url,
        DATA_KEYS=None,
        SMTP_URL=None,
        BASE_URL="http://bridge.test",
        # OWASP's argon2id floor is m=19 MiB, t=2; tests use it so the suite stays quick.
        ARGON2_TIME_COST=2,
        ARGON2_MEMORY_KIB=19456,
        WORKER_WAKE=False,
    )
    return settings
