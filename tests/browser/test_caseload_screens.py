"""The caseload screens in Chromium at 360 px and 1280 px: find a family, the dashboard, the accounts table.

Screenshots go to /work/shots/caseload/ (or $BRIDGE_SHOTS) for a person to look at.
"""
from datetime import timedelta

import pytest

from pwa.core import clock
from pwa.models import Role
from tests.browser.phone import screenshot, shots, sign_in
from tests.support.caseload_helpers import add_visit

pytestmark = pytest.mark.browser
SHOTS = shots("caseload")


@pytest.fixture
def caseload(world, app, make_family, make_user, make_match):
    """The world plus a few more families: waiting for consent, for a match, visited, never visited."""
    world.obrien = make_family(world.social_worker, name="The Ó'Brien family", children=(("Zoë", None), ("Kit", None)))
    make_family(world.social_worker, name="The Obi family", consent=False, children=(("Tobi", None),))
    make_family(world.other_social_worker, name="The Smith family", children=(("Amélie", None),))
    add_visit(app, world.others_match, on=clock.today() - timedelta(days=2))
    for i in range(3):
        make_user(Role.mentor, world.programme, name=f"Mentor with a long name {i}")
    return world


@pytest.mark.parametrize("width", (360, 1280))
def test_a_coordinator_finds_a_family_by_a_childs_name_and_filters(browser, live, caseload, width):
    ctx = browser.new_context(viewport={"width": width, "height": 900}, base_url=live.url)
    page = ctx.new_page()
    sign_in(page, caseload.coordinator)
    page.goto("/families/")
    page.fill("#q", "zoe")
    page.click("text=Show families")
    assert "q=zoe" in page.url  # the choice is in the URL, to bookmark
    cards = page.locator("ul.cards > li")
    assert cards.count() == 1 and "The Ó'Brien family" in cards.first.inner_text()
    screenshot(page, SHOTS, f"families-search-{width}.png")
    page.goto("/families/")
    assert not page.is_visible("input[name=overdue]")  # filters fold away under the search box
    page.click("text=Filters and sort")
    page.check("input[name=overdue]")
    page.select_option("#sort", "last_visit")
    page.click("text=Show families")
    assert "overdue=1" in page.url and "sort=last_visit" in page.url
    assert page.locator("ul.cards > li").count() == 1
    assert "The Own family" in page.locator("ul.cards > li").first.inner_text()  # matched, never visited
    assert "Showing 1–1 of 1" in page.inner_text("main")
    screenshot(page, SHOTS, f"families-filtered-{width}.png")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    ctx.close()


@pytest.mark.parametrize("width", (360, 1280))
def test_the_dashboard_shows_the_never_visited_family_and_the_queues(browser, live, caseload, width):
    ctx = browser.new_context(viewport={"width": width, "height": 900}, base_url=live.url)
    page = ctx.new_page()
    sign_in(page, caseload.coordinator)
    page.goto("/dashboard")
    overdue = page.locator("#overdue").inner_text()
    assert "The Own family" in overdue and "never visited" in overdue
    assert "The Obi family" in page.locator("#referrals").inner_text()
    assert "The Ó'Brien family" in page.locator("#awaiting").inner_text()
    screenshot(page, SHOTS, f"dashboard-{width}.png")
    page.goto("/dashboard/awaiting")
    assert "Showing 1–2 of 2" in page.inner_text("main")
    screenshot(page, SHOTS, f"dashboard-see-all-{width}.png")
    ctx.close()


@pytest.mark.parametrize("width", (360, 1280))
def test_the_accounts_table_shows_status_and_disable_on_screen(browser, live, caseload, width):
    ctx = browser.new_context(viewport={"width": width, "height": 900}, base_url=live.url)
    page = ctx.new_page()
    sign_in(page, caseload.admin)
    page.goto("/admin/users")
    row = page.locator("tbody tr", has_text=caseload.mentor.email)
    for part in (row.locator("td[data-label=Status]"), row.locator("button", has_text="Disable")):
        box = part.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= width, part
    assert "Home" in row.locator("td[data-label=Programme]").inner_text()
    screenshot(page, SHOTS, f"accounts-{width}.png")
    ctx.close()


@pytest.mark.parametrize("width", (360, 1280))
def test_mentors_at_a_glance_beside_the_match_form(browser, live, caseload, width):
    ctx = browser.new_context(viewport={"width": width, "height": 900}, base_url=live.url)
    page = ctx.new_page()
    sign_in(page, caseload.coordinator)
    page.goto(f"/families/{caseload.obrien.id}/match")
    row = page.locator("table.glance tbody tr", has_text=caseload.other_mentor.name)
    assert "1" in row.locator("td[data-label='Current families']").inner_text()
    assert "2 days ago" in row.locator("td[data-label='Last visit']").inner_text()
    screenshot(page, SHOTS, f"match-glance-{width}.png")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    ctx.close()
