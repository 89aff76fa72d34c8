"""The benchmark's seeder still writes data the app serves, and every scenario still answers its person.

No timings here: speed is measured by `make bench` only (see bench/__init__.py).
"""
import os
import uuid

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from bench import scenarios, visit_post
from bench.scenarios import Target
from bench.profile import InProcess
from bench.seed import SIZES, seed
from pwa.core.extensions import db

TINY = SIZES["tiny"]


def _count(table: str, **where) -> int:
    sql = f"SELECT count(*) FROM {table}" + "".join(f" WHERE {k} = :{k}" for k in where)
    return db.session.scalar(sa.text(sql), where)


def _db_uuid(text: str):
    value = uuid.UUID(text)
    return value.hex if db.engine.dialect.name == "sqlite" else value


def test_seeded_tiny_dataset_has_what_the_benchmark_measures(app):
    with app.app_context():
        fixtures = seed(TINY)
        counts = fixtures["counts"]
        assert counts["families"] == _count("families") == TINY.families
        if "visits" in counts:  # the diary exists: entries spread over matches, the measured family's own share
            assert counts["visits"] == TINY.visits
            assert _count("visits", family_id=_db_uuid(fixtures["family_id"])) == TINY.busy_family_entries
        if "concerns" in counts:
            assert counts["concerns"] == TINY.concerns


def test_every_scenario_answers_its_person_on_seeded_data(app, client, auth):
    with app.app_context():
        fixtures = seed(TINY)
    for scenario in [s for s in scenarios.PAGES if s.available()]:
        if scenario.role:
            assert auth.login(fixtures["people"][scenario.role], fixtures["password"]).status_code == 302
        if scenario.wrk_lua:
            assert scenario.probe is visit_post.probe, f"{scenario.name}: add a smoke check for this POST"
            _check_visit_post(scenario, fixtures, client)
        else:
            assert client.get(scenario.path_for(fixtures)).status_code == scenario.expect_status, scenario.name
        if scenario.role:
            auth.logout()
    auth.login(fixtures["people"]["mentor"], fixtures["password"])
    assert "The Ash family (0)" in client.get(f"/families/{fixtures['family_id']}").get_data(as_text=True)


def _check_visit_post(scenario, fixtures, client):
    """The visit the benchmark builds from the form page is accepted, and stores a new entry."""
    target = Target(InProcess(client), fixtures, None, scenario.path_for(fixtures))
    assert "function request()" in scenario.wrk_lua(target)
    with client.application.app_context():
        before = _count("visits")
    body = MultiDict(visit_post.body_fields(target) + [("client_uuid", str(uuid.uuid4()))])
    answer = client.post(target.path, data=body)
    assert answer.status_code == scenario.expect_status, scenario.name
    with client.application.app_context():
        assert _count("visits") == before + 1


