"""The rules the phone checks are the server's own, published from the form classes."""
import json
import re
from datetime import timedelta

import pytest
from werkzeug.datastructures import MultiDict
from wtforms.validators import Length

from pwa.core import clock
from pwa.web.rules import rules


def visit_rules(app):
    from pwa.diary.forms import VisitForm

    with app.test_request_context():
        return rules(VisitForm(formdata=None, meta={"csrf": False}))


def concern_rules(app):
    from pwa.concerns.forms import ConcernForm

    with app.test_request_context():
        return rules(ConcernForm(formdata=None, meta={"csrf": False}))


def published(client, path: str, form: str) -> dict:
    """The rules embedded in a page (as the phone reads them)."""
    html = client.get(path).get_data(as_text=True)
    found = re.search(rf'<script type="application/json" id="rules-{form}">(.*?)</script>', html, re.S)
    assert found, f"no rules for {form} on {path}"
    return json.loads(found.group(1))


def test_the_visit_rules_carry_the_servers_checks_and_messages(app):
    fields = visit_rules(app)["fields"]
    assert fields["visit_on"]["required"] == "Enter the date of the visit."
    assert fields["visit_on"]["not_future"]["message"] == "This date is in the future."
    assert fields["started_at"]["not_future"] == {"on": "visit_on", "slack_minutes": 5.0,
                                                  "message": "This time is later than now."}
    assert fields["duration_minutes"]["range"] == [1, 1440, "Enter a number of minutes from 1 to 1440."]
    assert fields["duration_minutes"]["invalid"] == "Not a valid integer value."
    assert fields["what_done"]["required"] == "Say what you did." and not fields["what_done"]["blank_ok"]
    assert fields["what_done"]["max_length"] == [8000, "Field cannot be longer than 8000 characters."]
    assert fields["next_contact_on"]["not_before"] == ["visit_on", "The next contact cannot be before this visit."]
    assert fields["kind"]["choices"] == ["home_visit", "phone_call", "outing", "appointment"]
    assert fields["goals-N-note"]["max_length"][0] == 500
    assert "choices" not in fields["children_seen"]  # a family's children are not in the published rules
    assert "client_uuid" not in fields and "csrf_token" not in fields


def test_the_concern_rules_carry_the_choices_and_required_fields(app):
    fields = concern_rules(app)["fields"]
    assert fields["urgency"]["required"] == "Choose how urgent it is."
    assert fields["categories"]["required"] == "Tick at least one."
    assert set(fields["categories"]["choices"]) >= {"neglect"}
    assert fields["what_seen"]["max_length"][0] == 8000


def test_a_rule_changed_in_the_form_class_changes_what_is_published(app, client, monkeypatch):
    from pwa.diary.forms import VisitForm

    before = published(client, "/offline/visit", "visit")
    assert before == visit_rules(app)
    monkeypatch.setattr(VisitForm, "present", VisitForm.present.field_class(
        "Who was there", validators=[Length(max=12, message="Twelve letters at most.")]))
    after = published(client, "/offline/visit", "visit")
    assert after["fields"]["present"]["max_length"] == [12, "Twelve letters at most."]
    assert before["fields"]["present"]["max_length"][0] == 300
    assert {k: v for k, v in after["fields"].items() if k != "present"} == {
        k: v for k, v in before["fields"].items() if k != "present"}


def test_a_familys_choices_never_reach_the_published_rules(app, world, auth):
    auth.login(world.mentor)
    page = auth.client.get(f"/families/{world.family.id}/visits/new").get_data(as_text=True)
    child = str(world.family.children[0].id)
    assert child in page  # offered on the family's own form ...
    rules_block = re.search(r'id="rules-visit">(.*?)</script>', page, re.S).group(1)
    assert child not in rules_block  # ... but not among the rules
    assert child not in auth.client.get("/offline/visit").get_data(as_text=True)


def test_the_concern_page_publishes_the_concern_rules(app, client):
    assert published(client, "/offline/concern", "concern") == concern_rules(app)


def test_a_start_time_later_than_now_today_is_refused(app):
    from pwa.diary.forms import VisitForm

    now = clock.local_now()
    later = now + timedelta(minutes=30)
    if later.date() != now.date():
        pytest.skip("too close to midnight to have a later time today")
    with app.test_request_context():
        form = VisitForm(formdata=MultiDict({"visit_on": now.date().isoformat(), "started_at": later.strftime("%H:%M"),
                                             "duration_minutes": "10", "kind": "home_visit", "what_done": "x"}),
                         meta={"csrf": False})
        form.offer([], [])
        assert not form.validate()
        assert form.started_at.errors == ["This time is later than now."]
        form.visit_on.data = now.date() - timedelta(days=1)
        form.started_at.errors = []
        assert form.validate(), form.errors
