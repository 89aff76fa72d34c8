"""The security review's findings in the sign-in and password flow, each reproduced and closed."""
import re
from urllib.parse import urljoin, urlsplit

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher

from pwa.core import clock
from pwa.core.extensions import db
from pwa.models import OutboxMessage
from tests.conftest import PASSWORD, csrf_from

OFF_SITE = ["/\t/evil.example/", "/\n/evil.example/", "/\r/evil.example/", "\t//evil.example/", "\x00//evil.example/",
            " //evil.example/", "//evil.example/", "///evil.example/", "https://evil.example/", "/\\evil.example/",
            "\\\\evil.example/", "http:evil.example", "javascript:alert(1)", "/\x7f/evil.example/", "/%0a/x\r\n",
            "/\u2028/evil.example", "/caf\u00e9", "%2F%2Fevil.example", "/\x0b/evil.example/"]


def _browser_location(location: str) -> str:
    """Resolve a Location header as a browser does: strip tabs and newlines, trim C0 controls and spaces."""
    cleaned = re.sub(r"[\t\n\r]", "", location).strip("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f"
                                                       "\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d"
                                                       "\x1e\x1f ")
    return urljoin("http://localhost/login", cleaned.replace("\\", "/"))


@pytest.mark.parametrize("target", OFF_SITE)
def test_next_never_leaves_the_site_nor_fails(world, auth, target):
    r = auth.login(world.coordinator, next=target)
    assert r.status_code == 302
    landed = urlsplit(_browser_location(r.headers["Location"]))
    assert landed.netloc == "localhost" and landed.scheme == "http", r.headers["Location"]


def test_next_keeps_a_same_site_path_and_query(world, auth):
    r = auth.login(world.coordinator, next="/families/?page=2")
    assert r.headers["Location"].endswith("/families/?page=2")


def test_an_unknown_email_costs_one_verification_like_a_known_one(world, auth, monkeypatch):
    auth.client.get("/login")  # the app is built: its dummy hash exists
    calls = {"hash": 0, "verify": 0}
    real_hash, real_verify = PasswordHasher.hash, PasswordHasher.verify

    def hash_(self, *a, **kw):
        calls["hash"] += 1
        return real_hash(self, *a, **kw)

    def verify(self, *a, **kw):
        calls["verify"] += 1
        return real_verify(self, *a, **kw)

    monkeypatch.setattr(PasswordHasher, "hash", hash_)
    monkeypatch.setattr(PasswordHasher, "verify", verify)
    seen = []
    for email in (world.mentor.email, "nobody-here@example.org", "another-ghost@example.org"):
        calls.update(hash=0, verify=0)
        auth.login(email, "a wrong password")
        seen.append(dict(calls))
    assert seen == [{"hash": 0, "verify": 1}] * 3


def _fail(auth, who, times=1):
    for _ in range(times):
        r = auth.login(who, "a wrong password")
        if r.status_code == 429:
            wait = int(re.search(r"Try again in (\d+) seconds?", r.get_data(as_text=True)).group(1))
            clock.advance(wait)
            r = auth.login(who, "a wrong password")
        assert r.status_code == 200


def test_failures_slow_the_account_with_a_clear_wait_but_never_lock_it(world, auth, app):
    _fail(auth, world.social_worker, app.config["LOGIN_FREE_FAILURES"] + 2)
    r = auth.login(world.social_worker)
    text = r.get_data(as_text=True)
    assert r.status_code == 429 and re.search(r"Try again in \d+ seconds?", text)
    wait = int(re.search(r"Try again in (\d+) seconds?", text).group(1))
    assert 1 <= wait <= app.config["LOGIN_DELAY_MAX_SECONDS"]
    clock.advance(wait)
    assert auth.login(world.social_worker).status_code == 302


def test_a_long_attack_keeps_the_wait_short_for_the_real_person(world, auth, app):
    _fail(auth, world.social_worker, 30)
    r = auth.login(world.social_worker)
    if r.status_code == 429:
        wait = int(re.search(r"Try again in (\d+) seconds?", r.get_data(as_text=True)).group(1))
        assert wait <= app.config["LOGIN_DELAY_MAX_SECONDS"]
        clock.advance(wait)
        r = auth.login(world.social_worker)
    assert r.status_code == 302


def test_a_browser_that_signed_in_before_is_not_slowed_by_an_attacker(world, auth, app):
    auth.login(world.social_worker)
    auth.logout()
    from tests.conftest import Auth

    attacker = Auth(app.test_client())
    _fail(attacker, world.social_worker, 20)
    assert attacker.login(world.social_worker).status_code == 429
    assert auth.login(world.social_worker).status_code == 302  # the social worker's own browser


