"""Keys are never invented outside development: start-up stops, /healthz answers 503, rotation is audited."""
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from pwa.core.extensions import db
from pwa.models import AuditEvent

ROOT = Path(__file__).resolve().parent.parent


def _env(tmp_path: Path, **extra) -> dict:
    """A production-like environment: no BRIDGE_ENV, key files in an empty folder."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BRIDGE_", "DATABASE_", "SECRET_"))}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'bridge.db'}", SECRET_KEY="s" * 40, PYTHONPATH=str(ROOT),
               BRIDGE_DATA_KEY_FILE=str(tmp_path / "data-keys.json"),
               BRIDGE_SEALING_KEY_FILE=str(tmp_path / "sealing-keys.json"))
    env.update(extra)
    return env


def _run(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def _flask(env: dict, *args: str) -> subprocess.CompletedProcess:
    return _run(env, "-m", "flask", "--app", "wsgi", *args)


def test_outside_development_a_missing_key_stops_start_up_with_a_clear_message(tmp_path):
    started = _flask(_env(tmp_path), "db", "upgrade")
    assert started.returncode != 0
    assert "Bridge cannot start: no data key" in started.stderr and "python -m pwa.crypto.keygen" in started.stderr
    assert "Traceback" not in started.stderr
    assert not (tmp_path / "data-keys.json").exists() and not (tmp_path / "sealing-keys.json").exists()


def test_a_missing_sealing_key_alone_also_stops_start_up(tmp_path):
    env = _env(tmp_path)
    made = _run(env, "-m", "pwa.crypto.keygen")
    assert made.returncode == 0, made.stderr
    (tmp_path / "sealing-keys.json").unlink()
    started = _flask(env, "db", "upgrade")
    assert started.returncode != 0 and "no sealing key" in started.stderr
    assert not (tmp_path / "sealing-keys.json").exists()


def test_a_missing_secret_key_stops_start_up_outside_development(tmp_path):
    env = _env(tmp_path)
    del env["SECRET_KEY"]
    assert _run(env, "-m", "pwa.crypto.keygen").returncode == 0
    started = _flask(env, "db", "upgrade")
    assert started.returncode != 0 and "SECRET_KEY is not set" in started.stderr


def test_keygen_makes_the_files_once_and_the_server_then_starts(tmp_path):
    env = _env(tmp_path)
    first = _run(env, "-m", "pwa.crypto.keygen")
    assert "data key file" in first.stdout and "written (mode 0600)" in first.stdout
    data_key = (tmp_path / "data-keys.json").read_text()
    again = _run(env, "-m", "pwa.crypto.keygen")
    assert again.stdout.count("already exists: left as it is") == 2
    assert (tmp_path / "data-keys.json").read_text() == data_key
    assert oct((tmp_path / "sealing-keys.json").stat().st_mode & 0o777) == "0o600"
    upgraded = _flask(env, "db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr
    verified = _flask(env, "audit", "verify")
    assert verified.returncode == 0 and "audit chain intact" in verified.stdout


def test_development_is_explicit_and_may_invent_keys(tmp_path):
    started = _flask(_env(tmp_path, BRIDGE_ENV="development"), "db", "upgrade")
    assert started.returncode == 0, started.stderr
    assert (tmp_path / "data-keys.json").exists() and (tmp_path / "sealing-keys.json").exists()


@pytest.fixture
def file_keyring(app):
    """The app's keyring as loaded from its key file (another test may have swapped in an environment one)."""
    from pwa.crypto import runtime

    return runtime.configure(app.config, allow_generate=False)


def test_healthz_answers_503_when_the_sealing_key_file_goes(app, client):
    path = Path(app.config["SEALING_KEY_FILE"])
    client.get("/healthz")  # development: makes the file if this run has none yet
    kept = path.read_bytes()
    app.config["DEVELOPMENT"] = False
    try:
        path.unlink()
        r = client.get("/healthz")
        assert r.status_code == 503
        assert r.get_json() == {"status": "unavailable", "database": "up", "keys": "missing", "missing": ["sealing"]}
        assert not path.exists()
    finally:
        app.config["DEVELOPMENT"] = True
        path.write_bytes(kept)
        os.chmod(path, 0o600)
    assert client.get("/healthz").get_json() == {"status": "ok", "database": "up", "keys": "ok"}


def test_healthz_answers_503_when_the_data_key_file_goes(app, client, file_keyring):
    path = Path(app.config["DATA_KEY_FILE"])
    moved = path.with_name("moved-away.json")
    path.rename(moved)
    try:
        r = client.get("/healthz")
        assert r.status_code == 503 and r.get_json()["missing"] == ["data"]
    finally:
        moved.rename(path)
    assert client.get("/healthz").status_code == 200


def test_keys_rotate_leaves_a_content_free_audit_row(app, runner, file_keyring):
    from pwa.crypto import runtime

    result = runner.invoke(args=["keys", "rotate"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        current = runtime.keyring().current
        row = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert (row.action, row.object_type, row.object_id, row.actor_id) == ("data key rotated", "data_key",
                                                                               current, None)
    verified = runner.invoke(args=["audit", "verify"])
    assert verified.exit_code == 0 and "intact" in verified.output
