"""Goals: set by staff or proposed by a mentor and agreed, worked on visit by visit, closed with a reason."""
import uuid

import sqlalchemy as sa

from pwa.core import clock
from pwa.core.extensions import db
from pwa.models import Goal, GoalStatus
from tests.support.diary_helpers import add_goal, log_visit, open_visit_form, visit_data


def _goal(app, goal_id) -> Goal:
    with app.app_context():
        goal = db.session.get(Goal, goal_id)
        db.session.expunge_all()
        return goal


def _only_goal_id(app):
    with app.app_context():
        return db.session.scalar(sa.select(Goal.id))


def test_a_mentor_proposes_and_the_social_worker_agrees(world, auth, client, app):
    auth.login(world.mentor)
    response = auth.post(f"/families/{world.family.id}/goals", {
        "title": "Amy reads every evening", "success_looks_like": "Ten minutes a night, five nights a week",
        "outcome_area": "", "family_agreed_on": clock.today().isoformat()})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Goal proposed" in page and "Proposed, awaiting the social worker" in page and "not yet agreed" in page
    goal_id = _only_goal_id(app)
    assert auth.post(f"/goals/{goal_id}/agree").status_code == 403
    html, _ = open_visit_form(client, world.family.id)
    assert "Amy reads every evening" not in html  # not worked on until agreed
    auth.logout()

    auth.login(world.social_worker)
    assert "Agree this goal" in client.get(f"/goals/{goal_id}").get_data(as_text=True)
    assert auth.post(f"/goals/{goal_id}/agree").status_code == 302
    page = client.get(f"/goals/{goal_id}").get_data(as_text=True)
    assert "Goal agreed: it is now active." in page and world.social_worker.name in page
    assert _goal(app, goal_id).status is GoalStatus.active
    auth.post(f"/goals/{goal_id}/agree")
    assert "Only a proposed goal can be agreed." in client.get(f"/goals/{goal_id}").get_data(as_text=True)
    auth.logout()

    auth.login(world.mentor)
    assert "Amy reads every evening" in open_visit_form(client, world.family.id)[0]


def test_staff_set_an_active_goal_with_area_target_and_family_agreement(world, auth, client, app):
    auth.login(world.coordinator)
    form = client.get(f"/families/{world.family.id}/goals").get_data(as_text=True)
    assert "Routines and boundaries" in form  # areas of Bridge's own framework
    from pwa.outcomes.services import default_framework

    with app.app_context():
        area = next(a for a in default_framework().areas if a.key == "routines-and-boundaries")
    missing = auth.post(f"/families/{world.family.id}/goals", {"title": "Bedtime by eight-typed",
                                                               "success_looks_like": "", "outcome_area": ""})
    assert missing.status_code == 422
    assert "Bedtime by eight-typed" in missing.get_data(as_text=True)
    assert "What success looks like: Say what success looks like." in missing.get_data(as_text=True)
    response = auth.post(f"/families/{world.family.id}/goals", {
        "title": "Bedtime by eight", "success_looks_like": "Lights out by eight on school nights",
        "outcome_area": str(area.id), "target_on": "2031-01-31"})
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Goal set." in page and "Active" in page and "Routines and boundaries" in page and "31 Jan 2031" in page
    goal_id = _only_goal_id(app)
    assert "Record the family's agreement" in page
    assert auth.post(f"/goals/{goal_id}/family-agreement", {"agreed_on": ""}).status_code == 422
    auth.post(f"/goals/{goal_id}/family-agreement", {"agreed_on": clock.today().isoformat()})
    assert _goal(app, goal_id).family_agreed_on == clock.today()
    listing = client.get(f"/families/{world.family.id}/goals").get_data(as_text=True)
    assert "Bedtime by eight" in listing


def test_a_goals_page_shows_its_progress_from_the_visits(world, auth, client, app):
    goal_id = add_goal(app, world.family, world.social_worker)
    auth.login(world.mentor)
    for day_back, mark, note in ((2, "back", "Late twice"), (0, "forward", "On time all week")):
        on = clock.today().fromordinal(clock.today().toordinal() - day_back).isoformat()
        log_visit(client, world.family.id, visit_on=on, next_contact_on="", **{
            "goals-0-goal_id": str(goal_id), "goals-0-mark": mark, "goals-0-note": note})
    log_visit(client, world.family.id, what_done="Phone catch-up")  # not worked on: no progress row
    page = client.get(f"/goals/{goal_id}").get_data(as_text=True)
    assert page.index("On time all week") < page.index("Late twice")
    assert "Moved forward" in page and "Moved back" in page and page.count("<tr><td>") == 2

    from pwa.models import Visit

    with app.app_context():
        late = db.session.scalar(sa.select(Visit).join(Visit.goals).where(Visit.visit_on < clock.today()))
    fields = {"csrf_token": auth.token(), "client_uuid": str(uuid.uuid4())}
    client.post(f"/visits/{late.id}/correct", data={**fields, **visit_data(
        visit_on=late.visit_on.isoformat(), next_contact_on="", correction_reason="Wrong note",
        **{"goals-0-goal_id": str(goal_id), "goals-0-mark": "same", "goals-0-note": "Late once, on time otherwise"})})
    page = client.get(f"/goals/{goal_id}").get_data(as_text=True)
    assert "Late once, on time otherwise" in page and "Late twice" not in page  # the correction replaces it


