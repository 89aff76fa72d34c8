"""Engine settings per database, and a query counter for tests and the benchmark."""
import sqlalchemy as sa
from flask import g, has_request_context, request
from sqlalchemy import event


def configure_engine(engine: sa.Engine) -> None:
    """Tune SQLite for a web server; count queries on every engine."""
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
    event.listen(engine, "before_cursor_execute", _count)


def _sqlite_begin(conn) -> None:
    """Reads of a GET run without the write lock; everything else takes it up front.

    Under WAL a deferred transaction that later writes fails at once if another
    writer committed meanwhile, so any transaction that may write starts
    IMMEDIATE. A GET's only writes (its audit rows) are committed separately
    at the end of the request, after its reads (see pwa.core.requests).
    """
    read_only = has_request_context() and request.method in ("GET", "HEAD") and not g.get("writing")
    conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def _sqlite_connect(dbapi_connection, record) -> None:
    dbapi_connection.isolation_level = None  # SQLAlchemy's begin hook issues BEGIN
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


def _count(conn, cursor, statement, parameters, context, executemany) -> None:
    if has_request_context():
        g.query_count = g.get("query_count", 0) + 1


def query_count() -> int:
    """Queries run so far in this request."""
    return g.get("query_count", 0)
