"""Seeded benchmark databases: built by the real migrations plus the seeder, cached by a hash.

Everything lives under bench/out/ (gitignored): cache/ holds pristine seeded SQLite files
and their data key; run/ holds the copies a run serves (a run writes audit rows and
sessions, so it never serves the cached file itself).
"""
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bench.seed import Spec

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
CACHE = OUT / "cache"
RUN = OUT / "run"
KEY_FILE = CACHE / "data-keys.json"
SEED_VERSION = "1"  # bump to force a re-seed when the seeding changes in a way the hash cannot see
HASHED = ("migrations/versions/*.py", "bench/seed*.py")  # and the models' schema (not their methods): _schema()


@dataclass
class Dataset:
    """A database ready to serve, and who and what the benchmark measures in it."""

    spec: Spec
    path: Path | str  # a SQLite file, or a database URL (bench/pgdata.py)
    fixtures: dict

    @property
    def database(self) -> str:
        return "postgresql" if "://" in str(self.path) else "sqlite"


def app_env(db_path: Path | str, secret_key: str, **overrides) -> dict:
    """The environment for any app process (flask CLI, seeder, gunicorn) on a bench database (file or URL)."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=db_path if "://" in str(db_path) else f"sqlite:///{db_path}",
        BRIDGE_ENV="development",  # the bench invents its keys in bench/out/cache
        BRIDGE_DATA_KEYS="",  # empty beats a .env value: the bench key file is used
        BRIDGE_DATA_KEY_FILE=str(KEY_FILE),
        BRIDGE_SEALING_KEY_FILE=str(CACHE / "sealing-keys.json"),
        BRIDGE_MAIL_DIR=str(RUN / "mail"),
        SMTP_URL="",
        SECRET_KEY=secret_key,
        MFA_REQUIRED_ROLES="",  # the benchmark measures pages, not the second step of signing in
    )
    env.update(overrides)
    return env


def _schema() -> str:
    """The models' tables and indexes as SQLite DDL: a method added to a model does not change it."""
    from sqlalchemy.dialects import sqlite
    from sqlalchemy.schema import CreateIndex, CreateTable

    import pwa.models  # noqa: F401  (every model's table on the metadata)
    from pwa.models.base import Base

    dialect = sqlite.dialect()
    parts = []
    for table in sorted(Base.metadata.tables.values(), key=lambda t: t.name):
        parts.append(str(CreateTable(table).compile(dialect=dialect)))
        parts.extend(sorted(str(CreateIndex(i).compile(dialect=dialect)) for i in table.indexes))
    return "\n".join(parts)


def cache_key(spec: Spec) -> str:
    """Hash the schema, the migrations, the seeder and the size: any change means a fresh seed."""
    h = hashlib.sha256(f"{SEED_VERSION}|{spec!r}".encode())
    for pattern in HASHED:
        for path in sorted(ROOT.glob(pattern)):
            h.update(path.relative_to(ROOT).as_posix().encode())
            h.update(path.read_bytes())
    h.update(_schema().encode())
    return h.hexdigest()[:16]


def prepare(specs: list[Spec], secret_key: str, reseed: bool = False) -> list[Dataset]:
    """Seeded databases for each size (from the cache when still valid), copied for this run."""
    if reseed or not KEY_FILE.exists():
        shutil.rmtree(CACHE, ignore_errors=True)  # cached databases are useless without their key
    CACHE.mkdir(parents=True, exist_ok=True)
    RUN.mkdir(parents=True, exist_ok=True)
    return [_prepare_one(spec, secret_key) for spec in specs]


def _prepare_one(spec: Spec, secret_key: str) -> Dataset:
    cached = CACHE / f"{spec.name}-{cache_key(spec)}.db"
    fixtures = cached.with_suffix(".json")
    if cached.exists() and fixtures.exists():
        print(f"dataset {spec.name}: cached ({cached.name})")
    else:
        for stale in CACHE.glob(f"{spec.name}-*"):
            stale.unlink()
        _build(spec, cached, fixtures, secret_key)
    served = RUN / f"{spec.name}.db"
    for leftover in (served, served.with_name(served.name + "-wal"), served.with_name(served.name + "-shm")):
        leftover.unlink(missing_ok=True)
    shutil.copyfile(cached, served)
    return Dataset(spec, served, json.loads(fixtures.read_text()))


def _build(spec: Spec, target: Path, fixtures: Path, secret_key: str) -> None:
    """Migrate an empty file with the real CLI, seed it, checkpoint it, then move it into the cache."""
    started = time.monotonic()
    tmp = target.with_name(target.stem + ".building.db")
    for leftover in CACHE.glob(tmp.name + "*"):
        leftover.unlink()
    env = app_env(tmp, secret_key)
    _run(migrate_command(), env, "migrations")
    _run([sys.executable, "-m", "bench.seed", spec.name, str(fixtures)], env, "seeding")
    with sqlite3.connect(tmp) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    tmp.replace(target)
    for side in CACHE.glob(tmp.name + "[-.]*"):  # its -wal, -shm and .writers (the writers' gate)
        side.unlink()
    doc = json.loads(fixtures.read_text())
    tables, columns = doc.get("tables_outside_migrations"), doc.get("columns_outside_migrations")
    note = f"\n  tables not in the migrations yet (made by create_all): {', '.join(tables)}" if tables else ""
    if columns:
        note += f"\n  columns not in the migrations yet: {', '.join(columns)} -> schema rebuilt from the models"
    print(f"dataset {spec.name}: seeded in {time.monotonic() - started:.1f}s ({target.name}){note}")


def migrate_command() -> list[str]:
    """`flask --app wsgi db upgrade` with this interpreter's flask."""
    flask = Path(sys.executable).with_name("flask")
    return ([str(flask)] if flask.exists() else [sys.executable, "-m", "flask"]) + ["--app", "wsgi", "db", "upgrade"]


def _run(cmd: list[str], env: dict, what: str) -> None:
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.stderr.write(done.stdout[-4000:] + done.stderr[-4000:])
        raise SystemExit(f"bench: {what} failed (exit {done.returncode}): {' '.join(cmd)}")
