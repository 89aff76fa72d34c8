"""Development secrets kept in the instance folder, owner-readable only."""
import os
import secrets
from pathlib import Path


def development_secret_key(instance: Path) -> str:
    """Read or create instance/secret-key (mode 0600) for a development run."""
    path = instance / "secret-key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(48))
    return path.read_text().strip()
