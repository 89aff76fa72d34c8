"""The benchmark on PostgreSQL: a throwaway cluster with the seeded datasets copied in.

The cluster is the test suite's (tests/support/pgcluster.py: PostgreSQL 15 on 127.0.0.1 only,
a fresh directory, run as the `postgres` user when root), with more shared buffers. For each
size, a database is built by the real migrations (`flask db upgrade`) and then gets every row
of the seeded SQLite file by COPY (psycopg), in the order of the foreign keys; the sequences
are moved past the copied ids and the tables analysed. Same rows, same ids, same ciphertexts,
same fixtures as on SQLite. The database is then kept as a pg_dump file beside the SQLite one
(bench/out/cache/<size>-<hash>.pgdump, the same hash), which later runs pg_restore.

    with Cluster() as cluster:
        datasets = prepare(cluster, sqlite_datasets, secret_key)   # Dataset.path is then a URL
"""
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from bench import dataset
from bench.dataset import CACHE, ROOT, Dataset

sys.path.insert(0, str(ROOT))
from tests.support.pgcluster import PostgresCluster  # the suite's cluster, from the repo root

SETTINGS = {"shared_buffers": "256MB", "effective_cache_size": "1GB", "work_mem": "16MB",
            "max_connections": "200"}  # the suite's 32 MB would not hold the 100,000-visit dataset
SKIP_TABLES = {"alembic_version"}  # the migrations wrote it


class Cluster(PostgresCluster):
    """The test suite's throwaway cluster, tuned for a dataset that should fit in memory."""

    def __init__(self):
        super().__init__(dbname="bench_peer")

    def _write_conf(self) -> None:
        super()._write_conf()
        with open(os.path.join(self.datadir, "postgresql.auto.conf"), "a", encoding="utf-8") as f:
            f.writelines(f"{k} = {v}\n" for k, v in SETTINGS.items())

    def __enter__(self) -> "Cluster":
        self.start()
        return self

    def url_for(self, dbname: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{dbname}"

    def create_database(self, dbname: str) -> str:
        """A new empty database; its SQLAlchemy URL."""
        with self._connect("postgres") as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{dbname}"')
            conn.execute(f"CREATE DATABASE \"{dbname}\" ENCODING 'UTF8' TEMPLATE template0")
        return self.url_for(dbname)


def prepare(cluster: Cluster, sources: list[Dataset], secret_key: str) -> list[Dataset]:
    """Each SQLite dataset as a PostgreSQL database in the cluster (from the pg_dump cache when valid)."""
    return [_prepare_one(cluster, source, secret_key) for source in sources]


def _prepare_one(cluster: Cluster, source: Dataset, secret_key: str) -> Dataset:
    started = time.monotonic()
    name = f"bench_{source.spec.name}"
    url = cluster.create_database(name)
    dump = CACHE / f"{source.spec.name}-{dataset.cache_key(source.spec)}.pgdump"
    if dump.exists():
        _tool("pg_restore", "--no-owner", "--jobs=2", f"--dbname={_libpq(cluster, name)}", str(dump))
        how = f"restored from {dump.name}"
    else:
        for stale in CACHE.glob(f"{source.spec.name}-*.pgdump"):
            stale.unlink()
        env = dataset.app_env(url, secret_key)
        dataset._run(dataset.migrate_command(), env, "migrations on PostgreSQL")
        dataset._run([sys.executable, "-m", "bench.pgdata"], env, "schema beyond the migrations")
        # From the seeded file in the cache, not the copy the SQLite run served (its posts and prepared packs).
        copied = copy_rows(CACHE / f"{source.spec.name}-{dataset.cache_key(source.spec)}.db", _libpq(cluster, name))
        _tool("pg_dump", "--format=custom", "--compress=1", f"--file={dump}.part", _libpq(cluster, name))
        Path(f"{dump}.part").replace(dump)
        how = f"migrated, {copied:,} rows copied from SQLite, cached as {dump.name}"
    with cluster._connect(name) as conn:
        conn.execute("ANALYZE")
    print(f"dataset {source.spec.name} on PostgreSQL: {how} in {time.monotonic() - started:.1f}s", flush=True)
    return Dataset(source.spec, url, source.fixtures)


def copy_rows(sqlite_path: Path, conninfo: str) -> int:
    """COPY every table's rows from the SQLite file into the migrated PostgreSQL database; rows copied."""
    import psycopg

    source, total = sqlite3.connect(sqlite_path), 0
    try:
        with psycopg.connect(conninfo.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as pg:
            pg.execute("SET session_replication_role = replica")  # foreign keys unchecked while rows arrive
            for table in _tables(pg):
                total += _copy_table(source, pg, table)
            _move_sequences(pg)
    finally:
        source.close()
    return total


def _tables(pg) -> list[str]:
    rows = pg.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename").fetchall()
    return [r[0] for r in rows if r[0] not in SKIP_TABLES]


def _copy_table(source: sqlite3.Connection, pg, table: str) -> int:
    """One table: the columns both sides have, every row, by COPY."""
    have = {r[1] for r in source.execute(f'PRAGMA table_info("{table}")')}
    if not have:
        print(f"  {table}: not in the SQLite dataset, left empty")
        return 0
    wanted = [r[0] for r in pg.execute("SELECT column_name FROM information_schema.columns WHERE table_schema = "
                                       "'public' AND table_name = %s ORDER BY ordinal_position", (table,))]
    columns = [c for c in wanted if c in have]
    quoted = ", ".join(f'"{c}"' for c in columns)
    count = 0
    with pg.cursor() as cur, cur.copy(f'COPY "{table}" ({quoted}) FROM STDIN') as copy:
        for row in source.execute(f'SELECT {quoted} FROM "{table}"'):
            copy.write_row(row)
            count += 1
    return count


def _move_sequences(pg) -> None:
    """Every sequence owned by a column starts after the largest copied value."""
    owned = pg.execute(
        "SELECT s.relname, t.relname, a.attname FROM pg_class s JOIN pg_depend d ON d.objid = s.oid "
        "JOIN pg_class t ON d.refobjid = t.oid JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid "
        "WHERE s.relkind = 'S' AND d.deptype IN ('a', 'i')").fetchall()
    for sequence, table, column in owned:
        pg.execute(f"SELECT setval('\"{sequence}\"', COALESCE((SELECT max(\"{column}\") FROM \"{table}\"), 0) + 1, "
                   "false)")


def _libpq(cluster: Cluster, dbname: str) -> str:
    return f"postgresql://postgres@127.0.0.1:{cluster.port}/{dbname}"


def _tool(name: str, *args: str) -> None:
    """pg_dump or pg_restore of the cluster's own version (a client: runs as us, over TCP)."""
    path = os.path.join(cluster_bindir(), name)
    binary = path if os.access(path, os.X_OK) else shutil.which(name)
    if binary is None:
        raise SystemExit(f"bench: {name} not found (Debian package postgresql-client-15)")
    done = subprocess.run([binary, *args], capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"bench: {name} failed (exit {done.returncode}):\n{done.stdout[-2000:]}{done.stderr[-2000:]}")


def cluster_bindir() -> str:
    """Where the client tools of the cluster's major version live."""
    return "/usr/lib/postgresql/15/bin"


def complete_schema() -> None:
    """`python -m bench.pgdata` with DATABASE_URL set: what the seeder's schema has beyond the migrations."""
    from bench.seed import complete_schema as complete
    from pwa import create_app

    with create_app().app_context():
        complete()


if __name__ == "__main__":
    complete_schema()