def test_a_goal_worked_on_at_every_visit_pages_its_progress_with_a_count(world, auth, client, app):
    """A goal kept for years gathers a row a visit: its page shows fifty at a time and says how many there are."""
    from tests.support.caseload_helpers import showing

    goal_id = add_goal(app, world.family, world.social_worker)
    auth.login(world.mentor)
    for day_back in range(52):
        on = clock.today().fromordinal(clock.today().toordinal() - day_back).isoformat()
        log_visit(client, world.family.id, visit_on=on, next_contact_on="", **{
            "goals-0-goal_id": str(goal_id), "goals-0-mark": "same", "goals-0-note": f"Visit {day_back} back"})
    first = client.get(f"/goals/{goal_id}").get_data(as_text=True)
    assert showing(first) == "Showing 1–50 of 52" and first.count("<tr><td>") == 50 and "Page 1 of 2" in first
    assert "Visit 0 back" in first and "Visit 51 back" not in first  # newest first
    second = client.get(f"/goals/{goal_id}?page=2").get_data(as_text=True)
    assert showing(second) == "Showing 51–52 of 52" and second.count("<tr><td>") == 2 and "Visit 51 back" in second


def test_closing_a_goal_needs_a_date_and_a_reason_unless_achieved(world, auth, client, app):
    kept, dropped = add_goal(app, world.family, world.coordinator), add_goal(app, world.family, world.coordinator)
    auth.login(world.social_worker)
    no_reason = auth.post(f"/goals/{dropped}/close", {"status": "dropped", "closed_on": clock.today().isoformat(),
                                                      "reason": ""})
    assert no_reason.status_code == 422
    assert "Reason: Say why the goal was not achieved or was dropped." in no_reason.get_data(as_text=True)
    assert auth.post(f"/goals/{dropped}/close", {"status": "", "closed_on": ""}).status_code == 422
    auth.post(f"/goals/{dropped}/close", {"status": "dropped", "closed_on": clock.today().isoformat(),
                                          "reason": "Family moved the focus to housing"})
    page = client.get(f"/goals/{dropped}").get_data(as_text=True)
    assert "Dropped" in page and "Family moved the focus to housing" in page and "Close this goal" not in page
    assert auth.post(f"/goals/{kept}/close", {"status": "achieved",
                                              "closed_on": clock.today().isoformat()}).status_code == 302
    goal = _goal(app, kept)
    assert (goal.status, goal.closed_on, goal.closed_by_id) == (GoalStatus.achieved, clock.today(),
                                                                world.social_worker.id)
    again = auth.post(f"/goals/{kept}/close", {"status": "dropped", "closed_on": clock.today().isoformat(),
                                               "reason": "x"})
    assert "This goal is already closed." in client.get(again.headers["Location"]).get_data(as_text=True)


def test_a_proposal_not_yet_agreed_can_only_be_dropped(world, auth, client, app):
    goal_id = add_goal(app, world.family, world.mentor, title="Go swimming together")
    assert _goal(app, goal_id).status is GoalStatus.proposed
    auth.login(world.coordinator)
    refused = auth.post(f"/goals/{goal_id}/close", {"status": "achieved", "closed_on": clock.today().isoformat()})
    assert "A proposal not yet agreed can only be dropped." in client.get(refused.headers["Location"]).get_data(
        as_text=True)
    assert auth.post(f"/goals/{goal_id}/close", {"status": "dropped", "closed_on": clock.today().isoformat(),
                                                 "reason": "Not a priority"}).status_code == 302
    assert _goal(app, goal_id).status is GoalStatus.dropped


def test_the_social_worker_hears_when_a_goal_is_achieved(world, auth, client, app, smtp_server):
    from pwa.outbox import worker

    goal_id = add_goal(app, world.family, world.coordinator)
    auth.login(world.coordinator)
    assert auth.post(f"/goals/{goal_id}/close", {"status": "achieved",
                                                 "closed_on": clock.today().isoformat()}).status_code == 302
    app.config["SMTP_URL"] = smtp_server.url
    try:
        with app.app_context():
            worker.deliver_due()
    finally:
        app.config["SMTP_URL"] = None
    [message] = [m for m in smtp_server.wait_for(1) if world.social_worker.email in m.rcpt_tos]
    text = message.message().get_body(("plain",)).get_content()
    assert world.family.reference in text and f"/goals/{goal_id}" in text
    goal_title = _goal(app, goal_id).title
    assert goal_title not in message.raw.decode() and "Own family" not in message.raw.decode()
