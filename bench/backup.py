"""Time `backup` and `restore` on a benchmark dataset: `python -m bench.backup [SIZE] [--postgresql URL]`.

SIZE is a bench.seed size (default large: 1,000 families, 100,000 visits). On SQLite the seeded file
is copied and backed up; with --postgresql URL (an empty database) the dataset is seeded there first.
The restore goes into a new, empty database, then `audit verify` runs on the restored copy.
"""
import secrets
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

from bench import dataset
from bench.seed import SIZES

SECRET = "bench-secret-key-0123456789abcdef"


def _timed(cmd: list[str], env: dict, what: str) -> float:
    started = time.monotonic()
    dataset._run(cmd, env, what)
    return time.monotonic() - started


def _flask() -> list[str]:
    flask = Path(sys.executable).with_name("flask")
    return [str(flask) if flask.exists() else sys.executable, *([] if flask.exists() else ["-m", "flask"]),
            "--app", "wsgi"]


def _pg_database(url: str, suffix: str) -> str:
    """A new database beside `url`'s, named with `suffix`; its URL."""
    base = sa.make_url(url)
    name = f"{base.database}_{suffix}"
    engine = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    engine.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def main(argv: list[str]) -> None:
    """Seed (or reuse) a dataset, back it up, restore it into an empty database, verify the chain."""
    size = argv[0] if argv and not argv[0].startswith("--") else "large"
    pg = argv[argv.index("--postgresql") + 1] if "--postgresql" in argv else None
    tmp = Path(tempfile.mkdtemp(prefix="bridge-backup-bench-"))
    from pwa.crypto.keygen import make_backup_key

    make_backup_key(str(tmp / "backup-key.pem"))
    if pg:
        source = _pg_database(pg, "source")
        env = dict(dataset.app_env(tmp / "unused.db", SECRET), DATABASE_URL=source)
        seeded = _timed(_flask() + ["db", "upgrade"], env, "migrations")
        seeded += _timed([sys.executable, "-m", "bench.seed", size, str(tmp / "fixtures.json")], env, "seeding")
        print(f"seeded {size} on PostgreSQL in {seeded:.1f}s")
        target = _pg_database(pg, f"restored_{secrets.token_hex(3)}")
    else:
        [ds] = dataset.prepare([SIZES[size]], SECRET)
        env = dataset.app_env(ds.path, SECRET)
        target = f"sqlite:///{tmp / 'restored.db'}"
    out = tmp / "bench.bridge-backup"
    took = _timed(_flask() + ["backup", str(out), "--public-key", str(tmp / "backup-key.pem.pub")], env, "backup")
    print(f"backup of {size}: {took:.1f}s, {out.stat().st_size / 1e6:.1f} MB")
    restore_env = dict(env, DATABASE_URL=target)
    took = _timed(_flask() + ["restore", str(out), "--private-key", str(tmp / "backup-key.pem")], restore_env,
                  "restore")
    print(f"restore of {size}: {took:.1f}s")
    took = _timed(_flask() + ["audit", "verify"], restore_env, "audit verify")
    print(f"audit verify on the restored copy: passed in {took:.1f}s")


if __name__ == "__main__":
    main(sys.argv[1:])
