"""Every page each role can open, at a 360-px-wide phone screen, has no axe-core violation at WCAG 2.2 AA.

Pages are the GET routes of tests/access_rules.py that the role may reach for its own objects (plus the
public ones), after the page's JavaScript has run (outbox badge, offline forms filled from the snapshot).
"""
import pytest
from axe_playwright_python.base import AXE_SCRIPT
from axe_playwright_python.sync_playwright import Axe

from tests.support.access_rules import ROLES, RULES
from tests.browser.phone import ready_for_offline, sign_in

pytestmark = pytest.mark.browser
WCAG_22_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
              "resultTypes": ["violations"]}


def _has_object(rule) -> bool:
    try:
        rule.url(None, None)
    except (AttributeError, KeyError, TypeError):
        return True
    return False


def pages_for(world, role: str | None) -> list[str]:
    """The GET paths a role may open for its own objects; the public ones for everyone."""
    paths = []
    for rule in RULES:
        if rule.method != "GET" or rule.endpoint.startswith("bench."):  # the benchmark's bare route is no page
            continue
        if rule.public:
            paths.append(rule.url(world, None))
        elif role and _has_object(rule) and "own" in rule.allowed.get(role, set()):
            paths.append(rule.url(world, "own"))
        elif role and not _has_object(rule) and rule.allowed.get(role) is True:
            paths.append(rule.url(world, None))
    return list(dict.fromkeys(paths))


def _format(path: str, violations: list[dict]) -> str:
    return "\n".join(f"{path}: {v['id']} ({v['impact']}): {v['help']} at "
                     f"{', '.join(str(n['target']) for n in v['nodes'][:3])}" for v in violations)


@pytest.mark.parametrize("role", (None, *ROLES))
def test_every_page_has_no_wcag_22_aa_violation_at_360px(context, world, role):
    page = context.new_page()
    user = {None: None, "admin": world.admin, "coordinator": world.coordinator,
            "social_worker": world.social_worker, "mentor": world.mentor}[role]
    if user:
        sign_in(page, user)
    if role == "mentor":
        ready_for_offline(page)  # so the offline forms show, filled from the snapshot
    page.add_init_script(AXE_SCRIPT)  # axe-core loads with each page rather than being sent for every check
    axe, checked, problems = Axe(axe_script="void 0"), [], []
    for path in pages_for(world, role):
        if "text/html" not in page.request.head(path).headers.get("content-type", ""):
            continue  # JSON, scripts, CSV downloads
        page.goto(path)
        page.wait_for_timeout(100)  # the page's modules: badge, banners, offline forms
        checked.append(path)
        violations = axe.run(page, options=WCAG_22_AA).response["violations"]
        if violations:
            problems.append(_format(path, violations))
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 360, f"{path} scrolls sideways"
    assert len(checked) >= 5, checked
    assert not problems, "\n".join(problems)
    # The check can fail: the same run on a page with a known fault reports it.
    page.evaluate("() => document.querySelector('main').append(Object.assign(document.createElement('img'), "
                  "{ src: '/static/icons/icon-192.png' }))")
    assert "image-alt" in {v["id"] for v in axe.run(page, options=WCAG_22_AA).response["violations"]}
