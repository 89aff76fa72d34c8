"""Visits that did not happen, adults not met before, and children 'seen' on a phone call, as a mentor logs them
and as the coordinator and social worker hear of them."""
from datetime import timedelta

import sqlalchemy as sa

from pwa.core import clock
from pwa.core.extensions import db
from pwa.models import Child, OutboxMessage, Visit
from tests.support.diary_helpers import log_visit
from tests.support.offline_sealing import seal, send, visit_fields


def _notices(app) -> list[OutboxMessage]:
    with app.app_context():
        return list(db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.subject.like("Repeated no access%"))))


def _attempt(auth, world, days_ago: int, outcome="no_answer"):
    answer = log_visit(auth.client, world.family.id, outcome=outcome, what_done="Knocked twice, rang mum",
                       visit_on=(clock.today() - timedelta(days=days_ago)).isoformat(), next_contact_on="",
                       child_words="")
    assert answer.status_code == 302, answer.get_data(as_text=True)[:2000]


def test_two_attempted_visits_in_a_row_alert_the_coordinator_and_social_worker(world, auth, app):
    auth.login(world.mentor)
    assert log_visit(auth.client, world.family.id, visit_on=(clock.today() - timedelta(days=9)).isoformat()
                     ).status_code == 302
    _attempt(auth, world, 6)
    assert _notices(app) == []
    _attempt(auth, world, 3, "family_out")
    notices = _notices(app)
    assert {m.to_address for m in notices} == {world.coordinator.email, world.social_worker.email}
    for m in notices:
        assert world.family.reference in m.subject + m.body_text and "Own family" not in m.body_text
        assert "Knocked" not in m.body_text
    auth.logout()
    auth.login(world.social_worker)
    page = auth.client.get(f"/families/{world.family.id}/chronology").get_data(as_text=True)
    assert page.count("Attempted visit: no answer at the door.") == 1 and "Attempted visit: family out." in page


def test_the_dashboard_names_a_family_with_repeated_no_access_by_reference_only(world, auth, app):
    auth.login(world.mentor)
    _attempt(auth, world, 6)
    _attempt(auth, world, 3, "family_out")
    auth.logout()
    auth.login(world.coordinator)
    section = auth.client.get("/dashboard").get_data(as_text=True).split('id="no_access-h"')[1].split("</section>")[0]
    latest = (clock.today() - timedelta(days=3)).strftime("%-d %b %Y")
    assert f'href="/families/{world.family.id}">{world.family.reference}</a> · 2 attempted visits, the latest {latest}' in section
    assert "Own family" not in section


def test_three_attempts_in_a_month_alert_even_with_a_visit_between(world, auth, app):
    auth.login(world.mentor)
    _attempt(auth, world, 20, "cancelled")
    assert log_visit(auth.client, world.family.id, visit_on=(clock.today() - timedelta(days=15)).isoformat()
                     ).status_code == 302
    _attempt(auth, world, 10)
    assert log_visit(auth.client, world.family.id, visit_on=(clock.today() - timedelta(days=7)).isoformat()
                     ).status_code == 302
    assert _notices(app) == []
    _attempt(auth, world, 2)
    assert len(_notices(app)) == 2 and "3 visits in 30 days" in _notices(app)[0].body_text


def test_an_attempted_visit_is_recorded_from_the_phones_outbox_too(world, auth, app):
    auth.login(world.mentor)
    item = seal(app, world.mentor, "visit", world.family.id,
                visit_fields(outcome="no_answer", what_done="Nobody home", children_seen=[], children_spoken=[]))
    assert send(auth, [item]).get_json()["results"][0]["status"] == "stored"
    with app.app_context():
        assert db.session.scalar(sa.select(Visit.outcome)).name == "no_answer"


def test_an_adult_not_met_before_reaches_the_dashboard_and_the_chronology(world, auth, app):
    auth.login(world.mentor)
    page = auth.client.get(f"/families/{world.family.id}/visits/new").get_data(as_text=True)
    assert "Was an adult there you had not met before?" in page
    assert log_visit(auth.client, world.family.id, unknown_adult="y",
                     unknown_adult_note="A man called Dean, mum's new friend").status_code == 302
    auth.logout()
    auth.login(world.coordinator)
    dashboard = auth.client.get("/dashboard").get_data(as_text=True)
    assert "An adult the mentor had not met before" in dashboard and "mum&#39;s new friend" in dashboard
    chronology = auth.client.get(f"/families/{world.family.id}/chronology").get_data(as_text=True)
    assert "An adult the mentor had not met before was there" in chronology


def test_a_phone_call_cannot_record_a_child_as_seen(world, auth, app):
    with app.app_context():
        amy = db.session.scalar(sa.select(Child).where(Child.family_id == world.family.id))
    auth.login(world.mentor)
    answer = log_visit(auth.client, world.family.id, kind="phone_call", children_seen=[str(amy.id)])
    assert answer.status_code == 422
    assert "On a phone call you cannot see a child" in answer.get_data(as_text=True)
    spoken = log_visit(auth.client, world.family.id, kind="phone_call", children_spoken=[str(amy.id)])
    assert spoken.status_code == 302
