"""A real SMTP server for tests (aiosmtpd on its own event-loop thread) with fault injection.

Modes (set `server.mode` from the test thread at any time; read per connection/command):
  "accept"       accept everything and record it
  "421"          reply 421 to MAIL FROM (service shutting down)
  "421-connect"  greet with 421 and close the connection
  "451"          accept the envelope, reply 451 after the message data
  "550"          reply 550 to every RCPT TO
  "stall"        accept the TCP connection and never say anything
  "stall-data"   behave normally, then sleep `stall_seconds` before answering the data
Per-recipient replies: `server.refuse["x@example.org"] = "550 5.1.1 no such user"`.
`stop()` closes the port (clients get "connection refused"); `start()` reopens the same port.
"""
from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

MODES = ("accept", "421", "421-connect", "451", "550", "stall", "stall-data")


@dataclass(frozen=True)
class Received:
    """One message the server accepted."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    raw: bytes
    message_id: str | None

    def message(self) -> EmailMessage:
        """Parse the raw bytes into an EmailMessage."""
        return BytesParser(policy=policy.default).parsebytes(self.raw)  # type: ignore[return-value]


class _Handler:
    """aiosmtpd handler whose replies depend on the owning server's mode."""

    def __init__(self, owner: SMTPTestServer) -> None:
        self.owner = owner

    async def handle_MAIL(self, server: SMTP, session: Session, envelope: Envelope,
                          address: str, mail_options: list[str]) -> str:
        if self.owner.mode == "421":
            return "421 4.3.2 Service shutting down, try again later"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope,
                          address: str, rcpt_options: list[str]) -> str:
        if address in self.owner.refuse:
            return self.owner.refuse[address]
        if self.owner.mode == "550":
            return "550 5.1.1 Recipient address rejected: user unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        mode = self.owner.mode
        if mode == "451":
            return "451 4.3.0 Temporary local problem, try again later"
        if mode == "stall-data":
            await asyncio.sleep(self.owner.stall_seconds)
        number = self.owner._record(envelope)
        return f"250 2.0.0 Ok: queued as TEST{number}"


class _Tracked:
    """Mixin: remember live transports so stop() can cut them."""

    owner: SMTPTestServer
    _tracked: asyncio.BaseTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        if self._tracked is None:
            self._tracked = transport
            self.owner._transports.add(transport)
        super().connection_made(transport)  # type: ignore[misc]

    def connection_lost(self, exc: Exception | None) -> None:
        if self._tracked is not None:
            self.owner._transports.discard(self._tracked)
        super().connection_lost(exc)  # type: ignore[misc]


class _SMTP(_Tracked, SMTP):
    """aiosmtpd protocol with transport tracking."""

    def __init__(self, owner: SMTPTestServer, **kwargs: Any) -> None:
        self.owner = owner
        super().__init__(**kwargs)


class _Silent(_Tracked, asyncio.Protocol):
    """Accepts the connection and never answers ("stall")."""

    def __init__(self, owner: SMTPTestServer) -> None:
        self.owner = owner


class _Busy(_Tracked, asyncio.Protocol):
    """Greets with 421 and hangs up ("421-connect")."""

    def __init__(self, owner: SMTPTestServer) -> None:
        self.owner = owner

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        assert isinstance(transport, asyncio.WriteTransport)
        transport.write(b"421 4.3.2 Too busy, try again later\r\n")
        transport.close()


class SMTPTestServer:
    """SMTP server on 127.0.0.1 and a free port, driven from the test thread."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, stall_seconds: float = 30.0) -> None:
        self.host = host
        self.port = port
        self.mode = "accept"
        self.stall_seconds = stall_seconds
        self.refuse: dict[str, str] = {}
        self.logins: list[tuple[str, str]] = []
        self._messages: list[Received] = []
        self._cond = threading.Condition()
        self._transports: set[asyncio.BaseTransport] = set()
        self._server: asyncio.AbstractServer | None = None
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="smtp-test-server", daemon=True)
        self._thread.start()

    # --- control from the test thread -------------------------------------------------
    @property
    def url(self) -> str:
        """smtp:// URL for pwa.outbox.mail.deliver."""
        return f"smtp://{self.host}:{self.port}"

    @property
    def running(self) -> bool:
        """True while the port is listening."""
        return self._server is not None

    def start(self) -> None:
        """Listen (again) on the same port."""
        self._call(self._start())

    def stop(self) -> None:
        """Close the listening port and cut open connections."""
        self._call(self._stop())

    def close(self) -> None:
        """Stop the server and shut the event loop down cleanly."""
        if self._loop.is_closed():
            return
        self.stop()
        self._call(self._cancel_all())
        self._call(self._loop.shutdown_asyncgens())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        # Closed from the server's own thread's loop being stopped; the test thread may
        # itself be inside another running loop (Playwright's), so never run one here.
        self._loop.close()

    @property
    def messages(self) -> list[Received]:
        """A snapshot of the messages received so far."""
        with self._cond:
            return list(self._messages)

    def clear(self) -> None:
        """Forget received messages."""
        with self._cond:
            self._messages.clear()

    def wait_for(self, count: int, timeout: float = 5.0) -> list[Received]:
        """Block until at least `count` messages arrived; AssertionError on timeout."""
        with self._cond:
            if not self._cond.wait_for(lambda: len(self._messages) >= count, timeout):
                raise AssertionError(f"expected {count} message(s) within {timeout}s, got {len(self._messages)}")
            return list(self._messages)

    # --- event-loop side --------------------------------------------------------------
    def _call(self, coro: Coroutine[Any, Any, Any]) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(10)

    async def _start(self) -> None:
        if self._server is None:
            self._server = await self._loop.create_server(self._factory, self.host, self.port)
            self.port = self._server.sockets[0].getsockname()[1]

    async def _stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.close()
        for transport in list(self._transports):
            transport.abort()
        if server is not None:
            await server.wait_closed()
        await asyncio.sleep(0)  # let connection_lost callbacks run

    async def _cancel_all(self) -> None:
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def _factory(self) -> asyncio.BaseProtocol:
        if self.mode == "stall":
            return _Silent(self)
        if self.mode == "421-connect":
            return _Busy(self)
        return _SMTP(self, handler=_Handler(self), hostname="smtp.test", ident="Bridge test SMTP",
                     auth_require_tls=False, authenticator=self._authenticate, loop=self._loop)

    def _authenticate(self, server: SMTP, session: Session, envelope: Envelope,
                      mechanism: str, auth_data: Any) -> AuthResult:
        if isinstance(auth_data, LoginPassword):
            self.logins.append((auth_data.login.decode(), auth_data.password.decode()))
        return AuthResult(success=True)

    def _record(self, envelope: Envelope) -> int:
        raw = envelope.original_content or b""
        if isinstance(raw, str):
            raw = raw.encode()
        parsed = BytesParser(policy=policy.default).parsebytes(raw, headersonly=True)
        message_id = parsed["Message-ID"]
        received = Received(envelope.mail_from or "", tuple(envelope.rcpt_tos), raw,
                            str(message_id) if message_id is not None else None)
        with self._cond:
            self._messages.append(received)
            self._cond.notify_all()
            return len(self._messages)
