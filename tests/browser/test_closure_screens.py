"""Closing a case, the closed family's page, the legal hold and the retention report in Chromium at 360 px and
1280 px. Screenshots go to /work/shots/closure/ (or $BRIDGE_SHOTS) for a person to look at."""

import pytest
from playwright.sync_api import expect

from pwa.core import clock
from pwa.core.extensions import db
from pwa.models import EndingReason, Match, User
from tests.browser.phone import screenshot, shots, sign_in

pytestmark = pytest.mark.browser
SHOTS = shots("closure")


@pytest.mark.parametrize("width", (360, 1280))
def test_a_coordinator_closes_a_case_holds_it_and_reads_the_retention_report(browser, live, world, app, width):
    from pwa.matches import services

    with app.app_context():
        services.end_match(db.session.get(User, world.coordinator.id), db.session.get(Match, world.match.id),
                           ended_on=clock.today(), reason=EndingReason.plan_completed, summary="Went well")
        db.session.commit()
    ctx = browser.new_context(viewport={"width": width, "height": 900}, base_url=live.url)
    page = ctx.new_page()
    sign_in(page, world.coordinator)
    page.goto(f"/families/{world.family.id}")
    page.click("text=Close the case")
    page.select_option("#reason", "stepped_down")
    page.fill("#note", "Goals met. Early help team now supports the family.")
    screenshot(page, SHOTS, f"close-form-{width}.png")
    page.click("button:has-text('Close the case')")
    main = page.inner_text("main")
    assert "This case is closed" in main and "The social worker has been told" in main
    assert page.locator("text=Add a child").count() == 0
    screenshot(page, SHOTS, f"closed-family-{width}.png")
    page.click("text=Legal hold and retention")
    page.fill("#reason", "Family court proceedings: the council's legal team asked us to keep everything.")
    page.click("button:has-text('Set a legal hold')")
    expect(page.locator("main")).to_contain_text("Legal hold set")  # awaited: the click only starts the navigation
    expect(page.locator("main")).to_contain_text("Legal hold in force")
    page.goto(f"/families/{world.family.id}/hold")
    assert "A legal hold is in force" in page.inner_text("main")
    screenshot(page, SHOTS, f"legal-hold-{width}.png")
    page.goto("/retention")
    report = page.inner_text("main")
    assert "The Own family" in report and "Held" in report and "6 years after closure" in report
    screenshot(page, SHOTS, f"retention-report-{width}.png")
    page.goto("/families/?closed=1")
    assert "The Own family" in page.inner_text("ul.cards")
    screenshot(page, SHOTS, f"closed-filter-{width}.png")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    ctx.close()
