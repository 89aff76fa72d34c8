"""Engine settings per database, and a query counter for tests and the benchmark."""
import sqlalchemy as sa
from flask import g, has_request_context
from sqlalchemy import event


def configure_engine(engine: sa.Engine) -> None:
    """Tune SQLite for a web server; count queries on every engine."""
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
        event.listen(engine, "before_cursor_execute", _sqlite_take_lock)
    event.listen(engine, "before_cursor_execute", _count)


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
    reading = has_request_context() and not g.get("writing")
    conn.info[_READING] = reading
    conn.exec_driver_sql("BEGIN" if reading else "BEGIN IMMEDIATE")


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
        raw.execute("BEGIN IMMEDIATE")
    except raw.OperationalError as exc:  # still locked after busy_timeout: as SQLAlchemy raises it elsewhere
        raise sa.exc.OperationalError("BEGIN IMMEDIATE", None, exc) from exc


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
