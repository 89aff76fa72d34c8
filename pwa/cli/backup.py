"""`flask --app wsgi backup OUT` and `restore IN`: encrypted snapshots that restore into an empty database.

SQLite is copied with its online backup API into memory (one step, so the copy is one consistent
moment even while the app writes) and PostgreSQL with `pg_dump` (one repeatable-read transaction);
the bytes are encrypted as they are produced (pwa.crypto.backup), so no plaintext snapshot touches
the disk. A restore opens every chunk before it reaches the database and refuses a database that
already has tables.
"""
import glob
import os
import shutil
import sqlite3
import subprocess  # nosec B404  # pg_dump/pg_restore by absolute path, argument lists, no shell
import time
from pathlib import Path

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import with_appcontext

from pwa import config
from pwa.core import audit, clock
from pwa.core.extensions import db
from pwa.crypto import backup as sealed

READ = 1 << 20


def register(app: Flask) -> None:
    """Attach the backup commands."""
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)


def _key_bytes(path: str | None, what: str, setting: str) -> bytes:
    if not path:
        raise click.ClickException(f"no backup {what} key: pass --{what}-key FILE or set {setting}")
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise click.ClickException(f"cannot read the backup {what} key {path}: {exc.strerror}") from exc


def pg_binary(name: str) -> str:
    """Where pg_dump or pg_restore is: BRIDGE_PG_BINDIR, PATH, /usr/local/bin, then the newest Debian one."""
    bindir = current_app.config.get("PG_BINDIR")
    found = [os.path.join(bindir, name)] if bindir else []
    found += [shutil.which(name) or "", f"/usr/local/bin/{name}"]
    found += sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda p: int(p.split("/")[4]), reverse=True)
    for path in found:
        if path and os.access(path, os.X_OK):
            return path
    raise click.ClickException(f"{name} not found: install the PostgreSQL client or set BRIDGE_PG_BINDIR")


def _libpq(url: sa.URL) -> tuple[str, dict]:
    """A libpq URL without the password (that goes in PGPASSWORD, not on a command line)."""
    env = config.child_environment(**({"PGPASSWORD": url.password} if url.password else {}))
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _snapshot_sqlite(path: str, writer: sealed.Writer) -> None:
    source = sqlite3.connect(path)
    copy = sqlite3.connect(":memory:")
    try:
        source.execute("PRAGMA busy_timeout=10000")
        source.backup(copy)  # all pages in one step: one consistent moment
        data = memoryview(copy.serialize())
        for start in range(0, len(data), READ):
            writer.write(data[start:start + READ])
    finally:
        source.close()
        copy.close()


def _snapshot_postgresql(url: sa.URL, writer: sealed.Writer) -> None:
    target, env = _libpq(url)
    args = [pg_binary("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", "--dbname", target]
    with subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env) as proc:  # nosec B603  # argument list, absolute path
        for block in iter(lambda: proc.stdout.read(READ), b""):
            writer.write(block)
        err = proc.stderr.read().decode(errors="replace").strip()
    if proc.returncode != 0:
        raise click.ClickException(f"pg_dump failed: {err.splitlines()[-1] if err else proc.returncode}")


def write_backup(engine: sa.Engine, out: Path, public_pem: bytes) -> dict:
    """Snapshot the database into `out`, encrypted to the public key; returns the header's facts."""
    public = sealed.load_public(public_pem)
    meta = {"database": engine.dialect.name, "written_at": clock.now().isoformat(timespec="seconds")}
    tmp = out.with_name(f".{out.name}.partial")
    tmp.unlink(missing_ok=True)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            writer = sealed.Writer(fh, public, meta)
            if engine.dialect.name == "sqlite":
                _snapshot_sqlite(engine.url.database, writer)
            else:
                _snapshot_postgresql(engine.url, writer)
            writer.close()
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, out)  # never half a backup under the real name
    finally:
        tmp.unlink(missing_ok=True)
    return dict(meta, key=sealed.fingerprint(public), bytes=out.stat().st_size)