def test_failures_on_one_account_do_not_slow_others_from_the_same_address(world, auth, app):
    _fail(auth, world.mentor, 25)
    assert auth.login(world.coordinator).status_code == 302


def test_an_address_failing_on_many_accounts_is_slowed(world, auth, app):
    for i in range(app.config["LOGIN_ADDRESS_ACCOUNTS"] + 1):
        auth.login(f"guess{i}@example.org", "a wrong password")
    r = auth.login(world.coordinator)
    assert r.status_code == 429 and re.search(r"Try again in \d+ seconds?", r.get_data(as_text=True))
    clock.advance(app.config["LOGIN_DELAY_MAX_SECONDS"])
    assert auth.login(world.coordinator).status_code == 302


def _request_reset(client, email):
    page = client.get("/account/reset").get_data(as_text=True)
    r = client.post("/account/reset", data={"email": email, "csrf_token": csrf_from(page)}, follow_redirects=True)
    return r.get_data(as_text=True)


def _mail(app, subject_part=""):
    with app.app_context():
        rows = db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.created_at)).all()
        return [(str(m.to_address), m.subject, str(m.body_text)) for m in rows if subject_part in m.subject]


def _link(body: str) -> str:
    return re.search(r"http://bridge\.test(/account/set-password/[\w-]+)", body).group(1)


def test_reset_requests_are_throttled_per_account_with_the_same_answer(world, app, client):
    answers = {_request_reset(client, world.mentor.email) for _ in range(8)}
    answers |= {_request_reset(client, "ghost@example.org")}
    assert len(_mail(app, "Reset")) == app.config["RESET_PER_ACCOUNT_HOUR"]
    assert all("If that email has an account, a reset link is on its way." in a for a in answers)
    clock.advance(3601)
    _request_reset(client, world.mentor.email)
    assert len(_mail(app, "Reset")) == app.config["RESET_PER_ACCOUNT_HOUR"] + 1


def test_reset_requests_are_throttled_per_address(world, app, client, make_user):
    from pwa.models import Role

    people = [make_user(Role.mentor, world.programme) for _ in range(app.config["RESET_PER_ADDRESS_HOUR"] + 2)]
    for person in people:
        assert "a reset link is on its way" in _request_reset(client, person.email)
    assert len(_mail(app, "Reset")) == app.config["RESET_PER_ADDRESS_HOUR"]


def test_an_earlier_reset_link_dies_when_the_password_changes(world, app, client, auth):
    _request_reset(client, world.mentor.email)
    [(_, _, body)] = _mail(app, "Reset")
    auth.login(world.mentor)
    page = auth.client.get("/account/password").get_data(as_text=True)
    r = auth.client.post("/account/password", data={"current": PASSWORD, "password": "another long password",
                                                    "confirm": "another long password", "csrf_token": csrf_from(page)})
    assert r.status_code == 302
    assert client.get(_link(body)).status_code == 410


def test_every_password_change_is_emailed_to_the_person(world, app, client, auth):
    auth.login(world.mentor)
    page = auth.client.get("/account/password").get_data(as_text=True)
    auth.client.post("/account/password", data={"current": PASSWORD, "password": "another long password",
                                                "confirm": "another long password", "csrf_token": csrf_from(page)})
    _request_reset(client, world.mentor.email)
    link = _link(_mail(app, "Reset")[0][2])
    page = client.get(link).get_data(as_text=True)
    client.post(link, data={"password": "yet another long one", "confirm": "yet another long one",
                            "csrf_token": csrf_from(page)})
    notices = _mail(app, "password was changed")
    assert [to for to, _, _ in notices] == [world.mentor.email] * 2
    assert "another long password" not in notices[0][2]


@pytest.mark.parametrize("weak,why", [("aaaaaaaaaaaa", "Repeats"), ("password1234", "very common password"),
                                      (None, "your own name or email")])
def test_weak_passwords_are_refused_with_the_reason(world, auth, weak, why):
    weak = weak or world.mentor.email
    auth.login(world.mentor)
    page = auth.client.get("/account/password").get_data(as_text=True)
    r = auth.client.post("/account/password", data={"current": PASSWORD, "password": weak, "confirm": weak,
                                                    "csrf_token": csrf_from(page)})
    assert r.status_code == 200
    assert why in r.get_data(as_text=True)
    assert "too easy to guess" in r.get_data(as_text=True)


def test_a_weak_password_is_refused_from_a_reset_link_too(world, app, client):
    _request_reset(client, world.mentor.email)
    link = _link(_mail(app, "Reset")[0][2])
    page = client.get(link).get_data(as_text=True)
    r = client.post(link, data={"password": "password1234", "confirm": "password1234", "csrf_token": csrf_from(page)})
    assert r.status_code == 200 and "very common password" in r.get_data(as_text=True)
    assert client.get(link).status_code == 200  # the link still works for a better choice
