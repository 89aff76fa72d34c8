"""The report pack in Chromium at 360 px and 1280 px: the report, "Download the PDF", the page that says the
pack is being prepared, and the download that follows by itself once the worker has prepared it.

Screenshots and the PDF's first page go to /work/shots/pack/ (or $BRIDGE_SHOTS).
"""
import shutil

import pytest
from playwright.sync_api import expect

from pwa.core import clock
from tests.browser.phone import first_page_png, screenshot, shots, sign_in
from tests.test_chronology_pack import _pdf_pages, _visit, run_pack_job

pytestmark = pytest.mark.browser
SHOTS = shots("pack")


@pytest.mark.parametrize("width", (360, 1280))
def test_the_pack_is_prepared_and_then_downloads_by_itself(browser, live, world, app, width):
    for words in ("Said the new bed is comfy", "Said she was scared of the dog next door"):
        _visit(app, world.match, clock.today(), words=words, child_names=("Amy",))
    ctx = browser.new_context(viewport={"width": width, "height": 900}, base_url=live.url, accept_downloads=True)
    page = ctx.new_page()
    sign_in(page, world.social_worker)
    page.goto(f"/families/{world.family.id}/report")
    screenshot(page, SHOTS, f"report-{width}.png")
    page.click("text=Download the PDF")
    expect(page.locator("main")).to_contain_text("Preparing the pack — it will download when ready")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    screenshot(page, SHOTS, f"preparing-{width}.png")
    run_pack_job(app)
    with page.expect_download(timeout=20_000) as download:  # the page's own refresh finds it ready
        pass
    assert download.value.suggested_filename.startswith(f"bridge-report-{world.family.reference}-")
    pdf = SHOTS / f"pack-{width}.pdf"
    shutil.copyfile(download.value.path(), pdf)
    assert "Said she was scared of the dog next door" in "\n".join(_pdf_pages(pdf.read_bytes()))
    assert "Preparing the pack" in page.inner_text("main")  # the page stays; the PDF went to the downloads
    ctx.close()
    if width == 1280:
        first_page_png(pdf, SHOTS / "first-page")
