"""Engine settings per database, and a query counter for tests and the benchmark."""
import fcntl
import os
import sqlite3
import threading
import time
from contextlib import contextmanager

import sqlalchemy as sa
from flask import g, has_request_context
from sqlalchemy import event


def configure_engine(engine: sa.Engine) -> None:
    """Tune SQLite for a web server; count queries on every engine."""
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
        event.listen(engine, "before_cursor_execute", _sqlite_take_lock)
        for name in ("commit", "rollback"):
            event.listen(engine, name, _gate_open)
        event.listen(engine.pool, "reset", _gate_reset)  # returned to the pool: rolled back without the event
        event.listen(engine.pool, "close", _gate_close)
    if engine.dialect.name == "postgresql":
        event.listen(engine, "connect", _postgresql_connect)
    event.listen(engine, "before_cursor_execute", _count)


# psycopg prepares a statement on the server on its fifth run on a connection, and keeps the last 100 it
# prepared. Planning is a large share of a page on PostgreSQL: the dashboard's 15 statements took 48 ms
# in-process unprepared against 35 ms prepared, the families search 15.8 against 9.1. The benchmark's twenty
# pages alone run 88 distinct statements (a list of ids of another length is another statement), and a
# worker serves every page, so with 100 kept a busy worker would let some go and plan them afresh. A kept
# statement is a parse tree and, once PostgreSQL settles on it, a generic plan: some kilobytes of the
# server's memory per connection.
PREPARED_KEPT = 1000


def _postgresql_connect(dbapi_connection, _record) -> None:
    dbapi_connection.prepared_max = PREPARED_KEPT


BUSY_TIMEOUT_MS = 5000  # a writer waits this long in SQLite for the write lock, then "database is locked"
_READING = "sqlite_reading"  # connection info: the open transaction is a deferred read, not yet holding the lock
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "SAVEPOINT")


def _sqlite_begin(conn) -> None:
    """A request reads without the write lock; its first write takes the lock (see _sqlite_take_lock).

    Outside requests (CLI, worker), and for what a request saves after its commit, a
    transaction takes the write lock up front (BEGIN IMMEDIATE), as anything that may write must:
    under WAL a deferred transaction that later writes fails at once, without waiting, if another
    writer committed meanwhile.
    """
    reading = (has_request_context() and not g.get("writing")) or getattr(_reads_first, "on", False)
    conn.info[_READING] = reading
    if not reading:
        _gate_take(conn)
    conn.exec_driver_sql("BEGIN" if reading else "BEGIN IMMEDIATE")


_reads_first = threading.local()


@contextmanager
def reads_first():
    """Outside a request (the worker), transactions begun in the block read without SQLite's write lock.

    As in a request, the first write then takes the lock. For long reads (drawing a report pack),
    which would otherwise hold every writer back for as long as they take.
    """
    _reads_first.on = True
    try:
        yield
    finally:
        _reads_first.on = False


def _sqlite_take_lock(conn, cursor, statement, parameters, context, executemany) -> None:
    """Before a request's first write (or locking read), end its read transaction and BEGIN IMMEDIATE.

    So a POST reads and validates holding no lock, and holds the write lock only from its first
    insert to its commit; BEGIN IMMEDIATE waits for the lock in SQLite (busy_timeout) instead of
    failing as a deferred transaction's upgrade would. What was read before is read-committed, as
    on PostgreSQL: uniqueness races are settled by constraints (pwa.core.idempotency.add_once), and
    the audit chain's head is read after the lock is taken (its SELECT ... FOR UPDATE counts as a write).
    """
    if not conn.info.get(_READING):
        return
    if not (statement.lstrip()[:9].upper().startswith(_WRITES) or _locks(context)):
        return
    conn.info[_READING] = False
    raw = cursor.connection
    raw.execute("COMMIT")
    try:
        _gate_take(conn)
        raw.execute("BEGIN IMMEDIATE")
    except raw.OperationalError as exc:  # still locked after busy_timeout: as SQLAlchemy raises it elsewhere
        raise sa.exc.OperationalError("BEGIN IMMEDIATE", None, exc) from exc


# The writers' gate: a file lock beside the database that writers of all processes take, in turn, before
# BEGIN IMMEDIATE. SQLite's own wait for its write lock sleeps in steps growing to 100 ms, so under eight
# concurrent posts a writer slept long after the lock was free (visit POST p99 831 ms, 21 posts a second);
# here it retries every fraction of a millisecond. SQLite's lock still decides; the gate only queues.
_GATE = "sqlite_gate"  # connection record info: the open lock file, and whether it is held
_GATE_POLL_S = (0.0002, 0.002)  # first and longest pause between tries


def _gate_take(conn) -> None:
    """Wait (up to BUSY_TIMEOUT_MS) for the writers' gate of this connection's database."""
    info = conn.connection.info  # the pooled connection's: it lives as long as the DBAPI connection
    gate = info.get(_GATE)
    if gate is None:
        database = conn.engine.url.database
        if not database or database == ":memory:":
            return
        gate = info[_GATE] = {"fd": os.open(f"{database}.writers", os.O_RDWR | os.O_CREAT, 0o600), "held": False}
    if gate["held"]:
        return
    deadline, pause = time.monotonic() + BUSY_TIMEOUT_MS / 1000, _GATE_POLL_S[0]
    while True:
        try:
            fcntl.flock(gate["fd"], fcntl.LOCK_EX | fcntl.LOCK_NB)
            gate["held"] = True
            return
        except BlockingIOError:
            if time.monotonic() > deadline:  # as SQLite itself would report it (pwa.core.errors: "busy")
                raise sa.exc.OperationalError("BEGIN IMMEDIATE", None,
                                              sqlite3.OperationalError("database is locked")) from None
            time.sleep(pause)
            pause = min(pause * 2, _GATE_POLL_S[1])


def _gate_open(conn) -> None:
    """The transaction ends (commit or rollback): the next writer may go."""
    _gate_release(conn.connection.info)


def _gate_release(info) -> None:
    gate = info.get(_GATE)
    if gate and gate["held"]:
        fcntl.flock(gate["fd"], fcntl.LOCK_UN)
        gate["held"] = False


def _gate_reset(dbapi_connection, connection_record, reset_state) -> None:
    _gate_release(connection_record.info)


def _gate_close(dbapi_connection, connection_record) -> None:
    info = connection_record.info
    _gate_release(info)
    gate = info.pop(_GATE, None)
    if gate:
        os.close(gate["fd"])


def _locks(context) -> bool:
    """A SELECT ... FOR UPDATE (SQLite drops the clause; the write lock stands in for it)."""
    compiled = getattr(context, "compiled", None)
    return getattr(getattr(compiled, "statement", None), "_for_update_arg", None) is not None


def _sqlite_connect(dbapi_connection, record) -> None:
    dbapi_connection.isolation_level = None  # SQLAlchemy's begin hook issues BEGIN
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cur.close()


def _count(conn, cursor, statement, parameters, context, executemany) -> None:
    if has_request_context():
        g.query_count = g.get("query_count", 0) + 1


def query_count() -> int:
    """Queries run so far in this request."""
    return g.get("query_count", 0)


def columns(statement: sa.Select, parameters: dict | None = None) -> sa.CursorResult:
    """Run a select of plain columns on the session's connection, past the ORM: rows as tuples.

    No entity is loaded and nothing is flushed first, so a long list of figures costs only the
    database's work and the columns' own conversions (the ORM path added a third for 20,000 rows).
    """
    from pwa.core.extensions import db

    return db.session.connection().execute(statement, parameters)
