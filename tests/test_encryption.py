"""Fields at rest: AES-256-GCM bound to table, column and row; keys rotate; canaries never leak."""
import logging
import os
import sqlite3
import stat
from pathlib import Path

import pytest
import sqlalchemy as sa

from pwa.crypto import DecryptError, runtime
from pwa.core.extensions import db
from pwa.models import Family, User


def _raw(table: str, column: str, row_id) -> str:
    key = row_id.hex if db.engine.dialect.name == "sqlite" else row_id
    return db.session.execute(sa.text(f"SELECT {column} FROM {table} WHERE id = :id"), {"id": key}).scalar_one()


def test_values_are_stored_sealed_with_a_key_id(world, ctx):
    stored = _raw("families", "display_name", world.family.id)
    assert stored.startswith(f"v1.{runtime.keyring().current}.")
    assert "Own family" not in stored
    assert db.session.get(Family, world.family.id).display_name == "The Own family"


def test_a_ciphertext_moved_to_another_row_does_not_open(world, ctx):
    stolen = _raw("families", "display_name", world.family.id)
    key = world.others_family.id.hex if db.engine.dialect.name == "sqlite" else world.others_family.id
    db.session.execute(sa.text("UPDATE families SET display_name = :v WHERE id = :id"), {"v": stolen, "id": key})
    db.session.commit()
    with pytest.raises(DecryptError):
        db.session.get(Family, world.others_family.id)


def test_a_ciphertext_moved_to_another_column_does_not_open(world, ctx):
    stolen = _raw("families", "display_name", world.family.id)
    key = world.family.id.hex if db.engine.dialect.name == "sqlite" else world.family.id
    db.session.execute(sa.text("UPDATE families SET address = :v WHERE id = :id"), {"v": stolen, "id": key})
    db.session.commit()
    with pytest.raises(DecryptError):
        db.session.get(Family, world.family.id)


def test_plain_text_cannot_be_written_around_the_model(ctx, world):
    with pytest.raises(sa.exc.StatementError):
        db.session.execute(sa.update(Family).where(Family.id == world.family.id).values(display_name="leak"))
    db.session.rollback()


def test_generated_key_file_is_owner_only(app):
    path = Path(app.config["DATA_KEY_FILE"])
    assert path.exists() and stat.S_IMODE(path.stat().st_mode) == 0o600


def test_keys_rotate_and_everything_still_opens(world, app, runner):
    with app.app_context():
        old = runtime.keyring().current
    result = runner.invoke(args=["keys", "rotate"])
    assert result.exit_code == 0, result.output
    assert "re-encrypted under key" in result.output
    with app.app_context():
        new = runtime.keyring().current
        assert new != old
        for table, column, row in (("families", "display_name", world.family.id), ("users", "name", world.mentor.id)):
            assert _raw(table, column, row).startswith(f"v1.{new}.")
        assert db.session.get(Family, world.family.id).display_name == "The Own family"
        assert db.session.get(User, world.mentor.id).name == world.mentor.name


def test_environment_keys_are_used_and_rotation_says_how(tmp_path, monkeypatch):
    from pwa.crypto import Keyring, export_env_value

    # The process's keyring goes back afterwards: a later test's server process reads the key file.
    monkeypatch.setattr(runtime, "_ring", runtime._ring)
    ring = Keyring()
    ring.add_key()
    value = export_env_value(ring)
    parsed = runtime.configure({"DATA_KEYS": value}, allow_generate=False)
    assert parsed.current == ring.current and parsed.source == "environment"


CANARIES = {
    "display_name": "CANARY-FAMILY-7f3a",
    "address": "CANARY-ADDRESS-91bd",
    "referral_reason": "CANARY-REASON-5c2e",
    "involvement_plan": "CANARY-PLAN-0d4f",
    "child": "CANARYCHILD",
    "review": "CANARY-REVIEW-2b8c",
    "extension": "CANARY-EXTENSION-6e1a",
    "ending": "CANARY-ENDING-3f9d",
    "user": "CANARY-USER-8a7b",
}


def test_canaries_typed_through_the_app_never_reach_disk_or_logs(world, auth, app, caplog, database_url):
    """Seed canary strings through the real forms; none appear in the database file, its dump, or the logs."""
    caplog.set_level(logging.DEBUG)
    auth.login(world.social_worker)
    r = auth.post("/families/refer", {
        "display_name": CANARIES["display_name"], "address": CANARIES["address"], "plan_type": "cp",
        "referral_reason": CANARIES["referral_reason"], "involvement_plan": CANARIES["involvement_plan"],
        "children": f"{CANARIES['child']} 2019-02-03"}, token_from="/families/refer")
    assert r.status_code == 302
    family_path = r.headers["Location"]
    auth.post(family_path + "/consent", {"given_on": "2026-01-05", "method": "written"}, token_from=family_path)
    auth.logout()
    auth.login(world.coordinator)
    match = auth.post(family_path + "/match", {"mentor": str(world.other_mentor.id), "started_on": "2026-01-10",
                                                "agreed_end_on": ""}, token_from=family_path + "/match")
    match_path = match.headers["Location"]
    auth.post(match_path + "/review", {"held_on": "2026-02-10", "notes": CANARIES["review"]}, token_from=match_path)
    auth.post(match_path + "/extend", {"new_end_on": "2027-01-10", "reason": CANARIES["extension"]},
              token_from=match_path)
    auth.post(match_path + "/end", {"ended_on": "2026-03-01", "reason": "plan_completed",
                                     "summary": CANARIES["ending"]}, token_from=match_path)
    auth.post("/admin/users/invite", {"name": CANARIES["user"], "email": "canary@example.org", "role": "mentor",
                                      "programme": str(world.programme.id)}, token_from="/admin/users/invite")
    # Everything was stored and reads back in the clear through the app.
    page = auth.client.get(match_path).get_data(as_text=True)
    assert CANARIES["ending"] in page and CANARIES["review"] in page and CANARIES["extension"] in page
    assert CANARIES["user"] in auth.client.get("/admin/users").get_data(as_text=True)
    for canary in CANARIES.values():
        assert canary not in caplog.text
    if database_url.startswith("sqlite"):
        _assert_not_in_sqlite(database_url.removeprefix("sqlite:///"))
    else:
        with app.app_context():
            _assert_not_in_postgres()


def _assert_not_in_sqlite(path: str) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(FULL)")
        dump = "\n".join(conn.iterdump())
    raw = b"".join(Path(p).read_bytes() for p in (path, path + "-wal") if os.path.exists(p))
    for canary in CANARIES.values():
        assert canary not in dump, canary
        assert canary.encode() not in raw, canary


def _assert_not_in_postgres() -> None:
    with db.engine.connect() as conn:
        tables = [t for t in sa.inspect(conn).get_table_names()]
        for table in tables:
            text = str(conn.execute(sa.text(f"SELECT * FROM {table}")).all())
            for canary in CANARIES.values():
                assert canary not in text, (table, canary)
