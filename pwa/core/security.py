"""HTTP response headers: CSP, no-store for case pages, HSTS behind HTTPS."""
from flask import Flask, request

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; manifest-src 'self'; worker-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def shell_endpoints(app=None) -> set[str]:
    """Endpoints that never answer case data and set their own Cache-Control (the service worker script,
    the app shell); the feature that owns them adds them in its register(app)."""
    from pwa.core import registry

    return registry.of("shell_endpoints", set, app)


def apply_headers(response):
    """Set the security headers every response carries."""
    h = response.headers
    h.setdefault("Content-Security-Policy", CSP)
    h["X-Content-Type-Options"] = "nosniff"
    h["Referrer-Policy"] = "same-origin"
    h["X-Frame-Options"] = "DENY"
    h["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()"
    h["Cross-Origin-Opener-Policy"] = "same-origin"
    if not request.path.startswith("/static/") and request.endpoint not in shell_endpoints():
        # Pages and JSON may hold case data: never stored by the browser or a proxy.
        h["Cache-Control"] = "no-store"
        h["Pragma"] = "no-cache"
        h.setdefault("Vary", "Cookie")
    from flask import current_app

    if current_app.config.get("HSTS"):
        h["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains"
    return response


def register(app: Flask) -> None:
    """Attach the header hook."""
    app.after_request(apply_headers)
