"""Accounts: sign-in, throttling, invitations, resets, and sessions that end when they should."""
import email
import email.policy
import re
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from pwa.core import clock
from pwa.core.extensions import db
from pwa.models import Role, User, WebSession
from pwa.outbox.worker import deliver_due
from tests.conftest import PASSWORD, csrf_from


def _mail_links(app) -> list[str]:
    """Deliver queued mail (development mode writes .eml files) and return the links found."""
    with app.app_context():
        deliver_due()
    links = []
    for eml in sorted(Path(app.config["MAIL_DIR"]).glob("*.eml")):
        message = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
        text = message.get_body(("plain",)).get_content()
        links += re.findall(r"http://bridge\.test(/account/set-password/[\w-]+)", text)
        eml.unlink()
    return links


def test_wrong_password_is_refused_with_a_clear_message(world, auth):
    r = auth.login(world.mentor, "not the password")
    assert r.status_code == 200
    assert "do not match an active account" in r.get_data(as_text=True)
    assert auth.client.get("/account").status_code == 302


def test_repeated_failures_slow_the_account(world, auth, app):
    for _ in range(app.config["LOGIN_FREE_FAILURES"] + 1):
        auth.login(world.mentor, "wrong")
    r = auth.login(world.mentor)  # even the right password waits until the delay has passed
    text = r.get_data(as_text=True)
    assert r.status_code == 429 and "Too many failed attempts. Try again in 1 second " in text
    clock.advance(1)
    assert auth.login(world.mentor).status_code == 302


def test_a_failure_counted_by_another_server_meanwhile_is_not_lost(app, monkeypatch):
    """Server A reads a key at 3 failures; server B counts one more before A writes: A's is the fifth."""
    from pwa.auth import throttle
    from pwa.models import LoginThrottle

    name = throttle.key("account", "raced@example.org")
    with app.app_context():
        for _ in range(3):
            throttle.fail(name)
        db.session.commit()
        read = throttle._row

        def read_then_other_server_counts(key):
            row = read(key)
            db.session.execute(sa.update(LoginThrottle).where(LoginThrottle.key == key)
                               .values(failures=LoginThrottle.failures + 1)
                               .execution_options(synchronize_session=False))
            return row

        monkeypatch.setattr(throttle, "_row", read_then_other_server_counts)
        assert throttle.fail(name) == 5
        db.session.commit()
        assert db.session.scalar(sa.select(LoginThrottle.failures).where(LoginThrottle.key == name)) == 5


def test_address_is_throttled_across_accounts(world, auth, app, make_user):
    app.config["LOGIN_ADDRESS_ACCOUNTS"] = 3
    try:
        for i in range(4):
            auth.login(f"nobody{i}@example.org", "wrong")
        r = auth.login(world.coordinator)
        assert r.status_code == 429
    finally:
        app.config["LOGIN_ADDRESS_ACCOUNTS"] = 10


def test_invitation_sets_password_once(world, auth, app, client):
    auth.login(world.admin)
    r = auth.post("/admin/users/invite", {"name": "Nell New", "email": "Nell@Example.org", "phone": "",
                                           "role": "mentor", "programme": str(world.programme.id)},
                  token_from="/admin/users/invite")
    assert r.status_code == 302
    auth.logout()
    [link] = _mail_links(app)
    page = client.get(link)
    assert "Welcome to Bridge" in page.get_data(as_text=True)
    r = client.post(link, data={"password": "a long new password", "confirm": "a long new password",
                                "csrf_token": csrf_from(page.get_data(as_text=True))})
    assert r.status_code == 302
    assert auth.login("nell@example.org", "a long new password").status_code == 200  # held for approval
    with app.app_context():
        nell = db.session.scalar(sa.select(User.id).where(User.email == "nell@example.org"))
    auth.login(world.coordinator)  # a second person approves
    auth.post(f"/admin/users/{nell}/approve", token_from="/admin/approvals")
    auth.logout()
    assert auth.login("nell@example.org", "a long new password").status_code == 302
    auth.logout()
    assert client.get(link).status_code == 410  # the link worked once


def test_set_password_form_keeps_errors_clear(world, app, client, auth):
    auth.login(world.admin)
    auth.post("/admin/users/invite", {"name": "Ola", "email": "ola@example.org", "role": "mentor",
                                      "programme": str(world.programme.id)}, token_from="/admin/users/invite")
    auth.logout()
    [link] = _mail_links(app)
    page = client.get(link).get_data(as_text=True)
    r = client.post(link, data={"password": "short", "confirm": "short", "csrf_token": csrf_from(page)})
    assert "New password: Use at least 12 characters." in r.get_data(as_text=True)


def test_password_reset_by_email_and_unknown_email_looks_the_same(world, app, client, auth):
    page = client.get("/account/reset").get_data(as_text=True)
    r1 = client.post("/account/reset", data={"email": world.mentor.email, "csrf_token": csrf_from(page)},
                     follow_redirects=True)
    page = client.get("/account/reset").get_data(as_text=True)
    r2 = client.post("/account/reset", data={"email": "ghost@example.org", "csrf_token": csrf_from(page)},
                     follow_redirects=True)
    message = "If that email has an account, a reset link is on its way."
    assert message in r1.get_data(as_text=True) and message in r2.get_data(as_text=True)
    [link] = _mail_links(app)
    page = client.get(link).get_data(as_text=True)
    client.post(link, data={"password": "brand new password!", "confirm": "brand new password!",
                            "csrf_token": csrf_from(page)})
    assert auth.login(world.mentor, PASSWORD).status_code == 200  # old password refused
    assert auth.login(world.mentor, "brand new password!").status_code == 302


