"""The visit POST: a mentor logs a visit through the real form, a fresh client UUID every time.

The body is built from the form page itself (CSRF token, the family's children and goals),
so it follows the form as the diary changes. wrk sends it from Lua with a UUID made of a
per-run prefix, the wrk thread and a counter: unique, so every request stores a new entry.
"""
import uuid
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import urlencode

from bench.server import Response, fetch
from bench.wrk import lua_string


class _Inputs(HTMLParser):
    """Collect (name, type, value) of every <input> on a page."""

    def __init__(self):
        super().__init__()
        self.inputs: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag, attrs):
        if tag == "input":
            a = dict(attrs)
            if a.get("name"):
                self.inputs.append((a["name"], a.get("type", "text"), a.get("value") or ""))


def form_path(fixtures: dict) -> str:
    """The visit form of the family the POSTs go to (not the measured family, which keeps its 500 entries)."""
    return f"/families/{fixtures.get('post_family_id', fixtures['family_id'])}/visits/new"


def body_fields(target) -> list[tuple[str, str]]:
    """A valid visit, from the form page: yesterday 15:00, an hour, the first child seen, the first goal moved."""
    from pwa.core import clock

    page = target.server.get(target.path, target.token)
    if page.status != 200:
        raise SystemExit(f"bench: visit form answered HTTP {page.status}")
    parser = _Inputs()
    parser.feed(page.body.decode())
    found = parser.inputs
    day = clock.today() - timedelta(days=1)
    fields = [(n, v) for n, t, v in found if t == "hidden" and n != "client_uuid"]
    fields += [("visit_on", day.isoformat()), ("started_at", "15:00"), ("duration_minutes", "60"),
               ("kind", "home_visit"), ("present", "Mum and the children"),
               ("what_done", "Walked to school with the children; talked about the morning routine."),
               ("child_words", "\"I got a sticker for being on time.\""),
               ("next_contact_on", (day + timedelta(days=3)).isoformat()), ("travel_miles", "2.5")]
    children = [v for n, t, v in found if n == "children_seen"]
    fields += [("children_seen", children[0])] if children else []
    goals = [n[: -len("-goal_id")] for n, t, v in found if n.endswith("-goal_id")]
    fields += [(f"{g}-mark", "forward" if i == 0 else "none") for i, g in enumerate(goals)]
    return fields


def wrk_lua(target) -> str:
    """Lua for wrk: POST the visit with a new client UUID each time."""
    prefix = str(uuid.uuid4())[:18]  # 8-4-4 hex; the rest is thread and counter
    return "\n".join([
        'wrk.method = "POST"',
        'wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"',
        f"local prefix = {lua_string(prefix)}",
        f"local form = {lua_string(urlencode(body_fields(target)))}",
        "function request()",
        "  sent = sent + 1",
        '  local id = string.format("%s-%04x-%012x", prefix, tid, sent)',
        '  return wrk.format(nil, nil, nil, form .. "&client_uuid=" .. id)',
        "end",
    ])


def probe(target) -> Response:
    """One visit POST in Python (for its query count)."""
    form = body_fields(target) + [("client_uuid", str(uuid.uuid4()))]
    return fetch(target.server.port, target.path, token=target.token, method="POST", form=form)
