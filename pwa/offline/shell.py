"""The app shell: the files the service worker precaches, its version, and the shell pages.

Shell pages are the same for everyone: rendered as if nobody were signed in,
with no flash messages and no CSRF token, so they can never carry case data.
"""
import hashlib

from flask import current_app, render_template, url_for
from flask_login import AnonymousUserMixin

from pwa.offline.assets import static_url

# Static files the phone needs with no network (the 512-px icons are only for installing).
SHELL_STATIC = (
    "css/app.css", "icons/icon.svg", "icons/icon-192.png",
    "js/app.js", "js/idb.js", "js/dom.js", "js/outbox.js", "js/seal.js", "js/hpke.js", "js/forms.js",
    "js/offline.js", "js/signout.js", "js/save.js",
)
# Shell pages: the offline fallback, the offline forms and the outbox.
SHELL_PAGES = {
    "offline.fallback": "offline/fallback.html",
    "offline.visit_form": "offline/visit.html",
    "offline.concern_form": "offline/concern.html",
    "offline.outbox": "offline/outbox.html",
}


def render_shell(endpoint: str) -> str:
    """Render a shell page with nobody signed in, no flashes and no per-user token."""
    from pwa.offline import forms

    return render_template(SHELL_PAGES[endpoint], current_user=AnonymousUserMixin(), shell=True,  # nosec B604  # a template flag, no subprocess
                           get_flashed_messages=lambda **kw: [], **forms.shell_forms(endpoint))


def shell_urls() -> list[str]:
    """Every URL the service worker precaches (its allowlist)."""
    return [static_url(name) for name in SHELL_STATIC] + [url_for(e) for e in SHELL_PAGES]


def service_worker() -> str:
    """The service worker script, its version derived from everything it precaches."""
    if current_app.config.get("SW_KILL"):
        return render_template("offline/sw_kill.js")
    urls = shell_urls()
    pages = [url_for(e) for e in SHELL_PAGES]
    digest = hashlib.sha256("\n".join(urls).encode())
    for endpoint in SHELL_PAGES:
        digest.update(render_shell(endpoint).encode())
    context = dict(shell=urls, pages=pages, outbox_url=static_url("js/outbox.js"))  # nosec B604  # a template variable, no subprocess
    digest.update(render_template("offline/sw.js", version="", **context).encode())
    return render_template("offline/sw.js", version=digest.hexdigest()[:12], **context)


def manifest() -> dict:
    """The web app manifest: what Chrome needs to offer to install Bridge."""
    icon = lambda name, size, purpose: {"src": static_url(f"icons/{name}"), "sizes": size,  # noqa: E731
                                        "type": "image/png", "purpose": purpose}
    return {
        "id": "/", "name": "Bridge", "short_name": "Bridge",
        "description": "Visit diary and safeguarding alerts for family mentoring",
        "start_url": "/", "scope": "/", "display": "standalone", "lang": "en-GB",
        "background_color": "#ffffff", "theme_color": "#1d4f7a",
        "icons": [icon("icon-192.png", "192x192", "any"), icon("icon-512.png", "512x512", "any"),
                  icon("icon-maskable-512.png", "512x512", "maskable")],
    }