def test_reset_link_expires(world, app, client):
    page = client.get("/account/reset").get_data(as_text=True)
    client.post("/account/reset", data={"email": world.mentor.email, "csrf_token": csrf_from(page)})
    [link] = _mail_links(app)
    clock.advance(3 * 3600)
    assert client.get(link).status_code == 410


def test_logout_ends_the_server_session(world, auth, app):
    auth.login(world.mentor)
    cookie = auth.client.get_cookie("bridge_session").value
    auth.logout()
    other = app.test_client()
    other.set_cookie("bridge_session", cookie)
    assert other.get("/account").status_code == 302  # a copied cookie is worthless after logout


def test_disabling_an_account_ends_its_sessions_at_once(world, auth, app):
    mentor = app.test_client()
    from tests.conftest import Auth

    Auth(mentor).login(world.mentor)
    assert mentor.get("/account").status_code == 200
    auth.login(world.coordinator)
    assert auth.post(f"/admin/users/{world.mentor.id}/disable").status_code == 302
    assert mentor.get("/account").status_code == 302
    assert Auth(app.test_client()).login(world.mentor).status_code == 200  # cannot sign in again


def test_changing_password_ends_every_session(world, auth, app):
    from tests.conftest import Auth

    phone = app.test_client()
    Auth(phone).login(world.mentor)
    auth.login(world.mentor)
    page = auth.client.get("/account/password").get_data(as_text=True)
    r = auth.client.post("/account/password", data={"current": PASSWORD, "password": "another long password",
                                                    "confirm": "another long password", "csrf_token": csrf_from(page)})
    assert r.status_code == 302
    assert phone.get("/account").status_code == 302
    assert auth.client.get("/account").status_code == 302


def test_wrong_current_password_is_named(world, auth):
    auth.login(world.mentor)
    page = auth.client.get("/account/password").get_data(as_text=True)
    r = auth.client.post("/account/password", data={"current": "nope", "password": "another long password",
                                                    "confirm": "another long password", "csrf_token": csrf_from(page)})
    assert "That is not your current password." in r.get_data(as_text=True)


def test_idle_timeout(world, auth, app):
    auth.login(world.mentor)
    clock.advance(app.config["SESSION_IDLE_MINUTES"] * 60 - 30)
    assert auth.client.get("/account").status_code == 200  # activity keeps it alive
    clock.advance(app.config["SESSION_IDLE_MINUTES"] * 60 + 1)
    assert auth.client.get("/account").status_code == 302


def test_absolute_timeout(world, auth, app):
    auth.login(world.mentor)
    step = app.config["SESSION_IDLE_MINUTES"] * 60 - 60
    elapsed = 0
    while elapsed < app.config["SESSION_ABSOLUTE_HOURS"] * 3600 - step:
        clock.advance(step)
        elapsed += step
        assert auth.client.get("/account").status_code == 200
    clock.advance(step)
    assert auth.client.get("/account").status_code == 302


def test_session_id_changes_at_sign_in(world, auth):
    auth.client.get("/login")
    before = auth.client.get_cookie("bridge_session").value
    auth.login(world.mentor)
    assert auth.client.get_cookie("bridge_session").value != before


def test_session_rows_hold_no_password_and_passwords_are_argon2id(world, app, auth):
    auth.login(world.mentor)
    with app.app_context():
        row = db.session.scalars(sa.select(WebSession).where(WebSession.user_id == world.mentor.id)).one()
        assert PASSWORD not in row.data
        hashed = db.session.get(User, world.mentor.id).password_hash
        assert hashed.startswith("$argon2id$")
        params = dict(p.split("=") for p in hashed.split("$")[3].split(","))
        assert int(params["m"]) >= 19456 and int(params["t"]) >= 2


def test_post_without_csrf_token_is_refused(world, auth):
    auth.login(world.coordinator)
    r = auth.client.post(f"/admin/users/{world.mentor.id}/disable")
    assert r.status_code == 400
    assert world.mentor and auth.client.get("/admin/users").status_code == 200


def test_disabled_user_cannot_be_emailed_a_reset(world, app, client, auth):
    auth.login(world.coordinator)
    auth.post(f"/admin/users/{world.mentor.id}/disable")
    auth.logout()
    _mail_links(app)
    page = client.get("/account/reset").get_data(as_text=True)
    client.post("/account/reset", data={"email": world.mentor.email, "csrf_token": csrf_from(page)})
    assert _mail_links(app) == []


def test_coordinator_cannot_invite_an_admin(world, auth):
    auth.login(world.coordinator)
    r = auth.post("/admin/users/invite", {"name": "X", "email": "x@example.org", "role": "admin",
                                           "programme": str(world.programme.id)}, token_from="/admin/users/invite")
    assert r.status_code == 200 and "Not a valid choice" in r.get_data(as_text=True)
    assert Role.admin and timedelta
