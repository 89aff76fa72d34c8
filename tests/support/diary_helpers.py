"""Helpers for the diary, goals and outcomes tests: fill the real forms, make entries quickly."""
import re
import uuid
from datetime import timedelta

from pwa.core import clock
from pwa.core.extensions import db


def hidden(html: str, name: str) -> str:
    """The value of a hidden input on a page."""
    found = re.search(rf'name="{name}" type="hidden" value="([^"]*)"', html) or \
        re.search(rf'id="{name}" name="{name}" type="hidden" value="([^"]*)"', html)
    assert found, f"no hidden {name} on the page"
    return found.group(1)


def open_visit_form(client, family_id) -> tuple[str, dict]:
    """GET the visit form; return its HTML and the hidden fields a browser would send back."""
    page = client.get(f"/families/{family_id}/visits/new")
    assert page.status_code == 200, page.status_code
    html = page.get_data(as_text=True)
    return html, {"csrf_token": hidden(html, "csrf_token"), "client_uuid": hidden(html, "client_uuid")}


def visit_data(**overrides) -> dict:
    """A typical entry, as the form posts it."""
    data = {
        "visit_on": clock.today().isoformat(), "started_at": "00:00", "duration_minutes": "60",
        "kind": "home_visit", "present": "Mum and Amy", "what_done": "Homework together, then tea.",
        "child_words": "I got a sticker today", "next_contact_on": (clock.today() + timedelta(days=3)).isoformat(),
        "travel_miles": "4.5",
    }
    data.update(overrides)
    return data


def log_visit(client, family_id, **overrides):
    """Post a visit through the real form; return the response."""
    _, fields = open_visit_form(client, family_id)
    return client.post(f"/families/{family_id}/visits/new", data={**fields, **visit_data(**overrides)})


def make_entries(app, match, count: int, *, author_id=None, start_days_ago: int = 0, text: str = "Entry"):
    """Store `count` entries directly through the service's record path (fast, for paging tests)."""
    from pwa.diary.services import record_visit
    from pwa.models import Family, User

    with app.app_context():
        author = db.session.get(User, author_id or match.mentor_id)
        family = db.session.get(Family, match.family_id)
        for i in range(count):
            on = clock.today() - timedelta(days=start_days_ago + i)
            data = {"visit_on": on.isoformat(), "started_at": "10:00", "duration_minutes": 30, "kind": "phone_call",
                    "present": None, "children_seen": [], "children_spoken": [], "child_words": None,
                    "what_done": f"{text} {i}", "goals": [], "next_contact_on": None, "travel_tenth_miles": None,
                    "talk_to_coordinator": False}
            record_visit(author, family, data, client_uuid=uuid.uuid4(), body_hash="0" * 64)
        db.session.commit()


def add_goal(app, family, actor, title="Amy gets to school on time", **kw):
    """An active goal set by a coordinator or social worker (or proposed by a mentor)."""
    from pwa.goals import services
    from pwa.models import Family, User

    with app.app_context():
        goal = services.add_goal(db.session.get(User, actor.id), db.session.get(Family, family.id), title=title,
                                 success_looks_like=kw.get("success", "On time four days in five"),
                                 outcome_area_id=None, target_on=None, family_agreed_on=None)
        db.session.commit()
        return goal.id
