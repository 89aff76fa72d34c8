"""The WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi ...`."""
from pwa import create_app
from pwa.crypto.runtime import StartupError

try:
    app = create_app()
except StartupError as exc:  # a clear line instead of a traceback, and a non-zero exit
    raise SystemExit(f"Bridge cannot start: {exc}") from None
