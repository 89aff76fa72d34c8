"""The application shell: health, error pages as HTML or JSON, demo data."""
import sqlalchemy as sa

from pwa.cli.demo import DEMO_PASSWORD, PEOPLE
from pwa.core.extensions import db


def test_healthz_answers_503_when_the_database_does_not(app, client, monkeypatch):
    def broken(*args, **kwargs):
        raise sa.exc.OperationalError("SELECT 1", {}, Exception("database is away"))

    with app.app_context():
        monkeypatch.setattr(db.session, "execute", broken)
        r = client.get("/healthz")
    assert r.status_code == 503 and r.json["status"] == "unavailable"


def test_errors_answer_html_or_json(world, auth):
    auth.login(world.mentor)
    html = auth.client.get(f"/families/{world.far_family.id}")
    assert html.status_code == 404 and "There is nothing here that you can see" in html.get_data(as_text=True)
    js = auth.client.get(f"/families/{world.far_family.id}", headers={"Accept": "application/json"})
    assert js.status_code == 404 and js.json["error"] == "Not Found"


def test_a_malformed_id_is_a_404_not_a_crash(world, auth):
    auth.login(world.coordinator)
    assert auth.client.get("/families/not-a-uuid").status_code == 404


def test_demo_data_seeds_every_login(app, runner, client):
    result = runner.invoke(args=["demo-data", "--if-empty"])
    assert result.exit_code == 0 and "Demo data created." in result.output
    from tests.conftest import Auth

    for email, name, _role in PEOPLE:
        assert email in result.output
        auth = Auth(app.test_client())
        assert auth.login(email, DEMO_PASSWORD).status_code == 302, email
        assert name in auth.client.get("/account").get_data(as_text=True)
    again = runner.invoke(args=["demo-data", "--if-empty"])
    assert again.exit_code == 0 and "not added" in again.output


def test_demo_families_are_at_different_stages(app, runner):
    runner.invoke(args=["demo-data"])
    from tests.conftest import Auth

    auth = Auth(app.test_client())
    auth.login("coordinator@bridge.example", DEMO_PASSWORD)
    page = auth.client.get("/families/").get_data(as_text=True)
    for stage in ("Referral", "Engagement", "Matching", "Support", "Ending"):
        assert f">{stage}</span>" in page
    assert page.count('class="card"') == 6


def test_create_admin_prints_a_one_time_link(runner):
    result = runner.invoke(args=["create-admin", "Boss@Example.org"])
    assert result.exit_code == 0 and "/account/set-password/" in result.output
    again = runner.invoke(args=["create-admin", "boss@example.org"])
    assert again.exit_code != 0 and "already has an account" in again.output
