"""The concerns, mentors and accounts lists and the match page in Chromium at 360 px and 1280 px: what each card and row says.

Screenshots go to /work/shots/lists2/ (or $BRIDGE_SHOTS) for a person to look at.
"""
from datetime import timedelta

import pytest

from pwa.core import clock
from pwa.core.extensions import db
from pwa.models import Concern, Role, User
from tests.browser.phone import screenshot, shots, sign_in
from tests.support.caseload_helpers import add_visit
from tests.support.concern_world import add_to_concern, raise_concern

pytestmark = pytest.mark.browser
SHOTS = shots("lists2")


@pytest.fixture
def lists(world, app, make_user):
    """The world with an open concern, an acknowledged one with an addition waiting, a visit, an unready mentor."""
    from pwa.concerns import services

    world.open = raise_concern(app, world.mentor, world.family)
    world.done = raise_concern(app, world.mentor, world.family)
    with app.app_context():
        services.acknowledge(db.session.get(User, world.social_worker.id), db.session.get(Concern, world.done.id), [])
        db.session.commit()
    add_to_concern(app, world.mentor, world.done)
    add_visit(app, world.match, on=clock.today() - timedelta(days=3))
    make_user(Role.mentor, world.programme, ready=False, name="Una Unready")
    return world


def _page(browser, live, user, width: int):
    ctx = browser.new_context(viewport={"width": width, "height": 900}, base_url=live.url)
    page = ctx.new_page()
    sign_in(page, user)
    return ctx, page


def _fits_and_shoot(ctx, page, width: int, name: str) -> None:
    """Nothing scrolls sideways at this width; keep a screenshot; close the context."""
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    screenshot(page, SHOTS, f"{name}-{width}.png")
    ctx.close()


@pytest.mark.parametrize("width", (360, 1280))
def test_the_concerns_list_shows_what_waits_and_who_took_it_on(browser, live, lists, width):
    ctx, page = _page(browser, live, lists.coordinator, width)
    page.goto("/concerns/")
    waiting = page.locator("section[aria-labelledby=open-h] li.card")
    assert waiting.count() == 1 and lists.open.reference in waiting.first.inner_text()
    assert "The Own family" in waiting.first.inner_text() and "Waiting" in waiting.first.inner_text()
    done = page.locator("section[aria-labelledby=done-h] li.card").first.inner_text()
    assert lists.done.reference in done and "Acknowledged by the social worker" in done
    assert "1 addition not yet acknowledged" in done
    _fits_and_shoot(ctx, page, width, "concerns")


@pytest.mark.parametrize("width", (360, 1280))
def test_the_mentors_list_shows_readiness_families_and_last_visit(browser, live, lists, width):
    ctx, page = _page(browser, live, lists.coordinator, width)
    page.goto("/mentors")
    cards = page.locator("ul.cards > li.card")
    assert cards.count() == 3 and "Showing 1–3 of 3" in page.inner_text("main")
    mine = cards.filter(has_text=lists.mentor.name).inner_text()
    assert "Ready to be matched" in mine and "1 current family · last visit" in mine
    assert "Not ready: no DBS check recorded" in cards.filter(has_text="Una Unready").inner_text()
    _fits_and_shoot(ctx, page, width, "mentors")


@pytest.mark.parametrize("width", (360, 1280))
def test_the_accounts_list_shows_each_account_with_its_status(browser, live, lists, width):
    ctx, page = _page(browser, live, lists.admin, width)
    page.goto("/admin/users")
    row = page.locator("tbody tr", has_text=lists.mentor.email).inner_text()
    assert "Mentor" in row and "Home" in row and "Active" in row and "Disable" in row
    assert "Showing 1–" in page.inner_text("main")
    _fits_and_shoot(ctx, page, width, "accounts")


@pytest.mark.parametrize("width", (360, 1280))
def test_the_match_page_shows_its_timescale_a_review_and_an_extension(browser, live, world, app, width):
    from pwa.matches import services
    from pwa.models import Match

    with app.app_context():
        match, coordinator = db.session.get(Match, world.match.id), db.session.get(User, world.coordinator.id)
        services.record_review(coordinator, match, held_on=clock.today(), notes="Settling in; school runs going well",
                               next_review_on=clock.today() + timedelta(weeks=6))
        services.extend_match(coordinator, match, new_end_on=match.agreed_end_on + timedelta(days=60),
                              reason="Mum asked for two more months")
        db.session.commit()
    ctx, page = _page(browser, live, world.coordinator, width)
    page.goto(f"/matches/{world.match.id}")
    main = page.inner_text("main")
    assert "Match: The Own family" in main and f"Mentor {world.mentor.name}" in main
    assert "Settling in; school runs going well" in main and "Mum asked for two more months" in main
    assert f"decided by {world.coordinator.name}" in main and "days to go" in main
    _fits_and_shoot(ctx, page, width, "match")
