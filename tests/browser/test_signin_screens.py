"""The single sign-on button, a programme's single sign-on settings and the approval queue, on a phone and a desktop."""
import pytest
from playwright.sync_api import expect

from pwa.core.extensions import db
from pwa.models import Role, User
from tests.browser.phone import sign_in

WIDTHS = (360, 1280)


@pytest.fixture
def held(app, world):
    """A mentor the admin invited, waiting for a second person."""
    with app.app_context():
        user = User(email="held@example.org", name="Hana Held", role=Role.mentor, programme_id=world.programme.id,
                    active=False, approval_requested_by_id=world.admin.id)
        asked = User(email="asked@example.org", name="Ravi Requested", role=Role.social_worker,
                     programme_id=world.programme.id, active=False, approval_requested_by_id=world.coordinator.id)
        db.session.add_all([user, asked])
        db.session.commit()


def _fits(page, width):
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width, f"{page.url} scrolls sideways"


@pytest.mark.browser
@pytest.mark.parametrize("width", WIDTHS)
def test_sign_in_screens(browser, live, world, held, width, tmp_path):
    ctx = browser.new_context(viewport={"width": width, "height": 900}, base_url=live.url)
    page = ctx.new_page()
    page.goto("/login")
    button = page.get_by_role("link", name="Sign in with your council account")
    assert button.is_visible()
    _fits(page, width)
    page.screenshot(path=tmp_path / f"login-{width}.png", full_page=True)
    button.click()
    # The click starts the navigation; the sign-in page's field is awaited, not sampled mid-load.
    expect(page.get_by_label("Work email")).to_be_visible()

    sign_in(page, world.admin)
    page.goto(f"/admin/programmes/{world.programme.id}/sso")
    assert page.get_by_label("Issuer").is_visible() and page.get_by_label("Client secret").is_visible()
    page.get_by_label("Issuer").fill("https://login.council.example")
    page.get_by_label("Client ID").fill("bridge")
    page.get_by_label("Client secret").fill("secret-from-the-council")
    page.get_by_label("Allowed email domains").fill("council.example")
    _fits(page, width)
    page.screenshot(path=tmp_path / f"sso-settings-{width}.png", full_page=True)
    with page.expect_navigation():
        page.get_by_role("button", name="Save single sign-on").click()
    assert page.get_by_text("Single sign-on saved.").is_visible()

    page.goto("/admin/approvals")
    card = page.locator(".card", has_text="Hana Held")
    assert card.get_by_text("You made this change, so someone else must approve it.").is_visible()
    assert page.locator(".card", has_text="Ravi Requested").get_by_role("button", name="Approve").is_visible()
    _fits(page, width)
    page.screenshot(path=tmp_path / f"approvals-{width}.png", full_page=True)
    ctx.close()
