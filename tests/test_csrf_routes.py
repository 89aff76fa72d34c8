"""Every form post, for someone allowed to make it, is refused without its CSRF token."""
from tests.conftest import Auth
from tests.support.access_rules import ROLES, RULES


def _path(rule, world):
    try:
        return rule.url(world, None) if rule.url(None, None) is not None else None
    except (AttributeError, KeyError, TypeError):
        return rule.url(world, "own")


def _allowed_role(rule):
    for role in ROLES:
        allowed = rule.allowed.get(role)
        if allowed is True or (isinstance(allowed, set) and "own" in allowed):
            return role
    return None


def test_every_post_without_a_csrf_token_is_refused(world, app):
    users = {"admin": world.admin, "coordinator": world.coordinator, "social_worker": world.social_worker,
             "mentor": world.mentor}
    problems = []
    for rule in (r for r in RULES if r.method == "POST"):
        auth = Auth(app.test_client())
        role = None if rule.public else _allowed_role(rule)
        if role is not None:
            auth.login(users[role])
        data = rule.data(world, "own") if rule.data else {}
        r = auth.client.post(_path(rule, world), data=data)
        if r.status_code != 400:
            problems.append(f"{rule.endpoint} as {role}: {r.status_code}")
    assert not problems, "\n".join(problems)
