"""The phone checks a form with the server's own rules before sealing it: every error at once, in the server's words."""
import re
from datetime import timedelta

import pytest
from werkzeug.datastructures import MultiDict
from wtforms.validators import DataRequired

from pwa.core import clock
from tests.browser.phone import eventually, idb, lose_signal

pytestmark = pytest.mark.browser
SHOTS = "/work/shots/offline"


def server_says(app, **typed) -> dict:
    """What the server's VisitForm says of these values, by field."""
    from pwa.diary.forms import VisitForm

    with app.test_request_context():
        form = VisitForm(formdata=MultiDict(typed), meta={"csrf": False})
        form.offer([], [])
        form.validate()
        return {name: errors for name, errors in form.errors.items()}


def test_the_offline_form_refuses_a_future_date_with_the_servers_own_message(app, context, live, phone):
    tomorrow = (clock.local_today() + timedelta(days=1)).isoformat()
    lose_signal(context, live)
    phone.goto("/offline/visit")
    phone.wait_for_selector("form[data-outbox]:visible")
    phone.fill("#visit_on", tomorrow)
    phone.fill("#started_at", "00:00")
    phone.fill("#duration_minutes", "2000")
    phone.fill("#what_done", "   ")
    phone.click("text=Save visit")
    summary = phone.locator(".error-summary")
    summary.wait_for()
    said = server_says(app, visit_on=tomorrow, started_at="00:00", duration_minutes="2000", kind="home_visit",
                       what_done="   ")
    assert said == {"visit_on": ["This date is in the future."],
                    "duration_minutes": ["Enter a number of minutes from 1 to 1440."],
                    "what_done": ["Say what you did."]}
    for name, [message] in said.items():  # beside each field, and all at once in the summary
        assert phone.locator(f"#{name}-error").inner_text() == message
        assert message in summary.inner_text()
    assert summary.locator("li").count() == 3 and phone.evaluate("() => document.activeElement.className") == \
        "error-summary"
    assert phone.locator("text=Saved on this phone").count() == 0 and (idb(phone, "outbox") or []) == []
    phone.screenshot(path=f"{SHOTS}/offline-visit-errors-360.png", full_page=True)
    phone.set_viewport_size({"width": 1280, "height": 900})
    phone.screenshot(path=f"{SHOTS}/offline-visit-errors-1280.png", full_page=True)
    phone.set_viewport_size({"width": 360, "height": 780})

    phone.fill("#visit_on", clock.local_today().isoformat())
    phone.fill("#duration_minutes", "30")
    phone.fill("#what_done", "Fixed it")
    phone.click("text=Save visit")
    phone.wait_for_selector("text=Saved on this phone and sealed")
    assert phone.locator(".error-summary").count() == 0 and phone.locator("p.error").count() == 0


def test_a_start_time_later_than_now_today_is_refused_on_the_phone(app, phone):
    now = clock.local_now()
    later = now + timedelta(minutes=20)
    if later.date() != now.date():
        pytest.skip("too close to midnight for a later time today")
    phone.goto("/offline/visit")
    phone.wait_for_selector("form[data-outbox]:visible")
    phone.fill("#visit_on", now.date().isoformat())
    phone.fill("#started_at", later.strftime("%H:%M"))
    phone.click("text=Save visit")
    phone.locator(".error-summary").wait_for()
    assert phone.locator("#started_at-error").inner_text() == "This time is later than now."
    assert server_says(app, visit_on=now.date().isoformat(), started_at=later.strftime("%H:%M"))["started_at"] == [
        "This time is later than now."]


def test_a_rule_changed_in_the_form_class_changes_the_phones_check(app, live, phone, monkeypatch):
    from pwa.diary.forms import VisitForm

    phone.goto("/offline/visit")
    phone.wait_for_selector("form[data-outbox]:visible")
    phone.click("text=Save visit")
    phone.locator(".error-summary").wait_for()
    assert phone.locator("#present-error").count() == 0  # "Who was there" is optional in the form class

    monkeypatch.setattr(VisitForm, "present", VisitForm.present.field_class(
        "Who was there", validators=[DataRequired(message="Say who was there.")]))
    old_shell = phone.evaluate("async () => (await caches.keys()).join()")
    phone.goto("/offline/visit")  # opened from the cache; the worker sees its new version and installs it

    def new_shell():
        """the worker has cached the shell with the new rules"""
        keys = phone.evaluate("async () => (await caches.keys()).join()")
        return keys and keys != old_shell and "," not in keys
    eventually(new_shell)
    phone.goto("/offline/visit")  # the new shell: the new rules
    phone.wait_for_selector("form[data-outbox]:visible")
    phone.click("text=Save visit")
    phone.locator(".error-summary").wait_for()
    assert phone.locator("#present-error").inner_text() == "Say who was there."
    assert "Who was there: Say who was there." in phone.locator(".error-summary").inner_text()


def test_the_concern_form_refuses_only_what_makes_it_unusable_all_at_once(app, context, live, phone):
    """No family or nothing written: refused before saving, both said at once; a missing detail never is."""
    lose_signal(context, live)
    phone.goto("/offline/concern")
    phone.wait_for_selector("form[data-outbox]:visible")
    phone.evaluate("() => { const s = document.querySelector('#family'); s.value = ''; }")
    phone.click("text=Send the concern")
    summary = phone.locator(".error-summary")
    summary.wait_for()
    text = summary.inner_text()
    for message in ("Choose the family.", "Write what you saw and heard."):
        assert text.count(message) == 1, text
    assert "urgent" not in text and "Tick" not in text  # a concern is never refused for a missing detail
    assert phone.locator("#what_seen-error").inner_text() == "Write what you saw and heard."
    assert not re.search(r"\.\s*:", text)  # no label ending in a full stop glued to a message
    assert (idb(phone, "outbox") or []) == []
    phone.screenshot(path=f"{SHOTS}/offline-concern-errors-360.png", full_page=True)