def test_peer_app_shows_the_latest_twenty_rows_to_its_signed_in_user_in_two_queries(tmp_path):
    """bench/peer.py is the plain Flask page it claims to be: Flask-Login by primary key, one 20-row query."""
    from bench import peer

    url = f"sqlite:///{tmp_path / 'peer.db'}"
    peer.seed(url, rows=60, batch=25)
    app = peer.create_peer_app(url)
    client = app.test_client()
    assert client.get(peer.PATH).status_code == 401
    assert client.post("/login", data={"email": peer.EMAIL, "password": "wrong"}).status_code == 403
    assert client.post("/login", data={"email": peer.EMAIL, "password": peer.PASSWORD}).status_code == 302
    with app.app_context():
        statements = []
        sa.event.listen(peer.db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
        html = client.get(peer.PATH).get_data(as_text=True)
        peer.db.engine.dispose()
    assert html.count("<tr><td>") == 20
    assert "Item number 59" in html and "Item number 39" not in html  # the latest first
    assert len(statements) == 2, statements  # the user by primary key, the 20 rows


@pytest.mark.skipif(os.environ.get("BRIDGE_TEST_DATABASE") != "postgresql",
                    reason="copies into PostgreSQL: run with BRIDGE_TEST_DATABASE=postgresql")
def test_seeded_sqlite_rows_copy_into_postgresql_and_read_back(app, tmp_path):
    """bench/pgdata.py's copy: same rows, same ids, the ciphertexts still open, sequences past the copied ids."""
    from bench import pgdata
    from bench.app import create_bench_app
    from pwa import config
    from pwa.models import Family

    source_path = tmp_path / "source.db"
    settings = config.for_tests(str(tmp_path), f"sqlite:///{source_path}")
    settings.update(DATA_KEY_FILE=app.config["DATA_KEY_FILE"], MAIL_DIR=str(tmp_path / "mail"))
    source = create_bench_app(settings)
    with source.app_context():
        db.create_all()
        fixtures = seed(TINY)
        db.engine.dispose()
    with app.app_context():
        copied = pgdata.copy_rows(source_path, db.engine.url.render_as_string(hide_password=False))
        assert copied > TINY.visits
        assert _count("families") == TINY.families
        if "visits" in fixtures["counts"]:
            assert _count("visits") == TINY.visits
        family = db.session.get(Family, uuid.UUID(fixtures["family_id"]))
        assert family.display_name == "The Ash family (0)"


def test_every_budget_gets_a_line_and_a_slow_page_fails_its_own():
    """bench/budgets.py: a page over 10 ms or under the peer fails; a budget nobody measured says so."""
    from bench import budgets
    from bench.report import Row, table

    fast = Row("fast page", "/a", "mentor", 0.2, 14_000, peer_budget=1.0, single_budget_ms=10.0, rps=900,
               ratio=0.9, peer_ratio=1.5, single_ms=4.0, gz_bytes=5_000, queries_small=3, queries_large=3)
    slow = Row("slow page", "/b", "mentor", 0.2, 14_000, peer_budget=1.0, single_budget_ms=10.0, rps=100,
               ratio=0.3, peer_ratio=0.5, single_ms=25.0, gz_bytes=5_000, queries_small=3, queries_large=4)
    assert fast.verdict() == "PASS"
    assert slow.verdict() == "FAIL ×peer, 1× ms, queries"
    lines = {item["what"]: item for item in budgets.summarise([fast, slow], {}, {}, ["concerns"])}
    assert lines["one request of any page (1,000 families, 100,000 visits)"]["ok"] is False
    assert lines["page throughput ÷ a bare hello (same run)"]["ok"] is True
    assert "slow page 3→4" in lines["queries per page, small → large dataset"]["figure"]
    assert lines["concern committed → accepted by local SMTP p99 ≤ 250 ms"]["figure"] == "measured on SQLite only"
    assert "not measured" in lines["offline outbox of 50 entries: all committed ≤ 1 s, no duplicates"]["figure"]
    assert len(lines) == 6 + len(budgets.FROM_EXTENSIONS)  # no visit POST row here
    assert "0.50✗" in table([slow]) and "25✗" in table([slow])


def test_the_tenfold_budget_line_passes_or_fails_on_its_measurements():
    """bench/aggregates.py's result gets a verdict on the budget line, not "—": a page that grew fails it."""
    from bench import aggregates, budgets

    flat = {"coordinator dashboard, 100k visits": {"p95_ms": 40.0, "ok": True},
            "coordinator dashboard, 1,000k visits": {"p95_ms": 44.0, "ok": True},
            "coordinator dashboard, growth ×10": {"p95_ratio": 1.1, "ok": True}}
    grew = {**flat, "coordinator dashboard, growth ×10": {"p95_ratio": 3.0, "ok": False}}
    what = "dashboard and impact report flat as visits grow tenfold"
    verdicts = {}
    for label, out in (("flat", flat), ("grew", grew)):
        lines = budgets.summarise([], {}, {"aggregates": {**out, **aggregates.summary(out)}}, [])
        verdicts[label] = next(item for item in lines if item["what"] == what)
    assert verdicts["flat"]["ok"] is True and verdicts["grew"]["ok"] is False
    assert '"coordinator dashboard, growth ×10 (×)": 3.0' in verdicts["grew"]["figure"]
    assert '"coordinator dashboard, 1,000k visits (p95 ms)": 44.0' in verdicts["flat"]["figure"]


def test_a_cached_dataset_is_migrated_not_seeded_anew_when_only_migrations_were_added(tmp_path, monkeypatch):
    """A new index in a migration costs its migration on the cached file, not a 16-minute seed; a file whose
    schema then differs from a fresh migration's is not used."""
    import json
    import secrets
    import sqlite3
    import subprocess

    from bench import dataset

    monkeypatch.setattr(dataset, "CACHE", tmp_path)
    secret = secrets.token_urlsafe(32)
    older = tmp_path / "tiny-0000000000000000.db"
    subprocess.run(dataset.migrate_command() + ["0012_pack"], cwd=dataset.ROOT, env=dataset.app_env(older, secret),
                   check=True, capture_output=True)
    with sqlite3.connect(older) as conn:
        conn.execute("INSERT INTO audit_head (id, last_hash, count) VALUES (1, 'kept', 7)")
    conn.close()
    older.with_suffix(".json").write_text(json.dumps({"seed_key": dataset.seed_key(TINY), "people": {}}))
    target = tmp_path / f"tiny-{dataset.cache_key(TINY)}.db"
    assert dataset._migrated(TINY, target, target.with_suffix(".json"), secret)
    with sqlite3.connect(target) as conn:
        assert conn.execute("SELECT last_hash, count FROM audit_head").fetchall() == [("kept", 7)]
        indexes = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    conn.close()
    assert "ix_talk_requests_open" in indexes and "ix_talk_requests_open_oldest" not in indexes
    assert sorted(p.name for p in tmp_path.glob("tiny-*")) == [target.name, target.with_suffix(".json").name]

    with sqlite3.connect(target) as conn:  # a table no migration makes: this file is not what a migration builds
        conn.execute("CREATE TABLE stray (id INTEGER)")
    conn.close()
    again = tmp_path / "tiny-1111111111111111.db"
    assert not dataset._migrated(TINY, again, again.with_suffix(".json"), secret)
    assert not again.exists() and not list(tmp_path.glob("*.migrating.*")) and not list(tmp_path.glob("*.fresh.*"))
