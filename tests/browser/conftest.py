"""Shared headless Chromium for browser tests, driven by Python Playwright, and a live server.

Uses the system Chromium (Debian package `chromium`); Playwright's own
browser download is never used. A missing Chromium fails the run: nothing is
skipped.
"""
import os
import socket
import threading

import pytest
from playwright.sync_api import sync_playwright
from werkzeug.serving import WSGIRequestHandler, make_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def playwright_instance():
    """One Playwright driver for the whole session."""
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright_instance):
    """A headless Chromium shared by every browser test in the session."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: browser tests need it "
            "(apt-get install chromium); `playwright install` is not used.",
            pytrace=False,
        )
    browser = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


class _OneRequestPerConnection(WSGIRequestHandler):
    """HTTP/1.0: no kept-alive sockets, so a stopped server really is gone for the browser."""

    protocol_version = "HTTP/1.0"

    def log_request(self, *args, **kwargs):
        """Stay quiet: the tests assert on what the browser shows."""


class LiveServer:
    """The real app on 127.0.0.1 in a thread; stop() and start() keep the port (a server killed and back).

    It records each request's method and path, and can lose the answer to the next request for a path:
    the app runs to the end (and commits) but the connection is cut before a byte of the answer is sent.
    """

    def __init__(self, app):
        self.app = app
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.requests: list[tuple[str, str]] = []
        self.lost: list[tuple[str, bytes]] = []  # (status, body) of the answers cut off
        self._lose: dict[str, object] = {}
        self._server = None

    def __call__(self, environ, start_response):
        path = environ["PATH_INFO"]
        self.requests.append((environ["REQUEST_METHOD"], path))
        then = self._lose.pop(path, None)
        if then is None:
            return self.app(environ, start_response)
        answer = {}
        body = b"".join(self.app(environ, lambda status, headers, exc_info=None: answer.update(status=status)))
        self.lost.append((answer["status"], body))
        environ["werkzeug.socket"].shutdown(socket.SHUT_RDWR)  # the phone hears nothing back
        if callable(then):
            threading.Thread(target=then).start()
        return []

    def lose_next_answer(self, path: str, then=True) -> None:
        """Cut the connection after the app has answered the next request for `path`; then call `then`."""
        self._lose[path] = then

    @property
    def running(self) -> bool:
        """The port is open."""
        return self._server is not None

    def start(self) -> None:
        """Listen again on the same port."""
        if self._server is not None:
            return
        self._server = make_server("127.0.0.1", self.port, self, threaded=True,
                                   request_handler=_OneRequestPerConnection)
        threading.Thread(target=self._server.serve_forever, name="live-server", daemon=True).start()

    def stop(self) -> None:
        """Close the port: the browser and its service worker get 'connection refused'."""
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        self._server = None


@pytest.fixture(scope="session")
def live_server(app):
    """The application served over HTTP on loopback for the whole session (secure context: 127.0.0.1)."""
    server = LiveServer(app)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def live(live_server):
    """The live server, listening again at the start of each test whatever the last one did."""
    live_server.start()
    live_server.app.config["SW_KILL"] = False
    live_server.requests.clear()
    live_server.lost.clear()
    yield live_server
    live_server._lose.clear()
    live_server.start()
    live_server.app.config["SW_KILL"] = False


@pytest.fixture
def context(browser, live):
    """A fresh browser profile (its own service workers, caches and IndexedDB) on a 360-px phone screen."""
    ctx = browser.new_context(viewport={"width": 360, "height": 780}, base_url=live.url)
    ctx.set_default_timeout(10_000)
    yield ctx
    ctx.close()


@pytest.fixture
def phone(context, world):
    """The mentor's phone, signed in, with the shell cached, the sealing key and the snapshot on it; no page errors."""
    from tests.browser.phone import ready_for_offline, sign_in

    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    sign_in(page, world.mentor)
    ready_for_offline(page)
    yield page
    assert page.errors == []
