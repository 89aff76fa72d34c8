"""The who-has-seen page and the subject-access export in Chromium at 360 px and 1280 px.

Screenshots (and the exported document's first page) go to /work/shots/subjectaccess/ (or $BRIDGE_SHOTS).
"""
import io
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.phone import first_page_png, screenshot, shots, sign_in
from tests.support.concern_world import raise_concern

pytestmark = pytest.mark.browser
SHOTS = shots("subjectaccess")


@pytest.mark.parametrize("width", (360, 1280))
def test_a_coordinator_sees_who_has_seen_the_record_and_downloads_the_export(browser, live, world, app, width):
    raise_concern(app, world.mentor, world.family)
    ctx = browser.new_context(viewport={"width": width, "height": 900}, base_url=live.url, accept_downloads=True)
    page = ctx.new_page()
    sign_in(page, world.coordinator)
    page.goto(f"/families/{world.family.id}")
    page.click("text=Who has seen this record")
    expect(page.locator("main")).to_contain_text("Concern raised")
    page.select_option("#kind", "read")
    page.click("button:has-text('Filter')")
    assert "kind=read" in page.url
    assert "Concern raised" not in page.inner_text("main") and "Opened the family's page" in page.inner_text("main")
    screenshot(page, SHOTS, f"who-has-seen-{width}.png")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    page.click("text=Subject-access export for this family")
    page.fill("#reason", "Subject access request from the mother, received by letter")
    screenshot(page, SHOTS, f"export-form-{width}.png")
    with page.expect_download() as download:
        page.click("button:has-text('Download the export')")
    assert download.value.suggested_filename == f"subject-access-{world.family.reference}.zip"
    body = Path(download.value.path()).read_bytes()
    page.goto(f"/families/{world.family.id}/who-has-seen")
    assert "Downloaded a subject-access export" in page.inner_text("main")
    screenshot(page, SHOTS, f"who-has-seen-after-export-{width}.png")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    ctx.close()
    if width == 1280:
        with zipfile.ZipFile(io.BytesIO(body)) as z:
            for name in ("record.pdf", "report-pack.pdf"):
                pdf = SHOTS / name
                pdf.write_bytes(z.read(f"subject-access-{world.family.reference}/{name}"))
                first_page_png(pdf, SHOTS / name.replace(".pdf", "-page"), dpi=60)
