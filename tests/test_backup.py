"""Encrypted backups: written by `backup`, opened only with the backup private key, restored by `restore`."""
import io
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from pwa.cli import backup as commands
from pwa.crypto import backup as sealed
from pwa.crypto.keygen import make_backup_key
from pwa.models import AuditEvent, Family, Visit
from tests.support.diary_helpers import make_entries

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def backup_key(tmp_path) -> tuple[Path, Path]:
    private = tmp_path / "backup-key.pem"
    make_backup_key(str(private))
    return private, Path(f"{private}.pub")


@pytest.fixture
def empty_database(app, tmp_path):
    """A new, empty database beside the test one: a file on SQLite, a fresh database on PostgreSQL."""
    url = sa.make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite":
        yield url.set(database=str(tmp_path / "restored.db"))
        return
    name = f"restored_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    yield url.set(database=name)
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


def _flask(app, url: sa.URL, *args: str) -> subprocess.CompletedProcess:
    """Run the real CLI against another database with the test app's keys."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BRIDGE_", "DATABASE_"))}
    env.update(BRIDGE_ENV="development", PYTHONPATH=str(ROOT), SECRET_KEY="test-secret-key",
               DATABASE_URL=url.render_as_string(hide_password=False),
               BRIDGE_DATA_KEY_FILE=app.config["DATA_KEY_FILE"], BRIDGE_SEALING_KEY_FILE=app.config["SEALING_KEY_FILE"])
    return subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def _write(runner, out: Path, public: Path):
    result = runner.invoke(args=["backup", str(out), "--public-key", str(public)])
    assert result.exit_code == 0, result.output
    return result


def test_a_backup_restores_into_an_empty_database_and_reads_a_family_back(app, world, runner, backup_key,
                                                                          empty_database, tmp_path):
    private, public = backup_key
    make_entries(app, world.match, 3, text="Backed-up visit")
    out = tmp_path / "nightly.bridge-backup"
    said = _write(runner, out, public).output
    assert "encrypted to backup key" in said and oct(out.stat().st_mode & 0o777) == "0o600"
    raw = out.read_bytes()
    data_key_file = Path(app.config["DATA_KEY_FILE"]).read_bytes()
    assert b"SQLite format" not in raw and b"PGDMP" not in raw and b"Backed-up visit" not in raw
    assert b"The Own family" not in raw and data_key_file not in raw

    restored = _flask(app, empty_database, "restore", str(out), "--private-key", str(private))
    assert restored.returncode == 0, restored.stderr
    assert "Restored the backup written at" in restored.stdout
    verified = _flask(app, empty_database, "audit", "verify")
    assert verified.returncode == 0 and "audit chain intact" in verified.stdout, verified.stdout + verified.stderr

    engine = sa.create_engine(empty_database)
    try:
        with app.app_context(), Session(engine) as session:
            family = session.get(Family, world.family.id)
            assert family.display_name == "The Own family" and [c.first_name for c in family.children] == ["Amy"]
            notes = sorted(v.what_done for v in session.scalars(sa.select(Visit).where(Visit.family_id == family.id)))
            assert notes == ["Backed-up visit 0", "Backed-up visit 1", "Backed-up visit 2"]
            actions = list(session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))
            assert actions[-1] == "backup restored" and "backup written" not in actions  # written after the snapshot
    finally:
        engine.dispose()


def test_restore_refuses_a_database_that_is_not_empty(app, world, runner, backup_key, tmp_path):
    private, public = backup_key
    out = tmp_path / "b"
    _write(runner, out, public)
    result = runner.invoke(args=["restore", str(out), "--private-key", str(private)])
    assert result.exit_code == 1 and "the database is not empty" in result.output
    with app.app_context():
        from pwa.core.extensions import db

        assert db.session.get(Family, world.family.id).display_name == "The Own family"


def test_backup_without_a_public_key_says_how_to_give_one(runner, tmp_path):
    result = runner.invoke(args=["backup", str(tmp_path / "b")])
    assert result.exit_code == 1 and "BRIDGE_BACKUP_PUBLIC_KEY_FILE" in result.output
    assert not (tmp_path / "b").exists()


def test_a_backup_does_not_open_with_another_key_or_the_public_half(world, runner, backup_key, tmp_path):
    private, public = backup_key
    out = tmp_path / "b"
    _write(runner, out, public)
    other = tmp_path / "other.pem"
    make_backup_key(str(other))
    with out.open("rb") as fh, pytest.raises(sealed.BackupError, match="encrypted to backup key"):
        sealed.open_stream(fh, sealed.load_private(other.read_bytes()))
    with pytest.raises(sealed.BackupError, match="not a readable PEM private key"):
        sealed.load_private(public.read_bytes())


@pytest.mark.parametrize("damage", ["flip a byte", "cut the last chunk", "cut mid-chunk", "edit the header"])
def test_a_damaged_backup_never_opens(world, runner, backup_key, tmp_path, damage):
    private, public = backup_key
    out = tmp_path / "b"
    _write(runner, out, public)
    raw = bytearray(out.read_bytes())
    header_end = raw.index(b"\n", len(sealed.MAGIC)) + 1
    if damage == "flip a byte":
        raw[header_end + 100] ^= 1
    elif damage == "cut the last chunk":
        raw = raw[:header_end + 4 + sealed.CHUNK + 16] if len(raw) > header_end + sealed.CHUNK else raw[:header_end]
    elif damage == "cut mid-chunk":
        raw = raw[:len(raw) - 7]
    else:
        raw[header_end - 3:header_end - 2] = b"x"
    with pytest.raises(sealed.BackupError):
        _, chunks = sealed.open_stream(io.BytesIO(bytes(raw)), sealed.load_private(private.read_bytes()))
        for _ in chunks:
            pass


def test_a_damaged_backup_leaves_the_empty_database_empty(app, world, runner, backup_key, empty_database, tmp_path):
    private, public = backup_key
    out = tmp_path / "b"
    _write(runner, out, public)
    cut = tmp_path / "cut"
    cut.write_bytes(out.read_bytes()[:-40])
    engine = sa.create_engine(empty_database)
    try:
        with app.app_context(), pytest.raises(sealed.BackupError, match="truncated|damaged"):
            commands.restore_backup(engine, cut, private.read_bytes())
        assert sa.inspect(engine).get_table_names() == []
    finally:
        engine.dispose()


def test_chunks_are_authenticated_in_order_across_many_chunks(backup_key):
    private, public = backup_key
    payload = os.urandom(sealed.CHUNK * 2 + 123)
    buf = io.BytesIO()
    writer = sealed.Writer(buf, sealed.load_public(public.read_bytes()), {"database": "sqlite"})
    writer.write(payload[:5])
    writer.write(payload[5:])
    writer.close()
    _, chunks = sealed.open_stream(io.BytesIO(buf.getvalue()), sealed.load_private(private.read_bytes()))
    assert b"".join(chunks) == payload
    raw = buf.getvalue()
    start = raw.index(b"\n", len(sealed.MAGIC)) + 1
    size = 4 + sealed.CHUNK + 16
    swapped = raw[:start] + raw[start + size:start + 2 * size] + raw[start:start + size] + raw[start + 2 * size:]
    with pytest.raises(sealed.BackupError, match="chunk 0 does not open"):
        _, chunks = sealed.open_stream(io.BytesIO(swapped), sealed.load_private(private.read_bytes()))
        list(chunks)
