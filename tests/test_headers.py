"""Security headers on every route; no-store on every page with case data."""
from pwa.core.security import shell_endpoints
from tests.conftest import Auth
from tests.support.access_rules import RULES


def _fetch(auth, world, rule):
    path = rule.url(world, "own") if _needs_object(rule) else rule.url(world, None)
    return auth.client.get(path) if rule.method == "GET" else auth.post(path, {})


def _needs_object(rule) -> bool:
    try:
        rule.url(None, None)
    except (AttributeError, KeyError, TypeError):
        return True
    return False


def test_every_route_sends_the_security_headers(world, auth, app):
    app.config["HSTS"] = True
    try:
        problems = []
        for rule in RULES:
            auth = Auth(app.test_client())  # some routes (sign-out) end the session
            auth.login(world.coordinator)
            r = _fetch(auth, world, rule)
            r.close()  # static files are streamed
            h = r.headers
            csp = h.get("Content-Security-Policy", "")
            if "unsafe-inline" in csp or "frame-ancestors 'none'" not in csp or "script-src 'self'" not in csp:
                problems.append(f"{rule.endpoint}: CSP {csp!r}")
            if h.get("X-Content-Type-Options") != "nosniff":
                problems.append(f"{rule.endpoint}: nosniff")
            if not h.get("Referrer-Policy"):
                problems.append(f"{rule.endpoint}: Referrer-Policy")
            if "max-age=" not in h.get("Strict-Transport-Security", ""):
                problems.append(f"{rule.endpoint}: HSTS")
            if rule.endpoint in shell_endpoints(app):  # the app shell: no case data, revalidated, never in shared caches
                if h.get("Cache-Control") != "no-cache, private":
                    problems.append(f"{rule.endpoint}: Cache-Control {h.get('Cache-Control')!r}")
            elif rule.endpoint != "static" and "no-store" not in h.get("Cache-Control", ""):
                problems.append(f"{rule.endpoint}: Cache-Control {h.get('Cache-Control')!r}")
        assert not problems, "\n".join(problems)
    finally:
        app.config["HSTS"] = False


def test_every_post_refuses_a_missing_csrf_token(world, app):
    """Signed in fully, a POST to any route without its token (form field or header) is refused."""
    problems = []
    for rule in RULES:
        if rule.method != "POST":
            continue
        auth = Auth(app.test_client())
        auth.login(world.coordinator)
        path = rule.url(world, "own") if _needs_object(rule) else rule.url(world, None)
        for kind, r in (("form", auth.client.post(path, data={})), ("json", auth.client.post(path, json={}))):
            if r.status_code != 400:
                problems.append(f"{rule.endpoint} ({kind}): {r.status_code}")
    assert not problems, "\n".join(problems)


def test_session_cookie_flags(world, auth, app):
    app.config["SESSION_COOKIE_SECURE"] = True
    try:
        r = auth.login(world.mentor)
        cookie = r.headers["Set-Cookie"]
        assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=Lax" in cookie
    finally:
        app.config["SESSION_COOKIE_SECURE"] = False


def test_no_hsts_on_plain_http_by_default(client):
    assert "Strict-Transport-Security" not in client.get("/login").headers
