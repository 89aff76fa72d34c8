"""`flask db upgrade` builds an empty database, `db check` finds nothing, `db downgrade` undoes it."""
import os
import subprocess
import sys
import uuid
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent


def _fresh_database(database_url: str, tmp_path: Path) -> str:
    if not database_url.startswith("postgresql"):
        return f"sqlite:///{tmp_path / 'fresh.db'}"
    name = f"fresh_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return database_url.rsplit("/", 1)[0] + f"/{name}"


def _flask(url: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, BRIDGE_ENV="development", DATABASE_URL=url, SECRET_KEY="x", BRIDGE_DATA_KEY_FILE=str(tmp_path / "keys.json"))
    return subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "db", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_upgrade_check_downgrade(database_url, tmp_path):
    url = _fresh_database(database_url, tmp_path)
    up = _flask(url, tmp_path, "upgrade")
    assert up.returncode == 0, up.stderr
    check = _flask(url, tmp_path, "check")
    assert check.returncode == 0 and "No new upgrade operations detected" in check.stdout + check.stderr, \
        check.stdout + check.stderr
    down = _flask(url, tmp_path, "downgrade", "base")
    assert down.returncode == 0, down.stderr
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        assert set(sa.inspect(conn).get_table_names()) <= {"alembic_version"}
    engine.dispose()
