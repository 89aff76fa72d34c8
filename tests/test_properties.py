"""Property-based input for every form and query string: never a server error, never unescaped, always told why.

Each POST route in the access matrix is fuzzed as a role allowed to use it. The form is found on the
page a person would use (the route's own page or the page it is posted from), so every example starts
from the fields the browser would send and hypothesis replaces them: wrong types, dates at the edges
of the calendar, huge numbers, control characters, markup, lists where one value belongs. Example
counts are bounded (EXAMPLES per role) so the suite stays quick; the run is derandomized, so CI
repeats the same inputs.
"""
import re
from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.support.access_rules import RULES

EXAMPLES = 5
MARKER = '<q id="fz">'
# No shrinking: every draw is labelled by its endpoint, and shrinking a multi-route example takes minutes.
PAGE_EXAMPLES = 3
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
SKIP = {"auth.logout"}  # ends the session the rest of the run needs; covered by the auth tests
QUERY_NAMES = ["page", "since", "until", "start", "end", "kind", "table", "view", "next", "called", "uuid", "v"]

counts = {"requests": 0, "refused": 0}


class FormFinder(HTMLParser):
    """Every form on a page: its action and the fields a browser would send, with their options."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms, self._form, self._select = [], None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = {"action": a.get("action", ""), "fields": {}}
            self.forms.append(self._form)
        elif self._form is None or not a.get("name"):
            return
        elif tag == "input" and a.get("type") not in ("submit", "button"):
            field = self._form["fields"].setdefault(a["name"], {"type": a.get("type", "text"), "options": [],
                                                                "value": None})
            if a.get("type") in ("radio", "checkbox"):
                field["options"].append(a.get("value", "y"))
            else:
                field["value"] = a.get("value", "")
        elif tag in ("select", "textarea"):
            self._select = self._form["fields"].setdefault(a["name"], {"type": tag, "options": [], "value": ""})

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag in ("select", "textarea"):
            self._select = None


def _options(html: str, name: str) -> list[str]:
    block = re.search(rf'<select[^>]*name="{re.escape(name)}".*?</select>', html, re.S)
    return re.findall(r'<option[^>]*value="([^"]*)"', block.group(0)) if block else []


def find_form(client, path: str) -> dict | None:
    """The form that posts to `path`, from its own page or a page above it."""
    candidates = [path]
    parts = path.split("?")[0].rstrip("/").split("/")
    candidates += ["/".join(parts[:i]) or "/" for i in range(len(parts) - 1, 1, -1)]
    candidates += ["/dashboard", "/account", "/admin/users", "/mail/undelivered"]
    for page in candidates:
        r = client.get(page)
        if r.status_code != 200 or not r.mimetype == "text/html":
            continue
        html = r.get_data(as_text=True)
        finder = FormFinder()
        finder.feed(html)
        for form in finder.forms:
            if form["action"].split("?")[0] == path.split("?")[0] or (page == path and form["action"] in ("", path)):
                for name, field in form["fields"].items():
                    if field["type"] == "select":
                        field["options"] = _options(html, name)
                return form
    return None


TEXT = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=30),
    st.sampled_from([MARKER, f"x{MARKER}y", "' OR 1=1 --", '=HYPERLINK("http://x")', "\x00", "\u202e", "  ",
                     "x" * 5000 + MARKER, "\U0001f600" * 300, "\r\n" * 50]),
)
EDGE_DATES = ["0001-01-01", "9999-12-31", "1900-01-01", "2199-12-31", "2024-02-29", "2023-02-29", "10000-01-01",
              "2026-13-45", "-1", "2026-W01-1", "20260401"]
NUMBER = st.one_of(st.integers(-(10 ** 20), 10 ** 20).map(str),
                   st.sampled_from(["1e309", "NaN", "inf", "-0", "0.5", "0x10", "٣", "1_000", str(2 ** 63)]))


def _value(field: dict) -> st.SearchStrategy:
    """Values for one field: good-looking ones of its type and bad ones of every kind."""
    kind = field["type"]
    good = [st.just(field["value"])] if field.get("value") is not None else []
    if field["options"]:
        good.append(st.sampled_from(field["options"]))
    if kind == "date":
        good += [st.dates().map(lambda d: d.isoformat()), st.sampled_from(EDGE_DATES)]
    elif kind == "number":
        good.append(NUMBER)
    elif kind == "time":
        good += [st.times().map(lambda t: t.strftime("%H:%M")), st.sampled_from(["24:00", "23:60", "9:5"])]
    elif kind == "email":
        good += [st.emails(), st.just("a@b"), st.just("x" * 300 + "@example.org")]
    single = st.one_of(*good, TEXT, NUMBER) if good else st.one_of(TEXT, NUMBER)
    return st.one_of(single, single, single, st.lists(single, min_size=2, max_size=3))


def form_data(form: dict | None, names: list[str]) -> st.SearchStrategy:
    """A posted body: each field of the form kept, replaced or dropped; sometimes stray fields."""
    fields = dict(form["fields"]) if form else {}
    fields.pop("csrf_token", None)
    for name in names:
        fields.setdefault(name, {"type": "text", "options": [], "value": None})
    parts = {name: st.one_of(st.none(), _value(field)) for name, field in fields.items()}
    return st.fixed_dictionaries(parts).map(lambda d: {k: v for k, v in d.items() if v is not None})


def assert_answered_well(r, sent: dict, where: str) -> None:
    """No server error; nothing sent comes back unescaped; a refusal says why."""
    counts["requests"] += 1
    assert r.status_code < 500, f"{where}: {r.status_code} for {sent!r}"
    if r.status_code < 400 and r.mimetype not in ("text/html", "application/json", "text/plain"):
        return  # a download (the report pack's PDF): bytes, not a page to escape
    body = r.get_data(as_text=True)
    assert MARKER not in body, f"{where}: unescaped markup for {sent!r}"
    if r.status_code >= 400:
        counts["refused"] += 1
        told = ('class="error"' in body or "Please check" in body or '"error"' in body or 'class="flash' in body
                or "There is nothing here" in body or "<h1>" in body)
        assert told, f"{where}: a {r.status_code} with no message for {sent!r}"


def _rules_for(role: str) -> list:
    picked = []
    for rule in RULES:
        if rule.method != "POST" or rule.endpoint in SKIP or rule.public:
            continue
        allowed = rule.allowed.get(role)
        if allowed is True or (isinstance(allowed, set) and "own" in allowed):
            picked.append(rule)
    return picked


def _user(world, role: str):
    return {"admin": world.admin, "coordinator": world.coordinator, "social_worker": world.social_worker,
            "mentor": world.mentor}[role]


@pytest.mark.parametrize("role", ["admin", "coordinator", "social_worker", "mentor"])
def test_every_form_a_role_can_post_survives_any_input(world, auth, role):
    auth.login(_user(world, role))
    token = auth.token()
    targets = []
    for rule in _rules_for(role):
        path = rule.url(world, True if rule.allowed.get(role) is True else "own")
        targets.append((rule.endpoint, path, find_form(auth.client, path)))
    assert targets, role
    assert sum(form is not None for _, _, form in targets) >= len(targets) // 2, "most forms should be found"

    @FUZZ
    @given(st.data())
    def fuzz(data):
        for endpoint, path, form in targets:
            body = data.draw(form_data(form, []), label=endpoint)
            r = auth.client.post(path, data={**body, "csrf_token": token})
            assert_answered_well(r, body, endpoint)

    fuzz()
    print(f"form fuzzing as {role}: totals so far {counts}")


def test_public_forms_survive_any_input(world, client):
    from tests.conftest import csrf_from

    paths = ["/login", "/account/reset", "/account/set-password/not-a-real-token"]
    forms = {p: find_form(client, p) for p in paths}

    @FUZZ
    @given(st.data())
    def fuzz(data):
        token = csrf_from(client.get("/login").get_data(as_text=True))
        for path, form in forms.items():
            body = data.draw(form_data(form, ["email", "password"]), label=path)
            assert_answered_well(client.post(path, data={**body, "csrf_token": token}), body, path)

    fuzz()
    print(f"public form fuzzing: totals so far {counts}")


QUERY = st.dictionaries(st.sampled_from(QUERY_NAMES), st.one_of(TEXT, NUMBER, st.sampled_from(EDGE_DATES),
                                                                st.lists(st.sampled_from(EDGE_DATES), max_size=3)),
                        max_size=5)


@pytest.mark.parametrize("role", ["admin", "coordinator", "social_worker", "mentor"])
def test_every_page_a_role_can_read_survives_any_query_string(world, auth, role):
    auth.login(_user(world, role))
    paths = []
    for rule in RULES:
        allowed = rule.allowed.get(role)
        if rule.method == "GET" and rule.endpoint != "static" and (
                allowed is True or (isinstance(allowed, set) and "own" in allowed)):
            paths.append((rule.endpoint, rule.url(world, True if allowed is True else "own").split("?")[0]))

    @settings(FUZZ, max_examples=PAGE_EXAMPLES)
    @given(st.data())
    def fuzz(data):
        for endpoint, path in paths:
            query = data.draw(QUERY, label=endpoint)
            assert_answered_well(auth.client.get(path, query_string=query), query, endpoint)

    fuzz()
    print(f"query-string fuzzing as {role}: totals so far {counts}")
