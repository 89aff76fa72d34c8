"""The coordinator's dashboard as a caseload: overdue per family, queues, see-all pages, talk requests."""
import re
from datetime import timedelta

from pwa.core import clock
from pwa.models import Role
from tests.support.caseload_helpers import add_visit, section, showing


def _dashboard(auth) -> str:
    return auth.client.get("/dashboard").get_data(as_text=True)


def test_a_never_visited_family_is_overdue_but_a_new_match_is_not(world, auth, app, make_family, make_user,
                                                                   make_match):
    new_family = make_family(world.social_worker, name="The Newly Matched family")
    make_match(new_family, make_user(Role.mentor, world.programme), world.coordinator, started_on=clock.today())
    # The Own family's mentor visits another family daily: that does not make the Own family visited.
    busy = make_family(world.social_worker, name="The Busy family")
    busy_match = make_match(busy, world.mentor, world.coordinator)
    add_visit(app, busy_match, on=clock.today())
    add_visit(app, world.others_match, on=clock.today() - timedelta(days=1))
    auth.login(world.coordinator)
    overdue = section(_dashboard(auth), "overdue")
    assert "The Own family" in overdue and "never visited" in overdue and "30 days ago" in overdue
    assert "The Newly Matched family" not in overdue and "The Others family" not in overdue
    assert "The Busy family" not in overdue
    clock.advance(8 * 86400)
    auth.login(world.coordinator)
    overdue = section(_dashboard(auth), "overdue")
    assert "The Newly Matched family" in overdue  # 8 days after its match began, still no visit
    assert "The Others family" in overdue and "9 days ago" in overdue


def _own_card(auth) -> str:
    return auth.client.get("/families/").get_data(as_text=True).split("The Own family")[1].split("</li>")[0]


def test_families_list_shows_the_last_visit_and_a_correction_moves_it(world, auth, app):
    first = add_visit(app, world.match, on=clock.today() - timedelta(days=3))
    auth.login(world.coordinator)
    own = _own_card(auth)
    assert "last visit" in own and "3 days ago" in own
    add_visit(app, world.match, on=clock.today() - timedelta(days=10))  # an older visit, written later
    assert "3 days ago" in _own_card(auth)
    later = add_visit(app, world.match, on=clock.today() - timedelta(days=2))
    assert "2 days ago" in _own_card(auth)
    add_visit(app, world.match, on=clock.today() - timedelta(days=5), corrects=later)
    assert "3 days ago" in _own_card(auth)  # the latest current entry is the first again
    add_visit(app, world.match, on=clock.today() - timedelta(days=4), corrects=first)
    assert "4 days ago" in _own_card(auth)


def test_queues_of_referrals_awaiting_consent_and_families_awaiting_a_match(world, auth, make_family):
    make_family(world.social_worker, name="The Unconsented family", consent=False)
    make_family(world.social_worker, name="The Consented family")
    clock.advance(3 * 86400)
    auth.login(world.coordinator)
    page = _dashboard(auth)
    referrals, awaiting = section(page, "referrals"), section(page, "awaiting")
    assert "Referrals awaiting consent (1)" in page and "The Unconsented family" in referrals
    assert "waiting 3 days" in referrals
    assert "Consented families awaiting a match (1)" in page and "The Consented family" in awaiting
    assert "waiting 8 days" in awaiting and "Match a mentor" in awaiting  # consent was 5 days before the referral
    assert "The Unconsented family" not in awaiting


def test_every_section_has_a_see_all_page_with_the_count_on_each_page(app, auth, make_programme, make_user,
                                                                      make_family):
    programme = make_programme()
    coordinator, worker = make_user(Role.coordinator, programme), make_user(Role.social_worker, programme)
    for i in range(53):
        make_family(worker, name=f"The Rowan {i} family", consent=False, children=())
    auth.login(coordinator)
    page = _dashboard(auth)
    referrals = section(page, "referrals")
    assert "Showing the first 10 of 53." in referrals and 'href="/dashboard/referrals"' in referrals
    first = auth.client.get("/dashboard/referrals").get_data(as_text=True)
    assert "Referrals awaiting consent (53)" in first and showing(first) == "Showing 1–50 of 53"
    assert len(re.findall(r"The Rowan \d+ family", first)) == 50
    second = auth.client.get("/dashboard/referrals?page=2").get_data(as_text=True)
    assert showing(second) == "Showing 51–53 of 53" and len(re.findall(r"The Rowan \d+ family", second)) == 3
    for key in ("supervision", "readiness", "entries", "talk", "overdue", "awaiting", "concerns", "debriefs"):
        answer = auth.client.get(f"/dashboard/{key}")
        assert answer.status_code == 200 and "Showing 0 of 0" in answer.get_data(as_text=True), key
    assert auth.client.get("/dashboard/nothing-like-this").status_code == 404


def test_see_all_pages_a_section_that_lists_only_its_first_items(world, auth, app):
    for day in range(23):
        add_visit(app, world.match, on=clock.today() - timedelta(days=day))
    auth.login(world.coordinator)
    assert "Showing the first 10 of 23." in section(_dashboard(auth), "entries")
    all_entries = auth.client.get("/dashboard/entries").get_data(as_text=True)
    assert showing(all_entries) == "Showing 1–23 of 23" and all_entries.count("with <a href=\"/families/") == 23


def test_asks_to_talk_names_the_family_and_is_cleared_only_by_talked(world, auth, app):
    visit_id = add_visit(app, world.match, on=clock.today(), talk=True)
    auth.login(world.coordinator)
    talk = section(_dashboard(auth), "talk")
    assert world.mentor.name in talk and "The Own family" in talk and "Talked" in talk
    assert "The Own family" in section(_dashboard(auth), "entries")  # the diary item names its family
    path = f"/visits/{visit_id}"
    assert auth.post(path + "/review", {"comment": ""}, token_from=path).status_code == 302
    page = _dashboard(auth)
    assert "Mentors asking to talk to you (1)" in page  # reviewing the entry did not clear it
    assert "Diary entries awaiting review (0)" in page
    assert auth.post(path + "/talked", token_from="/dashboard").status_code == 302
    assert "Mentors asking to talk to you (0)" in _dashboard(auth)


def test_caseload_names_the_family_of_each_goal_and_shows_last_visits(world, auth, app):
    from pwa.core.extensions import db
    from pwa.models import Goal, GoalStatus

    with app.app_context():
        db.session.add(Goal(family_id=world.family.id, title="Bedtime by eight", success_looks_like="Calm evenings",
                            status=GoalStatus.proposed, proposed_by_id=world.mentor.id))
        db.session.commit()
    add_visit(app, world.match, on=clock.today() - timedelta(days=4))
    auth.login(world.social_worker)
    page = auth.client.get("/caseload").get_data(as_text=True)
    goals = page.split('id="goals-h"')[1].split("</section>")[0]
    assert "Bedtime by eight" in goals and "for <a" in goals and "The Own family" in goals
    assert "Last visit: " in page and "4 days ago" in page and showing(page) == "Showing 1–1 of 1"