def _restore_sqlite(path: str, chunks) -> None:
    data = bytearray()
    for block in chunks:  # every chunk is opened (and so checked) before anything is written
        data += block
    if data[:16] == b"SQLite format 3\x00" and data[18:20] == b"\x02\x02":
        data[18:20] = b"\x01\x01"  # a WAL database opens in memory only as rollback-journal; the app re-enables WAL
    copy = sqlite3.connect(":memory:")
    target = sqlite3.connect(path)
    try:
        copy.deserialize(bytes(data))
        copy.backup(target)
    finally:
        copy.close()
        target.close()


def _restore_postgresql(url: sa.URL, chunks) -> None:
    target, env = _libpq(url)
    args = [pg_binary("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
            "--dbname", target]
    with subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          env=env) as proc:  # nosec B603  # argument list, absolute path
        try:
            for block in chunks:
                proc.stdin.write(block)
        except sealed.BackupError:
            proc.kill()  # before the end of its input: the single transaction never commits
            raise
        except BrokenPipeError:
            pass  # pg_restore stopped early; its own message follows
        try:
            proc.stdin.close()
        except BrokenPipeError:
            pass
        err = proc.stderr.read().decode(errors="replace").strip()
    if proc.returncode != 0:
        raise click.ClickException(f"pg_restore failed: {err.splitlines()[-1] if err else proc.returncode}")


def restore_backup(engine: sa.Engine, source: Path, private_pem: bytes) -> dict:
    """Bring a backup back into the (empty) database the engine points at; returns its header."""
    private = sealed.load_private(private_pem)
    engine.dispose()
    if sa.inspect(engine).get_table_names():
        raise click.ClickException("the database is not empty: restore only into a new, empty database")
    engine.dispose()
    with source.open("rb") as fh:
        header, chunks = sealed.open_stream(fh, private)
        if header.get("database") != engine.dialect.name:
            raise click.ClickException(f"this is a {header.get('database')} backup; the database is "
                                       f"{engine.dialect.name}")
        if engine.dialect.name == "sqlite":
            _restore_sqlite(engine.url.database, chunks)
        else:
            _restore_postgresql(engine.url, chunks)
    engine.dispose()
    return header


@click.command("backup")
@with_appcontext
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--public-key", default=None, help="The backup public key (default BRIDGE_BACKUP_PUBLIC_KEY_FILE).")
def backup_command(out: Path, public_key: str | None) -> None:
    """Write an encrypted, consistent snapshot of the database to OUT."""
    pem = _key_bytes(public_key or current_app.config.get("BACKUP_PUBLIC_KEY_FILE"), "public",
                     "BRIDGE_BACKUP_PUBLIC_KEY_FILE")
    started = time.monotonic()
    try:
        facts = write_backup(db.engine, out, pem)
    except sealed.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    audit.record(db.session, None, "backup written", object_type="backup", object_id=facts["key"])
    db.session.commit()
    click.echo(f"Backup of the {facts['database']} database written to {out} ({facts['bytes']:,} bytes, "
               f"{time.monotonic() - started:.1f} s), encrypted to backup key {facts['key']}.")


@click.command("restore")
@with_appcontext
@click.argument("source", metavar="IN", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--private-key", default=None,
              help="The backup private key (default BRIDGE_BACKUP_PRIVATE_KEY_FILE).")
def restore_command(source: Path, private_key: str | None) -> None:
    """Restore the backup IN into the configured database, which must be empty."""
    pem = _key_bytes(private_key or current_app.config.get("BACKUP_PRIVATE_KEY_FILE"), "private",
                     "BRIDGE_BACKUP_PRIVATE_KEY_FILE")
    started = time.monotonic()
    try:
        header = restore_backup(db.engine, source, pem)
    except sealed.BackupError as exc:
        raise click.ClickException(f"{exc}; nothing was restored") from exc
    db.session.remove()
    audit.record(db.session, None, "backup restored", object_type="backup", object_id=header["key"])
    db.session.commit()
    click.echo(f"Restored the backup written at {header['written_at']} ({time.monotonic() - started:.1f} s). "
               "Run `flask --app wsgi db upgrade`, then `flask --app wsgi audit verify`.")
