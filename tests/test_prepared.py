"""Work done once and kept: statements for a user's scope (pwa.access.kept, never rows), and rows' links."""
from datetime import timedelta

import pytest

from pwa import access
from pwa.access import kept, policy
from pwa.core import clock
from pwa.core.extensions import db
from pwa.models import EndingReason, Match, User


def _overrun(auth) -> str:
    page = auth.client.get("/dashboard").get_data(as_text=True)
    return page.split('id="overrun"')[1].split("</section>")[0]


def _set_end(app, match_id, on) -> None:
    with app.app_context():
        db.session.get(Match, match_id).agreed_end_on = on
        db.session.commit()


@pytest.fixture(autouse=True)
def _fresh():
    kept._built.clear()
    yield
    kept._built.clear()


def test_a_kept_statement_reads_the_data_as_it_is_now(world, auth, app):
    auth.login(world.coordinator)
    assert "The Own family" not in _overrun(auth)
    kept_before = len(kept._built)
    _set_end(app, world.match.id, clock.today() - timedelta(days=3))  # the match runs past its end
    assert "The Own family" in _overrun(auth)
    assert len(kept._built) == kept_before  # the same statements, run again: nothing was built anew


def test_each_coordinator_gets_their_own_programmes_lines(world, auth, app):
    past = clock.today() - timedelta(days=1)
    for match in (world.match, world.far_match):
        _set_end(app, match.id, past)
    auth.login(world.coordinator)
    mine = _overrun(auth)
    auth.logout()
    auth.login(world.far_coordinator)
    theirs = _overrun(auth)
    assert "The Own family" in mine and "The Far family" not in mine
    assert "The Far family" in theirs and "The Own family" not in theirs


def test_a_coordinator_moved_to_another_programme_sees_that_programme_at_once(world, auth, app):
    _set_end(app, world.far_match.id, clock.today() - timedelta(days=1))
    auth.login(world.coordinator)
    assert "The Far family" not in _overrun(auth)
    with app.app_context():
        db.session.get(User, world.coordinator.id).programme_id = world.other_programme.id
        db.session.commit()
    assert "The Far family" in _overrun(auth)


def test_only_the_last_few_hundred_are_kept_and_the_oldest_goes_first(world, app, monkeypatch):
    monkeypatch.setattr(kept, "KEPT", 3)
    built = []

    def build(user, n):
        built.append(n)
        return ("statement", n)

    with app.app_context():
        user = db.session.get(User, world.coordinator.id)
        for n in (1, 2, 3, 1, 4, 1, 2):
            assert access.prepared(build, user, n) == ("statement", n)
    assert built == [1, 2, 3, 4, 2]  # 1 was used again so 2 went first when 4 came; 1 stayed kept


def test_a_rows_link_is_the_url_for_link_built_once(app):
    import uuid

    from flask import g, url_for

    from pwa.web.paging import row_url

    ids = [uuid.uuid4() for _ in range(3)]
    with app.test_request_context("/dashboard"):
        for family_id in ids:
            assert row_url("families.show", family_id=family_id) == url_for("families.show", family_id=family_id)
        assert row_url("families.show", family_id="a b/c") == url_for("families.show", family_id="a b/c")
        assert list(g.row_links) == [("families.show", "family_id")]  # built once for every row
        assert row_url("outbox.undelivered") == url_for("outbox.undelivered")


def test_one_family_by_id_is_built_once_and_still_scoped(world, auth, app):
    auth.login(world.mentor)
    assert auth.client.get(f"/families/{world.family.id}").status_code == 200
    by_id = [key for key in kept._built if key[0] is policy._by_id and key[4] is access.visible_families]
    assert len(by_id) == 1  # the mentor's select of one family, kept
    kept_before = len(kept._built)
    assert auth.client.get(f"/families/{world.family.id}").status_code == 200
    assert len(kept._built) == kept_before  # the same select, run again
    assert auth.client.get(f"/families/{world.others_family.id}").status_code == 404  # not their family
    assert auth.client.get(f"/families/{world.far_family.id}").status_code == 404
    with app.app_context():
        ended = db.session.get(Match, world.match.id)
        ended.ended_on, ended.ending_reason, ended.ending_summary = clock.today(), EndingReason.plan_completed, "Done."
        db.session.commit()
    assert auth.client.get(f"/families/{world.family.id}").status_code == 404  # the match ended: at once
    auth.logout()
    auth.login(world.far_coordinator)
    assert auth.client.get(f"/families/{world.far_family.id}").status_code == 200
    assert auth.client.get(f"/families/{world.family.id}").status_code == 404


def test_postgresql_connections_keep_every_statement_the_app_runs_prepared(app):
    """psycopg would keep only its last 100 prepared statements: each connection keeps PREPARED_KEPT."""
    from pwa.core.database import PREPARED_KEPT

    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("psycopg's prepared statements: PostgreSQL only")
        with db.engine.connect() as conn:
            assert conn.connection.driver_connection.prepared_max == PREPARED_KEPT
        assert PREPARED_KEPT >= 500
