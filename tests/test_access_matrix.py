"""Every route × every role × (own object, another mentor's, another programme's)."""
import pytest

from tests.support.access_rules import ROLES, RULES

RELATIONS = ("own", "others", "far")
DENIED = {401, 403, 404}


def _rule_keys():
    return {(r.endpoint, r.method) for r in RULES}


def test_every_route_has_a_rule(app):
    missing = []
    for rule in app.url_map.iter_rules():
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            if (rule.endpoint, method) not in _rule_keys():
                missing.append(f"{method} {rule.rule} ({rule.endpoint})")
    assert not missing, "routes missing from tests/access_rules.py: " + ", ".join(sorted(missing))


def _request(auth, rule, path, data):
    if rule.method == "GET":
        return auth.client.get(path)
    return auth.post(path, data)


def _is_denied(response) -> bool:
    if response.status_code in DENIED:
        return True
    return response.status_code == 302 and "/login" in response.headers.get("Location", "")


def _refusals(app) -> int:
    import sqlalchemy as sa

    from pwa.core.extensions import db
    from pwa.models import AuditEvent

    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).where(AuditEvent.action.like("refused %")))


@pytest.mark.parametrize("role", ROLES)
def test_matrix(world, auth, role):
    """Each role reaches exactly what its rules allow, and nothing else; every 403/404 leaves an audit row."""
    user = {"admin": world.admin, "coordinator": world.coordinator, "social_worker": world.social_worker,
            "mentor": world.mentor}[role]
    failures = []
    for rule in RULES:
        if rule.public:
            continue
        allowed = rule.allowed.get(role, set() if _has_object(rule) else False)
        for rel in (RELATIONS if _has_object(rule) else (None,)):
            auth.login(user)
            path = rule.url(world, rel)
            data = rule.data(world, rel) if rule.data else {}
            before = _refusals(world.app)
            response = _request(auth, rule, path, data)
            expect_ok = (rel in allowed) if rel else bool(allowed)
            if expect_ok == _is_denied(response):
                failures.append(f"{role} {rule.method} {path} [{rel}] -> {response.status_code}, "
                                f"expected {'allowed' if expect_ok else 'denied'}")
            elif response.status_code in (403, 404) and _refusals(world.app) != before + 1:
                failures.append(f"{role} {rule.method} {path} [{rel}] -> {response.status_code} left no audit row")
            auth.client.delete_cookie("bridge_session")
    assert not failures, "\n".join(failures)


def _has_object(rule) -> bool:
    try:
        rule.url(None, None)
    except (AttributeError, KeyError, TypeError):
        return True
    return False


def test_anonymous_is_sent_to_sign_in(world, client):
    """Without a session every non-public route redirects to sign-in (or refuses JSON)."""
    from tests.conftest import Auth

    failures = []
    for rule in RULES:
        if rule.public:
            continue
        path = rule.url(world, "own" if _has_object(rule) else None)
        response = client.get(path) if rule.method == "GET" else client.post(path)
        if not (_is_denied(response) or response.status_code == 400):
            failures.append(f"anonymous {rule.method} {path} -> {response.status_code}")
    assert not failures, "\n".join(failures)
    assert Auth
