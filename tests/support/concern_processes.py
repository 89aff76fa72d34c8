"""Real processes for the crash tests: the worker and a gunicorn web server, plus a tiny HTTP client.

Each process runs the real entry point (`python -m flask --app wsgi worker`,
`gunicorn wsgi:app`) against the test database, key file and SMTP server.
`BRIDGE_FAULT` (see pwa/outbox/faults.py) makes a process SIGKILL itself at a named point.
"""
from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

from tests.support.smtp_server import SMTPTestServer, _Handler, _SMTP

ROOT = Path(__file__).resolve().parents[2]


def free_port(kind=socket.SOCK_STREAM) -> int:
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def process_env(app, smtp_url: str | None, tmp: Path, **extra) -> dict:
    """The environment of a Bridge process sharing the test app's database and keys."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BRIDGE_", "SMTP_", "DATABASE_"))}
    env.update(
        PYTHONPATH=str(ROOT), DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"], SECRET_KEY="test-secret-key",
        BRIDGE_DATA_KEY_FILE=app.config["DATA_KEY_FILE"], BRIDGE_SEALING_KEY_FILE=str(tmp / "sealing-keys.json"),
        BRIDGE_MAIL_DIR=str(tmp / "mail"), BASE_URL="http://bridge.test", BRIDGE_WORKER_LEASE_SECONDS="2",
        BRIDGE_SMTP_TIMEOUT_SECONDS="1", BRIDGE_WORKER_POLL_SECONDS="0.25", PYTHONUNBUFFERED="1")
    if smtp_url:
        env["SMTP_URL"] = smtp_url
    env.update({k: str(v) for k, v in extra.items()})
    return env


class Process:
    """A child process with its output in a log file; always killed at the end."""

    def __init__(self, args: list[str], env: dict, tmp: Path, name: str) -> None:
        self.log = tmp / f"{name}-{time.monotonic_ns()}.log"
        self._out = self.log.open("wb")
        self.proc = subprocess.Popen(args, env=env, cwd=tmp, stdout=self._out, stderr=subprocess.STDOUT,
                                     start_new_session=True)

    def wait(self, timeout: float) -> int:
        """Wait for the process to end; its return code (-9 after SIGKILL)."""
        try:
            return self.proc.wait(timeout)
        finally:
            self._out.flush()

    def kill(self) -> None:
        """SIGKILL the whole process group (gunicorn's arbiter and its workers too)."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)
        self._out.close()

    def output(self) -> str:
        self._out.flush()
        return self.log.read_text(errors="replace")


def start_worker(app, smtp_url, tmp: Path, **extra) -> Process:
    """`flask --app wsgi worker` against the test database."""
    return Process([sys.executable, "-m", "flask", "--app", "wsgi", "worker"],
                   process_env(app, smtp_url, tmp, **extra), tmp, "worker")


def start_web(app, port: int, tmp: Path, **extra) -> Process:
    """gunicorn with one sync worker; its arbiter starts a new worker when one is killed."""
    args = [sys.executable, "-m", "gunicorn", "-w", "1", "-b", f"127.0.0.1:{port}", "--graceful-timeout", "1",
            "wsgi:app"]
    return Process(args, process_env(app, None, tmp, **extra), tmp, "web")


class Browser:
    """Just enough of a browser: a session cookie, CSRF tokens, form posts, no redirects followed."""

    def __init__(self, port: int) -> None:
        self.port, self.cookie = port, ""

    def request(self, method: str, path: str, fields=None, timeout: float = 10.0):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        headers = {"Cookie": self.cookie} if self.cookie else {}
        body = None
        if fields is not None:
            body = urlencode(fields, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=headers)
            resp = conn.getresponse()
            text = resp.read().decode("utf-8", "replace")
        finally:
            conn.close()
        found = re.search(r"bridge_session=([^;]+)", resp.getheader("Set-Cookie") or "")
        if found:
            self.cookie = f"bridge_session={found.group(1)}"
        return resp.status, text

    def wait_up(self, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if self.request("GET", "/healthz", timeout=2)[0] == 200:
                    return
            except OSError:
                time.sleep(0.1)
        raise AssertionError("web server did not come up")

    def token(self, path: str) -> str:
        status, text = self.request("GET", path)
        match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', text)
        assert match, f"no CSRF token on {path} ({status})"
        return match.group(1)

    def login(self, email: str, password: str) -> None:
        status, _ = self.request("POST", "/login", {"email": email, "password": password,
                                                    "csrf_token": self.token("/login")})
        assert status == 302, status
        from tests.support import mfa as mfa_support

        status, _ = self.request("POST", "/account/mfa/verify", {
            "code": mfa_support.code_for(email, real_time=True), "csrf_token": self.token("/account/mfa/verify")})
        assert status == 302, status


class _WatchingHandler(_Handler):
    async def handle_DATA(self, server, session, envelope):
        self.owner.in_data.set()
        return await super().handle_DATA(server, session, envelope)


class WatchedSMTPServer(SMTPTestServer):
    """The test SMTP server, also signalling (`in_data`) when a client has sent its message data."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.in_data = threading.Event()

    def _factory(self):
        if self.mode in ("stall", "421-connect"):
            return super()._factory()
        return _SMTP(self, handler=_WatchingHandler(self), hostname="smtp.test", ident="Bridge test SMTP",
                     auth_require_tls=False, authenticator=self._authenticate, loop=self._loop)
