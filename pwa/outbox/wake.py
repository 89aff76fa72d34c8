"""Waking the outbox worker the moment a commit queues urgent mail, instead of at its next poll.

PostgreSQL: `NOTIFY bridge_outbox` inside the transaction, so it is delivered
only if the transaction commits, to every listening worker on any host.
SQLite (one host): a UDP datagram to a loopback port, sent after the commit.
A lost wake-up costs at most one poll interval: the rows are committed first,
and the worker polls every second whatever happens.
"""
from __future__ import annotations

import logging
import select
import socket
import zlib

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from pwa.outbox import faults

log = logging.getLogger("bridge.worker")
CHANNEL = "bridge_outbox"
_FLAG = "bridge_wake_port"


def wake_port(config) -> int:
    """The loopback UDP port SQLite workers listen on: WORKER_WAKE_PORT (BRIDGE_WORKER_WAKE_PORT),
    else one derived from the database URL, so the web and worker of one deployment agree and
    two deployments on one host do not wake each other's workers."""
    chosen = config.get("WORKER_WAKE_PORT")
    if chosen:
        return int(chosen)
    return 40000 + zlib.crc32(str(config.get("SQLALCHEMY_DATABASE_URI", "")).encode()) % 20000


def after_commit(session: Session, config) -> None:
    """Wake the worker once this session's transaction commits (never before, never if it rolls back)."""
    enabled = bool(config.get("WORKER_WAKE"))
    if enabled and session.get_bind().dialect.name == "postgresql":
        session.execute(sa.select(sa.func.pg_notify(CHANNEL, "")))
        session.info[_FLAG] = 0
    else:
        session.info[_FLAG] = wake_port(config) if enabled else 0


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    port = session.info.pop(_FLAG, None)
    if port is None:
        return
    faults.hit("web-after-commit")
    if port:
        send_datagram(port)


@event.listens_for(Session, "after_soft_rollback")
def _rolled_back(session: Session, previous_transaction) -> None:
    if not session.in_transaction():
        session.info.pop(_FLAG, None)


def send_datagram(port: int) -> None:
    """Fire one wake-up datagram at the worker; never blocks, never raises."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.sendto(b"wake", ("127.0.0.1", port))
    except OSError:
        pass


class Waker:
    """The worker's side: sleep until woken or the timeout passes."""

    def __init__(self, engine: sa.Engine, config) -> None:
        self._pg_url = None
        self._conn = None
        self._sock = None
        if engine.dialect.name == "postgresql":
            self._pg_url = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
            self._listen()
        else:
            self._bind(wake_port(config))

    def _listen(self) -> None:
        import psycopg

        try:
            self._conn = psycopg.connect(self._pg_url, autocommit=True)
            self._conn.execute(f"LISTEN {CHANNEL}")
        except psycopg.Error as exc:
            log.warning("cannot LISTEN (%s); polling only until it can", type(exc).__name__)
            self._conn = None

    def _bind(self, port: int) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if hasattr(socket, "SO_REUSEPORT"):  # several workers on one host share the port
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError as exc:
            log.warning("cannot listen for wake-ups on udp/%s (%s); polling only", port, exc.strerror)
            sock.close()
            return
        sock.setblocking(False)
        self._sock = sock

    def wait(self, timeout: float) -> bool:
        """Block up to `timeout` seconds; True if woken early."""
        timeout = max(0.0, timeout)
        if self._sock is not None:
            ready, _, _ = select.select([self._sock], [], [], timeout)
            self._drain()
            return bool(ready)
        if self._conn is not None:
            return self._wait_notify(timeout)
        if self._pg_url:
            self._listen()
        select.select([], [], [], timeout)
        return False

    def _wait_notify(self, timeout: float) -> bool:
        import psycopg

        try:
            woken = any(True for _ in self._conn.notifies(timeout=timeout, stop_after=1))
            while any(True for _ in self._conn.notifies(timeout=0, stop_after=1)):
                pass  # drain the rest: one delivery pass serves them all
            return woken
        except psycopg.Error:
            log.warning("LISTEN connection lost; reconnecting")
            self._conn.close()
            self._conn = None
            return False

    def _drain(self) -> None:
        while True:
            try:
                self._sock.recv(64)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                return

    def close(self) -> None:
        """Release the socket or connection."""
        if self._sock is not None:
            self._sock.close()
        if self._conn is not None:
            self._conn.close()
