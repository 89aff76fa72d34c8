"""Passkeys and the second step in real Chromium, with a virtual authenticator (Chrome DevTools Protocol)."""
import os

import pytest
import sqlalchemy as sa

from pwa.core.extensions import db
from pwa.models import Passkey, Role
from tests.browser.phone import sign_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("BRIDGE_SHOTS")  # a folder: also save screenshots of each screen at 360 and 1280 px


@pytest.fixture
def passkey_page(browser, live, app, monkeypatch):
    """A page on http://localhost (WebAuthn refuses IP addresses) with a virtual platform authenticator."""
    origin = f"http://localhost:{live.port}"
    monkeypatch.setitem(app.config, "WEBAUTHN_RP_ID", "localhost")
    monkeypatch.setitem(app.config, "WEBAUTHN_ORIGIN", origin)
    ctx = browser.new_context(viewport={"width": 360, "height": 780}, base_url=origin)
    ctx.set_default_timeout(10_000)
    page = ctx.new_page()
    cdp = ctx.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "internal", "hasResidentKey": True, "hasUserVerification": True,
        "isUserVerified": True, "automaticPresenceSimulation": True}})
    yield page
    ctx.close()


def shot(page, name: str) -> None:
    """Save the screen at phone and desktop widths when BRIDGE_SHOTS names a folder."""
    if not SHOTS:
        return
    for width in (360, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=os.path.join(SHOTS, f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 360, "height": 780})


def _password(page, user) -> None:
    page.goto("/login")
    page.fill("#email", user.email)
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")


def test_a_passkey_added_on_the_account_page_signs_in_at_the_second_step(passkey_page, world, app):
    page = passkey_page
    sign_in(page, world.mentor)
    page.goto("/account")
    shot(page, "account-security")
    page.fill("#passkey-label", "My phone")
    with page.expect_navigation():
        page.click("text=Add a passkey")
    assert "Passkey added." in page.text_content("main")
    assert "My phone" in page.text_content("main")
    with page.expect_navigation():
        page.click("text=Sign out")
    _password(page, world.mentor)
    assert "/account/mfa/verify" in page.url
    shot(page, "verify")
    with page.expect_navigation():
        page.click("text=Sign in with a passkey")
    assert "The Own family" in page.text_content("main")  # a page with case content, reached by the passkey
    with app.app_context():
        row = db.session.scalars(sa.select(Passkey).where(Passkey.user_id == world.mentor.id)).one()
        assert row.last_used_at is not None and row.label == "My phone"


def test_a_first_sign_in_can_enrol_a_passkey_then_shows_recovery_codes(passkey_page, world, make_user):
    page = passkey_page
    newcomer = make_user(Role.mentor, world.programme, mfa=False)
    _password(page, newcomer)
    assert "/account/mfa/enrol" in page.url
    assert page.get_attribute("img.qr", "src").startswith("data:image/svg+xml")
    shot(page, "enrol")
    with page.expect_navigation():
        page.click("text=Set up a passkey")
    assert "/account/mfa/recovery-codes" in page.url
    codes = page.locator("ol.codes li").all_text_contents()
    assert len(codes) == 10 and len(set(codes)) == 10
    shot(page, "recovery-codes")
    with page.expect_navigation():
        page.click("text=I have kept them safe: continue")
    assert "Your families" in page.text_content("main") or page.url.endswith("/")


def test_a_wrong_code_is_named_in_the_browser(passkey_page, world):
    page = passkey_page
    _password(page, world.coordinator)
    page.fill("#code", "000000")
    with page.expect_navigation():
        page.click("main form[method=post] button[type=submit]")
    assert "That code is not right" in page.text_content("main")
    shot(page, "verify-wrong-code")
