"""Multi-factor sign-in: the gate, authenticator codes, recovery codes, resets, remembered devices."""
import re

import pyotp
import pytest
import sqlalchemy as sa

from pwa.core import clock
from pwa.core.extensions import db
from pwa.models import AuditEvent, OutboxMessage, Programme, RecoveryCode, Role, TotpSecret, WebSession
from pwa.auth.mfa import OPEN_ENDPOINTS
from tests.conftest import Auth, csrf_from
from tests.support.access_rules import RULES
from tests.support.mfa import TEST_TOTP_SECRET


def _code(at=None) -> str:
    return pyotp.TOTP(TEST_TOTP_SECRET).at(at or clock.now())


def _verify(client, code, **extra):
    page = client.get("/account/mfa/verify").get_data(as_text=True)
    return client.post("/account/mfa/verify", data={"code": code, "csrf_token": csrf_from(page), **extra})


def _mail(app, part):
    with app.app_context():
        return [(str(m.to_address), m.subject) for m in db.session.scalars(sa.select(OutboxMessage)) if part in m.subject]


def _needs_object(rule) -> bool:
    try:
        rule.url(None, None)
    except (AttributeError, KeyError, TypeError):
        return True
    return False


@pytest.mark.parametrize("role", ["coordinator", "social_worker", "mentor", "admin"])
def test_a_password_only_session_reaches_no_page_with_case_content(world, auth, role):
    user = getattr(world, role)
    r = auth.login(user, second_factor=False)
    assert r.status_code == 302 and r.headers["Location"].endswith("/account/mfa/verify")
    leaks = []
    for rule in RULES:
        if rule.public or rule.method != "GET" or rule.endpoint in OPEN_ENDPOINTS:
            continue
        path = rule.url(world, "own") if _needs_object(rule) else rule.url(world, None)
        response = auth.client.get(path)
        body = response.get_data(as_text=True)
        if response.status_code not in (302, 401) or "The Own family" in body or "Amy" in body:
            leaks.append(f"{path} -> {response.status_code}")
        elif response.status_code == 302 and not response.headers["Location"].endswith("/account/mfa/verify"):
            if response.headers["Location"] not in ("/", "http://localhost/"):
                leaks.append(f"{path} -> {response.headers['Location']}")
    assert not leaks, leaks


def test_json_without_the_second_factor_is_refused_with_401(world, auth):
    auth.login(world.mentor, second_factor=False)
    r = auth.client.post("/sync/items", json={}, headers={"Accept": "application/json",
                                                             "X-CSRFToken": auth.token("/account/mfa/verify")})
    assert r.status_code == 401 and r.get_json()["error"] == "second factor needed"


def test_an_authenticator_code_signs_in_once(world, auth, app):
    auth.login(world.mentor, second_factor=False)
    code = _code()
    r = _verify(auth.client, code)
    assert r.status_code == 302
    assert "The Own family" in auth.client.get("/", follow_redirects=True).get_data(as_text=True)
    auth.logout()
    auth.login(world.mentor, second_factor=False)
    r = _verify(auth.client, code)  # the same code again, within its 30 seconds
    assert r.status_code == 200 and "That code is not right" in r.get_data(as_text=True)
    assert auth.client.get("/diary").headers["Location"].endswith("/account/mfa/verify")


def test_the_secret_is_stored_encrypted(world, app):
    with app.app_context():
        raw = db.session.execute(sa.text("SELECT secret FROM totp_secrets")).scalars().all()
    assert raw and all(TEST_TOTP_SECRET not in value for value in raw)


def test_wrong_codes_are_slowed_with_a_clear_wait(world, auth, app):
    auth.login(world.mentor, second_factor=False)
    for _ in range(app.config["LOGIN_FREE_FAILURES"] + 1):
        assert _verify(auth.client, "000000").status_code == 200
    r = _verify(auth.client, _code())
    assert r.status_code == 429 and re.search(r"Try again in \d+ seconds?", r.get_data(as_text=True))
    clock.advance(31)
    assert _verify(auth.client, _code()).status_code == 302


