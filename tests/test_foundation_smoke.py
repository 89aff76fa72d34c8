"""Smoke: the app starts, health answers, every role can sign in."""
from pwa.models import Role


def test_healthz(client):
    r = client.get("/healthz")
    assert r.status_code == 200 and r.json == {"status": "ok", "database": "up", "keys": "ok"}


def test_sign_in_each_role(world, client, auth):
    for user in (world.admin, world.coordinator, world.social_worker, world.mentor):
        r = auth.login(user)
        assert r.status_code == 302, user.role
        page = client.get("/", follow_redirects=True)
        assert page.status_code == 200
        assert user.name in client.get("/account").get_data(as_text=True)
        auth.logout()
        assert client.get("/account").status_code == 302
    assert Role.admin
