"""Seeded benchmark databases: built by the real migrations plus the seeder, cached by a hash.

A new migration does not mean a new seed (16 minutes for the large size): a cached file of the
same seed is migrated, and kept if its schema then matches a fresh migration's.

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
SEEDED = ("bench/seed*.py",)  # what the rows depend on: a change means a fresh seed
HASHED = ("migrations/versions/*.py",)  # and the models' schema (not their methods): _schema(); a change is migrated


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


def seed_key(spec: Spec) -> str:
    """Hash the seeder and the size: what the rows depend on."""
    return _hashed(f"{SEED_VERSION}|{spec!r}", SEEDED)


def cache_key(spec: Spec) -> str:
    """Hash the seed, the migrations and the models' schema: the file this run can serve as it is."""
    return _hashed(seed_key(spec) + _schema(), HASHED)


def _hashed(start: str, patterns: tuple[str, ...]) -> str:
    h = hashlib.sha256(start.encode())
    for pattern in patterns:
        for path in sorted(ROOT.glob(pattern)):
            h.update(path.relative_to(ROOT).as_posix().encode())
            h.update(path.read_bytes())
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
    elif not _migrated(spec, cached, fixtures, secret_key):
        for stale in CACHE.glob(f"{spec.name}-*"):
            stale.unlink()
        _build(spec, cached, fixtures, secret_key)
    served = RUN / f"{spec.name}.db"
    for leftover in (served, served.with_name(served.name + "-wal"), served.with_name(served.name + "-shm")):
        leftover.unlink(missing_ok=True)
    shutil.copyfile(cached, served)
    return Dataset(spec, served, json.loads(fixtures.read_text()))


def _migrated(spec: Spec, target: Path, fixtures: Path, secret_key: str) -> bool:
    """An older cached file of the same seed, brought up to date by the migrations added since (as a
    deployment's database is), if its tables and indexes then match a fresh migration's exactly."""
    older = next((f for f in sorted(CACHE.glob(f"{spec.name}-*.json")) if f.with_suffix(".db").exists()
                  and json.loads(f.read_text()).get("seed_key") == seed_key(spec)), None)
    if older is None:
        return False
    started = time.monotonic()
    work, fresh = (target.with_name(f"{target.stem}.{what}.db") for what in ("migrating", "fresh"))
    try:
        shutil.copyfile(older.with_suffix(".db"), work)
        _run(migrate_command(), app_env(work, secret_key), "migrations of the cached dataset")
        _run(migrate_command(), app_env(fresh, secret_key), "migrations of an empty database")
        if _ddl(work) != _ddl(fresh):
            print(f"dataset {spec.name}: {older.stem} migrated differs from a fresh migration; seeding anew")
            return False
        work.replace(target)
    finally:
        for side in CACHE.glob(f"{target.stem}.*.db*"):  # the working files, their -wal, -shm and .writers
            side.unlink()
    shutil.copyfile(older, fixtures)
    for stale in (p for p in CACHE.glob(f"{spec.name}-*") if p.stem != target.stem):
        stale.unlink()
    print(f"dataset {spec.name}: migrated from {older.stem} in {time.monotonic() - started:.1f}s ({target.name})")
    return True


def _ddl(path: Path) -> list[list[str]]:
    """Each table's and index's definition, its lines in order (a table rebuilt by a migration lists
    the same constraints in another order)."""
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        found = [r[0] for r in conn.execute("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL")]
    conn.close()
    return sorted(sorted(line.strip().rstrip(",").strip() for line in sql.splitlines()) for sql in found)


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
    doc["seed_key"] = seed_key(spec)  # so the next schema change migrates this file instead of seeding anew
    fixtures.write_text(json.dumps(doc, indent=2))
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