def test_first_sign_in_enrols_an_app_then_shows_ten_recovery_codes_once(world, app, make_user):
    person = make_user(Role.social_worker, world.programme, mfa=False)
    auth = Auth(app.test_client())
    r = auth.login(person, second_factor=False)
    assert r.headers["Location"].endswith("/account/mfa/enrol")
    page = auth.client.get("/account/mfa/enrol").get_data(as_text=True)
    assert 'src="data:image/svg+xml' in page and "<script>" not in page
    secret = re.search(r'id="setup-key">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    r = auth.client.post("/account/mfa/enrol", data={"code": "123456", "csrf_token": csrf_from(page)})
    assert "That code is not right" in r.get_data(as_text=True)
    r = auth.client.post("/account/mfa/enrol", data={"code": pyotp.TOTP(secret).now(), "csrf_token": csrf_from(page)})
    assert r.headers["Location"].endswith("/account/mfa/recovery-codes")
    codes = re.findall(r"<li><code>([a-z0-9]{5}-[a-z0-9]{5})</code></li>", auth.client.get(r.headers["Location"])
                       .get_data(as_text=True))
    assert len(set(codes)) == 10
    again = auth.client.get("/account/mfa/recovery-codes").get_data(as_text=True)
    assert codes[0] not in again and "You have 10 unused recovery codes" in again
    with app.app_context():
        stored = db.session.scalars(sa.select(RecoveryCode.code_hash)).all()
    assert len(stored) == 10 and not set(codes) & set(stored)
    assert _mail(app, "authenticator app was set up") == [(person.email, "An authenticator app was set up for your "
                                                                         "Bridge account")]
    assert auth.client.get("/account").status_code == 200  # fully signed in now


def test_a_recovery_code_signs_in_once(world, app):
    auth = Auth(app.test_client())
    auth.login(world.mentor)
    page = auth.client.get("/account/mfa/recovery-codes").get_data(as_text=True)
    code = re.search(r"<li><code>([a-z0-9-]+)</code>", page).group(1)
    auth.logout()
    auth.login(world.mentor, second_factor=False)
    assert _verify(auth.client, code.upper().replace("-", " ")).status_code == 302
    auth.logout()
    auth.login(world.mentor, second_factor=False)
    assert _verify(auth.client, code).status_code == 200


def test_an_enrolled_person_cannot_add_a_factor_with_only_the_password(world, auth):
    auth.login(world.mentor, second_factor=False)
    assert auth.client.get("/account/mfa/enrol").headers["Location"].endswith("/account/mfa/verify")
    token = auth.token("/account/mfa/verify")
    r = auth.client.post("/account/mfa/passkeys/new/options", json={}, headers={"X-CSRFToken": token})
    assert r.status_code == 403


def test_a_coordinator_resets_a_mentors_second_factor_audited_and_emailed(world, app, auth):
    mentor = Auth(app.test_client())
    mentor.login(world.mentor)
    auth.login(world.coordinator)
    r = auth.post(f"/account/mfa/reset/{world.mentor.id}", token_from="/admin/users")
    assert r.status_code == 302
    assert mentor.client.get("/account").status_code == 302  # signed out everywhere
    with app.app_context():
        assert db.session.scalar(sa.select(TotpSecret).where(TotpSecret.user_id == world.mentor.id)) is None
        row = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "second factor reset"))
        assert row.actor_id == world.coordinator.id and row.object_id == str(world.mentor.id)
    assert _mail(app, "second factor was reset") == [(world.mentor.email, "Your Bridge second factor was reset")]
    r = Auth(app.test_client()).login(world.mentor, second_factor=False)
    assert r.headers["Location"].endswith("/account/mfa/enrol")


def test_a_coordinator_cannot_reset_another_programmes_people(world, auth):
    auth.login(world.coordinator)
    assert auth.post(f"/account/mfa/reset/{world.far_mentor.id}", token_from="/admin/users").status_code == 404


def test_a_coordinator_cannot_reset_a_fellow_coordinator_but_an_admin_can(world, auth, app, make_user):
    fellow = make_user(Role.coordinator, world.programme)
    auth.login(world.coordinator)
    assert auth.post(f"/account/mfa/reset/{fellow.id}", token_from="/admin/users").status_code == 403
    admin = Auth(app.test_client())
    admin.login(world.admin)
    assert admin.post(f"/account/mfa/reset/{fellow.id}", token_from="/admin/users").status_code == 302
    assert _mail(app, "second factor was reset") == [(fellow.email, "Your Bridge second factor was reset")]


def test_the_users_page_offers_the_reset(world, auth):
    auth.login(world.coordinator)
    page = auth.client.get("/admin/users").get_data(as_text=True)
    assert f"/account/mfa/reset/{world.mentor.id}" in page


def _allow_remember(app, programme, days):
    with app.app_context():
        db.session.get(Programme, programme.id).remember_device_days = days
        db.session.commit()


