"""Serve the app with gunicorn on loopback, and talk to it over plain HTTP."""
import gzip
import http.client
import re
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from bench.dataset import ROOT, RUN

COOKIE = "bridge_session"
BENCH_ONLY_HEADERS = {"x-query-count"}  # added for the benchmark; production responses lack it


@dataclass
class Response:
    """One HTTP answer with its headers as sent."""

    status: int
    reason: str
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        """The first header of that name."""
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)

    def gzipped_size(self) -> int:
        """Bytes on the wire if the body were sent gzipped (level 6): status line, headers and body.

        The headers are the ones the app sent, with Content-Length for the gzipped body and a
        Content-Encoding line added, minus the benchmark's own X-Query-Count.
        """
        body = gzip.compress(self.body, compresslevel=6, mtime=0)
        lines = [f"HTTP/1.1 {self.status} {self.reason}"]
        for k, v in self.headers:
            if k.lower() == "content-length":
                v = str(len(body))
            if k.lower() not in BENCH_ONLY_HEADERS:
                lines.append(f"{k}: {v}")
        lines.append("Content-Encoding: gzip")
        return len(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")) + len(body)

    def cookie(self, name: str = COOKIE) -> str | None:
        """The session token this answer sets, if any."""
        for k, v in self.headers:
            if k.lower() == "set-cookie" and v.startswith(name + "="):
                morsel = SimpleCookie(v).get(name)
                return morsel.value if morsel and morsel.value else None
        return None


class Server:
    """gunicorn bound to 127.0.0.1 on a free port, stopped (by its own pid) on exit.

    `app` is what gunicorn serves (Bridge's benchmark app, or bench.peer's), `cookie` its session cookie.
    """

    def __init__(self, env: dict, name: str, workers: int, worker_class: str = "sync", threads: int = 1,
                 app: str = "bench.app:create_bench_app()", cookie: str = COOKIE):
        self.env, self.name, self.app, self.cookie = env, name, app, cookie
        self.workers, self.worker_class, self.threads = workers, worker_class, threads
        self.port, self.proc, self.log = 0, None, RUN / f"gunicorn-{name}.log"

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> "Server":
        self.port = free_port()
        cmd = [sys.executable, "-m", "gunicorn", self.app, "--chdir", str(ROOT),
               "--bind", f"127.0.0.1:{self.port}", "--workers", str(self.workers),
               "--worker-class", self.worker_class, "--threads", str(self.threads),
               "--log-level", "warning", "--timeout", "60"]
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen(cmd, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        self._wait_ready()
        return self

    def _wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            try:
                if fetch(self.port, "/healthz").status == 200:
                    return
            except OSError:
                time.sleep(0.2)
        tail = self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""
        self.__exit__(None, None, None)
        raise SystemExit(f"bench: gunicorn did not start ({self.log}):\n{tail}")

    def __exit__(self, *exc) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def wait_idle(self, quiet: float = 0.3, limit: float = 120.0) -> None:
        """Wait until the workers stop using CPU: requests a load left queued have finished.

        A sync worker keeps working through connections accepted before wrk stopped, so a
        slow page would otherwise steal time from the next measurement.
        """
        if not Path("/proc/self/stat").exists():
            time.sleep(1.0)
            return
        deadline, last = time.monotonic() + limit, self._worker_cpu_ticks()
        while time.monotonic() < deadline:
            time.sleep(quiet)
            now = self._worker_cpu_ticks()
            if now - last <= 2:  # clock ticks (10 ms each): heartbeats only
                return
            last = now

    def _worker_cpu_ticks(self) -> int:
        """User + system CPU ticks of the master's child processes, from /proc."""
        total = 0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.proc.pid:  # fields[1] is the ppid; [11], [12] utime, stime
                total += int(fields[11]) + int(fields[12])
        return total

    def get(self, path: str, token: str | None = None) -> Response:
        """GET a path (no redirects followed), as a signed-in person when given their token."""
        return fetch(self.port, path, token=token, cookie=self.cookie)

    def login(self, email: str, password: str) -> str:
        """Sign in over HTTP like a browser; return the session token."""
        page = self.get("/login")
        token = page.cookie()
        answer = fetch(self.port, "/login", token=token, method="POST", form={
            "email": email, "password": password, "csrf_token": csrf_token(page.body)})
        signed_in = answer.cookie()
        if answer.status != 302 or not signed_in:
            raise SystemExit(f"bench: sign-in as {email} failed (HTTP {answer.status})")
        return signed_in


def fetch(port: int, path: str, *, token: str | None = None, method: str = "GET", form: dict | None = None,
          timeout: float = 60.0, cookie: str = COOKIE) -> Response:
    """One request with Accept-Encoding: identity, so the body is what the app rendered."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    headers = {"Accept-Encoding": "identity", "Accept": "text/html"}
    if token:
        headers["Cookie"] = f"{cookie}={token}"
    body = None
    if form is not None:
        body = urlencode(form)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        conn.request(method, path, body=body, headers=headers)
        r = conn.getresponse()
        return Response(r.status, r.reason, r.getheaders(), r.read())
    finally:
        conn.close()


def csrf_token(html: bytes) -> str:
    """The CSRF token in a rendered form."""
    found = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', html) or \
        re.search(rb'name="csrf_token" value="([^"]+)"', html)
    if not found:
        raise SystemExit("bench: no CSRF token on the page")
    return found.group(1).decode()


def free_port() -> int:
    """A port free on loopback right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
