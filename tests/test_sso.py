"""Single sign-on for council staff, end to end against a real OpenID provider on loopback."""
import html
import json
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from pwa.core.extensions import db
from pwa.models import AuditEvent, ProgrammeSSO, Role, User, WebSession
from tests.support.oidc_provider import CLIENT_ID, CLIENT_SECRET, OpenIDProvider
from tests.conftest import csrf_from

STAFF = "sam@council.example"


@pytest.fixture(scope="module")
def provider():
    started = OpenIDProvider("http://bridge.test/sso/callback").start()
    yield started
    started.stop()


@pytest.fixture
def sso(app, world, provider, make_user, make_family):
    """The home programme signs social workers in through the provider; Sam was invited."""
    provider.mode()
    with app.app_context():
        db.session.add(ProgrammeSSO(programme_id=world.programme.id, issuer=provider.issuer, client_id=CLIENT_ID,
                                    client_secret=CLIENT_SECRET, allowed_domains="council.example",
                                    role=Role.social_worker))
        db.session.commit()
    world.sam = make_user(Role.social_worker, world.programme, email=STAFF, name="Sam Council")
    world.sams_family = make_family(world.sam, name="The Sso family")
    yield world
    provider.mode()


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _start(client, email=STAFF):
    page = client.get("/sso").get_data(as_text=True)
    return client.post("/sso", data={"email": email, "csrf_token": csrf_from(page)})


def _back_from_provider(client, provider, login=STAFF) -> str:
    started = _start(client)
    assert started.status_code == 302
    authorize = started.headers["Location"]
    assert authorize.startswith(provider.issuer + "/auth?")
    back = provider.sign_in(authorize, login)
    parts = urlsplit(back)
    return f"{parts.path}?{parts.query}"


def _signed_in(client) -> bool:
    return client.get("/caseload").status_code == 200


def test_the_sign_in_page_offers_single_sign_on(client):
    page = client.get("/login").get_data(as_text=True)
    assert 'href="/sso"' in page and "Sign in with your council account" in page


def test_a_good_sign_in_uses_pkce_state_and_nonce_and_counts_as_multi_factor(sso, provider, client, app):
    started = _start(client)
    query = parse_qs(urlsplit(started.headers["Location"]).query)
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) >= 43
    assert query["state"][0] and query["nonce"][0] and query["client_id"] == [CLIENT_ID]
    back = provider.sign_in(started.headers["Location"], STAFF)
    response = client.get(urlsplit(back).path + "?" + urlsplit(back).query)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert _signed_in(client)
    assert client.get(f"/families/{sso.sams_family.id}").status_code == 200
    with app.app_context():
        [row] = db.session.scalars(sa.select(WebSession).where(WebSession.user_id == sso.sam.id)).all()
        assert json.loads(row.data)["mfa"] == "sso"
        assert db.session.scalar(sa.select(AuditEvent.actor_id)
                                 .where(AuditEvent.action == "sign-in (single sign-on)")) == sso.sam.id


@pytest.mark.parametrize("tamper, _why", [({"audience": "someone-else"}, "wrong audience"),
                                          ({"expired": "1"}, "expired"),
                                          ({"foreign": "1"}, "signed with a key not in the JWKS")])
def test_an_id_token_that_fails_a_check_is_refused(sso, provider, client, app, tamper, _why):
    back = _back_from_provider(client, provider)
    provider.mode(**tamper)
    response = client.get(back)
    assert response.status_code == 401
    assert "Bridge could not verify the sign-in from your organisation" in _text(response)
    assert not _signed_in(client)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).where(AuditEvent.action == "refused sso sign-in")) == 1


def test_an_email_at_an_unlisted_domain_is_refused(sso, provider, client):
    response = client.get(_back_from_provider(client, provider, login="eve@elsewhere.example"))
    assert response.status_code == 403
    assert "accepts only email addresses at council.example" in _text(response)
    assert not _signed_in(client)


def test_an_email_with_no_invited_account_is_refused(sso, provider, client, app):
    response = client.get(_back_from_provider(client, provider, login="newcomer@council.example"))
    assert response.status_code == 403
    assert "No Bridge account has been set up for newcomer@council.example" in _text(response)
    assert "only by invitation" in _text(response)
    assert not _signed_in(client)
    with app.app_context():
        assert db.session.scalar(sa.select(User.id).where(User.email == "newcomer@council.example")) is None


def test_a_replayed_state_is_refused(sso, provider, client, app):
    back = _back_from_provider(client, provider)
    assert client.get(back).status_code == 302
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/account").get_data(as_text=True))})
    again = client.get(back)
    assert again.status_code == 400 and "already been used or has expired" in _text(again)
    assert not _signed_in(client)
    other = app.test_client()  # someone else's browser with the same address
    assert other.get(back).status_code == 400 and not _signed_in(other)


def test_an_account_awaiting_approval_or_of_another_role_is_refused(sso, provider, client, app, make_user):
    make_user(Role.coordinator, sso.programme, email="cora@council.example")
    response = client.get(_back_from_provider(client, provider, login="cora@council.example"))
    assert response.status_code == 403 and "is for social workers" in _text(response)
    with app.app_context():
        db.session.execute(sa.update(User).where(User.email == STAFF)
                           .values(active=False, approval_requested_by_id=sso.admin.id))
        db.session.commit()
    response = client.get(_back_from_provider(client, provider))
    assert response.status_code == 403 and "waiting for a second person's approval" in _text(response)


def test_an_email_whose_domain_has_no_single_sign_on_is_told_to_use_a_password(sso, client):
    response = _start(client, "someone@unknown.example")
    assert response.status_code == 422
    assert "Single sign-on is not set up for this email's organisation" in _text(response)