def test_remember_this_device_where_the_programme_allows_it(world, app, auth):
    _allow_remember(app, world.programme, 30)
    auth.login(world.mentor, second_factor=False)
    assert "Remember this device" in auth.client.get("/account/mfa/verify").get_data(as_text=True)
    assert _verify(auth.client, _code(), remember="y").status_code == 302
    auth.logout()
    r = auth.login(world.mentor, second_factor=False)
    assert r.headers["Location"] == "/"  # no second step on this browser
    assert Auth(auth.client.application.test_client()).login(world.mentor, second_factor=False) \
        .headers["Location"].endswith("/account/mfa/verify")  # another browser still asks
    clock.advance(31 * 86400)  # the session and the remembered device have both expired
    assert auth.login(world.mentor, second_factor=False).headers["Location"].endswith("/account/mfa/verify")


def test_a_remembered_device_is_revoked_with_the_password(world, app, auth):
    _allow_remember(app, world.programme, 30)
    auth.login(world.mentor, second_factor=False)
    _verify(auth.client, _code(), remember="y")
    page = auth.client.get("/account/password").get_data(as_text=True)
    auth.client.post("/account/password", data={"current": "correct horse battery staple",
                                                "password": "another long password", "confirm": "another long password",
                                                "csrf_token": csrf_from(page)})
    r = auth.login(world.mentor, "another long password", second_factor=False)
    assert r.headers["Location"].endswith("/account/mfa/verify")


def test_no_remembering_where_the_programme_does_not_allow_it(world, app, auth):
    auth.login(world.mentor, second_factor=False)
    assert "Remember this device" not in auth.client.get("/account/mfa/verify").get_data(as_text=True)
    _verify(auth.client, _code(), remember="y")
    auth.logout()
    assert auth.login(world.mentor, second_factor=False).headers["Location"].endswith("/account/mfa/verify")


def test_a_role_left_out_of_mfa_required_roles_signs_in_with_the_password(world, app, auth, monkeypatch):
    monkeypatch.setitem(app.config, "MFA_REQUIRED_ROLES", frozenset({"admin", "coordinator", "social_worker"}))
    r = auth.login(world.mentor, second_factor=False)
    assert r.headers["Location"] == "/"
    assert "The Own family" in auth.client.get("/", follow_redirects=True).get_data(as_text=True)


def test_single_sign_on_marks_the_session_and_passes_the_gate(world, auth, app):
    auth.login(world.coordinator, second_factor=False)
    with auth.client.session_transaction() as session:
        session["mfa"] = "sso"
    assert auth.client.get("/families/").status_code == 200


def test_the_session_token_changes_when_the_second_factor_is_done(world, auth):
    auth.login(world.mentor, second_factor=False)
    before = auth.client.get_cookie("bridge_session").value
    _verify(auth.client, _code())
    assert auth.client.get_cookie("bridge_session").value != before
    with auth.client.application.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(WebSession)) == 1


def test_the_demo_prints_its_second_step_and_demo_code_works_only_in_development(app, runner, monkeypatch):
    from pwa.cli.demo_code import DEMO_TOTP_SECRET

    out = runner.invoke(args=["demo-data"]).output
    from pwa.auth.totp import grouped

    assert f"setup key {grouped(DEMO_TOTP_SECRET)}" in out and "flask --app wsgi demo-code EMAIL" in out
    monkeypatch.setitem(app.config, "DEVELOPMENT", False)  # the test settings are development's
    refused = runner.invoke(args=["demo-code", "sw1@bridge.example"])
    assert refused.exit_code != 0 and "only in development" in refused.output
    monkeypatch.setitem(app.config, "DEVELOPMENT", True)
    result = runner.invoke(args=["demo-code", "sw1@bridge.example"])
    code = result.output.strip()
    assert result.exit_code == 0 and code == pyotp.TOTP(DEMO_TOTP_SECRET).now()
    auth = Auth(app.test_client())
    auth.login("sw1@bridge.example", "bridge-demo-password", second_factor=False)
    assert _verify(auth.client, code).status_code == 302
    assert runner.invoke(args=["demo-code", "nobody@example.org"]).exit_code != 0
    from pathlib import Path

    readme = (Path(__file__).parent.parent / "README.md").read_text()
    assert f"`{grouped(DEMO_TOTP_SECRET)}`" in readme and "demo-code coordinator@bridge.example" in readme
